"""The partnership's report on what children and families say: feedback per quarter, the
answers to each question as counts and percentages, the themes staff tagged, and how many
conferences had an advocate offered and there, month by month.

Figures only: no child is named and no free text is quoted (what a family writes may name
people), so managers, analysts and the partnership all read the same report. Quarters are
the financial year's (April to June is the first), as the partnership reports them.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from django.db.models import Count, Q

from jigsaw.casework.models import ChildProtectionConference
from jigsaw.casework.timescales import add_months
from jigsaw.voice.models.feedback import QUESTIONS, Answer, FamilyFeedback, GivenBy, HowGiven, Theme

REPORT_QUARTERS = 4
ADVOCACY_MONTHS = 12


@dataclasses.dataclass(frozen=True)
class Period:
    starts_on: datetime.date
    ends_on: datetime.date  # inclusive
    label: str

    def holds(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclasses.dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def percent(self) -> int | None:
        """Rounded to a whole number; None when there is nothing to be a share of."""
        if self.of == 0:
            return None
        return round(100 * self.count / self.of)


@dataclasses.dataclass(frozen=True)
class Row:
    label: str
    cells: list[Share]
    total: Share


@dataclasses.dataclass(frozen=True)
class Question:
    text: str
    rows: list[Row]


@dataclasses.dataclass(frozen=True)
class AdvocacyMonth:
    label: str
    conferences: int
    offered: Share
    attended: Share
    not_recorded: int


@dataclasses.dataclass(frozen=True)
class ThemesReport:
    quarters: list[Period]
    responses: list[Row]
    questions: list[Question]
    themes: list[Row]
    untagged: Row
    advocacy: list[AdvocacyMonth]
    advocacy_total: AdvocacyMonth


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, ((day.month - 1) // 3) * 3 + 1, 1)


def _span_label(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%B} to {end:%B %Y}" if start.year == end.year else f"{start:%B %Y} to {end:%B %Y}"


def quarters_up_to(today: datetime.date, count: int = REPORT_QUARTERS) -> list[Period]:
    """The `count` quarters ending with the one `today` is in, oldest first."""
    last = _quarter_start(today)
    periods = []
    for back in range(count - 1, -1, -1):
        start = add_months(last, -3 * back)
        end = add_months(start, 3) - datetime.timedelta(days=1)
        periods.append(Period(start, end, _span_label(start, end)))
    return periods


def months_up_to(today: datetime.date, count: int = ADVOCACY_MONTHS) -> list[Period]:
    this_month = today.replace(day=1)
    periods = []
    for back in range(count - 1, -1, -1):
        start = add_months(this_month, -back)
        end = add_months(start, 1) - datetime.timedelta(days=1)
        periods.append(Period(start, end, f"{start:%B %Y}"))
    return periods


def _row(label: str, counts: list[int], totals: list[int]) -> Row:
    return Row(
        label=label,
        cells=[Share(c, t) for c, t in zip(counts, totals, strict=True)],
        total=Share(sum(counts), sum(totals)),
    )


def _quarter_of(quarters: list[Period], day: datetime.date) -> int | None:
    return next((i for i, q in enumerate(quarters) if q.holds(day)), None)


def themes_report(*, today: datetime.date) -> ThemesReport:
    """The report for the four quarters up to today and the twelve months of conferences."""
    quarters = quarters_up_to(today)
    rows = FamilyFeedback.objects.filter(
        given_on__gte=quarters[0].starts_on, given_on__lte=quarters[-1].ends_on
    ).values_list("given_on", "given_by", "how", "listened", "understood", "helped", "themes")
    n = len(quarters)
    totals = [0] * n
    by_who: Counter[tuple[str, int]] = Counter()
    by_how: Counter[tuple[str, int]] = Counter()
    answers: Counter[tuple[str, str, int]] = Counter()
    themes: Counter[tuple[str, int]] = Counter()
    tagged = [0] * n
    for given_on, given_by, how, listened, understood, helped, tags in rows:
        q = _quarter_of(quarters, given_on)
        if q is None:
            continue
        totals[q] += 1
        by_who[("child" if given_by == GivenBy.CHILD else "family", q)] += 1
        by_how[(how, q)] += 1
        for field, value in zip(
            ("listened", "understood", "helped"), (listened, understood, helped), strict=True
        ):
            answers[(field, value, q)] += 1
        if tags:
            tagged[q] += 1
            for tag in set(tags):
                themes[(tag, q)] += 1

    def per_quarter(counter: Counter[tuple[str, int]], key: str) -> list[int]:
        return [counter[(key, q)] for q in range(n)]

    responses = [
        Row("All responses", [Share(t, t) for t in totals], Share(sum(totals), sum(totals))),
        _row("From children and young people", per_quarter(by_who, "child"), totals),
        _row("From parents, carers and other family", per_quarter(by_who, "family"), totals),
        _row("On paper", per_quarter(by_how, HowGiven.PAPER), totals),
        _row("Through a feedback link", per_quarter(by_how, HowGiven.LINK), totals),
    ]
    questions = [
        Question(
            text,
            [
                *(
                    _row(str(label), [answers[(field, value, q)] for q in range(n)], totals)
                    for value, label in Answer.choices
                ),
                _row("Not answered", [answers[(field, "", q)] for q in range(n)], totals),
            ],
        )
        for field, text in QUESTIONS
    ]
    theme_rows = [_row(str(label), per_quarter(themes, value), tagged) for value, label in Theme.choices]
    theme_rows.sort(key=lambda row: -row.total.count)
    untagged = _row("Not yet tagged", [t - g for t, g in zip(totals, tagged, strict=True)], totals)
    months, total = advocacy_by_month(today=today)
    return ThemesReport(
        quarters=quarters,
        responses=responses,
        questions=questions,
        themes=theme_rows,
        untagged=untagged,
        advocacy=months,
        advocacy_total=total,
    )


def advocacy_by_month(*, today: datetime.date) -> tuple[list[AdvocacyMonth], AdvocacyMonth]:
    """Of the conferences held in each month, how many had an advocate offered to the
    parents, how many had one there, and how many have no record either way."""
    months = months_up_to(today)
    held = ChildProtectionConference.objects.filter(
        held=True, date__gte=months[0].starts_on, date__lte=months[-1].ends_on
    )
    result = []
    sums = [0, 0, 0, 0]
    for month in months:
        figures = held.filter(date__gte=month.starts_on, date__lte=month.ends_on).aggregate(
            conferences=Count("pk"),
            offered=Count("pk", filter=Q(advocacy__offered=True)),
            attended=Count("pk", filter=Q(advocacy__attended=True)),
            not_recorded=Count("pk", filter=Q(advocacy__isnull=True)),
        )
        conferences, offered, attended, missing = (
            figures["conferences"],
            figures["offered"],
            figures["attended"],
            figures["not_recorded"],
        )
        for i, value in enumerate((conferences, offered, attended, missing)):
            sums[i] += value
        result.append(
            AdvocacyMonth(
                month.label, conferences, Share(offered, conferences), Share(attended, conferences), missing
            )
        )
    total = AdvocacyMonth("All 12 months", sums[0], Share(sums[1], sums[0]), Share(sums[2], sums[0]), sums[3])
    return result, total
