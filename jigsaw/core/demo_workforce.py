"""The demo authority's workforce: posts, who fills them, leavers and joiners, absence and
staff records.

`write_workforce` runs after the agencies and staff exist. Each of the social work teams
(the front door, the assessment teams, child protection, children in care) gets a team
manager's post for each of its managers, a senior practitioner's post, a social worker's
post for each of its other workers plus about one in ten more left vacant, a social work
assistant and business support. The team's own practitioners fill the posts: about 15%
of the social workers through an agency, a few part time. About a third joined in the
last two years; the worker they replaced (a former member of staff, written here) left
for a reason (resigned, retired, end of an agency contract...). Workers had sickness
absence over the last two years (mostly a day or three, some longer), and each has a
staff record with a Social Work England number and a qualification date spread from
newly qualified to thirty years.

Rows go in with `bulk_create`. Everything is synthetic; the same seed on the same day gives
the same workforce (the staff come from the same seed too).
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from jigsaw.access.roles import Role
from jigsaw.casework.timescales import add_months
from jigsaw.core.demo import CSC, DemoGenerator
from jigsaw.partners.models import Practitioner
from jigsaw.workforce.models import (
    Absence,
    AbsenceKind,
    Appointment,
    Contract,
    LeavingReason,
    Post,
    PostKind,
    Qualification,
    StaffRecord,
    Team,
)
from jigsaw.workforce.queries import absence_working_days

# The teams whose staff are social workers (the IRO unit and the analysts are not counted).
SOCIAL_WORK_TEAMS = (
    "Front Door (MASH)",
    "Assessment Team 1",
    "Assessment Team 2",
    "Assessment Team 3",
    "Child Protection Team",
    "Children in Care Team",
)
HISTORY_YEARS = 2
AGENCY_SHARE = 0.16
VACANCY_SHARE = 0.10
JOINED_RECENTLY_SHARE = 0.35
# The workers of the demo's sign-ins stay permanent and full time, so their pages read simply.
SIGN_IN_NAMES = ("social_worker", "team_manager", "front_door_officer")
LEAVING = [
    (LeavingReason.RESIGNED, 6),
    (LeavingReason.RETIRED, 1),
    (LeavingReason.DISMISSED, 1),
    (LeavingReason.OTHER, 1),
]
QUALIFICATIONS = [
    (Qualification.DEGREE, 6),
    (Qualification.MASTERS, 3),
    (Qualification.FAST_TRACK, 1),
    (Qualification.APPRENTICESHIP, 1),
]


@dataclasses.dataclass
class WorkforceCounts:
    posts: int = 0
    appointments: int = 0
    former_staff: int = 0
    absences: int = 0
    staff_records: int = 0

    def summary(self) -> str:
        return (
            f"Workforce: {self.posts:,} posts, {self.appointments:,} appointments "
            f"({self.former_staff:,} by former staff who have left), {self.absences:,} absences "
            f"and {self.staff_records:,} staff records."
        )


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@transaction.atomic
def write_workforce(*, seed: int, today: datetime.date) -> WorkforceCounts:
    """Write the demo's establishment, appointments, absences and staff records."""
    rng = random.Random(f"workforce-{seed}")  # noqa: S311 - synthetic demo data, not security  # nosec B311
    names = DemoGenerator(seed + 7919)  # the former staff's names, apart from the live staff's
    counts = WorkforceCounts()
    recorder = (
        User.objects.filter(username="team_manager").first() or User.objects.filter(is_superuser=True).first()
    )
    if recorder is None:
        raise RuntimeError("The demo's sign-ins must exist before its workforce is written")
    history_start = add_months(today, -12 * HISTORY_YEARS)
    established = datetime.date(today.year - 6, 4, 1)
    sign_in_ids = set(
        Practitioner.objects.filter(user__username__in=SIGN_IN_NAMES).values_list("pk", flat=True)
    )
    teams = list(Team.objects.filter(agency__name=CSC, name__in=SOCIAL_WORK_TEAMS).order_by("name"))
    posts: list[Post] = []
    # (post, holder or None, contract, fte, started_on, predecessor's leaving reason or None)
    planned: list[tuple[Post, Practitioner | None, str, Decimal, datetime.date, str | None]] = []
    former: list[Practitioner] = []
    for team in teams:
        staff = list(
            Practitioner.objects.filter(
                team=team, role__in=[Role.TEAM_MANAGER, Role.SOCIAL_WORKER, Role.FRONT_DOOR_OFFICER]
            ).order_by("pk")
        )
        managers = [p for p in staff if p.role == Role.TEAM_MANAGER]
        workers = [p for p in staff if p.role != Role.TEAM_MANAGER]
        # The first worker who is not a sign-in is the team's senior practitioner.
        senior = next((w for w in workers if w.pk not in sign_in_ids), None)
        vacancies = max(1, round(len(workers) * VACANCY_SHARE)) if rng.random() < 0.85 else 0

        def post(kind: str, title: str, team: Team = team) -> Post:
            made = Post(team=team, title=title, kind=kind, fte=Decimal("1.00"), established_on=established)
            posts.append(made)
            return made

        for manager in managers:
            planned.append(
                _plan(
                    rng,
                    post(PostKind.TEAM_MANAGER, "Team manager"),
                    manager,
                    today,
                    history_start,
                    sign_in_ids,
                    agency_allowed=False,
                )
            )
        for worker in workers:
            kind, title = (
                (PostKind.SENIOR_PRACTITIONER, "Senior practitioner")
                if worker is senior
                else (PostKind.QUALIFIED_SOCIAL_WORKER, "Social worker")
            )
            planned.append(
                _plan(rng, post(kind, title), worker, today, history_start, sign_in_ids, agency_allowed=True)
            )
        for _ in range(vacancies):
            vacant = post(PostKind.QUALIFIED_SOCIAL_WORKER, "Social worker")
            # Most vacancies opened when someone left in the last two years.
            if rng.random() < 0.7:
                planned.append(
                    (
                        vacant,
                        None,
                        Contract.PERMANENT,
                        Decimal("1.00"),
                        _day_between(rng, history_start, today - datetime.timedelta(days=30)),
                        _weighted(rng, LEAVING),
                    )
                )
        post(PostKind.SOCIAL_WORK_ASSISTANT, "Social work assistant")
        post(PostKind.BUSINESS_SUPPORT, "Business support officer")
    Post.objects.bulk_create(posts)
    counts.posts = len(posts)

    appointments: list[Appointment] = []
    for made, holder, contract, fte, started, predecessor_reason in planned:
        if holder is not None:
            appointments.append(
                Appointment(post=made, practitioner=holder, contract=contract, fte=fte, started_on=started)
            )
        if predecessor_reason is None:
            continue
        # The worker this one replaced: in post for a few years, leaving the day before.
        agency_before = rng.random() < AGENCY_SHARE and made.kind != PostKind.TEAM_MANAGER
        before = Practitioner(
            full_name=names.practitioner_name(),
            agency_id=made.team.agency_id,
            team=None,
            role=Role.SOCIAL_WORKER if made.kind != PostKind.TEAM_MANAGER else Role.TEAM_MANAGER,
            job_title=f"{made.title} (left)",
        )
        former.append(before)
        left_on = started - datetime.timedelta(days=1) if holder is not None else started
        appointments.append(
            Appointment(
                post=made,
                practitioner=before,
                contract=Contract.AGENCY if agency_before else Contract.PERMANENT,
                fte=Decimal("1.00"),
                started_on=max(established, left_on - datetime.timedelta(days=rng.randint(200, 2000))),
                ended_on=left_on,
                leaving_reason=LeavingReason.END_OF_AGENCY_CONTRACT if agency_before else predecessor_reason,
            )
        )
    Practitioner.objects.bulk_create(former)
    for appointment in appointments:
        appointment.practitioner_id = appointment.practitioner.pk  # set after the bulk insert
    Appointment.objects.bulk_create(appointments)
    counts.appointments = len(appointments)
    counts.former_staff = len(former)

    absences: list[Absence] = []
    records: list[StaffRecord] = []
    first_start: dict[int, datetime.date] = {}
    for appointment in appointments:
        pid = appointment.practitioner_id
        first_start[pid] = min(first_start.get(pid, appointment.started_on), appointment.started_on)
        window_start = max(history_start, appointment.started_on)
        window_end = min(today - datetime.timedelta(days=1), appointment.ended_on or today)
        if window_end <= window_start:
            continue
        # Most workers take a few short spells; about one in eight a longer one.
        spells = rng.choices([0, 1, 2, 3, 4], weights=[3, 4, 3, 2, 1])[0]
        taken: list[tuple[datetime.date, datetime.date]] = []
        for index in range(spells + (1 if rng.random() < 0.12 else 0)):
            long_term = index == spells
            first = _weekday_on_or_after(_day_between(rng, window_start, window_end))
            last = first + datetime.timedelta(
                days=rng.randint(14, 55) if long_term else rng.choice([0, 0, 1, 2, 4])
            )
            last = min(last, window_end)
            if last < first or any(not (last < a or first > b) for a, b in taken):
                continue
            taken.append((first, last))
            absences.append(
                Absence(
                    practitioner_id=pid,
                    kind=AbsenceKind.SICKNESS if rng.random() < 0.85 else AbsenceKind.OTHER,
                    first_day=first,
                    last_day=last,
                    working_days=absence_working_days(first, last),
                    recorded_by=recorder,
                    recorded_at=datetime.datetime.combine(last, datetime.time(17, 0), tzinfo=datetime.UTC),
                )
            )
    Absence.objects.bulk_create(absences, batch_size=2000)
    counts.absences = len(absences)

    for pid, joined in sorted(first_start.items()):
        qualification = _weighted(rng, QUALIFICATIONS)
        years = min(rng.choice([1, 2, 3, 4, 6, 8, 11, 14, 18, 24, 30]) + rng.random(), 40)
        qualified = today - datetime.timedelta(days=int(years * 365.25))
        records.append(
            StaffRecord(
                practitioner_id=pid,
                registration_number=f"SW{rng.randint(10000, 999999)}",
                qualification=qualification,
                qualified_on=qualified,
                joined_service_on=joined,
            )
        )
    StaffRecord.objects.bulk_create(records)
    counts.staff_records = len(records)
    return counts


def _plan(
    rng: random.Random,
    post: Post,
    worker: Practitioner,
    today: datetime.date,
    history_start: datetime.date,
    sign_in_ids: set[int],
    *,
    agency_allowed: bool,
) -> tuple[Post, Practitioner | None, str, Decimal, datetime.date, str | None]:
    """Who fills the post, on what contract, from when, and (if they joined in the last two
    years) why their predecessor left."""
    fixed = worker.pk in sign_in_ids
    agency = agency_allowed and not fixed and rng.random() < AGENCY_SHARE
    fte = Decimal("0.80") if not fixed and not agency and rng.random() < 0.1 else Decimal("1.00")
    if rng.random() < JOINED_RECENTLY_SHARE or agency:
        started = _weekday_on_or_after(_day_between(rng, history_start, today - datetime.timedelta(days=14)))
        reason: str | None = _weighted(rng, LEAVING)
    else:
        started = _weekday_on_or_after(_day_between(rng, post.established_on, history_start))
        reason = None
    return post, worker, Contract.AGENCY if agency else Contract.PERMANENT, fte, started, reason


def delete_workforce() -> None:
    """Delete the demo's absences, staff records, appointments and posts (a demo reset),
    before the staff and teams they point at."""
    Absence.objects.all().delete()
    StaffRecord.objects.all().delete()
    Appointment.objects.all().delete()
    Post.objects.all().delete()
