"""Annex A lists 1 to 8 on hand-built records: who is in each list as at a date, who is
not, and what each column says."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from jigsaw.casework.models import (
    ChildProtectionPlan,
    ConferenceChild,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
    Section47Enquiry,
    Visit,
)
from jigsaw.performance.returns.annex_a import LISTS, Period, count_annex_a, write_annex_a
from tests.casework_factories import make_contact, make_referral
from tests.episode_factories import another_manager, make_assessment, make_cin_plan, make_looked_after
from tests.factories import make_person, persona
from tests.protection_factories import make_conference, make_discussion, make_plan, make_practitioner

pytestmark = pytest.mark.django_db

AS_AT = datetime.date(2026, 3, 31)
D = datetime.date


def _sheets(as_at: datetime.date = AS_AT) -> dict[str, list[dict[str, Any]]]:
    """The workbook read back: each sheet's rows as header -> value (dates as dates)."""
    out = io.BytesIO()
    summary = write_annex_a(out, as_at=as_at)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheets: dict[str, list[dict[str, Any]]] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        sheets[sheet.title] = [
            {
                h: (v.date() if isinstance(v, datetime.datetime) else v)
                for h, v in zip(header, row, strict=False)
            }
            for row in rows[1:]
        ]
    assert summary.rows == {int(title.split()[1]): len(rows) for title, rows in sheets.items()}
    assert count_annex_a(as_at=as_at).rows == summary.rows
    return sheets


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_the_six_months_run_from_the_day_after_six_months_before() -> None:
    period = Period.ending(AS_AT)
    assert (period.start, period.year_start) == (D(2025, 10, 1), D(2025, 4, 1))


def test_every_list_has_its_sheet_and_published_headers_even_when_empty() -> None:
    out = io.BytesIO()
    summary = write_annex_a(out, as_at=AS_AT)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))

    assert book.sheetnames == [f"List {n}" for n in range(1, 9)]
    assert [c.value for c in book["List 1"][1]] == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Contact",
        "Contact Source",
    ]
    for annex_list in LISTS:
        assert tuple(c.value for c in book[annex_list.sheet][1]) == annex_list.headers
    assert summary.total == 0


def test_list_1_holds_the_contacts_received_in_the_six_months_by_local_day() -> None:
    child = make_person(sex="F", ethnicity="WBRI", date_of_birth=D(2015, 11, 2))
    first = make_contact(child, received_at=_at(D(2025, 10, 1), 0, 30), source="3A")
    make_contact(child, received_at=_at(D(2025, 9, 30), 23, 30))
    last = make_contact(child, received_at=_at(D(2026, 3, 31), 23, 30), source="6")
    make_contact(child, received_at=_at(D(2026, 4, 1), 0, 15))

    rows = _sheets()["List 1"]

    assert rows == [
        {
            "Child Unique ID": str(child.pk),
            "Gender": "b) Female",
            "Ethnicity": "a) WBRI",
            "Date of Birth": D(2015, 11, 2),
            "Age of Child (Years)": 10,
            "Date of Contact": D(2025, 10, 1),
            "Contact Source": "g) 3A: Health services",
        },
        {
            "Child Unique ID": str(child.pk),
            "Gender": "b) Female",
            "Ethnicity": "a) WBRI",
            "Date of Birth": D(2015, 11, 2),
            "Age of Child (Years)": 10,
            "Date of Contact": D(2026, 3, 31),
            "Contact Source": "q) 6: Police",
        },
    ]
    assert first.pk < last.pk


def test_an_unborn_child_has_no_date_of_birth_or_age() -> None:
    unborn = make_person(date_of_birth=D(2026, 6, 1), birth_date_precision="expected", sex="U")
    make_contact(unborn, received_at=_at(D(2026, 3, 2), 10))

    [row] = _sheets()["List 1"]

    assert (row["Gender"], row["Date of Birth"], row["Age of Child (Years)"]) == (
        "c) Not stated/recorded",
        None,
        None,
    )


def test_list_2_holds_early_help_under_way_in_the_six_months() -> None:
    child = make_person()
    lead = make_practitioner()
    recorder = persona("social_worker")
    ended_before = EarlyHelpEpisode.objects.create(
        person=child, started_on=D(2025, 1, 1), ended_on=D(2025, 9, 30), recorded_by=recorder
    )
    still_open = EarlyHelpEpisode.objects.create(person=child, started_on=D(2025, 1, 1), recorded_by=recorder)
    assessed = EarlyHelpEpisode.objects.create(
        person=child,
        started_on=D(2025, 12, 1),
        assessment_completed_on=D(2026, 1, 10),
        lead_professional=lead,
        recorded_by=recorder,
    )
    EarlyHelpEpisode.objects.create(person=child, started_on=D(2026, 4, 1), recorded_by=recorder)

    rows = _sheets()["List 2"]

    assert [(r["Assessment start date"], r["Assessment completion date"]) for r in rows] == [
        (still_open.started_on, None),
        (assessed.started_on, D(2026, 1, 10)),
    ]
    assert rows[1]["Organisation completing assessment"] == lead.agency.name
    assert ended_before.pk not in {r["Child Unique ID"] for r in rows}


def test_list_3_counts_each_referrals_earlier_referrals_in_12_months() -> None:
    worker = persona("social_worker")
    often = make_person()
    make_referral(often, referred_on=D(2025, 5, 1))
    make_referral(often, referred_on=D(2025, 11, 1), worker=worker, source="2A")
    make_referral(often, referred_on=D(2026, 3, 1), source="5D", referral_nfa=True)
    once = make_person()
    make_referral(once, referred_on=D(2024, 10, 1))
    make_referral(once, referred_on=D(2025, 11, 15), source="3E")
    make_referral(make_person(), referred_on=D(2025, 9, 30))

    rows = _sheets()["List 3"]

    summary = [
        (
            r["Child Unique ID"],
            r["Date of referral"],
            r["Referral Source"],
            r["Referral NFA?"],
            r["Number of Referrals in Last 12 Months"],
        )
        for r in rows
    ]
    assert summary == [
        (str(often.pk), D(2025, 11, 1), "e) 2A: Schools", "b) No", 1),
        (str(often.pk), D(2026, 3, 1), "p1) 5D: LA services", "a) Yes", 2),
        (str(once.pk), D(2025, 11, 15), "k) 3E: Health services", "b) No", 0),
    ]
    team = persona("team_manager").practitioner.team
    assert team is not None
    assert rows[0]["Allocated Team"] == team.name
    assert rows[0]["Allocated Worker"] == "Social Worker Persona"
    assert rows[1]["Allocated Worker"] is None


def test_list_4_holds_assessments_under_way_in_the_six_months() -> None:
    child = make_person(disability="yes")
    referral = make_referral(child, referred_on=D(2025, 6, 1), worker=persona("social_worker"))
    manager = another_manager()
    make_assessment(
        referral, started_on=D(2025, 6, 1), completed_on=D(2025, 9, 1), outcome="nfa", due_on=D(2025, 8, 1)
    )
    make_assessment(
        referral,
        started_on=D(2025, 6, 2),
        child_seen_on=D(2025, 6, 3),
        completed_on=D(2025, 11, 1),
        completed_by=persona("social_worker"),
        outcome="cin_plan",
        authorised_by=manager,
        authorised_at=_at(D(2025, 11, 3), 9),
    )
    make_assessment(referral, started_on=D(2026, 2, 1), child_seen_on=D(2026, 4, 2))
    make_assessment(referral, started_on=D(2026, 4, 2))

    rows = _sheets()["List 4"]

    assert [
        (
            r["Does the Child have a Disability"],
            r["Continuous Assessment Start Date"],
            r["Child Seen During Continuous Assessment"],
            r["Continuous Assessment Date of Authorisation"],
            r["Was the child assessed as requiring LA children's social care support?"],
            r["Allocated Worker"],
        )
        for r in rows
    ] == [
        ("a) Yes", D(2025, 6, 2), "a) Yes", D(2025, 11, 3), "a) Yes", "Social Worker Persona"),
        # Seen after the as-at date: not yet seen as at it; not yet completed, so no answer.
        ("a) Yes", D(2026, 2, 1), "b) No", None, None, "Social Worker Persona"),
    ]


def test_list_5_holds_the_enquiries_of_the_six_months_with_their_conferences() -> None:
    child = make_person()
    referral = make_referral(child, referred_on=D(2025, 12, 1), worker=persona("social_worker"))
    make_discussion([referral], held_on=D(2025, 12, 1))
    first = referral.section47s.get()
    Section47Enquiry.objects.filter(pk=first.pk).update(outcome="conference", completed_on=D(2025, 12, 15))
    conference = make_conference([referral], date=D(2025, 12, 15), held=True)
    plan = make_plan(referral, started_on=D(2025, 12, 15))
    ConferenceChild.objects.filter(conference=conference).update(plan=plan, decision="plan", category="NEG")
    # A second enquiry for the same child, not substantiated.
    discussion = make_discussion([referral], held_on=D(2026, 2, 2))
    Section47Enquiry.objects.filter(strategy_discussion=discussion).update(
        outcome="not_substantiated", completed_on=D(2026, 2, 20)
    )
    # Another child's enquiry before the six months.
    make_discussion([make_referral(make_person(), referred_on=D(2025, 9, 1))], held_on=D(2025, 9, 1))

    rows = _sheets()["List 5"]

    assert [
        (
            r["Child Unique ID"],
            r["Strategy discussion initiating Section 47 Enquiry Start Date"],
            r["Was an Initial Child Protection Conference deemed unnecessary?"],
            r["Date of Initial Child Protection Conference"],
            r["Did the Initial Child Protection Conference Result in a Child Protection Plan"],
            r["Number of Section 47 Enquiries in the last 12 months"],
            r["Number of ICPCs in the last 12 months"],
        )
        for r in rows
    ] == [
        (str(child.pk), D(2025, 12, 1), "b) No", D(2025, 12, 15), "a) Yes", 0, 0),
        (str(child.pk), D(2026, 2, 2), "a) Yes", None, None, 1, 1),
    ]


def test_list_6_holds_open_episodes_with_their_case_status() -> None:
    worker = persona("social_worker")
    closed_before = make_referral(make_person(), referred_on=D(2025, 1, 1))
    Referral.objects.filter(pk=closed_before.pk).update(closed_on=D(2025, 9, 1), closure_reason="RC7")
    make_referral(make_person(), referred_on=D(2025, 12, 1), referral_nfa=True)

    on_plan = make_referral(make_person(), referred_on=D(2025, 1, 1), primary_need="N3", worker=worker)
    make_cin_plan(on_plan, started_on=D(2025, 3, 1))
    Visit.objects.create(
        referral=on_plan, visited_on=D(2026, 3, 1), kind="cin", child_seen=True, visited_by=worker
    )
    Visit.objects.create(
        referral=on_plan, visited_on=D(2026, 3, 20), kind="cin", child_seen=False, visited_by=worker
    )

    closed_in = make_referral(make_person(), referred_on=D(2025, 11, 1))
    Referral.objects.filter(pk=closed_in.pk).update(closed_on=D(2026, 1, 5), closure_reason="RC8")
    closes_later = make_referral(make_person(), referred_on=D(2025, 11, 1))
    Referral.objects.filter(pk=closes_later.pk).update(closed_on=D(2026, 4, 10), closure_reason="RC7")
    make_assessment(closes_later, started_on=D(2025, 11, 2))

    in_care = make_referral(make_person(), referred_on=D(2025, 11, 1))
    make_looked_after(in_care, started_on=D(2026, 1, 1))
    make_plan(in_care, started_on=D(2025, 12, 1))
    waiting = make_referral(make_person(), referred_on=D(2026, 3, 30))

    rows = {r["Child Unique ID"]: r for r in _sheets()["List 6"]}

    assert set(rows) == {str(r.person_id) for r in (on_plan, closed_in, closes_later, in_care, waiting)}
    plan_row = rows[str(on_plan.person_id)]
    assert (
        plan_row["CIN Start Date"],
        plan_row["Primary Need Code"],
        plan_row["Date Child Was Last Seen"],
    ) == (
        D(2025, 1, 1),
        "N3 - Parental disability or illness",
        D(2026, 3, 1),
    )
    assert plan_row["Case Status"] == "c) Child in need plan"
    closed_row = rows[str(closed_in.person_id)]
    assert (closed_row["CIN Closure Date"], closed_row["Reason for Closure"], closed_row["Case Status"]) == (
        D(2026, 1, 5),
        "RC8 - Case closed after assessment, no further action",
        "e) Closed episode",
    )
    later_row = rows[str(closes_later.person_id)]
    assert (later_row["CIN Closure Date"], later_row["Reason for Closure"], later_row["Case Status"]) == (
        None,
        None,
        "d) Open assessment",
    )
    assert rows[str(in_care.person_id)]["Case Status"] == "a) Looked after child"
    assert rows[str(waiting.person_id)]["Case Status"] is None


def test_list_7_holds_plans_in_force_or_ended_in_the_six_months() -> None:
    worker = persona("social_worker")
    child = make_person()
    referral = make_referral(child, referred_on=D(2024, 5, 1), worker=worker)
    ChildProtectionPlan.objects.create(
        referral=referral,
        person=child,
        started_on=D(2024, 6, 1),
        initial_category="PHY",
        latest_category="PHY",
        ended_on=D(2025, 9, 30),
        end_reason="not_at_risk",
    )
    ChildProtectionPlan.objects.create(
        referral=referral,
        person=child,
        started_on=D(2025, 10, 2),
        initial_category="EMO",
        latest_category="EMO",
        ended_on=D(2025, 12, 1),
        end_reason="not_at_risk",
    )
    current = make_plan(referral, started_on=D(2026, 1, 15), category="NEG")
    ChildProtectionPlan.objects.filter(pk=current.pk).update(latest_category="MUL")
    Visit.objects.create(
        referral=referral,
        plan=current,
        visited_on=D(2026, 3, 20),
        child_seen=True,
        seen_alone=True,
        visited_by=worker,
    )
    Visit.objects.create(
        referral=referral, plan=current, visited_on=D(2026, 4, 2), child_seen=False, visited_by=worker
    )
    review = make_conference([referral], date=D(2026, 3, 1), kind="review", held=True)
    ConferenceChild.objects.filter(conference=review).update(
        plan=current, decision="continue", category="MUL"
    )
    make_looked_after(referral, started_on=D(2026, 2, 1), ended_on=D(2026, 2, 3), legal_status="L2")

    rows = _sheets()["List 7"]

    assert [
        (
            r["Child Protection Plan Start Date"],
            r["Initial Category of Abuse"],
            r["Latest Category of Abuse"],
            r["Date of the Last Statutory Visit"],
            r["Was the Child Seen Alone?"],
            r["Date of latest review conference"],
            r["Child Protection Plan End Date"],
            r[
                "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"
            ],
            r["Number of Previous Child Protection Plans"],
        )
        for r in rows
    ] == [
        (
            D(2025, 10, 2),
            "d) Emotional abuse",
            "d) Emotional abuse",
            None,
            None,
            None,
            D(2025, 12, 1),
            "a) Yes",
            1,
        ),
        (
            D(2026, 1, 15),
            "a) Neglect",
            "e) Multiple/not recommended",
            D(2026, 3, 20),
            "a) Yes",
            D(2026, 3, 1),
            None,
            "a) Yes",
            2,
        ),
    ]
    assert rows[1]["Allocated Worker"] == "Social Worker Persona"


def test_list_8_holds_periods_of_care_open_or_ended_in_the_six_months() -> None:
    worker = persona("social_worker")
    returning = make_person()
    referral = make_referral(returning, referred_on=D(2025, 1, 1), primary_need="N4", worker=worker)
    make_looked_after(
        referral, started_on=D(2025, 1, 1), ended_on=D(2025, 8, 1), reason_ended="Returned home"
    )
    current = make_looked_after(referral, started_on=D(2025, 12, 1), legal_status="C2", placement="U4")
    Visit.objects.create(
        referral=referral, visited_on=D(2026, 3, 10), kind="looked_after", child_seen=True, visited_by=worker
    )

    left = make_person()
    left_referral = make_referral(left, referred_on=D(2024, 1, 1))
    make_looked_after(
        left_referral, started_on=D(2024, 1, 1), ended_on=D(2026, 1, 10), reason_ended="Special guardianship"
    )
    LookedAfterEpisode.objects.create(
        person=left, started_on=D(2026, 4, 5), legal_status="V2", placement="U6", recorded_by=worker
    )

    rows = _sheets()["List 8"]

    assert [
        (
            r["Child Unique ID"],
            r["Date Started to be Looked After"],
            r["Child's Category of Need"],
            r[
                "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"
            ],
            r["Child's Legal Status"],
            r["Date of Last Social Work Visit"],
            r["Date Ceased to be Looked After"],
            r["Reason Ceased to be Looked After"],
            r["Placement Type"],
        )
        for r in rows
    ] == [
        (
            str(returning.pk),
            current.started_on,
            "N4 - Family in acute stress",
            "a) Yes",
            "C2: FCO",
            D(2026, 3, 10),
            None,
            None,
            "d) U4: Foster placement - long term",
        ),
        (
            str(left.pk),
            D(2024, 1, 1),
            "N1 - Abuse or neglect",
            "b) No",
            "V2: Single period under S20",
            None,
            D(2026, 1, 10),
            "Special guardianship",
            "f) U6: Foster placement - not FFA",
        ),
    ]
    # What Jigsaw does not hold is left blank, never guessed.
    assert rows[0]["Date of Last Health Assessment"] is None
    assert rows[0]["Placement postcode"] is None
    assert rows[0]["Allocated Worker"] == "Social Worker Persona"


def test_text_that_xml_cannot_carry_is_escaped_or_dropped() -> None:
    referral = make_referral(make_person(), referred_on=D(2025, 1, 1))
    make_looked_after(
        referral, started_on=D(2025, 1, 1), ended_on=D(2026, 1, 10), reason_ended="Home <with> Mum & Dad\x07"
    )

    [row] = _sheets()["List 8"]

    assert row["Reason Ceased to be Looked After"] == "Home <with> Mum & Dad"
