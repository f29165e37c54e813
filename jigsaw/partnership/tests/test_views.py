"""The board's and guidance's pages through the real views: a meeting's attendance form,
the governance page's tables and chart data, guidance issued from its form, the "Guidance
to read" list, the one-click acknowledgement and the issuer's reading report."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.partnership.actions import board as actions
from jigsaw.partnership.models.board import BoardRole, MeetingAttendance
from jigsaw.partnership.models.guidance import GuidanceItem
from jigsaw.partnership.tests.helpers import appoint, council, keeper, police
from jigsaw.quality.tests.recommendations_helpers import set_with_action
from tests.factories import persona

pytestmark = pytest.mark.django_db


def test_the_board_pages_show_members_attendance_and_governance(client: Client) -> None:
    chief = appoint("Dana Blake", BoardRole.STATUTORY_PARTNER_LEAD, police())
    director = appoint("Lee Hart", BoardRole.STATUTORY_PARTNER_LEAD, council())
    meeting = actions.add_meeting(
        actor=keeper(),
        held_on=timezone.localdate() - datetime.timedelta(days=7),
        title="Board",
        agenda=["Minutes"],
    )
    client.force_login(keeper())
    page = client.get(reverse("partnership:attendance", args=[meeting.pk])).content.decode()
    assert "Dana Blake (Riverford Police)" in page
    response = client.post(
        reverse("partnership:attendance", args=[meeting.pk]),
        {
            "version": "1",
            f"status_{chief.pk}": "deputy",
            f"deputy_{chief.pk}": "",
            f"status_{director.pk}": "attended",
        },
    )
    assert "Enter the name of the deputy who came" in response.content.decode()
    assert not MeetingAttendance.objects.exists()
    response = client.post(
        reverse("partnership:attendance", args=[meeting.pk]),
        {
            "version": "1",
            f"status_{chief.pk}": "deputy",
            f"deputy_{chief.pk}": "Insp. Rao",
            f"status_{director.pk}": "attended",
        },
    )
    assert response.status_code == 302
    assert (
        "Sent a deputy: Insp. Rao"
        in client.get(reverse("partnership:meeting", args=[meeting.pk])).content.decode()
    )

    client.force_login(persona("analyst"))
    governance = client.get(reverse("partnership:governance")).content.decode()
    assert 'id="attendance-chart"' in governance and "100%" in governance
    assert "Health (integrated care board)" in governance and "No current member" in governance
    assert "0 of 2 lay member seats are filled" in governance
    assert "Appoint a member" not in client.get(reverse("partnership:board")).content.decode()


def test_guidance_goes_from_issue_to_acknowledgement_through_the_pages(client: Client) -> None:
    worker = persona("social_worker")
    gp = persona("gp")
    client.force_login(persona("partnership_member"))
    response = client.post(
        reverse("partnership:guidance_new"),
        {
            "title": "Working with fathers",
            "kind": "practice_note",
            "procedure_key": "",
            "audience": "chosen",
            "agencies": [str(worker.practitioner.agency_id)],
            "body": "Find out who the men in the household are.",
        },
    )
    item = GuidanceItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "partnership:guidance_readers", args=[item.pk]
    )
    assert "0 of 1 (0%) have read this version" in client.get(response["Location"]).content.decode()

    client.force_login(gp)
    assert "Working with fathers" not in client.get(reverse("partnership:guidance")).content.decode()
    assert client.get(reverse("partnership:guidance_item", args=[item.pk])).status_code == 404

    client.force_login(worker)
    listed = client.get(reverse("partnership:guidance")).content.decode()
    assert "Working with fathers" in listed.split("Guidance you have read")[0]
    page = client.get(reverse("partnership:guidance_item", args=[item.pk])).content.decode()
    assert "I have read this" in page
    version = item.versions.get()
    response = client.post(
        reverse("partnership:guidance_acknowledge", args=[item.pk]), {"version": str(version.pk)}
    )
    assert response.status_code == 302
    assert (
        "You have read all the guidance sent to you"
        in client.get(reverse("partnership:guidance")).content.decode()
    )
    assert AccessLogEntry.objects.filter(action="acknowledge_guidance", user_id=worker.pk).count() == 1

    client.force_login(persona("partnership_member"))
    readers = client.get(reverse("partnership:guidance_readers", args=[item.pk])).content.decode()
    assert "1 of 1 (100%) have read this version: nobody is outstanding" in readers


def test_a_recommendation_page_can_list_the_board_actions_that_answer_it() -> None:
    made = set_with_action(due_on=datetime.date(2026, 12, 1))
    meeting = actions.add_meeting(actor=keeper(), held_on=datetime.date(2026, 6, 1), title="Board")
    owner = appoint("Dana Blake", agency=police())
    actions.add_board_action(
        actor=keeper(),
        meeting_id=meeting.pk,
        details=actions.ActionDetails(
            description="Report progress on recording concerns",
            owner_id=owner.pk,
            due_on=datetime.date(2026, 9, 1),
            recommendation_id=made.recommendation.pk,
        ),
    )
    tag = Template("{% load partnership_tags %}{% board_actions_for recommendation %}")
    shown = tag.render(Context({"recommendation": made.recommendation}))
    assert "Report progress on recording concerns: Dana Blake, due 1 September 2026 (not started)" in shown
    assert f"{reverse('partnership:actions')}?recommendation={made.recommendation.pk}" in shown
    assert (
        tag.render(
            Context(
                {
                    "recommendation": made.recommendation.recommendation_set.recommendations.create(
                        number="9", text="Unrelated", agency=police()
                    )
                }
            )
        ).strip()
        == ""
    )
