"""Section 11 pages: setting up and sending a round, answering it as the agency, the error
summary in the user's words, a stale form, the comparison and its CSV."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.quality.models.section11 import Rating, ReturnStatus, Section11Round
from jigsaw.quality.tests.test_section11_actions import return_of, sent_round
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_the_partnership_sets_up_and_sends_a_round(client: Client) -> None:
    client.force_login(persona("partnership_member"))
    gp = persona("gp").practitioner.agency

    response = client.post(
        reverse("quality:section11_round_new"),
        {
            "title": "Section 11 2026",
            "period": "April 2025 to March 2026",
            "opens_on_day": "1",
            "opens_on_month": "4",
            "opens_on_year": "2026",
            "due_on_day": "30",
            "due_on_month": "6",
            "due_on_year": "2026",
            "agencies": [str(gp.pk)],
        },
    )
    round_ = Section11Round.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("quality:section11_round_send", args=[round_.pk]), {"version": round_.version}
    )
    assert response.status_code == 302
    page = client.get(reverse("quality:section11_round", args=[round_.pk])).content.decode()
    assert "Canal Street Surgery" in page and "Overdue" in page  # due 30 June 2026, not in


def test_a_round_without_agencies_is_refused_with_a_summary(client: Client) -> None:
    client.force_login(persona("partnership_member"))

    response = client.post(reverse("quality:section11_round_new"), {"title": "2026", "period": "2026"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose the agencies the round goes to" in page
    assert "Enter opens on" in page or "Enter the date the round opens" in page
    assert not Section11Round.objects.exists()


def test_the_agency_answers_and_submits(client: Client) -> None:
    round_ = sent_round("school_dsl")
    r = return_of(round_, "school_dsl")
    client.force_login(persona("school_dsl"))
    data: dict[str, str] = {"version": str(r.version), "submit": "submit"}
    for a in r.answers.all():
        data[f"rating_{a.standard_id}"] = Rating.FULLY_MET
        data[f"evidence_{a.standard_id}"] = "Training records and the annual audit"

    form_page = client.get(reverse("quality:section11_return", args=[r.pk])).content.decode()
    response = client.post(reverse("quality:section11_return", args=[r.pk]), data)

    assert "Submit the self-assessment" in form_page
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == ReturnStatus.SUBMITTED
    assert AccessLogEntry.objects.filter(action="submit_section11_return", record_id=str(r.pk)).count() == 1


def test_submitting_with_a_gap_and_no_action_says_what_to_do(client: Client) -> None:
    round_ = sent_round("school_dsl")
    r = return_of(round_, "school_dsl")
    client.force_login(persona("school_dsl"))
    data: dict[str, str] = {"version": str(r.version), "submit": "submit"}
    for a in r.answers.all():
        data[f"rating_{a.standard_id}"] = Rating.NOT_MET
        data[f"evidence_{a.standard_id}"] = "None yet"

    response = client.post(reverse("quality:section11_return", args=[r.pk]), data)

    page = response.content.decode()
    assert "There is a problem" in page
    assert "Standard 1 is not fully met: add an action to close the gap before you submit" in page
    r.refresh_from_db()
    assert r.status == ReturnStatus.NOT_STARTED


def test_a_stale_form_shows_the_conflict_and_keeps_the_answers(client: Client) -> None:
    round_ = sent_round("school_dsl")
    r = return_of(round_, "school_dsl")
    client.force_login(persona("school_dsl"))
    first = r.answers.order_by("standard__number").first()
    assert first is not None
    data = {"version": "1", "submit": "draft", f"evidence_{first.standard_id}": "First"}
    client.post(reverse("quality:section11_return", args=[r.pk]), data)

    response = client.post(
        reverse("quality:section11_return", args=[r.pk]), data | {f"evidence_{first.standard_id}": "Second"}
    )

    page = response.content.decode()
    assert "Someone else saved changes to this self-assessment" in page
    assert "Second" in page
    first.refresh_from_db()
    assert first.evidence == "First"


def test_another_agency_cannot_post_answers(client: Client) -> None:
    round_ = sent_round("school_dsl")
    r = return_of(round_, "school_dsl")
    client.force_login(persona("gp"))

    response = client.post(
        reverse("quality:section11_return", args=[r.pk]), {"version": "1", "submit": "draft"}
    )

    assert response.status_code == 404


def test_the_comparison_and_its_csv(client: Client) -> None:
    round_ = sent_round("school_dsl")
    r = return_of(round_, "school_dsl")
    client.force_login(persona("school_dsl"))
    data: dict[str, str] = {"version": str(r.version), "submit": "submit"}
    for a in r.answers.all():
        data[f"rating_{a.standard_id}"] = Rating.FULLY_MET
        data[f"evidence_{a.standard_id}"] = "=HYPERLINK(evil)"
    client.post(reverse("quality:section11_return", args=[r.pk]), data)
    client.force_login(persona("partnership_member"))

    page = client.get(reverse("quality:section11_grid", args=[round_.pk])).content.decode()
    csv = client.get(reverse("quality:section11_grid_csv", args=[round_.pk])).content.decode()

    assert "Riverside Primary School" in page and "8 / 0 / 0 / 0" in page
    assert "'=HYPERLINK(evil)" in csv  # a formula is made text
    assert (
        AccessLogEntry.objects.filter(action="export_section11_round", record_id=str(round_.pk)).count() == 1
    )


def test_the_list_pages_cost_the_same_whatever_the_number_of_rounds(
    client: Client, django_assert_max_num_queries: Callable[..., AbstractContextManager[object]]
) -> None:
    for _ in range(4):
        sent_round("gp", "school_dsl", "police_officer", "team_manager")
    last = Section11Round.objects.order_by("-pk").first()
    assert last is not None
    client.force_login(persona("partnership_member"))
    client.get(reverse("quality:section11"))  # warm the session and the standards

    with django_assert_max_num_queries(12):
        assert client.get(reverse("quality:section11")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("quality:section11_round", args=[last.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("quality:section11_grid", args=[last.pk]) + "?drafts=1").status_code == 200
