"""Read-side of supervision: the policy in force, how up to date each worker's and each
team's supervision is, the cases overdue (and since when), the actions agreed, and a
child's supervision history.

A case is an open episode (referral) with an allocated worker. It is supervised within
the policy's interval when the child had a supervision in the last `interval_days` days
(and since the episode opened); it is overdue when it has not, and the last supervision
(or the allocation, when there has been none) is more than `interval_days` ago. The
counts are made by the database in one grouped query, whatever the number of cases."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jigsaw.access.policy import AnyUser, Permission, has_permission, supervision_actions_visible_to
from jigsaw.access.roles import Role
from jigsaw.casework.models import Allocation, Referral
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction, SupervisionPolicy

# The roles that hold cases, and so are supervised.
SUPERVISED_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
# The overdue cases a page lists at most (the counts are always complete).
CASES_SHOWN = 300
ACTIONS_SHOWN = 50


def policy_in_force() -> SupervisionPolicy:
    """The policy every "supervision up to date" reads; the default (every 4 weeks) is
    created on first use."""
    policy = SupervisionPolicy.objects.filter(in_force=True).first()
    if policy is None:
        policy, _ = SupervisionPolicy.objects.get_or_create(in_force=True)
    return policy


def _cutoff(today: datetime.date, policy: SupervisionPolicy) -> datetime.date:
    return today - datetime.timedelta(days=policy.interval_days)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _open_cases(today: datetime.date, policy: SupervisionPolicy) -> QuerySet[Referral]:
    """Open allocated episodes, each with whether the child was supervised within the
    interval (`supervised_recently`) and when the current allocation began."""
    cutoff = _cutoff(today, policy)
    recent = CaseSupervision.objects.filter(person=OuterRef("person"), supervised_on__gte=cutoff).filter(
        supervised_on__gte=OuterRef("referred_on")
    )
    current = Allocation.objects.filter(referral=OuterRef("pk"), ended_at__isnull=True)
    return Referral.objects.filter(closed_on__isnull=True, allocated_worker__isnull=False).annotate(
        supervised_recently=Exists(recent),
        allocated_since=Subquery(current.values("allocated_at")[:1]),
    )


def _overdue(today: datetime.date, policy: SupervisionPolicy) -> Q:
    """Not supervised within the interval, and allocated before it began (the episode's
    referral date stands in for an allocation the history does not hold)."""
    cutoff = _cutoff(today, policy)
    allocated_before = Q(allocated_since__lt=_start_of(cutoff)) | Q(
        allocated_since__isnull=True, referred_on__lt=cutoff
    )
    return Q(supervised_recently=False) & allocated_before


@dataclasses.dataclass(frozen=True)
class Figures:
    """Supervision of a worker's or a team's open cases."""

    name: str
    open_cases: int
    supervised: int
    overdue: int
    key: int | None = None

    @property
    def not_yet_due(self) -> int:
        """Newly allocated and never supervised, but the interval has not yet passed."""
        return self.open_cases - self.supervised - self.overdue

    @property
    def up_to_date(self) -> bool:
        return self.overdue == 0

    @property
    def percent_supervised(self) -> int:
        return round(100 * self.supervised / self.open_cases) if self.open_cases else 100


def _grouped(
    cases: QuerySet[Referral], key: str, today: datetime.date, policy: SupervisionPolicy
) -> dict[int | None, tuple[int, int, int]]:
    rows = (
        cases.order_by()
        .values(key)
        .annotate(
            open_cases=Count("pk"),
            supervised=Count("pk", filter=Q(supervised_recently=True)),
            overdue=Count("pk", filter=_overdue(today, policy)),
        )
        .values_list(key, "open_cases", "supervised", "overdue")
    )
    return {k: (o, s, d) for k, o, s, d in rows}


def worker_figures(
    workers: list[Practitioner], *, today: datetime.date, policy: SupervisionPolicy
) -> list[Figures]:
    """Each worker's open cases, how many were supervised within the interval and how
    many are overdue (one query for all of them)."""
    ids = [w.user_id for w in workers if w.user_id is not None]
    counts = _grouped(
        _open_cases(today, policy).filter(allocated_worker_id__in=ids), "allocated_worker_id", today, policy
    )
    return [
        Figures(w.full_name, *counts.get(w.user_id, (0, 0, 0)), key=w.user_id)
        for w in workers
        if w.user_id is not None
    ]


def team_figures(*, today: datetime.date, policy: SupervisionPolicy) -> list[Figures]:
    """Every team's totals (for managers, analysts and the partnership: no child named)."""
    from jigsaw.workforce.models import Team

    counts = _grouped(_open_cases(today, policy), "allocated_worker__practitioner__team_id", today, policy)
    names = dict(Team.objects.filter(pk__in=[k for k in counts if k is not None]).values_list("pk", "name"))
    figures = [Figures(names[k], *v, key=k) for k, v in counts.items() if k is not None]
    if None in counts:
        figures.append(Figures("Workers in no team", *counts[None]))
    return sorted(figures, key=lambda f: f.name)


@dataclasses.dataclass(frozen=True)
class OverdueCase:
    person_id: int
    child: str
    worker: str
    last_supervised: datetime.date | None
    allocated_on: datetime.date
    due_on: datetime.date

    @property
    def since(self) -> str:
        if self.last_supervised is not None:
            return "last supervised"
        return "allocated, never supervised"


def overdue_cases(
    worker_ids: list[int], *, today: datetime.date, policy: SupervisionPolicy
) -> list[OverdueCase]:
    """The overdue cases of these workers, longest overdue first (at most CASES_SHOWN)."""
    last = (
        CaseSupervision.objects.filter(person=OuterRef("person"), supervised_on__gte=OuterRef("referred_on"))
        .order_by()
        .values("person")
        .annotate(last=Max("supervised_on"))
        .values("last")
    )
    rows = (
        _open_cases(today, policy)
        .filter(allocated_worker_id__in=worker_ids)
        .filter(_overdue(today, policy))
        .annotate(last_supervised=Subquery(last))
        .values_list(
            "person_id",
            "person__given_names",
            "person__family_name",
            "allocated_worker__practitioner__full_name",
            "allocated_worker__username",
            "last_supervised",
            "allocated_since",
            "referred_on",
        )[: CASES_SHOWN * 2]
    )
    interval = datetime.timedelta(days=policy.interval_days)
    cases = []
    for pk, given, family, worker, username, last_on, allocated_at, referred_on in rows:
        allocated_on = timezone.localdate(allocated_at) if allocated_at else referred_on
        start = last_on or allocated_on
        cases.append(
            OverdueCase(
                pk, f"{given} {family}".strip(), worker or username, last_on, allocated_on, start + interval
            )
        )
    cases.sort(key=lambda c: (c.due_on, c.child))
    return cases[:CASES_SHOWN]


@dataclasses.dataclass(frozen=True)
class Overview:
    """The supervision page: the policy, the user's own figures, their team's (for a
    manager), the overdue cases named, and the open actions they own or set."""

    policy: SupervisionPolicy
    today: datetime.date
    mine: Figures | None
    team_name: str
    team: list[Figures]
    team_total: Figures | None
    overdue: list[OverdueCase]
    my_actions: list[SupervisionAction]
    set_actions: list[SupervisionAction]

    @property
    def mine_figures(self) -> list[Figures]:
        return [self.mine] if self.mine is not None else []


def team_members(user: AnyUser) -> list[Practitioner]:
    """The case-holding members of a team manager's team (themselves included)."""
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None or practitioner.team_id is None:
        return []
    return list(
        Practitioner.objects.filter(
            team_id=practitioner.team_id, role__in=SUPERVISED_ROLES, user__isnull=False, user__is_active=True
        ).order_by("full_name")
    )


def overview(user: AnyUser, *, today: datetime.date) -> Overview:
    """A social worker sees their own supervision; a team manager sees their team's."""
    policy = policy_in_force()
    practitioner = getattr(user, "practitioner", None)
    mine = worker_figures([practitioner], today=today, policy=policy)[0] if practitioner else None
    team: list[Figures] = []
    total = None
    team_name = ""
    if has_permission(user, Permission.RECORD_SUPERVISION):
        members = team_members(user)
        team = worker_figures(members, today=today, policy=policy)
        team_name = practitioner.team.name if practitioner and practitioner.team else ""
        total = Figures(
            team_name,
            sum(f.open_cases for f in team),
            sum(f.supervised for f in team),
            sum(f.overdue for f in team),
        )
        worker_ids = [m.user_id for m in members if m.user_id is not None]
    else:
        worker_ids = [int(user.pk)] if user.pk is not None else []
    visible = (
        supervision_actions_visible_to(user)
        .filter(done_at__isnull=True)
        .select_related("supervision__person", "owner__practitioner")
    )
    return Overview(
        policy=policy,
        today=today,
        mine=mine,
        team_name=team_name,
        team=team,
        team_total=total,
        overdue=overdue_cases(worker_ids, today=today, policy=policy),
        my_actions=list(visible.filter(owner_id=user.pk).order_by("due_on", "pk")[:ACTIONS_SHOWN]),
        set_actions=list(
            visible.filter(supervision__supervisor_id=user.pk)
            .exclude(owner_id=user.pk)
            .order_by("due_on", "pk")[:ACTIONS_SHOWN]
        ),
    )


def overdue_actions_for(user: AnyUser, *, today: datetime.date) -> list[SupervisionAction]:
    """The supervision actions a worker owns that are past their due date (for My work)."""
    if not has_permission(user, Permission.VIEW_SUPERVISION):
        return []
    return list(
        supervision_actions_visible_to(user)
        .filter(owner_id=user.pk, done_at__isnull=True, due_on__lt=today)
        .select_related("supervision__person")
        .order_by("due_on", "pk")[:ACTIONS_SHOWN]
    )


def history(person: Person) -> list[CaseSupervision]:
    """A child's supervisions, newest first, with their actions (the caller has checked
    that the user may see the child)."""
    return list(
        CaseSupervision.objects.filter(person=person)
        .select_related("supervisor__practitioner", "worker__practitioner")
        .prefetch_related("actions__owner__practitioner", "actions__done_by__practitioner")
        .order_by("-supervised_on", "-pk")[:100]
    )


def allocated_worker(person: Person) -> User | None:
    """The worker allocated to the child's open episode (the newest), if any."""
    referral = (
        Referral.objects.filter(person=person, closed_on__isnull=True, allocated_worker__isnull=False)
        .select_related("allocated_worker")
        .order_by("-referred_on", "-pk")
        .first()
    )
    return referral.allocated_worker if referral else None


def supervisable_workers() -> list[Practitioner]:
    """Who may be supervised, or own an action: social workers and team managers who sign in."""
    return list(
        Practitioner.objects.filter(role__in=SUPERVISED_ROLES, user__isnull=False, user__is_active=True)
        .select_related("team")
        .order_by("full_name")[:2000]
    )
