"""Read-side functions of the workforce app: caseload weights, the census's rates
(vacancy, agency, sickness, turnover), who may change which team, and the pages' figures."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.casework.timescales import add_months, working_days_between
from jigsaw.partners.models import Practitioner
from jigsaw.workforce.models import (
    SOCIAL_WORKER_KINDS,
    Absence,
    AbsenceKind,
    Appointment,
    CaseKind,
    CaseloadWeight,
    Contract,
    LeavingReason,
    Post,
    Team,
)

# A kind with no weight row (an emptied table) counts as one ordinary case.
ORDINARY = Decimal("1.00")


def caseload_weights() -> dict[CaseKind, Decimal]:
    """The weight of one case of each kind, as the authority has set them."""
    found = {CaseKind(kind): weight for kind, weight in CaseloadWeight.objects.values_list("kind", "weight")}
    return {kind: found.get(kind, ORDINARY) for kind in CaseKind}


def weighted_caseload(kinds: list[CaseKind], weights: dict[CaseKind, Decimal]) -> Decimal:
    """The sum of the weights of a worker's cases, one kind per case."""
    return sum((weights[kind] for kind in kinds), Decimal("0.00"))


# --- The establishment and the census's rates -----------------------------------------
#
# Definitions follow the DfE's children's social work workforce census:
# - a social worker is anyone in a post of kind qualified social worker, senior
#   practitioner or team manager (SOCIAL_WORKER_KINDS);
# - an appointment is in post on a day from its first day to its last (`ended_on`) inclusive;
#   a post is established from `established_on` up to the day before `disestablished_on`;
# - a vacancy is established FTE that no employed (permanent or seconded) worker fills,
#   whether or not an agency worker covers it (the census counts agency cover as vacant);
# - a leaver leaves the service: a move to another post within the authority is not one;
# - sickness days are working days (England's bank holidays excluded) of sickness absence
#   of workers who held a social worker post at the time.
# `team_id=None` means the whole children's social care service throughout.

ZERO = Decimal("0")
CENT = Decimal("0.01")
EMPLOYED = (Contract.PERMANENT, Contract.SECONDMENT)


def _established_on(day: datetime.date) -> Q:
    return Q(established_on__lte=day) & (Q(disestablished_on__isnull=True) | Q(disestablished_on__gt=day))


def _in_post_on(day: datetime.date) -> Q:
    """An appointment in post on `day`, in a post established that day."""
    return (
        Q(started_on__lte=day)
        & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        & Q(post__established_on__lte=day)
        & (Q(post__disestablished_on__isnull=True) | Q(post__disestablished_on__gt=day))
    )


def _social_worker_posts(team_id: int | None) -> QuerySet[Post]:
    posts = Post.objects.filter(kind__in=SOCIAL_WORKER_KINDS)
    return posts if team_id is None else posts.filter(team_id=team_id)


def _social_worker_appointments(team_id: int | None) -> QuerySet[Appointment]:
    appointments = Appointment.objects.filter(post__kind__in=SOCIAL_WORKER_KINDS)
    return appointments if team_id is None else appointments.filter(post__team_id=team_id)


def _sum(value: Decimal | None) -> Decimal:
    """A database sum of FTE as 2 places (SQLite sums decimals in floating point)."""
    return value.quantize(CENT) if value is not None else ZERO


def vacancy_rate(*, on: datetime.date, team_id: int | None = None) -> tuple[Decimal, Decimal]:
    """(vacant FTE, established FTE) of social worker posts on `on`. Vacant FTE counts
    posts covered by agency workers, as the census does."""
    established = _sum(
        _social_worker_posts(team_id).filter(_established_on(on)).aggregate(total=Sum("fte"))["total"]
    )
    employed = _sum(
        _social_worker_appointments(team_id)
        .filter(_in_post_on(on), contract__in=EMPLOYED)
        .aggregate(total=Sum("fte"))["total"]
    )
    return max(established - employed, ZERO), established


def agency_staff_rate(*, on: datetime.date, team_id: int | None = None) -> tuple[Decimal, Decimal]:
    """(agency FTE, all FTE in post) of social workers on `on`."""
    found = (
        _social_worker_appointments(team_id)
        .filter(_in_post_on(on))
        .aggregate(agency=Sum("fte", filter=Q(contract=Contract.AGENCY)), total=Sum("fte"))
    )
    return _sum(found["agency"]), _sum(found["total"])


def _overlap_days(
    start: datetime.date, end: datetime.date, first: datetime.date, last: datetime.date | None
) -> int:
    """Calendar days of [first, last] (open-ended when last is None) inside [start, end]."""
    low, high = max(start, first), min(end, last) if last is not None else end
    return max((high - low).days + 1, 0)


def _working_days(first: datetime.date, last: datetime.date) -> int:
    """Working days from `first` to `last` inclusive."""
    return working_days_between(first - datetime.timedelta(days=1), last) if last >= first else 0


def absence_working_days(first_day: datetime.date, last_day: datetime.date) -> Decimal:
    """The working days an absence from `first_day` to `last_day` (inclusive) takes."""
    return Decimal(_working_days(first_day, last_day))


@dataclasses.dataclass(frozen=True)
class _SicknessRow:
    """A sickness absence, with one team whose social worker post its worker held during it
    and when they held it there."""

    absence_id: int
    team_id: int
    first_day: datetime.date
    last_day: datetime.date
    working_days: Decimal
    in_team_from: datetime.date
    in_team_to: datetime.date | None

    def days_within(self, start: datetime.date, end: datetime.date) -> Decimal:
        """Working days of the absence inside the period (all of it when it lies inside)."""
        if start <= self.first_day and self.last_day <= end:
            return self.working_days
        return Decimal(_working_days(max(start, self.first_day), min(end, self.last_day)))

    def days_in_team_within(self, start: datetime.date, end: datetime.date) -> Decimal:
        """Working days of the absence inside the period while the worker was in the team."""
        to = self.in_team_to if self.in_team_to is not None else end
        return self.days_within(max(start, self.in_team_from), min(end, to))


def _sickness_rows(start: datetime.date, end: datetime.date) -> list[_SicknessRow]:
    """Sickness absences overlapping the period, each with the team of every social
    worker post its worker held during it (one query)."""
    condition = (
        Q(practitioner__appointments__post__kind__in=SOCIAL_WORKER_KINDS)
        & Q(practitioner__appointments__started_on__lte=F("last_day"))
        & (
            Q(practitioner__appointments__ended_on__isnull=True)
            | Q(practitioner__appointments__ended_on__gte=F("first_day"))
        )
    )
    rows = (
        Absence.objects.filter(condition, kind=AbsenceKind.SICKNESS, first_day__lte=end, last_day__gte=start)
        .values_list(
            "pk",
            "practitioner__appointments__post__team_id",
            "first_day",
            "last_day",
            "working_days",
            "practitioner__appointments__started_on",
            "practitioner__appointments__ended_on",
        )
        .order_by("pk")
    )
    # Two posts in one team during one absence: the team holds the worker from the first
    # start to the last end.
    merged: dict[tuple[int, int], _SicknessRow] = {}
    for pk, team, first, last, days, started, ended in rows:
        found = merged.get((pk, team))
        if found is not None:
            started = min(started, found.in_team_from)
            ended = None if ended is None or found.in_team_to is None else max(ended, found.in_team_to)
        merged[(pk, team)] = _SicknessRow(pk, team, first, last, days, started, ended)
    return list(merged.values())


_FteRow = tuple[int, Decimal, datetime.date, datetime.date | None, datetime.date, datetime.date | None]


def _fte_rows(start: datetime.date, end: datetime.date) -> list[_FteRow]:
    """Social worker appointments overlapping the period, with their posts' dates."""
    return list(
        _social_worker_appointments(None)
        .filter(started_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list(
            "post__team_id",
            "fte",
            "started_on",
            "ended_on",
            "post__established_on",
            "post__disestablished_on",
        )
    )


def _average_fte_by_team(
    start: datetime.date, end: datetime.date, rows: list[_FteRow] | None = None
) -> dict[int, Decimal]:
    """Each team's social worker FTE in post, averaged over the days of the period (from
    `rows` when given: those of a longer range, as a trend's months share them)."""
    days = (end - start).days + 1
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for team, fte, started, ended, established, disestablished in (
        rows if rows is not None else _fte_rows(start, end)
    ):
        if started > end or (ended is not None and ended < start):
            continue
        first = max(started, established)
        last_candidates = [
            d for d in (ended, disestablished - datetime.timedelta(days=1) if disestablished else None) if d
        ]
        last = min(last_candidates) if last_candidates else None
        totals[team] += Decimal(fte) * _overlap_days(start, end, first, last)
    return {team: (total / days).quantize(CENT) for team, total in totals.items()}


def sickness_days(
    *, start: datetime.date, end: datetime.date, team_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """(working days lost to sickness in the period, average social worker FTE in post over
    the period). A worker's absence counts once for the service, and for a team only the
    days they held one of its social worker posts."""
    rows = _sickness_rows(start, end)
    if team_id is None:
        once = {row.absence_id: row for row in rows}.values()
        lost = sum((row.days_within(start, end) for row in once), ZERO)
        average = sum(_average_fte_by_team(start, end).values(), ZERO)
    else:
        lost = sum((row.days_in_team_within(start, end) for row in rows if row.team_id == team_id), ZERO)
        average = _average_fte_by_team(start, end).get(team_id, ZERO)
    return lost, average


def sickness_days_by_month(
    *, months: list[tuple[datetime.date, datetime.date]], team_id: int | None = None
) -> list[tuple[Decimal, Decimal]]:
    """`sickness_days` for each of consecutive periods (a trend's months), from two queries
    for the whole range rather than two a month."""
    start, end = months[0][0], months[-1][1]
    rows = _sickness_rows(start, end)
    appointments = _fte_rows(start, end)
    found = []
    for first, last in months:
        # The absences overlapping this month: what _sickness_rows(first, last) would give.
        inside = [row for row in rows if row.first_day <= last and row.last_day >= first]
        averages = _average_fte_by_team(first, last, appointments)
        if team_id is None:
            once = {row.absence_id: row for row in inside}.values()
            lost = sum((row.days_within(first, last) for row in once), ZERO)
            average = sum(averages.values(), ZERO)
        else:
            lost = sum(
                (row.days_in_team_within(first, last) for row in inside if row.team_id == team_id), ZERO
            )
            average = averages.get(team_id, ZERO)
        found.append((lost, average))
    return found


@dataclasses.dataclass(frozen=True)
class CensusDay:
    """The census's social worker FTE figures for one month: on its last day, and the
    permanent leavers over it (as vacancy_rate, agency_staff_rate and turnover_rate count)."""

    established: Decimal
    employed: Decimal
    agency: Decimal
    in_post: Decimal
    permanent: Decimal
    permanent_leavers: Decimal


def census_by_month(
    *, months: list[tuple[datetime.date, datetime.date]], team_id: int | None = None
) -> list[CensusDay]:
    """The census figures for each of a trend's months from two queries (the posts and the
    appointments, fetched once: a few hundred rows even for a large authority), counted
    in Python by the same rules as vacancy_rate, agency_staff_rate and turnover_rate."""
    first_day, last_day = months[0][0], months[-1][1]
    posts = list(
        _social_worker_posts(team_id)
        .filter(established_on__lte=last_day)
        .values_list("fte", "established_on", "disestablished_on")
    )
    appointments = list(
        _social_worker_appointments(team_id)
        .filter(started_on__lte=last_day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first_day))
        .values_list(
            "fte",
            "contract",
            "started_on",
            "ended_on",
            "leaving_reason",
            "post__established_on",
            "post__disestablished_on",
        )
    )

    def established(day: datetime.date, since: datetime.date, until: datetime.date | None) -> bool:
        return since <= day and (until is None or until > day)

    found = []
    for first, last in months:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for fte, since, until in posts:
            if established(last, since, until):
                totals["established"] += fte
        for fte, contract, started, ended, reason, since, until in appointments:
            if started <= last and (ended is None or ended >= last) and established(last, since, until):
                totals["in_post"] += fte
                totals["employed"] += fte if contract in EMPLOYED else ZERO
                totals["agency"] += fte if contract == Contract.AGENCY else ZERO
                totals["permanent"] += fte if contract == Contract.PERMANENT else ZERO
            if (
                contract == Contract.PERMANENT
                and ended is not None
                and first <= ended <= last
                and reason != LeavingReason.MOVED
            ):
                totals["leavers"] += fte
        found.append(
            CensusDay(
                established=_sum(totals["established"]),
                employed=_sum(totals["employed"]),
                agency=_sum(totals["agency"]),
                in_post=_sum(totals["in_post"]),
                permanent=_sum(totals["permanent"]),
                permanent_leavers=_sum(totals["leavers"]),
            )
        )
    return found


def turnover_rate(
    *, start: datetime.date, end: datetime.date, team_id: int | None = None
) -> tuple[Decimal, Decimal]:
    """(permanent social worker FTE who left the service in the period, permanent social
    worker FTE in post on the period's last day)."""
    left = _sum(
        _social_worker_appointments(team_id)
        .filter(contract=Contract.PERMANENT, ended_on__gte=start, ended_on__lte=end)
        .exclude(leaving_reason=LeavingReason.MOVED)
        .aggregate(total=Sum("fte"))["total"]
    )
    staying = _sum(
        _social_worker_appointments(team_id)
        .filter(_in_post_on(end), contract=Contract.PERMANENT)
        .aggregate(total=Sum("fte"))["total"]
    )
    return left, staying


# --- Who may change what --------------------------------------------------------------


def manages_any_team(user: AnyUser) -> bool:
    """Administrators keep every team's establishment."""
    return has_permission(user, Permission.MANAGE_WORKFORCE) and has_permission(user, Permission.ADMINISTER)


def may_manage_team(user: AnyUser, team_id: int | None) -> bool:
    """A team manager keeps their own team's posts, appointments, absence and staff
    records; an administrator any team's."""
    if team_id is None or not has_permission(user, Permission.MANAGE_WORKFORCE):
        return False
    if manages_any_team(user):
        return True
    practitioner = getattr(user, "practitioner", None)
    return practitioner is not None and practitioner.team_id == team_id


def teams_of_worker(practitioner_id: int, *, on: datetime.date | None = None) -> set[int]:
    """The teams a worker belongs to: their own team and the teams of the posts they hold
    (on `on`; any time when None)."""
    appointments = Appointment.objects.filter(practitioner_id=practitioner_id)
    if on is not None:
        appointments = appointments.filter(started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )
    teams = set(appointments.values_list("post__team_id", flat=True))
    own = Practitioner.objects.filter(pk=practitioner_id).values_list("team_id", flat=True).first()
    if own is not None:
        teams.add(own)
    return teams


def may_manage_worker(user: AnyUser, practitioner_id: int, *, on: datetime.date | None = None) -> bool:
    if manages_any_team(user):
        return Practitioner.objects.filter(pk=practitioner_id).exists()
    return any(may_manage_team(user, team) for team in teams_of_worker(practitioner_id, on=on))


# --- The pages' figures -----------------------------------------------------------------


@dataclasses.dataclass
class TeamFigures:
    """A team's social worker establishment on a day and its last 12 months."""

    team_id: int | None
    name: str
    established: Decimal = ZERO
    employed: Decimal = ZERO
    agency: Decimal = ZERO
    permanent: Decimal = ZERO
    sickness_days: Decimal = ZERO
    average_fte: Decimal = ZERO
    joiners: int = 0
    leavers: int = 0
    leavers_permanent_fte: Decimal = ZERO

    @property
    def vacant(self) -> Decimal:
        """Established FTE no employed worker fills (agency cover included)."""
        return max(self.established - self.employed, ZERO)

    @property
    def uncovered(self) -> Decimal:
        """Established FTE nobody fills, employed or agency."""
        return max(self.established - self.employed - self.agency, ZERO)

    @property
    def vacancy_percent(self) -> Decimal | None:
        return _percent(self.vacant, self.established)

    @property
    def agency_percent(self) -> Decimal | None:
        return _percent(self.agency, self.employed + self.agency)

    @property
    def turnover_percent(self) -> Decimal | None:
        return _percent(self.leavers_permanent_fte, self.permanent)

    @property
    def days_per_fte(self) -> Decimal | None:
        return (self.sickness_days / self.average_fte).quantize(Decimal("0.1")) if self.average_fte else None


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return (numerator * 100 / denominator).quantize(Decimal("0.1")) if denominator else None


def year_to(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The 12 months ending on `day`."""
    return add_months(day, -12) + datetime.timedelta(days=1), day


def _moved_in(start: datetime.date) -> Exists:
    """The appointment follows a move from another post in the authority (an earlier
    appointment of the worker ended, for the reason "moved", after the month before the
    period began and by this one's start), so its start is not a joiner."""
    moved_in = Appointment.objects.filter(
        practitioner_id=OuterRef("practitioner_id"),
        leaving_reason=LeavingReason.MOVED,
        ended_on__lte=OuterRef("started_on"),
        ended_on__gte=start - datetime.timedelta(days=31),
    ).exclude(pk=OuterRef("pk"))
    return Exists(moved_in)


def team_figures(*, on: datetime.date) -> list[TeamFigures]:
    """Each team's social worker figures on `on` and over the 12 months to it, with the
    whole service last (team_id None). A handful of grouped queries whatever the size."""
    start, end = year_to(on)
    teams = {
        pk: TeamFigures(team_id=pk, name=name)
        for pk, name in Team.objects.filter(posts__kind__in=SOCIAL_WORKER_KINDS)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    }
    for team, total in (
        _social_worker_posts(None)
        .filter(_established_on(on))
        .values_list("team_id")
        .annotate(total=Sum("fte"))
    ):
        teams[team].established = _sum(total)
    for team, contract, total in (
        _social_worker_appointments(None)
        .filter(_in_post_on(on))
        .values_list("post__team_id", "contract")
        .annotate(total=Sum("fte"))
        .order_by()
    ):
        figures = teams[team]
        total = _sum(total)
        if contract == Contract.AGENCY:
            figures.agency += total
        else:
            figures.employed += total
        if contract == Contract.PERMANENT:
            figures.permanent += total
    for row in _sickness_rows(start, end):
        teams[row.team_id].sickness_days += row.days_in_team_within(start, end)
    for team, average in _average_fte_by_team(start, end).items():
        teams[team].average_fte = average
    period = _social_worker_appointments(None)
    for team, count in (
        period.filter(started_on__gte=start, started_on__lte=end)
        .exclude(_moved_in(start))
        .values_list("post__team_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        teams[team].joiners = count
    for team, count, permanent in (
        period.filter(ended_on__gte=start, ended_on__lte=end)
        .exclude(leaving_reason=LeavingReason.MOVED)
        .values_list("post__team_id")
        .annotate(n=Count("pk"), permanent=Sum("fte", filter=Q(contract=Contract.PERMANENT)))
        .order_by()
    ):
        teams[team].leavers = count
        teams[team].leavers_permanent_fte = _sum(permanent)
    rows = list(teams.values())
    service = TeamFigures(team_id=None, name="All teams")
    for f in rows:
        for name in (
            "established",
            "employed",
            "agency",
            "permanent",
            "average_fte",
            "leavers_permanent_fte",
        ):
            setattr(service, name, getattr(service, name) + getattr(f, name))
        service.joiners += f.joiners
        service.leavers += f.leavers
    # An absence spanning two teams counts once for the service.
    service.sickness_days = sickness_days(start=start, end=end)[0]
    return [*rows, service]


EXPERIENCE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Less than 2 years", 0, 2),
    ("2 to 5 years", 2, 5),
    ("5 to 10 years", 5, 10),
    ("10 to 20 years", 10, 20),
    ("20 years or more", 20, None),
)


def _years_between(earlier: datetime.date, later: datetime.date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def experience_bands(*, on: datetime.date, team_id: int | None = None) -> list[tuple[str, int]]:
    """Social workers in post on `on` by years since qualifying, in the census's bands,
    with those whose qualification date is not recorded last."""
    qualified = Practitioner.objects.filter(
        pk__in=_social_worker_appointments(team_id).filter(_in_post_on(on)).values("practitioner_id")
    ).values_list("staff_record__qualified_on", flat=True)
    counts = [0] * len(EXPERIENCE_BANDS)
    unknown = 0
    for day in qualified:
        if day is None:
            unknown += 1
            continue
        years = _years_between(day, on)
        for index, (_, low, high) in enumerate(EXPERIENCE_BANDS):
            if years >= low and (high is None or years < high):
                counts[index] += 1
                break
    return [
        *((label, n) for (label, _, _), n in zip(EXPERIENCE_BANDS, counts, strict=True)),
        ("Not recorded", unknown),
    ]


def posts_of_team(team_id: int, *, on: datetime.date) -> list[Post]:
    """The team's posts (past ones too), each with its appointments newest first as
    `history` and those in post on `on` as `holders`. Two queries."""
    posts = list(Post.objects.filter(team_id=team_id).order_by("disestablished_on", "kind", "title", "pk"))
    by_post: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in (
        Appointment.objects.filter(post__team_id=team_id)
        .select_related("practitioner")
        .order_by("-started_on", "-pk")
    ):
        by_post[appointment.post_id].append(appointment)
    for post in posts:
        history = by_post.get(post.pk, [])
        post.history = history  # type: ignore[attr-defined]
        holders = [a for a in history if a.started_on <= on and (a.ended_on is None or a.ended_on >= on)]
        post.holders = holders  # type: ignore[attr-defined]
        post.filled = sum((a.fte for a in holders), ZERO)  # type: ignore[attr-defined]
        post.open_fte = max(post.fte - post.filled, ZERO) if post.is_established_on(on) else ZERO  # type: ignore[attr-defined]
    return posts


def absences_of_team(team_id: int, *, start: datetime.date, end: datetime.date) -> QuerySet[Absence]:
    """Absences in the period of the workers who belong to the team (by their own team or
    a post they held)."""
    held = Appointment.objects.filter(post__team_id=team_id).values("practitioner_id")
    return (
        Absence.objects.filter(first_day__lte=end, last_day__gte=start)
        .filter(Q(practitioner__team_id=team_id) | Q(practitioner_id__in=held))
        .select_related("practitioner")
        .order_by("-first_day", "pk")
    )


def workers_for(team: Team) -> QuerySet[Practitioner]:
    """Who may be appointed to a post of the team: the staff of the team's agency."""
    return Practitioner.objects.filter(agency_id=team.agency_id).order_by("full_name")
