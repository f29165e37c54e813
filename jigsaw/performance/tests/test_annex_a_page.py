"""The Annex A page, its download and the `jigsaw annex_a` command."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.performance.returns.annex_a import LISTS
from tests.casework_factories import make_contact, make_referral
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

D = datetime.date


def _records() -> None:
    child = make_person()
    make_contact(child, received_at=timezone.now() - datetime.timedelta(days=3))
    make_referral(child, referred_on=timezone.localdate() - datetime.timedelta(days=2))


def _as_at_query(day: datetime.date) -> dict[str, str]:
    return {"as_at_day": str(day.day), "as_at_month": str(day.month), "as_at_year": str(day.year)}


def test_the_page_counts_each_list_as_at_the_chosen_date(client: Client) -> None:
    _records()
    client.force_login(persona("analyst"))
    today = timezone.localdate()

    page = client.get(reverse("performance:annex_a"), _as_at_query(today)).content.decode()

    assert f"Annex A as at {today:%-d %B %Y}" in page
    assert '1. Contacts</th>\n      <td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert '3. Referrals</th>\n      <td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert f"/performance/returns/annex-a/download?as_at={today.isoformat()}" in page
    # Counting names nobody: nothing is logged until the download.
    assert not AccessLogEntry.objects.filter(action="export_annex_a").exists()


def test_the_page_offers_today_before_a_date_is_chosen(client: Client) -> None:
    client.force_login(persona("team_manager"))
    page = client.get(reverse("performance:annex_a")).content.decode()
    assert f'value="{timezone.localdate().year}"' in page
    assert "Download Annex A" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_at_day": "31", "as_at_month": "2", "as_at_year": "2026"}, "As-at date must be a real date"),
        ({"as_at_day": "", "as_at_month": "", "as_at_year": ""}, "Enter the as-at date"),
        ("tomorrow", "The as-at date must be today or in the past"),
    ],
)
def test_a_bad_as_at_date_gets_a_clear_message_and_no_counts(
    client: Client, query: dict[str, str] | str, message: str
) -> None:
    client.force_login(persona("analyst"))
    if isinstance(query, str):
        query = _as_at_query(timezone.localdate() + datetime.timedelta(days=1))

    page = client.get(reverse("performance:annex_a"), query).content.decode()

    assert "There is a problem" in page
    assert message in page
    assert "Download Annex A" not in page


def test_the_download_is_the_workbook_and_is_logged_once(client: Client) -> None:
    _records()
    analyst = persona("analyst")
    client.force_login(analyst)
    today = timezone.localdate()

    response = client.get(reverse("performance:annex_a_download"), {"as_at": today.isoformat()})

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="annex-a-{today:%Y-%m-%d}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert book.sheetnames == [x.sheet for x in LISTS]
    assert book["List 1"].max_row == 2
    [entry] = AccessLogEntry.objects.filter(action="export_annex_a")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        analyst.pk,
        "performance.annex_a",
        today.isoformat(),
    )
    assert entry.detail["rows"]["List 1"] == 1
    assert entry.detail["rows"]["List 3"] == 1


@pytest.mark.parametrize("raw", ["", "31/03/2026", "2026-02-30", "2999-01-01"])
def test_a_download_without_a_usable_date_goes_back_to_the_page(client: Client, raw: str) -> None:
    client.force_login(persona("analyst"))

    response = client.get(reverse("performance:annex_a_download"), {"as_at": raw})

    assert response.status_code == 302
    assert response["Location"] == reverse("performance:annex_a")
    assert not AccessLogEntry.objects.filter(action="export_annex_a").exists()


def test_a_social_worker_cannot_download_annex_a(client: Client) -> None:
    client.force_login(persona("social_worker"))
    response = client.get(
        reverse("performance:annex_a_download"), {"as_at": timezone.localdate().isoformat()}
    )
    assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action="export_annex_a").exists()


def test_the_performance_page_links_annex_a_for_those_who_run_returns(client: Client) -> None:
    client.force_login(persona("analyst"))
    assert reverse("performance:annex_a") in client.get(reverse("performance:home")).content.decode()
    client.force_login(persona("partnership_member"))
    assert reverse("performance:annex_a") not in client.get(reverse("performance:home")).content.decode()


def test_the_command_writes_a_workbook_with_the_published_headers(tmp_path: Path) -> None:
    _records()
    out = tmp_path / "annex_a.xlsx"
    as_at = timezone.localdate()
    stdout = io.StringIO()

    call_command("annex_a", out=str(out), as_at=as_at.isoformat(), stdout=stdout)

    book = openpyxl.load_workbook(out)
    for annex_list in LISTS:
        assert tuple(c.value for c in book[annex_list.sheet][1]) == annex_list.headers
    assert book["List 3"]["F2"].value.date() == as_at - datetime.timedelta(days=2)
    assert "List 1 (Contacts): 1 rows" in stdout.getvalue()
    [entry] = AccessLogEntry.objects.filter(action="export_annex_a")
    assert entry.user_id is None and entry.detail["via"] == "command"


@pytest.mark.parametrize(
    ("as_at", "message"),
    [("31/03/2026", "must be a date as YYYY-MM-DD"), ("2999-01-01", "cannot be in the future")],
)
def test_the_command_refuses_a_bad_as_at_date(tmp_path: Path, as_at: str, message: str) -> None:
    out = tmp_path / "annex_a.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("annex_a", out=str(out), as_at=as_at)
    assert not out.exists()
