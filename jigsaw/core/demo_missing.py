"""Children missing from home and care, and private fostering, in the demo authority.

`write_missing` runs after the casework (it needs the looked-after children and the open,
allocated episodes). Over the last year, some of the looked-after children go missing from
care (a few of them three times or more within 90 days: the panel's repeat missing) and
some children open to social care go missing from home; police officers report most
episodes and foster carers the others. Most return interviews are done within 72 hours by
the voluntary sector's return interview worker; some are late, some declined, and one
child is missing now. A handful of children are privately fostered, at every stage: just
notified, first visit done, assessed, a year on, ended, and one whose visit and assessment
are overdue.

Everything is written through the casework actions, as the allocated worker, with past
times (the actions refuse only the future). Names are the demo's synthetic people; the
same seed on the same day gives the same episodes and arrangements.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.actions import missing as missing_actions
from jigsaw.casework.actions import private_fostering as fostering_actions
from jigsaw.casework.models import (
    ChronologyEntry,
    LookedAfterEpisode,
    MissingEpisode,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    Referral,
)
from jigsaw.partners.models import AgencyKind, Practitioner
from jigsaw.people.models import Person

FROM_CARE_CHILDREN = 18
FROM_HOME_CHILDREN = 6
REPEAT_CHILDREN = 4
PRIVATELY_FOSTERED = 6
HISTORY_DAYS = 330
WHERE_FOUND = [
    "Returned to the placement by police from an address in the town centre",
    "Found by police at a friend's house",
    "Came back to the placement on their own",
    "Found at the bus station by British Transport Police",
    "Returned home with an older friend",
    "Found in a flat in another town, with adults not known to the family",
]
INTERVIEWS = [
    "Said they stayed with friends and did not think anyone would worry",
    "Had been to see their mother; asks for more contact",
    "Would not say where they were; had a new phone and money",
    "Upset about a falling out at the placement; talked through what would help",
]
CARERS_NOTE = "The arrangement is a family friend's, agreed by the parents while they work abroad"


@dataclasses.dataclass
class MissingCounts:
    episodes: int = 0
    from_care: int = 0
    repeat_children: int = 0
    still_missing: int = 0
    interviews_in_time: int = 0
    interviews_late: int = 0
    declined: int = 0
    private_fostering: int = 0
    visits: int = 0

    def summary(self) -> str:
        return (
            f"Children missing: {self.episodes} episodes ({self.from_care} from care), "
            f"{self.repeat_children} children repeat missing, {self.still_missing} missing now; return "
            f"interviews {self.interviews_in_time} within 72 hours, {self.interviews_late} late, "
            f"{self.declined} declined. Private fostering: {self.private_fostering} arrangements, "
            f"{self.visits} visits."
        )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _practitioners(kind: str) -> list[Practitioner]:
    return list(Practitioner.objects.filter(agency__kind=kind).select_related("agency").order_by("pk"))


def _worker_of(referral: Referral | None, fallback: User) -> User:
    if referral is not None and referral.allocated_worker is not None:
        return referral.allocated_worker
    return fallback


def write_missing(*, seed: int, today: datetime.date) -> MissingCounts:
    counts = MissingCounts()
    rng = random.Random(seed + 23)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    fallback = (
        User.objects.filter(practitioner__role=Role.SOCIAL_WORKER, is_active=True).order_by("pk").first()
    )
    if fallback is None:
        return counts
    police = _practitioners(AgencyKind.POLICE) or [fallback.practitioner]
    interviewers = _practitioners(AgencyKind.VOLUNTARY_SECTOR) or [fallback.practitioner]
    with transaction.atomic():
        _write_missing(counts, rng, today, fallback, police, interviewers)
        _write_private_fostering(counts, rng, today, fallback)
    return counts


def _write_missing(
    counts: MissingCounts,
    rng: random.Random,
    today: datetime.date,
    fallback: User,
    police: list[Practitioner],
    interviewers: list[Practitioner],
) -> None:
    looked_after = list(
        LookedAfterEpisode.objects.filter(
            ended_on__isnull=True, started_on__lte=today - datetime.timedelta(days=30)
        )
        .select_related("referral__allocated_worker")
        .order_by("pk")[:FROM_CARE_CHILDREN]
    )
    in_care = [e.person_id for e in looked_after]
    at_home = list(
        Referral.objects.filter(closed_on__isnull=True, allocated_worker__isnull=False)
        .exclude(person_id__in=in_care)
        .exclude(person_id__in=LookedAfterEpisode.objects.filter(ended_on__isnull=True).values("person_id"))
        .select_related("allocated_worker")
        .order_by("pk")[:FROM_HOME_CHILDREN]
    )
    children: list[tuple[int, str, datetime.date, Referral | None]] = [
        (e.person_id, "care", e.started_on, e.referral) for e in looked_after
    ] + [(r.person_id, "home", r.referred_on, r) for r in at_home]
    for index, (person_id, kind, since, referral) in enumerate(children):
        worker = _worker_of(referral, fallback)
        earliest = max(since + datetime.timedelta(days=1), today - datetime.timedelta(days=HISTORY_DAYS))
        span = (today - earliest).days
        if span < 20:
            continue
        # The first looked-after children in care long enough go missing again and again.
        repeat = kind == "care" and counts.repeat_children < REPEAT_CHILDREN and span >= 90
        if repeat:
            # Three to five times in about 80 days, the latest recent.
            first = today - datetime.timedelta(days=rng.randint(60, min(span, 85)))
            starts = sorted(
                first + datetime.timedelta(days=rng.randint(0, 75)) for _ in range(rng.randint(3, 5))
            )
            counts.repeat_children += 1
        else:
            starts = sorted(
                earliest + datetime.timedelta(days=rng.randint(0, span - 2)) for _ in range(rng.randint(1, 2))
            )
        # One child missing from care now, and one from home.
        still_missing = index in (1, len(looked_after) + 1)
        free_from = _at(earliest, 0)
        for number, day in enumerate(starts):
            reported = max(_at(day, rng.randint(17, 23), rng.choice([0, 15, 30, 45])), free_from)
            last = number == len(starts) - 1
            if last and still_missing:
                reported = max(_at(today - datetime.timedelta(days=1), 22, 10), free_from)
            if reported >= timezone.now():
                continue
            counts.episodes += _one_episode(
                counts,
                rng,
                worker,
                person_id,
                kind,
                reported,
                police,
                interviewers,
                open_now=last and still_missing,
            )
            episode = MissingEpisode.objects.filter(person_id=person_id).order_by("-reported_at").first()
            if episode is None or episode.returned_at is None:
                break  # still missing: nothing after it
            free_from = episode.returned_at + datetime.timedelta(hours=1)


def _one_episode(
    counts: MissingCounts,
    rng: random.Random,
    worker: User,
    person_id: int,
    kind: str,
    reported: datetime.datetime,
    police: list[Practitioner],
    interviewers: list[Practitioner],
    *,
    open_now: bool,
) -> int:
    by_police = rng.random() < 0.7
    episode = missing_actions.report_missing(
        actor=worker,
        person_id=person_id,
        kind=kind,
        reported_at=reported,
        reported_by_id=rng.choice(police).pk if by_police else None,
        reported_by_other="" if by_police else ("Foster carer" if kind == "care" else "Mother"),
        police_reference=f"RP-{reported:%y%m}-{rng.randint(1000, 9999)}",
        risk_factors=rng.choice([[], [], ["24A"], ["11A"], ["11A", "2A"], ["13A", "24A"]]),
        circumstances="Did not come back at the agreed time; phone switched off",
    )
    counts.from_care += kind == "care"
    if open_now:
        counts.still_missing += 1
        return 1
    returned = reported + datetime.timedelta(hours=rng.randint(4, 60))
    now = timezone.now()
    if returned >= now:
        counts.still_missing += 1
        return 1
    episode = missing_actions.record_return(
        actor=worker,
        episode_id=episode.pk,
        expected_version=episode.version,
        returned_at=returned,
        where_found=rng.choice(WHERE_FOUND),
    )
    outcome = rng.random()
    offered = returned + datetime.timedelta(hours=rng.randint(2, 18))
    if offered >= now:
        return 1
    if outcome < 0.12:
        response, done = "declined", None
        counts.declined += 1
    else:
        late = outcome < 0.27
        done = returned + datetime.timedelta(hours=rng.randint(80, 150) if late else rng.randint(20, 70))
        if done >= now:
            return 1
        response = "accepted"
        counts.interviews_late += late
        counts.interviews_in_time += not late
    missing_actions.record_return_interview(
        actor=worker,
        episode_id=episode.pk,
        expected_version=episode.version,
        offered_at=offered,
        response=response,
        done_at=done,
        interview_by_id=rng.choice(interviewers).pk if done is not None else None,
        summary=rng.choice(INTERVIEWS) if done is not None else "",
        risk_factors=list(episode.risk_factors),
    )
    return 1


# --- Private fostering ------------------------------------------------------------------

# (days since notified, days the arrangement started before it, visits kept up, assessed, ended days ago)
STAGES: list[tuple[int, int, bool, bool, int | None]] = [
    (3, 30, True, False, None),  # just notified: the first visit is not yet due
    (20, 35, True, False, None),  # first visit done, assessment due
    (70, 40, True, True, None),  # assessed, visited every 6 weeks
    (450, 30, True, True, None),  # a year on: visits every 12 weeks
    (120, 60, True, True, 30),  # ended: returned home
    (65, 29, False, False, None),  # the first visit late, the assessment overdue
]


def _carers(child_ids: list[int], count: int) -> list[Person]:
    """Adults in the index, not related to any of these children."""
    adults = Person.objects.filter(
        date_of_birth__lte=timezone.localdate() - datetime.timedelta(days=365 * 30),
        restriction__isnull=True,
    ).exclude(
        Q(relationships__relative_id__in=child_ids) | Q(relationships_as_relative__person_id__in=child_ids)
    )
    return list(adults.order_by("pk")[:count])


def _write_private_fostering(
    counts: MissingCounts, rng: random.Random, today: datetime.date, fallback: User
) -> None:
    """One arrangement per stage, each in an open episode of a child of 6 to 15 who is not
    looked after and has not gone missing, referred before the notification."""
    taken = set(MissingEpisode.objects.values_list("person_id", flat=True))
    in_care = LookedAfterEpisode.objects.filter(ended_on__isnull=True).values("person_id")
    candidates = [
        r
        for r in Referral.objects.filter(
            closed_on__isnull=True,
            allocated_worker__isnull=False,
            person__date_of_birth__gte=today - datetime.timedelta(days=365 * 15),
            person__date_of_birth__lte=today - datetime.timedelta(days=365 * 6),
        )
        .exclude(person_id__in=in_care)
        .select_related("allocated_worker")
        .order_by("referred_on", "pk")[:200]
        if r.person_id not in taken
    ]
    carers = _carers([r.person_id for r in candidates], PRIVATELY_FOSTERED * 3)
    for stage in sorted(STAGES, key=lambda s: -s[0]):
        notified = today - datetime.timedelta(days=stage[0])
        referral = next((r for r in candidates if r.referred_on <= notified), None)
        if referral is None or not carers:
            continue
        candidates = [r for r in candidates if r.person_id != referral.person_id]
        carer = carers.pop(rng.randrange(len(carers)))
        _one_arrangement(counts, rng, today, _worker_of(referral, fallback), referral, carer, stage)


def _one_arrangement(
    counts: MissingCounts,
    rng: random.Random,
    today: datetime.date,
    worker: User,
    referral: Referral,
    carer: Person,
    stage: tuple[int, int, bool, bool, int | None],
) -> None:
    notified_ago, started_before, kept_up, assessed, ended_ago = stage
    notified = today - datetime.timedelta(days=notified_ago)
    arrangement = fostering_actions.notify_private_fostering(
        actor=worker,
        person_id=referral.person_id,
        carer_id=carer.pk,
        started_on=notified - datetime.timedelta(days=started_before),
        notified_on=notified,
        notified_by=rng.choice(["parent", "carer", "other"]),
        notifying_practitioner_id=None,
        referral_id=referral.pk,
    )
    counts.private_fostering += 1
    end = today - datetime.timedelta(days=ended_ago) if ended_ago is not None else today
    due = arrangement.first_visit_due
    while due < end:
        # Kept up: a few days early; otherwise the first visit a week late, and none since.
        visited = (
            due - datetime.timedelta(days=rng.randint(0, 4)) if kept_up else due + datetime.timedelta(days=6)
        )
        if visited > end:
            break
        fostering_actions.record_private_fostering_visit(
            actor=worker,
            arrangement_id=arrangement.pk,
            expected_version=arrangement.version,
            visited_on=max(visited, notified),
            child_seen_alone=rng.random() < 0.8,
            notes=CARERS_NOTE if counts.visits % 3 == 0 else "The child is settled and attending school",
        )
        counts.visits += 1
        arrangement.refresh_from_db()
        if not kept_up or arrangement.next_visit_due is None:
            break
        due = arrangement.next_visit_due
    if assessed:
        completed = arrangement.assessment_due - datetime.timedelta(days=rng.randint(1, 10))
        fostering_actions.complete_private_fostering_assessment(
            actor=worker,
            arrangement_id=arrangement.pk,
            expected_version=arrangement.version,
            completed_on=max(min(completed, end), notified),
            suitable=True,
            summary="The carer and household are suitable; the parents keep in touch weekly",
        )
        arrangement.refresh_from_db()
    if ended_ago is not None:
        fostering_actions.end_private_fostering(
            actor=worker,
            arrangement_id=arrangement.pk,
            expected_version=arrangement.version,
            ended_on=end,
            end_reason="Returned home to the parents",
        )


def delete_missing() -> None:
    """Delete the missing episodes and private fostering and their chronology entries (they
    protect the people, the looked-after episodes, the referrals and the staff)."""
    labels = [
        m._meta.label_lower for m in (MissingEpisode, PrivateFosteringArrangement, PrivateFosteringVisit)
    ]
    ChronologyEntry.objects.filter(source_type__in=labels).delete()
    PrivateFosteringVisit.objects.all().delete()
    PrivateFosteringArrangement.objects.all().delete()
    MissingEpisode.objects.all().delete()
