"""The support pages as users reach them: asking from the episode page, the queue and
its access-log row, the requester's list resetting "done since you last looked", a stale
"done" form, and the report's figures."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.support.actions import tasks as actions
from jigsaw.support.models import DelegatedTask, TaskStatus
from jigsaw.support.queries.tasks import requests_summary
from jigsaw.support.tests.helpers import ask, open_episode
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_a_social_worker_asks_from_the_episode_page(client: Client) -> None:
    referral = open_episode()
    client.force_login(persona("social_worker"))
    page = client.get(reverse("casework:referral", args=[referral.pk])).content.decode()
    assert "No admin has been asked for in this episode." in page
    assert reverse("support:new_task", args=[referral.pk]) in page
    needed = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(
        reverse("support:new_task", args=[referral.pk]),
        {
            "kind": "chase_report",
            "details": "The GP's report for the conference",
            "due_on_day": needed.day,
            "due_on_month": needed.month,
            "due_on_year": needed.year,
            "assignee": "",
        },
    )
    assert response.status_code == 302
    task = DelegatedTask.objects.get()
    assert (task.kind, task.due_on, task.team_id) == ("chase_report", needed, referral.team_id)
    page = client.get(reverse("casework:referral", args=[referral.pk])).content.decode()
    assert "Chase a partner&#x27;s report" in page and "Waiting to be taken" in page


def test_a_request_with_nothing_filled_in_says_what_is_missing(client: Client) -> None:
    referral = open_episode()
    client.force_login(persona("social_worker"))
    page = client.post(reverse("support:new_task", args=[referral.pk]), {}).content.decode()
    assert "Choose what needs doing" in page
    assert "Say what is needed" in page
    assert "Enter the date it is needed by" in page
    assert not DelegatedTask.objects.exists()


def test_the_queue_names_the_children_and_logs_the_read(client: Client) -> None:
    task = ask()
    client.force_login(persona("business_support"))
    page = client.get(reverse("support:queue")).content.decode()
    assert task.person.full_name in page
    entry = AccessLogEntry.objects.get(action="view_support_queue")
    assert entry.user_id == persona("business_support").pk
    assert entry.detail["subjects"] == [f"people.person:{task.person_id}"]


def test_looking_at_my_requests_resets_what_is_new(client: Client) -> None:
    task = ask()
    officer = persona("business_support")
    actions.take_task(actor=officer, task_id=task.pk, expected_version=1)
    actions.complete_task(actor=officer, task_id=task.pk, expected_version=2, note="Booked", booked="Room 4")
    worker = persona("social_worker")
    client.force_login(worker)
    assert "1 done since you last looked" in client.get(reverse("casework:my_work")).content.decode()
    page = client.get(reverse("support:my_requests")).content.decode()
    assert "Room 4" in page
    assert requests_summary(worker, today=timezone.localdate()).done_since_last_look == 0
    assert "done since you last looked" not in client.get(reverse("casework:my_work")).content.decode()


def test_a_stale_done_form_keeps_the_note_and_says_why(client: Client) -> None:
    task = ask()
    officer = persona("business_support")
    actions.take_task(actor=officer, task_id=task.pk, expected_version=1)
    client.force_login(officer)
    page = client.post(
        reverse("support:complete", args=[task.pk]),
        {"note": "Room booked", "booked": "Room 1", "version": 1},
    ).content.decode()
    assert "Someone else saved changes to this task" in page and "Room booked" in page
    task.refresh_from_db()
    assert task.status == TaskStatus.TAKEN


def test_the_report_shows_the_figures_to_a_manager(client: Client) -> None:
    task = ask()
    officer = persona("business_support")
    actions.take_task(actor=officer, task_id=task.pk, expected_version=1)
    actions.complete_task(actor=officer, task_id=task.pk, expected_version=2, note="Booked", booked="Room 4")
    client.force_login(persona("team_manager"))
    page = client.get(reverse("support:report")).content.decode()
    assert "Delegated admin" in page and "Book a room" in page
    assert "0.3" in page  # 20 minutes saved
    assert task.person.full_name not in page
