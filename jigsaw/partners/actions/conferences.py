"""Conference and core group invitations for the professional network: sending them (the
network, the disclosure log and the invitees' inboxes), and the invitee's reply and written
report (Working Together to Safeguard Children 2023, 4.4: the professionals involved
with the child are invited, and those who cannot attend send a report)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser
from jigsaw.casework.actions.common import check_version
from jigsaw.casework.models import (
    ChildProtectionConference,
    ConferenceInvitation,
    InvitationReply,
    MeetingMode,
)
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.core.text import in_sentence
from jigsaw.partners.actions import notify
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    LegalBasis,
    NamedProfessional,
    Practitioner,
)
from jigsaw.partners.queries.conferences import (
    Invitation,
    Meeting,
    MeetingKind,
    arranger_of,
    get_invitation_for,
    invitation_url,
    meeting_children,
    meeting_day,
    meeting_of,
    meeting_title,
)
from jigsaw.people.models import Person

REPORT_MAX = 20_000


def _what(meeting: Meeting) -> str:
    if isinstance(meeting, ChildProtectionConference):
        return f"{meeting.get_kind_display().lower()} child protection conference"
    return "core group"


def _involvement(practitioner: Practitioner, meeting: Meeting) -> str:
    invited = f"invited to the {_what(meeting)}"
    text = f"{practitioner.job_title}, {invited}" if practitioner.job_title else invited.capitalize()
    return text[:120]


def invitation_message(meeting: Meeting, invitation: Invitation) -> str:
    """The invitation's text: when, where, how to join remotely, how they are asked to
    join. It names no child (the page it links to names them, if the policy allows)."""
    lines = [
        meeting_title(meeting),
        f"Venue: {meeting.venue or 'to be confirmed'}",
        f"To join by phone or video: {meeting.remote_joining or 'none arranged'}",
        f"You are asked to join {MeetingMode(invitation.requested_mode).label.lower()}.",
        "Reply, and send your written report, from Your meetings in Jigsaw.",
    ]
    return "\n".join(lines)


def send_invitations(
    *, user: User, meeting: Meeting, invitations: Sequence[Invitation], children: Sequence[Person]
) -> None:
    """Send the invitations of a conference or core group just arranged; runs inside the
    arranging action's transaction. An invited practitioner becomes a named professional
    for each child (they are now part of the network around the child, and the policy
    lets them see the children they are named for, restricted records excepted). Each
    invitation to a professional is a disclosure of the children's involvement with child
    protection (kind CONFERENCE, under the statutory duty: no consent needed); each invitee
    who signs in to Jigsaw is told in their inbox."""
    now = timezone.now()
    today = timezone.localdate()
    # Social care's own staff see the index already and are not partners: neither named
    # nor a disclosure.
    social_care = set(
        Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE).values_list("pk", flat=True)
    )
    professionals = [
        i
        for i in invitations
        if not i.family_role and i.agency_id is not None and i.agency_id not in social_care
    ]
    practitioner_ids = {i.practitioner_id for i in professionals if i.practitioner_id is not None}
    practitioners = {
        p.pk: p for p in Practitioner.objects.filter(pk__in=practitioner_ids).select_related("user")
    }
    already = set(
        NamedProfessional.objects.filter(
            person__in=children, practitioner_id__in=practitioner_ids, ended__isnull=True
        ).values_list("person_id", "practitioner_id")
    )
    named = NamedProfessional.objects.bulk_create(
        NamedProfessional(
            person=child,
            practitioner=practitioners[pid],
            involvement=_involvement(practitioners[pid], meeting),
            started=today,
            added_by=user,
        )
        for pid in sorted(practitioner_ids)
        for child in children
        if (child.pk, pid) not in already
    )
    for row in named:
        record_access(
            user=user,
            action="name_professional",
            record=row,
            detail={"practitioner": row.practitioner_id, "involvement": row.involvement},
            subjects=[row.person],
        )
    purpose = f"Invitation to the {_what(meeting)} on {govuk_date(meeting_day(meeting))}"
    disclosures = []
    for invitation in professionals:
        practitioner = practitioners.get(invitation.practitioner_id or 0)
        recipient = practitioner.user if practitioner is not None else None
        assert invitation.agency_id is not None
        for child in children:
            disclosures.append(
                Disclosure(
                    person=child,
                    kind=DisclosureKind.CONFERENCE,
                    recipient=recipient,
                    recipient_agency_id=invitation.agency_id,
                    purpose=purpose[:300],
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    consent=ConsentStatus.NOT_NEEDED,
                    disclosed_at=now,
                    source_type=invitation._meta.label_lower,
                    source_id=str(invitation.pk),
                )
            )
    Disclosure.objects.bulk_create(disclosures)
    # Everyone invited who signs in is told, social care's staff too (not the arranger).
    invitees = [i for i in invitations if i.practitioner_id is not None and not i.family_role]
    users = {
        p.pk: p.user
        for p in Practitioner.objects.filter(
            pk__in=[i.practitioner_id for i in invitees], user__is_active=True
        ).select_related("user")
        if p.user is not None
    }
    for invitation in invitees:
        invitee = users.get(invitation.practitioner_id or 0)
        if invitee is not None and invitee.pk != user.pk:
            notify(
                recipients=[invitee],
                subject=f"Invitation: {meeting_title(meeting)}"[:200],
                body=invitation_message(meeting, invitation),
                link=invitation_url(invitation),
            )


def _acting(actor: AnyUser) -> User:
    assert isinstance(actor, User)
    return actor


def _still_open(invitation: Invitation, what: str) -> Meeting:
    meeting = meeting_of(invitation)
    if meeting.held:
        raise ValidationError(
            {what: "This meeting has been held and recorded: send anything further to the social worker"}
        )
    return meeting


@transaction.atomic
def reply_to_invitation(
    *, actor: AnyUser, kind: MeetingKind, invitation_id: int, expected_version: int, reply: str
) -> Invitation:
    """The invitee answers: in person, by phone, by video, a report instead, or apologies.
    Only their own invitation, only before the day has passed, and by phone or video only
    if the meeting has a way to join remotely. A stale form is refused (version)."""
    user = _acting(actor)
    invitation = get_invitation_for(user, kind, invitation_id, lock=True)
    check_version(invitation, expected_version, "invitation")
    meeting = _still_open(invitation, "reply")
    if meeting_day(meeting) < timezone.localdate():
        raise ValidationError(
            {"reply": f"This meeting was on {govuk_date(meeting_day(meeting))}: you can no longer reply"}
        )
    if reply not in InvitationReply.values:
        raise ValidationError({"reply": "Choose your reply"})
    if reply in (InvitationReply.PHONE, InvitationReply.VIDEO) and not meeting.remote_joining:
        raise ValidationError(
            {
                "reply": "No phone or video joining is arranged for this meeting: choose another reply, "
                "or ask the social worker to arrange one"
            }
        )
    invitation.reply = reply
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["reply", "replied_at", "version"])
    record_access(
        user=user,
        action="reply_to_meeting_invitation",
        record=invitation,
        detail={"reply": reply},
        subjects=meeting_children(meeting),
    )
    return invitation


@transaction.atomic
def submit_report(
    *, actor: AnyUser, kind: MeetingKind, invitation_id: int, expected_version: int, report: str
) -> Invitation:
    """The invitee sends their written report for the meeting (whether or not they will
    attend). It is marked received, with when and by whom, and whoever arranged the
    meeting is told. A report can be replaced until the meeting is recorded."""
    user = _acting(actor)
    invitation = get_invitation_for(user, kind, invitation_id, lock=True)
    check_version(invitation, expected_version, "invitation")
    meeting = _still_open(invitation, "report")
    text = report.strip()
    if not text:
        raise ValidationError({"report": "Enter your report"})
    if len(text) > REPORT_MAX:
        raise ValidationError({"report": f"Your report must be {REPORT_MAX:,} characters or fewer"})
    invitation.report = text
    invitation.report_received = True
    invitation.report_received_at = timezone.now()
    invitation.report_received_by = user
    invitation.save(
        update_fields=["report", "report_received", "report_received_at", "report_received_by", "version"]
    )
    record_access(
        user=user, action="submit_meeting_report", record=invitation, subjects=meeting_children(meeting)
    )
    arranger = arranger_of(meeting)
    if arranger is not None and arranger.pk != user.pk:
        agency = invitation.agency.name if invitation.agency else ""
        page = (
            reverse("casework:conference", args=[meeting.pk])
            if isinstance(invitation, ConferenceInvitation)
            else reverse("casework:core_group", args=[meeting.pk])
        )
        notify(
            recipients=[arranger],
            subject=f"Report received from {invitation.name}{f' ({agency})' if agency else ''}"[:200],
            body=f"For the {in_sentence(meeting_title(meeting))}.",
            link=page,
        )
    return invitation
