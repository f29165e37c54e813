"""Read-side of the work lists: a social worker's children, what is due and overdue, and
their alerts; a team manager's caseloads, unallocated work, overdue work and sign-offs.

Every function runs a fixed number of queries whatever the number of episodes: the open
referrals come in one query (their current kind worked out by subqueries), then one query
per kind of dated work (assessments, section 47 enquiries, child protection plans, child in
need plans) for all of them at once. Everything goes through `casework_visible_to`.

"Due this week" is the next 7 days: today and the six days after it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.access.roles import Role
from jigsaw.casework.models import (
    AbuseCategory,
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceKind,
    Contact,
    EarlyHelpEpisode,
    LookedAfterEpisode,
    Referral,
    Section47Enquiry,
    Section47Outcome,
)
from jigsaw.casework.queries import casework_visible_to, contacts_visible_to, referrals_visible_to
from jigsaw.partners.models import Notification, Practitioner
from jigsaw.people.models import Person
from jigsaw.workforce.models import CaseKind, Team
from jigsaw.workforce.queries import caseload_weights, weighted_caseload

# How far ahead "due this week" looks: today and the six days after it.
WEEK = datetime.timedelta(days=6)
# The newest unread alerts a work list shows (the count says how many there are in all).
ALERTS_SHOWN = 20
# The roles a case may be allocated to.
CASE_HOLDING_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)


@dataclasses.dataclass(frozen=True)
class WorkItem:
    """One dated piece of work about a child: on their episode (`referral`), or a contact
    at the front door waiting for its decision (`contact`)."""

    person: Person
    what: str
    due: datetime.date
    today: datetime.date
    referral: Referral | None = None
    contact: Contact | None = None

    @property
    def overdue(self) -> bool:
        return self.due < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due).days, 0)

    @property
    def due_soon(self) -> bool:
        return self.today <= self.due <= self.today + WEEK

    @property
    def worker(self) -> User | None:
        return self.referral.allocated_worker if self.referral is not None else None


@dataclasses.dataclass(frozen=True)
class Case:
    """An open episode as a work list shows it."""

    referral: Referral
    kind: CaseKind
    category: str
    age: int | None
    items: list[WorkItem]

    @property
    def stage(self) -> str:
        if self.kind == CaseKind.CHILD_PROTECTION:
            return f"Child protection: {AbuseCategory(self.category).label}"
        return {
            CaseKind.LOOKED_AFTER: "Looked after",
            CaseKind.CHILD_IN_NEED: "Child in need",
        }.get(self.kind, "Assessment")

    @cached_property
    def next_due(self) -> WorkItem | None:
        return min(self.items, key=lambda i: i.due, default=None)

    @cached_property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)


# What the work lists read of a referral and its child (loading only these keeps a page of
# hundreds of episodes fast; anything else would be read row by row, which the query-count
# tests would catch).
_LISTED = (
    "person__given_names",
    "person__family_name",
    "person__date_of_birth",
    "person__birth_date_precision",
    "person__date_of_death",
    "referred_on",
    "team",
    "allocated_worker",
    "created_at",
    "closed_on",
    "closure_reason",
    "closure_proposed_by",
    "closure_proposed_at",
    "closure_authorised_at",
)


def open_referrals(user: AnyUser) -> QuerySet[Referral]:
    """Open referrals the user may see, each annotated with what it is now: the category of
    its open child protection plan, whether the child is looked after, whether it has an
    open child in need plan."""
    open_plan = ChildProtectionPlan.objects.filter(referral=OuterRef("pk"), ended_on__isnull=True)
    return (
        referrals_visible_to(user)
        .filter(closed_on__isnull=True)
        .select_related("person")
        .only(*_LISTED)
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


def case_kind(referral: Referral) -> CaseKind:
    """What the case is now (read from `open_referrals`' annotations): an open child
    protection plan outweighs being looked after, which outweighs a child in need plan;
    anything else is an assessment."""
    if getattr(referral, "cp_category", None):
        return CaseKind.CHILD_PROTECTION
    if getattr(referral, "is_looked_after", False):
        return CaseKind.LOOKED_AFTER
    if getattr(referral, "in_cin_plan", False):
        return CaseKind.CHILD_IN_NEED
    return CaseKind.ASSESSMENT


def work_items(referrals: Sequence[Referral], *, today: datetime.date) -> dict[int, list[WorkItem]]:
    """The dated work on each referral (by its pk), four queries for any number:
    assessments not completed (due by the assessment timescale), section 47 enquiries
    whose initial conference has not been held, the clocks of open child protection plans
    (review conference, core group, statutory visit) and child in need plan reviews."""
    by_pk = {r.pk: r for r in referrals}
    items: dict[int, list[WorkItem]] = defaultdict(list)
    if not by_pk:
        return items
    ids = list(by_pk)

    def add(referral_id: int, what: str, due: datetime.date | None) -> None:
        referral = by_pk[referral_id]
        if due is not None:
            items[referral_id].append(WorkItem(referral.person, what, due, today, referral=referral))

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

    for found in items.values():
        found.sort(key=lambda i: i.due)
    return items


def cases_of(
    referrals: Iterable[Referral], items: dict[int, list[WorkItem]], *, today: datetime.date
) -> list[Case]:
    return [
        Case(
            referral=r,
            kind=case_kind(r),
            category=getattr(r, "cp_category", None) or "",
            age=r.person.age_on(today),
            items=items.get(r.pk, []),
        )
        for r in referrals
    ]


def _by_due(cases: Iterable[Case]) -> list[Case]:
    far = datetime.date.max
    return sorted(cases, key=lambda c: (c.next_due.due if c.next_due else far, c.referral.person.full_name))


@dataclasses.dataclass(frozen=True)
class MyWork:
    today: datetime.date
    cases: list[Case]
    alerts: list[Notification]
    unread: int

    @property
    def children(self) -> list[Person]:
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
    referrals = list(open_referrals(user).filter(allocated_worker_id=user.pk))
    items = work_items(referrals, today=today)
    alerts = unread_alerts(user)
    shown = list(alerts[:ALERTS_SHOWN])
    unread = len(shown) if len(shown) < ALERTS_SHOWN else alerts.count()
    return MyWork(
        today=today, cases=_by_due(cases_of(referrals, items, today=today)), alerts=shown, unread=unread
    )


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
    team). Two queries: the weights and the early help episodes."""
    weights = caseload_weights()
    holders: dict[int, User] = {p.user.pk: p.user for p in workers if p.user is not None}
    for case in cases:
        worker = case.referral.allocated_worker
        if worker is not None and worker.pk not in holders:
            holders[worker.pk] = worker
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


@dataclasses.dataclass(frozen=True)
class Unallocated:
    case: Case
    waiting_since: datetime.date
    today: datetime.date

    @property
    def days_waiting(self) -> int:
        return (self.today - self.waiting_since).days


@dataclasses.dataclass(frozen=True)
class SignOff:
    """Something a manager must authorise: who is asking, since when, and whether this
    manager may (nobody authorises their own)."""

    what: str
    child_name: str
    asked_by: str
    since: datetime.date
    own: bool
    contact: Contact | None = None
    referral: Referral | None = None


@dataclasses.dataclass(frozen=True)
class TeamWork:
    today: datetime.date
    team: Team | None
    caseloads: list[Caseload]
    unallocated: list[Unallocated]
    overdue: list[WorkItem]
    sign_off: list[SignOff]

    @property
    def children(self) -> list[Person]:
        """Every child the page names (for the access log)."""
        named = [u.case.referral.person for u in self.unallocated] + [i.person for i in self.overdue]
        named += [s.contact.person for s in self.sign_off if s.contact is not None]
        named += [s.referral.person for s in self.sign_off if s.referral is not None]
        return list({p.pk: p for p in named}.values())


def _display(user: User | None) -> str:
    return display_name(user) if user is not None else ""


def _waiting_since(referral: Referral) -> datetime.date:
    """Unallocated since its last worker's allocation ended, or since it was opened."""
    since: datetime.datetime = getattr(referral, "last_allocation_ended", None) or referral.created_at
    return timezone.localdate(since)


def attach_workers(referrals: Iterable[Referral], known: Iterable[Practitioner]) -> None:
    """Set each referral's allocated worker from the practitioners already fetched (with
    their users), fetching the few others in one query, so no page reads them one by one."""
    users = {p.user.pk: p.user for p in known if p.user is not None}
    wanted = {r.allocated_worker_id for r in referrals if r.allocated_worker_id is not None}
    missing = wanted - users.keys()
    if missing:
        users.update({u.pk: u for u in User.objects.filter(pk__in=missing).select_related("practitioner")})
    for referral in referrals:
        if referral.allocated_worker_id is not None:
            referral.allocated_worker = users[referral.allocated_worker_id]


def _names(ids: set[int]) -> dict[int, str]:
    """Users' names as the pages show them, in one query."""
    if not ids:
        return {}
    return {
        pk: practitioner_name or f"{first} {last}".strip() or username
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
        .select_related("person", "decided_by__practitioner")
    )
    late: list[WorkItem] = []
    sign_off: list[SignOff] = []
    for contact in contacts:
        if contact.decided_at is None:
            late.append(
                WorkItem(
                    contact.person, "Front-door decision due", contact.decision_due, today, contact=contact
                )
            )
            continue
        sign_off.append(
            SignOff(
                what=f"Front-door decision: {contact.get_decision_display()}",
                child_name=contact.person.full_name,
                asked_by=_display(contact.decided_by),
                since=timezone.localdate(contact.decided_at),
                own=contact.decided_by_id == user.pk,
                contact=contact,
            )
        )
    return late, sign_off


def _episode_sign_off(user: AnyUser, referrals: list[Referral]) -> list[SignOff]:
    """Completed assessments no manager has authorised, and proposed closures, on these
    (open, already authorised-to-see) referrals: one query for the assessments, one for
    the proposers' names."""
    by_pk = {r.pk: r for r in referrals}
    rows: list[SignOff] = []
    assessments = Assessment.objects.filter(
        referral_id__in=list(by_pk), completed_on__isnull=False, authorised_at__isnull=True
    ).select_related("completed_by__practitioner")
    for assessment in assessments:
        assert assessment.completed_on is not None
        referral = by_pk[assessment.referral_id]
        rows.append(
            SignOff(
                what="Assessment",
                child_name=referral.person.full_name,
                asked_by=_display(assessment.completed_by),
                since=assessment.completed_on,
                own=assessment.completed_by_id == user.pk,
                referral=referral,
            )
        )
    closing = [r for r in referrals if r.closure_proposed_at is not None and r.closure_authorised_at is None]
    names = _names({r.closure_proposed_by_id for r in closing if r.closure_proposed_by_id is not None})
    for referral in closing:
        assert referral.closure_proposed_at is not None
        rows.append(
            SignOff(
                what=f"Closure: {referral.get_closure_reason_display()}",
                child_name=referral.person.full_name,
                asked_by=names.get(referral.closure_proposed_by_id or 0, ""),
                since=timezone.localdate(referral.closure_proposed_at),
                own=referral.closure_proposed_by_id == user.pk,
                referral=referral,
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
    last_ended = Allocation.objects.filter(referral=OuterRef("pk"), ended_at__isnull=False).order_by(
        "-ended_at"
    )
    theirs = Q(team=team) | Q(allocated_worker_id__in=[p.user_id for p in workers])
    referrals = list(
        open_referrals(user)
        .filter(theirs)
        .annotate(last_allocation_ended=Subquery(last_ended.values("ended_at")[:1]))
    )
    attach_workers(referrals, workers)
    cases = cases_of(referrals, work_items(referrals, today=today), today=today)
    team_cases = [c for c in cases if c.referral.team_id == team.pk]

    unallocated = sorted(
        (
            Unallocated(c, _waiting_since(c.referral), today)
            for c in team_cases
            if c.referral.allocated_worker_id is None
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
    held = list(open_referrals(user).filter(allocated_worker_id__in=[p.user_id for p in workers]))
    attach_workers(held, workers)
    rows = caseloads(user, workers, cases_of(held, {}, today=today))
    return [r for r in rows if r.worker.pk != referral.allocated_worker_id]
