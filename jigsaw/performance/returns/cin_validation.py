"""The DfE's validation rules for the children in need census, checked on the records the
census would write (cin_census.CensusChild), each failure naming the child by LAchildID and
linking to the record to put right.

Errors must be cleared before the return is submitted; a query (the DfE's numbers ending
in Q) asks the authority to check and either amend or explain, and does not stop the file.

The initial conference within 15 working days of the strategy discussion is, in the DfE's
rules, not an error: the census records the target (InitialCPCtarget) and the date held,
and the timeliness is a published indicator. The DfE's only rules on it are queries (8675Q:
an enquiry started more than 15 working days before the year end with no conference;
8870Q: a target date at a weekend). Jigsaw therefore flags a late conference as a query
(JIG-ICPC-LATE), like them, so the file is not held up but the record is looked at.

Rules implemented, by DfE number (messages as the DfE words them):
1510, 1530, 1540, 1550 (UPN), 8525 (birth date), 4180 and 8750 (sex), 4220 (ethnicity),
8540 (disability), 8555, 8606 (referral against death and birth), 8866 (referral source),
8650, 8610 (primary need), 8640 (closure reason), 8805 (closure without reason), 1103,
8608 (assessment dates), 8736 (open assessment started before the year), 8869 (factor 21
alone), 8898 (factor repeated), 8896 (two open assessments), 4015, 4011, 4014, 4004, 4000,
4016 (child in need plans), 2889, 8615, 1104, 8839, 8740 (section 47), 8905, 8910, 8840,
8915, 8920, 2885 (child protection plans), 2990 (activity after RC8 or RC9), 8831
(activity on a referral with no further action), 8873 (factor 21 alone means RC8); queries
8585Q, 8670Q, 8675Q, 8870Q.

Jigsaw's own rules, where a check the brief asks for has no DfE number confirmed here:
JIG-CLOSURE-ORDER (closure before referral), JIG-FACTOR (factor code not in the list),
JIG-CPP-REFERRAL (plan starting before the referral), JIG-CPP-ORDER (plan ending before it
starts), JIG-CPP-OVERLAP (two plans at once), JIG-EPISODE-OVERLAP (an episode opening
before the previous one closed), JIG-ICPC-LATE (query, above).

Not implemented, because Jigsaw's records cannot break them or the census is built so that
they hold: 100 (reference date), 8500, 8510, 1570 (LAchildID is the Jigsaw number, unique
and short), 8772 (UN7 is only given when every episode is a no-further-action referral),
8568 (ReferralNFA is always written), 8600, 8620, 8715, 4010 (dates outside the year are
not written), 8614 (factors are written only for an authorised assessment), 8810 (a
reason is written only with a closure date), 2884 (a conference is written at one level
only), 8540's former-UPN cousins and the FormerUPN rules (Jigsaw keeps no former UPN),
AssessmentInternalReviewDate rules (not recorded). Not implemented for now: authority-level
queries and counts (2883, 2886Q), 8530Q (expected birth date range), 8545Q (death in the
year), 8775Q (over 25), 8825Q, 8945Q and 8950Q (18A and 19A are not in Jigsaw's list, so
JIG-FACTOR catches them).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from django.urls import reverse
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, ValidationError
from stdnum.gb import upn as upn_check

from jigsaw.casework import timescales
from jigsaw.casework.models import AbuseCategory, AssessmentFactor, ClosureReason, PrimaryNeed, ReferralSource
from jigsaw.people.models import Ethnicity, Sex
from jigsaw.performance.returns.cin_census import (
    CensusChild,
    CensusEpisode,
    CensusSummary,
    census_children,
    write_cin_census,
)
from jigsaw.performance.returns.common import CollectionPeriod, collection_period

SOURCES = frozenset(ReferralSource.values)
NEEDS = frozenset(PrimaryNeed.values)
REASONS = frozenset(ClosureReason.values)
FACTORS = frozenset(AssessmentFactor.values)
CATEGORIES = frozenset(AbuseCategory.values)
ETHNICITIES = frozenset(Ethnicity.values)
SEXES = frozenset(Sex.values)
DISABILITIES = frozenset(
    {"NONE", "AUT", "BEH", "COMM", "CON", "DDA", "HAND", "HEAR", "INC", "LD", "MAND", "MOB", "PC", "VIS"}
)
CLOSED_AFTER_ASSESSMENT = frozenset({ClosureReason.RC8, ClosureReason.RC9})

# The same few hundred dates recur across 400,000 children: remember the working-day sums.
add_working_days = lru_cache(maxsize=8192)(timescales.add_working_days)
working_days_between = lru_cache(maxsize=65536)(timescales.working_days_between)


class Severity(enum.StrEnum):
    ERROR = "error"
    QUERY = "query"


@dataclass(frozen=True)
class ValidationFailure:
    code: str
    message: str
    severity: Severity
    la_child_id: str
    url: str  # the record to put right

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class Rule:
    code: str
    message: str

    @property
    def severity(self) -> Severity:
        return Severity.QUERY if self.code.endswith(("Q", "-LATE")) else Severity.ERROR


def _r(code: str, message: str) -> Rule:
    return Rule(code, message)


R = {
    r.code: r
    for r in (
        _r("1510", "UPN invalid (wrong check letter at character 1)"),
        _r("1530", "UPN invalid (characters 2-4 not a recognised LA code)"),
        _r("1540", "UPN invalid (characters 5-12 not all numeric)"),
        _r("1550", "UPN invalid (character 13 not a recognised value)"),
        _r("8525", "Either Date of Birth or Expected Date of Birth must be provided (but not both)"),
        _r("4180", "Sex must be provided and equal M, F, or U"),
        _r("8750", "Sex must equal U for an unborn child"),
        _r("4220", "Ethnicity is missing or invalid (see Ethnicity table)"),
        _r("8540", "Child's disability is missing or invalid (see Disability table)"),
        _r("8555", "Child cannot be referred after its recorded date of death"),
        _r("8606", "Child referral date is more than 40 weeks before DOB or expected DOB"),
        _r("8866", "Source of Referral is missing or an invalid code"),
        _r("8650", "Primary Need Code invalid (see Primary Need table in CIN census code set)"),
        _r("8610", "Primary Need code is missing for a referral which led to further action"),
        _r(
            "8640",
            "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
        ),
        _r("8805", "A CIN case cannot have a CIN Closure Date without a Reason for Closure"),
        _r("JIG-CLOSURE-ORDER", "The CIN Closure Date cannot be before the referral date"),
        _r(
            "JIG-EPISODE-OVERLAP",
            "A referral is recorded while the child's previous CIN episode is still open",
        ),
        _r("1103", "The assessment start date cannot be before the referral date"),
        _r("8608", "Assessment Start Date cannot be later than its End Date"),
        _r(
            "8736",
            "For an Assessment that has not been completed, the start date must fall within the census year",
        ),
        _r(
            "8869",
            "The assessment factors code “21” cannot be used in conjunction with any other assessment factors.",
        ),
        _r("8898", "The assessment has more than one parental or child factors with the same code"),
        _r(
            "JIG-FACTOR",
            "Assessment factor code invalid (see Factors identified at assessment in CIN census code set)",
        ),
        _r("8896", "Within one CINDetails group there are 2 or more open Assessments groups"),
        _r("4015", "The CIN Plan start date cannot be before the referral date"),
        _r("4011", "CIN Plan End Date earlier than Start Date"),
        _r("4014", "CIN Plan data contains overlapping dates"),
        _r("4004", "This child is showing more than one open CIN Plan, i.e. with no End Date"),
        _r("4000", "CIN Plan details provided for a referral with no further action"),
        _r("4016", "A CIN Plan has been reported as open at the same time as a Child Protection Plan."),
        _r("2889", "The S47 start date cannot be before the referral date."),
        _r(
            "8615",
            "Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
            "initial Child Protection Conference",
        ),
        _r("1104", "The date of the initial child protection conference cannot be before the referral date"),
        _r("8839", "Within one CINDetails group there are 2 or more open S47 Assessments"),
        _r(
            "8740",
            "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end "
            "of the census year, the start date must fall within the census year",
        ),
        _r(
            "8905",
            "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
        ),
        _r(
            "8910",
            "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)",
        ),
        _r("8840", "Child Protection Plan cannot start and end on the same day"),
        _r("8915", "Child Protection Plan shown as starting after the child's Date of Death"),
        _r("8920", "Child Protection Plan cannot end after the child's Date of Death"),
        _r(
            "2885",
            "Child protection plan shown as starting a different day to the initial child protection conference",
        ),
        _r("JIG-CPP-REFERRAL", "The child protection plan start date cannot be before the referral date"),
        _r("JIG-CPP-ORDER", "Child Protection Plan End Date earlier than Start Date"),
        _r("JIG-CPP-OVERLAP", "The child has two child protection plans open at the same time"),
        _r(
            "2990",
            "Activity is recorded against a case marked as 'Case closed after assessment, no further action' "
            "or 'case closed after assessment, referred to early help'.",
        ),
        _r("8831", "Activity is recorded against a case marked as a referral with no further action"),
        _r(
            "8873",
            "When there is only one assessment on the episode and the factors code “21 No factors identified” "
            "has been used for the completed assessment, the reason for closure 'RC8' must be used.",
        ),
        _r(
            "8585Q",
            "Please check: CIN episode shows Died as the Closure Reason, however child has no recorded Date of Death",
        ),
        _r(
            "8670Q",
            "Please check: Assessment started more than 45 working days before the end of the census year. "
            "However, there is no Assessment end date.",
        ),
        _r(
            "8675Q",
            "Please check and either amend data or provide a reason: S47 Enquiry started more than 15 working "
            "days before the end of the census year. However, there is no date of Initial Child Protection "
            "Conference.",
        ),
        _r(
            "8870Q",
            "Please check and either amend or provide a reason: The Target Date for Initial Child Protection "
            "Conference should not be a weekend",
        ),
        _r(
            "JIG-ICPC-LATE",
            "Please check: the initial child protection conference was held more than 15 working days after "
            "the strategy discussion",
        ),
    )
}
RULES: tuple[Rule, ...] = tuple(R.values())


_SENTINEL = 987654321


@lru_cache(maxsize=32)
def _url_pattern(url_name: str) -> str:
    return reverse(url_name, args=[_SENTINEL])


def _record_url(url_name: str, pk: int) -> str:
    """`reverse(url_name, args=[pk])`, resolved once per page: a large authority's first
    census can have a hundred thousand failures."""
    return _url_pattern(url_name).replace(str(_SENTINEL), str(pk))


class _Checker:
    """Collects the failures of one child, each pointing at the record to put right."""

    def __init__(self, child: CensusChild) -> None:
        self.child = child
        self.failures: list[ValidationFailure] = []

    def fail(self, code: str, url_name: str, pk: int) -> None:
        rule = R[code]
        self.failures.append(
            ValidationFailure(
                rule.code, rule.message, rule.severity, self.child.la_child_id, _record_url(url_name, pk)
            )
        )

    def person(self, code: str) -> None:
        self.fail(code, "people:detail", self.child.person_id)

    def referral(self, code: str, episode: CensusEpisode) -> None:
        self.fail(code, "casework:referral", episode.pk)


def _upn_failure(upn: str) -> str | None:
    try:
        upn_check.validate(upn)
    except InvalidChecksum:
        return "1510"
    except InvalidComponent:
        return "1530"
    except (InvalidFormat, ValidationError):
        # Length or format: name the part that is wrong the DfE's way.
        if len(upn) == 13 and upn[-1] not in "ABCDEFGHJKLMNPQRTUVWXYZ0123456789":
            return "1550"
        return "1540"
    return None


def _overlap(
    a_start: datetime.date, a_end: datetime.date | None, b_start: datetime.date, b_end: datetime.date | None
) -> bool:
    """Two periods share a day (an end on the day the other starts is a handover, not an overlap)."""
    return (a_end is None or b_start < a_end) and (b_end is None or a_start < b_end)


def _child_rules(c: _Checker, period: CollectionPeriod) -> None:
    child = c.child
    if child.upn and (code := _upn_failure(child.upn)):
        c.person(code)
    if (child.birth_date is None) == (child.expected_birth_date is None):
        c.person("8525")
    if child.sex not in SEXES:
        c.person("4180")
    elif child.expected_birth_date and child.sex != Sex.UNKNOWN:
        c.person("8750")
    if child.ethnicity not in ETHNICITIES:
        c.person("4220")
    all_nfa = bool(child.episodes) and all(e.referral_nfa for e in child.episodes)
    if child.birth_date and not all_nfa and not any(d in DISABILITIES for d in child.disabilities):
        c.person("8540")
    born = child.birth_date or child.expected_birth_date
    previous: CensusEpisode | None = None
    for e in child.episodes:
        if child.death_date and e.referred_on > child.death_date:
            c.referral("8555", e)
        if born and (born - e.referred_on).days > 280:
            c.referral("8606", e)
        if e.closure_reason == ClosureReason.RC2 and child.death_date is None:
            c.referral("8585Q", e)
        if previous is not None and (previous.closed_on is None or e.referred_on < previous.closed_on):
            c.referral("JIG-EPISODE-OVERLAP", e)
        previous = e
        _episode_rules(c, e, period)
    plans = [p for e in child.episodes for p in e.cp_plans]
    for i, p in enumerate(plans):
        if child.death_date and p.started_on > child.death_date:
            c.fail("8915", "casework:plan", p.pk)
        if child.death_date and p.ended_on and p.ended_on > child.death_date:
            c.fail("8920", "casework:plan", p.pk)
        if any(_overlap(p.started_on, p.ended_on, q.started_on, q.ended_on) for q in plans[:i]):
            c.fail("JIG-CPP-OVERLAP", "casework:plan", p.pk)


def _episode_rules(c: _Checker, e: CensusEpisode, period: CollectionPeriod) -> None:
    if e.source not in SOURCES:
        c.referral("8866", e)
    if e.primary_need and e.primary_need not in NEEDS:
        c.referral("8650", e)
    elif not e.primary_need and not e.referral_nfa:
        c.referral("8610", e)
    if e.closed_on:
        if not e.closure_reason:
            c.referral("8805", e)
        elif e.closure_reason not in REASONS:
            c.referral("8640", e)
        if e.closed_on < e.referred_on:
            c.referral("JIG-CLOSURE-ORDER", e)
    activity = bool(e.cin_plans or e.section47s or e.cp_plans or e.initial_conference_on)
    if e.closure_reason in CLOSED_AFTER_ASSESSMENT and activity:
        c.referral("2990", e)
    if e.referral_nfa and (activity or e.assessments):
        c.referral("8831", e)
    if (
        e.closure_reason
        and e.closure_reason != ClosureReason.RC8
        and len(e.assessments) == 1
        and e.assessments[0].factors == [AssessmentFactor.NO_FACTORS]
    ):
        c.referral("8873", e)
    _assessment_rules(c, e, period)
    _plan_rules(c, e, period)
    _section47_rules(c, e, period)


def _assessment_rules(c: _Checker, e: CensusEpisode, period: CollectionPeriod) -> None:
    open_count = 0
    for a in e.assessments:

        def fail(code: str, pk: int = a.pk) -> None:
            c.fail(code, "casework:assessment", pk)

        if a.started_on < e.referred_on:
            fail("1103")
        if a.authorised_on and a.started_on > a.authorised_on:
            fail("8608")
        if a.authorised_on is None:
            open_count += 1
            if a.started_on < period.start:
                fail("8736")
            elif add_working_days(a.started_on, 45) < period.end:
                fail("8670Q")
        if AssessmentFactor.NO_FACTORS in a.factors and len(a.factors) > 1:
            fail("8869")
        if len(set(a.factors)) != len(a.factors):
            fail("8898")
        if any(f not in FACTORS for f in a.factors):
            fail("JIG-FACTOR")
    if open_count > 1:
        c.referral("8896", e)


def _plan_rules(c: _Checker, e: CensusEpisode, period: CollectionPeriod) -> None:
    open_plans = 0
    for i, p in enumerate(e.cin_plans):

        def fail(code: str, pk: int = p.pk) -> None:
            c.fail(code, "casework:cin_plan", pk)

        if p.started_on < e.referred_on:
            fail("4015")
        if p.ended_on and p.ended_on < p.started_on:
            fail("4011")
        if any(_overlap(p.started_on, p.ended_on, q.started_on, q.ended_on) for q in e.cin_plans[:i]):
            fail("4014")
        if e.referral_nfa:
            fail("4000")
        if any(_overlap(p.started_on, p.ended_on, cp.started_on, cp.ended_on) for cp in e.cp_plans):
            fail("4016")
        open_plans += p.ended_on is None
    if open_plans > 1:
        c.referral("4004", e)
    conferences = {s.initial_conference_on for s in e.section47s} | {e.initial_conference_on}
    for cp in e.cp_plans:

        def fail_plan(code: str, pk: int = cp.pk) -> None:
            c.fail(code, "casework:plan", pk)

        if cp.initial_category not in CATEGORIES:
            fail_plan("8905")
        if cp.latest_category not in CATEGORIES:
            fail_plan("8910")
        if cp.started_on < e.referred_on:
            fail_plan("JIG-CPP-REFERRAL")
        if cp.ended_on and cp.ended_on < cp.started_on:
            fail_plan("JIG-CPP-ORDER")
        elif cp.ended_on == cp.started_on:
            fail_plan("8840")
        # A plan starting in the year starts on the day of its initial conference.
        if cp.started_on >= period.start and cp.started_on not in conferences:
            fail_plan("2885")


def _section47_rules(c: _Checker, e: CensusEpisode, period: CollectionPeriod) -> None:
    open_count = 0
    for s in e.section47s:

        def fail(code: str, pk: int = s.pk) -> None:
            c.fail(code, "casework:section47", pk)

        if s.started_on < e.referred_on:
            fail("2889")
        if s.initial_conference_on:
            if s.started_on > s.initial_conference_on:
                fail("8615")
            if s.initial_conference_on < e.referred_on:
                fail("1104")
            if working_days_between(s.strategy_held_on, s.initial_conference_on) > 15:
                fail("JIG-ICPC-LATE")
        elif not s.conference_not_required:
            open_count += 1
            if s.started_on < period.start:
                fail("8740")
            elif add_working_days(s.started_on, 15) < period.end:
                fail("8675Q")
        if s.conference_target.weekday() >= 5:
            fail("8870Q")
    if open_count > 1:
        c.referral("8839", e)
    if e.initial_conference_on and e.initial_conference_on < e.referred_on:
        c.referral("1104", e)


def child_failures(child: CensusChild, period: CollectionPeriod) -> list[ValidationFailure]:
    checker = _Checker(child)
    _child_rules(checker, period)
    return checker.failures


def validate_children(children: Iterable[CensusChild], *, year: int) -> Iterator[ValidationFailure]:
    period = collection_period(year)
    for child in children:
        yield from child_failures(child, period)


def _in_order(failures: list[ValidationFailure]) -> list[ValidationFailure]:
    """Errors first, then by child."""
    return sorted(failures, key=lambda f: (not f.is_error, int(f.la_child_id), f.code))


def validate_cin_census(*, year: int) -> list[ValidationFailure]:
    """Every failure of the census for the collection year ending 31 March `year`, errors
    first, then by child."""
    return _in_order(list(validate_children(census_children(year=year), year=year)))


def write_validated_cin_census(
    out: IO[bytes], *, year: int, serial: int = 1
) -> tuple[CensusSummary, list[ValidationFailure]]:
    """Write the census to `out` and validate it in the same pass (the children are read from
    the database once): the summary, and the failures as `validate_cin_census` lists them.
    The file is written even when there are errors; the caller decides whether to keep it."""
    period = collection_period(year)
    failures: list[ValidationFailure] = []

    def check(child: CensusChild) -> None:
        failures.extend(child_failures(child, period))

    summary = write_cin_census(out, year=year, serial=serial, on_child=check)
    return summary, _in_order(failures)
