from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jigsaw.access.models import AccessLogEntry
from jigsaw.performance import actions
from jigsaw.performance.indicators import Indicator
from jigsaw.performance.models import BoardReport, Commentary
from jigsaw.performance.tests.board_report_helpers import catalogue  # noqa: F401 - a fixture
from tests.factories import persona

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 5, 12, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False):
        yield


def _report() -> BoardReport:
    return actions.create_board_report(actor=persona("team_manager"), year=2026, quarter=1)


def test_a_manager_starts_a_quarters_report_and_it_is_logged() -> None:
    report = actions.create_board_report(actor=persona("team_manager"), year=2026, quarter=1)

    assert (report.year, report.quarter, report.version) == (2026, 1, 1)
    assert report.created_by == persona("team_manager")
    entry = AccessLogEntry.objects.get(action="create_board_report")
    assert entry.user == persona("team_manager")
    assert (entry.record_type, entry.record_id) == ("performance.boardreport", str(report.pk))
    assert entry.detail == {"year": 2026, "quarter": 1}


def test_a_quarter_has_one_report_the_second_start_is_refused() -> None:
    _report()

    with pytest.raises(ValidationError) as refused:
        actions.create_board_report(actor=persona("analyst"), year=2026, quarter=1)

    assert refused.value.message_dict["quarter"] == [
        "There is already a report for Quarter 1 2026 (January to March 2026): open it instead"
    ]
    assert BoardReport.objects.count() == 1
    assert AccessLogEntry.objects.filter(action="create_board_report").count() == 1


def test_the_quarter_under_way_may_be_started_but_not_one_to_come() -> None:
    actions.create_board_report(actor=persona("analyst"), year=2026, quarter=2)  # April to June

    with pytest.raises(ValidationError, match="has not started yet"):
        actions.create_board_report(actor=persona("analyst"), year=2026, quarter=3)
    with pytest.raises(ValidationError, match="quarter from 1 to 4"):
        actions.create_board_report(actor=persona("analyst"), year=2026, quarter=5)
    assert BoardReport.objects.count() == 1


@pytest.mark.parametrize("who", ["social_worker", "school_dsl", "administrator", "data_protection_officer"])
def test_only_those_who_write_commentary_start_a_report(who: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_board_report(actor=persona(who), year=2026, quarter=1)
    assert not BoardReport.objects.exists()


def test_commentary_is_written_then_changed_with_the_version_moving_on(
    catalogue: dict[str, Indicator],  # noqa: F811 - the fixture
) -> None:
    report = _report()

    written = actions.save_commentary(
        actor=persona("team_manager"),
        report_id=report.pk,
        indicator="test_contacts",
        text="  Contacts rose after the schools' training.  ",
        expected_version=actions.NOT_WRITTEN,
    )
    assert written is not None
    assert (written.text, written.version) == ("Contacts rose after the schools' training.", 1)
    changed = actions.save_commentary(
        actor=persona("analyst"),
        report_id=report.pk,
        indicator="test_contacts",
        text="Contacts rose in March after the schools' training.",
        expected_version=1,
    )

    assert changed is not None and changed.pk == written.pk
    assert (changed.version, changed.written_by) == (2, persona("analyst"))
    first = AccessLogEntry.objects.get(action="write_board_commentary")
    assert first.detail == {"report": report.pk, "indicator": "test_contacts", "version": 1}
    second = AccessLogEntry.objects.get(action="change_board_commentary")
    assert second.user == persona("analyst")
    assert second.detail == {"report": report.pk, "indicator": "test_contacts", "version": 2}


def test_a_stale_form_is_refused_and_nothing_is_overwritten(
    catalogue: dict[str, Indicator],  # noqa: F811
) -> None:
    report = _report()
    actions.save_commentary(
        actor=persona("team_manager"), report_id=report.pk, indicator="", text="First", expected_version=0
    )
    actions.save_commentary(
        actor=persona("analyst"), report_id=report.pk, indicator="", text="Second", expected_version=1
    )

    with pytest.raises(actions.EditConflict, match="Someone else saved changes to this commentary"):
        actions.save_commentary(
            actor=persona("partnership_member"),
            report_id=report.pk,
            indicator="",
            text="Third, from a form opened at the first",
            expected_version=1,
        )

    summary = Commentary.objects.get(report=report, indicator="")
    assert (summary.text, summary.version) == ("Second", 2)
    assert not AccessLogEntry.objects.filter(user=persona("partnership_member")).exists()


def test_two_first_writes_the_second_is_refused(catalogue: dict[str, Indicator]) -> None:  # noqa: F811
    report = _report()
    actions.save_commentary(
        actor=persona("team_manager"),
        report_id=report.pk,
        indicator="test_consent",
        text="A",
        expected_version=0,
    )

    with pytest.raises(actions.EditConflict):
        actions.save_commentary(
            actor=persona("analyst"),
            report_id=report.pk,
            indicator="test_consent",
            text="B",
            expected_version=0,
        )
    assert Commentary.objects.get(indicator="test_consent").text == "A"


def test_emptying_the_box_removes_the_commentary(catalogue: dict[str, Indicator]) -> None:  # noqa: F811
    report = _report()
    written = actions.save_commentary(
        actor=persona("team_manager"), report_id=report.pk, indicator="", text="Draft", expected_version=0
    )
    assert written is not None

    assert (
        actions.save_commentary(
            actor=persona("team_manager"), report_id=report.pk, indicator="", text="  ", expected_version=1
        )
        is None
    )
    assert not Commentary.objects.exists()
    entry = AccessLogEntry.objects.get(action="remove_board_commentary")
    assert (entry.record_type, entry.record_id) == ("performance.commentary", str(written.pk))


@pytest.mark.parametrize(
    ("indicator", "text", "message"),
    [
        ("", "   ", "Enter the commentary"),
        ("no_such_indicator", "Words", "This report has no such indicator: reload the page"),
        ("", "x" * (actions.MAX_COMMENTARY + 1), "Commentary must be 6,000 characters or fewer"),
    ],
)
def test_bad_commentary_is_refused_with_a_message_and_nothing_saved(
    catalogue: dict[str, Indicator],  # noqa: F811
    indicator: str,
    text: str,
    message: str,
) -> None:
    report = _report()

    with pytest.raises(ValidationError) as refused:
        actions.save_commentary(
            actor=persona("team_manager"),
            report_id=report.pk,
            indicator=indicator,
            text=text,
            expected_version=0,
        )

    assert refused.value.messages == [message]
    assert not Commentary.objects.exists()


def test_someone_who_may_not_write_commentary_is_refused(catalogue: dict[str, Indicator]) -> None:  # noqa: F811
    report = _report()

    with pytest.raises(PermissionDenied):
        actions.save_commentary(
            actor=persona("social_worker"), report_id=report.pk, indicator="", text="Mine", expected_version=0
        )
    assert not Commentary.objects.exists()
