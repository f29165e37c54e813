"""The census from the command line and from the returns page: validation first, the file
refused while errors remain (unless forced or confirmed), and the download logged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.models import Assessment
from jigsaw.performance.returns.cin_census import write_cin_census
from jigsaw.performance.returns.cin_validation import validate_cin_census, write_validated_cin_census
from jigsaw.performance.tests.cin_helpers import Journey, journey
from tests.factories import persona

pytestmark = pytest.mark.django_db

URL = reverse("performance:cin_census")
DOWNLOAD = reverse("performance:cin_census_download")


def break_it(j: Journey) -> None:
    """Factor 21 with another factor: an error (8869)."""
    Assessment.objects.filter(pk=j.assessment.pk).update(factors=["21", "3B"])


def test_the_hand_built_journey_passes_validation() -> None:
    journey()
    assert validate_cin_census(year=2026) == []


def test_the_command_writes_the_census(tmp_path: Path) -> None:
    j = journey()
    out = tmp_path / "cin.xml"

    call_command("cin_census", "--year", "2026", "--out", str(out))

    root = etree.parse(str(out)).getroot()
    assert root.findtext("Children/Child/ChildIdentifiers/LAchildID") == str(j.child.pk)
    entry = AccessLogEntry.objects.get(action="export_cin_census")
    assert (entry.record_id, entry.detail["children"], entry.detail["via"]) == ("2026", 1, "command")


def test_the_command_refuses_while_errors_remain_unless_forced(tmp_path: Path) -> None:
    break_it(journey())
    out = tmp_path / "cin.xml"

    with pytest.raises(CommandError, match="1 errors"):
        call_command("cin_census", "--year", "2026", "--out", str(out))
    assert not out.exists()
    assert not AccessLogEntry.objects.filter(action="export_cin_census").exists()

    call_command("cin_census", "--year", "2026", "--out", str(out), "--force")
    assert out.exists()


def test_the_command_says_what_is_wrong_with_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="year the collection ends"):
        call_command("cin_census", "--year", "26", "--out", str(tmp_path / "cin.xml"))
    with pytest.raises(CommandError, match="no folder"):
        call_command("cin_census", "--year", "2026", "--out", str(tmp_path / "missing" / "cin.xml"))


def test_the_page_lists_each_failure_by_lachildid_with_a_link_to_the_record(client: Client) -> None:
    j = journey()
    break_it(j)
    client.force_login(persona("analyst"))

    page = client.get(URL, {"year": "2026"}).content.decode()

    assert "1 error must be put right" in page
    assert "8869" in page
    assert f'href="/casework/assessments/{j.assessment.pk}"' in page
    assert f'<td class="govuk-table__cell">{j.child.pk}</td>' in page
    assert j.child.family_name not in page  # named only by LAchildID


def test_a_year_not_offered_gets_a_message(client: Client) -> None:
    client.force_login(persona("team_manager"))
    page = client.get(URL, {"year": "1999"}).content.decode()
    assert "Choose a collection year from the list" in page


def test_the_download_is_refused_while_errors_remain_unless_confirmed(client: Client) -> None:
    break_it(journey())
    client.force_login(persona("analyst"))

    refused = client.get(DOWNLOAD, {"year": "2026"})
    assert refused.status_code == 409
    assert "The census has 1 error" in refused.content.decode()
    assert not AccessLogEntry.objects.filter(action="export_cin_census").exists()

    response = client.get(DOWNLOAD, {"year": "2026", "confirm": "yes"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cin-census-2026-')
    root = etree.fromstring(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert root.findtext("Header/CollectionDetails/Year") == "2026"


def test_the_download_writes_one_access_log_row(client: Client) -> None:
    journey()
    analyst = persona("analyst")
    client.force_login(analyst)

    response = client.get(DOWNLOAD, {"year": "2026"})
    b"".join(response.streaming_content)  # type: ignore[attr-defined]

    entry = AccessLogEntry.objects.get(action="export_cin_census")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        analyst.pk,
        "performance.cin_census",
        "2026",
    )
    assert entry.detail == {"children": 1, "episodes": 2, "errors": 0}


def test_those_who_do_not_run_returns_cannot(client: Client) -> None:
    client.force_login(persona("partnership_member"))
    assert client.get(URL).status_code == 403
    assert client.get(DOWNLOAD).status_code == 403


def test_the_census_is_on_the_performance_page_for_those_who_run_returns(client: Client) -> None:
    client.force_login(persona("analyst"))
    assert URL in client.get(reverse("performance:home")).content.decode()
    client.force_login(persona("partnership_member"))
    assert URL not in client.get(reverse("performance:home")).content.decode()


def test_one_pass_writes_what_write_does_and_finds_what_validation_finds() -> None:
    break_it(journey())
    journey()  # a second child, whose record is right
    apart = io.BytesIO()
    write_cin_census(apart, year=2026)
    together = io.BytesIO()

    summary, failures = write_validated_cin_census(together, year=2026)

    assert failures == validate_cin_census(year=2026)
    assert [f.code for f in failures] == ["8869"]
    assert (summary.children, summary.episodes) == (2, 4)  # two episodes each
    # The same children, element for element (only the header's time of writing may differ).
    children = [etree.tostring(etree.fromstring(b.getvalue()).find("Children")) for b in (apart, together)]
    assert children[0] == children[1]
    assert b"<LAchildID>" in children[0]


def test_a_refused_census_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    break_it(journey())
    out = tmp_path / "cin.xml"
    out.write_bytes(b"last year's file")

    with pytest.raises(CommandError, match="1 errors"):
        call_command("cin_census", "--year", "2026", "--out", str(out))

    assert out.read_bytes() == b"last year's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cin.xml"]  # no temporary file left
