"""The only code that changes vulnerable families meetings.

Health visitors and GPs are asked to share what they know about the families they worry
about (Working Together to Safeguard Children; Lord Laming's progress report, 2009, on
health's part in safeguarding young children). A health visiting team and a GP practice
meet regularly and record, once for both: who came, the families on the list, what was
discussed, the actions, and whether a referral to children's social care followed.

Every action here is for a practitioner of one of the meeting's two agencies (the access
policy's `vulnerable_families_visible_to`): anyone else gets "not found", whatever the
record. Each checks permission, validates in the user's words, writes in one transaction
with its access-log row (naming the children it concerns), and refuses a stale form.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import (
    AnyUser,
    Permission,
    restricted_people_hidden_from_partners,
    takes_part_in_vulnerable_families,
    vulnerable_families_visible_to,
)
from jigsaw.casework.actions.common import (
    EditConflict,
    acting_user,
    add_to_chronology,
    check_version,
    not_in_future,
)
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.partners.models import Agency, AgencyKind, Practitioner
from jigsaw.people.models import Person
from jigsaw.people.normalise import format_nhs_number, normalise_nhs_number
from jigsaw.vulnerable_families.models import (
    CARRIED_FORWARD,
    LONGEST_CADENCE_WEEKS,
    FamilyAction,
    FamilyChild,
    FamilyDiscussion,
    Meeting,
    Outcome,
    StandingMeeting,
)
from jigsaw.vulnerable_families.queries import contacts_for_family, practitioners_of

__all__ = [
    "EditConflict",
    "StandingDetails",
    "add_family",
    "add_family_action",
    "record_attendance",
    "record_discussion",
    "save_standing_meeting",
    "schedule_meeting",
    "set_action_done",
]

# A family is a household's children; more than this on one line of the list is a mistake.
MOST_CHILDREN_IN_A_FAMILY = 10
# How far ahead a meeting may be arranged.
LATEST_SCHEDULE = datetime.timedelta(days=366)


@dataclasses.dataclass(frozen=True)
class StandingDetails:
    health_visiting_id: int | None
    gp_practice_id: int | None
    health_visiting_lead_id: int | None
    gp_lead_id: int | None
    cadence_weeks: int | None
    venue: str = ""


def _agency(pk: int | None, kind: str) -> Agency | None:
    return None if pk is None else Agency.objects.filter(pk=pk, kind=kind).first()


def _works_for(practitioner_id: int | None, agency: Agency) -> bool:
    return (
        practitioner_id is not None
        and Practitioner.objects.filter(pk=practitioner_id, agency=agency).exists()
    )


def _standing_errors(user: User, details: StandingDetails, standing_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    health = _agency(details.health_visiting_id, AgencyKind.HEALTH_VISITING)
    gp = _agency(details.gp_practice_id, AgencyKind.GP_PRACTICE)
    if health is None:
        errors["health_visiting"] = "Choose the health visiting team from the list"
    if gp is None:
        errors["gp_practice"] = "Choose the GP practice from the list"
    own = user.practitioner.agency_id
    if health is not None and gp is not None and own not in (health.pk, gp.pk):
        errors["__all__"] = "You can set up a meeting only for your own health visiting team or GP practice"
    if health is not None and not _works_for(details.health_visiting_lead_id, health):
        errors["health_visiting_lead"] = "Choose the lead from the health visiting team's practitioners"
    if gp is not None and not _works_for(details.gp_lead_id, gp):
        errors["gp_lead"] = "Choose the lead from the GP practice's practitioners"
    if details.cadence_weeks is None or not 1 <= details.cadence_weeks <= LONGEST_CADENCE_WEEKS:
        errors["cadence_weeks"] = (
            f"Enter how often the meeting is held: between 1 and {LONGEST_CADENCE_WEEKS} weeks"
        )
    if (
        health is not None
        and gp is not None
        and StandingMeeting.objects.filter(health_visiting=health, gp_practice=gp)
        .exclude(pk=standing_id or 0)
        .exists()
    ):
        errors["gp_practice"] = "This team and practice already have a meeting: open it from your meetings"
    if len(details.venue.strip()) > 200:
        errors["venue"] = "Where the meeting is held must be 200 characters or fewer"
    return errors


@transaction.atomic
def save_standing_meeting(
    *,
    actor: AnyUser,
    details: StandingDetails,
    standing_id: int | None = None,
    expected_version: int | None = None,
) -> StandingMeeting:
    """Set up a health visiting team and a GP practice's regular meeting (by default every
    six weeks, as local protocols ask), or change it. Only a practitioner of one of the
    two agencies may, and each side's lead is one of its own practitioners."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    if not takes_part_in_vulnerable_families(user):
        raise PermissionDenied  # a school's or the police's practitioner, say
    if standing_id is None:
        standing = StandingMeeting(created_by=user, created_at=timezone.now())
    else:
        found = vulnerable_families_visible_to(user).select_for_update().filter(pk=standing_id).first()
        if found is None:
            raise Http404("No such meeting")
        standing = found
    errors = _standing_errors(user, details, standing_id)
    if errors:
        raise ValidationError(errors)
    if standing_id is not None:
        check_version(standing, expected_version if expected_version is not None else -1, "meeting")
    assert details.health_visiting_id is not None and details.gp_practice_id is not None
    assert details.health_visiting_lead_id is not None and details.gp_lead_id is not None
    assert details.cadence_weeks is not None
    standing.health_visiting_id = details.health_visiting_id
    standing.gp_practice_id = details.gp_practice_id
    standing.health_visiting_lead_id = details.health_visiting_lead_id
    standing.gp_lead_id = details.gp_lead_id
    standing.cadence_weeks = details.cadence_weeks
    standing.venue = details.venue.strip()
    standing.save()
    record_access(
        user=user,
        action="set_up_vulnerable_families_meeting"
        if standing_id is None
        else "change_vulnerable_families_meeting",
        record=standing,
        detail={"cadence_weeks": standing.cadence_weeks},
    )
    return standing


def _visible_standing(user: User, standing_id: int) -> StandingMeeting:
    standing = vulnerable_families_visible_to(user).filter(pk=standing_id).first()
    if standing is None:
        raise Http404("No such meeting")
    return standing


def _locked_meeting(user: User, meeting_id: int, expected_version: int) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .filter(pk=meeting_id, standing__in=vulnerable_families_visible_to(user))
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    check_version(meeting, expected_version, "meeting")
    return meeting


@transaction.atomic
def schedule_meeting(*, actor: AnyUser, standing_id: int, held_on: datetime.date | None) -> Meeting:
    """Arrange (or record after the event) a meeting on a day. The list carries forward:
    every family kept on the list at the meeting before, or listed and not yet discussed,
    is on the new meeting's list already, so no family drops off by being forgotten."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    standing = _visible_standing(user, standing_id)
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the meeting"})
    if held_on > timezone.localdate() + LATEST_SCHEDULE:
        raise ValidationError({"held_on": "The meeting must be within the next year"})
    if Meeting.objects.filter(standing=standing, held_on=held_on).exists():
        raise ValidationError({"held_on": "There is already a meeting on this day: open it from the list"})
    meeting = Meeting.objects.create(
        standing=standing, held_on=held_on, created_by=user, created_at=timezone.now()
    )
    carried = carry_forward(meeting)
    record_access(
        user=user,
        action="schedule_vulnerable_families_meeting",
        record=meeting,
        detail={"held_on": held_on.isoformat(), "carried_forward": carried},
    )
    return meeting


def carry_forward(meeting: Meeting) -> int:
    """List again, at `meeting`, the families still on the list at the meeting before it
    (kept on the list, or not yet discussed), unless already carried to another meeting.
    Runs in the caller's transaction; returns how many families were carried."""
    previous = (
        Meeting.objects.filter(standing_id=meeting.standing_id, held_on__lt=meeting.held_on)
        .order_by("-held_on", "-pk")
        .first()
    )
    if previous is None:
        return 0
    families = (
        FamilyDiscussion.objects.filter(
            meeting=previous, outcome__in=CARRIED_FORWARD, carried_to__isnull=True
        )
        .prefetch_related("children")
        .order_by("pk")
    )
    carried = 0
    for family in families:
        again = FamilyDiscussion.objects.create(meeting=meeting, reason=family.reason, carried_from=family)
        FamilyChild.objects.bulk_create(
            [FamilyChild(discussion=again, person=child) for child in family.children.all()]
        )
        carried += 1
    return carried


@transaction.atomic
def record_attendance(
    *, actor: AnyUser, meeting_id: int, expected_version: int, attendee_ids: list[int]
) -> Meeting:
    """Record who came: practitioners of either agency (all at once, replacing what was
    recorded)."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    meeting = _locked_meeting(user, meeting_id, expected_version)
    allowed = set(practitioners_of(meeting.standing).values_list("pk", flat=True))
    if any(pk not in allowed for pk in attendee_ids):
        raise ValidationError({"attendees": "Choose who came from the two agencies' practitioners"})
    meeting.attendees.set(attendee_ids)
    meeting.save(update_fields=["version"])
    record_access(
        user=user,
        action="record_vulnerable_families_attendance",
        record=meeting,
        detail={"attended": len(set(attendee_ids))},
    )
    return meeting


def child_for_nhs_number(user: User, nhs_number: str) -> Person | None:
    """The one child holding this NHS number (a merged record's survivor is not looked up:
    the index's own record holds the number). None when nobody does, several do, or the
    record is restricted and the user is not named on the restriction: the page then says
    only that Jigsaw cannot confirm the child, never whether a record exists."""
    held = list(Person.objects.filter(nhs_number=nhs_number, merged_into__isnull=True).order_by("pk")[:2])
    if len(held) != 1:
        return None
    if restricted_people_hidden_from_partners(user).filter(pk=held[0].pk).exists():
        return None
    return held[0]


@transaction.atomic
def add_family(
    *,
    actor: AnyUser,
    meeting_id: int,
    expected_version: int,
    nhs_numbers: list[str],
    reason: str = "",
) -> FamilyDiscussion:
    """Put a family on a meeting's list: its children, by NHS number (which both health
    agencies hold), and why. A child already on this meeting's list is refused."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    lines = [line.strip() for line in nhs_numbers if line.strip()]
    errors: list[str] = []
    children: list[Person] = []
    if not lines:
        raise ValidationError({"nhs_numbers": "Enter the NHS number of at least one child in the family"})
    if len(lines) > MOST_CHILDREN_IN_A_FAMILY:
        raise ValidationError(
            {"nhs_numbers": f"Enter at most {MOST_CHILDREN_IN_A_FAMILY} children: list a larger family twice"}
        )
    if len(reason.strip()) > 300:
        raise ValidationError({"reason": "Why the family is on the list must be 300 characters or fewer"})
    meeting = _locked_meeting(user, meeting_id, expected_version)
    listed = set(FamilyChild.objects.filter(discussion__meeting=meeting).values_list("person_id", flat=True))
    for line in lines:
        nhs = normalise_nhs_number(line)
        if nhs is None:
            errors.append(f"{line} is not a valid NHS number: enter 10 digits, like 943 476 5919")
            continue
        child = child_for_nhs_number(user, nhs)
        if child is None:
            errors.append(
                f"Jigsaw cannot confirm a child with NHS number {format_nhs_number(nhs)}: check the number. "
                "If you are worried about a child Jigsaw does not know, raise a concern with the front door"
            )
        elif child.pk in listed or child in children:
            errors.append(
                f"The child with NHS number {format_nhs_number(nhs)} is already on this meeting's list"
            )
        else:
            children.append(child)
    if errors:
        raise ValidationError({"nhs_numbers": errors})
    family = FamilyDiscussion.objects.create(meeting=meeting, reason=reason.strip())
    FamilyChild.objects.bulk_create([FamilyChild(discussion=family, person=child) for child in children])
    meeting.save(update_fields=["version"])
    record_access(
        user=user,
        action="add_vulnerable_family",
        record=meeting,
        detail={"family": family.pk, "children": len(children)},
        subjects=children,
    )
    return family


def _visible_discussion(user: User, discussion_id: int, *, lock: bool = False) -> FamilyDiscussion:
    found = FamilyDiscussion.objects.filter(
        pk=discussion_id, meeting__standing__in=vulnerable_families_visible_to(user)
    )
    if lock:
        found = found.select_for_update()
    discussion = found.select_related(
        "meeting__standing__health_visiting", "meeting__standing__gp_practice"
    ).first()
    if discussion is None:
        raise Http404("No such family")
    return discussion


@transaction.atomic
def record_discussion(
    *,
    actor: AnyUser,
    discussion_id: int,
    expected_version: int,
    concern: str,
    outcome: str,
    referral_made_on: datetime.date | None = None,
    contact_id: int | None = None,
) -> FamilyDiscussion:
    """Record what the meeting discussed about a family and its outcome: no further
    action, keep on the list, early help offered, or a referral to children's social care
    (dated; linked to the front door's contact when the front door recorded one from
    either agency). Each child's chronology shows the discussion, under the health
    visiting team, so the one chronology holds what health knows."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    discussion = _visible_discussion(user, discussion_id, lock=True)
    errors: dict[str, str] = {}
    concern = concern.strip()
    if not concern:
        errors["concern"] = "Enter what the meeting discussed: the concern, in a few lines"
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose the outcome for the family"
    referral = outcome == Outcome.REFERRAL
    if referral and referral_made_on is None:
        errors["referral_made_on"] = "Enter the date the referral was made"
    if not referral and referral_made_on is not None:
        errors["referral_made_on"] = (
            "Only a referral is dated: choose the referral outcome, or leave the date empty"
        )
    not_in_future(errors, "referral_made_on", referral_made_on, "The date the referral was made")
    if contact_id is not None:
        if not referral:
            errors["contact"] = "Only a referral is linked to the front door's contact"
        elif not contacts_for_family(discussion).filter(pk=contact_id).exists():
            errors["contact"] = "Choose the front door's contact from the list"
    if errors:
        raise ValidationError(errors)
    check_version(discussion, expected_version, "family's discussion")
    discussion.concern = concern
    discussion.outcome = outcome
    discussion.referral_made_on = referral_made_on if referral else None
    discussion.contact_id = contact_id if referral else None
    discussion.discussed_by = user
    discussion.save()
    children = list(discussion.children.all())
    _write_chronology(user, discussion, children)
    record_access(
        user=user,
        action="record_vulnerable_family_discussion",
        record=discussion,
        detail={"outcome": outcome, "contact": discussion.contact_id},
        subjects=children,
    )
    return discussion


def _write_chronology(user: User, discussion: FamilyDiscussion, children: list[Person]) -> None:
    """One entry a child for the discussion, changed in place when it is recorded again."""
    standing = discussion.meeting.standing
    summary = (
        f"Discussed at the vulnerable families meeting of {standing.health_visiting.name} and "
        f"{standing.gp_practice.name}: {Outcome(discussion.outcome).label.lower()}"
    )
    detail = discussion.concern
    if discussion.referral_made_on is not None:
        detail += f"\n\nReferral to children's social care made on {discussion.referral_made_on:%d/%m/%Y}."
    existing = {
        entry.person_id: entry
        for entry in ChronologyEntry.objects.filter(
            source_type=discussion._meta.label_lower, source_id=str(discussion.pk)
        )
    }
    for child in children:
        entry = existing.get(child.pk)
        if entry is not None:
            entry.summary = summary[:300]
            entry.detail = detail
            entry.save(update_fields=["summary", "detail"])
            continue
        add_to_chronology(
            person=child,
            occurred_on=discussion.meeting.held_on,
            kind=ChronologyKind.PARTNER_EVENT,
            summary=summary,
            detail=detail,
            source=discussion,
            recorded_by=user,
            agency_id=standing.health_visiting_id,
        )


@transaction.atomic
def add_family_action(
    *,
    actor: AnyUser,
    discussion_id: int,
    description: str,
    owner_id: int | None,
    due_on: datetime.date | None,
) -> FamilyAction:
    """Give a practitioner of either agency an action for a family, due on or after the
    meeting. It appears on their own list of meetings until it is done."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    discussion = _visible_discussion(user, discussion_id)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = "Enter what is to be done"
    elif len(description) > 300:
        errors["description"] = "What is to be done must be 300 characters or fewer"
    if owner_id is None or not practitioners_of(discussion.meeting.standing).filter(pk=owner_id).exists():
        errors["owner"] = "Choose who will do it, from the two agencies' practitioners"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < discussion.meeting.held_on:
        errors["due_on"] = "It must be due on or after the day of the meeting"
    if errors:
        raise ValidationError(errors)
    assert owner_id is not None and due_on is not None
    action = FamilyAction.objects.create(
        discussion=discussion,
        description=description,
        owner_id=owner_id,
        due_on=due_on,
        created_by=user,
        created_at=timezone.now(),
    )
    record_access(
        user=user,
        action="add_vulnerable_family_action",
        record=action,
        detail={"family": discussion.pk, "owner": owner_id, "due_on": due_on.isoformat()},
    )
    return action


@transaction.atomic
def set_action_done(
    *,
    actor: AnyUser,
    action_id: int,
    expected_version: int,
    done: bool,
    today: datetime.date | None = None,
) -> FamilyAction:
    """Mark an action done (dated today) or not done after all."""
    user = acting_user(actor, Permission.RECORD_VULNERABLE_FAMILIES)
    action = (
        FamilyAction.objects.select_for_update()
        .filter(pk=action_id, discussion__meeting__standing__in=vulnerable_families_visible_to(user))
        .first()
    )
    if action is None:
        raise Http404("No such action")
    check_version(action, expected_version, "action")
    action.done_on = (today or timezone.localdate()) if done else None
    action.save()
    record_access(
        user=user,
        action="complete_vulnerable_family_action" if done else "reopen_vulnerable_family_action",
        record=action,
    )
    return action
