"""Reading a child's chronology: the entries a user may see, filtered, newest first, each
with a link to the record it stands for where that record has a page."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from jigsaw.access.policy import AnyUser
from jigsaw.casework.models import ChronologyEntry, ChronologyKind, Referral
from jigsaw.casework.queries import casework_visible_to
from jigsaw.core.links import PageLink
from jigsaw.partners.models import Agency
from jigsaw.people.models import Person


class UnknownSourceType(LookupError):
    """A chronology entry points at a kind of record nobody has said how to link to.

    Every action that writes a chronology entry names its source record; the kind of that
    record must be listed in SOURCE_PAGES (with its page, or None when it has no page of its
    own), so a new kind of record is noticed in the tests instead of losing its link."""


# The page of each kind of source record (`app_label.model` -> URL name taking its pk), or
# None for records that have no page of their own. Resolved when a page is drawn, so a URL
# added later needs nothing but its entry here.
SOURCE_PAGES: dict[str, str | None] = {
    "casework.contact": "casework:contact",
    "casework.referral": "casework:referral",
    "casework.assessment": "casework:assessment",
    "casework.strategydiscussion": "casework:strategy_discussion",
    "casework.section47enquiry": "casework:section47",
    "casework.childprotectionconference": "casework:conference",
    "casework.childprotectionplan": "casework:plan",
    "casework.coregroupmeeting": "casework:core_group",
    "casework.casenote": "casework:case_note",
    "casework.childinneedplan": "casework:cin_plan",
    "casework.earlyhelpepisode": "casework:early_help",
    "casework.lookedafterepisode": "casework:looked_after",
    "casework.missingepisode": "casework:missing_episode",
    "casework.privatefosteringarrangement": "casework:private_fostering",
    # Recorded on the page of the step they belong to.
    "casework.allocation": None,
    "casework.visit": None,
    "casework.childinneedplanreview": None,
    "casework.conferencechild": None,
    "casework.privatefosteringvisit": None,
    # A partner agency's event from its feed: what it said is the entry itself.
    "partners.partnerevent": None,
    # What a child or family said about a conference or the end of an episode.
    "voice.familyfeedback": "voice:feedback",
    # A health visiting team's and GP practice's discussion of the family: their meeting's
    # page is theirs alone, so the entry says what was discussed.
    "vulnerable_families.familydiscussion": None,
}


def source_url_name(source_type: str) -> str | None:
    """The URL name of a source record's page; UnknownSourceType for a kind not listed."""
    try:
        return SOURCE_PAGES[source_type]
    except KeyError:
        raise UnknownSourceType(
            f"Chronology source {source_type!r} is not in SOURCE_PAGES "
            "(jigsaw/casework/queries/chronology.py): add its page, or None if it has none"
        ) from None


class SourceLinks:
    """Links to source records, reversed once per kind of record and then filled in, so a
    page of a thousand entries does not run the URL resolver a thousand times."""

    def __init__(self) -> None:
        self._links: dict[str, PageLink | None] = {}

    def url(self, source_type: str, source_id: str) -> str | None:
        if not source_type or not source_id.isdigit():
            return None
        if source_type not in self._links:
            url_name = source_url_name(source_type)
            self._links[source_type] = None if url_name is None else PageLink(url_name)
        link = self._links[source_type]
        return None if link is None else link(source_id)


@dataclasses.dataclass(frozen=True)
class ChronologyFilters:
    agency_id: int | None = None
    kind: str = ""
    significant_only: bool = False
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return dataclasses.astuple(self) != dataclasses.astuple(ChronologyFilters())


@dataclasses.dataclass(frozen=True, slots=True)
class ChronologyRow:
    """One entry as the timeline and the PDF show it, its text ready to print (a child may
    have a thousand entries, so the page does no work per entry that Python can do once)."""

    pk: int
    occurred_on: datetime.date
    # "4 March 2025 at 14:30" (the time only when it is known, in local time), and the
    # same for a <time datetime> attribute.
    when: str
    iso: str
    kind: str
    kind_label: str
    agency: str
    summary: str
    detail: str
    recorded_by: str
    significant: bool
    url: str | None

    @property
    def title(self) -> str:
        return f"{self.kind_label}: {self.agency}" if self.agency else self.kind_label


def chronology_entries(
    user: AnyUser, person: Person, filters: ChronologyFilters
) -> QuerySet[ChronologyEntry]:
    """The child's chronology entries the user may see, filtered, newest first."""
    entries = casework_visible_to(user, ChronologyEntry.objects.filter(person=person), "person")
    if filters.agency_id is not None:
        entries = entries.filter(agency_id=filters.agency_id)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.significant_only:
        entries = entries.filter(significant=True)
    if filters.date_from is not None:
        entries = entries.filter(occurred_on__gte=filters.date_from)
    if filters.date_to is not None:
        entries = entries.filter(occurred_on__lte=filters.date_to)
    # Within a day, events with a time by that time; events known only by their date (a
    # conference, a visit) by when they were recorded, so a day reads in the order it went.
    return entries.order_by("-occurred_on", Coalesce("occurred_at", "recorded_at").desc(), "-pk")


MONTHS = ("", *(datetime.date(2000, month, 1).strftime("%B") for month in range(1, 13)))


def _when(day: datetime.date, moment: datetime.datetime | None, zone: datetime.tzinfo) -> tuple[str, str]:
    text = f"{day.day} {MONTHS[day.month]} {day.year}"
    if moment is None:
        return text, day.isoformat()
    local = moment.astimezone(zone)
    return f"{text} at {local.hour:02d}:{local.minute:02d}", local.isoformat()


def _names(user_ids: set[int]) -> dict[int, str]:
    """Display names of the (few) people who recorded the entries, in one query."""
    names = {}
    for pk, first, last, username in User.objects.filter(pk__in=user_ids).values_list(
        "pk", "first_name", "last_name", "username"
    ):
        names[pk] = f"{first} {last}".strip() or username
    return names


def chronology_rows(user: AnyUser, person: Person, filters: ChronologyFilters) -> list[ChronologyRow]:
    """The timeline's rows: one query for only the columns shown (no model instances, no
    query per row), the recorders' names in one more, and each entry's link to its source."""
    labels = {str(value): str(label) for value, label in ChronologyKind.choices}
    links = SourceLinks()
    values = list(
        chronology_entries(user, person, filters).values_list(
            "pk",
            "occurred_on",
            "occurred_at",
            "kind",
            "agency__name",
            "summary",
            "detail",
            "recorded_by_id",
            "significant",
            "source_type",
            "source_id",
        )
    )
    names = _names({row[7] for row in values if row[7] is not None})
    zone = timezone.get_current_timezone()
    rows = []
    for (
        pk,
        day,
        moment,
        kind,
        agency,
        summary,
        detail,
        recorder,
        significant,
        source_type,
        source_id,
    ) in values:
        when, iso = _when(day, moment, zone)
        rows.append(
            ChronologyRow(
                pk=pk,
                occurred_on=day,
                when=when,
                iso=iso,
                kind=kind,
                kind_label=labels.get(kind, kind),
                agency=agency or "",
                summary=summary,
                detail=detail,
                recorded_by=names.get(recorder, "") if recorder is not None else "",
                significant=significant,
                url=links.url(source_type, source_id),
            )
        )
    return rows


def chronology_agencies(user: AnyUser, person: Person) -> QuerySet[Agency]:
    """The agencies that appear in the child's chronology (the agency filter's choices)."""
    agency_ids = (
        chronology_entries(user, person, ChronologyFilters())
        .filter(agency__isnull=False)
        .order_by()
        .values("agency_id")
    )
    return Agency.objects.filter(pk__in=agency_ids).order_by("name")


def open_referrals_of(user: AnyUser, person: Person) -> QuerySet[Referral]:
    """The child's open referrals (episodes of need) the user may see, newest first."""
    return casework_visible_to(user, Referral.objects.filter(person=person, closed_on__isnull=True), "person")
