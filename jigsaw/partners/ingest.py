"""Partner events in: rows checked into `EventRow`s, matched to the person index in batches,
and written all at once (issue 5, item 4).

Two doors lead here, the API (`jigsaw.partners.api`) and the CSV upload
(`jigsaw.partners.actions.feeds.upload_events`); both hand this module rows, and both get the
same checks, the same matching and the same writer:

- `read_csv` turns a file into rows, reporting every bad line by its number as the sender
  sees it in a spreadsheet (the header is line 1) and the reason in plain words;
- `check_event` holds the rules both doors share (a real postcode, a valid NHS number, no
  date in the future ...);
- `write_events` writes a delivery that passed: events not received before, their subjects
  matched to the index (link, review by the front door, or nobody yet), the children living
  at the event's address, and an entry in each linked child's chronology.

Speed matters (a police force's overnight file is thousands of incidents): candidates for a
whole batch are fetched in a few queries (blocking keys, then stored features) and scored
in Python with the active model, and everything is written with bulk inserts.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from jigsaw.casework.actions.common import add_partner_events_to_chronology
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.core.text import in_sentence
from jigsaw.matching.features import Features, address_key, blocking_keys, features
from jigsaw.matching.matcher import CANDIDATE_LIMIT, Candidate, active_scorer
from jigsaw.matching.models import BlockingKey, MatchFeatures, MatchModelVersion, MatchSource, ReviewReason
from jigsaw.matching.policy import Decision, Outcome, decide
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.review import IncomingReview, queue_incoming_reviews
from jigsaw.matching.scorer import Scorer, probability_of
from jigsaw.partners.models import (
    SUBTYPES,
    Agency,
    AgencyKind,
    EventImport,
    EventKind,
    EventSubject,
    EventSubtype,
    PartnerEvent,
    SubjectRole,
)
from jigsaw.people.models import Address, Person, Residence
from jigsaw.people.normalise import normalise_nhs_number, normalise_postcode, normalise_upn

# A delivery is held in memory and written in one transaction: these bound it.
MAX_BATCH = 1000  # events in one API request
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILE_LINES = 50_000
MAX_PERSONS = 30  # people named in one event
# Field lengths, as the tables keep them.
SOURCE_ID_MAX = 80
ADDRESS_MAX = 120
TOWN_MAX = 80
NAME_MAX = 120
SUMMARY_MAX = 300
SCHOOL_MAX = 160
ADULT_AGE = 18
EARLIEST = datetime.date(1900, 1, 1)

# Which agencies send which events (a CSV upload, or a token's scopes).
KINDS_BY_AGENCY: dict[str, tuple[str, ...]] = {
    AgencyKind.POLICE: (EventKind.POLICE_INCIDENT,),
    AgencyKind.ACUTE_HEALTH: (EventKind.HEALTH_ATTENDANCE,),
    AgencyKind.SCHOOL: (EventKind.SCHOOL_ATTENDANCE,),
    AgencyKind.HEALTH_VISITING: (EventKind.WAS_NOT_BROUGHT,),
    AgencyKind.GP_PRACTICE: (EventKind.WAS_NOT_BROUGHT,),
}

# The people each kind of event names, and the role a person has when the file does not say.
ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    EventKind.POLICE_INCIDENT: (
        SubjectRole.VICTIM,
        SubjectRole.PERPETRATOR,
        SubjectRole.CHILD_PRESENT,
        SubjectRole.CHILD,
        SubjectRole.ADULT,
    ),
    EventKind.HEALTH_ATTENDANCE: (SubjectRole.PATIENT,),
    EventKind.SCHOOL_ATTENDANCE: (SubjectRole.PUPIL,),
    EventKind.WAS_NOT_BROUGHT: (SubjectRole.CHILD,),
}
CHILD_ROLES = frozenset(
    {SubjectRole.CHILD, SubjectRole.CHILD_PRESENT, SubjectRole.PUPIL, SubjectRole.HOUSEHOLD_CHILD}
)

# The URL slug of each kind (/api/events/police-incidents, /partners/feeds/upload/police-incidents).
SLUGS: dict[str, str] = {
    "police-incidents": EventKind.POLICE_INCIDENT,
    "health-attendances": EventKind.HEALTH_ATTENDANCE,
    "school-attendance": EventKind.SCHOOL_ATTENDANCE,
    "was-not-brought": EventKind.WAS_NOT_BROUGHT,
}
SLUG_OF: dict[str, str] = {kind: slug for slug, kind in SLUGS.items()}


def kinds_for(agency: Agency) -> tuple[str, ...]:
    return KINDS_BY_AGENCY.get(agency.kind, ())


# --- Rows ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PersonRow:
    """A person an event names, as the partner named them."""

    role: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""  # "M", "F" or "" (not known)
    nhs_number: str = ""
    upn: str = ""
    line: int | None = None  # the CSV line it came from


@dataclasses.dataclass(frozen=True)
class EventRow:
    """One event as a door received it, its values already in Jigsaw's forms."""

    kind: str
    subtype: str
    source_id: str
    occurred_at: datetime.datetime
    persons: tuple[PersonRow, ...]
    payload: dict[str, Any]
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""
    summary: str = ""
    receiving_school: str = ""
    line: int | None = None  # the CSV line of its first row


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something wrong with the input, said in the sender's words. `line` is the CSV line
    (None for the API), `item` the event's place in an API batch (None for a file)."""

    message: str
    line: int | None = None
    item: int | None = None
    field: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.item is not None:
            out["item"] = self.item
        if self.field:
            out["field"] = self.field
        return out

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


# --- Shared checks ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown(value: str, limit: int = 40) -> str:
    """A value quoted back in a message: printable, and short."""
    cleaned = "".join(c if c.isprintable() else "?" for c in value)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def clean_text(value: str) -> str:
    """Spaces squeezed; NFC, so the same name typed twice is the same string."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def unreadable(value: str) -> bool:
    """Control characters (a NUL cannot even be stored): refused rather than dropped."""
    return bool(_CONTROL.search(value))


def _age_on(day: datetime.date, born: datetime.date) -> int:
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years


def check_event(row: EventRow, *, now: datetime.datetime) -> list[tuple[str, str, int | None]]:
    """What is wrong with an event whatever door it came in by: (field, message, line) for
    each problem; the line is the person's line for a person's field."""
    problems: list[tuple[str, str, int | None]] = []
    if row.subtype not in SUBTYPES[row.kind]:
        allowed = ", ".join(SUBTYPES[row.kind])
        problems.append(("subtype", f"type {shown(row.subtype)} is not one of: {allowed}", row.line))
    if row.occurred_at.year < EARLIEST.year:
        problems.append(("occurred_at", f"the date {row.occurred_at:%d/%m/%Y} is too long ago", row.line))
    elif row.occurred_at > now + datetime.timedelta(minutes=5):
        problems.append(("occurred_at", f"the date {row.occurred_at:%d/%m/%Y} is in the future", row.line))
    if row.subtype == EventSubtype.CHANGE_OF_SCHOOL and not row.receiving_school:
        problems.append(
            ("receiving_school", "a change of school needs the school the child is moving to", row.line)
        )
    if not row.persons:
        problems.append(("persons", "the event names nobody", row.line))
    if len(row.persons) > MAX_PERSONS:
        problems.append(("persons", f"the event names more than {MAX_PERSONS} people", row.line))
    allowed_roles = ROLES_BY_KIND[row.kind]
    occurred_on = row.occurred_at.date() if row.occurred_at.year >= EARLIEST.year else None
    for person in row.persons:
        if person.role not in allowed_roles:
            problems.append(
                ("role", f"role {shown(person.role)} is not one of: {', '.join(allowed_roles)}", person.line)
            )
        if not person.family_name and not person.given_name:
            problems.append(("family_name", "the person has no name", person.line))
        born = person.date_of_birth
        if born is not None:
            if born < EARLIEST:
                problems.append(
                    ("date_of_birth", f"date of birth {born:%d/%m/%Y} is too long ago", person.line)
                )
            elif occurred_on is not None and born > occurred_on:
                problems.append(
                    ("date_of_birth", f"date of birth {born:%d/%m/%Y} is after the event", person.line)
                )
            elif (
                person.role in {SubjectRole.CHILD_PRESENT, SubjectRole.CHILD}
                and occurred_on is not None
                and _age_on(occurred_on, born) >= ADULT_AGE
            ):
                problems.append(
                    (
                        "date_of_birth",
                        f"date of birth {born:%d/%m/%Y} is of an adult, not a child",
                        person.line,
                    )
                )
    return problems


def normalised_postcode(value: str) -> tuple[str, str | None]:
    """(the postcode in its standard form or "", the problem or None)."""
    if not value.strip():
        return "", None
    found = normalise_postcode(value)
    if found is None:
        return "", f"postcode {shown(value)} is not a postcode"
    return found, None


def normalised_nhs_number(value: str) -> tuple[str, str | None]:
    if not value.strip():
        return "", None
    found = normalise_nhs_number(value)
    if found is None:
        return "", f"NHS number {shown(value)} is not a valid NHS number"
    return found, None


def normalised_upn(value: str) -> tuple[str, str | None]:
    if not value.strip():
        return "", None
    found = normalise_upn(value)
    if found is None:
        return "", f"unique pupil number {shown(value)} is not a valid UPN"
    return found, None


def text_problem(label: str, value: str, limit: int) -> str | None:
    if unreadable(value):
        return f"{label} contains characters that cannot be kept (control characters)"
    if len(value) > limit:
        return f"{label} is longer than {limit} characters"
    return None


# --- CSV ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    example: str = ""


_REFERENCE = "reference"
_COMMON_START = (
    Column(
        _REFERENCE,
        "Your system's reference for the event; the same reference is received once",
        True,
        "INC-2026-0001",
    ),
    Column("date", "Date and time: 14/02/2026 21:40 (or 2026-02-14T21:40)", True, "14/02/2026 21:40"),
    Column("type", "The kind of event (see the types below)", True),
    Column(
        "address",
        "First line of the address where it happened (or the family's home)",
        False,
        "12 Canal Street",
    ),
    Column("postcode", "Postcode of that address", False, "RF1 2AB"),
)
_PERSON = (
    Column("given_name", "Given name", False, "Anna"),
    Column("family_name", "Family name", True, "Kouao"),
    Column("date_of_birth", "Date of birth: 02/11/2015", False, "02/11/2015"),
    Column("sex", "M, F or blank if not known", False, "F"),
)
_NHS = Column("nhs_number", "NHS number (10 digits), if known", False, "943 476 5919")
_UPN = Column("upn", "Unique pupil number, if known", False, "")
_SUMMARY = Column("summary", f"What happened, in a sentence (at most {SUMMARY_MAX} characters)", False)

LAYOUTS: dict[str, tuple[Column, ...]] = {
    EventKind.POLICE_INCIDENT: (
        *_COMMON_START,
        Column(
            "role",
            "The person's part: victim, alleged perpetrator, child present, child or adult",
            True,
            "child present",
        ),
        *_PERSON,
        _NHS,
        _SUMMARY,
    ),
    EventKind.HEALTH_ATTENDANCE: (*_COMMON_START, *_PERSON, _NHS, _SUMMARY),
    EventKind.SCHOOL_ATTENDANCE: (
        *_COMMON_START,
        *_PERSON,
        _UPN,
        Column("receiving_school", "For a change of school: the school the child is moving to", False),
        _SUMMARY,
    ),
    EventKind.WAS_NOT_BROUGHT: (*_COMMON_START, *_PERSON, _NHS, _SUMMARY),
}

# Words a file may use for a type, beside its code ("domestic_abuse") and label.
_TYPE_WORDS: dict[str, str] = {
    "domestic abuse": EventSubtype.DOMESTIC_ABUSE,
    "da": EventSubtype.DOMESTIC_ABUSE,
    "other": EventSubtype.OTHER_INCIDENT,
    "a&e": EventSubtype.A_AND_E,
    "a and e": EventSubtype.A_AND_E,
    "emergency department": EventSubtype.A_AND_E,
    "minor injuries": EventSubtype.MINOR_INJURIES,
    "miu": EventSubtype.MINOR_INJURIES,
    "exclusion": EventSubtype.PERMANENT_EXCLUSION,
    "cme": EventSubtype.MISSING_EDUCATION,
    "health visiting": EventSubtype.HEALTH_VISITING,
    "health visitor": EventSubtype.HEALTH_VISITING,
}
_ROLE_WORDS: dict[str, str] = {
    "victim": SubjectRole.VICTIM,
    "alleged perpetrator": SubjectRole.PERPETRATOR,
    "perpetrator": SubjectRole.PERPETRATOR,
    "suspect": SubjectRole.PERPETRATOR,
    "child present": SubjectRole.CHILD_PRESENT,
    "child": SubjectRole.CHILD,
    "adult": SubjectRole.ADULT,
    "other adult": SubjectRole.ADULT,
}
_SEX_WORDS = {"m": "M", "male": "M", "f": "F", "female": "F", "u": "", "unknown": "", "not known": "", "": ""}


def _words(value: str) -> str:
    return " ".join(value.replace("_", " ").replace("-", " ").lower().split())


def subtype_of(value: str, kind: str) -> str | None:
    """The subtype a file's "type" names, or None."""
    said = _words(value)
    for code in SUBTYPES[kind]:
        if said in {_words(code), _words(EventSubtype(code).label)}:
            return code
    found = _TYPE_WORDS.get(said)
    return found if found in SUBTYPES[kind] else None


def types_of(kind: str) -> list[tuple[str, str]]:
    """(code, label) of the types a kind of event may be, for the page and template."""
    return [(code, EventSubtype(code).label) for code in SUBTYPES[kind]]


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def parse_date(value: str) -> datetime.date | None:
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            # A date has no time zone: the naive parse is only a date's reader.
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def parse_datetime(value: str) -> datetime.datetime | None:
    """A date and time as a file writes it, aware (local time when it says no zone). A
    date alone is taken as midnight."""
    text = value.strip()
    found: datetime.datetime | None = None
    for fmt in _DATETIME_FORMATS:
        try:
            found = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007  # made aware below
            break
        except ValueError:
            continue
    if found is None:
        try:
            found = datetime.datetime.fromisoformat(text)
        except ValueError:
            day = parse_date(text)
            found = datetime.datetime.combine(day, datetime.time()) if day is not None else None
    if found is None:
        return None
    return aware(found)


def aware(value: datetime.datetime) -> datetime.datetime:
    """Aware in local time (a partner's system that sends no zone means local time)."""
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@dataclasses.dataclass
class CsvResult:
    rows: list[EventRow]
    problems: list[Problem]
    lines: int  # data lines read (the header and blank lines not counted)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save "CSV" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def template_csv(kind: str) -> str:
    """A file with the kind's columns and one example line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = LAYOUTS[kind]
    writer.writerow([c.name for c in columns])
    example = {c.name: c.example for c in columns}
    example["type"] = SUBTYPES[kind][0]
    if kind == EventKind.POLICE_INCIDENT:
        example["summary"] = "Neighbour reported shouting; officers attended; child present in the home"
    writer.writerow([example[c.name] for c in columns])
    return out.getvalue()


def read_csv(data: bytes, *, kind: str, now: datetime.datetime | None = None) -> CsvResult:
    """Every line of a file checked; the rows, or every problem with its line.

    One line per person; the lines with the same reference are one event (a police
    incident names several people; the other kinds one person, so a reference appears
    once). The event's own columns (date, type, address ...) may be left blank on its later
    lines, but must not disagree.
    """
    now = now or timezone.now()
    if len(data) > MAX_FILE_BYTES:
        return CsvResult(
            [], [Problem(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it")], 0
        )
    text = _decode(data)
    if "\x00" in text:
        return CsvResult([], [Problem("the file is not a CSV file (it holds binary data)")], 0)
    columns = LAYOUTS[kind]
    known = {c.name for c in columns}
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return CsvResult([], [Problem("the file is empty: the first line must name the columns", line=1)], 0)
    names = [_words(h).replace(" ", "_") for h in header]
    for name in names:
        if name and name not in known:
            problems.append(Problem(f'the column "{shown(name)}" is not one of this file\'s columns', line=1))
    for column in columns:
        if column.required and column.name not in names:
            problems.append(Problem(f'the column "{column.name}" is missing', line=1))
    if len({n for n in names if n}) != len([n for n in names if n]):
        problems.append(Problem("a column is named twice", line=1))
    if problems:
        return CsvResult([], problems, 0)
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    lines = 0
    try:
        for number, values in enumerate(reader, start=2):
            if number > MAX_FILE_LINES + 1:
                problems.append(
                    Problem(f"the file has more than {MAX_FILE_LINES:,} lines: split it", line=number)
                )
                break
            if not any(v.strip() for v in values):
                continue
            lines += 1
            if len(values) > len(names):
                problems.append(
                    Problem(
                        f"the line has {len(values)} values but there are {len(names)} columns", line=number
                    )
                )
                continue
            cells = {n: clean_text(v) for n, v in zip(names, values, strict=False) if n}
            reference = cells.get(_REFERENCE, "")
            if not reference:
                problems.append(Problem("the reference is missing", line=number, field=_REFERENCE))
                continue
            groups.setdefault(reference, []).append((number, cells))
    except csv.Error as error:
        problems.append(Problem(f"the file cannot be read as CSV ({error})", line=reader.line_num))
        return CsvResult([], problems, lines)
    rows: list[EventRow] = []
    for reference, lines_of in groups.items():
        row, found = _event_from_lines(kind, reference, lines_of, now)
        problems.extend(found)
        if row is not None:
            rows.append(row)
    problems.sort(key=lambda p: p.line or 0)
    return CsvResult(rows if not problems else [], problems, lines)


_EVENT_COLUMNS = ("date", "type", "address", "postcode", "receiving_school", "summary")


def _event_from_lines(
    kind: str, reference: str, lines: list[tuple[int, dict[str, str]]], now: datetime.datetime
) -> tuple[EventRow | None, list[Problem]]:
    problems: list[Problem] = []
    first_line = lines[0][0]

    def problem(message: str, line: int | None, field: str = "") -> None:
        problems.append(Problem(message, line=line, field=field))

    if (message := text_problem("the reference", reference, SOURCE_ID_MAX)) is not None:
        problem(message, first_line, _REFERENCE)
    if kind != EventKind.POLICE_INCIDENT and len(lines) > 1:
        for number, _ in lines[1:]:
            problem(
                f"reference {shown(reference)} is already on line {first_line}: one line per event",
                number,
                _REFERENCE,
            )
        lines = lines[:1]
    event: dict[str, str] = {}
    source_line: dict[str, int] = {}
    for number, cells in lines:
        for name in _EVENT_COLUMNS:
            value = cells.get(name, "")
            if not value:
                continue
            if name not in event:
                event[name] = value
                source_line[name] = number
            elif event[name] != value:
                problem(
                    f"the {name.replace('_', ' ')} differs from line {source_line[name]}, "
                    f"which has the same reference",
                    number,
                    name,
                )
    occurred_at: datetime.datetime | None = None
    if not event.get("date"):
        problem("the date is missing", first_line, "date")
    else:
        occurred_at = parse_datetime(event["date"])
        if occurred_at is None:
            problem(f"date {shown(event['date'])} is not a date and time", source_line["date"], "date")
    subtype: str | None = None
    if not event.get("type"):
        problem("the type is missing", first_line, "type")
    else:
        subtype = subtype_of(event["type"], kind)
        if subtype is None:
            allowed = "; ".join(label.lower() for _, label in types_of(kind))
            problem(f"type {shown(event['type'])} is not one of: {allowed}", source_line["type"], "type")
    postcode, message = normalised_postcode(event.get("postcode", ""))
    if message:
        problem(message, source_line.get("postcode"), "postcode")
    for name, label, limit in (
        ("address", "the address", ADDRESS_MAX),
        ("summary", "the summary", SUMMARY_MAX),
        ("receiving_school", "the receiving school", SCHOOL_MAX),
    ):
        if (message := text_problem(label, event.get(name, ""), limit)) is not None:
            problem(message, source_line.get(name), name)
    persons: list[PersonRow] = []
    for number, cells in lines:
        person = _person_from_line(kind, number, cells, problem)
        if person is not None:
            persons.append(person)
    if problems or occurred_at is None or subtype is None:
        return None, problems
    row = EventRow(
        kind=kind,
        subtype=subtype,
        source_id=reference,
        occurred_at=occurred_at,
        persons=tuple(persons),
        payload={"format": "csv", "lines": [{"line": n, **cells} for n, cells in lines]},
        address_line_1=event.get("address", ""),
        postcode=postcode,
        summary=event.get("summary", ""),
        receiving_school=event.get("receiving_school", ""),
        line=first_line,
    )
    for field, message, line in check_event(row, now=now):
        problem(message, line, field)
    return (None if problems else row), problems


def _person_from_line(kind: str, number: int, cells: dict[str, str], problem: Any) -> PersonRow | None:
    ok = True
    role = ROLES_BY_KIND[kind][0]
    if kind == EventKind.POLICE_INCIDENT:
        said = cells.get("role", "")
        found = _ROLE_WORDS.get(_words(said))
        if not said:
            problem("the role is missing", number, "role")
            ok = False
        elif found is None:
            problem(
                f"role {shown(said)} is not one of: victim, alleged perpetrator, child present, child, adult",
                number,
                "role",
            )
            ok = False
        else:
            role = found
    given, family = cells.get("given_name", ""), cells.get("family_name", "")
    for label, value in (("the given name", given), ("the family name", family)):
        if (message := text_problem(label, value, NAME_MAX)) is not None:
            problem(message, number, "family_name")
            ok = False
    if not family:
        problem("the family name is missing", number, "family_name")
        ok = False
    born: datetime.date | None = None
    if cells.get("date_of_birth"):
        born = parse_date(cells["date_of_birth"])
        if born is None:
            problem(f"date of birth {shown(cells['date_of_birth'])} is not a date", number, "date_of_birth")
            ok = False
    sex = _SEX_WORDS.get(cells.get("sex", "").lower())
    if sex is None:
        problem(f"sex {shown(cells.get('sex', ''))} is not M, F or blank", number, "sex")
        ok = False
    nhs, message = normalised_nhs_number(cells.get("nhs_number", ""))
    if message:
        problem(message, number, "nhs_number")
        ok = False
    upn, message = normalised_upn(cells.get("upn", ""))
    if message:
        problem(message, number, "upn")
        ok = False
    if not ok:
        return None
    return PersonRow(role, given, family, born, sex or "", nhs, upn, line=number)


def problems_by_line(problems: Sequence[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


# --- Matching in batches ------------------------------------------------------------------


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in_size() -> int:
    # SQLite counts bound parameters per statement; PostgreSQL takes any number.
    return 900 if connection.vendor == "sqlite" else 10_000


def match_many(
    records: Sequence[MatchRecord], *, limit: int = 10
) -> tuple[MatchModelVersion, list[list[Candidate]], list[Features]]:
    """`matcher.match` for many records at once: the blocking keys of all of them in one
    (chunked) query, the candidates' stored features in another, each record's candidates
    scored and ranked as `match` ranks them (same keys, same limit on candidates, same
    scorer, same order). A record sent twice in a batch (the same child in two events) is
    matched once. The candidates come without their explanation (`parts`), which only a
    review needs: `explain` adds it."""
    version, scorer = active_scorer()
    unique: dict[MatchRecord, int] = {}
    positions = [unique.setdefault(dataclasses.replace(r, record_id=""), len(unique)) for r in records]
    distinct = list(unique)
    mine = [features(r) for r in distinct]
    keys_of = [blocking_keys(f) for f in mine]
    every_key = sorted({k for keys in keys_of for k in keys})
    holders: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(every_key, _in_size()):
        for key, person_id in BlockingKey.objects.filter(key__in=chunk).values_list("key", "person_id"):
            holders[key].append(person_id)
    wanted: list[list[int]] = []
    for keys in keys_of:
        counts: dict[int, int] = defaultdict(int)
        for key in keys:
            for person_id in holders.get(key, ()):
                counts[person_id] += 1
        wanted.append(sorted(counts, key=lambda pid: (-counts[pid], pid))[:CANDIDATE_LIMIT])
    every_id = sorted({pid for ids in wanted for pid in ids})
    stored: dict[int, Features] = {}
    for chunk in _chunks(every_id, _in_size()):
        stored.update(MatchFeatures.objects.filter(person_id__in=chunk).values_list("person_id", "features"))
    ranked = [
        _rank(f, [(pid, stored[pid]) for pid in ids if pid in stored], scorer, limit)
        for f, ids in zip(mine, wanted, strict=True)
    ]
    return version, [ranked[i] for i in positions], [mine[i] for i in positions]


def _rank(mine: Features, rows: list[tuple[int, Features]], scorer: Scorer, limit: int) -> list[Candidate]:
    """`matcher.rank` in one pass: each candidate's weight and levels computed once (the
    same sum, in the same order, as `Scorer.match_weight` and `Scorer.score`), ranked by
    weight then person, as `rank` ranks them."""
    weighed: list[tuple[float, int, Features, dict[str, int]]] = []
    for person_id, theirs in rows:
        total = scorer.prior_weight
        levels: dict[str, int] = {}
        # The scorer's own per-comparison weights (what match_weight and score both sum).
        for comparison, index, _, weight in scorer._weigh(mine, theirs):
            total += weight
            levels[comparison.name] = index
        weighed.append((-total, person_id, theirs, levels))
    weighed.sort(key=lambda w: (w[0], w[1]))
    return [
        Candidate(person_id, probability_of(-negative), -negative, (), levels, theirs)
        for negative, person_id, theirs, levels in weighed[:limit]
    ]


def explain(mine: Features, candidate: Candidate, scorer: Scorer) -> list[dict[str, Any]]:
    """The scorer's explanation of a candidate, as the review queue keeps it."""
    return [part.as_dict() for part in scorer.score(mine, candidate.features).parts]


def match_record(row: EventRow, person: PersonRow, record_id: str) -> MatchRecord:
    return MatchRecord(
        record_id=record_id,
        given_name=person.given_name,
        family_name=person.family_name,
        dob=person.date_of_birth,
        sex=person.sex,
        postcode=row.postcode,
        address=f"{row.address_line_1} {row.postcode}".strip() if row.address_line_1 else "",
        nhs_number=person.nhs_number,
        upn=person.upn,
    )


# --- Households ---------------------------------------------------------------------------


def _line_key(value: str) -> str:
    return address_key(value) or ""


def household_children(rows: Sequence[EventRow]) -> dict[tuple[str, str], list[tuple[int, datetime.date]]]:
    """For each (postcode, first-line key) the events name: the people living there now
    (a current residence) with their dates of birth; ages are judged per event."""
    places = {(r.postcode, _line_key(r.address_line_1)) for r in rows if r.postcode and r.address_line_1}
    if not places:
        return {}
    postcodes = sorted({p for p, _ in places})
    addresses: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(postcodes, _in_size()):
        for pk, postcode, line_1 in Address.objects.filter(postcode__in=chunk).values_list(
            "pk", "postcode", "line_1"
        ):
            place = (postcode, _line_key(line_1))
            if place in places:
                addresses[pk] = place
    found: dict[tuple[str, str], list[tuple[int, datetime.date]]] = defaultdict(list)
    address_ids = sorted(addresses)
    for chunk in _chunks(address_ids, _in_size()):
        residents = Residence.objects.filter(
            address_id__in=chunk,
            moved_out__isnull=True,
            person__merged_into__isnull=True,
            person__date_of_birth__isnull=False,
            person__date_of_death__isnull=True,
        ).values_list("address_id", "person_id", "person__date_of_birth")
        for address_id, person_id, born in residents:
            if born is not None:
                found[addresses[address_id]].append((person_id, born))
    return found


# --- Writing ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EventResult:
    source_id: str
    created: bool
    event_id: int
    people_named: int
    people_matched: int


@dataclasses.dataclass
class WriteResult:
    results: list[EventResult]
    new_event_ids: list[int]
    matched_people: set[int]
    reviews: int
    chronology_entries: int


def _summary(agency: Agency, row: EventRow, *, with_text: bool = True) -> str:
    label = EventSubtype(row.subtype).label
    text = f"{agency.name}: {in_sentence(label)}"
    if row.subtype == EventSubtype.CHANGE_OF_SCHOOL and row.receiving_school:
        text += f", moving to {row.receiving_school}"
    if with_text and row.summary:
        text += f". {row.summary}"
    return text[:SUMMARY_MAX]


_ROLE_IN_CHRONOLOGY: dict[str, str] = {
    SubjectRole.CHILD_PRESENT: "the child was present",
    SubjectRole.HOUSEHOLD_CHILD: "the child lives at the address",
    SubjectRole.VICTIM: "the child was the victim",
    SubjectRole.PERPETRATOR: "the child was the alleged perpetrator",
}


def _receiving_agencies(rows: Sequence[EventRow]) -> dict[str, int]:
    """Receiving schools named in the rows that Jigsaw knows (by name, or by number)."""
    named = {r.receiving_school for r in rows if r.receiving_school}
    if not named:
        return {}
    found: dict[str, int] = {}
    schools = Agency.objects.filter(kind=AgencyKind.SCHOOL)
    by_name = {name.casefold(): pk for pk, name in schools.values_list("pk", "name")}
    for value in named:
        if value.isdigit() and schools.filter(pk=int(value)).exists():
            found[value] = int(value)
        elif value.casefold() in by_name:
            found[value] = by_name[value.casefold()]
    return found


def existing_events(agency: Agency, kind: str, source_ids: Iterable[str]) -> dict[str, PartnerEvent]:
    ids = sorted(set(source_ids))
    found: dict[str, PartnerEvent] = {}
    for chunk in _chunks(ids, _in_size()):
        for event in PartnerEvent.objects.filter(agency=agency, kind=kind, source_id__in=chunk):
            found[event.source_id] = event
    return found


def matched_counts(event_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(people named, people matched) of each event; household children are not counted:
    they are Jigsaw's finding, not what the partner sent."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for chunk in _chunks(list(event_ids), _in_size()):
        rows = (
            EventSubject.objects.filter(event_id__in=chunk)
            .exclude(role=SubjectRole.HOUSEHOLD_CHILD)
            .values_list("event_id", "person_id")
        )
        for event_id, person_id in rows:
            counts[event_id][0] += 1
            if person_id is not None:
                counts[event_id][1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def write_events(*, agency: Agency, rows: Sequence[EventRow], delivery: EventImport) -> WriteResult:
    """Write the events of a delivery that passed its checks; the caller holds the
    transaction (and writes the access log). Events already received (the same agency, kind
    and source ID) are not written again: they are reported as repeated."""
    now = timezone.now()
    earlier = existing_events(agency, delivery.kind, (r.source_id for r in rows))
    fresh = [r for r in rows if r.source_id not in earlier]

    # Match every named person of every new event in one go.
    records: list[MatchRecord] = []
    owners: list[tuple[int, int]] = []  # (row number, person number) of each record
    for i, row in enumerate(fresh):
        for j, person in enumerate(row.persons):
            records.append(match_record(row, person, f"event-row:{i}:{j}"))
            owners.append((i, j))
    version, candidates, mine = match_many(records) if records else (None, [], [])
    scorer = active_scorer()[1]
    decisions: dict[tuple[int, int], Decision] = {}
    for owner, found, theirs in zip(owners, candidates, mine, strict=True):
        assert version is not None
        decisions[owner] = decide(found, theirs, version)

    receiving = _receiving_agencies(fresh)
    events = PartnerEvent.objects.bulk_create(
        [
            PartnerEvent(
                agency=agency,
                kind=row.kind,
                subtype=row.subtype,
                source_id=row.source_id,
                occurred_at=row.occurred_at,
                summary=_summary(agency, row),
                address=", ".join(p for p in (row.address_line_1, row.town) if p)[:250],
                postcode=row.postcode,
                receiving_agency_id=receiving.get(row.receiving_school),
                payload=row.payload,
                received_at=now,
                delivery=delivery,
            )
            for row in fresh
        ],
        batch_size=1000,
    )

    subjects: list[EventSubject] = []
    review_of: list[tuple[EventSubject, Decision, MatchRecord]] = []
    linked_children: list[tuple[PartnerEvent, EventRow, int, str]] = []
    homes = household_children(fresh)
    record_at = 0
    for i, (row, event) in enumerate(zip(fresh, events, strict=True)):
        occurred_on = timezone.localdate(row.occurred_at)
        named_people: set[int] = set()
        for j, person in enumerate(row.persons):
            decision = decisions[(i, j)]
            record = records[record_at]
            record_at += 1
            best = decision.candidate
            linked = best.person_id if decision.outcome == Outcome.LINK and best is not None else None
            subject = EventSubject(
                event=event,
                role=person.role,
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                sex=person.sex,
                nhs_number=person.nhs_number,
                upn=person.upn,
                person_id=linked,
                match_outcome=str(decision.outcome),
                probability=round(best.probability, 6) if best is not None else None,
            )
            subjects.append(subject)
            if decision.outcome == Outcome.REVIEW and best is not None:
                review_of.append((subject, decision, record))
            if linked is not None and linked not in named_people:
                named_people.add(linked)
                born_text = best.features.get("dob") if best is not None else None
                born = datetime.date.fromisoformat(born_text) if born_text else person.date_of_birth
                if person.role in CHILD_ROLES or (
                    born is not None and _age_on(occurred_on, born) < ADULT_AGE
                ):
                    linked_children.append((event, row, linked, person.role))
        place = (row.postcode, _line_key(row.address_line_1))
        for person_id, born in homes.get(place, ()):
            if person_id in named_people or born > occurred_on or _age_on(occurred_on, born) >= ADULT_AGE:
                continue
            named_people.add(person_id)
            subjects.append(
                EventSubject(
                    event=event,
                    role=SubjectRole.HOUSEHOLD_CHILD,
                    person_id=person_id,
                    date_of_birth=born,
                    match_outcome="address",
                )
            )
            linked_children.append((event, row, person_id, SubjectRole.HOUSEHOLD_CHILD))
    EventSubject.objects.bulk_create(subjects, batch_size=1000)

    # The uncertain ones go to the front door, each with the reference of its subject.
    if review_of:
        candidates_by_id = Person.objects.in_bulk(
            [d.candidate.person_id for _, d, _ in review_of if d.candidate is not None]
        )
        items: list[IncomingReview] = []
        for subject, decision, record in review_of:
            best = decision.candidate
            assert best is not None
            candidate = candidates_by_id.get(best.person_id)
            if candidate is None:
                continue
            reference = f"event:{subject.event_id}:{subject.pk}"
            items.append(
                IncomingReview(
                    reason=decision.reason or ReviewReason.REVIEW_BAND,
                    candidate=candidate,
                    probability=best.probability,
                    match_weight=best.match_weight,
                    explanation=explain(features(record), best, scorer),
                    incoming=dataclasses.replace(record, record_id=reference),
                    incoming_reference=reference,
                )
            )
        assert version is not None
        queue_incoming_reviews(source=MatchSource.PARTNER_FEED, version=version, items=items)

    entries = [
        ChronologyEntry(
            person_id=person_id,
            occurred_on=timezone.localdate(row.occurred_at),
            occurred_at=row.occurred_at,
            kind=ChronologyKind.PARTNER_EVENT,
            agency=agency,
            summary=_chronology_summary(agency, row, role),
            detail=row.summary,
            source_type=PartnerEvent._meta.label_lower,
            source_id=str(event.pk),
            recorded_at=now,
        )
        for event, row, person_id, role in linked_children
    ]
    add_partner_events_to_chronology(entries)

    matched_of: dict[int, int] = defaultdict(int)
    for s in subjects:
        if s.person_id is not None and s.role != SubjectRole.HOUSEHOLD_CHILD:
            matched_of[s.event_id] += 1
    results: list[EventResult] = []
    new_by_source = {e.source_id: e for e in events}
    counts = matched_counts([e.pk for e in earlier.values()]) if earlier else {}
    for row in rows:
        if row.source_id in new_by_source:
            event = new_by_source[row.source_id]
            results.append(EventResult(row.source_id, True, event.pk, len(row.persons), matched_of[event.pk]))
        else:
            old = earlier[row.source_id]
            named, matched = counts.get(old.pk, (0, 0))
            results.append(EventResult(row.source_id, False, old.pk, named, matched))
    people = {s.person_id for s in subjects if s.person_id is not None}
    return WriteResult(
        results=results,
        new_event_ids=[e.pk for e in events],
        matched_people=people,
        reviews=len(review_of),
        chronology_entries=len(entries),
    )


def _chronology_summary(agency: Agency, row: EventRow, role: str) -> str:
    text = _summary(agency, row, with_text=False)
    said = _ROLE_IN_CHRONOLOGY.get(role)
    return f"{text} ({said})" if said else text
