"""Evaluating the alert rules: pure functions over plain facts, so the rules can be tested
without a database and the caller can gather the facts for a whole batch in a few queries.

A rule fires for a child when, inside one window of `window_days` that includes something
just received (so an old, already handled pattern does not fire again on an unrelated
event):
- EVENTS_AT_ADDRESS: at least `minimum` matching events at one address where the child
  lives (named in the event, or living there);
- COMBINATION: events of at least `minimum` of the listed kinds (persistent absence *and*
  a police incident);
- AGENCIES: concerns or events from at least `minimum` different agencies.
`child_under_age` limits a rule to children under that age (an unborn child counts as
under any age; a child whose age is unknown does not).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jigsaw.partners.models import SUBTYPES, AlertRule, EventKind, EventSubtype, RuleKind

SUMMARY_LENGTH = 300


def known_event_types() -> frozenset[str]:
    """Every value a rule's `event_types` may hold: a kind, or "kind:subtype"."""
    kinds = {str(k) for k in EventKind.values}
    pairs = {f"{kind}:{subtype}" for kind, subtypes in SUBTYPES.items() for subtype in subtypes}
    return frozenset(kinds | pairs)


def unknown_event_types(values: Iterable[object]) -> list[str]:
    """The entries that are not a known kind or kind:subtype, as given."""
    known = known_event_types()
    return [str(v) for v in values if not isinstance(v, str) or v not in known]


def describe_event_type(value: str) -> str:
    """ "police_incident:domestic_abuse" as a person reads it: "Police incident: domestic
    abuse incident"."""
    kind, _, subtype = value.partition(":")
    kind_label = str(dict(EventKind.choices).get(kind, kind))
    if not subtype:
        return f"{kind_label} (any)"
    return f"{kind_label}: {str(dict(EventSubtype.choices).get(subtype, subtype)).lower()}"


def event_matches(event_types: Sequence[str], kind: str, subtype: str) -> bool:
    """Whether an event counts for a rule; a rule with no event types counts every event."""
    return not event_types or kind in event_types or f"{kind}:{subtype}" in event_types


def matched_entries(event_types: Sequence[str], kind: str, subtype: str) -> set[str]:
    return {t for t in event_types if t in (kind, f"{kind}:{subtype}")}


def address_key(address: str, postcode: str) -> str:
    """One address however a partner's system punctuated it ("14, Mill Lane" is "14 Mill
    Lane"); empty when the event has no address."""
    code = re.sub(r"[^a-z0-9]", "", postcode.lower())
    line = re.sub(r"[^a-z0-9]", "", address.lower())
    if code:
        line = line.replace(code, "")
    return f"{line}|{code}" if line or code else ""


@dataclass(frozen=True)
class Item:
    """One piece of evidence: a partner event, or a partner's concern, about the child."""

    occurred_at: datetime.datetime
    agency_id: int
    agency_name: str
    kind: str  # the event's kind, or "concern"
    subtype: str
    label: str  # "Domestic abuse incident", "Concern CN-2026-0042"
    address: str = ""
    address_key: str = ""
    event_id: int | None = None
    concern_id: int | None = None
    new: bool = False


@dataclass(frozen=True)
class Finding:
    """A rule that fired for a child, on this evidence."""

    rule: AlertRule
    person_id: int
    items: tuple[Item, ...]
    summary: str

    @property
    def event_ids(self) -> list[int]:
        return [i.event_id for i in self.items if i.event_id is not None]


def _counts(rule: AlertRule, items: Sequence[Item]) -> bool:
    """Whether the items inside one window meet the rule's threshold."""
    if rule.kind == RuleKind.EVENTS_AT_ADDRESS:
        return len({i.event_id for i in items}) >= rule.minimum
    if rule.kind == RuleKind.COMBINATION:
        met: set[str] = set()
        for i in items:
            met |= matched_entries(rule.event_types, i.kind, i.subtype)
        return len(met) >= max(rule.minimum, 1)
    if rule.kind == RuleKind.AGENCIES:
        return len({i.agency_id for i in items}) >= rule.minimum
    return False


def _relevant(rule: AlertRule, items: Iterable[Item]) -> list[Item]:
    if rule.kind == RuleKind.AGENCIES:
        # Partners' concerns always count; events count if the rule lists their type.
        return [
            i for i in items if i.concern_id is not None or event_matches(rule.event_types, i.kind, i.subtype)
        ]
    # The other kinds name the events they count; a concern is not an event.
    return [i for i in items if i.event_id is not None and event_matches(rule.event_types, i.kind, i.subtype)]


def _best_window(rule: AlertRule, items: Sequence[Item]) -> list[Item] | None:
    """The fullest window of `window_days` that holds something new and meets the rule."""
    if not any(i.new for i in items) or not _counts(rule, items):
        return None  # no window can meet what the whole period does not
    span = datetime.timedelta(days=rule.window_days)
    ordered = sorted(items, key=lambda i: i.occurred_at)
    best: list[Item] | None = None
    for anchor in ordered:
        window = [i for i in ordered if anchor.occurred_at - span <= i.occurred_at <= anchor.occurred_at]
        if not any(i.new for i in window) or not _counts(rule, window):
            continue
        if best is None or len(window) >= len(best):
            best = window
    return best


def _describe(rule: AlertRule, items: Sequence[Item]) -> str:
    agencies = sorted({i.agency_name for i in items})
    what = "; ".join(f"{i.label} ({i.agency_name}, {i.occurred_at:%-d %b %Y})" for i in items)
    if rule.kind == RuleKind.EVENTS_AT_ADDRESS:
        where = items[0].address.split(",")[0].strip() or "one address"
        lead = f"{len(items)} events at {where}"
    elif rule.kind == RuleKind.AGENCIES:
        lead = f"{len(agencies)} agencies ({', '.join(agencies)})"
    else:
        lead = f"{len(items)} events"
    text = f"{rule.name}: {lead} in {rule.window_days} days. {what}"
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def evaluate(
    rule: AlertRule, *, person_id: int, age: int | None, unborn: bool, items: Sequence[Item]
) -> Finding | None:
    """The rule's finding for one child, or None when it does not fire."""
    if not rule.active:
        return None
    if rule.child_under_age is not None and not unborn and (age is None or age >= rule.child_under_age):
        return None
    relevant = _relevant(rule, items)
    if rule.kind == RuleKind.EVENTS_AT_ADDRESS:
        groups: dict[str, list[Item]] = defaultdict(list)
        for i in relevant:
            if i.address_key:
                groups[i.address_key].append(i)
        candidates = [w for g in groups.values() if (w := _best_window(rule, g)) is not None]
        window = max(candidates, key=len) if candidates else None
    else:
        window = _best_window(rule, relevant)
    if window is None:
        return None
    return Finding(rule=rule, person_id=person_id, items=tuple(window), summary=_describe(rule, window))
