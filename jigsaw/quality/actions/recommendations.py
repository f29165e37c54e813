"""The only code that changes recommendations and their actions.

Working Together to Safeguard Children asks the safeguarding partnership to make sure the
learning of its reviews is acted on; a scrutiny committee asks the same of the council.
Here:

- the partnership (`MANAGE_RECOMMENDATIONS`) records a set of recommendations from any
  source, or imports one from a CSV file (all or nothing: every bad line is reported by its
  number and nothing is written), records each agency's response, plans the actions with
  their owners and due dates, and may set a recommendation's status (red, amber, green,
  complete) over the one derived from its actions, with who set it and when kept;
- an action's owner records its progress, with evidence, and says when it is done.

Each action checks permission, validates in the user's words, writes in one transaction
with its access-log row, and refuses a stale form (the version column).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import (
    AnyUser,
    Permission,
    has_permission,
    recommendation_actions_visible_to,
)
from jigsaw.casework.actions.common import EditConflict, acting_user, check_version
from jigsaw.partners.actions import notify
from jigsaw.partners.ingest import Problem, clean_text, parse_date, shown, text_problem
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    ProgressUpdate,
    Rag,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
    RecommendationSource,
    Response,
)

__all__ = [
    "COLUMNS",
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_TYPES",
    "EditConflict",
    "Evidence",
    "ImportRefused",
    "SetDetails",
    "add_action",
    "add_recommendation",
    "create_set",
    "edit_action",
    "edit_recommendation",
    "edit_set",
    "import_set",
    "may_record_progress",
    "read_import",
    "record_progress",
    "record_response",
    "set_status",
    "template_csv",
]

TITLE_MAX = 200
BODY_MAX = 160
REFERENCE_MAX = 120
NUMBER_MAX = 20
TEXT_MAX = 4000
COMMENT_MAX = 4000
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_LINES = 2000
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# What evidence may be: documents and pictures people send, never anything a browser runs.
EVIDENCE_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
NEEDS_COMMENT = frozenset({Response.ACCEPTED_IN_PART, Response.NOT_ACCEPTED})


@dataclasses.dataclass(frozen=True)
class SetDetails:
    """What a recommendation set says about itself."""

    title: str
    source: str
    reports_to: str
    source_reference: str = ""
    source_date: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class Evidence:
    """A file attached to a progress update."""

    name: str
    data: bytes


class ImportRefused(Exception):
    """The file had problems; nothing was written. Each problem names its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _manager(actor: AnyUser) -> User:
    return acting_user(actor, Permission.MANAGE_RECOMMENDATIONS)


def _set_link(recommendation_set: RecommendationSet) -> str:
    return reverse("quality:recommendation_set", args=[recommendation_set.pk])


def _action_link(action: RecommendationAction) -> str:
    return reverse("quality:recommendation_action", args=[action.pk])


def _check_text(
    errors: dict[str, str], field: str, value: str, what: str, limit: int, *, required: bool
) -> None:
    if required and not value:
        errors[field] = f"Enter {what}"
    elif len(value) > limit:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer"


def _check_details(details: SetDetails) -> SetDetails:
    errors: dict[str, str] = {}
    cleaned = dataclasses.replace(
        details,
        title=details.title.strip(),
        reports_to=clean_text(details.reports_to),
        source_reference=details.source_reference.strip(),
    )
    _check_text(errors, "title", cleaned.title, "the title of the report", TITLE_MAX, required=True)
    if cleaned.source not in RecommendationSource.values:
        errors["source"] = "Choose where the recommendations come from"
    _check_text(
        errors, "reports_to", cleaned.reports_to, "the body the set reports to", BODY_MAX, required=True
    )
    _check_text(
        errors, "source_reference", cleaned.source_reference, "the reference", REFERENCE_MAX, required=False
    )
    if cleaned.source_date is not None and cleaned.source_date > timezone.localdate():
        errors["source_date"] = "The date of the report must be today or in the past"
    if errors:
        raise ValidationError(errors)
    return cleaned


def _new_set(user: User, details: SetDetails) -> RecommendationSet:
    return RecommendationSet.objects.create(
        title=details.title,
        source=details.source,
        source_reference=details.source_reference,
        source_date=details.source_date,
        reports_to=details.reports_to,
        created_by=user,
        created_at=timezone.now(),
    )


@transaction.atomic
def create_set(*, actor: AnyUser, details: SetDetails) -> RecommendationSet:
    """Record a set of recommendations: the report they come from and the body their
    progress is reported to."""
    user = _manager(actor)
    details = _check_details(details)
    recommendation_set = _new_set(user, details)
    record_access(
        user=user,
        action="create_recommendation_set",
        record=recommendation_set,
        detail={"title": details.title, "source": details.source},
    )
    return recommendation_set


def _locked_set(set_id: int) -> RecommendationSet:
    found = RecommendationSet.objects.select_for_update().filter(pk=set_id).first()
    if found is None:
        raise Http404("No such set of recommendations")
    return found


@transaction.atomic
def edit_set(*, actor: AnyUser, set_id: int, expected_version: int, details: SetDetails) -> RecommendationSet:
    """Correct what a set says about itself."""
    user = _manager(actor)
    recommendation_set = _locked_set(set_id)
    check_version(recommendation_set, expected_version, "set of recommendations")
    details = _check_details(details)
    recommendation_set.title = details.title
    recommendation_set.source = details.source
    recommendation_set.source_reference = details.source_reference
    recommendation_set.source_date = details.source_date
    recommendation_set.reports_to = details.reports_to
    recommendation_set.save()
    record_access(user=user, action="edit_recommendation_set", record=recommendation_set)
    return recommendation_set


def _check_recommendation(
    errors: dict[str, str], *, number: str, text: str, agency_id: int | None
) -> Agency | None:
    if not number:
        errors["number"] = "Enter the recommendation's number, as the report numbers it"
    elif len(number) > NUMBER_MAX:
        errors["number"] = f"The number must be {NUMBER_MAX} characters or fewer"
    _check_text(errors, "text", text, "the recommendation", TEXT_MAX, required=True)
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id is not None else None
    if agency is None:
        errors["agency"] = "Choose the agency that owns the recommendation"
    return agency


def _number_taken(set_id: int, number: str, *, other_than: int | None = None) -> bool:
    taken = Recommendation.objects.filter(recommendation_set_id=set_id, number__iexact=number)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    return taken.exists()


@transaction.atomic
def add_recommendation(
    *, actor: AnyUser, set_id: int, number: str, text: str, agency_id: int | None
) -> Recommendation:
    """Add a recommendation to a set: its number in the report, what it says, and the agency
    that owns it (awaiting that agency's response)."""
    user = _manager(actor)
    recommendation_set = _locked_set(set_id)
    number, text = clean_text(number), text.strip()
    errors: dict[str, str] = {}
    agency = _check_recommendation(errors, number=number, text=text, agency_id=agency_id)
    if "number" not in errors and _number_taken(set_id, number):
        errors["number"] = f"This set already has a recommendation {number}"
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    last = recommendation_set.recommendations.order_by("-position").values_list("position", flat=True).first()
    recommendation = Recommendation.objects.create(
        recommendation_set=recommendation_set,
        number=number,
        position=(last or 0) + 1,
        text=text,
        agency=agency,
    )
    record_access(
        user=user,
        action="add_recommendation",
        record=recommendation,
        detail={"set": recommendation_set.pk, "number": number, "agency": agency.name},
    )
    return recommendation


def _locked_recommendation(recommendation_id: int) -> Recommendation:
    found = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("agency", "recommendation_set")
        .filter(pk=recommendation_id)
        .first()
    )
    if found is None:
        raise Http404("No such recommendation")
    return found


@transaction.atomic
def edit_recommendation(
    *,
    actor: AnyUser,
    recommendation_id: int,
    expected_version: int,
    number: str,
    text: str,
    agency_id: int | None,
) -> Recommendation:
    """Correct a recommendation's number, wording or owning agency. An agency cannot be
    changed while the recommendation has actions owned by the old agency's staff."""
    user = _manager(actor)
    recommendation = _locked_recommendation(recommendation_id)
    check_version(recommendation, expected_version, "recommendation")
    number, text = clean_text(number), text.strip()
    errors: dict[str, str] = {}
    agency = _check_recommendation(errors, number=number, text=text, agency_id=agency_id)
    if "number" not in errors and _number_taken(
        recommendation.recommendation_set_id, number, other_than=recommendation.pk
    ):
        errors["number"] = f"This set already has a recommendation {number}"
    if (
        agency is not None
        and agency.pk != recommendation.agency_id
        and recommendation.actions.exclude(owner__agency=agency).exists()
    ):
        errors["agency"] = (
            f"Its actions are owned by staff of {recommendation.agency.name}: give them to staff "
            f"of {agency.name} first"
        )
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    changed = {
        name
        for name, old, new in (
            ("number", recommendation.number, number),
            ("text", recommendation.text, text),
            ("agency", recommendation.agency_id, agency.pk),
        )
        if old != new
    }
    recommendation.number, recommendation.text, recommendation.agency = number, text, agency
    recommendation.save()
    record_access(
        user=user, action="edit_recommendation", record=recommendation, detail={"changed": sorted(changed)}
    )
    return recommendation


def _check_response(errors: dict[str, str], response: str, comment: str) -> None:
    if response not in Response.values:
        errors["response"] = "Choose the agency's response"
    elif response in NEEDS_COMMENT and not comment:
        errors["comment"] = (
            "Say which parts are accepted and why the rest are not"
            if response == Response.ACCEPTED_IN_PART
            else "Say why the recommendation is not accepted"
        )
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"The comment must be {COMMENT_MAX} characters or fewer"


@transaction.atomic
def record_response(
    *, actor: AnyUser, recommendation_id: int, expected_version: int, response: str, comment: str
) -> Recommendation:
    """The owning agency's response: accepted, accepted in part or not accepted, with its
    comment (a partial acceptance or a refusal must say why). Setting it back to "awaiting
    response" withdraws a response recorded in error."""
    user = _manager(actor)
    recommendation = _locked_recommendation(recommendation_id)
    check_version(recommendation, expected_version, "recommendation")
    comment = comment.strip()
    errors: dict[str, str] = {}
    _check_response(errors, response, comment)
    if errors:
        raise ValidationError(errors)
    recommendation.response = response
    recommendation.response_comment = comment
    awaiting = response == Response.AWAITING
    recommendation.responded_by = None if awaiting else user
    recommendation.responded_at = None if awaiting else timezone.now()
    recommendation.save()
    record_access(
        user=user,
        action="respond_to_recommendation",
        record=recommendation,
        detail={"response": response, "agency": recommendation.agency.name},
    )
    return recommendation


@transaction.atomic
def set_status(
    *, actor: AnyUser, recommendation_id: int, expected_version: int, rag: str, reason: str
) -> Recommendation:
    """The partnership's judgement of a recommendation's status, kept over the status its
    actions give (with who set it, when and why) until cleared: an empty `rag` goes back to
    the derived status."""
    user = _manager(actor)
    recommendation = _locked_recommendation(recommendation_id)
    check_version(recommendation, expected_version, "recommendation")
    reason = reason.strip()
    errors: dict[str, str] = {}
    if rag and rag not in Rag.values:
        errors["rag"] = "Choose the status"
    elif rag and not reason:
        errors["reason"] = "Say why the status is not the one its actions give"
    if len(reason) > COMMENT_MAX:
        errors["reason"] = f"The reason must be {COMMENT_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    previous = recommendation.rag_set
    recommendation.rag_set = rag
    recommendation.rag_reason = reason if rag else ""
    recommendation.rag_set_by = user if rag else None
    recommendation.rag_set_at = timezone.now() if rag else None
    recommendation.save()
    record_access(
        user=user,
        action="set_recommendation_status",
        record=recommendation,
        detail={"status": rag or "derived", "previous": previous or "derived"},
    )
    return recommendation


def _check_action(
    errors: dict[str, str],
    *,
    agency: Agency,
    description: str,
    owner_id: int | None,
    due_on: datetime.date | None,
) -> Practitioner | None:
    _check_text(errors, "description", description, "what the action is", TEXT_MAX, required=True)
    owner = (
        Practitioner.objects.select_related("agency", "user").filter(pk=owner_id).first()
        if owner_id
        else None
    )
    if owner is None:
        errors["owner"] = "Choose who owns the action"
    elif owner.agency_id != agency.pk:
        errors["owner"] = (
            f"{owner.full_name} works for {owner.agency.name}: the owner must work for {agency.name}, "
            "which owns the recommendation"
        )
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    return owner


def _tell_owner(action: RecommendationAction, owner: Practitioner, *, by: User) -> None:
    if owner.user is not None and owner.user_id != by.pk:
        due = action.due_on
        notify(
            recipients=[owner.user],
            subject=f"An action on a recommendation is yours, due {due.day} {due:%B %Y}",
            body=action.description,
            link=_action_link(action),
            email=True,
        )


@transaction.atomic
def add_action(
    *,
    actor: AnyUser,
    recommendation_id: int,
    description: str,
    owner_id: int | None,
    due_on: datetime.date | None,
) -> RecommendationAction:
    """Plan an action on a recommendation: what will be done, by whom (someone of the agency
    that owns it) and by when. The owner is told."""
    user = _manager(actor)
    recommendation = _locked_recommendation(recommendation_id)
    description = description.strip()
    errors: dict[str, str] = {}
    owner = _check_action(
        errors, agency=recommendation.agency, description=description, owner_id=owner_id, due_on=due_on
    )
    if recommendation.response == Response.NOT_ACCEPTED:
        errors["description"] = (
            "The recommendation is not accepted: record a different response to plan actions"
        )
    if errors:
        raise ValidationError(errors)
    assert owner is not None and due_on is not None
    action = RecommendationAction.objects.create(
        recommendation=recommendation,
        description=description,
        owner=owner,
        due_on=due_on,
        created_by=user,
        created_at=timezone.now(),
    )
    record_access(
        user=user,
        action="add_recommendation_action",
        record=action,
        detail={"recommendation": recommendation.pk, "owner": owner.pk, "due_on": due_on},
    )
    _tell_owner(action, owner, by=user)
    return action


def _locked_action(actor: AnyUser, action_id: int) -> RecommendationAction:
    found = (
        recommendation_actions_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("owner", "recommendation__agency")
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        raise Http404("No such action")
    return found


@transaction.atomic
def edit_action(
    *,
    actor: AnyUser,
    action_id: int,
    expected_version: int,
    description: str,
    owner_id: int | None,
    due_on: datetime.date | None,
) -> RecommendationAction:
    """Change an action's wording, owner or due date (a new owner is told)."""
    user = _manager(actor)
    action = _locked_action(user, action_id)
    check_version(action, expected_version, "action")
    description = description.strip()
    errors: dict[str, str] = {}
    owner = _check_action(
        errors, agency=action.recommendation.agency, description=description, owner_id=owner_id, due_on=due_on
    )
    if errors:
        raise ValidationError(errors)
    assert owner is not None and due_on is not None
    new_owner = owner.pk != action.owner_id
    detail: dict[str, object] = {}
    if due_on != action.due_on:
        detail["due_on"] = {"from": action.due_on, "to": due_on}
    if new_owner:
        detail["owner"] = {"from": action.owner_id, "to": owner.pk}
    action.description, action.owner, action.due_on = description, owner, due_on
    action.save()
    record_access(user=user, action="edit_recommendation_action", record=action, detail=detail)
    if new_owner:
        _tell_owner(action, owner, by=user)
    return action


def may_record_progress(user: AnyUser, action: RecommendationAction) -> bool:
    """The action's owner records its progress; the partnership may record it for them."""
    if not user.is_authenticated:
        return False
    return bool(action.owner.user_id == user.pk) or has_permission(user, Permission.MANAGE_RECOMMENDATIONS)


def _check_evidence(errors: dict[str, str], evidence: Evidence | None) -> str:
    """The evidence's content type, or "" (with an error when the file may not be kept)."""
    if evidence is None:
        return ""
    name = evidence.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if not evidence.data:
        errors["evidence"] = "The file is empty"
    elif len(evidence.data) > EVIDENCE_MAX_BYTES:
        errors["evidence"] = f"The file must be smaller than {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB"
    elif extension not in EVIDENCE_TYPES:
        allowed = ", ".join(sorted({e.lstrip(".").upper() for e in EVIDENCE_TYPES}))
        errors["evidence"] = f"The file must be one of these kinds: {allowed}"
    elif len(name) > 200:
        errors["evidence"] = "The file's name must be 200 characters or fewer"
    return EVIDENCE_TYPES.get(extension, "")


@transaction.atomic
def record_progress(
    *,
    actor: AnyUser,
    action_id: int,
    expected_version: int,
    note: str,
    done: bool,
    evidence: Evidence | None = None,
) -> ProgressUpdate:
    """The owner's account of progress, with any evidence; `done` says the action is
    complete (today), and an update without it on a completed action reopens it."""
    action = _locked_action(actor, action_id)
    if not may_record_progress(actor, action):
        raise PermissionDenied
    assert isinstance(actor, User)
    check_version(action, expected_version, "action")
    note = note.strip()
    errors: dict[str, str] = {}
    _check_text(errors, "note", note, "the progress made", TEXT_MAX, required=True)
    content_type = _check_evidence(errors, evidence)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    was_done = action.completed_on is not None
    if done and not was_done:
        action.completed_on = timezone.localdate(now)
    elif not done and was_done:
        action.completed_on = None
    action.save()
    update = ProgressUpdate.objects.create(
        action=action, note=note, written_by=actor, written_at=now, marked_complete=done
    )
    if evidence is not None:
        ProgressEvidence.objects.create(
            update=update,
            name=evidence.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1],
            content_type=content_type,
            size=len(evidence.data),
            data=evidence.data,
        )
    record_access(
        user=actor,
        action="record_action_progress",
        record=action,
        detail={
            "update": update.pk,
            "done": done,
            "reopened": was_done and not done,
            "evidence": evidence is not None,
        },
    )
    return update


# --- Importing a set from a CSV file -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("number", "The recommendation's number in the report: 1, 2, 3a", True, "1"),
    Column(
        "recommendation",
        f"What the report recommends (at most {TEXT_MAX:,} characters). Name no child",
        True,
        "The partnership should make sure that every referral from a school is acknowledged "
        "to the school within one working day.",
    ),
    Column(
        "owning_agency",
        "The agency that owns it, as Jigsaw names it",
        True,
        "Riverford Children's Social Care",
    ),
    Column(
        "response",
        "Accepted, accepted in part or not accepted; leave empty while the agency has not responded",
        False,
        "Accepted",
    ),
    Column(
        "response_comment",
        "The agency's comment; needed when it is accepted in part or not accepted",
        False,
        "The front door will send the acknowledgement by secure e-mail.",
    ),
    Column(
        "action",
        "One action planned in answer to it; leave empty if none yet",
        False,
        "Change the front door's procedure",
    ),
    Column(
        "action_owner_email",
        "The e-mail address of the action's owner, who works for the owning agency",
        False,
        "j.smith@csc.riverford.example",
    ),
    Column("action_due_date", "When the action is due, as 31/03/2027", False, "31/03/2027"),
)
_NAMES = tuple(c.name for c in COLUMNS)
_RECOMMENDATION_COLUMNS = ("recommendation", "owning_agency", "response", "response_comment")
_RESPONSE_WORDS = {
    "": Response.AWAITING,
    "awaiting": Response.AWAITING,
    "awaiting response": Response.AWAITING,
    "accepted": Response.ACCEPTED,
    "accept": Response.ACCEPTED,
    "accepted in part": Response.ACCEPTED_IN_PART,
    "partially accepted": Response.ACCEPTED_IN_PART,
    "partly accepted": Response.ACCEPTED_IN_PART,
    "not accepted": Response.NOT_ACCEPTED,
    "rejected": Response.NOT_ACCEPTED,
}


def template_csv() -> str:
    """A file with the columns and two example lines (one recommendation, two actions)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_NAMES)
    first = [c.example for c in COLUMNS]
    writer.writerow(first)
    second = {c.name: "" for c in COLUMNS} | {
        "number": "1",
        "action": "Audit twenty school referrals to check the acknowledgement was sent",
        "action_owner_email": first[_NAMES.index("action_owner_email")],
        "action_due_date": "30/06/2027",
    }
    writer.writerow([second[n] for n in _NAMES])
    return out.getvalue()


@dataclasses.dataclass
class PlannedAction:
    description: str
    owner: Practitioner
    due_on: datetime.date
    line: int


@dataclasses.dataclass
class PlannedRecommendation:
    number: str
    text: str
    agency: Agency
    response: str
    comment: str
    line: int
    actions: list[PlannedAction] = dataclasses.field(default_factory=list)


ProblemSink = Callable[[str, int, str], None]


def _words(value: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", value).lower().split())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save "CSV" in Windows-1252.
        return data.decode("cp1252", errors="replace")


def read_import(data: bytes) -> tuple[list[PlannedRecommendation], list[Problem]]:
    """Every line of a file checked: the recommendations it plans, or every problem with
    its line number as a spreadsheet shows it (the header is line 1).

    One line per action: the lines with the same number are one recommendation, whose own
    columns may be left empty on its later lines but must not disagree.
    """
    if len(data) > IMPORT_MAX_BYTES:
        return [], [Problem(f"the file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB")]
    text = _decode(data)
    if "\x00" in text:
        return [], [Problem("the file is not a CSV file (it holds binary data)")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [Problem("the file is empty: the first line must name the columns", line=1)]
    names = [_words(h).replace(" ", "_") for h in header]
    problems: list[Problem] = []
    for name in names:
        if name and name not in _NAMES:
            problems.append(Problem(f'the column "{shown(name)}" is not one of this file\'s columns', line=1))
    for column in COLUMNS:
        if column.required and column.name not in names:
            problems.append(Problem(f'the column "{column.name}" is missing', line=1))
    if len({n for n in names if n}) != len([n for n in names if n]):
        problems.append(Problem("a column is named twice", line=1))
    if problems:
        return [], problems
    lines: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if number > IMPORT_MAX_LINES + 1:
                problems.append(Problem(f"the file has more than {IMPORT_MAX_LINES:,} lines", line=number))
                break
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(names):
                problems.append(
                    Problem(
                        f"the line has {len(values)} values but there are {len(names)} columns", line=number
                    )
                )
                continue
            cells = {n: v.strip() for n, v in zip(names, values, strict=False) if n}
            for name in cells:
                if name not in _RECOMMENDATION_COLUMNS or name == "owning_agency":
                    cells[name] = clean_text(cells[name])
            lines.append((number, cells))
    except csv.Error as error:
        return [], [Problem(f"the file cannot be read as CSV ({error})", line=reader.line_num)]
    if not lines and not problems:
        problems.append(Problem("the file has no recommendations: add a line for each one", line=2))
    planned = _plan(lines, problems)
    problems.sort(key=lambda p: p.line or 0)
    return ([] if problems else planned), problems


def _lookup_tables(
    lines: list[tuple[int, dict[str, str]]],
) -> tuple[dict[str, Agency], dict[str, list[Practitioner]]]:
    """The agencies and owners the file names, found in two queries."""
    agency_names = {_words(cells.get("owning_agency", "")) for _, cells in lines} - {""}
    agencies = {
        _words(a.name): a for a in Agency.objects.all().only("pk", "name") if _words(a.name) in agency_names
    }
    emails = {cells.get("action_owner_email", "").lower() for _, cells in lines} - {""}
    owners: dict[str, list[Practitioner]] = {}
    if emails:
        # Addresses are compared without case, as mail servers compare them.
        found = (
            Practitioner.objects.select_related("agency", "user")
            .annotate(own_email=Lower("secure_email"), sign_in_email=Lower("user__email"))
            .filter(Q(own_email__in=sorted(emails)) | Q(sign_in_email__in=sorted(emails)))
        )
        for practitioner in found:
            keys = {practitioner.secure_email.lower()}
            if practitioner.user is not None and practitioner.user.email:
                keys.add(practitioner.user.email.lower())
            for key in keys & emails:
                owners.setdefault(key, []).append(practitioner)
    return agencies, owners


def _plan(lines: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> list[PlannedRecommendation]:
    agencies, owners = _lookup_tables(lines)
    planned: dict[str, PlannedRecommendation] = {}
    first_line: dict[str, int] = {}
    first_values: dict[str, dict[str, str]] = {}

    def problem(message: str, line: int, field: str = "") -> None:
        problems.append(Problem(message, line=line, field=field))

    for line, cells in lines:
        number = clean_text(cells.get("number", ""))
        if not number:
            problem("the number is missing", line, "number")
            continue
        if len(number) > NUMBER_MAX:
            problem(f"the number is longer than {NUMBER_MAX} characters", line, "number")
            continue
        key = number.lower()
        recommendation = planned.get(key)
        if key in first_line:
            values = first_values[key]
            for name in _RECOMMENDATION_COLUMNS:
                value = cells.get(name, "")
                if value and values.get(name) and _words(value) != _words(values[name]):
                    label = name.replace("_", " ")
                    problem(
                        f"the {label} differs from line {first_line[key]}, which has the same number",
                        line,
                        name,
                    )
        else:
            first_line[key] = line
            first_values[key] = cells
            recommendation = _recommendation_from(number, cells, line, agencies, problem)
            if recommendation is not None:
                planned[key] = recommendation
        action = _action_from(cells, line, recommendation, owners, problem)
        if action is not None and recommendation is not None:
            recommendation.actions.append(action)
    return list(planned.values())


def _recommendation_from(
    number: str,
    cells: dict[str, str],
    line: int,
    agencies: dict[str, Agency],
    problem: ProblemSink,
) -> PlannedRecommendation | None:
    ok = True
    text = cells.get("recommendation", "")
    if not text:
        problem("the recommendation is missing", line, "recommendation")
        ok = False
    elif (message := text_problem("the recommendation", text, TEXT_MAX)) is not None:
        problem(message, line, "recommendation")
        ok = False
    agency_name = cells.get("owning_agency", "")
    agency = agencies.get(_words(agency_name))
    if not agency_name:
        problem("the owning agency is missing", line, "owning_agency")
        ok = False
    elif agency is None:
        problem(f"there is no agency called {shown(agency_name)} in Jigsaw", line, "owning_agency")
        ok = False
    response = _RESPONSE_WORDS.get(_words(cells.get("response", "")))
    comment = cells.get("response_comment", "")
    if response is None:
        problem(
            f"response {shown(cells['response'])} is not one of: accepted; accepted in part; not accepted "
            "(or empty while awaiting a response)",
            line,
            "response",
        )
        ok = False
    else:
        errors: dict[str, str] = {}
        _check_response(errors, response, comment)
        for message in errors.values():
            problem(message[0].lower() + message[1:], line, "response_comment")
            ok = False
    if not ok or agency is None or response is None:
        return None
    return PlannedRecommendation(number, text, agency, response, comment, line)


def _action_from(
    cells: dict[str, str],
    line: int,
    recommendation: PlannedRecommendation | None,
    owners: dict[str, list[Practitioner]],
    problem: ProblemSink,
) -> PlannedAction | None:
    description = cells.get("action", "")
    email = cells.get("action_owner_email", "")
    due = cells.get("action_due_date", "")
    if not (description or email or due):
        return None
    ok = True
    if not description:
        problem("the action is missing (the owner or due date is filled in)", line, "action")
        ok = False
    elif (message := text_problem("the action", description, TEXT_MAX)) is not None:
        problem(message, line, "action")
        ok = False
    owner: Practitioner | None = None
    if not email:
        problem("the action owner's e-mail address is missing", line, "action_owner_email")
        ok = False
    else:
        found = owners.get(email.lower(), [])
        if recommendation is not None:
            mine = [p for p in found if p.agency_id == recommendation.agency.pk]
            if not found:
                problem(f"nobody in Jigsaw has the e-mail address {shown(email)}", line, "action_owner_email")
                ok = False
            elif not mine:
                problem(
                    f"{found[0].full_name} ({shown(email)}) works for {found[0].agency.name}, not for "
                    f"{recommendation.agency.name}, which owns the recommendation",
                    line,
                    "action_owner_email",
                )
                ok = False
            else:
                owner = mine[0]
        elif not found:
            problem(f"nobody in Jigsaw has the e-mail address {shown(email)}", line, "action_owner_email")
            ok = False
    due_on: datetime.date | None = None
    if not due:
        problem("the action's due date is missing", line, "action_due_date")
        ok = False
    else:
        due_on = parse_date(due)
        if due_on is None:
            problem(f"due date {shown(due)} is not a date (write it as 31/03/2027)", line, "action_due_date")
            ok = False
    if not ok or owner is None or due_on is None:
        return None
    return PlannedAction(description, owner, due_on, line)


@transaction.atomic
def import_set(*, actor: AnyUser, details: SetDetails, data: bytes) -> RecommendationSet:
    """A set of recommendations, with their responses and actions, from a CSV file: all of
    it or, if any line is wrong, nothing (ImportRefused lists every bad line and why)."""
    user = _manager(actor)
    details = _check_details(details)
    planned, problems = read_import(data)
    if problems:
        raise ImportRefused(problems)
    recommendation_set = _new_set(user, details)
    now = timezone.now()
    recommendations = Recommendation.objects.bulk_create(
        [
            Recommendation(
                recommendation_set=recommendation_set,
                number=p.number,
                position=place,
                text=p.text,
                agency=p.agency,
                response=p.response,
                response_comment=p.comment,
                responded_by=None if p.response == Response.AWAITING else user,
                responded_at=None if p.response == Response.AWAITING else now,
            )
            for place, p in enumerate(planned, start=1)
        ]
    )
    actions = RecommendationAction.objects.bulk_create(
        [
            RecommendationAction(
                recommendation=recommendation,
                description=a.description,
                owner=a.owner,
                due_on=a.due_on,
                created_by=user,
                created_at=now,
            )
            for recommendation, p in zip(recommendations, planned, strict=True)
            for a in p.actions
        ]
    )
    record_access(
        user=user,
        action="import_recommendation_set",
        record=recommendation_set,
        detail={"recommendations": len(recommendations), "actions": len(actions), "title": details.title},
    )
    # bulk_create gives keys on PostgreSQL and SQLite; each owner who signs in is told once.
    by_owner: dict[int, list[RecommendationAction]] = {}
    for action in actions:
        if action.owner.user_id is not None and action.owner.user_id != user.pk:
            by_owner.setdefault(action.owner.user_id, []).append(action)
    for owned in by_owner.values():
        owner_user = owned[0].owner.user
        assert owner_user is not None
        notify(
            recipients=[owner_user],
            subject=f"{len(owned)} action{'s' if len(owned) != 1 else ''} on the recommendations of "
            f"{recommendation_set.title} {'are' if len(owned) != 1 else 'is'} yours",
            link=reverse("quality:recommendations"),
            email=True,
        )
    return recommendation_set
