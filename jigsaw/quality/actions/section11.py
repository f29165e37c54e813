"""The only code that changes section 11 self-assessment.

Section 11 of the Children Act 2004 requires named agencies to make arrangements to
safeguard and promote the welfare of children; Working Together asks the safeguarding
partnership to check those arrangements. Here:

- the partnership keeps the standards (the duties in its own words) and sends rounds;
  sending a round copies the standards as they stand and makes one return per agency;
- each agency's own safeguarding lead rates it against every standard with evidence,
  saves as a draft, and submits once every standard is rated, evidenced and, if short of
  fully met, has an action to close the gap;
- the agency keeps its action plan up to date after it has submitted.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, has_permission, section11_returns_visible_to
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.models import Agency
from jigsaw.quality.models.section11 import (
    GapActionStatus,
    Rating,
    ReturnStatus,
    RoundStandard,
    RoundStatus,
    Section11Answer,
    Section11GapAction,
    Section11Return,
    Section11Round,
    Section11Standard,
)

__all__ = [
    "DEFAULT_STANDARDS",
    "AnswerInput",
    "EditConflict",
    "add_gap_action",
    "add_standard",
    "create_round",
    "ensure_default_standards",
    "may_answer",
    "save_answers",
    "send_round",
    "set_gap_action_status",
    "update_standard",
]

# The duties in the partnership's own words: number, title, what good looks like.
DEFAULT_STANDARDS: list[tuple[int, str, str]] = [
    (
        1,
        "Senior leadership commitment to safeguarding",
        "A named senior leader is responsible for safeguarding children; the board hears about it at "
        "least once a year and safeguarding is in the agency's plans and budgets.",
    ),
    (
        2,
        "Clear lines of accountability",
        "Everyone knows who the agency's safeguarding lead is and whom to go to; roles, deputies and "
        "out-of-hours cover are written down and kept current.",
    ),
    (
        3,
        "The child's voice in the design of services",
        "Children and families are asked what they think of the service, and the agency can show "
        "something it changed because of what they said.",
    ),
    (
        4,
        "Safeguarding training and supervision",
        "Staff have safeguarding training suited to their role when they start and refresh it on time; "
        "those who work with children have regular supervision that talks about the children.",
    ),
    (
        5,
        "Safer recruitment and allegations against staff",
        "Checks are made before anyone starts work with children, and allegations against staff or "
        "volunteers go to the designated officer within one working day.",
    ),
    (
        6,
        "Working with other agencies",
        "The agency takes part in strategy discussions, conferences and core groups, sends the right "
        "person, and uses the partnership's escalation procedure when it disagrees.",
    ),
    (
        7,
        "Information sharing",
        "Staff know they may share information to keep a child safe, record what they shared and why, "
        "and the agency's policies say so plainly.",
    ),
    (
        8,
        "Responding to concerns and whistleblowing",
        "Staff know how to raise a concern about a child or about a colleague, concerns are acted on "
        "the same day, and the whistleblowing policy is known and used.",
    ),
]


def ensure_default_standards() -> None:
    """The default standards, if the partnership has none yet (a data default made by code,
    not by a migration: the partnership edits them afterwards)."""
    if Section11Standard.objects.exists():
        return
    with transaction.atomic():
        for number, title, good in DEFAULT_STANDARDS:
            Section11Standard.objects.get_or_create(
                number=number, defaults={"title": title, "good_looks_like": good}
            )


def _standard_errors(
    number: int | None, title: str, good: str, *, exclude: int | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if number is None or number < 1:
        errors["number"] = "Enter the standard's number, 1 or more"
    elif Section11Standard.objects.filter(number=number).exclude(pk=exclude or 0).exists():
        errors["number"] = f"There is already a standard {number}: choose another number"
    if not title.strip():
        errors["title"] = "Enter the standard's title"
    if not good.strip():
        errors["good_looks_like"] = "Say what good looks like for this standard"
    return errors


@transaction.atomic
def add_standard(
    *, actor: AnyUser, number: int | None, title: str, good_looks_like: str
) -> Section11Standard:
    """Add a standard. Rounds already sent keep the standards they were sent with."""
    user = acting_user(actor, Permission.MANAGE_SECTION11)
    errors = _standard_errors(number, title, good_looks_like)
    if errors:
        raise ValidationError(errors)
    assert number is not None
    standard = Section11Standard.objects.create(
        number=number, title=title.strip(), good_looks_like=good_looks_like.strip()
    )
    record_access(user=user, action="add_section11_standard", record=standard)
    return standard


@transaction.atomic
def update_standard(
    *,
    actor: AnyUser,
    standard_id: int,
    expected_version: int,
    number: int | None,
    title: str,
    good_looks_like: str,
) -> Section11Standard:
    """Change a standard's wording for rounds sent from now on."""
    user = acting_user(actor, Permission.MANAGE_SECTION11)
    standard = Section11Standard.objects.select_for_update().filter(pk=standard_id).first()
    if standard is None:
        raise Http404("No such standard")
    check_version(standard, expected_version, "standard")
    errors = _standard_errors(number, title, good_looks_like, exclude=standard.pk)
    if errors:
        raise ValidationError(errors)
    assert number is not None
    standard.number, standard.title, standard.good_looks_like = number, title.strip(), good_looks_like.strip()
    standard.save()
    record_access(user=user, action="change_section11_standard", record=standard)
    return standard


@transaction.atomic
def create_round(
    *,
    actor: AnyUser,
    title: str,
    period: str,
    opens_on: datetime.date | None,
    due_on: datetime.date | None,
    agency_ids: list[int],
) -> Section11Round:
    """Set up a round; nothing goes to the agencies until it is sent."""
    user = acting_user(actor, Permission.MANAGE_SECTION11)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter a title for the round"
    if not period.strip():
        errors["period"] = "Enter the period the self-assessment covers"
    if opens_on is None:
        errors["opens_on"] = "Enter the date the round opens"
    if due_on is None:
        errors["due_on"] = "Enter the date returns are due"
    elif opens_on is not None and due_on < opens_on:
        errors["due_on"] = "The due date must be on or after the date the round opens"
    agencies = list(Agency.objects.filter(pk__in=agency_ids))
    if not agencies or len(agencies) != len(set(agency_ids)):
        errors["agencies"] = "Choose the agencies the round goes to"
    if errors:
        raise ValidationError(errors)
    assert opens_on is not None and due_on is not None
    round_ = Section11Round.objects.create(
        title=title.strip(),
        period=period.strip(),
        opens_on=opens_on,
        due_on=due_on,
        created_by=user,
        created_at=timezone.now(),
    )
    round_.agencies.set(agencies)
    record_access(
        user=user, action="create_section11_round", record=round_, detail={"agencies": len(agencies)}
    )
    return round_


@transaction.atomic
def send_round(*, actor: AnyUser, round_id: int, expected_version: int) -> Section11Round:
    """Send a round: copy the standards as they stand now and make one return per agency,
    with an empty answer for each standard."""
    user = acting_user(actor, Permission.MANAGE_SECTION11)
    round_ = Section11Round.objects.select_for_update().filter(pk=round_id).first()
    if round_ is None:
        raise Http404("No such round")
    check_version(round_, expected_version, "round")
    if round_.status == RoundStatus.SENT:
        raise ValidationError("This round has already been sent")
    ensure_default_standards()
    standards = RoundStandard.objects.bulk_create(
        [
            RoundStandard(
                round=round_, standard=s, number=s.number, title=s.title, good_looks_like=s.good_looks_like
            )
            for s in Section11Standard.objects.order_by("number")
        ]
    )
    returns = Section11Return.objects.bulk_create(
        [Section11Return(round=round_, agency=a) for a in round_.agencies.order_by("name")]
    )
    Section11Answer.objects.bulk_create(
        [Section11Answer(section11_return=r, standard=s) for r in returns for s in standards]
    )
    round_.status = RoundStatus.SENT
    round_.sent_at = timezone.now()
    round_.save()
    record_access(
        user=user,
        action="send_section11_round",
        record=round_,
        detail={"returns": len(returns), "standards": len(standards)},
    )
    return round_


def may_answer(user: AnyUser, section11_return: Section11Return) -> bool:
    """Only a user who answers section 11 for the return's own agency."""
    practitioner = getattr(user, "practitioner", None)
    return (
        has_permission(user, Permission.ANSWER_SECTION11)
        and practitioner is not None
        and practitioner.agency_id == section11_return.agency_id
    )


def _return_to_answer(actor: AnyUser, return_id: int) -> tuple[User, Section11Return]:
    user = acting_user(actor, Permission.ANSWER_SECTION11)
    section11_return = (
        section11_returns_visible_to(user)
        .select_for_update()
        .select_related("round")
        .filter(pk=return_id)
        .first()
    )
    if section11_return is None or not may_answer(user, section11_return):
        raise Http404("No such return")
    return user, section11_return


@dataclasses.dataclass(frozen=True)
class AnswerInput:
    standard_id: int
    rating: str
    evidence: str
    # A new action for the gap against this standard, given with the answer (all or none).
    action: str = ""
    owner: str = ""
    due_on: datetime.date | None = None

    @property
    def has_action(self) -> bool:
        return bool(self.action.strip() or self.owner.strip() or self.due_on)


@transaction.atomic
def save_answers(
    *, actor: AnyUser, return_id: int, expected_version: int, answers: list[AnswerInput], submit: bool
) -> Section11Return:
    """Save an agency's ratings and evidence (and any action given with an answer) as a
    draft, or submit them. A submitted return has every standard rated with evidence, and an
    action for every gap (anything short of fully met): the partnership should not have to
    chase what is missing."""
    user, section11_return = _return_to_answer(actor, return_id)
    check_version(section11_return, expected_version, "self-assessment")
    if section11_return.status == ReturnStatus.SUBMITTED:
        raise ValidationError("This self-assessment has been submitted: it can no longer be changed")
    existing = {a.standard_id: a for a in section11_return.answers.select_related("standard")}
    errors: dict[str, str] = {}
    new_actions: list[tuple[Section11Answer, AnswerInput]] = []
    for given in answers:
        answer = existing.get(given.standard_id)
        if answer is None:
            raise ValidationError("The standards have changed since you opened this page: open it again")
        n = answer.standard.number
        if given.rating and given.rating not in Rating.values:
            errors[f"rating_{answer.standard_id}"] = f"Choose a rating for standard {n}"
            continue
        answer.rating = given.rating
        answer.evidence = given.evidence.strip()
        if given.has_action:
            if not given.action.strip():
                errors[f"action_{answer.standard_id}"] = (
                    f"Say what will be done to close the gap in standard {n}"
                )
            if not given.owner.strip():
                errors[f"owner_{answer.standard_id}"] = f"Enter who owns the action for standard {n}"
            if given.due_on is None:
                errors[f"due_on_{answer.standard_id}"] = f"Enter the date the action for standard {n} is due"
            new_actions.append((answer, given))
    if submit:
        with_actions = set(
            Section11GapAction.objects.filter(answer__section11_return=section11_return).values_list(
                "answer__standard_id", flat=True
            )
        ) | {answer.standard_id for answer, _ in new_actions}
        for answer in existing.values():
            n = answer.standard.number
            if not answer.rating:
                errors[f"rating_{answer.standard_id}"] = f"Choose a rating for standard {n}"
            if not answer.evidence:
                errors[f"evidence_{answer.standard_id}"] = f"Give the evidence for standard {n}"
            if answer.rating and answer.rating != Rating.FULLY_MET and answer.standard_id not in with_actions:
                errors[f"rating_{answer.standard_id}"] = (
                    f"Standard {n} is not fully met: add an action to close the gap before you submit"
                )
    if errors:
        raise ValidationError(errors)
    Section11Answer.objects.bulk_update(existing.values(), ["rating", "evidence"])
    now = timezone.now()
    gap_actions = []
    for answer, given in new_actions:
        assert given.due_on is not None  # checked above
        gap_actions.append(
            Section11GapAction(
                answer=answer,
                action=given.action.strip(),
                owner=given.owner.strip(),
                due_on=given.due_on,
                added_by=user,
                added_at=now,
            )
        )
    Section11GapAction.objects.bulk_create(gap_actions)
    section11_return.updated_at, section11_return.updated_by = now, user
    if submit:
        section11_return.status = ReturnStatus.SUBMITTED
        section11_return.submitted_at, section11_return.submitted_by = now, user
    else:
        section11_return.status = ReturnStatus.DRAFT
    section11_return.save()
    record_access(
        user=user,
        action="submit_section11_return" if submit else "save_section11_return",
        record=section11_return,
        detail={"actions_added": len(new_actions)} if new_actions else None,
    )
    return section11_return


@transaction.atomic
def add_gap_action(
    *,
    actor: AnyUser,
    return_id: int,
    expected_version: int,
    standard_id: int | None,
    action: str,
    owner: str,
    due_on: datetime.date | None,
) -> Section11GapAction:
    """Add an action to close a gap against a standard, before or after submitting."""
    user, section11_return = _return_to_answer(actor, return_id)
    check_version(section11_return, expected_version, "self-assessment")
    errors: dict[str, str] = {}
    answer = section11_return.answers.filter(standard_id=standard_id).first() if standard_id else None
    if answer is None:
        errors["standard"] = "Choose the standard the action is for"
    if not action.strip():
        errors["action"] = "Say what will be done to close the gap"
    if not owner.strip():
        errors["owner"] = "Enter who owns the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    if errors:
        raise ValidationError(errors)
    assert answer is not None and due_on is not None
    gap_action = Section11GapAction.objects.create(
        answer=answer,
        action=action.strip(),
        owner=owner.strip(),
        due_on=due_on,
        added_by=user,
        added_at=timezone.now(),
    )
    section11_return.save(update_fields=["version"])
    record_access(
        user=user,
        action="add_section11_action",
        record=section11_return,
        detail={"gap_action": gap_action.pk, "standard": answer.standard.number},
    )
    return gap_action


@transaction.atomic
def set_gap_action_status(
    *, actor: AnyUser, gap_action_id: int, expected_version: int, status: str
) -> Section11GapAction:
    """Record progress on an action of the agency's plan."""
    gap_action = Section11GapAction.objects.filter(pk=gap_action_id).select_related("answer").first()
    if gap_action is None:
        raise Http404("No such action")
    user, section11_return = _return_to_answer(actor, gap_action.answer.section11_return_id)
    check_version(section11_return, expected_version, "self-assessment")
    if status not in GapActionStatus.values:
        raise ValidationError({"status": "Choose the action's status"})
    gap_action.status = status
    gap_action.save(update_fields=["status"])
    section11_return.save(update_fields=["version"])
    record_access(
        user=user,
        action="update_section11_action",
        record=section11_return,
        detail={"gap_action": gap_action.pk, "status": status},
    )
    return gap_action
