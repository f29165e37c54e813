"""Read-side of child protection: what the episode page shows of a child's strategy
discussions, section 47 enquiries, conferences, plans and visits, each with its due date
and whether it is overdue; and the conference chair's list.

Every function takes a referral already fetched through `get_referral_for` (or a user,
for lists) and runs a fixed number of queries, whatever the number of records."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Min, Prefetch, Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.casework.models import (
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceKind,
    CoreGroupMeeting,
    Referral,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
    StrategyDiscussionAttendee,
    Visit,
)
from jigsaw.casework.queries import casework_visible_to
from jigsaw.casework.timescales import is_overdue
from jigsaw.partners.models import NamedProfessional
from jigsaw.people.models import HouseholdMember, Person, Relationship, RelationshipKind

RECENT_VISITS = 10


@dataclasses.dataclass(frozen=True)
class Section47Row:
    enquiry: Section47Enquiry
    conference_due_on: datetime.date
    # The date the initial conference was held, if it has been.
    conference_held_on: datetime.date | None
    needs_conference: bool
    overdue: bool


@dataclasses.dataclass(frozen=True)
class ConferenceRow:
    conference: ChildProtectionConference
    child: ConferenceChild
    overdue: bool


@dataclasses.dataclass(frozen=True)
class PlanRow:
    plan: ChildProtectionPlan
    review_overdue: bool
    core_group_overdue: bool
    visit_overdue: bool
    last_core_group: CoreGroupMeeting | None

    @property
    def is_open(self) -> bool:
        return self.plan.ended_on is None

    @property
    def any_overdue(self) -> bool:
        return self.review_overdue or self.core_group_overdue or self.visit_overdue


@dataclasses.dataclass(frozen=True)
class EpisodeProtection:
    referral: Referral
    strategy_discussions: list[StrategyDiscussion]
    section47s: list[Section47Row]
    conferences: list[ConferenceRow]
    plans: list[PlanRow]
    visits: list[Visit]
    can_record: bool
    can_chair: bool

    @property
    def open_plan(self) -> PlanRow | None:
        return next((row for row in self.plans if row.is_open), None)

    @property
    def open_section47s(self) -> list[Section47Row]:
        return [row for row in self.section47s if row.enquiry.completed_on is None]

    @property
    def awaiting_conference(self) -> list[Section47Row]:
        """Enquiries whose initial conference is still to be held."""
        return [row for row in self.section47s if row.needs_conference and row.conference_held_on is None]

    @property
    def awaiting_outcome(self) -> list[ConferenceRow]:
        return [row for row in self.conferences if not row.conference.held]

    @property
    def is_empty(self) -> bool:
        return not (
            self.strategy_discussions or self.section47s or self.conferences or self.plans or self.visits
        )


def section47_row(
    enquiry: Section47Enquiry, held_on: datetime.date | None, *, today: datetime.date
) -> Section47Row:
    """An enquiry with its initial conference clock: due by `conference_due_on` unless the
    enquiry found that no conference is needed."""
    needs_conference = enquiry.outcome in ("", Section47Outcome.CONFERENCE)
    overdue = needs_conference and is_overdue(enquiry.conference_due_on, done_on=held_on, today=today)
    return Section47Row(enquiry, enquiry.conference_due_on, held_on, needs_conference, overdue)


def conference_overdue(conference: ChildProtectionConference, *, today: datetime.date) -> bool:
    """A conference is late if it is (or was) held after its due date, or is not yet held
    and its due date has passed."""
    if conference.due_on is None:
        return False
    done_on = conference.date if conference.held or conference.date <= conference.due_on else None
    return is_overdue(conference.due_on, done_on=done_on, today=today)


def plan_row(
    plan: ChildProtectionPlan, last_core_group: CoreGroupMeeting | None, *, today: datetime.date
) -> PlanRow:
    """A plan with its three clocks; an ended plan has none running."""
    open_ = plan.ended_on is None

    def late(due: datetime.date | None) -> bool:
        return open_ and due is not None and is_overdue(due, done_on=None, today=today)

    return PlanRow(
        plan,
        review_overdue=late(plan.next_review_due),
        core_group_overdue=late(plan.next_core_group_due),
        visit_overdue=late(plan.next_visit_due),
        last_core_group=last_core_group,
    )


def section47s_with_conference_date(records: QuerySet[Section47Enquiry]) -> QuerySet[Section47Enquiry]:
    """Annotate each enquiry with `held_conference_on`: its earliest held initial (or
    pre-birth) conference."""
    return records.annotate(
        held_conference_on=Min(
            "conferences__conference__date",
            filter=Q(conferences__conference__held=True)
            & Q(conferences__conference__kind__in=[ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH]),
        )
    )


def episode_protection(user: AnyUser, referral: Referral, *, today: datetime.date) -> EpisodeProtection:
    """Everything about child protection in one episode of need, for the episode page.
    `referral` must have been fetched through `get_referral_for(user, ...)`."""
    discussions = list(
        StrategyDiscussion.objects.filter(referrals=referral)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("referrals", queryset=Referral.objects.select_related("person")),
            Prefetch("attendees", queryset=StrategyDiscussionAttendee.objects.select_related("agency")),
        )
        .order_by("-held_on", "-pk")
    )
    section47s = [
        section47_row(s47, s47.held_conference_on, today=today)  # type: ignore[attr-defined]
        for s47 in section47s_with_conference_date(
            Section47Enquiry.objects.filter(referral=referral).select_related("strategy_discussion")
        ).order_by("-started_on", "-pk")
    ]
    conference_children = (
        ConferenceChild.objects.filter(referral=referral)
        .select_related("conference", "conference__chair", "plan")
        .prefetch_related(
            Prefetch(
                "conference__children", queryset=ConferenceChild.objects.select_related("referral__person")
            )
        )
        .order_by("-conference__date", "-conference__pk")
    )
    conferences = [
        ConferenceRow(cc.conference, cc, conference_overdue(cc.conference, today=today))
        for cc in conference_children
    ]
    plans = list(
        ChildProtectionPlan.objects.filter(referral=referral)
        .prefetch_related(
            Prefetch(
                "core_groups", queryset=CoreGroupMeeting.objects.filter(held=True).order_by("-held_on", "-pk")
            )
        )
        .order_by("-started_on", "-pk")
    )
    plan_rows = [plan_row(plan, next(iter(plan.core_groups.all()), None), today=today) for plan in plans]
    visits = list(
        Visit.objects.filter(referral=referral)
        .select_related("visited_by", "plan")
        .order_by("-visited_on", "-pk")[:RECENT_VISITS]
    )
    return EpisodeProtection(
        referral=referral,
        strategy_discussions=discussions,
        section47s=section47s,
        conferences=conferences,
        plans=plan_rows,
        visits=visits,
        can_record=referral.is_open and has_permission(user, Permission.RECORD_CASEWORK),
        can_chair=has_permission(user, Permission.CHAIR_CONFERENCE),
    )


# --- The conference chair's list -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChairListRow:
    conference: ChildProtectionConference
    children: list[ConferenceChild]
    overdue: bool


@dataclasses.dataclass(frozen=True)
class ConferenceList:
    upcoming: list[ChairListRow]
    awaiting_outcome: list[ChairListRow]
    recent: list[ChairListRow]


RECENT_CONFERENCES_DAYS = 90


def conferences_visible_to(user: AnyUser) -> QuerySet[ChildProtectionConference]:
    """Conferences about at least one child the user may see (a conference is shown if
    any of its children is visible; its children are filtered again when listed)."""
    if not has_permission(user, Permission.VIEW_CASEWORK):
        return ChildProtectionConference.objects.none()
    visible = casework_visible_to(user, ConferenceChild.objects.all(), "referral__person")
    return ChildProtectionConference.objects.filter(pk__in=visible.values("conference_id"))


def conference_list(user: AnyUser, *, today: datetime.date) -> ConferenceList:
    """The chair's list: conferences to come (soonest first), past conferences whose
    outcome is still to be recorded (oldest first), and those held in the last 90 days."""
    visible_children = casework_visible_to(
        user, ConferenceChild.objects.select_related("referral__person"), "referral__person"
    )
    base = (
        conferences_visible_to(user)
        .select_related("chair")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=visible_children.order_by(
                    "referral__person__family_name", "referral__person__given_names"
                ),
            )
        )
    )

    def rows(records: QuerySet[ChildProtectionConference]) -> list[ChairListRow]:
        return [ChairListRow(c, list(c.children.all()), conference_overdue(c, today=today)) for c in records]

    since = today - datetime.timedelta(days=RECENT_CONFERENCES_DAYS)
    return ConferenceList(
        upcoming=rows(base.filter(held=False, date__gte=today).order_by("date", "pk")),
        awaiting_outcome=rows(base.filter(held=False, date__lt=today).order_by("date", "pk")),
        recent=rows(base.filter(held=True, date__gte=since).order_by("-date", "-pk")),
    )


def get_conference_for(user: AnyUser, pk: int, *, lock: bool = False) -> ChildProtectionConference:
    """Fetch and authorise a conference (visible if any of its children is); missing and
    forbidden both raise Http404. `lock` takes the row for an update."""
    records = ChildProtectionConference.objects.select_related("chair", "scheduled_by", "outcome_recorded_by")
    if lock:
        records = ChildProtectionConference.objects.select_for_update()
    found = records.filter(pk=pk, pk__in=conferences_visible_to(user).values("pk")).first()
    if found is None:
        raise Http404("No such conference")
    return found


# --- Who is around the child: siblings, parents, professionals --------------------------

SIBLING_KINDS = (RelationshipKind.SIBLING, RelationshipKind.HALF_SIBLING)
PARENT_KINDS = (RelationshipKind.PARENT, RelationshipKind.STEP_PARENT, RelationshipKind.CARER)


def related_children_ids(person: Person) -> set[int]:
    """Brothers and sisters (recorded either way round, or through a shared parent) and
    the other current members of the child's household."""
    ids: set[int] = set()
    ids.update(
        Relationship.objects.filter(person=person, kind__in=SIBLING_KINDS).values_list(
            "relative_id", flat=True
        )
    )
    ids.update(
        Relationship.objects.filter(relative=person, kind__in=SIBLING_KINDS).values_list(
            "person_id", flat=True
        )
    )
    parents = Relationship.objects.filter(person=person, kind__in=PARENT_KINDS).values("relative_id")
    ids.update(
        Relationship.objects.filter(relative__in=parents, kind__in=PARENT_KINDS).values_list(
            "person_id", flat=True
        )
    )
    households = HouseholdMember.objects.filter(person=person, left__isnull=True).values("household_id")
    ids.update(
        HouseholdMember.objects.filter(household_id__in=households, left__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    ids.discard(person.pk)
    return ids


def related_open_referrals(user: AnyUser, referral: Referral) -> list[Referral]:
    """The open referrals of the child's siblings and household children that the user
    may see: the children a strategy discussion or conference may cover with this one
    (one referral per child, the latest)."""
    ids = related_children_ids(referral.person)
    if not ids:
        return []
    found = (
        casework_visible_to(user, Referral.objects.select_related("person"), "person")
        .filter(person_id__in=ids, closed_on__isnull=True)
        .order_by("person__date_of_birth", "person_id", "-referred_on", "-pk")
    )
    latest: dict[int, Referral] = {}
    for r in found:
        latest.setdefault(r.person_id, r)
    return list(latest.values())


def parents_of(people: list[Person]) -> list[Person]:
    """The parents and carers of these children (a family member is invited once)."""
    rows = (
        Relationship.objects.filter(person__in=people, kind__in=PARENT_KINDS, ended__isnull=True)
        .select_related("relative")
        .order_by("relative__family_name", "relative__given_names", "relative_id")
    )
    seen: dict[int, Person] = {}
    for row in rows:
        seen.setdefault(row.relative_id, row.relative)
    return list(seen.values())


def professionals_for(people: list[Person]) -> list[NamedProfessional]:
    """The professionals currently named for these children (each practitioner once)."""
    rows = (
        NamedProfessional.objects.filter(person__in=people, ended__isnull=True)
        .select_related("practitioner__agency")
        .order_by("practitioner__agency__name", "practitioner__full_name", "pk")
    )
    seen: dict[int, NamedProfessional] = {}
    for row in rows:
        seen.setdefault(row.practitioner_id, row)
    return list(seen.values())
