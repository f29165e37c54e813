"""The safeguarding partnership's board.

Working Together to Safeguard Children asks the three safeguarding partners (the local
authority, the integrated care board for health and the chief officer of police) to lead
the arrangements together, with independent scrutiny; Lord Laming's progress report (2009)
asked for an independent chair and lay members, and for the board's own governance to be
reviewed. So the board keeps: who sits on it (by agency and role, with their terms and when
each is due for re-appointment), its meetings (agenda, attendance, what was decided) and
an action log whose actions may answer a recommendation of the recommendation tracker.

Nothing here names a child.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jigsaw.partners.models import AgencyKind

# The board's constitution gives lay members this many seats; an unfilled seat is a vacancy.
LAY_MEMBER_SEATS = 2

# The statutory safeguarding partners, and the kinds of agency that stand for each.
STATUTORY_PARTNERS: dict[str, frozenset[str]] = {
    "Local authority": frozenset({AgencyKind.CHILDRENS_SOCIAL_CARE}),
    "Police": frozenset({AgencyKind.POLICE}),
    "Health (integrated care board)": frozenset(
        {AgencyKind.ACUTE_HEALTH, AgencyKind.GP_PRACTICE, AgencyKind.HEALTH_VISITING}
    ),
}


class BoardRole(models.TextChoices):
    INDEPENDENT_CHAIR = "independent_chair", "Independent chair"
    LAY_MEMBER = "lay_member", "Lay member"
    STATUTORY_PARTNER_LEAD = "statutory_partner_lead", "Statutory partner lead"
    AGENCY_REPRESENTATIVE = "agency_representative", "Agency representative"
    ADVISER = "adviser", "Adviser"


class BoardMember(models.Model):
    """One appointment to the board: who, for which agency, in what role, for what term.
    The person is a Jigsaw user, or named here when they do not sign in. Lay members
    speak for the public, not for an agency, and do not sign in."""

    role = models.CharField(max_length=30, choices=BoardRole.choices)
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="board_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="board_seats"
    )
    full_name = models.CharField(max_length=160, blank=True)
    job_title = models.CharField(max_length=160, blank=True)
    term_starts_on = models.DateField()
    term_ends_on = models.DateField()
    reappointment_due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["role", "full_name", "pk"]
        indexes = [models.Index(fields=["term_ends_on"], name="board_member_term_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(full_name=""), name="board_member_is_someone"
            ),
            models.CheckConstraint(
                condition=~Q(role="lay_member") | (Q(user__isnull=True) & Q(agency__isnull=True)),
                name="lay_member_is_named_without_agency",
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__gte=F("term_starts_on")), name="board_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        return self.full_name


class BoardMeeting(models.Model):
    held_on = models.DateField()
    title = models.CharField(max_length=160, default="Safeguarding partnership board")
    venue = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Moved on by every change to the meeting's agenda, attendance or decisions.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["held_on"], name="board_meeting_held_on")]

    def __str__(self) -> str:
        return f"{self.title}, {self.held_on:%d/%m/%Y}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    # What the board decided on this item; blank until it is recorded.
    decision = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_item_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"
    DEPUTY = "deputy", "Sent a deputy"


# A member is counted as present (their agency heard) when they came or sent a deputy.
PRESENT = (AttendanceStatus.ATTENDED, AttendanceStatus.DEPUTY)


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=12, choices=AttendanceStatus.choices)
    deputy_name = models.CharField(max_length=160, blank=True)

    class Meta:
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member"),
            models.CheckConstraint(
                condition=(Q(status="deputy") & ~Q(deputy_name=""))
                | (~Q(status="deputy") & Q(deputy_name="")),
                name="deputy_is_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at meeting {self.meeting_id}: {self.status}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class BoardAction(models.Model):
    """An action the board gave one of its members, which may answer a recommendation."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="actions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="actions")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    recommendation = models.ForeignKey(
        "quality.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="board_actions",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="board_action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="board_action_done_is_dated",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
