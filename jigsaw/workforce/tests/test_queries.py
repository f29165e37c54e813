"""The census's four rates, and the team figures, on a hand-built establishment whose
answers are worked out by hand in the comments."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.workforce import queries
from jigsaw.workforce.models import (
    Absence,
    AbsenceKind,
    Appointment,
    Contract,
    LeavingReason,
    Post,
    PostKind,
    StaffRecord,
    Team,
)
from tests.factories import make_agency, make_team, persona

pytestmark = pytest.mark.django_db

D = Decimal
ON = datetime.date(2025, 3, 31)
YEAR = (datetime.date(2024, 4, 1), ON)
QUARTER = (datetime.date(2025, 1, 1), ON)  # 90 days; 1 January is a bank holiday


def _post(team: Team, kind: str, fte: str = "1.00", disestablished: datetime.date | None = None) -> Post:
    return Post.objects.create(
        team=team,
        title=kind,
        kind=kind,
        fte=D(fte),
        established_on=datetime.date(2019, 1, 1),
        disestablished_on=disestablished,
    )


def _worker(agency: Agency, name: str) -> Practitioner:
    return Practitioner.objects.create(full_name=name, agency=agency, role=Role.SOCIAL_WORKER)


def _appoint(
    post: Post,
    worker: Practitioner,
    contract: str,
    fte: str,
    started: datetime.date,
    ended: datetime.date | None = None,
    reason: str = "",
) -> Appointment:
    return Appointment.objects.create(
        post=post,
        practitioner=worker,
        contract=contract,
        fte=D(fte),
        started_on=started,
        ended_on=ended,
        leaving_reason=reason,
    )


def _sick(
    worker: Practitioner, first: datetime.date, last: datetime.date, kind: str = AbsenceKind.SICKNESS
) -> None:
    Absence.objects.create(
        practitioner=worker,
        kind=kind,
        first_day=first,
        last_day=last,
        working_days=queries.absence_working_days(first, last),
        recorded_by=persona("team_manager"),
        recorded_at=timezone.now(),
    )


@pytest.fixture
def establishment() -> dict[str, Team]:
    """Team A: two social workers' posts, a senior practitioner's, a team manager's (all
    1.0), business support (not counted), and a post that ended on 1 January 2025.
    Team B: a social worker's post (1.0) and a half-time one."""
    agency = make_agency()
    a, b = make_team(agency, "Team A"), make_team(agency, "Team B")
    p1, p2 = _post(a, PostKind.QUALIFIED_SOCIAL_WORKER), _post(a, PostKind.QUALIFIED_SOCIAL_WORKER)
    p3, p4 = _post(a, PostKind.SENIOR_PRACTITIONER), _post(a, PostKind.TEAM_MANAGER)
    p5 = _post(a, PostKind.BUSINESS_SUPPORT)
    p6 = _post(a, PostKind.QUALIFIED_SOCIAL_WORKER, disestablished=datetime.date(2025, 1, 1))
    p7, p8 = _post(b, PostKind.QUALIFIED_SOCIAL_WORKER), _post(b, PostKind.QUALIFIED_SOCIAL_WORKER, "0.50")
    w = {n: _worker(agency, n) for n in ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "bs"]}
    _appoint(p1, w["w1"], Contract.PERMANENT, "1.00", datetime.date(2020, 2, 1))
    _appoint(
        p2,
        w["w7"],
        Contract.AGENCY,
        "1.00",
        datetime.date(2023, 1, 1),
        datetime.date(2024, 5, 31),
        LeavingReason.END_OF_AGENCY_CONTRACT,
    )
    _appoint(p2, w["w2"], Contract.AGENCY, "1.00", datetime.date(2024, 6, 1))
    _appoint(p3, w["w3"], Contract.PERMANENT, "0.60", datetime.date(2021, 1, 1))
    _appoint(
        p4,
        w["w4"],
        Contract.PERMANENT,
        "1.00",
        datetime.date(2020, 1, 1),
        datetime.date(2024, 12, 31),
        LeavingReason.RESIGNED,
    )
    _appoint(p4, w["w8"], Contract.PERMANENT, "1.00", datetime.date(2025, 3, 2))
    _appoint(p5, w["bs"], Contract.PERMANENT, "1.00", datetime.date(2020, 1, 1))
    _appoint(
        p6,
        w["w5"],
        Contract.PERMANENT,
        "1.00",
        datetime.date(2020, 1, 1),
        datetime.date(2024, 12, 31),
        LeavingReason.MOVED,
    )
    _appoint(p7, w["w5"], Contract.PERMANENT, "1.00", datetime.date(2025, 1, 1))
    _appoint(p8, w["w6"], Contract.SECONDMENT, "0.50", datetime.date(2023, 1, 1))
    _sick(w["w1"], datetime.date(2025, 1, 6), datetime.date(2025, 1, 10))  # 5 working days
    _sick(w["w3"], datetime.date(2024, 12, 30), datetime.date(2025, 1, 3))  # 4 days; 2 in 2025
    _sick(w["w5"], datetime.date(2024, 12, 23), datetime.date(2025, 1, 2))  # 1 in 2025, across the move
    _sick(w["w2"], datetime.date(2025, 2, 3), datetime.date(2025, 2, 4), AbsenceKind.OTHER)  # not sickness
    _sick(w["bs"], datetime.date(2025, 2, 10), datetime.date(2025, 2, 12))  # not a social worker
    StaffRecord.objects.create(
        practitioner=w["w1"], qualification="degree", qualified_on=datetime.date(2024, 1, 1)
    )
    StaffRecord.objects.create(
        practitioner=w["w3"], qualification="masters", qualified_on=datetime.date(2004, 9, 1)
    )
    return {"a": a, "b": b}


def test_an_absence_counts_working_days_without_bank_holidays() -> None:
    # 30 and 31 December, (1 January a bank holiday), 2 and 3 January.
    assert queries.absence_working_days(datetime.date(2024, 12, 30), datetime.date(2025, 1, 3)) == D("4")
    # Easter 2025: Good Friday 18 April and Easter Monday 21 April.
    assert queries.absence_working_days(datetime.date(2025, 4, 17), datetime.date(2025, 4, 22)) == D("2")


def test_vacancy_rate(establishment: dict[str, Team]) -> None:
    # Established: A 4.0 (the ended post and business support aside), B 1.5.
    # Employed in post: w1 1.0, w3 0.6, w8 1.0 (A); w5 1.0, w6 0.5 seconded (B). Agency cover is vacant.
    assert queries.vacancy_rate(on=ON) == (D("1.40"), D("5.50"))
    assert queries.vacancy_rate(on=ON, team_id=establishment["a"].pk) == (D("1.40"), D("4.00"))
    assert queries.vacancy_rate(on=ON, team_id=establishment["b"].pk) == (D("0.00"), D("1.50"))
    # The day before w8 started, the team manager's post was wholly vacant.
    assert queries.vacancy_rate(on=datetime.date(2025, 3, 1), team_id=establishment["a"].pk) == (
        D("2.40"),
        D("4.00"),
    )


def test_agency_staff_rate(establishment: dict[str, Team]) -> None:
    # In post: w1 1.0, w2 1.0 (agency), w3 0.6, w8 1.0, w5 1.0, w6 0.5 = 5.1.
    assert queries.agency_staff_rate(on=ON) == (D("1.00"), D("5.10"))
    assert queries.agency_staff_rate(on=ON, team_id=establishment["a"].pk) == (D("1.00"), D("3.60"))
    assert queries.agency_staff_rate(on=ON, team_id=establishment["b"].pk) == (D("0"), D("1.50"))


def test_sickness_days(establishment: dict[str, Team]) -> None:
    # Lost in the quarter: w1 5, w3 2 (of 4), w5 1 (of 6): 8. w5 moved from A to B on
    # 1 January, during the absence: its 2025 day is B's.
    # Average FTE: A (1.0 + 1.0 + 0.6) x 90 days + w8 1.0 x 30 days = 264 / 90 = 2.93; B 1.5.
    assert queries.sickness_days(start=QUARTER[0], end=QUARTER[1]) == (D("8"), D("4.43"))
    assert queries.sickness_days(start=QUARTER[0], end=QUARTER[1], team_id=establishment["a"].pk) == (
        D("7"),
        D("2.93"),
    )
    assert queries.sickness_days(start=QUARTER[0], end=QUARTER[1], team_id=establishment["b"].pk) == (
        D("1"),
        D("1.50"),
    )


def test_turnover_rate(establishment: dict[str, Team]) -> None:
    # Left the service: w4 (resigned, permanent 1.0). w5 moved within it; w7 was agency.
    # Permanent in post at the end: w1 1.0, w3 0.6, w8 1.0 (A), w5 1.0 (B).
    assert queries.turnover_rate(start=YEAR[0], end=YEAR[1]) == (D("1.00"), D("3.60"))
    assert queries.turnover_rate(start=YEAR[0], end=YEAR[1], team_id=establishment["a"].pk) == (
        D("1.00"),
        D("2.60"),
    )
    assert queries.turnover_rate(start=YEAR[0], end=YEAR[1], team_id=establishment["b"].pk) == (
        D("0"),
        D("1.00"),
    )


def test_team_figures_agree_with_the_rates(establishment: dict[str, Team]) -> None:
    figures = {f.name: f for f in queries.team_figures(on=ON)}
    a, b, service = figures["Team A"], figures["Team B"], figures["All teams"]
    assert (a.established, a.employed, a.agency, a.vacant, a.uncovered) == (
        D("4"),
        D("2.6"),
        D("1"),
        D("1.4"),
        D("0.4"),
    )
    assert (b.established, b.employed, b.agency, b.vacant) == (D("1.5"), D("1.5"), D("0"), D("0"))
    # Joiners: w2 and w8 (w5 moved in); leavers: w4 and w7 (w5's move is not one).
    assert (a.joiners, a.leavers, b.joiners, b.leavers) == (2, 2, 0, 0)
    assert service.joiners == 2 and service.leavers == 2
    assert service.vacancy_percent == D("25.5")  # 1.4 / 5.5
    assert a.turnover_percent == D("38.5")  # 1.0 / 2.6
    # Sickness over the 12 months to 31 March: w1 5, w3 4, w5 6 (23 December to 2 January,
    # 5 of them in A, 1 in B after the move), once for the service.
    assert service.sickness_days == queries.sickness_days(start=YEAR[0], end=YEAR[1])[0] == D("15")
    assert a.sickness_days == D("14") and b.sickness_days == D("1")


def test_experience_bands(establishment: dict[str, Team]) -> None:
    bands = dict(queries.experience_bands(on=ON, team_id=establishment["a"].pk))
    # In post on the day in A: w1 (qualified 2024: under 2 years), w3 (2004: 20 years), w2 and w8 unrecorded.
    assert bands["Less than 2 years"] == 1
    assert bands["20 years or more"] == 1
    assert bands["Not recorded"] == 2
    assert sum(bands.values()) == 4
