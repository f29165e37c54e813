"""The professional network: agencies, the practitioners who work in them (the sign-in
profile lives here too), the professionals named around each child, and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jigsaw.access.roles import Role


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    POLICE = "police", "Police"
    ACUTE_HEALTH = "acute_health", "Hospital (acute health)"
    GP_PRACTICE = "gp_practice", "GP practice"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER_LOCAL_AUTHORITY = "other_local_authority", "Other local authority"
    SAFEGUARDING_PARTNERSHIP = "safeguarding_partnership", "Safeguarding partnership"


class Agency(models.Model):
    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    phone = models.CharField(max_length=40, blank=True)
    out_of_hours_phone = models.CharField(max_length=40, blank=True)
    secure_email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    SECURE_EMAIL = "secure_email", "Secure email"
    TEAMS = "teams", "Video call"
    IN_PERSON = "in_person", "In person"


class Practitioner(models.Model):
    """A professional: who they are, where they work and how best to reach them.

    A practitioner who signs in to Jigsaw has a user; one who is only named in the
    professional network around a child need not.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practitioner",
    )
    full_name = models.CharField(max_length=160)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="practitioners")
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    secure_email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    availability = models.CharField(
        max_length=160, blank=True, help_text="For example: Monday to Wednesday, 9am to 3pm"
    )
    # The school's (or any agency's) designated safeguarding lead: told who to call when a
    # child on a plan joins, and the first contact for the agency's concerns.
    safeguarding_lead = models.BooleanField("designated safeguarding lead", default=False)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.agency})"


class NamedProfessional(models.Model):
    """A practitioner named in the professional network around a child."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="professionals")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="involvements")
    involvement = models.CharField(max_length=120, help_text="For example: class teacher, GP, health visitor")
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "practitioner"],
                condition=models.Q(ended__isnull=True),
                name="named_professional_once_while_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.involvement}) for person {self.person_id}"


class Notification(models.Model):
    """A message to one user: in their Jigsaw inbox, and by e-mail when it asks for action
    (the e-mail says only that there is something to see, never who the child is)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject
