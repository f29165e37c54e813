"""Practice review pages and the panel rule: the panel and the partnership see a review and
its documents; anyone else gets 404 for them (and for an unpublished review), but may read
a published summary. Every download is logged. The timeline says what is overdue."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.policy import practice_reviews_visible_to
from jigsaw.quality.actions import practice_reviews as actions
from jigsaw.quality.models.practice_reviews import PracticeReview, ReviewDocument
from jigsaw.quality.queries import practice_reviews as queries
from jigsaw.quality.tests.test_practice_reviews_actions import review_decided
from tests.factories import persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(
        datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        yield traveller


def with_document(review: PracticeReview) -> ReviewDocument:
    return actions.upload_document(
        actor=persona("partnership_member"),
        review_id=review.pk,
        kind="evidence",
        title="Police chronology",
        filename="chronology.txt",
        content_type="text/plain",
        content=b"10 March: call to the address",
    )


def test_the_panel_rule_in_the_policy() -> None:
    review = review_decided()
    chair = persona("conference_chair")
    review.panel.add(chair)

    assert list(practice_reviews_visible_to(persona("partnership_member"))) == [review]
    assert list(practice_reviews_visible_to(chair)) == [review]
    for who in ("social_worker", "team_manager", "school_dsl", "analyst", "data_protection_officer"):
        assert not practice_reviews_visible_to(persona(who)).exists()


def test_someone_off_the_panel_gets_404_for_the_documents(client: Client) -> None:
    review = review_decided()
    document = with_document(review)
    client.force_login(persona("team_manager"))

    assert client.get(reverse("quality:practice_review_document", args=[document.pk])).status_code == 404
    assert client.get(reverse("quality:practice_review", args=[review.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action="download_practice_review_document").exists()


def test_the_panel_downloads_and_each_download_is_logged(client: Client) -> None:
    review = review_decided()
    document = with_document(review)
    chair = persona("conference_chair")
    review.panel.add(chair)
    client.force_login(chair)

    response = client.get(reverse("quality:practice_review_document", args=[document.pk]))

    assert response.status_code == 200
    assert response.content == b"10 March: call to the address"
    assert response["Content-Disposition"] == 'attachment; filename="chronology.txt"'
    entry = AccessLogEntry.objects.get(action="download_practice_review_document")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        chair.pk,
        "quality.reviewdocument",
        str(document.pk),
    )


def test_a_published_review_shows_its_summary_to_everyone_but_not_its_confidential_parts(
    client: Client,
) -> None:
    member = persona("partnership_member")
    review = review_decided()
    review = actions.save_summary(
        actor=member, review_id=review.pk, expected_version=review.version, text="Agencies must share more"
    )
    review = actions.approve_summary(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        approved_on=datetime.date(2026, 5, 1),
    )
    client.force_login(persona("school_dsl"))
    before = client.get(reverse("quality:practice_review", args=[review.pk]))
    actions.publish(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        published_on=datetime.date(2026, 5, 2),
    )

    after = client.get(reverse("quality:practice_review", args=[review.pk])).content.decode()

    assert before.status_code == 404  # approved is not published
    assert "Agencies must share more" in after
    assert "fractured skull" not in after
    assert "Police chronology" not in after
    landing = client.get(reverse("quality:practice_reviews")).content.decode()
    assert "Child R" in landing


def test_the_timeline_shows_the_late_imrs(client: Client) -> None:
    member = persona("partnership_member")
    review = review_decided()
    police = persona("police_officer").practitioner.agency
    actions.request_imr(
        actor=member,
        review_id=review.pk,
        expected_version=review.version,
        agency_id=police.pk,
        requested_on=datetime.date(2026, 4, 23),
        due_on=datetime.date(2026, 5, 21),
    )
    review.refresh_from_db()

    steps = {s.name: s for s in queries.timeline(review, queries.imrs_of(review), datetime.date(2026, 6, 1))}

    assert steps["Rapid review"].state == "done"
    assert steps["Individual management reviews"].state == "overdue"
    assert "Riverford Police (due 21 May 2026)" in steps["Individual management reviews"].detail
    client.force_login(member)
    page = client.get(reverse("quality:practice_review", args=[review.pk])).content.decode()
    assert "Late" in page
    landing = client.get(reverse("quality:practice_reviews")).content.decode()
    assert "1 late" in landing


def test_an_overdue_rapid_review_is_flagged() -> None:
    review = actions.record_incident(
        actor=persona("partnership_member"),
        details=actions.IncidentDetails(
            title="Child S",
            what_happened="Found alone at home",
            incident_on=datetime.date(2026, 5, 1),
            notified_panel_on=datetime.date(2026, 5, 5),
        ),
    )

    steps = queries.timeline(review, [], datetime.date(2026, 6, 1))

    assert steps[1].name == "Rapid review" and steps[1].state == "overdue"


def test_viewing_a_review_logs_the_child(client: Client) -> None:
    review = review_decided()
    member = persona("partnership_member")
    client.force_login(member)

    client.get(reverse("quality:practice_review", args=[review.pk]))

    entry = AccessLogEntry.objects.filter(action="view_practice_review").get()
    assert (entry.user_id, entry.record_id) == (member.pk, str(review.pk))


def test_a_step_with_a_bad_date_shows_the_error_summary(client: Client) -> None:
    review = review_decided()
    client.force_login(persona("partnership_member"))

    response = client.post(
        reverse("quality:practice_review_step", args=[review.pk, "publish"]),
        {
            "version": review.version,
            "published_on_day": "30",
            "published_on_month": "2",
            "published_on_year": "2026",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "must be a real date" in page


def test_recording_an_incident_through_the_page(client: Client) -> None:
    client.force_login(persona("partnership_member"))

    response = client.post(
        reverse("quality:practice_review_new"),
        {
            "title": "Child T",
            "what_happened": "Taken to hospital unresponsive",
            "incident_on_day": "11",
            "incident_on_month": "5",
            "incident_on_year": "2026",
            "notified_panel_on_day": "13",
            "notified_panel_on_month": "5",
            "notified_panel_on_year": "2026",
        },
    )

    review = PracticeReview.objects.get(title="Child T")
    assert response.status_code == 302
    # 13 May 2026 + 15 working days, skipping the late May bank holiday (25 May).
    assert review.rapid_review_due_on == datetime.date(2026, 6, 4)


def test_uploading_through_the_page(client: Client) -> None:
    review = review_decided()
    client.force_login(persona("partnership_member"))

    response = client.post(
        reverse("quality:practice_review_upload", args=[review.pk]),
        {"kind": "draft", "title": "First draft", "file": SimpleUploadedFile("draft.txt", b"Draft one")},
    )

    assert response.status_code == 302
    assert review.documents.get().draft_number == 1


def test_a_manager_links_the_recommendations(client: Client) -> None:
    from django.utils import timezone

    from jigsaw.quality.models.recommendations import RecommendationSet

    review = review_decided()
    member = persona("partnership_member")
    chosen = RecommendationSet.objects.create(
        title="Child R: recommendations",
        source="practice_review",
        reports_to="Riverford Safeguarding Children Partnership",
        created_by=member,
        created_at=timezone.now(),
    )
    client.force_login(member)

    client.post(
        reverse("quality:practice_review_step", args=[review.pk, "recommendations"]),
        {"version": review.version, "recommendation_set": str(chosen.pk)},
    )

    review.refresh_from_db()
    assert review.recommendation_set == chosen
    page = client.get(reverse("quality:practice_review", args=[review.pk])).content.decode()
    assert reverse("quality:recommendation_set", args=[chosen.pk]) in page


def test_the_list_and_a_review_cost_a_handful_of_queries(
    client: Client, django_assert_max_num_queries: Callable[..., AbstractContextManager[object]]
) -> None:
    for _ in range(5):
        review = review_decided()
        with_document(review)
    client.force_login(persona("partnership_member"))
    client.get(reverse("quality:practice_reviews"))

    with django_assert_max_num_queries(10):
        assert client.get(reverse("quality:practice_reviews")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("quality:practice_review", args=[review.pk])).status_code == 200


def test_a_manager_adds_a_panel_member_by_username_or_email(client: Client) -> None:
    review = review_decided()
    gp = persona("gp")
    gp.email = "gp@canalstreet.example"
    gp.save()
    client.force_login(persona("partnership_member"))
    url = reverse("quality:practice_review_step", args=[review.pk, "panel"])

    unknown = client.post(url, {"version": review.version, "member": "nobody@example.org"})
    client.post(url, {"version": review.version, "member": "GP@canalstreet.example"})

    assert "Nobody signs in to Jigsaw with that username or e-mail address" in unknown.content.decode()
    assert review.panel.filter(pk=gp.pk).exists()
    client.force_login(gp)
    assert client.get(reverse("quality:practice_review", args=[review.pk])).status_code == 200
