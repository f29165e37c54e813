"""The only code that changes the establishment: posts, who fills them, absence and staff
records.

The DfE's children's social work workforce census asks each authority for its posts
(filled and vacant, employed and agency), its leavers and joiners, its sickness absence
and its workers' qualifications; these actions keep those facts as they happen, so the
census and the performance pages read them and nobody re-keys a number.

A team manager keeps their own team's records; an administrator any team's
(`queries.may_manage_team`). Each action checks that, validates in the user's words,
writes in one transaction with its access-log row, and refuses a stale form (the version
column) on the records two people may edit at once.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.models import Practitioner
from jigsaw.workforce.models import (
    Absence,
    AbsenceKind,
    Appointment,
    Contract,
    LeavingReason,
    Post,
    PostKind,
    Qualification,
    StaffRecord,
    Team,
)
from jigsaw.workforce.queries import absence_working_days, may_manage_team, may_manage_worker

__all__ = [
    "AbsenceDetails",
    "AppointmentDetails",
    "EditConflict",
    "PostDetails",
    "StaffRecordDetails",
    "appoint",
    "disestablish_post",
    "end_appointment",
    "record_absence",
    "save_post",
    "save_staff_record",
]

ONE = Decimal("1")
REGISTRATION = re.compile(r"SW[0-9]{1,10}")
# An absence longer than this is almost certainly a typing slip in the year.
LONGEST_ABSENCE_DAYS = 366


def _manager_of(actor: AnyUser, team_id: int | None) -> User:
    """The acting user, if they may keep this team's establishment; a team that does not
    exist and a team they may not keep both answer "not found"."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    if team_id is None or not Team.objects.filter(pk=team_id).exists():
        raise Http404("No such team")
    if not may_manage_team(user, team_id):
        raise PermissionDenied
    return user


def _check_fte(errors: dict[str, str], field: str, fte: Decimal | None, what: str) -> None:
    if fte is None:
        errors[field] = f"Enter the {what}'s full-time equivalent, for example 1.0 or 0.6"
    elif not Decimal("0") < fte <= ONE:
        errors[field] = f"The {what}'s full-time equivalent must be more than 0 and no more than 1.0"
    elif fte != fte.quantize(Decimal("0.01")):
        errors[field] = "Give the full-time equivalent to 2 decimal places at most, for example 0.75"


# --- Posts ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PostDetails:
    team_id: int | None
    title: str
    kind: str
    fte: Decimal | None
    established_on: datetime.date | None


def _filled_fte(post_id: int, *, from_day: datetime.date) -> Decimal:
    """The most FTE of the post held at once from `from_day` on (open and later-ending
    appointments counted together, which errs on the side of refusing)."""
    total = (
        Appointment.objects.filter(post_id=post_id)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=from_day))
        .aggregate(total=Sum("fte"))["total"]
    )
    # SQLite sums decimals in floating point: back to the 2 places FTE is kept in.
    return total.quantize(Decimal("0.01")) if total is not None else Decimal("0")


@transaction.atomic
def save_post(
    *, actor: AnyUser, details: PostDetails, post_id: int | None = None, expected_version: int | None = None
) -> Post:
    """Add a post to a team's establishment, or change one. A post cannot shrink below the
    FTE its workers hold, nor start after one of them started in it."""
    user = _manager_of(actor, details.team_id)
    post: Post
    if post_id is None:
        post = Post()
    else:
        found = Post.objects.select_for_update().filter(pk=post_id).first()
        if found is None or not may_manage_team(user, found.team_id):
            raise Http404("No such post")
        post = found
        check_version(post, expected_version if expected_version is not None else -1, "post")
    errors: dict[str, str] = {}
    if not details.title.strip():
        errors["title"] = "Enter the post's title, for example Social worker"
    if details.kind not in PostKind.values:
        errors["kind"] = "Choose what kind of post it is"
    _check_fte(errors, "fte", details.fte, "post")
    if details.established_on is None:
        errors["established_on"] = "Enter the date the post was established"
    if post.pk is not None and details.fte is not None and "fte" not in errors:
        held = _filled_fte(post.pk, from_day=timezone.localdate())
        if details.fte < held:
            errors["fte"] = f"Its workers hold {held} FTE of this post: end an appointment before reducing it"
    if post.pk is not None and details.established_on is not None:
        first = (
            Appointment.objects.filter(post=post).order_by("started_on").values_list("started_on", flat=True)
        )
        earliest = first.first()
        if earliest is not None and details.established_on > earliest:
            errors["established_on"] = (
                f"Someone started in this post on {earliest:%-d %B %Y}: the post must exist by then"
            )
    if (
        post.disestablished_on is not None
        and details.established_on
        and details.established_on >= post.disestablished_on
    ):
        errors["established_on"] = "The post must be established before the day it ended"
    if errors:
        raise ValidationError(errors)
    assert details.team_id is not None and details.fte is not None and details.established_on is not None
    changed_team = post.pk is not None and post.team_id != details.team_id
    post.team_id = details.team_id
    post.title = details.title.strip()
    post.kind = details.kind
    post.fte = details.fte
    post.established_on = details.established_on
    post.save()
    record_access(
        user=user,
        action="add_post" if post_id is None else "change_post",
        record=post,
        detail={"team": post.team_id, "kind": post.kind, "fte": str(post.fte), "moved_team": changed_team},
    )
    return post


@transaction.atomic
def disestablish_post(
    *, actor: AnyUser, post_id: int, expected_version: int, on: datetime.date | None
) -> Post:
    """End a post from a day (the first day it no longer exists). Its workers' appointments
    must end before then: a post is never deleted, so the establishment's history stays."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None or not may_manage_team(user, post.team_id):
        raise Http404("No such post")
    check_version(post, expected_version, "post")
    errors: dict[str, str] = {}
    if post.disestablished_on is not None:
        errors["on"] = f"This post already ended on {post.disestablished_on:%-d %B %Y}"
    elif on is None:
        errors["on"] = "Enter the first day the post no longer exists"
    elif on <= post.established_on:
        errors["on"] = "The post must end after the day it was established"
    elif (
        Appointment.objects.filter(post=post).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).exists()
    ):
        errors["on"] = "Someone is still in this post on that day: end their appointment first"
    if errors:
        raise ValidationError(errors)
    post.disestablished_on = on
    post.save(update_fields=["disestablished_on", "version"])
    record_access(user=user, action="disestablish_post", record=post, detail={"on": str(on)})
    return post


# --- Appointments -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AppointmentDetails:
    practitioner_id: int | None
    contract: str
    fte: Decimal | None
    started_on: datetime.date | None


@transaction.atomic
def appoint(
    *, actor: AnyUser, post_id: int, expected_version: int, details: AppointmentDetails
) -> Appointment:
    """Appoint a worker (employed, seconded or from an agency) to a post from a day. Refused
    when the post has ended or is ending, when the post's FTE would be exceeded, or when the
    worker would hold more than full time across their posts."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    # Locking the post makes two appointments to it at once queue, so neither overfills it.
    post = Post.objects.select_for_update().select_related("team").filter(pk=post_id).first()
    if post is None or not may_manage_team(user, post.team_id):
        raise Http404("No such post")
    check_version(post, expected_version, "post")
    errors: dict[str, str] = {}
    worker = (
        Practitioner.objects.filter(pk=details.practitioner_id, agency_id=post.team.agency_id).first()
        if details.practitioner_id is not None
        else None
    )
    if worker is None:
        errors["practitioner"] = f"Choose the worker from the staff of {post.team.agency}"
    if details.contract not in Contract.values:
        errors["contract"] = "Choose permanent, agency or secondment"
    _check_fte(errors, "fte", details.fte, "appointment")
    if details.started_on is None:
        errors["started_on"] = "Enter the worker's first day in the post"
    if post.disestablished_on is not None:
        errors["__all__"] = (
            f"This post ended on {post.disestablished_on:%-d %B %Y}: nobody can be appointed to it"
        )
    elif details.started_on is not None and details.started_on < post.established_on:
        errors["started_on"] = (
            f"The post was established on {post.established_on:%-d %B %Y}: start on or after then"
        )
    if not errors:
        assert details.fte is not None and details.started_on is not None and worker is not None
        held = _filled_fte(post.pk, from_day=details.started_on)
        if held + details.fte > post.fte:
            left = max(post.fte - held, Decimal("0"))
            errors["fte"] = f"Only {left} FTE of this {post.fte} FTE post is free from that day"
        worker_total = (
            (
                Appointment.objects.filter(practitioner=worker)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=details.started_on))
                .aggregate(total=Sum("fte"))["total"]
            )
            or Decimal("0")
        ).quantize(Decimal("0.01"))
        if worker_total + details.fte > ONE:
            errors.setdefault(
                "fte",
                f"{worker.full_name} already holds {worker_total} FTE from that day: nobody works more than 1.0",
            )
    if errors:
        raise ValidationError(errors)
    assert details.fte is not None and details.started_on is not None and worker is not None
    appointment = Appointment.objects.create(
        post=post,
        practitioner=worker,
        contract=details.contract,
        fte=details.fte,
        started_on=details.started_on,
    )
    post.save(update_fields=["version"])
    record_access(
        user=user,
        action="appoint_to_post",
        record=appointment,
        detail={
            "post": post.pk,
            "practitioner": worker.pk,
            "contract": details.contract,
            "fte": str(details.fte),
        },
    )
    return appointment


@transaction.atomic
def end_appointment(
    *,
    actor: AnyUser,
    appointment_id: int,
    expected_version: int,
    ended_on: datetime.date | None,
    reason: str,
) -> Appointment:
    """End an appointment on the worker's last day in the post: a leaver (resigned, retired,
    dismissed, end of an agency contract, another reason) or a move to another post within
    the authority, which the census does not count as leaving."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    appointment = (
        Appointment.objects.select_for_update().select_related("post").filter(pk=appointment_id).first()
    )
    if appointment is None or not may_manage_team(user, appointment.post.team_id):
        raise Http404("No such appointment")
    check_version(appointment, expected_version, "appointment")
    errors: dict[str, str] = {}
    if appointment.ended_on is not None:
        errors["__all__"] = f"This appointment already ended on {appointment.ended_on:%-d %B %Y}"
    if ended_on is None:
        errors["ended_on"] = "Enter the worker's last day in the post"
    elif ended_on < appointment.started_on:
        errors["ended_on"] = (
            f"The last day cannot be before they started, on {appointment.started_on:%-d %B %Y}"
        )
    if reason not in LeavingReason.values:
        errors["reason"] = "Choose why the appointment ended"
    elif reason == LeavingReason.END_OF_AGENCY_CONTRACT and appointment.contract != Contract.AGENCY:
        errors["reason"] = "Only an agency worker's appointment ends with the end of an agency contract"
    if errors:
        raise ValidationError(errors)
    appointment.ended_on = ended_on
    appointment.leaving_reason = reason
    appointment.save(update_fields=["ended_on", "leaving_reason", "version"])
    record_access(
        user=user,
        action="end_appointment",
        record=appointment,
        detail={"ended_on": str(ended_on), "reason": reason},
    )
    return appointment


# --- Absence --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AbsenceDetails:
    practitioner_id: int | None
    kind: str
    first_day: datetime.date | None
    last_day: datetime.date | None


def _absence_errors(details: AbsenceDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.kind not in AbsenceKind.values:
        errors["kind"] = "Choose sickness or other absence"
    if details.first_day is None:
        errors["first_day"] = "Enter the first day of the absence"
    if details.last_day is None:
        errors["last_day"] = "Enter the last day of the absence"
    if details.first_day and details.last_day:
        if details.last_day < details.first_day:
            errors["last_day"] = "The last day must be the same as or after the first day"
        elif (details.last_day - details.first_day).days >= LONGEST_ABSENCE_DAYS:
            errors["last_day"] = "Record an absence of a year or more as separate absences, one a year"
        elif details.first_day > timezone.localdate():
            errors["first_day"] = "An absence is recorded once it has started"
    return errors


@transaction.atomic
def record_absence(*, actor: AnyUser, details: AbsenceDetails) -> Absence:
    """Record a worker's absence. Its working days (England's bank holidays excluded) are
    worked out, never typed, so every team counts them alike."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    if details.practitioner_id is None or not may_manage_worker(user, details.practitioner_id):
        raise ValidationError({"practitioner": "Choose a worker in your team"})
    errors = _absence_errors(details)
    if errors:
        raise ValidationError(errors)
    assert details.first_day is not None and details.last_day is not None
    absence = Absence.objects.create(
        practitioner_id=details.practitioner_id,
        kind=details.kind,
        first_day=details.first_day,
        last_day=details.last_day,
        working_days=absence_working_days(details.first_day, details.last_day),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    record_access(
        user=user,
        action="record_absence",
        record=absence,
        detail={
            "practitioner": absence.practitioner_id,
            "kind": absence.kind,
            "days": str(absence.working_days),
        },
    )
    return absence


@transaction.atomic
def correct_absence(
    *, actor: AnyUser, absence_id: int, expected_version: int, details: AbsenceDetails
) -> Absence:
    """Correct an absence's kind or days (the worker stays the same: record another's
    absence afresh). The working days are worked out again."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    absence = Absence.objects.select_for_update().filter(pk=absence_id).first()
    if absence is None or not may_manage_worker(user, absence.practitioner_id):
        raise Http404("No such absence")
    check_version(absence, expected_version, "absence")
    errors = _absence_errors(details)
    if errors:
        raise ValidationError(errors)
    assert details.first_day is not None and details.last_day is not None
    before = {"kind": absence.kind, "first_day": str(absence.first_day), "last_day": str(absence.last_day)}
    absence.kind = details.kind
    absence.first_day = details.first_day
    absence.last_day = details.last_day
    absence.working_days = absence_working_days(details.first_day, details.last_day)
    absence.recorded_by = user
    absence.recorded_at = timezone.now()
    absence.save()
    record_access(
        user=user,
        action="correct_absence",
        record=absence,
        detail={"before": before, "days": str(absence.working_days)},
    )
    return absence


# --- Staff records --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StaffRecordDetails:
    registration_number: str
    qualification: str
    qualified_on: datetime.date | None
    joined_service_on: datetime.date | None


@transaction.atomic
def save_staff_record(
    *, actor: AnyUser, practitioner_id: int, details: StaffRecordDetails, expected_version: int | None = None
) -> StaffRecord:
    """Keep what the census asks of a worker: their Social Work England registration (SW
    and digits), qualification and when they qualified and joined the service."""
    user = acting_user(actor, Permission.MANAGE_WORKFORCE)
    if not may_manage_worker(user, practitioner_id):
        raise Http404("No such worker")
    record = StaffRecord.objects.select_for_update().filter(practitioner_id=practitioner_id).first()
    if record is None:
        if expected_version is not None:
            raise EditConflict("This staff record was removed after you opened it.")
        record = StaffRecord(practitioner_id=practitioner_id)
    else:
        check_version(record, expected_version if expected_version is not None else -1, "staff record")
    number = details.registration_number.strip().upper().replace(" ", "")
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if number and not REGISTRATION.fullmatch(number):
        errors["registration_number"] = (
            "Enter the registration number as SW followed by its digits, for example SW12345"
        )
    if details.qualification not in Qualification.values:
        errors["qualification"] = "Choose the worker's social work qualification"
    elif details.qualification == Qualification.NOT_QUALIFIED:
        if details.qualified_on is not None:
            errors["qualified_on"] = "Leave the date qualified empty for someone not qualified in social work"
    elif details.qualified_on is None:
        errors["qualified_on"] = "Enter the date the worker qualified"
    for field, day, what in (
        ("qualified_on", details.qualified_on, "The date qualified"),
        ("joined_service_on", details.joined_service_on, "The date they joined the service"),
    ):
        if day is not None and day > today:
            errors.setdefault(field, f"{what} must be today or in the past")
    if errors:
        raise ValidationError(errors)
    created = record.pk is None
    record.registration_number = number
    record.qualification = details.qualification
    record.qualified_on = details.qualified_on
    record.joined_service_on = details.joined_service_on
    record.save()
    record_access(
        user=user,
        action="add_staff_record" if created else "change_staff_record",
        record=record,
        detail={"practitioner": practitioner_id, "qualification": record.qualification},
    )
    return record
