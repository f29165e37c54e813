"""Pages of case file audits, through the real views: the landing page, choosing cases by
criteria (preview, then add), the audit and moderation forms, an agency's part, a
finding, an action marked done, and the themes report and its CSV."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.quality.models.audits import AuditAction, AuditCase, AuditStatus
from jigsaw.quality.queries.audits import default_questions
from jigsaw.quality.tests.audits_helpers import assigned_case, child_on_plan, programme, submitted_case
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _as(client: Client, who: str) -> Client:
    client.force_login(persona(who))
    return client


def test_landing_shows_audits_assigned_to_you_and_programmes_to_managers(client: Client) -> None:
    case = assigned_case()
    page = _as(client, "conference_chair").get(reverse("quality:audits"))
    assert page.status_code == 200
    assert case.person.full_name in page.content.decode()
    assert "Complete the audit" in page.content.decode()
    assert "Audit programmes" not in page.content.decode()
    manager = _as(Client(), "team_manager").get(reverse("quality:audits"))
    assert case.programme.title in manager.content.decode()


def test_criteria_preview_then_add_freezes_the_cases(client: Client) -> None:
    child = child_on_plan(born=datetime.date(2023, 1, 1))
    prog = programme()
    _as(client, "team_manager")
    query = {
        "kind": "cp_plan",
        "on_date_day": "2",
        "on_date_month": "3",
        "on_date_year": "2026",
        "under_age": "5",
    }

    preview = client.get(reverse("quality:audit_criteria", args=[prog.pk]), query)

    assert preview.status_code == 200
    assert "1 case matches" in preview.content.decode()
    assert child.full_name in preview.content.decode()
    assert AccessLogEntry.objects.filter(action="preview_audit_cases").exists()
    assert not AuditCase.objects.exists()
    added = client.post(reverse("quality:audit_criteria", args=[prog.pk]), {**query, "version": "1"})
    assert added.status_code == 302
    assert AuditCase.objects.get().person == child


def test_the_audit_form_submits_and_the_moderator_moderates(client: Client) -> None:
    case = assigned_case()
    questions = default_questions()
    data = {f"grade_{q.pk}": "good" for q in questions} | {
        "overall_grade": "good",
        "summary": "A clear plan",
        "version": str(case.version),
        "submit": "submit",
    }
    _as(client, "conference_chair")
    assert client.get(reverse("quality:audit_form", args=[case.pk])).status_code == 200
    missing = client.post(reverse("quality:audit_form", args=[case.pk]), {**data, "overall_grade": ""})
    assert "Choose the overall grade" in missing.content.decode()
    assert client.post(reverse("quality:audit_form", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.status == AuditStatus.SUBMITTED

    moderation = {f"grade_{q.pk}": "good" for q in questions} | {
        "overall_grade": "good",
        "version": str(case.version),
    }
    assert (
        _as(Client(), "conference_chair").get(reverse("quality:audit_moderate", args=[case.pk])).status_code
        == 403
    )
    manager = _as(Client(), "team_manager")
    assert manager.post(reverse("quality:audit_moderate", args=[case.pk]), moderation).status_code == 302
    case.refresh_from_db()
    assert case.status == AuditStatus.MODERATED


def test_a_stale_audit_form_is_refused_with_the_answers_kept(client: Client) -> None:
    case = assigned_case()
    data = {f"grade_{q.pk}": "good" for q in default_questions()} | {
        "summary": "Mine",
        "version": "0",
        "submit": "draft",
    }
    page = _as(client, "conference_chair").post(reverse("quality:audit_form", args=[case.pk]), data)
    assert page.status_code == 200
    assert "Someone else saved changes" in page.content.decode()
    assert "Mine" in page.content.decode()


def test_reading_an_audit_is_logged_and_others_get_404(client: Client) -> None:
    case = assigned_case()
    page = _as(client, "conference_chair").get(reverse("quality:audit_case", args=[case.pk]))
    assert page.status_code == 200
    log = AccessLogEntry.objects.filter(action="view_audit").latest("pk")
    assert log.user == persona("conference_chair") and log.record_id == str(case.pk)
    assert f"people.person:{case.person_id}" in log.detail["subjects"]
    assert (
        _as(Client(), "social_worker").get(reverse("quality:audit_case", args=[case.pk])).status_code == 404
    )
    assert _as(Client(), "gp").get(reverse("quality:audit_case", args=[case.pk])).status_code == 404


def test_the_case_page_shows_every_agencys_part_side_by_side(client: Client) -> None:
    case = assigned_case(multi_agency=True)
    part = case.parts.get()
    data = {f"grade_{q.pk}": "requires_improvement" for q in default_questions()} | {
        "overall_grade": "requires_improvement",
        "summary": "Attendance worries not shared",
        "version": "1",
        "submit": "submit",
    }
    dsl = _as(client, "school_dsl")
    assert dsl.get(reverse("quality:audits")).content.decode().count(part.agency.name) >= 1
    assert dsl.post(reverse("quality:audit_part", args=[part.pk]), data).status_code == 302
    page = _as(Client(), "team_manager").get(reverse("quality:audit_case", args=[case.pk]))
    assert "Each agency's part" in page.content.decode()
    assert "Attendance worries not shared" in page.content.decode()


def test_a_finding_and_its_action_reach_the_worker_who_marks_it_done(client: Client) -> None:
    case = submitted_case()
    due = timezone.localdate() + datetime.timedelta(days=7)
    finding = {
        "theme": str(default_questions()[4].pk),
        "text": "Supervision is not recorded",
        "for_worker": "on",
        "action": "Book supervision and record it",
        "due_on_day": str(due.day),
        "due_on_month": str(due.month),
        "due_on_year": str(due.year),
    }
    assert (
        _as(client, "conference_chair")
        .post(reverse("quality:audit_add_finding", args=[case.pk]), finding)
        .status_code
        == 302
    )
    worker = _as(Client(), "social_worker")
    landing = worker.get(reverse("quality:audits")).content.decode()
    assert "Book supervision and record it" in landing
    action = AuditAction.objects.get()
    assert (
        worker.post(
            reverse("quality:audit_action", args=[action.pk]), {"note": "Booked", "version": "1"}
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.done_at is not None


def test_themes_report_and_csv_name_no_child(client: Client) -> None:
    case = submitted_case("inadequate")
    _as(client, "analyst")
    page = client.get(reverse("quality:audit_themes"))
    assert page.status_code == 200
    assert case.person.full_name not in page.content.decode()
    csv = client.get(reverse("quality:audit_themes_csv"), {"programme": str(case.programme_id)})
    text = csv.content.decode("utf-8-sig")
    assert "Overall,Inadequate,1,1,0,0" in text
    assert case.person.family_name not in text
    assert _as(Client(), "social_worker").get(reverse("quality:audit_themes")).status_code == 403
