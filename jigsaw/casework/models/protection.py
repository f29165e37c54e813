"""Child protection: strategy discussions, section 47 enquiries, conferences, plans, core
groups and visits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from jigsaw.casework.models.codes import (
    AbuseCategory,
    Attendance,
    ConferenceDecision,
    ConferenceKind,
    FamilyRole,
    InvitationReply,
    MeetingMode,
    PlanEndReason,
    Section47Outcome,
    StrategyDecision,
    VisitKind,
)
from jigsaw.partners.models import ContactMethod


class StrategyDiscussion(models.Model):
    """A multi-agency strategy discussion; one can cover siblings together."""

    referrals = models.ManyToManyField("casework.Referral", related_name="strategy_discussions")
    held_on = models.DateField()
    decision = models.CharField(max_length=20, choices=StrategyDecision.choices)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Strategy discussion {self.pk} ({self.held_on:%d/%m/%Y})"


class StrategyDiscussionAttendee(models.Model):
    """Who took part, from which agency (police and health at least, by the guidance)."""

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="attendees")
    practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=160)
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Section47Enquiry(models.Model):
    """A section 47 enquiry for one child. The initial conference is due within the policy's
    timescale (15 working days) of the strategy discussion that started it."""

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="section47s")
    strategy_discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.PROTECT, related_name="section47s"
    )
    started_on = models.DateField()
    conference_due_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Section47Outcome.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["started_on"], name="section47_started")]
        verbose_name = "section 47 enquiry"
        verbose_name_plural = "section 47 enquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="s47_completed_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry {self.pk} (from {self.started_on:%d/%m/%Y})"


class ChildProtectionConference(models.Model):
    """A child protection conference: initial, pre-birth, review or transfer-in. Siblings
    may be conferenced together; each child has their own decision (ConferenceChild)."""

    kind = models.CharField(max_length=20, choices=ConferenceKind.choices)
    date = models.DateField(help_text="When it is (or was) held")
    starts_at = models.TimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    remote_joining = models.TextField(
        blank=True, help_text="How to join by phone (dial-in number) or video (the link)"
    )
    due_on = models.DateField(null=True, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child_views = models.TextField(
        blank=True, help_text="The child's wishes and feelings, and how they were given"
    )
    summary = models.TextField(blank=True)
    held = models.BooleanField(default=False)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["held", "date"], name="conference_held_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} conference {self.pk} ({self.date:%d/%m/%Y})"


class ConferenceChild(models.Model):
    """One child at a conference and the conference's decision for that child."""

    conference = models.ForeignKey(
        ChildProtectionConference, on_delete=models.CASCADE, related_name="children"
    )
    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="conferences")
    section47 = models.ForeignKey(
        Section47Enquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="conferences"
    )
    plan = models.ForeignKey(
        "casework.ChildProtectionPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferences",
    )
    decision = models.CharField(max_length=20, choices=ConferenceDecision.choices, blank=True)
    category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "referral"], name="child_once_per_conference"),
            models.CheckConstraint(
                condition=~Q(decision__in=["plan", "continue"]) | ~Q(category=""),
                name="conference_plan_has_category",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_id} at conference {self.conference_id}"


class MeetingInvitation(models.Model):
    """Someone invited to a conference or core group (a professional, a parent, an
    advocate, the child): how they are asked to join, their reply, their written report,
    and whether and how they attended. A reply is version-checked like any edit."""

    practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=160)
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    family_role = models.CharField(
        max_length=20, choices=FamilyRole.choices, blank=True, help_text="Blank for a professional"
    )
    requested_mode = models.CharField(
        max_length=20, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    reply = models.CharField(max_length=20, choices=InvitationReply.choices, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(blank=True, help_text="The written report, when sent through Jigsaw")
    report_received = models.BooleanField(default=False)
    report_received_at = models.DateTimeField(null=True, blank=True)
    report_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.INVITED)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["family_role", "agency__name", "name"]


class ConferenceInvitation(MeetingInvitation):
    conference = models.ForeignKey(
        ChildProtectionConference, on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(MeetingInvitation.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.name} at conference {self.conference_id}"


class ChildProtectionPlan(models.Model):
    """A child protection plan. Its clocks (review, core group, visit) are kept on it, set
    by the actions from the timescale policy, so work lists read them without recounting."""

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="cp_plans")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cp_plans")
    started_on = models.DateField()
    initial_category = models.CharField(max_length=3, choices=AbuseCategory.choices)
    latest_category = models.CharField(max_length=3, choices=AbuseCategory.choices)
    next_review_due = models.DateField(null=True, blank=True)
    next_core_group_due = models.DateField(null=True, blank=True)
    next_visit_due = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=PlanEndReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["ended_on", "next_visit_due"], name="cp_plan_open_visit_due"),
            models.Index(fields=["started_on"], name="cp_plan_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="cp_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="cp_plan_ended_with_reason",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_open_cp_plan_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection plan {self.pk} ({self.get_latest_category_display()})"


class CoreGroupMeeting(models.Model):
    """A core group meeting of a plan. One arranged ahead (with invitations) is not yet
    held, and `held_on` is the day it is arranged for; recording it marks it held. One
    recorded afterwards without being arranged here is held from the start."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT, related_name="core_groups")
    held_on = models.DateField(help_text="When it is (or was) held")
    held = models.BooleanField(default=True)
    starts_at = models.TimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    remote_joining = models.TextField(
        blank=True, help_text="How to join by phone (dial-in number) or video (the link)"
    )
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Core group {self.pk} ({self.held_on:%d/%m/%Y})"


class CoreGroupInvitation(MeetingInvitation):
    meeting = models.ForeignKey(CoreGroupMeeting, on_delete=models.CASCADE, related_name="invitations")

    class Meta(MeetingInvitation.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.name} at core group {self.meeting_id}"


class CoreGroupMember(models.Model):
    """A member of the core group at one meeting, with the contact details and best
    contact method agreed there (kept as agreed, even if the directory changes later)."""

    meeting = models.ForeignKey(CoreGroupMeeting, on_delete=models.CASCADE, related_name="members")
    practitioner = models.ForeignKey(
        "partners.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=160)
    agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    family_role = models.CharField(max_length=20, choices=FamilyRole.choices, blank=True)
    attended = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    secure_email = models.EmailField(blank=True)
    preferred_contact = models.CharField(max_length=20, choices=ContactMethod.choices, blank=True)
    contact_details_agreed = models.BooleanField(default=False)

    class Meta:
        ordering = ["family_role", "agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} at core group {self.meeting_id}"


class Visit(models.Model):
    """A visit to a child: was the child seen, and seen alone."""

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="visits")
    plan = models.ForeignKey(
        ChildProtectionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    visited_on = models.DateField()
    kind = models.CharField(max_length=20, choices=VisitKind.choices, default=VisitKind.STATUTORY)
    child_seen = models.BooleanField()
    seen_alone = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        # Visits in time: each plan's visits in date order.
        indexes = [models.Index(fields=["plan", "visited_on"], name="visit_plan_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(seen_alone=False) | Q(child_seen=True), name="visit_seen_alone_means_seen"
            )
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} ({self.visited_on:%d/%m/%Y})"
