"""The only code that changes feedback from children and families.

Working Together to Safeguard Children asks agencies to listen to children and families and
to learn from what they say. A response is about one thing: a child protection conference
the child was the subject of, or the end of an episode of need (a closed referral). It is
given on paper (staff type it in: social care staff only) or through a single-use link
(the family answer themselves, without signing in). Either way it lands in the child's
chronology and in the access log; a response through a link is logged with no user and
the link's id. Staff then tag it with themes from a fixed list, version-checked, so the
partnership's report counts what families say.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import secrets

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for
from jigsaw.casework.actions.common import (
    EditConflict,
    acting_user,
    add_to_chronology,
    check_version,
    not_in_future,
)
from jigsaw.casework.models import ChildProtectionConference, ChronologyKind, ConferenceChild, Referral
from jigsaw.casework.queries import get_casework_for
from jigsaw.people.models import Person
from jigsaw.voice.models.feedback import (
    LINK_DAYS,
    QUESTIONS,
    Answer,
    FamilyFeedback,
    FeedbackLink,
    GivenBy,
    HowGiven,
    Theme,
)

__all__ = [
    "EditConflict",
    "FeedbackAnswers",
    "LinkNotUsable",
    "create_feedback_link",
    "give_feedback_by_link",
    "hash_token",
    "record_paper_feedback",
    "tag_themes",
    "usable_link",
    "withdraw_feedback_link",
]

# Free text is kept to what a page of a paper form holds.
TEXT_LIMIT = 2000


class LinkNotUsable(Exception):
    """The link was used already, has expired, was withdrawn, or never existed. The message
    says which, in words a family member can read."""


@dataclasses.dataclass(frozen=True)
class FeedbackAnswers:
    listened: str = ""
    understood: str = ""
    helped: str = ""
    went_well: str = ""
    could_be_better: str = ""


def hash_token(token: str) -> str:
    """What is stored of a link's secret: its SHA-256, so the database never holds a
    working link (the token has 256 bits of randomness, so no salt or stretching is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _answers_errors(answers: FeedbackAnswers) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, question in QUESTIONS:
        value = getattr(answers, field)
        if value and value not in Answer.values:
            errors[field] = f"Choose an answer to “{question}”"
    for field in ("went_well", "could_be_better"):
        if len(getattr(answers, field)) > TEXT_LIMIT:
            errors[field] = f"Write {TEXT_LIMIT} characters or fewer"
    nothing = not any(getattr(answers, f) for f, _ in QUESTIONS) and not (
        answers.went_well.strip() or answers.could_be_better.strip()
    )
    if nothing:
        errors["listened"] = "Answer at least one question, or write what went well or could be better"
    return errors


def _clean_themes(errors: dict[str, str], themes: list[str]) -> list[str]:
    if any(theme not in Theme.values for theme in themes):
        errors["themes"] = "Choose the themes from the list"
        return []
    return [str(theme) for theme in Theme.values if theme in themes]


def _occasion(
    errors: dict[str, str], person: Person, about: str
) -> tuple[ChildProtectionConference | None, Referral | None]:
    """The conference or closed episode `about` names ("conference:12", "episode:34"), if it
    is this child's; otherwise an error in the user's words."""
    kind, _, number = about.partition(":")
    if not number.isdigit():
        errors["about"] = "Choose what the feedback is about"
        return None, None
    if kind == "conference":
        attended = ConferenceChild.objects.filter(conference_id=int(number), referral__person=person)
        conference = ChildProtectionConference.objects.filter(
            pk=int(number), pk__in=attended.values("conference")
        )
        found = conference.first()
        if found is None:
            errors["about"] = "Choose one of this child's conferences"
        elif found.date > timezone.localdate():
            errors["about"] = "Feedback can be given only after the conference has happened"
        return found, None
    if kind == "episode":
        referral = Referral.objects.filter(pk=int(number), person=person).first()
        if referral is None:
            errors["about"] = "Choose one of this child's episodes"
        elif referral.closed_on is None:
            errors["about"] = "Feedback on our work is asked for when the episode has closed"
        return None, referral
    errors["about"] = "Choose what the feedback is about"
    return None, None


def _summary(feedback: FamilyFeedback) -> str:
    who = feedback.get_given_by_display()
    how = "on paper" if feedback.how == HowGiven.PAPER else "through a feedback link"
    return f"Feedback from {who[0].lower()}{who[1:]} ({how}): {feedback.about}"


def _detail(feedback: FamilyFeedback) -> str:
    labels = dict(Answer.choices)
    lines = [
        f"{question} {labels.get(getattr(feedback, field), 'Not answered')}" for field, question in QUESTIONS
    ]
    if feedback.went_well:
        lines.append(f"What went well: {feedback.went_well}")
    if feedback.could_be_better:
        lines.append(f"What could be better: {feedback.could_be_better}")
    return "\n".join(lines)


def _write(
    *,
    person: Person,
    conference: ChildProtectionConference | None,
    referral: Referral | None,
    given_by: str,
    how: str,
    given_on: datetime.date,
    answers: FeedbackAnswers,
    themes: list[str],
    user: User | None,
    link: FeedbackLink | None,
) -> FamilyFeedback:
    now = timezone.now()
    feedback = FamilyFeedback.objects.create(
        person=person,
        conference=conference,
        referral=referral,
        given_by=given_by,
        how=how,
        given_on=given_on,
        listened=answers.listened,
        understood=answers.understood,
        helped=answers.helped,
        went_well=answers.went_well.strip(),
        could_be_better=answers.could_be_better.strip(),
        themes=themes,
        themes_tagged_by=user if themes else None,
        themes_tagged_at=now if themes else None,
        link=link,
        recorded_by=user,
        recorded_at=now,
    )
    add_to_chronology(
        person=person,
        occurred_on=given_on,
        kind=ChronologyKind.CONFERENCE if conference is not None else ChronologyKind.CLOSURE,
        summary=_summary(feedback),
        detail=_detail(feedback),
        source=feedback,
        recorded_by=user,
        # A family's answer through a link has no user: it is filed under the agency of
        # the worker who gave them the link, as a paper form is under the one who typed it.
        agency_id=_agency_of(link.created_by) if user is None and link is not None else None,
    )
    return feedback


def _agency_of(user: User) -> int | None:
    practitioner = getattr(user, "practitioner", None)
    return practitioner.agency_id if practitioner is not None else None


@transaction.atomic
def record_paper_feedback(
    *,
    actor: AnyUser,
    person_id: int,
    about: str,
    given_by: str,
    given_on: datetime.date | None,
    answers: FeedbackAnswers,
    themes: list[str] | None = None,
) -> FamilyFeedback:
    """Type in a feedback form the child or family filled in on paper (social care staff)."""
    user = acting_user(actor, Permission.RECORD_FAMILY_FEEDBACK)
    person = get_person_for(actor, person_id, Permission.VIEW_CASEWORK)
    errors: dict[str, str] = {}
    conference, referral = _occasion(errors, person, about)
    if given_by not in GivenBy.values:
        errors["given_by"] = "Choose who gave the feedback"
    if given_on is None:
        errors["given_on"] = "Enter the date the form was filled in"
    not_in_future(errors, "given_on", given_on, "The date the form was filled in")
    errors |= _answers_errors(answers)
    cleaned = _clean_themes(errors, themes or [])
    if errors:
        raise ValidationError(errors)
    assert given_on is not None
    feedback = _write(
        person=person,
        conference=conference,
        referral=referral,
        given_by=given_by,
        how=HowGiven.PAPER,
        given_on=given_on,
        answers=answers,
        themes=cleaned,
        user=user,
        link=None,
    )
    record_access(
        user=user,
        action="record_family_feedback",
        record=feedback,
        detail={"how": feedback.how, "given_by": feedback.given_by, "themes": cleaned},
        subjects=[person],
    )
    return feedback


@transaction.atomic
def create_feedback_link(
    *, actor: AnyUser, person_id: int, about: str, given_by: str
) -> tuple[FeedbackLink, str]:
    """Make a single-use link for the child or a family member to give feedback, valid for
    28 days. Returns the link and its secret token: the token is shown to the member of
    staff once and never stored (only its hash is)."""
    user = acting_user(actor, Permission.RECORD_FAMILY_FEEDBACK)
    person = get_person_for(actor, person_id, Permission.VIEW_CASEWORK)
    errors: dict[str, str] = {}
    conference, referral = _occasion(errors, person, about)
    if given_by not in GivenBy.values:
        errors["given_by"] = "Choose who the link is for"
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = FeedbackLink.objects.create(
        person=person,
        conference=conference,
        referral=referral,
        given_by=given_by,
        token_hash=hash_token(token),
        created_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=LINK_DAYS),
    )
    record_access(
        user=user,
        action="create_feedback_link",
        record=link,
        detail={"given_by": given_by, "expires_at": link.expires_at.isoformat()},
        subjects=[person],
    )
    return link, token


@transaction.atomic
def withdraw_feedback_link(*, actor: AnyUser, link_id: int, expected_version: int) -> FeedbackLink:
    """Stop a link working (given to the wrong person, or no longer wanted). A used link
    cannot be withdrawn: its response is already part of the record."""
    user = acting_user(actor, Permission.RECORD_FAMILY_FEEDBACK)
    link = get_casework_for(
        actor, FeedbackLink.objects.select_for_update().select_related("person"), link_id, "person"
    )
    check_version(link, expected_version, "feedback link")
    if link.used_at is not None:
        raise ValidationError("The family have already used this link, so it cannot be withdrawn")
    if link.withdrawn_at is not None:
        raise ValidationError("This link has already been withdrawn")
    link.withdrawn_at = timezone.now()
    link.withdrawn_by = user
    link.save(update_fields=["withdrawn_at", "withdrawn_by", "version"])
    record_access(user=user, action="withdraw_feedback_link", record=link, subjects=[link.person])
    return link


def _unusable_reason(link: FeedbackLink | None, now: datetime.datetime) -> str | None:
    if link is None:
        return "This link does not work. Check you copied all of it, or ask your social worker for a new one."
    if link.used_at is not None:
        return "This link has already been used to give feedback. Thank you: each link works once."
    if link.withdrawn_at is not None:
        return (
            "This link has been cancelled. Ask your social worker if you would still like to give feedback."
        )
    if now >= link.expires_at:
        return "This link has expired. Ask your social worker for a new one if you would still like to give feedback."
    return None


def usable_link(token: str) -> FeedbackLink:
    """The link a token opens, if it can still be used; LinkNotUsable (with the reason in
    a family's words) otherwise. Reads only: nothing is spent by looking."""
    link = (
        FeedbackLink.objects.select_related("person", "conference", "referral")
        .filter(token_hash=hash_token(token))
        .first()
    )
    reason = _unusable_reason(link, timezone.now())
    if reason is not None:
        raise LinkNotUsable(reason)
    assert link is not None
    return link


@transaction.atomic
def give_feedback_by_link(*, token: str, answers: FeedbackAnswers) -> FamilyFeedback:
    """The family's answers through their link: accepted once, and the link is then spent.
    Nobody is signed in, so the access log row has no user and names the link."""
    link = FeedbackLink.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    now = timezone.now()
    reason = _unusable_reason(link, now)
    if reason is not None:
        raise LinkNotUsable(reason)
    assert link is not None
    errors = _answers_errors(answers)
    if errors:
        raise ValidationError(errors)
    link.used_at = now
    link.save(update_fields=["used_at"])
    person = Person.objects.get(pk=link.person_id)
    feedback = _write(
        person=person,
        conference=link.conference,
        referral=link.referral,
        given_by=link.given_by,
        how=HowGiven.LINK,
        given_on=timezone.localdate(now),
        answers=answers,
        themes=[],
        user=None,
        link=link,
    )
    record_access(
        user=None,
        action="give_family_feedback_by_link",
        record=feedback,
        detail={"link": link.pk, "given_by": link.given_by},
        subjects=[person],
    )
    return feedback


@transaction.atomic
def tag_themes(
    *, actor: AnyUser, feedback_id: int, expected_version: int, themes: list[str]
) -> FamilyFeedback:
    """Tag a response with themes from the fixed list (or change its tags), so the
    partnership's report can count what families say."""
    user = acting_user(actor, Permission.RECORD_FAMILY_FEEDBACK)
    feedback = get_casework_for(
        actor, FamilyFeedback.objects.select_for_update().select_related("person"), feedback_id, "person"
    )
    errors: dict[str, str] = {}
    cleaned = _clean_themes(errors, themes)
    if errors:
        raise ValidationError(errors)
    check_version(feedback, expected_version, "feedback")
    before = list(feedback.themes)
    feedback.themes = cleaned
    feedback.themes_tagged_by = user
    feedback.themes_tagged_at = timezone.now()
    feedback.save(update_fields=["themes", "themes_tagged_by", "themes_tagged_at", "version"])
    record_access(
        user=user,
        action="tag_family_feedback",
        record=feedback,
        detail={"before": before, "after": cleaned},
        subjects=[feedback.person],
    )
    return feedback
