"""The one access policy. Every view and API endpoint asks it; nothing else decides.

Two questions, one rule:
- `has_permission(user, permission)`: may this user do this kind of thing at all?
- `people_visible_to(user)`: which people may this user see? Detail pages fetch through
  the same queryset (`get_person_for`), so a list can never show what a page would refuse,
  and a missing record and a forbidden one both answer 404.

The rule for people:
- social care staff see the authority's person index, except restricted records, which
  only their named users see;
- partner practitioners see the children for whom they are a named professional (and
  restricted ones only if also named on the restriction);
- anyone may see a record they have opened by breaking glass, until the grant expires;
- analysts, partnership members, the data protection officer and administrators see no
  individual child through these pages (the DPO's audit pages show who looked, not what).

Business support officers and social work assistants are council social care staff but
not qualified social workers, so they are not among SOCIAL_CARE_ROLES: they see no child's
record, contact or casework through these pages, cannot decide a contact, authorise, or
open a restricted record (nor break glass). What they see of a child is what a task
delegated to them says (the child's name, the episode, the meeting):
`delegated_tasks_visible_to` gives them the tasks assigned to them, taken by them or
of their own team, never a task about a restricted child unless they are
named on the restriction. They record only on the task (taking it, the note and what was
booked when done, the reason when handing it back): no case notes.

Records that are not a person's follow the same pattern, one `*_visible_to` queryset each:
escalations, and oversight's audits (and agencies' parts of them), section 11 returns,
practice reviews, recommendation actions and supervision actions, open by role and by
being named on the record (its auditor, owner, panel member, or the agency it belongs to).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jigsaw.access.roles import SOCIAL_CARE_ROLES, Role

if TYPE_CHECKING:
    from jigsaw.escalation.models import Escalation
    from jigsaw.people.models import Person
    from jigsaw.quality.models.audits import AgencyAuditPart, AuditCase
    from jigsaw.quality.models.practice_reviews import PracticeReview
    from jigsaw.quality.models.recommendations import RecommendationAction
    from jigsaw.quality.models.section11 import Section11Return
    from jigsaw.quality.models.supervision import SupervisionAction
    from jigsaw.support.models import DelegatedTask
    from jigsaw.vulnerable_families.models import StandingMeeting

AnyUser = AbstractBaseUser | AnonymousUser


class Permission(enum.StrEnum):
    FIND_PEOPLE = "people.find"
    VIEW_PERSON = "people.view"
    CREATE_PERSON = "people.create"
    CHANGE_PERSON = "people.change"
    VIEW_CONTACTS = "casework.view_contacts"
    RECORD_CONTACT = "casework.record_contact"
    DECIDE_CONTACT = "casework.decide_contact"
    AUTHORISE_DECISION = "casework.authorise_decision"
    VIEW_CASEWORK = "casework.view"
    RECORD_CASEWORK = "casework.record"
    AUTHORISE_CASEWORK = "casework.authorise"
    ALLOCATE = "casework.allocate"
    CHAIR_CONFERENCE = "casework.chair_conference"
    EDIT_NETWORK = "partners.edit_network"
    RAISE_CONCERN = "partners.raise_concern"
    CHECK_FLAG = "partners.check_flag"
    UPLOAD_EVENTS = "partners.upload_events"
    MANAGE_FEEDS = "partners.manage_feeds"
    REVIEW_MATCHES = "matching.review"
    MERGE_PEOPLE = "matching.merge"
    BREAK_GLASS = "access.break_glass"
    RESTRICT_RECORD = "access.restrict"
    REVIEW_ACCESS = "access.review"
    ADMINISTER = "site.administer"
    VIEW_ACCESS_LOG = "access.view_log"
    # Figures about the partnership's work (attendance at conferences by agency): no child named.
    VIEW_PARTNERSHIP_FIGURES = "performance.view_partnership_figures"
    # Escalation: any practitioner may escalate; managers and the partnership oversee.
    RAISE_ESCALATION = "escalation.raise"
    VIEW_ESCALATION_REPORT = "escalation.view_report"
    # The missing children panel: episodes, repeat missing and return interviews (children
    # listed only through people_visible_to; the others counted).
    VIEW_MISSING_PANEL = "casework.view_missing_panel"
    # Oversight (the quality app). Most oversight work is also granted by being named on the
    # record (the auditor of an audit, an action's owner, a review panel's member): those
    # rules are the `*_visible_to` functions below; these say what a role may do at all.
    VIEW_OVERSIGHT = "quality.view"  # the Oversight pages: your training, your actions
    VIEW_SUPERVISION = "quality.view_supervision"  # your own supervision (managers: their team's)
    RECORD_SUPERVISION = "quality.record_supervision"
    MANAGE_AUDITS = "quality.manage_audits"  # programmes, choosing cases, assigning, moderating
    VIEW_AUDIT_THEMES = "quality.view_audit_themes"  # the themes report: grades, no child named
    MANAGE_SECTION11 = "quality.manage_section11"  # standards and rounds
    ANSWER_SECTION11 = "quality.answer_section11"  # for your own agency
    MANAGE_PRACTICE_REVIEWS = "quality.manage_practice_reviews"
    MANAGE_RECOMMENDATIONS = "quality.manage_recommendations"  # sets, imports, responses
    VIEW_RECOMMENDATIONS = "quality.view_recommendations"  # the scrutiny report
    MANAGE_TRAINING = "quality.manage_training"  # courses, sessions, attendance
    VIEW_TRAINING_TAKEUP = "quality.view_training_takeup"  # take-up by agency and role
    # The partnership's own business: its board (members, meetings, actions, governance)
    # and the guidance it issues. Everyone signed in reads the guidance addressed to them.
    MANAGE_BOARD = "partnership.manage_board"
    VIEW_BOARD = "partnership.view_board"
    ISSUE_GUIDANCE = "partnership.issue_guidance"
    # Performance: indicators, dashboards and forecasts (figures; the children behind a
    # figure only through people_visible_to), the statutory returns, and the board report.
    VIEW_PERFORMANCE = "performance.view"
    RUN_RETURNS = "performance.run_returns"  # CIN census and Annex A, with their validation
    WRITE_COMMENTARY = "performance.write_commentary"  # the board report's commentary boxes
    # Workforce: posts, who fills them, vacancies, absence, leavers and joiners.
    VIEW_WORKFORCE = "workforce.view"
    MANAGE_WORKFORCE = "workforce.manage"
    # Administrative work delegated off social workers (jigsaw/support): case-holders ask,
    # business support and social work assistants do it, managers and analysts see the report.
    REQUEST_SUPPORT = "support.request"
    DO_SUPPORT_TASKS = "support.do_tasks"
    VIEW_SUPPORT_REPORT = "support.view_report"
    # Vulnerable families meetings of a health visiting team and a GP practice: their
    # practitioners only (the agency rule is `vulnerable_families_visible_to`).
    VIEW_VULNERABLE_FAMILIES = "vulnerable_families.view"
    RECORD_VULNERABLE_FAMILIES = "vulnerable_families.record"
    # The voice of children and families (jigsaw/voice): social care staff record feedback
    # (on paper or by a single-use link), tag its themes and record advocates at
    # conferences; managers, analysts and the partnership read the themes report (figures).
    RECORD_FAMILY_FEEDBACK = "voice.record_feedback"
    VIEW_FEEDBACK_THEMES = "voice.view_themes"


_SOCIAL_CARE_READ = {
    Permission.VIEW_OVERSIGHT,
    Permission.FIND_PEOPLE,
    Permission.VIEW_PERSON,
    Permission.BREAK_GLASS,
    Permission.VIEW_CONTACTS,
    Permission.VIEW_CASEWORK,
    Permission.RAISE_ESCALATION,
}
_SOCIAL_CARE_WRITE = _SOCIAL_CARE_READ | {
    Permission.CREATE_PERSON,
    Permission.CHANGE_PERSON,
    Permission.RECORD_CONTACT,
    Permission.EDIT_NETWORK,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SOCIAL_WORKER: frozenset(
        _SOCIAL_CARE_WRITE
        | {
            Permission.RECORD_CASEWORK,
            Permission.VIEW_SUPERVISION,
            Permission.REQUEST_SUPPORT,
            Permission.RECORD_FAMILY_FEEDBACK,
        }
    ),
    Role.TEAM_MANAGER: frozenset(
        _SOCIAL_CARE_WRITE
        | {
            Permission.RESTRICT_RECORD,
            Permission.DECIDE_CONTACT,
            Permission.AUTHORISE_DECISION,
            Permission.RECORD_CASEWORK,
            Permission.AUTHORISE_CASEWORK,
            Permission.ALLOCATE,
            Permission.CHAIR_CONFERENCE,
            Permission.REVIEW_MATCHES,
            Permission.MERGE_PEOPLE,
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ESCALATION_REPORT,
            Permission.VIEW_MISSING_PANEL,
            # A manager supervises their team's cases, audits files and answers section 11
            # for children's social care.
            Permission.VIEW_SUPERVISION,
            Permission.RECORD_SUPERVISION,
            Permission.MANAGE_AUDITS,
            Permission.VIEW_AUDIT_THEMES,
            Permission.ANSWER_SECTION11,
            Permission.VIEW_RECOMMENDATIONS,
            Permission.VIEW_TRAINING_TAKEUP,
            Permission.VIEW_BOARD,
            # A manager sees their service's performance, checks the returns for the
            # records to put right, writes commentary, and keeps their team's posts.
            Permission.VIEW_PERFORMANCE,
            Permission.RUN_RETURNS,
            Permission.WRITE_COMMENTARY,
            Permission.VIEW_WORKFORCE,
            Permission.MANAGE_WORKFORCE,
            # A manager delegates admin for their team's cases and sees how much is delegated.
            Permission.REQUEST_SUPPORT,
            Permission.VIEW_SUPPORT_REPORT,
            # Families' feedback on their conferences and episodes, and its themes.
            Permission.RECORD_FAMILY_FEEDBACK,
            Permission.VIEW_FEEDBACK_THEMES,
        }
    ),
    # The front door records and decides contacts; casework after the referral is the
    # allocated team's.
    # The front door also keeps the index clean: it reviews possible matches and merges
    # duplicates (and unmerges a wrong merge).
    Role.FRONT_DOOR_OFFICER: frozenset(
        _SOCIAL_CARE_WRITE | {Permission.DECIDE_CONTACT, Permission.REVIEW_MATCHES, Permission.MERGE_PEOPLE}
    ),
    # The chair (independent reviewing officer) reads the records of the children whose
    # conferences they chair and records the conference: attendance, decisions, the plan.
    Role.CONFERENCE_CHAIR: frozenset(
        _SOCIAL_CARE_READ
        | {
            Permission.CHAIR_CONFERENCE,
            Permission.VIEW_PARTNERSHIP_FIGURES,
            # The chair records the parents' advocate and feedback given at the conference.
            Permission.RECORD_FAMILY_FEEDBACK,
        }
    ),
    # Partners open the records of children they are named for, raise concerns (and see
    # their own), ask the flag check, and send their agency's events as a CSV file.
    Role.PARTNER_PRACTITIONER: frozenset(
        {
            Permission.VIEW_PERSON,
            Permission.RAISE_CONCERN,
            Permission.CHECK_FLAG,
            Permission.UPLOAD_EVENTS,
            Permission.RAISE_ESCALATION,
            # The agency's safeguarding lead answers section 11 for the agency.
            Permission.VIEW_OVERSIGHT,
            Permission.ANSWER_SECTION11,
            # Health visitors and GPs hold vulnerable families meetings (other agencies'
            # practitioners see none: vulnerable_families_visible_to).
            Permission.VIEW_VULNERABLE_FAMILIES,
            Permission.RECORD_VULNERABLE_FAMILIES,
        }
    ),
    # Analysts and partnership members work with figures, not with individual children.
    Role.PERFORMANCE_ANALYST: frozenset(
        {
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ESCALATION_REPORT,
            Permission.VIEW_MISSING_PANEL,
            Permission.VIEW_OVERSIGHT,
            Permission.VIEW_AUDIT_THEMES,
            Permission.VIEW_RECOMMENDATIONS,
            Permission.VIEW_TRAINING_TAKEUP,
            Permission.VIEW_BOARD,
            Permission.VIEW_PERFORMANCE,
            Permission.RUN_RETURNS,
            Permission.WRITE_COMMENTARY,
            Permission.VIEW_WORKFORCE,
            Permission.VIEW_SUPPORT_REPORT,
            Permission.VIEW_FEEDBACK_THEMES,
        }
    ),
    # The partnership's business unit runs oversight: audit programmes, section 11 rounds,
    # practice reviews, recommendation tracking and the training offer.
    Role.PARTNERSHIP_MEMBER: frozenset(
        {
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ESCALATION_REPORT,
            Permission.VIEW_MISSING_PANEL,
            Permission.VIEW_OVERSIGHT,
            Permission.MANAGE_AUDITS,
            Permission.VIEW_AUDIT_THEMES,
            Permission.MANAGE_SECTION11,
            Permission.MANAGE_PRACTICE_REVIEWS,
            Permission.MANAGE_RECOMMENDATIONS,
            Permission.VIEW_RECOMMENDATIONS,
            Permission.MANAGE_TRAINING,
            Permission.VIEW_TRAINING_TAKEUP,
            Permission.MANAGE_BOARD,
            Permission.VIEW_BOARD,
            Permission.ISSUE_GUIDANCE,
            Permission.VIEW_PERFORMANCE,
            Permission.WRITE_COMMENTARY,
            Permission.VIEW_WORKFORCE,
            Permission.VIEW_FEEDBACK_THEMES,
        }
    ),
    Role.DATA_PROTECTION_OFFICER: frozenset(
        {
            Permission.REVIEW_ACCESS,
            Permission.VIEW_ACCESS_LOG,
            Permission.RESTRICT_RECORD,
            Permission.VIEW_OVERSIGHT,
        }
    ),
    # Administrators issue agency systems' API tokens and keep the alert rules.
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.ADMINISTER,
            Permission.VIEW_ACCESS_LOG,
            Permission.MANAGE_FEEDS,
            Permission.VIEW_OVERSIGHT,
            Permission.MANAGE_TRAINING,
            Permission.MANAGE_BOARD,
            Permission.VIEW_BOARD,
            Permission.ISSUE_GUIDANCE,
            Permission.VIEW_WORKFORCE,
            Permission.MANAGE_WORKFORCE,
        }
    ),
    # Not qualified social workers: they do the tasks delegated to them (see the module
    # docstring and `delegated_tasks_visible_to`); like every member of staff they see their
    # own training and actions under Oversight.
    Role.BUSINESS_SUPPORT: frozenset({Permission.DO_SUPPORT_TASKS, Permission.VIEW_OVERSIGHT}),
    Role.SOCIAL_WORK_ASSISTANT: frozenset({Permission.DO_SUPPORT_TASKS, Permission.VIEW_OVERSIGHT}),
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


def _user_id(user: AnyUser) -> int:
    assert user.is_authenticated and user.pk is not None
    return int(user.pk)


def _visible_people_condition(user: AnyUser) -> Q | None:
    """The rule as one condition on Person, or None when the user sees nobody."""
    from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
    from jigsaw.partners.models import NamedProfessional

    role = role_of(user)
    if role is None or not has_permission(user, Permission.VIEW_PERSON):
        return None
    hidden = RestrictedRecord.objects.exclude(permitted_users=_user_id(user)).values("person_id")
    opened = BreakGlassAccess.objects.filter(user_id=_user_id(user), expires_at__gt=timezone.now()).values(
        "person_id"
    )
    if role in SOCIAL_CARE_ROLES:
        normal = ~Q(pk__in=hidden)
    elif role == Role.PARTNER_PRACTITIONER:
        named = NamedProfessional.objects.filter(
            practitioner__user_id=_user_id(user), ended__isnull=True
        ).values("person_id")
        normal = Q(pk__in=named) & ~Q(pk__in=hidden)
    else:
        return None
    return normal | Q(pk__in=opened)


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """The people this user may see, by the rule above."""
    from jigsaw.people.models import Person

    condition = _visible_people_condition(user)
    if condition is None:
        return Person.objects.none()
    return Person.objects.filter(condition)


def get_person_for(user: AnyUser, pk: int, permission: Permission = Permission.VIEW_PERSON) -> Person:
    """Fetch and authorise in one step; missing and forbidden both raise Http404."""
    from jigsaw.people.models import Person

    if not has_permission(user, permission):
        raise Http404("No such person")
    try:
        return people_visible_to(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No such person") from None


def restricted_people_hidden_from(user: AnyUser) -> QuerySet[Person]:
    """Restricted people this user could open only by breaking glass (for search to say
    that a restricted record matches, without saying whose)."""
    from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
    from jigsaw.people.models import Person

    if not has_permission(user, Permission.BREAK_GLASS):
        return Person.objects.none()
    hidden = RestrictedRecord.objects.exclude(permitted_users=_user_id(user)).values("person_id")
    opened = BreakGlassAccess.objects.filter(user_id=_user_id(user), expires_at__gt=timezone.now()).values(
        "person_id"
    )
    return Person.objects.filter(pk__in=hidden).exclude(pk__in=opened)


def escalations_visible_to(user: AnyUser) -> QuerySet[Escalation]:
    """The escalations this user may open: those they raised, hold or held, or whose
    decision is questioned; and for social care staff, those about people they may see.
    A partner sees only the escalations they are part of, whatever the child."""
    from jigsaw.escalation.models import Escalation

    if role_of(user) is None:
        return Escalation.objects.none()
    uid = _user_id(user)
    involved = Q(raised_by_id=uid) | Q(respondent_id=uid) | Q(holder_id=uid) | Q(steps__holder_id=uid)
    condition = involved
    if role_of(user) in SOCIAL_CARE_ROLES:
        people = _visible_people_condition(user)
        if people is not None:
            from jigsaw.people.models import Person

            condition = condition | Q(person__in=Person.objects.filter(people))
    ids = Escalation.objects.filter(condition).values("pk")
    return Escalation.objects.filter(pk__in=ids)


def section11_returns_visible_to(user: AnyUser) -> QuerySet[Section11Return]:
    """The section 11 returns this user may open: every one for those who run the rounds;
    their own agency's for those who answer for it (a school's DSL, the social care manager)."""
    from jigsaw.quality.models.section11 import Section11Return

    if has_permission(user, Permission.MANAGE_SECTION11):
        return Section11Return.objects.all()
    if not has_permission(user, Permission.ANSWER_SECTION11):
        return Section11Return.objects.none()
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        return Section11Return.objects.none()
    return Section11Return.objects.filter(agency_id=practitioner.agency_id)


def practice_reviews_visible_to(user: AnyUser) -> QuerySet[PracticeReview]:
    """The practice reviews whose confidential parts (the incident, the child, the documents,
    the drafts, the unpublished summary) this user may see: every one for those who manage
    reviews, and those whose panel they sit on. A published review's summary is open to all
    who see Oversight; that is a query of the quality app, not this rule."""
    from jigsaw.quality.models.practice_reviews import PracticeReview

    if role_of(user) is None:
        return PracticeReview.objects.none()
    if has_permission(user, Permission.MANAGE_PRACTICE_REVIEWS):
        return PracticeReview.objects.all()
    return PracticeReview.objects.filter(panel__id=_user_id(user))


def recommendation_actions_visible_to(user: AnyUser) -> QuerySet[RecommendationAction]:
    """The actions on recommendations this user may open: every one for those who manage or
    see the recommendations; otherwise those they own (an action's owner records its
    progress, whatever their role)."""
    from jigsaw.quality.models.recommendations import RecommendationAction

    if role_of(user) is None:
        return RecommendationAction.objects.none()
    if has_permission(user, Permission.MANAGE_RECOMMENDATIONS) or has_permission(
        user, Permission.VIEW_RECOMMENDATIONS
    ):
        return RecommendationAction.objects.all()
    return RecommendationAction.objects.filter(owner__user_id=_user_id(user))


def audit_cases_visible_to(user: AnyUser) -> QuerySet[AuditCase]:
    """The case file audits this user may open whole: every audit for those who manage
    audit programmes; otherwise those they audit or moderate. A practitioner answering an
    agency's part of a multi-agency audit opens only that part (`audit_parts_visible_to`)."""
    from jigsaw.access.models import RestrictedRecord
    from jigsaw.quality.models.audits import AuditCase

    if role_of(user) is None:
        return AuditCase.objects.none()
    uid = _user_id(user)
    # A restricted child's audit opens only for those named on the restriction, whoever
    # manages the programme or was assigned to it.
    hidden = RestrictedRecord.objects.exclude(permitted_users=uid).values("person_id")
    cases = AuditCase.objects.exclude(person__in=hidden)
    if has_permission(user, Permission.MANAGE_AUDITS):
        return cases
    return cases.filter(Q(auditor_id=uid) | Q(moderator_id=uid))


def audit_parts_visible_to(user: AnyUser) -> QuerySet[AgencyAuditPart]:
    """An agency's part of a multi-agency audit: its practitioner answers it; those who may
    open the whole audit read it."""
    from jigsaw.quality.models.audits import AgencyAuditPart

    if role_of(user) is None:
        return AgencyAuditPart.objects.none()
    uid = _user_id(user)
    return AgencyAuditPart.objects.filter(Q(practitioner_id=uid) | Q(case__in=audit_cases_visible_to(user)))


def delegated_tasks_visible_to(user: AnyUser) -> QuerySet[DelegatedTask]:
    """The delegated admin tasks this user may open. Those who ask for help (case-holders):
    tasks about the children they may see (people_visible_to). Those who do the tasks: the
    ones assigned to them or taken by them, and their own team's (its queue, and what
    colleagues have taken, so the team can cover for each other). Nobody else. A task about a restricted child opens only for those named
    on the restriction (or a case-holder who broke glass), whoever asked or was given it."""
    from jigsaw.access.models import RestrictedRecord
    from jigsaw.support.models import DelegatedTask

    if has_permission(user, Permission.REQUEST_SUPPORT):
        return DelegatedTask.objects.filter(person__in=people_visible_to(user))
    if not has_permission(user, Permission.DO_SUPPORT_TASKS):
        return DelegatedTask.objects.none()
    uid = _user_id(user)
    hidden = RestrictedRecord.objects.exclude(permitted_users=uid).values("person_id")
    mine = Q(assigned_to_id=uid) | Q(taken_by_id=uid)
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None and practitioner.team_id is not None:
        mine = mine | Q(team_id=practitioner.team_id)
    return DelegatedTask.objects.filter(mine).exclude(person__in=hidden)


def supervision_actions_visible_to(user: AnyUser) -> QuerySet[SupervisionAction]:
    """The supervision actions this user may see: those they own, and those agreed in a
    supervision they gave or received. Marking one done is for its owner or supervisor."""
    from jigsaw.quality.models.supervision import SupervisionAction

    if not has_permission(user, Permission.VIEW_SUPERVISION):
        return SupervisionAction.objects.none()
    uid = _user_id(user)
    return SupervisionAction.objects.filter(
        Q(owner_id=uid) | Q(supervision__supervisor_id=uid) | Q(supervision__worker_id=uid)
    )


# The kinds of agency that hold vulnerable families meetings together.
VULNERABLE_FAMILIES_AGENCY_KINDS = frozenset({"health_visiting", "gp_practice"})


def takes_part_in_vulnerable_families(user: AnyUser) -> bool:
    """Whether the user is a practitioner of a health visiting team or a GP practice (the
    navigation shows the meetings only to them)."""
    if not has_permission(user, Permission.VIEW_VULNERABLE_FAMILIES):
        return False
    practitioner = getattr(user, "practitioner", None)
    return practitioner is not None and practitioner.agency.kind in VULNERABLE_FAMILIES_AGENCY_KINDS


def vulnerable_families_visible_to(user: AnyUser) -> QuerySet[StandingMeeting]:
    """The vulnerable families meetings this user may open, and record in: those of their
    own health visiting team or GP practice. Recorded once, both sides see the same record;
    nobody else in a partner agency sees them. Social care sees none of them here: a child
    discussed appears in their chronology, and a referral that followed is the front
    door's own contact. The children named inside are further limited by
    `restricted_people_hidden_from_partners`."""
    from jigsaw.vulnerable_families.models import StandingMeeting

    practitioner = getattr(user, "practitioner", None)
    if practitioner is None or not takes_part_in_vulnerable_families(user):
        return StandingMeeting.objects.none()
    agency_id = practitioner.agency_id
    return StandingMeeting.objects.filter(Q(health_visiting_id=agency_id) | Q(gp_practice_id=agency_id))


def restricted_people_hidden_from_partners(user: AnyUser) -> QuerySet[Person]:
    """Restricted people this user is not named on (nor has opened by breaking glass):
    pages that list children outside the person index (a vulnerable families meeting's
    list) name them only as "a child whose record is restricted"."""
    from jigsaw.access.models import BreakGlassAccess, RestrictedRecord
    from jigsaw.people.models import Person

    if role_of(user) is None:
        return Person.objects.none()
    hidden = RestrictedRecord.objects.exclude(permitted_users=_user_id(user)).values("person_id")
    opened = BreakGlassAccess.objects.filter(user_id=_user_id(user), expires_at__gt=timezone.now()).values(
        "person_id"
    )
    return Person.objects.filter(pk__in=hidden).exclude(pk__in=opened)
