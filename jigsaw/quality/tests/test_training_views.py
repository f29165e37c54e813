"""The training pages: your own record, the offer, adding a course and a session,
booking, recording a session's attendance in one form, take-up and the overdue export."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.quality.models.training import Attendance, AttendanceStatus, Course, Learner, TrainingSession
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, who: str) -> Client:
    client.force_login(persona(who))
    return client


def test_the_partnership_builds_a_course_books_and_records_attendance(client: Client) -> None:
    _signed_in(client, "partnership_member")
    refused = client.post(reverse("quality:training_new_course"), {"kind": "single_agency"})
    text = refused.content.decode()
    assert "There is a problem" in text and "Enter the course title" in text
    created = client.post(
        reverse("quality:training_new_course"),
        {
            "title": "Governor safeguarding training",
            "kind": "governor",
            "refresher_months": "36",
            "mandatory_groups": ["school_governor"],
        },
    )
    course = Course.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "quality:training_course", args=[course.pk]
    )
    assert course.mandatory_groups == ["school_governor"]

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session_response = client.post(
        reverse("quality:training_new_session", args=[course.pk]),
        {
            "day_day": str(yesterday.day),
            "day_month": str(yesterday.month),
            "day_year": str(yesterday.year),
            "starts": "18:00",
            "ends": "20.30",
            "online": "on",
            "trainer": "Partnership training officer",
            "places": "12",
        },
    )
    session = TrainingSession.objects.get()
    assert session_response.status_code == 302 and session.online and session.where == "Online"

    learner = Learner.objects.create(
        full_name="Grace Ashworth", group="school_governor", body="Riverside Primary School governing board"
    )
    worker = persona("social_worker")
    found = client.get(reverse("quality:training_book", args=[session.pk]), {"q": "ash"}).content.decode()
    assert "Grace Ashworth" in found
    client.post(
        reverse("quality:training_book", args=[session.pk]),
        {
            "version": "1",
            "learner": [str(learner.pk)],
            "practitioner": [str(worker.practitioner.pk)],
            "q": "ash",
        },
    )
    assert Attendance.objects.count() == 2
    page = client.get(reverse("quality:training_session", args=[session.pk])).content.decode()
    assert "Grace Ashworth" in page and "Save attendance" in page
    worker_learner = Learner.objects.get(practitioner=worker.practitioner)
    saved = client.post(
        reverse("quality:training_session", args=[session.pk]),
        {"version": "2", f"status_{learner.pk}": "attended", f"status_{worker_learner.pk}": "did_not_attend"},
    )
    assert saved.status_code == 302
    assert Attendance.objects.get(learner=learner).status == AttendanceStatus.ATTENDED
    stale = client.post(
        reverse("quality:training_session", args=[session.pk]),
        {"version": "2", f"status_{learner.pk}": "cancelled"},
    ).content.decode()
    assert "Someone else saved changes" in stale


def test_everyone_sees_their_own_training_on_the_landing_page(client: Client) -> None:
    page = _signed_in(client, "gp").get(reverse("quality:training"))
    assert page.status_code == 200 and "Your training" in page.content.decode()
    assert "Add a course" not in page.content.decode()


def test_take_up_and_the_overdue_export(client: Client) -> None:
    Course.objects.create(
        title="Safeguarding awareness for elected members",
        kind="councillor_awareness",
        refresher_months=24,
        mandatory_groups=["councillor"],
        created_by=persona("partnership_member"),
    )
    Learner.objects.create(
        full_name="Councillor Priya Nair", group="councillor", body="Riverford Council (elected members)"
    )
    _signed_in(client, "analyst")
    takeup = client.get(reverse("quality:training_takeup")).content.decode()
    assert "Riverford Council (elected members)" in takeup and "0% of 1 are trained" in takeup
    overdue = client.get(reverse("quality:training_overdue")).content.decode()
    assert "Councillor Priya Nair" in overdue and "Never trained" in overdue
    export = client.get(reverse("quality:training_overdue_csv"))
    body = export.content.decode("utf-8-sig")
    assert "Councillor Priya Nair" in body and body.splitlines()[0].startswith("Course,Learner")
    assert AccessLogEntry.objects.filter(action="export_training_overdue").exists()
    assert client.get(reverse("quality:training_new_course")).status_code == 403
