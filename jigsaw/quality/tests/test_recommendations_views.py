"""The pages of recommendations through the client: the landing page for owners and for the
partnership, a set added and a recommendation answered through the forms, a stale form, the
CSV import with its errors and template, an owner's progress with evidence, and the
scrutiny report as a page and a PDF."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from jigsaw.access.models import AccessLogEntry
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
)
from jigsaw.quality.tests.recommendations_helpers import DSL_EMAIL, set_with_action
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _as(client: Client, who: str) -> Client:
    client.force_login(persona(who))
    return client


def test_the_owner_sees_their_actions_overdue_first_and_no_sets(client: Client) -> None:
    made = set_with_action(due_on=datetime.date(2026, 10, 1))
    client.force_login(made.owner)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        page = client.get(reverse("quality:recommendations"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Actions you own" in text and "1 open, <strong>1 past its due date</strong>" in text
    assert "Train every member of staff in recording concerns" in text and "Overdue" in text
    assert "Sets of recommendations" not in text


def test_the_partnership_adds_a_set_and_a_recommendation_and_records_the_response(client: Client) -> None:
    _as(client, "partnership_member")
    refused = client.post(reverse("quality:recommendation_set_new"), {})
    assert "Enter the title of the report" in refused.content.decode()
    response = client.post(
        reverse("quality:recommendation_set_new"),
        {
            "title": "Children's services scrutiny: early help",
            "source": "scrutiny_committee",
            "source_date_0": "3",
            "source_date_1": "6",
            "source_date_2": "2026",
            "reports_to": "Children's Services Scrutiny Committee",
        },
    )
    created = RecommendationSet.objects.get()
    assert response["Location"] == reverse("quality:recommendation_set", args=[created.pk])
    agency = persona("police_officer").practitioner.agency
    client.post(
        reverse("quality:recommendation_new", args=[created.pk]),
        {"number": "1", "text": "Share incident logs with schools", "agency": agency.pk},
    )
    rec = Recommendation.objects.get()
    page = client.get(reverse("quality:recommendation", args=[rec.pk])).content.decode()
    assert "Awaiting response" in page and "the owning agency has not responded" in page
    missing = client.post(
        reverse("quality:recommendation_response", args=[rec.pk]),
        {"version": "1", "response": "not_accepted"},
    )
    assert "Say why the recommendation is not accepted" in missing.content.decode()
    client.post(
        reverse("quality:recommendation_response", args=[rec.pk]),
        {"version": "1", "response": "not_accepted", "comment": "Logs are shared already"},
    )
    stale = client.post(
        reverse("quality:recommendation_response", args=[rec.pk]),
        {"version": "1", "response": "accepted", "comment": ""},
    )
    assert "Someone else saved changes to this recommendation" in stale.content.decode()
    rec.refresh_from_db()
    assert (rec.response, rec.response_comment, rec.version) == ("not_accepted", "Logs are shared already", 2)


def test_the_partnership_sets_the_status_and_the_page_says_who_and_why(client: Client) -> None:
    made = set_with_action(due_on=datetime.date(2026, 10, 1))
    _as(client, "partnership_member")
    url = reverse("quality:recommendation_status", args=[made.recommendation.pk])
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        assert "Its actions make it <strong>red</strong>" in client.get(url).content.decode()
        client.post(url, {"version": "2", "rag": "amber", "reason": "Training is booked"})
        page = client.get(reverse("quality:recommendation", args=[made.recommendation.pk])).content.decode()
    assert "Set by Partnership Member Persona on 2 November 2026: Training is booked" in page
    assert "Its actions alone would make it red" in page


def test_the_owner_records_progress_with_evidence_and_others_download_it(client: Client) -> None:
    made = set_with_action(due_on=datetime.date(2026, 12, 1))
    client.force_login(made.owner)
    url = reverse("quality:recommendation_action", args=[made.action.pk])
    assert "Record progress" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": "1",
            "note": "Twelve of fifteen staff trained",
            "evidence": SimpleUploadedFile("register.pdf", b"%PDF-1.4 list", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    evidence = ProgressEvidence.objects.get()
    _as(client, "team_manager")
    page = client.get(url).content.decode()
    assert "Twelve of fifteen staff trained" in page and "register.pdf" in page
    assert "Record progress" not in page  # a manager who does not own it reads, not writes
    assert client.post(url, {"version": "2", "note": "X"}).status_code == 403
    download = client.get(reverse("quality:recommendation_evidence", args=[evidence.pk]))
    assert download.content == b"%PDF-1.4 list"
    assert download["Content-Disposition"] == 'attachment; filename="register.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AccessLogEntry.objects.filter(
        action="download_progress_evidence", record_id=str(evidence.pk)
    ).exists()
    _as(client, "gp")
    assert client.get(url).status_code == 404
    assert client.get(reverse("quality:recommendation_evidence", args=[evidence.pk])).status_code == 404


def _set_fields(title: str) -> dict[str, str]:
    return {
        "title": title,
        "source": "national_review",
        "reports_to": "Riverford Safeguarding Children Partnership Board",
    }


def test_the_import_page_lists_every_bad_line_then_takes_a_good_file(client: Client) -> None:
    set_with_action(due_on=datetime.date(2026, 12, 1))  # the DSL with their e-mail address
    _as(client, "partnership_member")
    page = client.get(reverse("quality:recommendation_import")).content.decode()
    assert "<code>action_owner_email</code>" in page and "Download a template file" in page
    template = client.get(reverse("quality:recommendation_import_template"))
    assert template.content.decode().startswith("number,recommendation,owning_agency,response,")
    header = "number,recommendation,owning_agency,response,response_comment,action,action_owner_email,action_due_date\n"
    bad = header + f"1,Learn from it.,Riverside Primary School,Accepted,,Do it,{DSL_EMAIL},tomorrow\n"
    refused = client.post(
        reverse("quality:recommendation_import"),
        _set_fields("National review")
        | {"file": SimpleUploadedFile("r.csv", bad.encode(), content_type="text/csv")},
    )
    text = refused.content.decode()
    assert "The file has 1 problem: nothing has been saved" in text
    assert "Due date tomorrow is not a date (write it as 31/03/2027)" in text
    assert RecommendationSet.objects.count() == 1
    good = bad.replace("tomorrow", "31/03/2027")
    response = client.post(
        reverse("quality:recommendation_import"),
        _set_fields("National review")
        | {"file": SimpleUploadedFile("r.csv", good.encode(), content_type="text/csv")},
    )
    imported = RecommendationSet.objects.get(title="National review")
    assert response["Location"] == reverse("quality:recommendation_set", args=[imported.pk])
    assert RecommendationAction.objects.filter(recommendation__recommendation_set=imported).count() == 1


def test_the_scrutiny_report_as_a_page_and_a_pdf(client: Client) -> None:
    made = set_with_action(due_on=datetime.date(2026, 10, 1))
    _as(client, "analyst")
    chooser = client.get(reverse("quality:recommendation_report")).content.decode()
    assert "Child safeguarding practice review: Child R" in chooser
    assert "Riverford Safeguarding Children Partnership Board" in chooser
    with time_machine.travel(datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)):
        page = client.get(reverse("quality:recommendation_report"), {"set": made.recommendation_set.pk})
        pdf = client.get(reverse("quality:recommendation_report_pdf"), {"set": made.recommendation_set.pk})
    text = page.content.decode()
    assert "Schools should record every safeguarding concern on the day it is raised." in text
    assert "School Dsl Persona, Riverside Primary School" in text and "Overdue" in text
    assert pdf["Content-Type"] == "application/pdf"
    words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Schools should record every safeguarding concern" in words
    assert "RED" in words and "Train every member of staff" in words
    export = AccessLogEntry.objects.filter(action="export").order_by("-pk").first()
    assert export is not None and export.detail["what"] == "recommendation report"
    assert client.get(reverse("quality:recommendation_report_pdf")).status_code == 302
    _as(client, "social_worker")
    assert (
        client.get(reverse("quality:recommendation_report"), {"set": made.recommendation_set.pk}).status_code
        == 403
    )
