"""Conference attendance, escalations and early help, on hand-built data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jigsaw.casework.models import ConferenceInvitation
from jigsaw.escalation.models import Escalation, EscalationPolicy
from jigsaw.partners.models import AgencyKind
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.tests.indicator_helpers import assert_series_agrees, at, month, records_of
from tests.casework_factories import make_referral
from tests.episode_factories import make_early_help
from tests.factories import make_agency, make_person, persona
from tests.protection_factories import make_conference, make_practitioner

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = month(2025, 3)


def test_conference_attendance_by_partner_agency() -> None:
    conference = make_conference([make_referral(referred_on=D(2025, 2, 3))], date=D(2025, 3, 10), held=True)
    ConferenceInvitation.objects.filter(conference=conference, agency__isnull=False).update(
        attendance="video"
    )
    gp = make_practitioner("Dr Ada Patel", agency="Canal Street Surgery", kind=AgencyKind.GP_PRACTICE)
    ConferenceInvitation.objects.create(
        conference=conference, practitioner=gp, name=gp.full_name, agency=gp.agency, attendance="apologies"
    )
    csc = make_agency()
    ConferenceInvitation.objects.create(
        conference=conference, name="Social worker", agency=csc, attendance="in_person"
    )
    unheld = make_conference([make_referral(referred_on=D(2025, 2, 3))], date=D(2025, 3, 28))

    figure = CATALOGUE["conference_attendance"].compute(MARCH)
    gps = CATALOGUE["conference_attendance"].compute(month(2025, 3, agency_id=gp.agency_id))

    # The police officer attended, the GP sent apologies; the family, social care and the
    # conference not yet held are not counted.
    assert (figure.numerator, figure.denominator) == (Decimal(1), Decimal(2))
    assert figure.breakdown == (
        ("Canal Street Surgery", Decimal(0), Decimal(1)),
        ("Riverford Police", Decimal(1), Decimal(1)),
    )
    assert (gps.numerator, gps.denominator, gps.value) == (Decimal(0), Decimal(1), Decimal("0.0"))
    assert unheld.pk not in records_of("conference_attendance", MARCH).values_list("pk", flat=True)

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "conference_attendance", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def _escalation(
    raised: datetime.date, closed: datetime.date | None, raising: str, outcome: str = ""
) -> Escalation:
    policy = EscalationPolicy.objects.get(in_force=True)
    stage = policy.stages.order_by("order").first()
    assert stage is not None
    school = make_agency(raising, AgencyKind.SCHOOL)
    return Escalation.objects.create(
        person=make_person(),
        kind="nfa",
        concern="The referral was closed with no further action",
        outcome_sought="An assessment",
        raised_by=persona("school_dsl"),
        raising_agency=school,
        raised_at=at(raised),
        responding_agency=make_agency(),
        policy=policy,
        stage=stage,
        stage_started_at=at(raised),
        stage_due_on=raised,
        status="closed" if closed else "awaiting_response",
        outcome=outcome,
        closed_at=at(closed) if closed else None,
    )


def test_escalations_raised_by_agency_and_working_days_to_resolution() -> None:
    _escalation(D(2025, 3, 3), D(2025, 3, 10), "Riverside Primary School", "resolved")  # 5 working days
    # Raised on Maundy Thursday, closed the Tuesday after Easter: 1 working day (Good Friday
    # and Easter Monday are bank holidays).
    _escalation(D(2025, 4, 17), D(2025, 4, 22), "Hillside Academy", "upheld")
    _escalation(D(2025, 3, 20), None, "Hillside Academy")

    raised = CATALOGUE["escalations_raised"].compute(MARCH)
    resolved = CATALOGUE["escalation_resolution_days"].compute(month(2025, 3))
    april = CATALOGUE["escalation_resolution_days"].compute(month(2025, 4))

    assert raised.breakdown == (
        ("Hillside Academy", Decimal(1), None),
        ("Riverside Primary School", Decimal(1), None),
    )
    assert (resolved.numerator, resolved.denominator, resolved.value) == (
        Decimal(5),
        Decimal(1),
        Decimal("5.00"),
    )
    assert (april.numerator, april.denominator) == (Decimal(1), Decimal(1))

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "escalation_resolution_days", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_early_help_episodes_and_lead_professionals_by_agency() -> None:
    teacher = make_practitioner("Ms Jo Reed", agency="Riverside Primary School", kind=AgencyKind.SCHOOL)
    make_early_help(make_person(), started_on=D(2025, 3, 3), lead_professional=teacher)
    make_early_help(make_person(), started_on=D(2025, 3, 4))
    make_early_help(
        make_person(), started_on=D(2025, 2, 4), lead_professional=teacher, ended_on=D(2025, 3, 1)
    )

    started = CATALOGUE["early_help_episodes"].compute(MARCH)
    leads = CATALOGUE["early_help_lead_professionals"].compute(MARCH)
    school = CATALOGUE["early_help_episodes"].compute(month(2025, 3, agency_id=teacher.agency_id))

    assert started.breakdown == (
        ("Riverside Primary School", Decimal(1), None),
        ("No lead professional yet", Decimal(1), None),
    )
    assert (leads.numerator, leads.denominator, leads.value) == (Decimal(1), Decimal(2), Decimal("50.0"))
    assert school.numerator == Decimal(1)

    # The dashboard's trend (the grouped monthly form) agrees with compute() month by month.
    assert_series_agrees(
        "early_help_lead_professionals", D(2025, 6, 15), team_id=persona("team_manager").practitioner.team_id
    )


def test_training_takeup_is_the_training_pages_take_up_of_the_mandatory_courses() -> None:
    from jigsaw.performance.indicators.base import Scope
    from jigsaw.quality.tests.test_training_queries import _attended, _councillor, _course

    course = _course(title="Multi-agency safeguarding, level 3")
    in_date, expired, never = (_councillor(n) for n in ("A In", "C Old", "D Never"))
    _attended(in_date, course, D(2025, 6, 1))  # refresher due 2028
    _attended(expired, course, D(2021, 1, 10))  # expired January 2024
    assert never.pk

    figure = CATALOGUE["training_takeup"].compute(Scope(D(2025, 7, 1), D(2025, 7, 31)))

    assert (figure.numerator, figure.denominator) == (Decimal(1), Decimal(3))
    assert figure.breakdown == (("Multi-agency safeguarding, level 3", Decimal(1), Decimal(3)),)
