from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jigsaw.access.models import AccessLogEntry
from jigsaw.performance import actions
from jigsaw.performance.indicators import Indicator
from jigsaw.performance.models import BoardReport, Commentary
from jigsaw.performance.tests.board_report_helpers import catalogue, contact_on  # noqa: F401
from tests.factories import persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(datetime.datetime(2026, 5, 12, 10, tzinfo=datetime.UTC), tick=False):
        yield


def _report() -> BoardReport:
    return BoardReport.objects.create(
        year=2026, quarter=1, created_by=persona("team_manager"), created_at=timezone.now()
    )


def test_the_list_offers_the_quarters_and_starts_a_report(client: Client) -> None:
    client.force_login(persona("team_manager"))

    page = client.get(reverse("performance:board_reports")).content.decode()
    assert "Quarter 2 2026 (April to June 2026)" in page and "Under way" in page
    assert "Quarter 3 2024 (July to September 2024)" in page  # eight quarters back
    assert "Start the report" in page

    response = client.post(reverse("performance:board_report_start"), {"year": "2026", "quarter": "1"})

    report = BoardReport.objects.get()
    assert response["Location"] == reverse("performance:board_report", args=[report.pk])
    assert (report.year, report.quarter) == (2026, 1)
    page = client.get(reverse("performance:board_reports")).content.decode()
    assert reverse("performance:board_report", args=[report.pk]) in page


def test_a_second_start_of_a_quarter_is_refused_with_a_message(client: Client) -> None:
    _report()
    client.force_login(persona("analyst"))

    response = client.post(reverse("performance:board_report_start"), {"year": "2026", "quarter": "1"})

    assert response.status_code == 400
    assert "There is already a report for Quarter 1 2026" in response.content.decode()
    assert BoardReport.objects.count() == 1
    bad = client.post(reverse("performance:board_report_start"), {"year": "twenty", "quarter": "1"})
    assert bad.status_code == 400 and "Choose a quarter from the list" in bad.content.decode()


def test_the_report_page_shows_the_figures_and_saves_commentary(
    client: Client,
    catalogue: dict[str, Indicator],  # noqa: F811 - the fixture
) -> None:
    contact_on(datetime.date(2026, 2, 3))
    contact_on(datetime.date(2026, 2, 4), consent="refused")
    report = _report()
    client.force_login(persona("partnership_member"))
    url = reverse("performance:board_report", args=[report.pk])

    page = client.get(url).content.decode()
    assert "Quarterly performance report: Quarter 1 2026 (January to March 2026)" in page
    assert "Contacts made with consent" in page and "50.0%" in page and "Target not met" in page
    assert 'for="commentary-test_consent"' in page and 'for="commentary-summary"' in page
    assert AccessLogEntry.objects.filter(action="view_board_report", record_id=str(report.pk)).exists()

    response = client.post(
        url, {"indicator": "test_consent", "text": "One family refused consent.", "version": "0"}
    )

    assert response.status_code == 302 and response["Location"] == f"{url}#indicator-test_consent"
    assert (
        Commentary.objects.get(report=report, indicator="test_consent").text == "One family refused consent."
    )
    assert "One family refused consent." in client.get(url).content.decode()


def test_a_stale_commentary_form_is_refused_and_keeps_both_texts(
    client: Client,
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    report = _report()
    actions.save_commentary(
        actor=persona("team_manager"), report_id=report.pk, indicator="", text="Theirs", expected_version=0
    )
    client.force_login(persona("analyst"))
    url = reverse("performance:board_report", args=[report.pk])

    response = client.post(url, {"indicator": "", "text": "Mine, from an old form", "version": "0"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else saved changes to this commentary after you opened it" in page
    assert "Mine, from an old form" in page and "Theirs" in page
    assert '<input type="hidden" name="version" value="1">' in page  # a second save goes through
    assert Commentary.objects.get(report=report).text == "Theirs"


def test_those_who_may_not_write_commentary_cannot_post_it(
    client: Client,
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    report = _report()
    client.force_login(persona("social_worker"))

    response = client.post(
        reverse("performance:board_report", args=[report.pk]), {"indicator": "", "text": "X", "version": "0"}
    )

    assert response.status_code == 403
    assert not Commentary.objects.exists()
    start = client.post(reverse("performance:board_report_start"), {"year": "2026", "quarter": "2"})
    assert start.status_code == 403
    assert BoardReport.objects.count() == 1


def test_the_pdf_has_the_quarter_the_indicators_and_the_commentary(
    client: Client,
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    contact_on(datetime.date(2026, 3, 9))
    report = _report()
    actions.save_commentary(
        actor=persona("team_manager"),
        report_id=report.pk,
        indicator="test_contacts",
        text="Contacts fell after the half-term holiday.",
        expected_version=0,
    )
    client.force_login(persona("team_manager"))

    response = client.get(reverse("performance:board_report_pdf", args=[report.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="board-report-2026-q1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    words = " ".join(pages)
    assert "Quarterly performance report" in pages[0] and "Quarter 1 2026 (January to March 2026)" in pages[0]
    assert "Riverford City Council" in pages[0]
    assert "Contents" in pages[1]
    assert "Contacts made with consent" in words and "Contacts received" in words
    assert "Contacts fell after the half-term holiday." in words
    assert "No commentary written" in words  # the summary and the other indicator
    assert f"Page 1 of {len(reader.pages)}" in pages[0]
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (210, 297)  # A4
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.detail == {"what": "board report", "year": 2026, "quarter": 1}


def test_a_missing_report_is_not_found(client: Client) -> None:
    client.force_login(persona("analyst"))
    assert client.get(reverse("performance:board_report", args=[999])).status_code == 404
    assert client.get(reverse("performance:board_report_pdf", args=[999])).status_code == 404
