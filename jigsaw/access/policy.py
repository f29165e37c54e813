"""The one access policy. Every view and API endpoint asks it; nothing else decides.

Two questions, one rule:
- `has_permission(user, permission)`: may this user do this kind of thing at all?
- `people_visible_to(user)`: which people may this user see? Detail pages fetch through
  the same queryset (`get_person_for`), so a list can never show what a page would refuse,
  and a missing record and a forbidden one both answer 404.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from jigsaw.access.roles import SOCIAL_CARE_ROLES, Role

if TYPE_CHECKING:
    from jigsaw.people.models import Person

AnyUser = AbstractBaseUser | AnonymousUser


class Permission(enum.StrEnum):
    FIND_PEOPLE = "people.find"
    VIEW_PERSON = "people.view"
    CREATE_PERSON = "people.create"
    CHANGE_PERSON = "people.change"
    ADMINISTER = "site.administer"
    VIEW_ACCESS_LOG = "access.view_log"


_SOCIAL_CARE_READ = {Permission.FIND_PEOPLE, Permission.VIEW_PERSON}
_SOCIAL_CARE_WRITE = _SOCIAL_CARE_READ | {Permission.CREATE_PERSON, Permission.CHANGE_PERSON}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SOCIAL_WORKER: frozenset(_SOCIAL_CARE_WRITE),
    Role.TEAM_MANAGER: frozenset(_SOCIAL_CARE_WRITE),
    Role.FRONT_DOOR_OFFICER: frozenset(_SOCIAL_CARE_WRITE),
    # The chair reads the records of the children whose conferences they chair.
    Role.CONFERENCE_CHAIR: frozenset(_SOCIAL_CARE_READ),
    # Partners see flag answers and their own concerns, not the index (see the partners app).
    Role.PARTNER_PRACTITIONER: frozenset(),
    # Analysts and partnership members work with figures, not with individual children.
    Role.PERFORMANCE_ANALYST: frozenset(),
    Role.PARTNERSHIP_MEMBER: frozenset(),
    Role.ADMINISTRATOR: frozenset({Permission.ADMINISTER, Permission.VIEW_ACCESS_LOG}),
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


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """The people this user may see: social care staff see the authority's person index."""
    from jigsaw.people.models import Person

    role = role_of(user)
    if role in SOCIAL_CARE_ROLES and has_permission(user, Permission.VIEW_PERSON):
        return Person.objects.all()
    return Person.objects.none()


def get_person_for(user: AnyUser, pk: int, permission: Permission = Permission.VIEW_PERSON) -> Person:
    """Fetch and authorise in one step; missing and forbidden both raise Http404."""
    from jigsaw.people.models import Person

    if not has_permission(user, permission):
        raise Http404("No such person")
    try:
        return people_visible_to(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None
