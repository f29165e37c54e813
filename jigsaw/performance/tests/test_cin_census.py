"""The census XML on hand-built records: who is in it, element order, codes and dates."""

from __future__ import annotations

import io

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from jigsaw.casework.models import Referral
from jigsaw.performance.returns.cin_census import write_cin_census
from jigsaw.performance.tests.cin_helpers import D, journey
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db


def written(year: int = 2026) -> tuple[etree._Element, object]:
    out = io.BytesIO()
    summary = write_cin_census(out, year=year)
    return etree.fromstring(out.getvalue()), summary


def tags(element: etree._Element) -> list[str]:
    return [child.tag for child in element]


def test_the_header_names_the_collection_and_the_authority(settings: object) -> None:
    root, _ = written()
    assert root.tag == "Message"
    assert tags(root) == ["Header", "Children"]
    assert [(e.tag, e.text) for e in root.find("Header/CollectionDetails")] == [
        ("Collection", "CIN"),
        ("Year", "2026"),
        ("ReferenceDate", "2026-03-31"),
    ]
    source = root.find("Header/Source")
    assert tags(source) == ["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"]
    assert source.findtext("SourceLevel") == "L"
    assert source.findtext("LEA") == "999"
    assert source.findtext("SoftwareCode") == "Jigsaw"


def test_one_child_with_two_episodes_in_the_specifications_order() -> None:
    j = journey()
    root, summary = written()

    assert (summary.children, summary.episodes) == (1, 2)  # type: ignore[attr-defined]
    child = root.find("Children/Child")
    assert tags(child) == ["ChildIdentifiers", "ChildCharacteristics", "CINdetails", "CINdetails"]
    assert [(e.tag, e.text) for e in child.find("ChildIdentifiers")] == [
        ("LAchildID", str(j.child.pk)),
        ("UPN", "Y801200000021"),
        ("PersonBirthDate", "2016-05-04"),
        ("Sex", "F"),
    ]
    assert child.findtext("ChildCharacteristics/Ethnicity") == "WBRI"
    assert child.findtext("ChildCharacteristics/Disabilities/Disability") == "NONE"

    first, second = child.findall("CINdetails")
    assert tags(first) == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
        "Assessments",
        "CINPlanDates",
    ]
    assert [first.findtext(t) for t in ("CINreferralDate", "ReferralSource", "PrimaryNeedCode")] == [
        "2025-05-06",
        "2A",
        "N4",
    ]
    assert (first.findtext("CINclosureDate"), first.findtext("ReasonForClosure")) == ("2025-10-01", "RC7")
    assert first.findtext("ReferralNFA") == "false"
    assessment = first.find("Assessments")
    assert tags(assessment) == [
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ]
    assert assessment.findtext("AssessmentAuthorisationDate") == "2025-06-23"
    assert [f.text for f in assessment.findall("FactorsIdentifiedAtAssessment/AssessmentFactors")] == [
        "3B",
        "4B",
    ]
    assert [(e.tag, e.text) for e in first.find("CINPlanDates")] == [
        ("CINPlanStartDate", "2025-06-24"),
        ("CINPlanEndDate", "2025-09-30"),
    ]

    assert tags(second) == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "ReferralNFA",
        "Section47",
        "ChildProtectionPlans",
    ]
    assert [(e.tag, e.text) for e in second.find("Section47")] == [
        ("S47ActualStartDate", "2025-11-04"),
        ("InitialCPCtarget", "2025-11-25"),
        ("DateOfInitialCPC", "2025-11-24"),
        ("ICPCnotRequired", "false"),
    ]
    assert [(e.tag, e.text) for e in second.find("ChildProtectionPlans")] == [
        ("CPPstartDate", "2025-11-24"),
        ("InitialCategoryOfAbuse", "NEG"),
        ("LatestCategoryOfAbuse", "EMO"),
        ("NumberOfPreviousCPP", "0"),
        ("Reviews", None),
    ]
    assert [r.text for r in second.findall("ChildProtectionPlans/Reviews/CPPreviewDate")] == ["2026-02-23"]


def test_only_episodes_open_in_the_year_and_dates_known_by_the_reference_date() -> None:
    worker = persona("social_worker")
    before = make_person(family_name="Before")
    Referral.objects.create(
        person=before,
        referred_on=D(2024, 6, 1),
        source="2A",
        opened_by=worker,
        closed_on=D(2025, 3, 31),
        closure_reason="RC7",
    )
    later = make_person(family_name="Later")
    Referral.objects.create(person=later, referred_on=D(2026, 4, 1), source="2A", opened_by=worker)
    running = make_person(family_name="Running", upn="", date_of_birth=D(2022, 1, 1))
    Referral.objects.create(
        person=running,
        referred_on=D(2024, 12, 1),
        source="3A",
        opened_by=worker,
        closed_on=D(2026, 4, 2),
        closure_reason="RC7",
    )
    nfa = make_person(family_name="Nfa", upn="", date_of_birth=D(2010, 1, 1))
    Referral.objects.create(
        person=nfa,
        referred_on=D(2025, 7, 1),
        source="9",
        primary_need="",
        referral_nfa=True,
        opened_by=worker,
        closed_on=D(2025, 7, 1),
        closure_reason="RC7",
    )

    root, _ = written()

    ids = [c.findtext("ChildIdentifiers/LAchildID") for c in root.findall("Children/Child")]
    assert ids == [str(running.pk), str(nfa.pk)]
    running_child, nfa_child = root.findall("Children/Child")
    # Closed after the reference date: open on 31 March, so no closure is reported.
    assert running_child.find("CINdetails/CINclosureDate") is None
    assert running_child.findtext("ChildIdentifiers/UPNunknown") == "UN1"  # under 6
    assert nfa_child.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    assert nfa_child.findtext("CINdetails/ReferralNFA") == "true"
    assert nfa_child.find("CINdetails/PrimaryNeedCode") is None


def test_an_unborn_child_has_an_expected_birth_date_and_a_merged_record_reports_under_the_survivor() -> None:
    worker = persona("social_worker")
    unborn = make_person(
        family_name="Unborn",
        given_names="",
        date_of_birth=D(2026, 6, 1),
        birth_date_precision="expected",
        sex="U",
    )
    Referral.objects.create(
        person=unborn, referred_on=D(2026, 1, 5), source="3B", primary_need="N1", opened_by=worker
    )
    survivor = make_person(family_name="Survivor")
    alias = make_person(family_name="Alias", merged_into=survivor)
    Referral.objects.create(
        person=alias, referred_on=D(2025, 8, 1), source="2A", primary_need="N5", opened_by=worker
    )

    root, _ = written()

    by_id = {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.findall("Children/Child")}
    assert set(by_id) == {str(unborn.pk), str(survivor.pk)}
    ids = by_id[str(unborn.pk)].find("ChildIdentifiers")
    assert tags(ids) == ["LAchildID", "UPNunknown", "ExpectedPersonBirthDate", "Sex"]
    assert ids.findtext("UPNunknown") == "UN6"
    assert by_id[str(survivor.pk)].findtext("CINdetails/CINreferralDate") == "2025-08-01"


def test_a_childs_values_are_escaped_as_xml_text() -> None:
    import datetime

    from jigsaw.performance.returns.cin_census import CensusChild, CensusEpisode, child_xml

    odd = 'A&B <C> "D"'
    episode = CensusEpisode(
        pk=1,
        referred_on=datetime.date(2025, 5, 1),
        source=odd,
        primary_need="N1",
        referral_nfa=False,
        closed_on=None,
        closure_reason="",
    )
    child = CensusChild(
        person_id=7,
        upn="",
        upn_unknown="UN5",
        birth_date=datetime.date(2015, 1, 2),
        expected_birth_date=None,
        sex="F",
        death_date=None,
        ethnicity=odd,
        disabilities=["NONE"],
        episodes=[episode],
    )

    element = etree.fromstring(child_xml(child))

    assert element.findtext("ChildCharacteristics/Ethnicity") == odd
    assert element.findtext("CINdetails/ReferralSource") == odd
    assert tags(element) == ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"]
    assert tags(element.find("ChildIdentifiers")) == ["LAchildID", "UPNunknown", "PersonBirthDate", "Sex"]
