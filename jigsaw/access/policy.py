"""The one access policy. Every view and API endpoint asks it; nothing else decides.

Two questions, one rule:
- `has_permission(user, permission)`: may this user do this kind of thing at all?
- `people_visible_to(user)`: which people may this user see? Detail pages fetch through
  the same queryset (`get_person_for`), so a list can never show what a page would refuse,
  and a missing record and a forbidden one both answer 404.

The rule for people:
- social care staff see the authority's person index, except restricted records, which
  only their named users see;
- partner practitioners see the children for whom they are a named professional (and
  restricted ones only if also named on the restriction);
- anyone may see a record they have opened by breaking glass, until the grant expires;
- analysts, partnership members, the data protection officer and administrators see no
  individual child through these pages (the DPO's audit pages show who looked, not what).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.roles import SOCIAL_CARE_ROLES, Role

if TYPE_CHECKING:
    from jigsaw.escalation.models import Escalation
    from jigsaw.people.models import Person

AnyUser = AbstractBaseUser | AnonymousUser


class Permission(enum.StrEnum):
    FIND_PEOPLE = "people.find"
    VIEW_PERSON = "people.view"
    CREATE_PERSON = "people.create"
    CHANGE_PERSON = "people.change"
    VIEW_CONTACTS = "casework.view_contacts"
    RECORD_CONTACT = "casework.record_contact"
    DECIDE_CONTACT = "casework.decide_contact"
    AUTHORISE_DECISION = "casework.authorise_decision"
    VIEW_CASEWORK = "casework.view"
    RECORD_CASEWORK = "casework.record"
    AUTHORISE_CASEWORK = "casework.authorise"
    ALLOCATE = "casework.allocate"
    CHAIR_CONFERENCE = "casework.chair_conference"
    EDIT_NETWORK = "partners.edit_network"
    RAISE_CONCERN = "partners.raise_concern"
    CHECK_FLAG = "partners.check_flag"
    UPLOAD_EVENTS = "partners.upload_events"
    MANAGE_FEEDS = "partners.manage_feeds"
    REVIEW_MATCHES = "matching.review"
    MERGE_PEOPLE = "matching.merge"
    BREAK_GLASS = "access.break_glass"
    RESTRICT_RECORD = "access.restrict"
    REVIEW_ACCESS = "access.review"
    ADMINISTER = "site.administer"
    VIEW_ACCESS_LOG = "access.view_log"
    # Figures about the partnership's work (attendance at conferences by agency): no child named.
    VIEW_PARTNERSHIP_FIGURES = "performance.view_partnership_figures"
    # Escalation: any practitioner may escalate; managers and the partnership oversee.
    RAISE_ESCALATION = "escalation.raise"
    VIEW_ESCALATION_REPORT = "escalation.view_report"


_SOCIAL_CARE_READ = {
    Permission.FIND_PEOPLE,
    Permission.VIEW_PERSON,
    Permission.BREAK_GLASS,
    Permission.VIEW_CONTACTS,
    Permission.VIEW_CASEWORK,
    Permission.RAISE_ESCALATION,
}
_SOCIAL_CARE_WRITE = _SOCIAL_CARE_READ | {
    Permission.CREATE_PERSON,
    Permission.CHANGE_PERSON,
    Permission.RECORD_CONTACT,
    Permission.EDIT_NETWORK,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SOCIAL_WORKER: frozenset(_SOCIAL_CARE_WRITE | {Permission.RECORD_CASEWORK}),
    Role.TEAM_MANAGER: frozenset(
        _SOCIAL_CARE_WRITE
        | {
            Permission.RESTRICT_RECORD,
            Permission.DECIDE_CONTACT,
            Permission.AUTHORISE_DECISION,
            Permission.RECORD_CASEWORK,
            Permission.AUTHORISE_CASEWORK,
            Permission.ALLOCATE,
            Permission.CHAIR_CONFERENCE,
            Permission.REVIEW_MATCHES,
            Permission.MERGE_PEOPLE,
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ESCALATION_REPORT,
        }
    ),
    # The front door records and decides contacts; casework after the referral is the
    # allocated team's.
    # The front door also keeps the index clean: it reviews possible matches and merges
    # duplicates (and unmerges a wrong merge).
    Role.FRONT_DOOR_OFFICER: frozenset(
        _SOCIAL_CARE_WRITE | {Permission.DECIDE_CONTACT, Permission.REVIEW_MATCHES, Permission.MERGE_PEOPLE}
    ),
    # The chair (independent reviewing officer) reads the records of the children whose
    # conferences they chair and records the conference: attendance, decisions, the plan.
    Role.CONFERENCE_CHAIR: frozenset(
        _SOCIAL_CARE_READ | {Permission.CHAIR_CONFERENCE, Permission.VIEW_PARTNERSHIP_FIGURES}
    ),
    # Partners open the records of children they are named for, raise concerns (and see
    # their own), ask the flag check, and send their agency's events as a CSV file.
    Role.PARTNER_PRACTITIONER: frozenset(
        {
            Permission.VIEW_PERSON,
            Permission.RAISE_CONCERN,
            Permission.CHECK_FLAG,
            Permission.UPLOAD_EVENTS,
            Permission.RAISE_ESCALATION,
        }
    ),
    # Analysts and partnership members work with figures, not with individual children.
    Role.PERFORMANCE_ANALYST: frozenset(
        {Permission.VIEW_PARTNERSHIP_FIGURES, Permission.VIEW_ESCALATION_REPORT}
    ),
    Role.PARTNERSHIP_MEMBER: frozenset(
        {Permission.VIEW_PARTNERSHIP_FIGURES, Permission.VIEW_ESCALATION_REPORT}
    ),
    Role.DATA_PROTECTION_OFFICER: frozenset(
        {Permission.REVIEW_ACCESS, Permission.VIEW_ACCESS_LOG, Permission.RESTRICT_RECORD}
    ),
    # Administrators issue agency systems' API tokens and keep the alert rules.
    Role.ADMINISTRATOR: frozenset(
        {Permission.ADMINISTER, Permission.VIEW_ACCESS_LOG, Permission.MANAGE_FEEDS}
    ),
}


def role_of(user: AnyUser) -> Role | None:
    """The user's role, from their practitioner profile; None for anyone without one."""
    if not user.is_authenticated or not user.is_active:
        return None
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return None
    return Role(practitioner.role)


def has_permission(user: AnyUser, permission: Permission) -> bool:
    role = role_of(user)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def _user_id(user: AnyUser) -> int:
    assert user.is_authenticated and user.pk is not None
    return int(user.pk)


def _visible_people_condition(user: AnyUser) -> Q | None:
    """The rule as one condition on Person, or None when the user sees nobody."""
    from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
    from jigsaw.partners.models import NamedProfessional

    role = role_of(user)
    if role is None or not has_permission(user, Permission.VIEW_PERSON):
        return None
    hidden = RestrictedRecord.objects.exclude(permitted_users=_user_id(user)).values("person_id")
    opened = BreakGlassAccess.objects.filter(user_id=_user_id(user), expires_at__gt=timezone.now()).values(
        "person_id"
    )
    if role in SOCIAL_CARE_ROLES:
        normal = ~Q(pk__in=hidden)
    elif role == Role.PARTNER_PRACTITIONER:
        named = NamedProfessional.objects.filter(
            practitioner__user_id=_user_id(user), ended__isnull=True
        ).values("person_id")
        normal = Q(pk__in=named) & ~Q(pk__in=hidden)
    else:
        return None
    return normal | Q(pk__in=opened)


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """The people this user may see, by the rule above."""
    from jigsaw.people.models import Person

    condition = _visible_people_condition(user)
    if condition is None:
        return Person.objects.none()
    return Person.objects.filter(condition)


def get_person_for(user: AnyUser, pk: int, permission: Permission = Permission.VIEW_PERSON) -> Person:
    """Fetch and authorise in one step; missing and forbidden both raise Http404."""
    from jigsaw.people.models import Person

    if not has_permission(user, permission):
        raise Http404("No such person")
    try:
        return people_visible_to(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


def restricted_people_hidden_from(user: AnyUser) -> QuerySet[Person]:
    """Restricted people this user could open only by breaking glass (for search to say
    that a restricted record matches, without saying whose)."""
    from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
    from jigsaw.people.models import Person

    if not has_permission(user, Permission.BREAK_GLASS):
        return Person.objects.none()
    hidden = RestrictedRecord.objects.exclude(permitted_users=_user_id(user)).values("person_id")
    opened = BreakGlassAccess.objects.filter(user_id=_user_id(user), expires_at__gt=timezone.now()).values(
        "person_id"
    )
    return Person.objects.filter(pk__in=hidden).exclude(pk__in=opened)


def escalations_visible_to(user: AnyUser) -> QuerySet[Escalation]:
    """The escalations this user may open: those they raised, hold or held, or whose
    decision is questioned; and for social care staff, those about people they may see.
    A partner sees only the escalations they are part of, whatever the child."""
    from jigsaw.escalation.models import Escalation

    if role_of(user) is None:
        return Escalation.objects.none()
    uid = _user_id(user)
    involved = Q(raised_by_id=uid) | Q(respondent_id=uid) | Q(holder_id=uid) | Q(steps__holder_id=uid)
    condition = involved
    if role_of(user) in SOCIAL_CARE_ROLES:
        people = _visible_people_condition(user)
        if people is not None:
            from jigsaw.people.models import Person

            condition = condition | Q(person__in=Person.objects.filter(people))
    ids = Escalation.objects.filter(condition).values("pk")
    return Escalation.objects.filter(pk__in=ids)
