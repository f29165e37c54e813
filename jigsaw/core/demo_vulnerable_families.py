"""Vulnerable families meetings in the demo authority.

`write_vulnerable_families` runs after the casework and the partner network (it needs the
health visiting service, the GP practices, their practitioners and the children they are
named for). Each health visiting team meets one or two GP practices (the practice whose GP
signs in first) every six weeks over the last year. At each meeting the families of young
children registered with the practice are listed (some carried forward from the meeting
before), discussed, and given actions; most end with "keep on the list", no further
action or early help, and some with a referral to children's social care: those are the
demo's real contacts from the health visitors and the practice, each discussed at the
meeting before the front door received it and linked to it. One pair's next meeting is
arranged; the other's is overdue. The signed-in health visitor and GP have a few actions
overdue.

Everything is written through the vulnerable families actions, as the signed-in health
visitor (or GP), with past meeting dates. Synthetic; the same seed on the same day gives
the same meetings.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.models import RestrictedRecord
from jigsaw.access.roles import Role
from jigsaw.casework.models import ChronologyEntry, Contact
from jigsaw.partners.models import Agency, AgencyKind, NamedProfessional, Practitioner
from jigsaw.people.models import HouseholdMember, Person
from jigsaw.vulnerable_families import actions
from jigsaw.vulnerable_families.models import (
    FamilyAction,
    FamilyChild,
    FamilyDiscussion,
    Meeting,
    Outcome,
    StandingMeeting,
)
from jigsaw.vulnerable_families.queries import CONTACT_WINDOW_BEFORE, practitioners_of

CADENCE_WEEKS = 6
MEETINGS_A_YEAR = 9  # every six weeks over about twelve months
GPS_PER_TEAM = 2
NEW_FAMILIES = (2, 4)  # new families listed at each meeting, at least and at most
MOST_CHILDREN = 3
UNDER_FIVE_DAYS = 5 * 365
RECENT_DAYS = 75
REASONS = [
    "Missed immunisations and two 'was not brought' appointments",
    "Mother's low mood after the birth; little support at home",
    "New partner in the home; the family moved twice this year",
    "Baby's weight faltering; parents struggling with feeding",
    "Domestic abuse notification from the police",
    "Parent's alcohol use raised at a GP appointment",
    "Home conditions poor at the last visit; damp and overcrowded",
    "Older sibling excluded from school; parents asking for help",
]
DISCUSSIONS = {
    Outcome.KEEP_ON_LIST: "Both agencies have seen some progress but want another look at the next meeting.",
    Outcome.NO_FURTHER_ACTION: "Concerns have eased: appointments kept and the health visitor is reassured.",
    Outcome.EARLY_HELP: "Parents agreed to an early help assessment; the family hub will lead.",
    Outcome.REFERRAL: "Concerns have grown despite support; the meeting agreed a referral to the front door.",
}
ACTIONS = [
    "Offer a home visit within two weeks",
    "Book a developmental review at the practice",
    "Check the immunisation record and send a recall",
    "Ask the family's consent to share with the family hub",
    "Speak to the mother alone about how she is feeling",
    "Follow up the 'was not brought' appointment with the hospital",
]


@dataclasses.dataclass
class VulnerableFamiliesCounts:
    standing_meetings: int = 0
    meetings: int = 0
    families: int = 0
    carried_forward: int = 0
    children: int = 0
    referrals: int = 0
    referrals_linked: int = 0
    actions: int = 0
    actions_overdue: int = 0

    def summary(self) -> str:
        return (
            f"Vulnerable families meetings: {self.standing_meetings} health visiting team and GP "
            f"practice pairs, {self.meetings} meetings, {self.families} families listed "
            f"({self.carried_forward} carried forward; {self.children} children), {self.referrals} "
            f"referrals followed ({self.referrals_linked} linked to the front door's contact), "
            f"{self.actions} actions ({self.actions_overdue} overdue)."
        )


def _signed_in(agency: Agency) -> Practitioner | None:
    return (
        Practitioner.objects.filter(agency=agency, user__isnull=False, user__is_active=True)
        .order_by("pk")
        .first()
    )


def _pairs() -> list[tuple[Agency, list[Agency]]]:
    """Each health visiting team with one or two GP practices: a practice whose GP signs in
    first, then by name."""
    teams = list(Agency.objects.filter(kind=AgencyKind.HEALTH_VISITING).order_by("name"))
    practices = sorted(
        Agency.objects.filter(kind=AgencyKind.GP_PRACTICE),
        key=lambda a: (_signed_in(a) is None, a.name),
    )
    pairs: list[tuple[Agency, list[Agency]]] = []
    for index, team in enumerate(teams):
        chosen = practices[index * GPS_PER_TEAM : (index + 1) * GPS_PER_TEAM]
        if chosen:
            pairs.append((team, chosen))
    return pairs


def _lead(agency: Agency) -> Practitioner | None:
    return _signed_in(agency) or Practitioner.objects.filter(agency=agency).order_by("pk").first()


def write_vulnerable_families(*, seed: int, today: datetime.date) -> VulnerableFamiliesCounts:
    counts = VulnerableFamiliesCounts()
    rng = random.Random(seed + 71)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    with transaction.atomic():
        for team, practices in _pairs():
            visitor = _signed_in(team)
            team_lead = _lead(team)
            if visitor is None or visitor.user is None or team_lead is None:
                continue
            for index, practice in enumerate(practices):
                gp_lead = _lead(practice)
                if gp_lead is None:
                    continue
                standing = actions.save_standing_meeting(
                    actor=visitor.user,
                    details=actions.StandingDetails(
                        health_visiting_id=team.pk,
                        gp_practice_id=practice.pk,
                        health_visiting_lead_id=team_lead.pk,
                        gp_lead_id=gp_lead.pk,
                        cadence_weeks=CADENCE_WEEKS,
                        venue=f"{practice.name}, meeting room",
                    ),
                )
                counts.standing_meetings += 1
                # The first pair's next meeting is arranged; the next pair's is overdue.
                arranged = index % 2 == 0
                _write_year(counts, rng, today, standing, visitor.user, arranged=arranged)
    return counts


def _meeting_days(today: datetime.date, *, arranged: bool) -> list[datetime.date]:
    cadence = datetime.timedelta(weeks=CADENCE_WEEKS)
    if arranged:
        # The last held two weeks ago; the next arranged in four weeks, when it is due.
        last = today - datetime.timedelta(weeks=2)
        days = [last - cadence * n for n in range(MEETINGS_A_YEAR - 1, -1, -1)]
        return [*days, last + cadence]
    # The last held ten weeks ago: the next fell due four weeks ago and is not arranged.
    last = today - datetime.timedelta(weeks=10)
    return [last - cadence * n for n in range(MEETINGS_A_YEAR - 2, -1, -1)]


def _children_of(practice: Agency, day: datetime.date, hidden: set[int]) -> list[Person]:
    """Children under five on the day, registered with the practice (its GP is named for
    them), with an NHS number, not restricted."""
    named = NamedProfessional.objects.filter(practitioner__agency=practice).values("person_id")
    return list(
        Person.objects.filter(
            pk__in=named,
            merged_into__isnull=True,
            date_of_birth__lte=day,
            date_of_birth__gt=day - datetime.timedelta(days=UNDER_FIVE_DAYS),
        )
        .exclude(nhs_number="")
        .exclude(pk__in=hidden)
        .order_by("pk")
    )


def _family_of(child: Person, day: datetime.date, hidden: set[int]) -> list[Person]:
    """The child and up to two brothers or sisters in the same household, with NHS numbers."""
    households = HouseholdMember.objects.filter(person=child).values("household_id")
    siblings = (
        Person.objects.filter(household_memberships__household_id__in=households, merged_into__isnull=True)
        .exclude(pk=child.pk)
        .exclude(nhs_number="")
        .exclude(pk__in=hidden)
        .filter(date_of_birth__lte=day, date_of_birth__gt=day - datetime.timedelta(days=16 * 365))
        .distinct()
        .order_by("date_of_birth", "pk")
    )
    return [child, *list(siblings[: MOST_CHILDREN - 1])]


def _referrals_to_link(
    standing: StandingMeeting, days: list[datetime.date], today: datetime.date
) -> dict[int, Contact]:
    """The demo's contacts from either agency about a child under five, each placed at the
    last meeting held within two weeks before the front door received it: meeting index ->
    contact."""
    found: dict[int, Contact] = {}
    contacts = Contact.objects.filter(
        referrer_agency_id__in=[standing.health_visiting_id, standing.gp_practice_id],
        person__nhs_number__gt="",
        person__merged_into__isnull=True,
    ).order_by("received_at", "pk")
    for contact in contacts:
        received = timezone.localtime(contact.received_at).date()
        if received > today:
            continue
        before = [i for i, d in enumerate(days) if d <= received and received - d <= CONTACT_WINDOW_BEFORE]
        born = contact.person.date_of_birth
        if not before or born is None or (days[before[-1]] - born).days > UNDER_FIVE_DAYS:
            continue
        found.setdefault(before[-1], contact)
    return found


def _write_year(
    counts: VulnerableFamiliesCounts,
    rng: random.Random,
    today: datetime.date,
    standing: StandingMeeting,
    actor: User,
    *,
    arranged: bool,
) -> None:
    hidden = set(RestrictedRecord.objects.values_list("person_id", flat=True))
    days = _meeting_days(today, arranged=arranged)
    linked = _referrals_to_link(standing, days, today)
    people = list(practitioners_of(standing))
    health = [p for p in people if p.agency_id == standing.health_visiting_id]
    doctors = [p for p in people if p.agency_id == standing.gp_practice_id]
    signed_in = [p for p in people if p.user_id is not None and p.role == Role.PARTNER_PRACTITIONER]
    times_listed: dict[frozenset[int], int] = {}
    for number, day in enumerate(days):
        meeting = actions.schedule_meeting(actor=actor, standing_id=standing.pk, held_on=day)
        counts.meetings += 1
        counts.carried_forward += meeting.families.count()
        if day > today:
            counts.families += meeting.families.count()
            continue  # arranged, not yet held: its list is the families carried forward
        came = [standing.health_visiting_lead, standing.gp_lead]
        came += rng.sample(health, k=min(len(health), rng.randint(1, 2)))
        came += rng.sample(doctors, k=min(len(doctors), rng.randint(0, 1)))
        meeting.refresh_from_db()
        actions.record_attendance(
            actor=actor,
            meeting_id=meeting.pk,
            expected_version=meeting.version,
            attendee_ids=sorted({p.pk for p in came}),
        )
        _add_new_families(rng, standing, meeting, actor, day, hidden, linked.get(number))
        for family in FamilyDiscussion.objects.filter(meeting=meeting).order_by("pk"):
            counts.families += 1
            children = list(family.children.all())
            counts.children += len(children)
            key = frozenset(c.pk for c in children)
            times_listed[key] = times_listed.get(key, 0) + 1
            contact = linked.get(number)
            referred = contact is not None and contact.person_id in key
            outcome = Outcome.REFERRAL if referred else _outcome(rng, times_listed[key])
            referral_on = (
                timezone.localtime(contact.received_at).date() if referred and contact is not None else None
            )
            if outcome == Outcome.REFERRAL and referral_on is None:
                referral_on = min(day + datetime.timedelta(days=rng.randint(0, 3)), today)
            actions.record_discussion(
                actor=actor,
                discussion_id=family.pk,
                expected_version=family.version,
                concern=f"{family.reason or 'Carried forward'}. {DISCUSSIONS[outcome]}",
                outcome=outcome,
                referral_made_on=referral_on,
                contact_id=contact.pk if referred and contact is not None else None,
            )
            if outcome == Outcome.REFERRAL:
                counts.referrals += 1
                counts.referrals_linked += 1 if referred else 0
            if outcome != Outcome.NO_FURTHER_ACTION:
                _add_actions(counts, rng, today, family.pk, day, health, doctors, signed_in)


def _outcome(rng: random.Random, times_listed: int) -> Outcome:
    """Most families stay a meeting or two; none for ever."""
    roll = rng.random()
    if times_listed < 3 and roll < 0.45:
        return Outcome.KEEP_ON_LIST
    if roll < 0.7:
        return Outcome.NO_FURTHER_ACTION
    if roll < 0.93:
        return Outcome.EARLY_HELP
    return Outcome.REFERRAL


def _add_new_families(
    rng: random.Random,
    standing: StandingMeeting,
    meeting: Meeting,
    actor: User,
    day: datetime.date,
    hidden: set[int],
    contact: Contact | None,
) -> None:
    listed = set(FamilyChild.objects.filter(discussion__meeting=meeting).values_list("person_id", flat=True))
    pool = [c for c in _children_of(standing.gp_practice, day, hidden) if c.pk not in listed]
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(*NEW_FAMILIES)))
    if contact is not None and contact.person_id not in listed:
        chosen = [contact.person, *[c for c in chosen if c.pk != contact.person_id]]
    for child in chosen:
        family = [c for c in _family_of(child, day, hidden) if c.pk not in listed]
        if not family:
            continue
        meeting.refresh_from_db()
        try:
            actions.add_family(
                actor=actor,
                meeting_id=meeting.pk,
                expected_version=meeting.version,
                nhs_numbers=[c.nhs_number for c in family],
                reason=rng.choice(REASONS),
            )
        except ValidationError:
            continue  # an NHS number two records share (a planted duplicate): not confirmed
        listed.update(c.pk for c in family)


def _add_actions(
    counts: VulnerableFamiliesCounts,
    rng: random.Random,
    today: datetime.date,
    family_id: int,
    day: datetime.date,
    health: list[Practitioner],
    doctors: list[Practitioner],
    signed_in: list[Practitioner],
) -> None:
    # At the meetings of the last two months, each family's first action is a signed-in
    # practitioner's, due a week on and not done yet: their work list has overdue actions.
    recent = (today - day).days <= RECENT_DAYS
    for number in range(rng.randint(1, 2)):
        first_recent = recent and number == 0 and bool(signed_in)
        owner = rng.choice(
            signed_in if first_recent or (signed_in and rng.random() < 0.4) else (health + doctors)
        )
        due = day + datetime.timedelta(days=7 if first_recent else rng.choice([7, 14, 21, 28]))
        action = actions.add_family_action(
            actor=_actor_for(owner, signed_in),
            discussion_id=family_id,
            description=rng.choice(ACTIONS),
            owner_id=owner.pk,
            due_on=due,
        )
        counts.actions += 1
        if due >= today or first_recent:
            counts.actions_overdue += 1 if due < today else 0
            continue
        done_on = min(due - datetime.timedelta(days=rng.randint(0, 5)), today)
        actions.set_action_done(
            actor=_actor_for(owner, signed_in),
            action_id=action.pk,
            expected_version=action.version,
            done=True,
            today=max(done_on, day),
        )


def _actor_for(owner: Practitioner, signed_in: list[Practitioner]) -> User:
    """The owner records their own action when they sign in; else the first who does."""
    if owner.user is not None:
        return owner.user
    first = signed_in[0].user
    assert first is not None
    return first


def delete_vulnerable_families() -> None:
    """Delete the meetings (a demo reset: they protect the people, contacts, practitioners
    and agencies), and the chronology entries their discussions wrote."""
    ChronologyEntry.objects.filter(source_type="vulnerable_families.familydiscussion").delete()
    FamilyAction.objects.all().delete()
    FamilyChild.objects.all().delete()
    FamilyDiscussion.objects.all().delete()
    Meeting.objects.all().delete()
    StandingMeeting.objects.all().delete()
