"""Guidance with read receipts: who may issue, who it reaches (agencies, kinds of agency,
roles), acknowledgement once per version with its log row, a new version asking again,
the reading report by agency and team, and the procedure links on the pages they serve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.partners.models import AgencyKind
from jigsaw.partnership.actions import guidance as actions
from jigsaw.partnership.models.guidance import Acknowledgement, GuidanceItem
from jigsaw.partnership.queries import guidance as queries
from tests.factories import make_agency, make_team, persona

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _note(
    *,
    all_agencies: bool = True,
    agency_ids: tuple[int, ...] = (),
    agency_kinds: tuple[str, ...] = (),
    roles: tuple[str, ...] = (),
) -> GuidanceItem:
    details = actions.GuidanceDetails(
        title="Bruising in babies who are not mobile",
        kind="practice_note",
        all_agencies=all_agencies,
        agency_ids=agency_ids,
        agency_kinds=agency_kinds,
        roles=roles,
    )
    return actions.issue_guidance(actor=persona("partnership_member"), details=details, body="Always refer.")


def _to_two_agencies() -> GuidanceItem:
    council = persona("social_worker").practitioner.agency
    police = persona("police_officer").practitioner.agency
    return _note(all_agencies=False, agency_ids=(council.pk, police.pk))


def test_issuing_is_for_the_partnership_and_administrators_and_is_logged() -> None:
    details = actions.GuidanceDetails(title="Thresholds", kind="procedure", procedure_key="thresholds")
    with pytest.raises(PermissionDenied):
        actions.issue_guidance(actor=persona("team_manager"), details=details, body="Levels of need")
    item = actions.issue_guidance(actor=persona("administrator"), details=details, body="Levels of need")
    entry = AccessLogEntry.objects.get(action="issue_guidance")
    assert (entry.user_id, entry.record_type, entry.record_id, entry.detail) == (
        persona("administrator").pk,
        "partnership.guidanceitem",
        str(item.pk),
        {"version": 1, "kind": "procedure", "file": False},
    )
    with pytest.raises(ValidationError) as refused:
        actions.issue_guidance(actor=persona("administrator"), details=details, body="Again")
    assert refused.value.message_dict == {
        "procedure_key": ["Another procedure is already linked there: issue a new version of it instead"]
    }


def test_guidance_needs_a_text_or_a_pdf_and_an_audience() -> None:
    details = actions.GuidanceDetails(title="Leaflet", kind="leaflet", all_agencies=False)
    with pytest.raises(ValidationError) as refused:
        actions.issue_guidance(
            actor=persona("partnership_member"),
            details=details,
            body=" ",
            upload=actions.UploadedFile("note.pdf", "application/pdf", b"not a pdf"),
        )
    assert refused.value.message_dict == {
        "agencies": ["Choose the agencies or kinds of agency it is for, or send it to all agencies"],
        "file": ["The file must be a PDF"],
    }
    kept = actions.issue_guidance(
        actor=persona("partnership_member"),
        details=actions.GuidanceDetails(title="Leaflet", kind="leaflet"),
        body="",
        upload=actions.UploadedFile("leaflet.pdf", "application/pdf", PDF),
    )
    version = queries.current_version(kept)
    assert version is not None and bytes(version.file.content) == PDF


def test_the_audience_is_chosen_agencies_kinds_of_agency_and_roles() -> None:
    school = persona("school_dsl")
    gp = persona("gp")
    item = _note(
        all_agencies=False,
        agency_kinds=(AgencyKind.SCHOOL, AgencyKind.GP_PRACTICE),
        roles=("partner_practitioner",),
    )
    assert queries.is_addressed_to(item, school) and queries.is_addressed_to(item, gp)
    assert not queries.is_addressed_to(item, persona("social_worker"))
    assert {p.user_id for p in queries.recipients(item)} == {school.pk, gp.pk}
    with pytest.raises(Http404):
        queries.get_item_for(persona("social_worker"), item.pk)
    assert queries.get_item_for(persona("partnership_member"), item.pk) == item


def test_each_recipient_acknowledges_once_and_a_new_version_asks_again() -> None:
    item = _to_two_agencies()
    worker, officer, gp = persona("social_worker"), persona("police_officer"), persona("gp")
    first = queries.current_version(item)
    assert first is not None
    assert [g.item for g in queries.guidance_for(worker)] == [item]
    with pytest.raises(Http404):
        actions.acknowledge(actor=gp, version_id=first.pk)
    made = actions.acknowledge(actor=worker, version_id=first.pk)
    again = actions.acknowledge(actor=worker, version_id=first.pk)
    assert again.pk == made.pk and Acknowledgement.objects.count() == 1
    entry = AccessLogEntry.objects.get(action="acknowledge_guidance")
    assert (entry.user_id, entry.record_id, entry.detail) == (worker.pk, str(item.pk), {"version": 1})
    assert [g.acknowledged_at for g in queries.guidance_for(worker)] == [made.acknowledged_at]

    with pytest.raises(EditConflict):
        actions.issue_new_version(
            actor=persona("partnership_member"),
            item_id=item.pk,
            expected_version=2,
            body="x",
            change_note="y",
        )
    second = actions.issue_new_version(
        actor=persona("partnership_member"),
        item_id=item.pk,
        expected_version=1,
        body="Always refer, the same day.",
        change_note="Refer the same day",
    )
    assert second.number == 2
    assert [g.acknowledged_at for g in queries.guidance_for(worker)] == [None]
    with pytest.raises(ValidationError):
        actions.acknowledge(actor=officer, version_id=first.pk)  # an old version is not acknowledged
    assert AccessLogEntry.objects.get(action="issue_guidance_version").detail == {"version": 2, "file": False}


def test_the_reading_report_counts_by_agency_and_team_and_names_who_is_outstanding() -> None:
    item = _to_two_agencies()
    worker, manager, officer = persona("social_worker"), persona("team_manager"), persona("police_officer")
    # The manager is in another team of the council.
    manager.practitioner.team = make_team(worker.practitioner.agency, "Safeguarding Team 2")
    manager.practitioner.save()
    version = queries.current_version(item)
    assert version is not None
    actions.acknowledge(actor=worker, version_id=version.pk)
    actions.acknowledge(actor=officer, version_id=version.pk)
    report = queries.reading_report(item)
    council = "Riverford Children's Social Care"
    by_agency = {g.name: (g.recipients, g.read, g.percent) for g in report.by_agency}
    assert by_agency == {council: (2, 1, 50), "Riverford Police": (1, 1, 100)}
    by_team = {g.name: (g.recipients, g.read, g.percent, g.outstanding) for g in report.by_team}
    assert by_team == {
        f"Assessment Team 1 ({council})": (1, 1, 100, []),
        f"Safeguarding Team 2 ({council})": (1, 0, 0, ["Team Manager Persona"]),
        "No team (Riverford Police)": (1, 1, 100, []),
    }
    assert (report.total.recipients, report.total.read, report.total.percent) == (3, 2, 67)
    assert report.total.outstanding == ["Team Manager Persona"]


def test_a_procedure_is_linked_from_the_escalation_pages_once_issued(client: Client) -> None:
    worker = persona("social_worker")
    client.force_login(worker)
    assert "Procedure:" not in client.get(reverse("escalation:list")).content.decode()
    item = actions.issue_guidance(
        actor=persona("partnership_member"),
        details=actions.GuidanceDetails(
            title="Resolving professional disagreements", kind="procedure", procedure_key="escalation"
        ),
        body="Talk first; then escalate to managers.",
    )
    page = client.get(reverse("escalation:list")).content.decode()
    link = reverse("partnership:guidance_item", args=[item.pk])
    assert (
        f'Procedure: <a class="govuk-link" href="{link}">Resolving professional disagreements</a> (version 1)'
        in page
    )
    make_agency("Riverford Police", AgencyKind.POLICE)
    assert client.get(link).status_code == 200
