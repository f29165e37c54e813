"""Reading missing episodes and private fostering: a child's own (through the casework
rule), and the panel that oversees children who go missing (figures for every child;
names only of the children the reader may see, the others counted).

"Repeat missing" is 3 or more episodes reported within 90 days, the usual local threshold
for a missing-children panel to discuss a child.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.casework.models import (
    EXPLOITATION_FACTORS,
    Assessment,
    AssessmentFactor,
    InterviewResponse,
    MissingEpisode,
    MissingKind,
    PrivateFosteringArrangement,
)
from jigsaw.casework.queries import casework_visible_to
from jigsaw.casework.queries.episodes import factor_labels
from jigsaw.casework.timescales import add_months
from jigsaw.people.models import Person

REPEAT_EPISODES = 3
REPEAT_WINDOW = datetime.timedelta(days=90)
# The assessment factors that matter when a child goes missing (shown beside the episodes).
MISSING_RELATED_FACTORS = (AssessmentFactor.GOING_MISSING, *EXPLOITATION_FACTORS)


class InterviewStatus(enum.Enum):
    """Where an episode's return interview stands, worked out from its times."""

    STILL_MISSING = "Child still missing"
    DUE = "Due"
    OVERDUE = "Overdue: not done within 72 hours"
    IN_TIME = "Done within 72 hours"
    LATE = "Done, later than 72 hours"
    DECLINED = "Declined"

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour the pages show it in."""
        return {
            InterviewStatus.STILL_MISSING: "govuk-tag--red",
            InterviewStatus.DUE: "govuk-tag--yellow",
            InterviewStatus.OVERDUE: "govuk-tag--red",
            InterviewStatus.IN_TIME: "govuk-tag--green",
            InterviewStatus.LATE: "govuk-tag--orange",
            InterviewStatus.DECLINED: "govuk-tag--grey",
        }[self]


def interview_status(
    *,
    returned_at: datetime.datetime | None,
    due_at: datetime.datetime | None,
    response: str,
    done_at: datetime.datetime | None,
    now: datetime.datetime,
) -> InterviewStatus:
    if returned_at is None or due_at is None:
        return InterviewStatus.STILL_MISSING
    if response == InterviewResponse.DECLINED:
        return InterviewStatus.DECLINED
    if done_at is not None:
        return InterviewStatus.IN_TIME if done_at <= due_at else InterviewStatus.LATE
    return InterviewStatus.OVERDUE if now > due_at else InterviewStatus.DUE


def episode_status(episode: MissingEpisode, *, now: datetime.datetime) -> InterviewStatus:
    return interview_status(
        returned_at=episode.returned_at,
        due_at=episode.interview_due_at,
        response=episode.interview_response,
        done_at=episode.interview_done_at,
        now=now,
    )


def is_repeat(reported: Iterable[datetime.datetime]) -> bool:
    """Were 3 or more of these reports within any 90 days?"""
    times = sorted(reported)
    span = REPEAT_EPISODES - 1
    return any(times[i + span] - times[i] <= REPEAT_WINDOW for i in range(len(times) - span))


@dataclasses.dataclass(frozen=True)
class EpisodeRow:
    episode: MissingEpisode
    status: InterviewStatus
    risks: list[str]


@dataclasses.dataclass(frozen=True)
class ChildMissing:
    """What the child's missing page shows."""

    episodes: list[EpisodeRow]
    repeat: bool
    # Missing- and exploitation-related factors from the child's latest assessment that found any.
    assessment_factors: list[str]

    @property
    def still_missing(self) -> EpisodeRow | None:
        return next((row for row in self.episodes if row.episode.returned_at is None), None)


def child_missing(user: AnyUser, person: Person, *, now: datetime.datetime) -> ChildMissing:
    episodes = list(
        casework_visible_to(user, MissingEpisode.objects.filter(person=person), "person").select_related(
            "reported_by__agency", "interview_by__agency"
        )
    )
    wanted = [str(code) for code in MISSING_RELATED_FACTORS]
    latest = (
        casework_visible_to(user, Assessment.objects.filter(referral__person=person), "referral__person")
        .exclude(factors=[])
        .order_by("-started_on", "-pk")
        .values_list("factors", flat=True)
        .first()
    )
    found = [code for code in (latest or []) if code in wanted]
    return ChildMissing(
        episodes=[
            EpisodeRow(e, episode_status(e, now=now), factor_labels(list(e.risk_factors))) for e in episodes
        ],
        repeat=is_repeat(e.reported_at for e in episodes),
        assessment_factors=factor_labels(found),
    )


def child_private_fostering(user: AnyUser, person: Person) -> list[PrivateFosteringArrangement]:
    return list(
        casework_visible_to(user, PrivateFosteringArrangement.objects.filter(person=person), "person")
        .select_related("carer")
        .order_by("-notified_on", "-pk")
    )


# --- The panel -------------------------------------------------------------------------


@dataclasses.dataclass
class PanelChild:
    """A child with episodes in the period, as the panel lists them."""

    person_id: int
    episodes: int = 0
    from_care: int = 0
    still_missing: bool = False
    repeat: bool = False
    last_reported: datetime.datetime | None = None
    interviews_overdue: int = 0
    interviews_late: int = 0
    interviews_declined: int = 0
    person: Person | None = None


@dataclasses.dataclass
class MonthCount:
    month: datetime.date
    reported: int = 0
    from_care: int = 0
    interviews_in_time: int = 0
    interviews_late: int = 0
    interviews_overdue: int = 0
    declined: int = 0


@dataclasses.dataclass(frozen=True)
class MissingPanel:
    start: datetime.date
    end: datetime.date
    # The children the reader may see: still missing first, then repeat missing, then the
    # most recently reported.
    children: list[PanelChild]
    # Children with episodes in the period whom the reader may not see (counted only).
    not_listed: int
    months: list[MonthCount]

    @property
    def all_children(self) -> int:
        return len(self.children) + self.not_listed

    def _total(self, name: str) -> int:
        return sum(getattr(m, name) for m in self.months)

    @property
    def episodes(self) -> int:
        return self._total("reported")

    @property
    def from_care(self) -> int:
        return self._total("from_care")

    @property
    def interviews_in_time(self) -> int:
        return self._total("interviews_in_time")

    @property
    def interviews_late(self) -> int:
        return self._total("interviews_late")

    @property
    def interviews_overdue(self) -> int:
        return self._total("interviews_overdue")

    @property
    def declined(self) -> int:
        return self._total("declined")


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months(start: datetime.date, end: datetime.date) -> dict[datetime.date, MonthCount]:
    months: dict[datetime.date, MonthCount] = {}
    month = _month(start)
    while month <= end:
        months[month] = MonthCount(month)
        month = add_months(month, 1)
    return months


_PANEL_COLUMNS = (
    "person_id",
    "kind",
    "reported_at",
    "returned_at",
    "interview_due_at",
    "interview_response",
    "interview_done_at",
)


def missing_panel(
    user: AnyUser, *, start: datetime.date, end: datetime.date, now: datetime.datetime
) -> MissingPanel:
    """Children with episodes reported from `start` to `end` (and any child still missing,
    whenever they went), with repeat missing (3 or more in 90 days, counting the 90 days
    before the period too), return interviews overdue, late or declined, and counts by
    month. Every child is counted; only those `people_visible_to` the reader are named
    (none for analysts and the partnership, who work with figures). One query for the
    episodes, one for the names."""
    if not has_permission(user, Permission.VIEW_MISSING_PANEL):
        return MissingPanel(start, end, [], 0, [])
    months = _months(start, end)
    zone = timezone.get_current_timezone()
    earliest = datetime.datetime.combine(start - REPEAT_WINDOW, datetime.time.min, tzinfo=zone)
    latest = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    rows = MissingEpisode.objects.filter(reported_at__gte=earliest, reported_at__lt=latest).values_list(
        *_PANEL_COLUMNS
    )
    still_open = MissingEpisode.objects.filter(returned_at__isnull=True).exclude(
        reported_at__gte=earliest, reported_at__lt=latest
    )
    children: dict[int, PanelChild] = {}
    reports: dict[int, list[datetime.datetime]] = defaultdict(list)
    for person_id, kind, reported_at, returned_at, due_at, response, done_at in [
        *rows,
        *still_open.values_list(*_PANEL_COLUMNS),
    ]:
        reports[person_id].append(reported_at)
        day = timezone.localdate(reported_at)
        in_period = start <= day <= end
        if not in_period and returned_at is not None:
            continue  # only the 90 days before the period, for repeat missing
        child = children.setdefault(person_id, PanelChild(person_id))
        child.still_missing = child.still_missing or returned_at is None
        if not in_period:
            continue
        status = interview_status(
            returned_at=returned_at, due_at=due_at, response=response, done_at=done_at, now=now
        )
        month = months[_month(day)]
        month.reported += 1
        child.episodes += 1
        child.last_reported = max(filter(None, (child.last_reported, reported_at)))
        if kind == MissingKind.FROM_CARE:
            month.from_care += 1
            child.from_care += 1
        if status == InterviewStatus.IN_TIME:
            month.interviews_in_time += 1
        elif status == InterviewStatus.LATE:
            month.interviews_late += 1
            child.interviews_late += 1
        elif status == InterviewStatus.OVERDUE:
            month.interviews_overdue += 1
            child.interviews_overdue += 1
        elif status == InterviewStatus.DECLINED:
            month.declined += 1
            child.interviews_declined += 1
    for person_id, child in children.items():
        child.repeat = is_repeat(reports[person_id])
    visible = (
        {p.pk: p for p in people_visible_to(user).filter(pk__in=list(children)).order_by()}
        if children
        else {}
    )
    listed = []
    for person_id, child in children.items():
        if person_id in visible:
            child.person = visible[person_id]
            listed.append(child)
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    listed.sort(
        key=lambda c: (
            not c.still_missing,
            not c.repeat,
            -(c.last_reported or never).timestamp(),
            c.person_id,
        )
    )
    return MissingPanel(
        start=start,
        end=end,
        children=listed,
        not_listed=len(children) - len(listed),
        months=list(months.values()),
    )
