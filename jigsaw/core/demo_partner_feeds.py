"""Partner feeds in the demo: the police force's, the hospital's and a school's systems send
their events through the same action the API calls, so the demo shows what feeds set off:

- three domestic abuse incidents in a year at the home of a family with a baby, not open to
  social care: the children at the address are found, and the rule "three or more domestic
  abuse incidents in 12 months at an address with a child under five" raises an emerging
  concern for the front door (`front_door_officer`);
- an A&E attendance of a child the social worker (`social_worker`) holds: they are alerted
  in the inbox, and it is in the child's chronology;
- a child on a child protection plan moving school (to Riverside Primary School when the
  child is of primary age): the receiving school's designated safeguarding lead
  (`partner_practitioner` at Riverside) is told who to call.

Everything is synthetic; the same seed over the same demo on the same day gives the same
events.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.db import transaction
from django.utils import timezone

from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.core.demo_casework import SECONDARY_SCHOOLS
from jigsaw.partners.actions.feeds import issue_api_token_from_command_line, receive_api_events
from jigsaw.partners.ingest import EventRow, PersonRow, check_event
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ApiClient,
    EmergingConcern,
    EventImport,
    EventKind,
    EventSubtype,
    PartnerEvent,
    SubjectRole,
)
from jigsaw.people.models import Person, Residence

RECEIVING_SCHOOL = "Riverside Primary School"

INCIDENT_SUMMARIES = [
    "Neighbour called police to shouting and a door being broken. Both adults spoken to; "
    "the baby was asleep upstairs.",
    "Mother called police: her partner would not leave and threw a mug. He left before officers arrived.",
    "Third call in the year. Mother had a cut lip and said she fell. Partner arrested for breach of the peace.",
]


@dataclasses.dataclass
class FeedActivity:
    deliveries: int = 0
    events: int = 0
    emerging_concerns: int = 0

    def summary(self) -> str:
        return (
            f"Partner feeds: {self.events} events in {self.deliveries} deliveries from the police, the "
            f"hospital and a school; {self.emerging_concerns} emerging concern for the front door."
        )


def _client(agency_kind: str, kind: str, name: str) -> ApiClient | None:
    """The agency's system (one per kind of event), issued a token as an administrator would."""
    agency = Agency.objects.filter(kind=agency_kind).exclude(name=RECEIVING_SCHOOL).order_by("pk").first()
    if agency is None:
        return None
    existing = ApiClient.objects.filter(agency=agency, name=name, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    client, _token = issue_api_token_from_command_line(agency=agency, name=name, scopes=[f"events:{kind}"])
    return client


def _send(client: ApiClient, kind: str, rows: list[EventRow], activity: FeedActivity) -> None:
    now = timezone.now()
    good = [row for row in rows if not check_event(row, now=now)]
    if not good:
        return
    delivery = receive_api_events(client=client, kind=kind, received=len(good), rows=good, problems=[])
    if delivery.record.accepted:
        activity.deliveries += 1
        activity.events += delivery.record.new_events


def _person_row(person: Person, role: str, *, nhs: bool = True) -> PersonRow:
    return PersonRow(
        role=role,
        given_name=person.given_names.split(" ")[0],
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex if person.sex in ("M", "F") else "",
        nhs_number=person.nhs_number if nhs else "",
    )


def _baby_at_home(rng: random.Random, today: datetime.date) -> tuple[Person, Residence, Person] | None:
    """A child under five never referred to social care, living with an adult woman."""
    babies = list(
        Person.objects.filter(
            date_of_birth__gt=today - datetime.timedelta(days=4 * 365),
            date_of_birth__lte=today - datetime.timedelta(days=90),
            merged_into__isnull=True,
        )
        .exclude(referrals__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    rng.shuffle(babies)
    for baby_id in babies:
        home = (
            Residence.objects.filter(person_id=baby_id, moved_out__isnull=True)
            .select_related("address")
            .first()
        )
        if home is None:
            continue
        mother = (
            Person.objects.filter(
                residences__address=home.address,
                residences__moved_out__isnull=True,
                sex="F",
                date_of_birth__lte=today - datetime.timedelta(days=18 * 365),
            )
            .order_by("date_of_birth")
            .first()
        )
        if mother is not None:
            return Person.objects.get(pk=baby_id), home, mother
    return None


def write_partner_feeds(*, seed: int) -> FeedActivity:
    """The feeds' events up to today, sent as the agencies' systems send them."""
    activity = FeedActivity()
    rng = random.Random(f"partner-feeds-{seed}")  # noqa: S311  # synthetic demo data  # nosec B311
    now = timezone.now()
    today = timezone.localdate(now)
    police = _client(AgencyKind.POLICE, EventKind.POLICE_INCIDENT, "Police records system")
    hospital = _client(AgencyKind.ACUTE_HEALTH, EventKind.HEALTH_ATTENDANCE, "Emergency department system")
    school = _client(AgencyKind.SCHOOL, EventKind.SCHOOL_ATTENDANCE, "School information system")
    with transaction.atomic():
        found = _baby_at_home(rng, today) if police is not None else None
        if police is not None and found is not None:
            _baby, home, mother = found
            days_ago = [*sorted(rng.sample(range(12, 330), 2), reverse=True), rng.randint(2, 6)]
            rows = [
                EventRow(
                    kind=EventKind.POLICE_INCIDENT,
                    subtype=EventSubtype.DOMESTIC_ABUSE,
                    source_id=f"RDP-DA-{seed}-{n + 1:03d}",
                    occurred_at=now - datetime.timedelta(days=days, hours=rng.randint(1, 10)),
                    persons=(
                        _person_row(mother, SubjectRole.VICTIM, nhs=False),
                        PersonRow(
                            role=SubjectRole.PERPETRATOR, given_name="Dean", family_name="Carver", sex="M"
                        ),
                    ),
                    payload={"system": "demo police records", "occurrence": f"RDP-DA-{seed}-{n + 1:03d}"},
                    address_line_1=home.address.line_1,
                    town=home.address.town,
                    postcode=home.address.postcode,
                    summary=INCIDENT_SUMMARIES[n],
                )
                for n, days in enumerate(days_ago)
            ]
            # Sent as the force sends them: each incident in the night's delivery.
            for row in rows:
                _send(police, EventKind.POLICE_INCIDENT, [row], activity)
        held = (
            Referral.objects.filter(closed_on__isnull=True, allocated_worker__username="social_worker")
            .exclude(person__date_of_birth__isnull=True)
            .exclude(person__nhs_number="")
            .select_related("person")
            .order_by("-pk")
            .first()
        )
        if hospital is not None and held is not None:
            _send(
                hospital,
                EventKind.HEALTH_ATTENDANCE,
                [
                    EventRow(
                        kind=EventKind.HEALTH_ATTENDANCE,
                        subtype=EventSubtype.A_AND_E,
                        source_id=f"RRI-ED-{seed}-0001",
                        occurred_at=now - datetime.timedelta(hours=rng.randint(3, 20)),
                        persons=(_person_row(held.person, SubjectRole.PATIENT),),
                        payload={"system": "demo emergency department", "attendance": f"RRI-ED-{seed}-0001"},
                        summary="Attended with a burn to the forearm; brought by a grandparent.",
                    )
                ],
                activity,
            )
        on_plan = (
            ChildProtectionPlan.objects.filter(ended_on__isnull=True, person__date_of_birth__isnull=False)
            # School age.
            .filter(person__date_of_birth__lte=today - datetime.timedelta(days=4 * 365))
            .filter(person__date_of_birth__gt=today - datetime.timedelta(days=16 * 365))
            .select_related("person")
            .order_by("-person__date_of_birth", "pk")  # the youngest: a primary school's pupil if any
            .first()
        )
        if school is not None and on_plan is not None:
            born = on_plan.person.date_of_birth
            assert born is not None
            primary = (today - born).days < 11 * 365
            receiving = RECEIVING_SCHOOL if primary else SECONDARY_SCHOOLS[0]
            _send(
                school,
                EventKind.SCHOOL_ATTENDANCE,
                [
                    EventRow(
                        kind=EventKind.SCHOOL_ATTENDANCE,
                        subtype=EventSubtype.CHANGE_OF_SCHOOL,
                        source_id=f"SIS-COS-{seed}-0001",
                        occurred_at=now - datetime.timedelta(days=1),
                        persons=(_person_row(on_plan.person, SubjectRole.PUPIL),),
                        payload={"system": "demo school information system"},
                        summary="Family moved across the city; starts on Monday.",
                        receiving_school=receiving,
                    )
                ],
                activity,
            )
    activity.emerging_concerns = EmergingConcern.objects.count()
    return activity


def delete_partner_feeds() -> None:
    """Before a demo reset: the feeds' events and what they raised (they protect people)."""
    EmergingConcern.objects.all().delete()
    PartnerEvent.objects.all().delete()
    EventImport.objects.all().delete()
    ApiClient.objects.all().delete()
