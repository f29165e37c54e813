"""The supervision pages: recording one from the child's record, the history (its read
in the access log), the overview, the policy, every team's figures, and marking an
action done; and the panel on My work."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction
from tests.casework_factories import make_referral
from tests.factories import persona

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, who: str) -> Client:
    client.force_login(persona(who))
    return client


def _form(worker_id: int, day: datetime.date, **extra: str) -> dict[str, str]:
    return {
        "supervised_on_day": str(day.day),
        "supervised_on_month": str(day.month),
        "supervised_on_year": str(day.year),
        "worker": str(worker_id),
        "discussion": "Mother's new partner is living at the address; the plan does not say so.",
        "decisions": "Update the assessment this week.",
        **extra,
    }


def test_a_manager_records_supervision_from_the_childs_record(client: Client) -> None:
    worker = persona("social_worker")
    referral = make_referral(worker=worker)
    _signed_in(client, "team_manager")
    child_page = client.get(reverse("people:detail", args=[referral.person_id])).content.decode()
    assert reverse("quality:record_supervision", args=[referral.person_id]) in child_page
    assert reverse("quality:child_supervision", args=[referral.person_id]) in child_page

    url = reverse("quality:record_supervision", args=[referral.person_id])
    form = client.get(url).content.decode()
    # The allocated worker is chosen already.
    assert f'<option value="{worker.pk}" selected>' in form
    today = timezone.localdate()
    refused = client.post(url, {"worker": str(worker.pk)})
    text = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in text
    assert "Say what was discussed" in text and "Enter the date of the supervision" in text

    due = today + datetime.timedelta(days=3)
    response = client.post(
        url,
        _form(
            worker.pk,
            today,
            action_1_description="Add the partner to the household and check him",
            action_1_owner=str(worker.pk),
            action_1_due_on_day=str(due.day),
            action_1_due_on_month=str(due.month),
            action_1_due_on_year=str(due.year),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("quality:child_supervision", args=[referral.person_id])
    supervision = CaseSupervision.objects.get()
    assert supervision.actions.get().owner == worker

    history = client.get(response["Location"]).content.decode()
    assert "Add the partner to the household and check him" in history
    entry = AccessLogEntry.objects.filter(action="view_supervision_history").latest("pk")
    assert (entry.record_type, entry.record_id) == ("people.person", str(referral.person_id))


def test_a_social_worker_sees_the_history_but_cannot_record(client: Client) -> None:
    referral = make_referral(worker=persona("social_worker"))
    _signed_in(client, "social_worker")
    page = client.get(reverse("quality:child_supervision", args=[referral.person_id]))
    assert page.status_code == 200 and "Record supervision" not in page.content.decode()
    assert client.get(reverse("quality:record_supervision", args=[referral.person_id])).status_code == 403


def test_the_overdue_action_shows_on_my_work_and_is_marked_done(client: Client) -> None:
    worker = persona("social_worker")
    start = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        referral = make_referral(worker=worker)
        client.force_login(persona("team_manager"))
        client.post(
            reverse("quality:record_supervision", args=[referral.person_id]),
            _form(
                worker.pk,
                start.date(),
                action_1_description="Chase the paediatric assessment",
                action_1_owner=str(worker.pk),
                action_1_due_on_day=str(start.day),
                action_1_due_on_month=str(start.month),
                action_1_due_on_year=str(start.year),
            ),
        )
    action = SupervisionAction.objects.get()
    with time_machine.travel(start + datetime.timedelta(days=2), tick=False):
        _signed_in(client, "social_worker")
        my_work = client.get(reverse("casework:my_work")).content.decode()
        assert "Overdue supervision actions (1)" in my_work
        assert "Chase the paediatric assessment" in my_work
        overview = client.get(reverse("quality:supervision")).content.decode()
        assert "Chase the paediatric assessment" in overview
        done = client.post(
            reverse("quality:complete_supervision_action", args=[action.pk]),
            {"version": str(action.version), "next": reverse("casework:my_work")},
        )
        assert done.status_code == 302 and done["Location"] == reverse("casework:my_work")
        assert "Overdue supervision actions" not in client.get(reverse("casework:my_work")).content.decode()
        stale = client.post(
            reverse("quality:complete_supervision_action", args=[action.pk]), {"version": str(action.version)}
        )
        assert stale.status_code == 302  # refused with a message, nothing changed twice
    action.refresh_from_db()
    assert action.done_by == worker


def test_the_manager_overview_names_overdue_cases_and_logs_the_read(client: Client) -> None:
    worker = persona("social_worker")
    start = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        referral = make_referral(worker=worker)
    with time_machine.travel(start + datetime.timedelta(days=40), tick=False):
        page = _signed_in(client, "team_manager").get(reverse("quality:supervision")).content.decode()
    assert referral.person.full_name in page and "never supervised" in page
    entry = AccessLogEntry.objects.get(action="view_supervision_overview")
    assert f"people.person:{referral.person_id}" in entry.detail["subjects"]


def test_the_policy_page_changes_the_interval(client: Client) -> None:
    _signed_in(client, "team_manager")
    url = reverse("quality:supervision_policy")
    assert "28" in client.get(url).content.decode()
    refused = client.post(url, {"interval_days": "3", "version": "1"})
    assert "Enter a number of days between 7 and 92" in refused.content.decode()
    assert client.post(url, {"interval_days": "14", "version": "1"}).status_code == 302
    stale = client.post(url, {"interval_days": "21", "version": "1"}).content.decode()
    assert "Someone else saved changes" in stale


def test_every_teams_figures_name_no_child(client: Client) -> None:
    referral = make_referral(worker=persona("social_worker"))
    page = _signed_in(client, "analyst").get(reverse("quality:supervision_teams")).content.decode()
    team = persona("team_manager").practitioner.team
    assert team is not None and team.name in page
    assert referral.person.family_name not in page
