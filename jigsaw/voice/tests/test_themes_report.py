"""The partnership's themes report on known data: responses per quarter, answers as counts
and percentages, themes counted, and advocate coverage of conferences by month. Then the
page itself: figures only, no child named."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.casework.models import ChildProtectionConference
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.models.feedback import FamilyFeedback, FeedbackLink
from jigsaw.voice.queries.themes import Share, quarters_up_to, themes_report
from jigsaw.voice.tests.helpers import child_with_feedback_occasions
from tests.casework_factories import make_referral
from tests.factories import persona
from tests.protection_factories import make_conference

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 8, 15)


def _feedback(
    conference: ChildProtectionConference,
    given_on: datetime.date,
    given_by: str,
    *,
    by_link: bool = False,
    listened: str = "",
    themes: list[str] | None = None,
) -> FamilyFeedback:
    person = conference.children.get().referral.person
    link = None
    if by_link:
        link = FeedbackLink.objects.create(
            person=person,
            conference=conference,
            given_by=given_by,
            token_hash=f"{FeedbackLink.objects.count():064d}",
            created_by=persona("social_worker"),
            created_at=timezone.now(),
            expires_at=timezone.now() + datetime.timedelta(days=28),
            used_at=timezone.now(),
        )
    return FamilyFeedback.objects.create(
        person=person,
        conference=conference,
        given_by=given_by,
        how="link" if by_link else "paper",
        given_on=given_on,
        listened=listened,
        themes=themes or [],
        link=link,
        recorded_by=None if by_link else persona("social_worker"),
        recorded_at=timezone.now(),
    )


def _known_feedback() -> None:
    conference = child_with_feedback_occasions(conference_on=datetime.date(2026, 7, 1)).conference
    _feedback(conference, datetime.date(2026, 7, 20), "child", listened="yes", themes=["jargon"])
    _feedback(
        conference,
        datetime.date(2026, 8, 2),
        "parent",
        by_link=True,
        listened="no",
        themes=["meeting_too_long", "jargon"],
    )
    _feedback(conference, datetime.date(2026, 8, 14), "carer")
    _feedback(conference, datetime.date(2026, 5, 5), "parent", listened="partly", themes=["advocate_helped"])
    # Before the four quarters: not counted.
    _feedback(conference, datetime.date(2025, 9, 30), "parent", listened="no", themes=["jargon"])


def test_the_quarters_are_the_four_up_to_today_oldest_first() -> None:
    assert [q.label for q in quarters_up_to(TODAY)] == [
        "October to December 2025",
        "January to March 2026",
        "April to June 2026",
        "July to September 2026",
    ]


def test_responses_answers_and_themes_are_counted_by_quarter() -> None:
    _known_feedback()
    report = themes_report(today=TODAY)

    rows = {row.label: row for row in report.responses}
    assert [c.count for c in rows["All responses"].cells] == [0, 0, 1, 3]
    assert rows["All responses"].total.count == 4
    assert [c.count for c in rows["From children and young people"].cells] == [0, 0, 0, 1]
    assert rows["From children and young people"].cells[3].percent == 33
    assert [c.count for c in rows["Through a feedback link"].cells] == [0, 0, 0, 1]
    assert rows["On paper"].total == Share(3, 4)

    listened = {row.label: row for row in report.questions[0].rows}
    assert report.questions[0].text == "Did you feel listened to?"
    assert [c.count for c in listened["Yes"].cells] == [0, 0, 0, 1]
    assert [c.percent for c in listened["Yes"].cells] == [None, None, 0, 33]
    assert listened["A bit"].cells[2] == Share(1, 1) and listened["A bit"].cells[2].percent == 100
    assert listened["No"].total == Share(1, 4)
    assert listened["Not answered"].total == Share(1, 4)

    themes = {row.label: row for row in report.themes}
    assert report.themes[0].label == "Jargon or hard words"
    assert themes["Jargon or hard words"].total == Share(2, 3)
    assert themes["Jargon or hard words"].total.percent == 67
    assert themes["Jargon or hard words"].cells[3] == Share(2, 2)
    assert themes["Meeting too long"].total.count == 1
    assert themes["Advocate helped"].cells[2] == Share(1, 1)
    assert themes["Worker changes"].total.count == 0
    assert [c.count for c in report.untagged.cells] == [0, 0, 0, 1]


def test_advocate_coverage_of_conferences_by_month() -> None:
    chair = persona("conference_chair")

    def conference(day: datetime.date, *, held: bool = True) -> ChildProtectionConference:
        return make_conference([make_referral()], date=day, held=held)

    with_advocate = conference(datetime.date(2026, 8, 3))
    conference(datetime.date(2026, 8, 10))  # nothing recorded
    offered_only = conference(datetime.date(2026, 7, 8))
    conference(datetime.date(2026, 7, 9), held=False)  # not held: not counted
    for found, attended in ((with_advocate, True), (offered_only, False)):
        AdvocacyRecord.objects.create(
            conference=found,
            offered=True,
            attended=attended,
            organisation="Riverford Family Advocacy" if attended else "",
            recorded_by=chair,
            recorded_at=timezone.now(),
        )

    report = themes_report(today=TODAY)

    months = {month.label: month for month in report.advocacy}
    assert len(report.advocacy) == 12 and report.advocacy[0].label == "September 2025"
    august, july = months["August 2026"], months["July 2026"]
    assert (august.conferences, august.offered, august.attended, august.not_recorded) == (
        2,
        Share(1, 2),
        Share(1, 2),
        1,
    )
    assert (july.conferences, july.offered.percent, july.attended.percent, july.not_recorded) == (
        1,
        100,
        0,
        0,
    )
    assert months["June 2026"].conferences == 0 and months["June 2026"].offered.percent is None
    total = report.advocacy_total
    assert (total.conferences, total.offered.percent, total.attended.percent, total.not_recorded) == (
        3,
        67,
        33,
        1,
    )


def test_the_report_page_shows_figures_and_names_no_child(client: Client) -> None:
    _known_feedback()
    person_name = FamilyFeedback.objects.first().person.family_name  # type: ignore[union-attr]
    client.force_login(persona("partnership_member"))
    page = client.get(reverse("voice:themes_report"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Jargon or hard words" in text
    assert person_name not in text
    assert "The reports came" not in text
