"""Children missing from home or care: the report, the return and the return interview
("Children who run away or go missing from home or care", DfE 2014). Each step is written
into the child's chronology; the 72-hour clock of the return interview starts at the return."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for
from jigsaw.casework.actions.common import acting_user, add_to_chronology, check_version
from jigsaw.casework.models import (
    EXPLOITATION_FACTORS,
    RETURN_INTERVIEW_WINDOW,
    ChronologyKind,
    InterviewResponse,
    LookedAfterEpisode,
    MissingEpisode,
    MissingKind,
)
from jigsaw.casework.queries import get_casework_for
from jigsaw.partners.models import Practitioner

FUTURE = "{what} must be now or in the past"


def _when(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %-d %B %Y}"


def _practitioner(errors: dict[str, str], field: str, practitioner_id: int | None) -> Practitioner | None:
    if practitioner_id is None:
        return None
    found = Practitioner.objects.select_related("agency").filter(pk=practitioner_id).first()
    if found is None:
        errors[field] = "Choose the practitioner from the list"
    return found


def _clean_risks(errors: dict[str, str], codes: list[str]) -> list[str]:
    allowed = [str(code) for code in EXPLOITATION_FACTORS]
    if any(code not in allowed for code in codes):
        errors["risk_factors"] = "Choose the concerns from the list"
        return []
    return [code for code in allowed if code in codes]


def _looked_after_on(person_id: int, day: datetime.date) -> LookedAfterEpisode | None:
    """The looked-after episode the child was in on `day`, if any."""
    return (
        LookedAfterEpisode.objects.filter(person_id=person_id, started_on__lte=day)
        .exclude(ended_on__lt=day)
        .order_by("-started_on")
        .first()
    )


def _locked_episode(actor: AnyUser, episode_id: int) -> MissingEpisode:
    return get_casework_for(
        actor, MissingEpisode.objects.select_for_update().select_related("person"), episode_id, "person"
    )


@transaction.atomic
def report_missing(
    *,
    actor: AnyUser,
    person_id: int,
    kind: str,
    reported_at: datetime.datetime,
    reported_by_id: int | None,
    reported_by_other: str,
    police_reference: str,
    risk_factors: list[str],
    circumstances: str = "",
) -> MissingEpisode:
    """Record that a child has been reported missing. "Missing from care" only for a child
    who was looked after when reported (the statutory guidance treats the two differently:
    the responsible authority, the placement and the independent reviewing officer are told).
    One open episode per child: a child cannot go missing twice at once."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    person = get_person_for(actor, person_id, Permission.VIEW_CASEWORK)
    errors: dict[str, str] = {}
    if kind not in MissingKind.values:
        errors["kind"] = "Choose whether the child is missing from home or from care"
    if reported_at > timezone.now():
        errors["reported_on"] = FUTURE.format(what="The time the child was reported missing")
    looked_after = None
    if kind == MissingKind.FROM_CARE:
        looked_after = _looked_after_on(person.pk, timezone.localdate(reported_at))
        if looked_after is None:
            errors["kind"] = (
                f"{person.full_name} was not looked after then: choose “missing from home”, "
                "or record the looked-after episode first"
            )
    reporter = _practitioner(errors, "reported_by", reported_by_id)
    other = reported_by_other.strip()
    if reporter is None and not other and "reported_by" not in errors:
        errors["reported_by"] = "Choose the professional who reported it, or say who did"
    risks = _clean_risks(errors, risk_factors)
    still_missing = (
        MissingEpisode.objects.select_for_update().filter(person=person, returned_at__isnull=True).first()
    )
    if still_missing is not None:
        errors["kind"] = (
            f"{person.full_name} is already recorded as missing since {_when(still_missing.reported_at)}: "
            "record their return first"
        )
    if errors:
        raise ValidationError(errors)
    episode = MissingEpisode.objects.create(
        person=person,
        kind=kind,
        looked_after=looked_after,
        reported_at=reported_at,
        reported_by=reporter,
        reported_by_other=other[:120],
        police_reference=police_reference.strip()[:40],
        risk_factors=risks,
        circumstances=circumstances.strip(),
        recorded_by=user,
    )
    who = f"{reporter.full_name} ({reporter.agency.name})" if reporter is not None else other
    reference = f", police reference {episode.police_reference}" if episode.police_reference else ""
    add_to_chronology(
        person=person,
        occurred_on=timezone.localdate(reported_at),
        occurred_at=reported_at,
        kind=ChronologyKind.MISSING,
        summary=f"Reported {episode.get_kind_display().lower()} by {who}{reference}",
        detail=episode.circumstances,
        source=episode,
        recorded_by=user,
        agency_id=reporter.agency_id if reporter is not None else None,
    )
    record_access(user=user, action="report_missing", record=episode, subjects=[person])
    return episode


def _duration(start: datetime.datetime, end: datetime.datetime) -> str:
    hours = int((end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC)).total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{hours // 24} days"


@transaction.atomic
def record_return(
    *,
    actor: AnyUser,
    episode_id: int,
    expected_version: int,
    returned_at: datetime.datetime,
    where_found: str,
) -> MissingEpisode:
    """Record the child's return (or being found): not before they were reported missing,
    not in the future. The return interview falls due 72 hours after the return."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    episode = _locked_episode(actor, episode_id)
    if episode.returned_at is not None:
        raise ValidationError({"returned_on": "The return has already been recorded"})
    errors: dict[str, str] = {}
    if returned_at < episode.reported_at:
        errors["returned_on"] = (
            f"The return cannot be before the child was reported missing, at {_when(episode.reported_at)}"
        )
    if returned_at > timezone.now():
        errors["returned_on"] = FUTURE.format(what="The time the child returned")
    if not where_found.strip():
        errors["where_found"] = "Say where the child was found or where they returned to"
    if errors:
        raise ValidationError(errors)
    check_version(episode, expected_version, "missing episode")
    episode.returned_at = returned_at
    episode.where_found = where_found.strip()[:200]
    # In UTC: 72 clock hours, whatever the clocks do in between (the spring change is in March).
    episode.interview_due_at = returned_at.astimezone(datetime.UTC) + RETURN_INTERVIEW_WINDOW
    episode.save(update_fields=["returned_at", "where_found", "interview_due_at", "version"])
    add_to_chronology(
        person=episode.person,
        occurred_on=timezone.localdate(returned_at),
        occurred_at=returned_at,
        kind=ChronologyKind.MISSING,
        summary=(
            f"Returned after {_duration(episode.reported_at, returned_at)} missing; "
            f"found: {episode.where_found}"
        ),
        source=episode,
        recorded_by=user,
    )
    record_access(user=user, action="record_missing_return", record=episode, subjects=[episode.person])
    return episode


def _check_interview(
    episode: MissingEpisode,
    *,
    offered_at: datetime.datetime | None,
    response: str,
    done_at: datetime.datetime | None,
    interviewer: Practitioner | None,
    errors: dict[str, str],
) -> None:
    assert episode.returned_at is not None
    now = timezone.now()
    if offered_at is None:
        errors["offered_on"] = "Enter when the return interview was offered"
    elif offered_at < episode.returned_at:
        errors["offered_on"] = (
            f"The interview cannot be offered before the return, at {_when(episode.returned_at)}"
        )
    elif offered_at > now:
        errors["offered_on"] = FUTURE.format(what="The time the interview was offered")
    if response not in InterviewResponse.values:
        errors["response"] = "Choose whether the child accepted or declined the interview"
    if response == InterviewResponse.DECLINED and done_at is not None:
        errors["done_on"] = "The child declined: leave the date the interview was done blank"
    if done_at is not None:
        if offered_at is not None and done_at < offered_at:
            errors["done_on"] = "The interview cannot be done before it was offered"
        elif done_at > now:
            errors["done_on"] = FUTURE.format(what="The time the interview was done")
        if interviewer is None and "interview_by" not in errors:
            errors["interview_by"] = "Choose who did the interview"


@transaction.atomic
def record_return_interview(
    *,
    actor: AnyUser,
    episode_id: int,
    expected_version: int,
    offered_at: datetime.datetime | None,
    response: str,
    done_at: datetime.datetime | None,
    interview_by_id: int | None,
    summary: str,
    risk_factors: list[str],
) -> MissingEpisode:
    """Record the return interview: when it was offered, whether the child accepted, when it
    was done and by whom (an independent person, ideally), and the concerns it found. The
    guidance asks for it within 72 hours of the return; whether it was is worked out from
    the times, never typed. A declined interview is recorded as declined, not as done."""
    user = acting_user(actor, Permission.RECORD_CASEWORK)
    episode = _locked_episode(actor, episode_id)
    if episode.returned_at is None:
        raise ValidationError({"offered_on": "Record the child's return before the return interview"})
    errors: dict[str, str] = {}
    interviewer = _practitioner(errors, "interview_by", interview_by_id)
    _check_interview(
        episode,
        offered_at=offered_at,
        response=response,
        done_at=done_at,
        interviewer=interviewer,
        errors=errors,
    )
    risks = _clean_risks(errors, risk_factors)
    if errors:
        raise ValidationError(errors)
    check_version(episode, expected_version, "missing episode")
    newly_done = done_at is not None and episode.interview_done_at is None
    newly_declined = response == InterviewResponse.DECLINED and episode.interview_response != response
    episode.interview_offered_at = offered_at
    episode.interview_response = response
    episode.interview_done_at = done_at
    episode.interview_by = interviewer if done_at is not None else None
    episode.interview_summary = summary.strip()
    episode.risk_factors = risks
    episode.save(
        update_fields=[
            "interview_offered_at",
            "interview_response",
            "interview_done_at",
            "interview_by",
            "interview_summary",
            "risk_factors",
            "version",
        ]
    )
    if newly_done and done_at is not None and interviewer is not None:
        timing = (
            "within 72 hours of the return"
            if episode.interview_in_time
            else f"{_duration(episode.returned_at, done_at)} after the return, later than 72 hours"
        )
        add_to_chronology(
            person=episode.person,
            occurred_on=timezone.localdate(done_at),
            occurred_at=done_at,
            kind=ChronologyKind.MISSING,
            summary=f"Return interview by {interviewer.full_name} ({interviewer.agency.name}), {timing}",
            detail=episode.interview_summary,
            source=episode,
            recorded_by=user,
            agency_id=interviewer.agency_id,
        )
    elif newly_declined and offered_at is not None:
        add_to_chronology(
            person=episode.person,
            occurred_on=timezone.localdate(offered_at),
            occurred_at=offered_at,
            kind=ChronologyKind.MISSING,
            summary="Return interview offered; the child declined it",
            source=episode,
            recorded_by=user,
        )
    record_access(user=user, action="record_return_interview", record=episode, subjects=[episode.person])
    return episode
