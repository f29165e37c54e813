"""Alerts that join the dots (issue 5, item 5): the allocated worker told at once, the
rules raising emerging concerns for children not open, and the receiving school told who
to call when a child on a plan moves."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import Referral
from jigsaw.partners.actions import EMAIL_SUBJECT
from jigsaw.partners.actions.alerts import concerns_submitted, events_arrived
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    AlertRule,
    Concern,
    ConcernChild,
    ConcernStatus,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    EmergingConcern,
    EmergingConcernStatus,
    EventKind,
    EventSubject,
    EventSubtype,
    InformationSharingAgreement,
    LegalBasis,
    Notification,
    PartnerEvent,
    Practitioner,
    RuleKind,
    SubjectRole,
)
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, make_user, persona
from tests.protection_factories import make_journey

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
UNDER_FIVE = datetime.date(2023, 6, 1)
ADDRESS_RULE = "Three or more domestic abuse incidents in 12 months at an address with a child under five"
COMBINATION_RULE = "Persistent absence from school and a police incident"
AGENCIES_RULE = "Concerns from two different agencies in one week"

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

_sources = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def police() -> Agency:
    return make_agency("Riverford Police", AgencyKind.POLICE)


def school(name: str = "Riverside Primary School") -> Agency:
    return make_agency(name, AgencyKind.SCHOOL)


def hospital() -> Agency:
    return make_agency("Riverford Royal Infirmary", AgencyKind.ACUTE_HEALTH)


def make_event(
    people: list[tuple[Person, str]],
    *,
    days_ago: float = 0,
    agency: Agency | None = None,
    kind: str = EventKind.POLICE_INCIDENT,
    subtype: str = EventSubtype.DOMESTIC_ABUSE,
    address: str = "14 Mill Lane, Riverford",
    postcode: str = "RF1 2AB",
    summary: str = "Officers attended a report of a domestic argument; children in the house.",
    receiving_agency: Agency | None = None,
) -> PartnerEvent:
    """An event as the ingest writes it: the event, then its matched subjects."""
    event = PartnerEvent.objects.create(
        agency=agency or police(),
        kind=kind,
        subtype=subtype,
        source_id=f"SRC-{next(_sources)}",
        occurred_at=NOW - datetime.timedelta(days=days_ago),
        summary=summary,
        address=address,
        postcode=postcode,
        receiving_agency=receiving_agency,
        received_at=NOW,
    )
    EventSubject.objects.bulk_create(
        [
            EventSubject(
                event=event,
                role=role,
                given_name=person.given_names,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                person=person,
                match_outcome="link",
            )
            for person, role in people
        ]
    )
    return event


def arrive(*events: PartnerEvent) -> None:
    events_arrived(event_ids=[e.pk for e in events])


def incident(child: Person, days_ago: float, **fields: Any) -> PartnerEvent:
    event = make_event([(child, SubjectRole.HOUSEHOLD_CHILD)], days_ago=days_ago, **fields)
    arrive(event)
    return event


def open_concerns(rule_name: str, person: Person) -> list[EmergingConcern]:
    return list(
        EmergingConcern.objects.filter(rule__name=rule_name, person=person, status=EmergingConcernStatus.OPEN)
    )


def submit_concern(
    child: Person, agency: Agency, *, days_ago: float = 0, reference: str = "CN-2026-0001"
) -> ConcernChild:
    concern = Concern.objects.create(
        reference=reference,
        raised_by=persona("school_dsl"),
        agency=agency,
        status=ConcernStatus.SUBMITTED,
        concern="Child says there is shouting at home every night",
        submitted_at=NOW - datetime.timedelta(days=days_ago),
    )
    return ConcernChild.objects.create(
        concern=concern,
        given_name=child.given_names,
        family_name=child.family_name,
        matched_person=child,
        match_outcome="link",
    )


# The address rule: three or more domestic abuse incidents in 12 months, child under five.


def test_the_address_rule_fires_at_its_threshold_and_not_below() -> None:
    child = make_person(date_of_birth=UNDER_FIVE)
    first, second = incident(child, 200), incident(child, 100)
    assert open_concerns(ADDRESS_RULE, child) == []

    third = incident(child, 1)

    [raised] = open_concerns(ADDRESS_RULE, child)
    assert set(raised.evidence.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    assert raised.summary.startswith(f"{ADDRESS_RULE}: 3 events at 14 Mill Lane in 365 days.")
    assert "Domestic abuse incident (Riverford Police, 22 Nov 2026)" in raised.summary
    assert raised.raised_at == NOW
    entry = AccessLogEntry.objects.filter(action="raise_emerging_concern").latest("pk")
    assert entry.user_id is None
    assert f"people.person:{child.pk}" in entry.detail["subjects"]
    assert entry.detail["rules"] == [ADDRESS_RULE]


def test_the_window_leaves_out_incidents_older_than_twelve_months() -> None:
    child = make_person(date_of_birth=UNDER_FIVE)
    incident(child, 400)
    incident(child, 100)
    incident(child, 1)

    assert open_concerns(ADDRESS_RULE, child) == []


def test_the_address_rule_counts_one_address_at_a_time() -> None:
    child = make_person(date_of_birth=UNDER_FIVE)
    incident(child, 50)
    incident(child, 20, address="3 Canal Street, Riverford", postcode="RF2 9ZZ")
    # The same address as the first, however the police system punctuated it.
    incident(child, 1, address="14, Mill Lane, Riverford", postcode="rf12ab")

    assert open_concerns(ADDRESS_RULE, child) == []
    incident(child, 0, address="14 MILL LANE RIVERFORD", postcode="RF1 2AB")
    [raised] = open_concerns(ADDRESS_RULE, child)
    assert raised.evidence.count() == 3


def test_the_address_rule_is_only_for_a_child_under_five() -> None:
    five = make_person(date_of_birth=datetime.date(2021, 11, 23))  # five today
    unborn = make_person(date_of_birth=datetime.date(2027, 2, 1), birth_date_precision="expected")
    adult = make_person(date_of_birth=datetime.date(1990, 1, 1))
    for days_ago in (30, 20, 10):
        arrive(
            make_event(
                [
                    (five, SubjectRole.HOUSEHOLD_CHILD),
                    (unborn, SubjectRole.HOUSEHOLD_CHILD),
                    (adult, SubjectRole.VICTIM),
                ],
                days_ago=days_ago,
            )
        )

    assert open_concerns(ADDRESS_RULE, five) == []
    assert len(open_concerns(ADDRESS_RULE, unborn)) == 1
    assert not EmergingConcern.objects.filter(person=adult).exists()


def test_more_evidence_joins_the_open_concern_instead_of_a_second_one() -> None:
    child = make_person(date_of_birth=UNDER_FIVE)
    for days_ago in (90, 60, 30):
        incident(child, days_ago)
    [raised] = open_concerns(ADDRESS_RULE, child)

    fourth = incident(child, 2)

    [still] = open_concerns(ADDRESS_RULE, child)
    assert still.pk == raised.pk
    assert still.evidence.count() == 4 and still.evidence.filter(pk=fourth.pk).exists()
    assert still.summary.startswith(f"{ADDRESS_RULE}: 4 events at 14 Mill Lane")
    # A new version, so an officer reading the old evidence is told before acting on it.
    assert still.version == raised.version + 1


def test_a_handled_concern_is_not_raised_again_without_new_evidence() -> None:
    child = make_person(date_of_birth=UNDER_FIVE)
    for days_ago in (90, 60, 30):
        incident(child, days_ago)
    EmergingConcern.objects.filter(person=child).update(status=EmergingConcernStatus.DISMISSED)

    # Something that is not a domestic abuse incident: the old pattern stays handled.
    arrive(
        make_event(
            [(child, SubjectRole.PATIENT)],
            agency=hospital(),
            kind=EventKind.HEALTH_ATTENDANCE,
            subtype=EventSubtype.A_AND_E,
        )
    )
    assert open_concerns(ADDRESS_RULE, child) == []

    # A fourth incident is new evidence: the front door sees the pattern again.
    incident(child, 1)
    [again] = open_concerns(ADDRESS_RULE, child)
    assert again.evidence.count() == 4


def test_an_inactive_rule_does_not_fire() -> None:
    AlertRule.objects.filter(name=ADDRESS_RULE).update(active=False)
    child = make_person(date_of_birth=UNDER_FIVE)
    for days_ago in (90, 60, 30):
        incident(child, days_ago)

    assert not EmergingConcern.objects.filter(person=child).exists()


# The combination rule: persistent absence plus a police incident.


def _absence(child: Person, days_ago: float) -> PartnerEvent:
    event = make_event(
        [(child, SubjectRole.PUPIL)],
        days_ago=days_ago,
        agency=school(),
        kind=EventKind.SCHOOL_ATTENDANCE,
        subtype=EventSubtype.PERSISTENT_ABSENCE,
        address="",
        postcode="",
        summary="Attendance 82% this term",
    )
    arrive(event)
    return event


def test_the_combination_rule_needs_both_kinds_of_event() -> None:
    child = make_person()  # ten years old
    absence = _absence(child, 40)
    _absence(child, 10)
    assert open_concerns(COMBINATION_RULE, child) == []

    police_event = make_event(
        [(child, SubjectRole.CHILD_PRESENT)], subtype=EventSubtype.OTHER_INCIDENT, days_ago=1
    )
    arrive(police_event)

    [raised] = open_concerns(COMBINATION_RULE, child)
    assert police_event in raised.evidence.all() and absence in raised.evidence.all()
    assert raised.summary.startswith(f"{COMBINATION_RULE}: 3 events in 90 days.")


def test_the_combination_rule_window_leaves_out_an_old_absence() -> None:
    child = make_person()
    _absence(child, 120)
    incident(child, 1)

    assert open_concerns(COMBINATION_RULE, child) == []


# The agencies rule: two concerns from different agencies in one week.


def test_two_agencies_in_a_week_fire_and_one_agency_does_not() -> None:
    child = make_person()
    incident(child, 5)
    incident(child, 3)
    assert open_concerns(AGENCIES_RULE, child) == []  # two events, one agency

    arrive(
        make_event(
            [(child, SubjectRole.PATIENT)],
            agency=hospital(),
            kind=EventKind.HEALTH_ATTENDANCE,
            subtype=EventSubtype.A_AND_E,
            days_ago=1,
        )
    )

    [raised] = open_concerns(AGENCIES_RULE, child)
    assert raised.evidence.count() == 3
    assert "2 agencies (Riverford Police, Riverford Royal Infirmary)" in raised.summary


def test_the_agencies_rule_window_is_one_week() -> None:
    child = make_person()
    incident(child, 9)
    arrive(
        make_event(
            [(child, SubjectRole.PATIENT)],
            agency=hospital(),
            kind=EventKind.HEALTH_ATTENDANCE,
            subtype=EventSubtype.A_AND_E,
            days_ago=1,
        )
    )

    assert open_concerns(AGENCIES_RULE, child) == []


def test_a_submitted_partner_concern_counts_as_an_agency() -> None:
    child = make_person()
    incident(child, 3)
    assert open_concerns(AGENCIES_RULE, child) == []

    concerns_submitted(concern_child_ids=[submit_concern(child, school(), days_ago=1).pk])

    [raised] = open_concerns(AGENCIES_RULE, child)
    assert "2 agencies (Riverford Police, Riverside Primary School)" in raised.summary
    assert "Concern CN-2026-0001 (Riverside Primary School" in raised.summary


def test_an_earlier_concern_counts_when_an_event_arrives() -> None:
    child = make_person()
    submit_concern(child, school(), days_ago=2)
    incident(child, 0)

    assert len(open_concerns(AGENCIES_RULE, child)) == 1


# A child open to social care: the allocated worker, at once.


def test_the_allocated_worker_is_alerted_with_an_email_that_does_not_name_the_child(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    worker = persona("social_worker")
    worker.email = "sam.worker@riverford.example"
    worker.save()
    child = make_person(given_names="Tiago", family_name="Quince", date_of_birth=UNDER_FIVE)
    make_referral(child, worker=worker)

    with django_capture_on_commit_callbacks(execute=True):
        event = make_event([(child, SubjectRole.CHILD_PRESENT)], days_ago=2)
        arrive(event)

    note = Notification.objects.get(recipient=worker)
    assert note.subject == "Police: domestic abuse incident at 14 Mill Lane on 21 November 2026"
    assert note.link == reverse("casework:chronology", kwargs={"person_id": child.pk})
    assert "The child is named in the event as: child present." in note.body
    assert note.emailed_at == NOW
    [email] = mail.outbox
    assert email.to == ["sam.worker@riverford.example"]
    assert email.subject == EMAIL_SUBJECT
    assert f"http://127.0.0.1:8000{note.link}" in email.body
    for told in (email.subject, email.body):
        assert "Tiago" not in told and "Quince" not in told and "Mill Lane" not in told
    # Open to social care: the worker knows; no emerging concern for the front door.
    assert not EmergingConcern.objects.filter(person=child).exists()


def test_a_child_living_at_the_address_is_alerted_as_such(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    worker = persona("social_worker")
    child = make_person()
    make_referral(child, worker=worker)

    with django_capture_on_commit_callbacks(execute=True):
        incident(child, 0)

    note = Notification.objects.get(recipient=worker)
    assert "The child lives at the address of this event." in note.body
    assert mail.outbox == []  # the persona has no e-mail address: the inbox only
    assert note.emailed_at is None


def test_a_closed_referral_alerts_nobody(django_capture_on_commit_callbacks: OnCommit) -> None:
    closed = make_person()
    make_referral(closed, worker=persona("social_worker"), closed_on=NOW.date(), closure_reason="RC1")

    with django_capture_on_commit_callbacks(execute=True):
        arrive(make_event([(closed, SubjectRole.CHILD)]))

    assert not Notification.objects.exists()


def test_an_episode_waiting_for_allocation_alerts_the_teams_manager(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    unallocated = make_person()
    make_referral(unallocated)  # in the team_manager persona's team, nobody allocated

    with django_capture_on_commit_callbacks(execute=True):
        arrive(make_event([(unallocated, SubjectRole.CHILD)]))

    told = Notification.objects.get()
    assert told.recipient == persona("team_manager")
    assert "waiting for allocation: you are told as the team's manager" in told.body


def test_a_concern_about_an_open_child_tells_the_allocated_worker(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    child = make_person()
    make_referral(child, worker=persona("social_worker"))

    concern_child = submit_concern(child, school())

    with django_capture_on_commit_callbacks(execute=True):
        concerns_submitted(concern_child_ids=[concern_child.pk])

    told = Notification.objects.get(recipient=persona("social_worker"))
    assert (
        told.subject == "New concern CN-2026-0001 from Riverside Primary School about a child you work with"
    )
    assert told.link == reverse("casework:chronology", kwargs={"person_id": child.pk})
    assert child.given_names not in told.subject + told.body


# A child on a plan changes school: the receiving school's DSL is told who to call.


def _dsl(agency: Agency, username: str, email: str = "") -> User:
    user = make_user(username, "Dana", "Lead")
    user.email = email
    user.save()
    Practitioner.objects.create(
        user=user, full_name="Dana Lead", agency=agency, role="partner_practitioner", safeguarding_lead=True
    )
    return user


def _move(child: Person, to: Agency) -> PartnerEvent:
    return make_event(
        [(child, SubjectRole.PUPIL)],
        agency=school(),
        kind=EventKind.SCHOOL_ATTENDANCE,
        subtype=EventSubtype.CHANGE_OF_SCHOOL,
        receiving_agency=to,
        address="",
        postcode="",
        summary="Moving to Hillside Academy from Monday",
    )


def test_a_child_on_a_plan_moving_school_the_dsl_is_told_who_to_call(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    child = make_person(given_names="Ada", family_name="Marsh")
    journey = make_journey(child)
    hillside = school("Hillside Academy")
    dsl = _dsl(hillside, "hillside_dsl", "dsl@hillside.example")
    agreement = InformationSharingAgreement.objects.create(
        title="Riverford safeguarding information sharing",
        reference="ISA-2025-01",
        purpose="Safeguarding children",
        legal_basis=LegalBasis.PUBLIC_TASK,
        starts_on=datetime.date(2025, 4, 1),
    )
    agreement.agencies.add(hillside)
    teacher = make_user("hillside_teacher")
    Practitioner.objects.create(user=teacher, full_name="T", agency=hillside, role="partner_practitioner")

    with django_capture_on_commit_callbacks(execute=True):
        event = _move(child, hillside)
        arrive(event)

    note = Notification.objects.get(recipient=dsl)
    assert note.subject == "A child joining your school has a child protection plan"
    assert note.body == (
        "Ada Marsh, born 2 November 2015, is joining Hillside Academy and has a child protection plan. "
        "Please call the allocated social worker, Social Worker Persona, Assessment Team 1, on 01632 960000, "
        "who will tell you what the school needs to know."
    )
    assert not Notification.objects.filter(recipient=teacher).exists()
    disclosure = Disclosure.objects.get(person=child)
    assert disclosure.kind == DisclosureKind.CHANGE_OF_SCHOOL
    assert disclosure.recipient == dsl and disclosure.recipient_agency == hillside
    assert disclosure.legal_basis == LegalBasis.LEGAL_OBLIGATION
    assert disclosure.consent == ConsentStatus.NOT_NEEDED
    assert disclosure.agreement == agreement
    assert (disclosure.source_type, disclosure.source_id) == ("partners.partnerevent", str(event.pk))
    assert AccessLogEntry.objects.filter(action="disclose_change_of_school").exists()
    [email] = [m for m in mail.outbox if m.to == ["dsl@hillside.example"]]
    assert "Ada" not in email.body and "Marsh" not in email.body and "plan" not in email.subject
    # The allocated worker hears of the move too, as of any event.
    assert Notification.objects.filter(recipient=journey.referral.allocated_worker).count() == 1


def test_a_child_not_on_a_plan_moving_school_is_not_disclosed(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    child = make_person()
    make_referral(child, worker=persona("social_worker"))  # open, but no plan
    hillside = school("Hillside Academy")
    dsl = _dsl(hillside, "hillside_dsl")

    with django_capture_on_commit_callbacks(execute=True):
        arrive(_move(child, hillside))

    assert not Notification.objects.filter(recipient=dsl).exists()
    assert not Disclosure.objects.exists()


def test_a_school_with_no_dsl_in_jigsaw_the_worker_is_asked_to_call(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    child = make_person()
    journey = make_journey(child)
    hillside = school("Hillside Academy")
    Agency.objects.filter(pk=hillside.pk).update(phone="01632 960111")

    with django_capture_on_commit_callbacks(execute=True):
        arrive(_move(child, hillside))

    assert Notification.objects.filter(
        recipient=journey.referral.allocated_worker,
        subject="Tell Hillside Academy about the child protection plan",
    ).exists()
    assert not Disclosure.objects.exists()


# The batch: a bounded number of queries however many events arrive.


def test_a_batch_of_500_events_takes_a_bounded_number_of_queries(
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    worker = persona("social_worker")
    agency, hill = police(), school("Hillside Academy")
    _dsl(hill, "hillside_dsl")
    people = [make_person(date_of_birth=UNDER_FIVE) for _ in range(100)]
    for child in people[:20]:
        make_referral(child, worker=worker)
    make_journey(people[20])
    ids: list[int] = []
    for n in range(500):
        child = people[n % 100]
        event = make_event([(child, SubjectRole.HOUSEHOLD_CHILD)], agency=agency, days_ago=n % 300)
        ids.append(event.pk)
    ids.append(_move(people[20], hill).pk)

    # Counted with the inbox and e-mail work done after commit.
    with django_assert_max_num_queries(36), django_capture_on_commit_callbacks(execute=True):
        events_arrived(event_ids=ids)

    # 79 children not open, 5 incidents each within the year: one concern each.
    assert EmergingConcern.objects.filter(rule__name=ADDRESS_RULE, status="open").count() == 79
    # 21 open children (one on a plan), 5 incidents each, and the move.
    assert Notification.objects.filter(recipient=worker).count() == 5 * 21 + 1
    assert Disclosure.objects.count() == 1


def test_no_events_or_no_linked_children_do_nothing(
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    unlinked = PartnerEvent.objects.create(
        agency=police(),
        kind="police_incident",
        subtype="domestic_abuse",
        source_id="X",
        occurred_at=NOW,
        summary="",
        received_at=NOW,
    )
    with django_assert_max_num_queries(3):
        events_arrived(event_ids=[])
        events_arrived(event_ids=[unlinked.pk])
    assert not EmergingConcern.objects.exists() and not Referral.objects.exists()


def test_a_change_of_school_is_not_a_concern_for_the_agencies_rule() -> None:
    child = make_person()
    incident(child, 2)
    arrive(_move(child, school("Hillside Academy")))

    assert open_concerns(AGENCIES_RULE, child) == []


def test_the_default_rules_are_data() -> None:
    rules = {r.name: r for r in AlertRule.objects.all()}
    assert rules[ADDRESS_RULE].kind == RuleKind.EVENTS_AT_ADDRESS
    assert (
        rules[ADDRESS_RULE].minimum,
        rules[ADDRESS_RULE].window_days,
        rules[ADDRESS_RULE].child_under_age,
    ) == (3, 365, 5)
    assert rules[COMBINATION_RULE].event_types == ["school_attendance:persistent_absence", "police_incident"]
    assert (rules[AGENCIES_RULE].kind, rules[AGENCIES_RULE].minimum, rules[AGENCIES_RULE].window_days) == (
        RuleKind.AGENCIES,
        2,
        7,
    )
