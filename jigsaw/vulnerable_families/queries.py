"""Reading vulnerable families meetings: when the next is due, each meeting's list (the
children named as the access policy allows), and a practitioner's actions.

Every query starts from the access policy's `vulnerable_families_visible_to`, so a list
can never show what a page would refuse."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.policy import (
    AnyUser,
    restricted_people_hidden_from_partners,
    vulnerable_families_visible_to,
)
from jigsaw.casework.models import Contact, Referral
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from jigsaw.vulnerable_families.models import (
    FamilyAction,
    FamilyDiscussion,
    Meeting,
    Outcome,
    StandingMeeting,
)

# A contact counts as the referral that followed a discussion when the front door received
# it from one of the two agencies within this many days either side of the meeting.
CONTACT_WINDOW_BEFORE = datetime.timedelta(days=14)
CONTACT_WINDOW_AFTER = datetime.timedelta(days=90)

RESTRICTED_CHILD = "A child whose record is restricted"


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Where a standing meeting is in its rhythm on a day."""

    standing: StandingMeeting
    last_held: datetime.date | None
    next_arranged: datetime.date | None
    next_due: datetime.date
    overdue: bool
    families_on_list: int


def next_due(standing: StandingMeeting, *, last_held: datetime.date | None) -> datetime.date:
    """The next meeting is due a cadence after the last one held; before the first is
    held, from the day the meeting was set up."""
    start = last_held if last_held is not None else timezone.localtime(standing.created_at).date()
    return start + datetime.timedelta(weeks=standing.cadence_weeks)


def schedule_of(standing: StandingMeeting, *, today: datetime.date) -> Schedule:
    """The standing meeting's last meeting held (on or before today), the next arranged,
    when the next is due, and whether it is overdue: due before today and none arranged."""
    meetings = Meeting.objects.filter(standing=standing)
    held = meetings.filter(held_on__lte=today).order_by("-held_on").values_list("held_on", flat=True).first()
    arranged = (
        meetings.filter(held_on__gt=today).order_by("held_on").values_list("held_on", flat=True).first()
    )
    due = next_due(standing, last_held=held)
    on_list = 0
    latest = meetings.order_by("-held_on", "-pk").first()
    if latest is not None:
        on_list = latest.families.count()
    return Schedule(
        standing=standing,
        last_held=held,
        next_arranged=arranged,
        next_due=due,
        overdue=arranged is None and due < today,
        families_on_list=on_list,
    )


def schedules_for(user: AnyUser, *, today: datetime.date) -> list[Schedule]:
    standings = vulnerable_families_visible_to(user).select_related(
        "health_visiting", "gp_practice", "health_visiting_lead", "gp_lead"
    )
    return [schedule_of(standing, today=today) for standing in standings]


def get_standing_for(user: AnyUser, pk: int) -> StandingMeeting:
    """Fetch and authorise in one step: missing and forbidden both answer "not found"."""
    found = (
        vulnerable_families_visible_to(user)
        .select_related("health_visiting", "gp_practice", "health_visiting_lead", "gp_lead")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such meeting")
    return found


def meetings_of(standing: StandingMeeting) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(standing=standing)
        .annotate(
            family_count=Count("families", distinct=True),
            referral_count=Count("families", filter=Q(families__outcome=Outcome.REFERRAL), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def get_meeting_for(user: AnyUser, pk: int) -> Meeting:
    found = (
        Meeting.objects.filter(pk=pk, standing__in=vulnerable_families_visible_to(user))
        .select_related("standing__health_visiting", "standing__gp_practice")
        .first()
    )
    if found is None:
        raise Http404("No such meeting")
    return found


def get_discussion_for(user: AnyUser, pk: int) -> FamilyDiscussion:
    found = (
        FamilyDiscussion.objects.filter(pk=pk, meeting__standing__in=vulnerable_families_visible_to(user))
        .select_related("meeting__standing__health_visiting", "meeting__standing__gp_practice")
        .first()
    )
    if found is None:
        raise Http404("No such family")
    return found


def get_action_for(user: AnyUser, pk: int) -> FamilyAction:
    found = FamilyAction.objects.filter(
        pk=pk, discussion__meeting__standing__in=vulnerable_families_visible_to(user)
    ).first()
    if found is None:
        raise Http404("No such action")
    return found


def practitioners_of(standing: StandingMeeting) -> QuerySet[Practitioner]:
    """Who may attend and hold actions: the practitioners of the two agencies."""
    return (
        Practitioner.objects.filter(agency_id__in=[standing.health_visiting_id, standing.gp_practice_id])
        .select_related("agency")
        .order_by("agency__name", "full_name", "pk")
    )


@dataclasses.dataclass(frozen=True)
class ChildShown:
    """A child as this user may see them named: by name, or as restricted."""

    person_id: int
    name: str
    date_of_birth: datetime.date | None
    restricted: bool


@dataclasses.dataclass(frozen=True)
class FamilyRow:
    discussion: FamilyDiscussion
    children: list[ChildShown]
    actions: list[FamilyAction]
    contact: Contact | None
    referral: Referral | None

    @property
    def heading(self) -> str:
        names = [c.name for c in self.children]
        return ", ".join(names) if names else "No child listed"


def children_shown(user: AnyUser, people: list[Person]) -> list[ChildShown]:
    """The children as this user may see them named: a restricted record the user is not
    named on is shown only as restricted (its name and date of birth withheld)."""
    hidden = set(
        restricted_people_hidden_from_partners(user)
        .filter(pk__in=[p.pk for p in people])
        .values_list("pk", flat=True)
    )
    return [
        ChildShown(p.pk, RESTRICTED_CHILD, None, True)
        if p.pk in hidden
        else ChildShown(p.pk, p.full_name, p.date_of_birth, False)
        for p in people
    ]


def family_rows(user: AnyUser, meeting: Meeting) -> list[FamilyRow]:
    """The meeting's list: each family with its children (named as the policy allows), its
    actions, and the contact (and the referral it became) when a referral followed."""
    discussions = (
        FamilyDiscussion.objects.filter(meeting=meeting)
        .select_related("contact", "carried_from__meeting")
        .prefetch_related("children", "actions__owner__agency")
        .order_by("pk")
    )
    rows: list[FamilyRow] = []
    for discussion in discussions:
        referral = (
            Referral.objects.filter(contact_id=discussion.contact_id).first()
            if discussion.contact_id
            else None
        )
        rows.append(
            FamilyRow(
                discussion=discussion,
                children=children_shown(user, list(discussion.children.all())),
                actions=list(discussion.actions.all()),
                contact=discussion.contact,
                referral=referral,
            )
        )
    return rows


def contacts_for_family(discussion: FamilyDiscussion) -> QuerySet[Contact]:
    """The front door's contacts that may be the referral that followed: about one of the
    family's children, from one of the two agencies, received from two weeks before the
    meeting to three months after it (a partner sees its own referrals' outcomes, not
    other agencies')."""
    meeting = discussion.meeting
    standing = meeting.standing
    return Contact.objects.filter(
        person__in=discussion.children.all(),
        referrer_agency_id__in=[standing.health_visiting_id, standing.gp_practice_id],
        received_at__date__gte=meeting.held_on - CONTACT_WINDOW_BEFORE,
        received_at__date__lte=meeting.held_on + CONTACT_WINDOW_AFTER,
    ).order_by("-received_at", "-pk")


def my_open_actions(user: AnyUser) -> QuerySet[FamilyAction]:
    """The user's own actions not yet done, soonest due first, in meetings they may open."""
    if not user.is_authenticated:
        return FamilyAction.objects.none()
    return (
        FamilyAction.objects.filter(
            owner__user_id=user.pk,
            done_on__isnull=True,
            discussion__meeting__standing__in=vulnerable_families_visible_to(user),
        )
        .select_related(
            "discussion__meeting__standing__health_visiting", "discussion__meeting__standing__gp_practice"
        )
        .order_by("due_on", "pk")
    )


def my_overdue_action_count(user: AnyUser, *, today: datetime.date) -> int:
    return my_open_actions(user).filter(due_on__lt=today).count()


def referrals_followed(standing: StandingMeeting) -> int:
    """How many families discussed at this pair's meetings were referred to social care."""
    return FamilyDiscussion.objects.filter(meeting__standing=standing, outcome=Outcome.REFERRAL).count()
