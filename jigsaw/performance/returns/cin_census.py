"""The children in need census (DfE, collection year 2025 to 2026 and on), straight from the
casework.

Who is in it (the specification's "cases to include"): every child with an episode of need
open at any time in the census year, that is a referral made on or before the reference
date and not closed before the year began, including referrals that led to no further
action. An episode is one `CINdetails`; inside it go the assessments, child in need plans,
section 47 enquiries and child protection plans that were open at some time in the year.
A date after the reference date is not yet known to the census and is left out (an episode
closed in April is still open on 31 March).

The file is streamed: the children are read from the database a chunk at a time (one query
per table per chunk, no query per child) and written a child at a time, so a
return of 400,000 children takes bounded memory (each <Child> is written as escaped text: see
`child_xml`). Validation (cin_validation) reads the same
`CensusChild` records, so what is checked is exactly what is written.

Mapping from Jigsaw to the census:
- LAchildID: the child's Jigsaw number (a record merged into another is reported under the
  record it was merged into).
- UPN: the person's UPN; without one, UPNunknown is UN6 (unborn), UN7 (every episode a
  referral with no further action), UN1 (under 6 on the reference date) or else UN5
  (sources that collate UPNs hold none for the child).
- Sex: M, F or U as recorded (the 2024 to 2025 change from GenderCurrent).
- Disability: "NONE", or "DDA" (disabled within the meaning of the Equality Act, condition
  not recorded in Jigsaw); left out when not known (rule 8540 then asks for it).
- AssessmentAuthorisationDate: the day a manager authorised the assessment; its factors
  are reported only then (rule 8614).
- DateOfInitialCPC: in the Section47 group when the conference followed that enquiry,
  otherwise (a conference with no enquiry recorded, such as a transfer-in) on CINdetails.
- ICPCnotRequired: the enquiry concluded without a conference (child in need plan, or
  concerns not substantiated).
- NumberOfPreviousCPP: the child's earlier child protection plans recorded in Jigsaw.
- Reviews: the review conferences held for the plan in the year.
"""

from __future__ import annotations

import datetime
import html
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from jigsaw.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceKind,
    Referral,
    Section47Enquiry,
    Section47Outcome,
)
from jigsaw.people.models import BirthDatePrecision, Disability, Person
from jigsaw.performance.returns.common import CollectionPeriod, IdsIn, chunked, collection_period

SOFTWARE_CODE = "Jigsaw"
RELEASE = "0.1.0"
# Children per round of queries: big enough that the queries, not Python, set the pace
# (the keys are written into the SQL, so no parameter limit applies); small enough that a
# chunk's records stay a few megabytes.
CHUNK = 5000
# A transfer-in conference starts a plan as an initial one does (the child came on a plan).
INITIAL_KINDS = frozenset({ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH, ConferenceKind.TRANSFER_IN})
DISABILITY_CODES: dict[str, list[str]] = {Disability.NONE: ["NONE"], Disability.YES: ["DDA"]}
CONCLUDED_WITHOUT_CONFERENCE = frozenset({Section47Outcome.CHILD_IN_NEED, Section47Outcome.NOT_SUBSTANTIATED})


@dataclass
class CensusAssessment:
    pk: int
    started_on: datetime.date
    authorised_on: datetime.date | None
    factors: list[str]


@dataclass
class CensusCinPlan:
    pk: int
    started_on: datetime.date
    ended_on: datetime.date | None


@dataclass
class CensusSection47:
    pk: int
    started_on: datetime.date
    conference_target: datetime.date
    strategy_held_on: datetime.date
    initial_conference_on: datetime.date | None
    conference_not_required: bool


@dataclass
class CensusCpPlan:
    pk: int
    started_on: datetime.date
    ended_on: datetime.date | None
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[datetime.date]


@dataclass
class CensusEpisode:
    pk: int  # the referral
    referred_on: datetime.date
    source: str
    primary_need: str
    referral_nfa: bool
    closed_on: datetime.date | None
    closure_reason: str
    initial_conference_on: datetime.date | None = None  # one not following a section 47
    assessments: list[CensusAssessment] = field(default_factory=list)
    cin_plans: list[CensusCinPlan] = field(default_factory=list)
    section47s: list[CensusSection47] = field(default_factory=list)
    cp_plans: list[CensusCpPlan] = field(default_factory=list)


@dataclass
class CensusChild:
    person_id: int
    upn: str
    upn_unknown: str
    birth_date: datetime.date | None
    expected_birth_date: datetime.date | None
    sex: str
    death_date: datetime.date | None
    ethnicity: str
    disabilities: list[str]
    episodes: list[CensusEpisode]

    @property
    def la_child_id(self) -> str:
        return str(self.person_id)


@dataclass(frozen=True)
class CensusSummary:
    year: int
    children: int
    episodes: int


def _open_in(period: CollectionPeriod, start_field: str, end_field: str) -> Q:
    """Started by the reference date and not ended before the year began."""
    return Q(**{f"{start_field}__lte": period.end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": period.start})
    )


def _known(day: datetime.date | None, period: CollectionPeriod) -> datetime.date | None:
    """A date as the census knows it on the reference date."""
    return day if day is not None and day <= period.end else None


def children_in_scope(period: CollectionPeriod) -> dict[int, list[int]]:
    """Each child in the census (by the record reported) with the person records whose
    episodes are theirs: itself and any record merged into it."""
    rows = (
        Referral.objects.filter(_open_in(period, "referred_on", "closed_on"))
        .values_list("person_id", "person__merged_into_id")
        .distinct()
    )
    members: dict[int, set[int]] = defaultdict(set)
    for person_id, merged_into in rows:
        members[merged_into or person_id].add(person_id)
    return {child: sorted(ids | {child}) for child, ids in sorted(members.items())}


def _upn_unknown(
    upn: str, *, unborn: bool, born: datetime.date | None, episodes: list[CensusEpisode], ref: datetime.date
) -> str:
    if upn:
        return ""
    if unborn:
        return "UN6"
    if episodes and all(e.referral_nfa for e in episodes):
        return "UN7"
    if born is not None and (ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))) < 6:
        return "UN1"
    return "UN5"


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _load_chunk(period: CollectionPeriod, members: dict[int, list[int]]) -> list[CensusChild]:
    """The census records of a chunk of children: one query per table."""
    survivor_of = {pid: child for child, ids in members.items() for pid in ids}
    person_ids = list(survivor_of)
    people = {
        row[0]: row
        for row in Person.objects.filter(IdsIn(F("pk"), list(members))).values_list(
            "pk",
            "upn",
            "date_of_birth",
            "birth_date_precision",
            "sex",
            "ethnicity",
            "disability",
            "date_of_death",
        )
    }
    episodes: dict[int, CensusEpisode] = {}
    episodes_of: dict[int, list[CensusEpisode]] = defaultdict(list)
    for pk, person_id, referred_on, source, need, nfa, closed_on, reason in (
        Referral.objects.filter(
            _open_in(period, "referred_on", "closed_on"), IdsIn(F("person_id"), person_ids)
        )
        .order_by("referred_on", "pk")
        .values_list(
            "pk",
            "person_id",
            "referred_on",
            "source",
            "primary_need",
            "referral_nfa",
            "closed_on",
            "closure_reason",
        )
    ):
        closed = _known(closed_on, period)
        episode = CensusEpisode(pk, referred_on, source, need, nfa, closed, reason if closed else "")
        episodes[pk] = episode
        episodes_of[survivor_of[person_id]].append(episode)
    referral_ids = list(episodes)

    for pk, referral_id, started_on, authorised_at, factors in (
        Assessment.objects.filter(IdsIn(F("referral_id"), referral_ids), started_on__lte=period.end)
        .order_by("started_on", "pk")
        .values_list("pk", "referral_id", "started_on", "authorised_at", "factors")
    ):
        authorised = _known(_local_day(authorised_at), period)
        if authorised is not None and authorised < period.start:
            continue  # finished before the year began
        episodes[referral_id].assessments.append(
            CensusAssessment(
                pk, started_on, authorised, [str(f) for f in factors or []] if authorised else []
            )
        )

    for pk, referral_id, started_on, ended_on in (
        ChildInNeedPlan.objects.filter(
            _open_in(period, "started_on", "ended_on"), IdsIn(F("referral_id"), referral_ids)
        )
        .order_by("started_on", "pk")
        .values_list("pk", "referral_id", "started_on", "ended_on")
    ):
        episodes[referral_id].cin_plans.append(CensusCinPlan(pk, started_on, _known(ended_on, period)))

    # Conferences held by the reference date: initial ones (for the enquiries and episodes)
    # and reviews (for the plans).
    initial_for_s47: dict[int, datetime.date] = {}
    initial_for_episode: dict[int, datetime.date] = {}
    reviews_of_plan: dict[int, list[datetime.date]] = defaultdict(list)
    for referral_id, s47_id, plan_id, kind, held_on in (
        ConferenceChild.objects.filter(
            IdsIn(F("referral_id"), referral_ids), conference__held=True, conference__date__lte=period.end
        )
        .order_by("conference__date", "pk")
        .values_list("referral_id", "section47_id", "plan_id", "conference__kind", "conference__date")
    ):
        if kind in INITIAL_KINDS:
            if s47_id is not None:
                initial_for_s47.setdefault(s47_id, held_on)
            else:
                initial_for_episode.setdefault(referral_id, held_on)
        elif kind == ConferenceKind.REVIEW and plan_id is not None and held_on >= period.start:
            reviews_of_plan[plan_id].append(held_on)
    for referral_id, held_on in initial_for_episode.items():
        if held_on >= period.start:
            episodes[referral_id].initial_conference_on = held_on

    for pk, referral_id, started_on, target, outcome, completed_on, strategy_on in (
        Section47Enquiry.objects.filter(IdsIn(F("referral_id"), referral_ids), started_on__lte=period.end)
        .order_by("started_on", "pk")
        .values_list(
            "pk",
            "referral_id",
            "started_on",
            "conference_due_on",
            "outcome",
            "completed_on",
            "strategy_discussion__held_on",
        )
    ):
        conference = initial_for_s47.get(pk)
        finished = conference or _known(completed_on, period)
        if finished is not None and finished < period.start:
            continue
        episodes[referral_id].section47s.append(
            CensusSection47(
                pk,
                started_on,
                target,
                strategy_on,
                conference,
                conference is None and outcome in CONCLUDED_WITHOUT_CONFERENCE and completed_on is not None,
            )
        )

    starts_of: dict[int, list[datetime.date]] = defaultdict(list)
    for person_id, started_on in ChildProtectionPlan.objects.filter(
        IdsIn(F("person_id"), person_ids)
    ).values_list("person_id", "started_on"):
        starts_of[survivor_of[person_id]].append(started_on)
    for pk, referral_id, person_id, started_on, ended_on, initial, latest in (
        ChildProtectionPlan.objects.filter(
            _open_in(period, "started_on", "ended_on"), IdsIn(F("referral_id"), referral_ids)
        )
        .order_by("started_on", "pk")
        .values_list(
            "pk", "referral_id", "person_id", "started_on", "ended_on", "initial_category", "latest_category"
        )
    ):
        previous = sum(1 for s in starts_of[survivor_of[person_id]] if s < started_on)
        episodes[referral_id].cp_plans.append(
            CensusCpPlan(
                pk,
                started_on,
                _known(ended_on, period),
                initial,
                latest,
                previous,
                reviews_of_plan.get(pk, []),
            )
        )

    children: list[CensusChild] = []
    for child_id in members:
        _, upn, born, precision, sex, ethnicity, disability, died = people[child_id]
        unborn = precision == BirthDatePrecision.EXPECTED
        child_episodes = episodes_of[child_id]
        children.append(
            CensusChild(
                person_id=child_id,
                upn=upn.strip().upper(),
                upn_unknown=_upn_unknown(
                    upn.strip(), unborn=unborn, born=born, episodes=child_episodes, ref=period.end
                ),
                birth_date=None if unborn else born,
                expected_birth_date=born if unborn else None,
                sex=sex,
                death_date=died,
                ethnicity=ethnicity,
                disabilities=DISABILITY_CODES.get(disability, []),
                episodes=child_episodes,
            )
        )
    return children


def census_children(*, year: int, chunk: int = CHUNK) -> Iterator[CensusChild]:
    """The census's children, in Jigsaw-number order, read a chunk at a time."""
    period = collection_period(year)
    scope = children_in_scope(period)
    for ids in chunked(list(scope), chunk):
        yield from _load_chunk(period, {child: scope[child] for child in ids})


# Writing -----------------------------------------------------------------------------------


def _d(day: datetime.date) -> str:
    return day.isoformat()


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _bool(value: bool) -> str:
    return "true" if value else "false"


# Each <Child> is written as text rather than built as an lxml tree and serialised: at
# 400,000 children the tree took 37 microseconds a child (about 15 s of the census's minute,
# measured on the 100,000-child demo); the text a few. Every value is escaped (&, < and >,
# all that text content needs) and the tests parse what is written with lxml.
class _Xml:
    """A <Child> fragment, element by element, in the order they are added."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def open(self, tag: str) -> None:
        self.parts.append(f"<{tag}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def text(self, tag: str, value: str) -> None:
        self.parts.append(f"<{tag}>{html.escape(value, quote=False)}</{tag}>")

    def date(self, tag: str, day: datetime.date) -> None:
        self.parts.append(f"<{tag}>{day.isoformat()}</{tag}>")


def child_xml(child: CensusChild) -> str:
    """One <Child>, its elements in the specification's order."""
    x = _Xml()
    x.open("Child")
    x.open("ChildIdentifiers")
    x.text("LAchildID", child.la_child_id)
    if child.upn:
        x.text("UPN", child.upn)
    if child.upn_unknown:
        x.text("UPNunknown", child.upn_unknown)
    if child.birth_date:
        x.date("PersonBirthDate", child.birth_date)
    if child.expected_birth_date:
        x.date("ExpectedPersonBirthDate", child.expected_birth_date)
    x.text("Sex", child.sex)
    if child.death_date:
        x.date("PersonDeathDate", child.death_date)
    x.close("ChildIdentifiers")
    x.open("ChildCharacteristics")
    x.text("Ethnicity", child.ethnicity)
    if child.disabilities:
        x.open("Disabilities")
        for code in child.disabilities:
            x.text("Disability", code)
        x.close("Disabilities")
    x.close("ChildCharacteristics")
    for episode in child.episodes:
        _episode(x, episode)
    x.close("Child")
    return "".join(x.parts)


def _episode(x: _Xml, episode: CensusEpisode) -> None:
    x.open("CINdetails")
    x.date("CINreferralDate", episode.referred_on)
    x.text("ReferralSource", episode.source)
    if episode.primary_need:
        x.text("PrimaryNeedCode", episode.primary_need)
    if episode.closed_on:
        x.date("CINclosureDate", episode.closed_on)
        x.text("ReasonForClosure", episode.closure_reason)
    if episode.initial_conference_on:
        x.date("DateOfInitialCPC", episode.initial_conference_on)
    x.text("ReferralNFA", _bool(episode.referral_nfa))
    for a in episode.assessments:
        x.open("Assessments")
        x.date("AssessmentActualStartDate", a.started_on)
        if a.authorised_on:
            x.date("AssessmentAuthorisationDate", a.authorised_on)
        if a.factors:
            x.open("FactorsIdentifiedAtAssessment")
            for code in a.factors:
                x.text("AssessmentFactors", code)
            x.close("FactorsIdentifiedAtAssessment")
        x.close("Assessments")
    for p in episode.cin_plans:
        x.open("CINPlanDates")
        x.date("CINPlanStartDate", p.started_on)
        if p.ended_on:
            x.date("CINPlanEndDate", p.ended_on)
        x.close("CINPlanDates")
    for s in episode.section47s:
        x.open("Section47")
        x.date("S47ActualStartDate", s.started_on)
        x.date("InitialCPCtarget", s.conference_target)
        if s.initial_conference_on:
            x.date("DateOfInitialCPC", s.initial_conference_on)
        x.text("ICPCnotRequired", _bool(s.conference_not_required))
        x.close("Section47")
    for c in episode.cp_plans:
        x.open("ChildProtectionPlans")
        x.date("CPPstartDate", c.started_on)
        if c.ended_on:
            x.date("CPPendDate", c.ended_on)
        x.text("InitialCategoryOfAbuse", c.initial_category)
        x.text("LatestCategoryOfAbuse", c.latest_category)
        x.text("NumberOfPreviousCPP", str(c.previous_plans))
        if c.reviews:
            x.open("Reviews")
            for day in c.reviews:
                x.date("CPPreviewDate", day)
            x.close("Reviews")
        x.close("ChildProtectionPlans")
    x.close("CINdetails")


def header_element(*, year: int, serial: int, now: datetime.datetime) -> etree._Element:
    period = collection_period(year)
    header = etree.Element("Header")
    collection = etree.SubElement(header, "CollectionDetails")
    _sub(collection, "Collection", "CIN")
    _sub(collection, "Year", str(year))
    _sub(collection, "ReferenceDate", _d(period.end))
    source = etree.SubElement(header, "Source")
    _sub(source, "SourceLevel", "L")
    _sub(source, "LEA", str(settings.JIGSAW_LA_CODE))
    _sub(source, "SoftwareCode", SOFTWARE_CODE)
    _sub(source, "Release", RELEASE)
    _sub(source, "SerialNo", str(serial))
    _sub(source, "DateTime", timezone.localtime(now).replace(microsecond=0, tzinfo=None).isoformat())
    return header


def write_cin_census(
    out: IO[bytes], *, year: int, serial: int = 1, on_child: Callable[[CensusChild], object] | None = None
) -> CensusSummary:
    """Write the census for the collection year ending 31 March `year` to `out` as XML, child
    by child. It does not validate by itself: `on_child` sees each child as it is written
    (cin_validation.write_validated_cin_census checks them there, in the same pass)."""
    children = episodes = 0
    header = etree.tostring(header_element(year=year, serial=serial, now=timezone.now()), encoding="unicode")
    # Written through a text layer with a buffer, a chunk of children at a time.
    text = io.TextIOWrapper(out, encoding="utf-8", write_through=False)
    try:
        text.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Message>{header}<Children>')
        for child in census_children(year=year):
            if on_child is not None:
                on_child(child)
            text.write(child_xml(child))
            children += 1
            episodes += len(child.episodes)
        text.write("</Children></Message>\n")
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller, as it was given
    return CensusSummary(year=year, children=children, episodes=episodes)
