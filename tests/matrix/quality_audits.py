"""Case file audits: the landing page is everyone's (audits assigned to them, actions for
them); programmes, choosing cases and assigning are for those who manage audits (team
managers, the partnership); an audit opens for them and for its auditor and moderator
(others: 404); an agency's part for the practitioner answering it; an audit action for its
owner; the themes report for managers, analysts and the partnership. Findings and adding
one case are POSTs."""

from __future__ import annotations

from django.utils import timezone

from jigsaw.people.models import Person
from jigsaw.quality.models.audits import AgencyAuditPart, AuditAction, AuditCase, AuditFinding, AuditProgramme
from jigsaw.quality.queries.audits import default_questions
from tests.factories import persona

MANAGERS = frozenset({"team_manager", "partnership_member"})
THEMES = frozenset({"team_manager", "analyst", "partnership_member"})


def _programme() -> AuditProgramme:
    today = timezone.localdate()
    return AuditProgramme.objects.create(
        title="Under fives on a plan",
        purpose="Are the youngest children seen?",
        period_start=today,
        period_end=today,
        multi_agency=True,
        created_by=persona("team_manager"),
        created_at=timezone.now(),
    )


def _case(person: Person, status: str = "not_started") -> AuditCase:
    """Audited by the conference chair, moderated by the team manager."""
    return AuditCase.objects.create(
        programme=_programme(),
        person=person,
        auditor=persona("conference_chair"),
        moderator=persona("team_manager"),
        status=status,
        overall_grade="good" if status == "submitted" else "",
        added_by=persona("team_manager"),
        added_at=timezone.now(),
    )


def _not_started(person: Person) -> list[object]:
    return [_case(person).pk]


def _submitted(person: Person) -> list[object]:
    return [_case(person, "submitted").pk]


def _part(person: Person) -> list[object]:
    dsl = persona("school_dsl")
    part = AgencyAuditPart.objects.create(
        case=_case(person), agency=dsl.practitioner.agency, practitioner=dsl
    )
    return [part.pk]


def _action(person: Person) -> list[object]:
    finding = AuditFinding.objects.create(
        case=_case(person, "submitted"),
        theme=default_questions()[0],
        text="Views not recorded",
        recorded_by=persona("conference_chair"),
        recorded_at=timezone.now(),
    )
    action = AuditAction.objects.create(
        finding=finding,
        owner=persona("social_worker"),
        owner_is="worker",
        description="Record views",
        due_on=timezone.localdate(),
    )
    return [action.pk]


def _programme_args(person: Person) -> list[object]:
    return [_programme().pk]


def _managers(who: str) -> int:
    return 200 if who in MANAGERS else 403


def _audit_page(who: str) -> int:
    return 200 if who in MANAGERS | {"conference_chair"} else 404


def _audit_form(who: str) -> int:
    if who == "conference_chair":
        return 200
    return 403 if who in MANAGERS else 404


def _moderate(who: str) -> int:
    if who == "team_manager":
        return 200
    return 403 if who in {"partnership_member", "conference_chair"} else 404


def _part_page(who: str) -> int:
    if who == "school_dsl":
        return 200
    # Those who may open the whole audit are taken to it.
    return 302 if who in MANAGERS | {"conference_chair"} else 404


def _action_page(who: str) -> int:
    return 200 if who in MANAGERS | {"social_worker"} else 404


EXPECTED = {
    "quality:audits": lambda who: 200,
    "quality:audit_programme_new": _managers,
    "quality:audit_programme": _managers,
    "quality:audit_criteria": _managers,
    "quality:audit_add_case": lambda who: 405,
    "quality:audit_themes": lambda who: 200 if who in THEMES else 403,
    "quality:audit_themes_csv": lambda who: 200 if who in THEMES else 403,
    "quality:audit_case": _audit_page,
    "quality:audit_assign": _managers,
    "quality:audit_form": _audit_form,
    "quality:audit_moderate": _moderate,
    "quality:audit_add_finding": lambda who: 405,
    "quality:audit_part": _part_page,
    "quality:audit_action": _action_page,
}

RECORDS = {
    "quality:audit_programme": _programme_args,
    "quality:audit_criteria": _programme_args,
    "quality:audit_add_case": _programme_args,
    "quality:audit_case": _not_started,
    "quality:audit_assign": _not_started,
    "quality:audit_form": _not_started,
    "quality:audit_moderate": _submitted,
    "quality:audit_add_finding": _not_started,
    "quality:audit_part": _part,
    "quality:audit_action": _action,
}
