"""Reads for the flag check (issue 5, item 3): what a confirmed child's flag is, whom to
call about them, the front door's numbers, and an asker's own checks.

The answer a partner sees is deliberately small: the kind of flag, its start date and who
to call. Nothing here returns a child's address, other names or the category of abuse.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.access.roles import Role
from jigsaw.casework.models import ChildProtectionPlan, LookedAfterEpisode, Referral
from jigsaw.partners.models import Agency, AgencyKind, FlagAnswer, FlagCheck, Practitioner
from jigsaw.people.models import Person
from jigsaw.people.normalise import format_nhs_number
from jigsaw.workforce.models import Team

# The answers that tell the asker the child is open to social care (and tell the worker).
FLAGGED = frozenset({FlagAnswer.CHILD_PROTECTION_PLAN, FlagAnswer.LOOKED_AFTER, FlagAnswer.PRE_BIRTH_PLAN})

RECENT_CHECKS_SHOWN = 20


@dataclasses.dataclass(frozen=True)
class FlagStatus:
    """A child's flag on a day: the answer, since when, and the referral holding the work."""

    answer: FlagAnswer
    since: datetime.date
    referral: Referral | None


@dataclasses.dataclass(frozen=True)
class WhoToCall:
    worker_name: str
    worker_phone: str
    team_name: str
    office_hours: str
    out_of_hours: str


@dataclasses.dataclass(frozen=True)
class FrontDoor:
    office_hours: str
    out_of_hours: str


@dataclasses.dataclass(frozen=True)
class FlagAnswerPage:
    """What the answer page shows for one check: no more than the issue allows."""

    check: FlagCheck
    asked_about: str
    status: FlagStatus | None
    who_to_call: WhoToCall | None
    front_door: FrontDoor

    @property
    def flagged(self) -> bool:
        return self.check.answer in FLAGGED

    @property
    def headline(self) -> str:
        """The answer as given, with its start: "On a child protection plan since 3 March 2026"."""
        words = ANSWER_WORDS[self.check.answer]
        return f"{words} since {self.status.since:%-d %B %Y}" if self.status is not None else words


def _open_on(day: datetime.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


_FlagEpisode = TypeVar("_FlagEpisode", ChildProtectionPlan, LookedAfterEpisode)


def _latest_open(model: type[_FlagEpisode], person: Person, on: datetime.date) -> _FlagEpisode | None:
    """The child's newest plan or looked-after episode open on `on`, with no more of its
    referral than the answer needs."""
    return (
        model.objects.filter(_open_on(on), person_id=person.pk)
        .select_related("referral")
        .only(
            "started_on",
            "referral__id",
            "referral__closed_on",
            "referral__team_id",
            "referral__allocated_worker_id",
        )
        .order_by("-started_on", "-pk")
        .first()
    )


def flag_status(person: Person, *, on: datetime.date) -> FlagStatus | None:
    """The child's flag on `on`: a child protection plan (a pre-birth plan for an unborn
    child) before looked after; None when neither is open."""
    plan = _latest_open(ChildProtectionPlan, person, on)
    if plan is not None:
        answer = FlagAnswer.PRE_BIRTH_PLAN if person.is_unborn else FlagAnswer.CHILD_PROTECTION_PLAN
        return FlagStatus(answer, plan.started_on, _current_referral(person, plan.referral))
    episode = _latest_open(LookedAfterEpisode, person, on)
    if episode is not None:
        return FlagStatus(
            FlagAnswer.LOOKED_AFTER, episode.started_on, _current_referral(person, episode.referral)
        )
    return None


def _current_referral(person: Person, referral: Referral | None) -> Referral | None:
    """The referral whose worker holds the child now: the plan's own while it is open,
    else the child's newest open one (the plan may outlive the episode that made it)."""
    if referral is not None and referral.closed_on is None:
        return referral
    newest = Referral.objects.filter(person_id=person.pk, closed_on__isnull=True).order_by(
        "-referred_on", "-pk"
    )
    return newest.first() or referral


def childrens_social_care() -> Agency | None:
    return Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE).order_by("pk").first()


def front_door_team() -> Team | None:
    """The team the front door officers work in."""
    return (
        Team.objects.filter(members__role=Role.FRONT_DOOR_OFFICER)
        .select_related("agency")
        .order_by("pk")
        .distinct()
        .first()
    )


def front_door() -> FrontDoor:
    """The numbers to call when a check cannot confirm who the child is."""
    team = front_door_team()
    agency = team.agency if team is not None else childrens_social_care()
    office = (team.phone if team is not None else "") or (agency.phone if agency is not None else "")
    return FrontDoor(
        office_hours=office, out_of_hours=agency.out_of_hours_phone if agency is not None else ""
    )


def who_to_call(referral: Referral | None) -> WhoToCall:
    """The allocated worker, their team and the office-hours and out-of-hours numbers."""
    csc = childrens_social_care()
    worker = None
    team = None
    if referral is not None:
        if referral.allocated_worker_id is not None:
            worker = (
                Practitioner.objects.filter(user_id=referral.allocated_worker_id)
                .only("full_name", "phone", "user_id")
                .first()
            )
        if referral.team_id is not None:
            team = Team.objects.select_related("agency").filter(pk=referral.team_id).first()
    agency = team.agency if team is not None else csc
    worker_name = ""
    if worker is not None:
        worker_name = worker.full_name
    elif referral is not None and referral.allocated_worker_id is not None:
        user = User.objects.filter(pk=referral.allocated_worker_id).first()
        worker_name = (user.get_full_name() or user.username) if user is not None else ""
    office = (team.phone if team is not None else "") or (agency.phone if agency is not None else "")
    out_of_hours = (agency.out_of_hours_phone if agency is not None else "") or (
        csc.out_of_hours_phone if csc is not None else ""
    )
    return WhoToCall(
        worker_name=worker_name,
        worker_phone=worker.phone if worker is not None else "",
        team_name=team.name if team is not None else "",
        office_hours=office or front_door().office_hours,
        out_of_hours=out_of_hours,
    )


# --- Rate limits -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChecksLeft:
    this_hour: int
    today: int

    @property
    def any(self) -> bool:
        return self.this_hour > 0 and self.today > 0


def checks_left(user: AnyUser, *, now: datetime.datetime | None = None) -> ChecksLeft:
    """How many more checks the user may make now. Counted from the FlagCheck table, so
    the limit holds however many servers answer; refused checks do not count, so a user
    turned away gets service again when the hour (or day) has passed."""
    now = now or timezone.now()
    counts = FlagCheck.objects.filter(
        asked_by_id=user.pk, asked_at__gt=now - datetime.timedelta(hours=24)
    ).aggregate(
        day=Count("pk", filter=~Q(answer=FlagAnswer.REFUSED)),
        hour=Count(
            "pk", filter=Q(asked_at__gt=now - datetime.timedelta(hours=1)) & ~Q(answer=FlagAnswer.REFUSED)
        ),
    )
    return ChecksLeft(
        this_hour=max(0, settings.JIGSAW_FLAG_CHECKS_PER_HOUR - int(counts["hour"] or 0)),
        today=max(0, settings.JIGSAW_FLAG_CHECKS_PER_DAY - int(counts["day"] or 0)),
    )


# --- The asker's own checks --------------------------------------------------------------


def checks_of(user: AnyUser) -> QuerySet[FlagCheck]:
    """The user's own checks, newest first: nobody else's, and none for a user who may not check."""
    if not has_permission(user, Permission.CHECK_FLAG):
        return FlagCheck.objects.none()
    return FlagCheck.objects.filter(asked_by_id=user.pk).order_by("-asked_at", "-pk")


# How each answer reads to the asker. "Not known" is not "safe": no flag found says only
# that Jigsaw holds no plan for a child with these details.
ANSWER_WORDS: dict[str, str] = {
    FlagAnswer.CHILD_PROTECTION_PLAN: "On a child protection plan",
    FlagAnswer.LOOKED_AFTER: "Looked after",
    FlagAnswer.PRE_BIRTH_PLAN: "Unborn, with a pre-birth child protection plan",
    FlagAnswer.NO_FLAG: "Not known to be on a plan or looked after",
    FlagAnswer.CANNOT_CONFIRM: "Cannot confirm: call the front door",
    FlagAnswer.REFUSED: "Not checked: too many checks",
}


@dataclasses.dataclass(frozen=True)
class CheckRow:
    check: FlagCheck
    answer: str
    asked_about: str


def _asked_about(check: FlagCheck) -> str:
    """The child as the asker described them (their own words, nothing from the record)."""
    parts = []
    if check.nhs_number:
        parts.append(f"NHS number {format_nhs_number(check.nhs_number)}")
    name = f"{check.given_name} {check.family_name}".strip()
    if name:
        parts.append(name)
    if check.date_of_birth:
        parts.append(f"born {check.date_of_birth:%-d %b %Y}")
    return ", ".join(parts)


def recent_checks(user: AnyUser, *, limit: int = RECENT_CHECKS_SHOWN) -> list[CheckRow]:
    """The user's newest checks, each with its answer as the asker was told it."""
    return [CheckRow(c, ANSWER_WORDS[c.answer], _asked_about(c)) for c in checks_of(user)[:limit]]


def get_check_for(user: AnyUser, pk: int) -> FlagCheck:
    """Fetch and authorise in one step: only the asker's own check; missing and someone
    else's both raise Http404."""
    try:
        return checks_of(user).select_related("person").get(pk=pk)
    except FlagCheck.DoesNotExist:
        raise Http404("No such flag check") from None


def answer_page(check: FlagCheck) -> FlagAnswerPage:
    """The answer as the asker saw it: the flag on the day of the check, and who to call now
    (a worker may have changed since; the number to ring is today's)."""
    status = None
    if check.answer in FLAGGED and check.person is not None:
        status = flag_status(check.person, on=timezone.localtime(check.asked_at).date())
    return FlagAnswerPage(
        check=check,
        asked_about=_asked_about(check),
        status=status,
        who_to_call=who_to_call(status.referral if status is not None else None)
        if check.answer in FLAGGED
        else None,
        front_door=front_door(),
    )


# --- For the data protection officer ---------------------------------------------------------

REFUSALS_SHOWN = 200


def refused_checks(user: AnyUser, *, limit: int = REFUSALS_SHOWN) -> QuerySet[AccessLogEntry]:
    """Flag checks refused for being over the limit, newest first, from the access log (who,
    from which agency, when and why): a user fishing for children shows here. Only for
    those who review access."""
    if not has_permission(user, Permission.REVIEW_ACCESS):
        return AccessLogEntry.objects.none()
    return (
        AccessLogEntry.objects.filter(action="flag_check_refused")
        .select_related("user", "user__practitioner", "user__practitioner__agency")
        .order_by("-at", "-id")[:limit]
    )
