"""Events from partners' systems (police, health, schools, health visiting), received by
the API or a CSV upload, kept with their source and matched to the people they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EventKind(models.TextChoices):
    POLICE_INCIDENT = "police_incident", "Police incident"
    HEALTH_ATTENDANCE = "health_attendance", "Health attendance"
    SCHOOL_ATTENDANCE = "school_attendance", "School attendance"
    WAS_NOT_BROUGHT = "was_not_brought", "Was not brought to an appointment"


class EventSubtype(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse incident"
    OTHER_INCIDENT = "other_incident", "Other incident involving a child"
    A_AND_E = "a_and_e", "A&E attendance"
    MINOR_INJURIES = "minor_injuries", "Minor injuries unit attendance"
    PERSISTENT_ABSENCE = "persistent_absence", "Persistent absence"
    SUSPENSION = "suspension", "Suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion", "Permanent exclusion"
    MISSING_EDUCATION = "missing_education", "Child missing education"
    CHANGE_OF_SCHOOL = "change_of_school", "Change of school"
    HEALTH_VISITING = "health_visiting", "Health visiting appointment"
    HEALTH_APPOINTMENT = "health_appointment", "Other health appointment"


# Which subtypes each kind of event may carry.
SUBTYPES: dict[str, tuple[str, ...]] = {
    EventKind.POLICE_INCIDENT: (EventSubtype.DOMESTIC_ABUSE, EventSubtype.OTHER_INCIDENT),
    EventKind.HEALTH_ATTENDANCE: (EventSubtype.A_AND_E, EventSubtype.MINOR_INJURIES),
    EventKind.SCHOOL_ATTENDANCE: (
        EventSubtype.PERSISTENT_ABSENCE,
        EventSubtype.SUSPENSION,
        EventSubtype.PERMANENT_EXCLUSION,
        EventSubtype.MISSING_EDUCATION,
        EventSubtype.CHANGE_OF_SCHOOL,
    ),
    EventKind.WAS_NOT_BROUGHT: (EventSubtype.HEALTH_VISITING, EventSubtype.HEALTH_APPOINTMENT),
}


class FeedScope(models.TextChoices):
    """What an agency system's token may send: one scope per kind of event."""

    POLICE_INCIDENTS = "events:police_incident", "Send police incidents"
    HEALTH_ATTENDANCES = "events:health_attendance", "Send health attendances"
    SCHOOL_ATTENDANCE = "events:school_attendance", "Send school attendance"
    WAS_NOT_BROUGHT = "events:was_not_brought", "Send 'was not brought' appointments"


class ApiClient(models.Model):
    """An agency's system that sends events. Only a hash of its token is kept; the token is
    shown once, when issued."""

    name = models.CharField(max_length=120)
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="api_clients")
    token_prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it apart")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return f"{self.name} ({self.agency}, {self.token_prefix}…)"


class EventImport(models.Model):
    """One delivery of events: a CSV file uploaded, or a batch posted to the API. A CSV file
    is accepted whole or not at all; a rejected one keeps its error report and no events."""

    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    via_api = models.BooleanField(default=False)
    api_client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)
    accepted = models.BooleanField(default=False)
    new_events = models.PositiveIntegerField(default=0)
    repeated_events = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk}"


class PartnerEvent(models.Model):
    """One event as the partner's system described it, kept whole (`payload`) beside the
    fields Jigsaw reads. Idempotent on (agency, kind, source ID): sent twice, kept once."""

    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    subtype = models.CharField(max_length=24, choices=EventSubtype.choices)
    source_id = models.CharField(max_length=80)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    # For a change of school: the school the child is moving to.
    receiving_agency = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    delivery = models.ForeignKey(
        EventImport, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "source_id"], name="partner_event_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["kind", "occurred_at"], name="partner_event_kind_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_id} from {self.agency_id}"


class SubjectRole(models.TextChoices):
    CHILD = "child", "Child"
    CHILD_PRESENT = "child_present", "Child present"
    VICTIM = "victim", "Victim"
    PERPETRATOR = "perpetrator", "Alleged perpetrator"
    ADULT = "adult", "Other adult"
    PATIENT = "patient", "Patient"
    PUPIL = "pupil", "Pupil"
    HOUSEHOLD_CHILD = "household_child", "Child living at the address"


class EventSubject(models.Model):
    """A person an event concerns, as the partner named them, and who the matcher found.
    Children at the event's address who were not named are added as household children."""

    event = models.ForeignKey(PartnerEvent, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(max_length=20, choices=SubjectRole.choices)
    given_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="partner_events"
    )
    match_outcome = models.CharField(max_length=10, blank=True)
    probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["person"], name="event_subject_person")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in event {self.event_id}"
