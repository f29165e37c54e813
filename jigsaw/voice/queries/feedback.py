"""Reading a child's feedback: what can be asked about (their conferences and closed
episodes), the responses given, the links waiting for an answer, and the advocate records
of their conferences. Fetched through the casework rule, so only those who may see the
child's casework see any of it."""

from __future__ import annotations

import dataclasses
import datetime

from django.utils import timezone

from jigsaw.access.policy import AnyUser
from jigsaw.casework.models import ChildProtectionConference, Referral
from jigsaw.casework.queries import casework_visible_to, get_casework_for
from jigsaw.people.models import Person
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.models.feedback import FamilyFeedback, FeedbackLink, describe_conference, describe_episode


def occasion_choices(person: Person, *, today: datetime.date) -> list[tuple[str, str]]:
    """What a child's or family's feedback can be about: the child's conferences that have
    happened and their closed episodes, newest first ("conference:12", "episode:34")."""
    conferences = ChildProtectionConference.objects.filter(
        children__referral__person=person, date__lte=today
    ).order_by("-date", "-pk")
    episodes = Referral.objects.filter(person=person, closed_on__isnull=False).order_by("-closed_on", "-pk")
    return [
        *((f"conference:{c.pk}", describe_conference(c)) for c in conferences.distinct()),
        *((f"episode:{r.pk}", describe_episode(r)) for r in episodes),
    ]


@dataclasses.dataclass(frozen=True)
class ConferenceAdvocacy:
    conference: ChildProtectionConference
    record: AdvocacyRecord | None


@dataclasses.dataclass(frozen=True)
class ChildFeedback:
    responses: list[FamilyFeedback]
    links: list[tuple[FeedbackLink, str]]
    conferences: list[ConferenceAdvocacy]


def child_feedback(user: AnyUser, person: Person) -> ChildFeedback:
    """Everything the child's feedback page shows (the caller has checked the user may see
    the child's casework; the querysets check again)."""
    responses = casework_visible_to(
        user,
        FamilyFeedback.objects.filter(person=person).select_related(
            "conference", "referral", "recorded_by", "themes_tagged_by"
        ),
        "person",
    )
    now = timezone.now()
    links = casework_visible_to(
        user,
        FeedbackLink.objects.filter(person=person).select_related("conference", "referral", "created_by"),
        "person",
    )
    conferences = (
        ChildProtectionConference.objects.filter(children__referral__person=person)
        .select_related("advocacy")
        .order_by("-date", "-pk")
        .distinct()
    )
    return ChildFeedback(
        responses=list(responses),
        links=[(link, link.state_on(now)) for link in links],
        conferences=[
            ConferenceAdvocacy(conference=c, record=getattr(c, "advocacy", None)) for c in conferences
        ],
    )


def get_feedback_for(user: AnyUser, pk: int) -> FamilyFeedback:
    """One response, if the user may see the child's casework; missing and forbidden both 404."""
    return get_casework_for(
        user,
        FamilyFeedback.objects.select_related(
            "person", "conference", "referral", "recorded_by", "themes_tagged_by", "link"
        ),
        pk,
        "person",
    )


def get_link_for(user: AnyUser, pk: int) -> FeedbackLink:
    return get_casework_for(
        user, FeedbackLink.objects.select_related("person", "conference", "referral"), pk, "person"
    )


def advocacy_of(conference: ChildProtectionConference) -> AdvocacyRecord | None:
    return AdvocacyRecord.objects.filter(conference=conference).select_related("recorded_by").first()
