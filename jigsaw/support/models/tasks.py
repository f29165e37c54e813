"""Administrative tasks delegated off social workers.

Lord Laming's progress report (2009) and the Social Work Task Force found social workers
spending much of their week on administration; councils answered with business support
and social work assistants working beside the qualified staff. A social worker (or their
team manager) asks for a task on a case: arrange a conference or meeting and send the
invitations, take minutes, chase a partner's report, book a room or a video link, or other
admin; with what is needed and by when; for a named officer or the team's business support
queue. The task is taken, then done (with a note and what was booked), or handed back, or
cancelled by the one who asked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TaskKind(models.TextChoices):
    ARRANGE_MEETING = "arrange_meeting", "Arrange a conference or meeting and send the invitations"
    TAKE_MINUTES = "take_minutes", "Take the minutes"
    CHASE_REPORT = "chase_report", "Chase a partner's report"
    BOOK_ROOM = "book_room", "Book a room"
    BOOK_VIDEO_LINK = "book_video_link", "Book a video link"
    OTHER = "other", "Other admin"


# Tasks whose completion must say what was booked (the room, the link, the date).
BOOKING_KINDS = frozenset({TaskKind.ARRANGE_MEETING, TaskKind.BOOK_ROOM, TaskKind.BOOK_VIDEO_LINK})

SOCIAL_WORKER_MINUTES_PER_TASK: dict[str, int] = {
    TaskKind.ARRANGE_MEETING: 90,
    TaskKind.TAKE_MINUTES: 120,
    TaskKind.CHASE_REPORT: 30,
    TaskKind.BOOK_ROOM: 20,
    TaskKind.BOOK_VIDEO_LINK: 15,
    TaskKind.OTHER: 30,
}
"""The minutes of a social worker's time one task of each kind saves, when someone else
does it. A local estimate (the demo authority's time-and-motion sampling of its own
assessment teams), not a national figure: an authority should put its own here. The
delegation report's "hours saved" is the done tasks counted by kind, times these."""


class TaskStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting to be taken"
    TAKEN = "taken", "Taken"
    DONE = "done", "Done"
    RETURNED = "returned", "Handed back"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (TaskStatus.REQUESTED, TaskStatus.TAKEN)
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.RETURNED, TaskStatus.CANCELLED)


class DelegatedTask(models.Model):
    """One administrative task on a child's case (an episode of need), asked of a named
    business support officer or social work assistant, or of the team's queue."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="delegated_tasks")
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.PROTECT, related_name="delegated_tasks"
    )
    # The conference the task is for, when it is for one.
    conference = models.ForeignKey(
        "casework.ChildProtectionConference",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegated_tasks",
    )
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    details = models.TextField(help_text="What is needed")
    due_on = models.DateField()
    # The queue it waits in (the case's team); the named officer, when one was asked.
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="delegated_tasks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    # Done, handed back or cancelled: by whom, when, and the note (what was done, or why not).
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    # What was booked, for a booking: the room and time, or the video link.
    booked = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_on", "requested_at", "pk"]
        indexes = [
            models.Index(fields=["team", "status", "due_on"], name="delegated_task_queue"),
            models.Index(fields=["requested_by", "status"], name="delegated_task_requester"),
            models.Index(fields=["requested_at"], name="delegated_task_requested_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(assigned_to__isnull=False),
                name="delegated_task_has_somewhere_to_go",
            ),
            models.CheckConstraint(
                condition=Q(status="requested", taken_at__isnull=True)
                | Q(status__in=["taken", "done"], taken_at__isnull=False)
                | Q(status__in=["returned", "cancelled"]),
                name="delegated_task_taken_is_dated",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "taken"], closed_at__isnull=True)
                | (Q(status__in=["done", "returned", "cancelled"]) & Q(closed_at__isnull=False)),
                name="delegated_task_closed_is_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(closing_note=""), name="delegated_task_done_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (due {self.due_on:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestsLastSeen(models.Model):
    """When a requester last looked at the tasks they asked for: what was done since then
    is "new" on their work list."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"User {self.user_id} looked at {self.seen_at:%d/%m/%Y %H:%M}"
