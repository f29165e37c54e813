"""The voice of children and families in the demo authority.

`write_voice` runs after the casework (it needs the held conferences and closed episodes).
Over the last 18 months, most held conferences have an advocate record (the parents offered
an advocate at most, one there at about half of those, and always where the casework
invited the parents' advocate); a good share of conferences and of closed episodes have
feedback from a parent or an older child, on paper (typed in by the social worker, themes
tagged as it is entered) or through a link (tagged afterwards by the worker, a few not yet).
A few links are still waiting for an answer, and one has expired unanswered.

Everything is written through the voice app's actions, as the allocated worker or the
chair. A family's answer through a link is dated by the actions with today, so the demo
moves it (and its link and chronology entry) back to when the family would have answered.
Answers and comments are synthetic; the same seed on the same day gives the same feedback.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.access.models import RestrictedRecord
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.roles import Role
from jigsaw.casework.models import (
    ChildProtectionConference,
    ChronologyEntry,
    ConferenceChild,
    ConferenceInvitation,
    FamilyRole,
    Referral,
)
from jigsaw.voice.actions import advocacy as advocacy_actions
from jigsaw.voice.actions import feedback as feedback_actions
from jigsaw.voice.models.advocacy import AdvocacyRecord
from jigsaw.voice.models.feedback import LINK_DAYS, FamilyFeedback, FeedbackLink

HISTORY_DAYS = 540
ADVOCACY_RECORDED = 0.85
ADVOCATE_OFFERED = 0.7
ADVOCATE_CAME = 0.5
CONFERENCE_FEEDBACK = 0.4
EPISODE_FEEDBACK = 0.25
BY_LINK = 0.4
TAGGED = 0.85
LINKS_WAITING = 4
ADVOCACY_SERVICE = "Riverford Family Advocacy"
ADVOCATES = ["Jo Okafor", "Sam Whitfield", "Priya Nair", ""]

# (what the family wrote, the theme it raises)
WENT_WELL = [
    ("The chair made sure I could say what I thought", "felt_listened_to"),
    ("The advocate helped me get my words out", "advocate_helped"),
    ("My social worker went through the plan with me before the meeting", "understood_plan"),
    ("The family support worker made a real difference at home", "support_helped"),
    ("They asked me what I wanted to happen", "felt_listened_to"),
    ("", ""),
]
COULD_BE_BETTER = [
    ("There were too many people I didn't know in the room", "too_many_people"),
    ("I got the reports the night before", "reports_late"),
    ("It went on for nearly three hours", "meeting_too_long"),
    ("Lots of words I didn't understand", "jargon"),
    ("I have had four social workers this year", "worker_changes"),
    ("We were told about the meeting two days before", "not_enough_notice"),
    ("", ""),
]
# Weights of yes / a bit / no / not answered for each question.
ANSWER_WEIGHTS = {
    "listened": (60, 25, 10, 5),
    "understood": (55, 30, 10, 5),
    "helped": (45, 35, 12, 8),
}


@dataclasses.dataclass
class VoiceCounts:
    advocacy_records: int = 0
    advocate_offered: int = 0
    advocate_attended: int = 0
    conference_feedback: int = 0
    episode_feedback: int = 0
    on_paper: int = 0
    by_link: int = 0
    tagged: int = 0
    links_waiting: int = 0
    links_expired: int = 0

    def summary(self) -> str:
        return (
            f"Voice of children and families: {self.advocacy_records} conferences with an advocate record "
            f"({self.advocate_offered} offered, {self.advocate_attended} attended); feedback on "
            f"{self.conference_feedback} conferences and {self.episode_feedback} closed episodes "
            f"({self.on_paper} on paper, {self.by_link} by link, {self.tagged} tagged); "
            f"{self.links_waiting} links waiting, {self.links_expired} expired."
        )


def _answers(rng: random.Random) -> tuple[feedback_actions.FeedbackAnswers, list[str]]:
    """Synthetic answers, and the themes a worker reading them would tag."""
    picked = {
        field: rng.choices(["yes", "partly", "no", ""], weights=weights)[0]
        for field, weights in ANSWER_WEIGHTS.items()
    }
    went_well, good_theme = rng.choice(WENT_WELL)
    better, bad_theme = rng.choice(COULD_BE_BETTER)
    themes = {t for t in (good_theme, bad_theme) if t}
    if picked["listened"] == "yes":
        themes.add("felt_listened_to")
    elif picked["listened"] == "no":
        themes.add("not_listened_to")
    if picked["understood"] == "yes":
        themes.add("understood_plan")
    if not themes:
        themes.add("other")
    answers = feedback_actions.FeedbackAnswers(
        listened=picked["listened"],
        understood=picked["understood"],
        helped=picked["helped"],
        went_well=went_well,
        could_be_better=better,
    )
    if not any(dataclasses.astuple(answers)):
        answers = dataclasses.replace(answers, listened="yes")
    return answers, sorted(themes)


def _worker(referral: Referral, fallback: User) -> User:
    worker = referral.allocated_worker
    if worker is not None and has_permission(worker, Permission.RECORD_FAMILY_FEEDBACK):
        return worker
    return fallback


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def write_voice(*, seed: int, today: datetime.date) -> VoiceCounts:
    counts = VoiceCounts()
    rng = random.Random(seed + 41)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    fallback = (
        User.objects.filter(practitioner__role=Role.SOCIAL_WORKER, is_active=True).order_by("pk").first()
    )
    if fallback is None:
        return counts
    since = today - datetime.timedelta(days=HISTORY_DAYS)
    # A restricted child's record opens only for those named on it: no feedback is made up
    # for them (their conferences still have advocate records, which name no child).
    restricted = set(RestrictedRecord.objects.values_list("person_id", flat=True))
    with transaction.atomic():
        conferences = list(
            ChildProtectionConference.objects.filter(held=True, date__gte=since, date__lte=today)
            .select_related("chair")
            .order_by("date", "pk")
        )
        for conference in conferences:
            _advocacy(counts, rng, conference, fallback)
            if rng.random() < CONFERENCE_FEEDBACK:
                _conference_feedback(counts, rng, conference, fallback, today, restricted)
        closed = (
            Referral.objects.filter(closed_on__gte=since, closed_on__lte=today)
            .exclude(person_id__in=restricted)
            .select_related("person", "allocated_worker")
        )
        for referral in closed.order_by("closed_on", "pk"):
            if rng.random() < EPISODE_FEEDBACK:
                _episode_feedback(counts, rng, referral, fallback, today)
        _links_waiting(counts, rng, conferences, fallback, today, restricted)
    return counts


def _advocacy(
    counts: VoiceCounts, rng: random.Random, conference: ChildProtectionConference, fallback: User
) -> None:
    invited = (
        ConferenceInvitation.objects.filter(conference=conference, family_role=FamilyRole.ADVOCATE)
        .select_related("agency")
        .first()
    )
    if invited is None and rng.random() >= ADVOCACY_RECORDED:
        return
    offered = invited is not None or rng.random() < ADVOCATE_OFFERED
    attended = invited is not None or (offered and rng.random() < ADVOCATE_CAME)
    chair = conference.chair
    actor = (
        chair if chair is not None and has_permission(chair, Permission.RECORD_FAMILY_FEEDBACK) else fallback
    )
    organisation = (
        invited.agency.name if invited is not None and invited.agency is not None else ADVOCACY_SERVICE
    )
    advocacy_actions.record_advocacy(
        actor=actor,
        conference_id=conference.pk,
        expected_version=None,
        offered=offered,
        attended=attended,
        advocate_name=rng.choice(ADVOCATES) if attended else "",
        organisation=organisation if attended else "",
    )
    counts.advocacy_records += 1
    counts.advocate_offered += offered
    counts.advocate_attended += attended


def _give(
    counts: VoiceCounts,
    rng: random.Random,
    *,
    worker: User,
    person_id: int,
    about: str,
    given_by: str,
    given_on: datetime.date,
) -> None:
    """One response, on paper or through a link, tagged now, later or not yet."""
    answers, themes = _answers(rng)
    tag = rng.random() < TAGGED
    if rng.random() >= BY_LINK:
        feedback_actions.record_paper_feedback(
            actor=worker,
            person_id=person_id,
            about=about,
            given_by=given_by,
            given_on=given_on,
            answers=answers,
            themes=themes if tag else [],
        )
        counts.on_paper += 1
        counts.tagged += tag
        return
    link, token = feedback_actions.create_feedback_link(
        actor=worker, person_id=person_id, about=about, given_by=given_by
    )
    feedback = feedback_actions.give_feedback_by_link(token=token, answers=answers)
    # The actions date the answer today; the family answered on `given_on`.
    made = _at(given_on - datetime.timedelta(days=rng.randint(1, 5)), 10)
    FeedbackLink.objects.filter(pk=link.pk).update(
        created_at=made, expires_at=made + datetime.timedelta(days=LINK_DAYS), used_at=_at(given_on, 19)
    )
    FamilyFeedback.objects.filter(pk=feedback.pk).update(given_on=given_on)
    ChronologyEntry.objects.filter(source_type="voice.familyfeedback", source_id=str(feedback.pk)).update(
        occurred_on=given_on
    )
    counts.by_link += 1
    if tag:
        feedback_actions.tag_themes(
            actor=worker, feedback_id=feedback.pk, expected_version=feedback.version, themes=themes
        )
        counts.tagged += 1


def _given_by(rng: random.Random, age: int) -> str:
    if age >= 10 and rng.random() < 0.35:
        return "child"
    return rng.choices(["parent", "carer", "other_family"], weights=(80, 12, 8))[0]


def _conference_feedback(
    counts: VoiceCounts,
    rng: random.Random,
    conference: ChildProtectionConference,
    fallback: User,
    today: datetime.date,
    restricted: set[int],
) -> None:
    attending = _first_child(conference)
    if attending is None or attending.referral.person_id in restricted:
        return
    referral = attending.referral
    person = referral.person
    given_on = min(today, conference.date + datetime.timedelta(days=rng.randint(0, 14)))
    age = person.age_on(conference.date) or 0
    _give(
        counts,
        rng,
        worker=_worker(referral, fallback),
        person_id=person.pk,
        about=f"conference:{conference.pk}",
        given_by=_given_by(rng, age),
        given_on=given_on,
    )
    counts.conference_feedback += 1


def _episode_feedback(
    counts: VoiceCounts, rng: random.Random, referral: Referral, fallback: User, today: datetime.date
) -> None:
    assert referral.closed_on is not None
    person = referral.person
    given_on = min(today, referral.closed_on + datetime.timedelta(days=rng.randint(0, 21)))
    age = person.age_on(referral.closed_on) or 0
    _give(
        counts,
        rng,
        worker=_worker(referral, fallback),
        person_id=person.pk,
        about=f"episode:{referral.pk}",
        given_by=_given_by(rng, age),
        given_on=given_on,
    )
    counts.episode_feedback += 1


def _first_child(conference: ChildProtectionConference) -> ConferenceChild | None:
    return (
        ConferenceChild.objects.filter(conference=conference)
        .select_related("referral__person", "referral__allocated_worker")
        .order_by("pk")
        .first()
    )


def _links_waiting(
    counts: VoiceCounts,
    rng: random.Random,
    conferences: list[ChildProtectionConference],
    fallback: User,
    today: datetime.date,
    restricted: set[int],
) -> None:
    """Links given after the latest conferences, not answered yet; and one given after an
    older conference that expired unanswered."""
    answered = set(
        FamilyFeedback.objects.filter(conference__isnull=False).values_list("conference_id", flat=True)
    )
    unanswered = [c for c in conferences if c.pk not in answered]
    recent = [c for c in unanswered if c.date >= today - datetime.timedelta(days=14)][-LINKS_WAITING:]
    older = [c for c in unanswered if c.date < today - datetime.timedelta(days=LINK_DAYS + 14)]
    expired = rng.choice(older) if older else None
    for conference in [*recent, *([expired] if expired is not None else [])]:
        attending = _first_child(conference)
        if attending is None or attending.referral.person_id in restricted:
            continue
        link, _ = feedback_actions.create_feedback_link(
            actor=_worker(attending.referral, fallback),
            person_id=attending.referral.person_id,
            about=f"conference:{conference.pk}",
            given_by="parent",
        )
        if conference is expired:
            made = _at(conference.date + datetime.timedelta(days=2), 11)
            FeedbackLink.objects.filter(pk=link.pk).update(
                created_at=made, expires_at=made + datetime.timedelta(days=LINK_DAYS)
            )
            counts.links_expired += 1
        else:
            counts.links_waiting += 1


def delete_voice() -> None:
    """Delete the feedback, links and advocate records and the feedback's chronology entries
    (they protect the people, conferences, referrals and staff)."""
    ChronologyEntry.objects.filter(source_type=FamilyFeedback._meta.label_lower).delete()
    FamilyFeedback.objects.all().delete()
    FeedbackLink.objects.all().delete()
    AdvocacyRecord.objects.all().delete()
