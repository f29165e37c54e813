"""Read-side of the work lists: a social worker's children, what is due and overdue, and
their alerts; a team manager's caseloads, unallocated work, overdue work and sign-offs.

Every function runs a fixed number of queries whatever the number of episodes: the open
referrals come in one query (their current kind worked out by subqueries), then one query
per kind of dated work (assessments, section 47 enquiries, child protection plans, child in
need plans) for all of them at once. Everything goes through `casework_visible_to`.

A team manager's page holds hundreds of episodes (bench/chronology.py times one of 300), so
the lists read only the columns they show, as rows (`values_list`) rather than model
instances, and build each kind of link once (`PageLink`) rather than with the URL resolver
row by row.

"Due this week" is the next 7 days: today and the six days after it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.access.roles import Role
from jigsaw.casework.models import (
    AbuseCategory,
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ClosureReason,
    ConferenceChild,
    ConferenceKind,
    EarlyHelpEpisode,
    FrontDoorDecision,
    LookedAfterEpisode,
    PrivateFosteringArrangement,
    Referral,
    Section47Enquiry,
    Section47Outcome,
)
from jigsaw.casework.queries import casework_visible_to, contacts_visible_to, referrals_visible_to
from jigsaw.core.links import PageLink
from jigsaw.partners.models import Notification, Practitioner
from jigsaw.people.models import BirthDatePrecision, age_on
from jigsaw.workforce.models import CaseKind, Team
from jigsaw.workforce.queries import caseload_weights, weighted_caseload

# How far ahead "due this week" looks: today and the six days after it.
WEEK = datetime.timedelta(days=6)
# The newest unread alerts a work list shows (the count says how many there are in all).
ALERTS_SHOWN = 20
# The roles a case may be allocated to.
CASE_HOLDING_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)


@dataclasses.dataclass(frozen=True, slots=True)
class Child:
    """A child as a work list names them; `pk` is their `people.Person`."""

    pk: int
    full_name: str
    is_unborn: bool
    # On the day of the list; None when the date of birth is not known or the child is unborn.
    age: int | None


def _child_columns(path: str) -> tuple[str, ...]:
    """The columns a `Child` is made of, reached from a record through `path` (its person)."""
    return (
        f"{path}_id",
        f"{path}__given_names",
        f"{path}__family_name",
        f"{path}__date_of_birth",
        f"{path}__birth_date_precision",
        f"{path}__date_of_death",
    )


def _child(row: Sequence[Any], today: datetime.date) -> Child:
    pk, given_names, family_name, born, precision, died = row
    unborn = precision == BirthDatePrecision.EXPECTED
    return Child(
        pk=pk,
        full_name=f"{given_names} {family_name}".strip(),
        is_unborn=unborn,
        age=age_on(today, born=born, unborn=unborn, died=died),
    )


def _shown_name(practitioner_name: str | None, first_name: str, last_name: str, username: str) -> str:
    """A user's name as the pages show it (`display_name`), from the columns of a row."""
    return practitioner_name or f"{first_name} {last_name}".strip() or username


def _user_columns(path: str) -> tuple[str, ...]:
    """The columns `_shown_name` needs, reached from a record through `path` (a user)."""
    return (
        f"{path}__practitioner__full_name",
        f"{path}__first_name",
        f"{path}__last_name",
        f"{path}__username",
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Episode:
    """An open referral (an episode of need) as a work list reads it: the columns it shows,
    and what the case is now."""

    pk: int
    person: Child
    url: str
    referred_on: datetime.date
    team_id: int | None
    allocated_worker_id: int | None
    # The allocated worker as the team's lists name them (their practitioner name, else their
    # user name); "" when nobody is allocated.
    worker: str
    created_at: datetime.datetime
    closure_reason: str
    closure_proposed_by_id: int | None
    closure_proposed_at: datetime.datetime | None
    closure_authorised_at: datetime.datetime | None
    kind: CaseKind
    # The category of the open child protection plan ("" when there is none).
    category: str


@dataclasses.dataclass(frozen=True, slots=True)
class WorkItem:
    """One dated piece of work about a child: on their episode (`referral`), or a contact
    at the front door waiting for its decision (`contact_id`). `url` is the page to open."""

    person: Child
    what: str
    due: datetime.date
    today: datetime.date
    url: str
    referral: Episode | None = None
    contact_id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.due < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due).days, 0)

    @property
    def overdue_by(self) -> str:
        """ "1 day overdue", "12 days overdue"."""
        days = self.days_overdue
        return f"{days} day{'' if days == 1 else 's'} overdue"

    @property
    def due_soon(self) -> bool:
        return self.today <= self.due <= self.today + WEEK

    @property
    def worker(self) -> str:
        """Whose work it is, as the team's list says: the front door's, the allocated
        worker's, or nobody's yet."""
        if self.contact_id is not None:
            return "Front door"
        if self.referral is not None and self.referral.worker:
            return self.referral.worker
        return "Unallocated"


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    """An open episode as a work list shows it, with its dated work, soonest first."""

    referral: Episode
    items: list[WorkItem]

    @property
    def kind(self) -> CaseKind:
        return self.referral.kind

    @property
    def category(self) -> str:
        return self.referral.category

    @property
    def age(self) -> int | None:
        return self.referral.person.age

    @property
    def stage(self) -> str:
        if self.kind == CaseKind.CHILD_PROTECTION:
            return f"Child protection: {AbuseCategory(self.category).label}"
        return {
            CaseKind.LOOKED_AFTER: "Looked after",
            CaseKind.CHILD_IN_NEED: "Child in need",
        }.get(self.kind, "Assessment")

    @property
    def next_due(self) -> WorkItem | None:
        return self.items[0] if self.items else None

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)


def open_referrals(user: AnyUser) -> QuerySet[Referral]:
    """Open referrals the user may see, each annotated with what it is now: the category of
    its open child protection plan, whether the child is looked after, whether it has an
    open child in need plan."""
    open_plan = ChildProtectionPlan.objects.filter(referral=OuterRef("pk"), ended_on__isnull=True)
    return (
        referrals_visible_to(user)
        .filter(closed_on__isnull=True)
        .annotate(
            cp_category=Subquery(open_plan.order_by("-started_on").values("latest_category")[:1]),
            is_looked_after=Exists(
                LookedAfterEpisode.objects.filter(person=OuterRef("person"), ended_on__isnull=True)
            ),
            in_cin_plan=Exists(
                ChildInNeedPlan.objects.filter(referral=OuterRef("pk"), ended_on__isnull=True)
            ),
        )
    )


def case_kind(*, cp_category: str | None, looked_after: bool, cin_plan: bool) -> CaseKind:
    """What the case is now (from `open_referrals`' annotations): an open child protection
    plan outweighs being looked after, which outweighs a child in need plan; anything else
    is an assessment."""
    if cp_category:
        return CaseKind.CHILD_PROTECTION
    if looked_after:
        return CaseKind.LOOKED_AFTER
    if cin_plan:
        return CaseKind.CHILD_IN_NEED
    return CaseKind.ASSESSMENT


_EPISODE_COLUMNS = (
    *_child_columns("person"),
    "pk",
    "referred_on",
    "team_id",
    "allocated_worker_id",
    "allocated_worker__practitioner__full_name",
    "allocated_worker__username",
    "created_at",
    "closure_reason",
    "closure_proposed_by_id",
    "closure_proposed_at",
    "closure_authorised_at",
    "cp_category",
    "is_looked_after",
    "in_cin_plan",
)


def episodes(referrals: QuerySet[Referral], *, today: datetime.date) -> list[Episode]:
    """The referrals (from `open_referrals`) as work-list rows, in one query."""
    link = PageLink("casework:referral")
    found = []
    for row in referrals.values_list(*_EPISODE_COLUMNS):
        (
            pk,
            referred_on,
            team_id,
            worker_id,
            worker_practitioner_name,
            worker_username,
            created_at,
            closure_reason,
            closure_proposed_by_id,
            closure_proposed_at,
            closure_authorised_at,
            cp_category,
            looked_after,
            cin_plan,
        ) = row[6:]
        found.append(
            Episode(
                pk=pk,
                person=_child(row[:6], today),
                url=link(pk),
                referred_on=referred_on,
                team_id=team_id,
                allocated_worker_id=worker_id,
                worker=(worker_practitioner_name or worker_username) if worker_id is not None else "",
                created_at=created_at,
                closure_reason=closure_reason,
                closure_proposed_by_id=closure_proposed_by_id,
                closure_proposed_at=closure_proposed_at,
                closure_authorised_at=closure_authorised_at,
                kind=case_kind(cp_category=cp_category, looked_after=looked_after, cin_plan=cin_plan),
                category=cp_category or "",
            )
        )
    return found


def work_items(episodes: Sequence[Episode], *, today: datetime.date) -> dict[int, list[WorkItem]]:
    """The dated work on each episode (by its pk), soonest first, five queries for any
    number: assessments not completed (due by the assessment timescale), section 47
    enquiries whose initial conference has not been held, the clocks of open child
    protection plans (review conference, core group, statutory visit), child in need
    plan reviews, and private fostering visits and assessments."""
    by_pk = {e.pk: e for e in episodes}
    items: dict[int, list[WorkItem]] = defaultdict(list)
    if not by_pk:
        return items
    ids = list(by_pk)

    def add(referral_id: int, what: str, due: datetime.date | None) -> None:
        episode = by_pk[referral_id]
        if due is not None:
            items[referral_id].append(
                WorkItem(episode.person, what, due, today, episode.url, referral=episode)
            )

    for referral_id, due_on in Assessment.objects.filter(
        referral_id__in=ids, completed_on__isnull=True
    ).values_list("referral_id", "due_on"):
        add(referral_id, "Assessment due", due_on)

    held = ConferenceChild.objects.filter(
        Q(section47=OuterRef("pk"))
        | Q(
            referral=OuterRef("referral"),
            conference__kind__in=[ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH],
            conference__date__gte=OuterRef("started_on"),
        ),
        conference__held=True,
    )
    for referral_id, due_on in (
        Section47Enquiry.objects.filter(referral_id__in=ids, outcome__in=["", Section47Outcome.CONFERENCE])
        .exclude(Exists(held))
        .values_list("referral_id", "conference_due_on")
    ):
        add(referral_id, "Initial child protection conference due", due_on)

    for referral_id, review, core_group, visit in ChildProtectionPlan.objects.filter(
        referral_id__in=ids, ended_on__isnull=True
    ).values_list("referral_id", "next_review_due", "next_core_group_due", "next_visit_due"):
        add(referral_id, "Review conference due", review)
        add(referral_id, "Core group due", core_group)
        add(referral_id, "Statutory visit due", visit)

    for referral_id, review in ChildInNeedPlan.objects.filter(
        referral_id__in=ids, ended_on__isnull=True, next_review_due__isnull=False
    ).values_list("referral_id", "next_review_due"):
        add(referral_id, "Child in need review due", review)

    for referral_id, visit, assessment_due, assessed_on in PrivateFosteringArrangement.objects.filter(
        referral_id__in=ids, ended_on__isnull=True
    ).values_list("referral_id", "next_visit_due", "assessment_due", "assessment_completed_on"):
        add(referral_id, "Private fostering visit due", visit)
        if assessed_on is None:
            add(referral_id, "Private fostering assessment due", assessment_due)

    for found in items.values():
        found.sort(key=lambda i: i.due)
    return items


def cases_of(episodes: Iterable[Episode], items: dict[int, list[WorkItem]]) -> list[Case]:
    return [Case(referral=e, items=items.get(e.pk, [])) for e in episodes]


def _by_due(cases: Iterable[Case]) -> list[Case]:
    far = datetime.date.max

    def key(case: Case) -> tuple[datetime.date, str]:
        first = case.next_due
        return (first.due if first is not None else far, case.referral.person.full_name)

    return sorted(cases, key=key)


@dataclasses.dataclass(frozen=True)
class MyWork:
    today: datetime.date
    cases: list[Case]
    alerts: list[Notification]
    unread: int

    @property
    def children(self) -> list[Child]:
        """Every child the page names (for the access log)."""
        return [c.referral.person for c in self.cases]

    @property
    def week_ends(self) -> datetime.date:
        return self.today + WEEK

    @cached_property
    def items(self) -> list[WorkItem]:
        return sorted((i for c in self.cases for i in c.items), key=lambda i: (i.due, i.what))

    @cached_property
    def overdue(self) -> list[WorkItem]:
        return [i for i in self.items if i.overdue]

    @cached_property
    def due_soon(self) -> list[WorkItem]:
        return [i for i in self.items if i.due_soon]


def unread_alerts(user: AnyUser) -> QuerySet[Notification]:
    """The user's unread notifications, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def my_work(user: AnyUser, *, today: datetime.date) -> MyWork:
    """A social worker's work list: the open episodes allocated to them (next thing due
    first), and their newest unread alerts."""
    mine = episodes(open_referrals(user).filter(allocated_worker_id=user.pk), today=today)
    items = work_items(mine, today=today)
    alerts = unread_alerts(user)
    shown = list(alerts[:ALERTS_SHOWN])
    unread = len(shown) if len(shown) < ALERTS_SHOWN else alerts.count()
    return MyWork(today=today, cases=_by_due(cases_of(mine, items)), alerts=shown, unread=unread)


@dataclasses.dataclass(frozen=True)
class Caseload:
    """One worker's caseload as their manager sees it."""

    worker: User
    name: str
    role: str
    in_team: bool
    cases: int = 0
    early_help: int = 0
    weighted: Decimal = Decimal("0.00")
    overdue: int = 0


def display_name(user: User) -> str:
    """How a worker is named on the pages: their practitioner name, else their user name."""
    practitioner = getattr(user, "practitioner", None)
    return (practitioner.full_name if practitioner else "") or user.get_full_name() or user.username


def case_holders(teams: Iterable[int]) -> QuerySet[Practitioner]:
    """The social workers and team managers of these teams who can sign in and hold cases."""
    return (
        Practitioner.objects.filter(
            team_id__in=list(teams), role__in=CASE_HOLDING_ROLES, user__isnull=False, user__is_active=True
        )
        .select_related("user")
        .order_by("full_name", "pk")
    )


def caseloads(
    user: AnyUser,
    workers: list[Practitioner],
    cases: list[Case],
    *,
    team: Team | None = None,
) -> list[Caseload]:
    """Each worker's open cases (count), the early help episodes they lead, their weighted
    caseload (the weight of each case's current kind, added up) and their overdue items.
    Workers holding one of `cases` but not in `workers` get a row too (marked not in the
    team). Two queries (the weights and the early help episodes), and a third for the
    workers outside `workers` when there are any."""
    weights = caseload_weights()
    holders: dict[int, User] = {p.user.pk: p.user for p in workers if p.user is not None}
    outside = {
        c.referral.allocated_worker_id
        for c in cases
        if c.referral.allocated_worker_id is not None and c.referral.allocated_worker_id not in holders
    }
    if outside:
        found = {u.pk: u for u in User.objects.filter(pk__in=outside).select_related("practitioner")}
        for case in cases:
            worker_id = case.referral.allocated_worker_id
            if worker_id is not None and worker_id not in holders:
                holders[worker_id] = found[worker_id]
    kinds: dict[int, list[CaseKind]] = defaultdict(list)
    overdue: dict[int, int] = defaultdict(int)
    for case in cases:
        worker_id = case.referral.allocated_worker_id
        if worker_id is not None:
            kinds[worker_id].append(case.kind)
            overdue[worker_id] += case.overdue_count
    early_help = dict(
        casework_visible_to(user, EarlyHelpEpisode.objects.all(), "person")
        .filter(ended_on__isnull=True, lead_professional__user_id__in=list(holders))
        .values_list("lead_professional__user_id")
        .annotate(n=Count("pk"))
        .values_list("lead_professional__user_id", "n")
    )
    rows = []
    for worker_id, worker in holders.items():
        worker_kinds = kinds[worker_id] + [CaseKind.EARLY_HELP] * early_help.get(worker_id, 0)
        practitioner = getattr(worker, "practitioner", None)
        rows.append(
            Caseload(
                worker=worker,
                name=display_name(worker),
                role=Role(practitioner.role).label if practitioner else "",
                in_team=team is None or (practitioner is not None and practitioner.team_id == team.pk),
                cases=len(kinds[worker_id]),
                early_help=early_help.get(worker_id, 0),
                weighted=weighted_caseload(worker_kinds, weights),
                overdue=overdue[worker_id],
            )
        )
    return sorted(rows, key=lambda r: (not r.in_team, r.name.lower()))


@dataclasses.dataclass(frozen=True, slots=True)
class Unallocated:
    case: Case
    waiting_since: datetime.date
    today: datetime.date
    allocate_url: str

    @property
    def days_waiting(self) -> int:
        return (self.today - self.waiting_since).days


@dataclasses.dataclass(frozen=True, slots=True)
class SignOff:
    """Something a manager must authorise: who is asking, since when, and whether this
    manager may (nobody authorises their own). It is about a contact (`contact_id`) or an
    episode (`referral_id`); `url` is its page."""

    what: str
    child: Child
    asked_by: str
    since: datetime.date
    own: bool
    url: str
    contact_id: int | None = None
    referral_id: int | None = None

    @property
    def child_name(self) -> str:
        return self.child.full_name


@dataclasses.dataclass(frozen=True)
class TeamWork:
    today: datetime.date
    team: Team | None
    caseloads: list[Caseload]
    unallocated: list[Unallocated]
    overdue: list[WorkItem]
    sign_off: list[SignOff]

    @property
    def children(self) -> list[Child]:
        """Every child the page names (for the access log), each once, in the order the
        log has always listed them."""
        named = [u.case.referral.person for u in self.unallocated] + [i.person for i in self.overdue]
        named += [s.child for s in self.sign_off if s.contact_id is not None]
        named += [s.child for s in self.sign_off if s.referral_id is not None]
        return list({c.pk: c for c in named}.values())


def _last_allocations_ended(referral_ids: list[int]) -> dict[int, datetime.datetime]:
    """When each of these referrals' last allocation ended (none for a referral never allocated)."""
    if not referral_ids:
        return {}
    return dict(
        Allocation.objects.filter(referral_id__in=referral_ids, ended_at__isnull=False)
        .order_by()
        .values("referral_id")
        .annotate(last=Max("ended_at"))
        .values_list("referral_id", "last")
    )


def _waiting_since(episode: Episode, last_ended: dict[int, datetime.datetime]) -> datetime.date:
    """Unallocated since its last worker's allocation ended, or since it was opened."""
    return timezone.localdate(last_ended.get(episode.pk) or episode.created_at)


def _names(ids: set[int]) -> dict[int, str]:
    """Users' names as the pages show them, in one query."""
    if not ids:
        return {}
    return {
        pk: _shown_name(practitioner_name, first, last, username)
        for pk, practitioner_name, first, last, username in User.objects.filter(pk__in=ids).values_list(
            "pk", "practitioner__full_name", "first_name", "last_name", "username"
        )
    }


def _front_door(user: AnyUser, team: Team, *, today: datetime.date) -> tuple[list[WorkItem], list[SignOff]]:
    """The team's front door in one query: contacts its officers recorded whose decision
    is overdue, and decisions (made or recorded in the team) awaiting authorisation."""
    in_team = Q(recorded_by__practitioner__team=team)
    contacts = (
        contacts_visible_to(user)
        .filter(
            (Q(decided_at__isnull=True, decision_due__lt=today) & in_team)
            | (
                Q(decided_at__isnull=False, authorised_at__isnull=True)
                & (in_team | Q(decided_by__practitioner__team=team))
            )
        )
        .values_list(
            *_child_columns("person"),
            "pk",
            "decision_due",
            "decided_at",
            "decision",
            "decided_by_id",
            *_user_columns("decided_by"),
        )
    )
    link = PageLink("casework:contact")
    decisions = dict(FrontDoorDecision.choices)
    late: list[WorkItem] = []
    sign_off: list[SignOff] = []
    for row in contacts:
        pk, decision_due, decided_at, decision, decided_by_id, *decided_by = row[6:]
        child = _child(row[:6], today)
        if decided_at is None:
            late.append(
                WorkItem(child, "Front-door decision due", decision_due, today, link(pk), contact_id=pk)
            )
            continue
        sign_off.append(
            SignOff(
                what=f"Front-door decision: {decisions.get(decision, decision)}",
                child=child,
                asked_by=_shown_name(*decided_by) if decided_by_id is not None else "",
                since=timezone.localdate(decided_at),
                own=decided_by_id == user.pk,
                url=link(pk),
                contact_id=pk,
            )
        )
    return late, sign_off


def _episode_sign_off(user: AnyUser, episodes: list[Episode]) -> list[SignOff]:
    """Completed assessments no manager has authorised, and proposed closures, on these
    (open, already authorised-to-see) episodes: one query for the assessments, one for
    the proposers' names."""
    by_pk = {e.pk: e for e in episodes}
    rows: list[SignOff] = []
    assessments = Assessment.objects.filter(
        referral_id__in=list(by_pk), completed_on__isnull=False, authorised_at__isnull=True
    ).values_list("referral_id", "completed_on", "completed_by_id", *_user_columns("completed_by"))
    for referral_id, completed_on, completed_by_id, *completed_by in assessments:
        episode = by_pk[referral_id]
        rows.append(
            SignOff(
                what="Assessment",
                child=episode.person,
                asked_by=_shown_name(*completed_by) if completed_by_id is not None else "",
                since=completed_on,
                own=completed_by_id == user.pk,
                url=episode.url,
                referral_id=episode.pk,
            )
        )
    closing = [e for e in episodes if e.closure_proposed_at is not None and e.closure_authorised_at is None]
    names = _names({e.closure_proposed_by_id for e in closing if e.closure_proposed_by_id is not None})
    reasons = dict(ClosureReason.choices)
    for episode in closing:
        assert episode.closure_proposed_at is not None
        rows.append(
            SignOff(
                what=f"Closure: {reasons.get(episode.closure_reason, episode.closure_reason)}",
                child=episode.person,
                asked_by=names.get(episode.closure_proposed_by_id or 0, ""),
                since=timezone.localdate(episode.closure_proposed_at),
                own=episode.closure_proposed_by_id == user.pk,
                url=episode.url,
                referral_id=episode.pk,
            )
        )
    return rows


def team_work(user: AnyUser, *, today: datetime.date) -> TeamWork:
    """A team manager's page: the caseload of each worker in their team, the team's open
    referrals with nobody allocated (the list should be empty), the team's overdue work
    (including front-door decisions its officers have not made in time) and what waits
    for a manager's sign-off (front-door decisions, completed assessments, proposed
    closures). The team is the manager's own; a manager in no team sees an empty page."""
    practitioner = getattr(user, "practitioner", None)
    team: Team | None = practitioner.team if practitioner is not None else None
    if team is None or not has_permission(user, Permission.ALLOCATE):
        return TeamWork(today, None, [], [], [], [])
    workers = list(case_holders([team.pk]))
    theirs = Q(team=team) | Q(allocated_worker_id__in=[p.user_id for p in workers])
    listed = episodes(open_referrals(user).filter(theirs), today=today)
    cases = cases_of(listed, work_items(listed, today=today))
    team_cases = [c for c in cases if c.referral.team_id == team.pk]

    waiting = [c for c in team_cases if c.referral.allocated_worker_id is None]
    last_ended = _last_allocations_ended([c.referral.pk for c in waiting])
    allocate = PageLink("casework:allocate")
    unallocated = sorted(
        (
            Unallocated(c, _waiting_since(c.referral, last_ended), today, allocate(c.referral.pk))
            for c in waiting
        ),
        key=lambda u: (u.waiting_since, u.case.referral.pk),
    )
    late_contacts, decisions = _front_door(user, team, today=today)
    overdue = [i for c in team_cases for i in c.items if i.overdue] + late_contacts
    sign_off = decisions + _episode_sign_off(user, [c.referral for c in team_cases])
    return TeamWork(
        today=today,
        team=team,
        caseloads=caseloads(user, workers, cases, team=team),
        unallocated=unallocated,
        overdue=sorted(overdue, key=lambda i: (i.due, i.what)),
        sign_off=sorted(sign_off, key=lambda r: r.since),
    )


def allocation_options(user: AnyUser, referral: Referral, *, today: datetime.date) -> list[Caseload]:
    """Who a manager may allocate `referral` to: the social workers and team managers of
    the manager's team and of the referral's team, each with their caseload now (count and
    weighted), so the manager picks knowingly. The worker holding it now is left out."""
    practitioner = getattr(user, "practitioner", None)
    teams = {t for t in (practitioner.team_id if practitioner else None, referral.team_id) if t is not None}
    workers = [p for p in case_holders(teams) if p.user_id != referral.allocated_worker_id]
    held = episodes(
        open_referrals(user).filter(allocated_worker_id__in=[p.user_id for p in workers]), today=today
    )
    rows = caseloads(user, workers, cases_of(held, {}))
    return [r for r in rows if r.worker.pk != referral.allocated_worker_id]
