"""The rules themselves, as pure functions over evidence (no database)."""

from __future__ import annotations

import datetime

from jigsaw.partners.alerts_rules import Item, address_key, evaluate, known_event_types, unknown_event_types
from jigsaw.partners.models import AlertRule, RuleKind

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


def _item(
    days_ago: int,
    *,
    agency: int = 1,
    kind: str = "police_incident",
    subtype: str = "domestic_abuse",
    new: bool = False,
    event: int | None = None,
) -> Item:
    return Item(
        occurred_at=NOW - datetime.timedelta(days=days_ago),
        agency_id=agency,
        agency_name=f"Agency {agency}",
        kind=kind,
        subtype=subtype,
        label=subtype,
        address="14 Mill Lane, Riverford",
        address_key=address_key("14 Mill Lane, Riverford", "RF1 2AB"),
        event_id=event if event is not None else days_ago + 1000 * agency,
        new=new,
    )


def test_known_event_types_are_kinds_and_their_subtypes() -> None:
    known = known_event_types()
    assert {
        "police_incident",
        "police_incident:domestic_abuse",
        "school_attendance:change_of_school",
    } <= known
    assert "police_incident:a_and_e" not in known  # a subtype of another kind
    assert unknown_event_types(["police_incident", "police:domestic_abuse", 3]) == [
        "police:domestic_abuse",
        "3",
    ]


def test_a_window_anywhere_that_holds_the_new_event_counts() -> None:
    """Events sent late: a window ending after the new event counts it too."""
    rule = AlertRule(
        name="Two in a week",
        kind=RuleKind.EVENTS_AT_ADDRESS,
        event_types=["police_incident"],
        minimum=2,
        window_days=7,
    )
    late = _item(10, new=True)
    assert evaluate(rule, person_id=1, age=3, unborn=False, items=[late, _item(5)]) is not None
    assert evaluate(rule, person_id=1, age=3, unborn=False, items=[late, _item(2)]) is None
    # Nothing new in the window: an old pattern does not fire again.
    assert (
        evaluate(
            rule,
            person_id=1,
            age=3,
            unborn=False,
            items=[_item(10), _item(5), _item(1, kind="health_attendance", subtype="a_and_e", new=True)],
        )
        is None
    )


def test_a_combination_counts_kinds_not_events() -> None:
    rule = AlertRule(
        name="Both",
        kind=RuleKind.COMBINATION,
        event_types=["school_attendance:persistent_absence", "police_incident"],
        minimum=2,
        window_days=90,
    )
    absences = [_item(d, kind="school_attendance", subtype="persistent_absence", new=True) for d in (1, 2, 3)]
    assert evaluate(rule, person_id=1, age=9, unborn=False, items=absences) is None
    finding = evaluate(rule, person_id=1, age=9, unborn=False, items=[*absences, _item(4)])
    assert finding is not None and len(finding.items) == 4


def test_an_age_limit_needs_a_known_age_or_an_unborn_child() -> None:
    rule = AlertRule(
        name="Young", kind=RuleKind.AGENCIES, event_types=[], minimum=2, window_days=7, child_under_age=5
    )
    items = [_item(1, agency=1, new=True), _item(2, agency=2)]
    assert evaluate(rule, person_id=1, age=4, unborn=False, items=items) is not None
    assert evaluate(rule, person_id=1, age=5, unborn=False, items=items) is None
    assert evaluate(rule, person_id=1, age=None, unborn=False, items=items) is None
    assert evaluate(rule, person_id=1, age=None, unborn=True, items=items) is not None


def test_the_summary_fits_its_column() -> None:
    rule = AlertRule(
        name="Many",
        kind=RuleKind.EVENTS_AT_ADDRESS,
        event_types=["police_incident"],
        minimum=2,
        window_days=365,
    )
    finding = evaluate(rule, person_id=1, age=3, unborn=False, items=[_item(d, new=True) for d in range(40)])
    assert finding is not None
    assert len(finding.summary) == 300 and finding.summary.endswith("…")
    assert finding.summary.startswith("Many: 40 events at 14 Mill Lane in 365 days.")
