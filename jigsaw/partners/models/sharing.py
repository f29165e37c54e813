"""Sharing on a lawful basis: the agreements between agencies, and a record of every
disclosure of a child's information to a partner with its purpose, basis and consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LegalBasis(models.TextChoices):
    """The grounds on which safeguarding information is shared (UK GDPR and the Data
    Protection Act 2018, as set out in the government's information-sharing advice)."""

    CONSENT = "consent", "Consent of the person (or the parent for a young child)"
    PUBLIC_TASK = "public_task", "Public task: the agency's statutory safeguarding duties"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Children Act 1989 s.47, Children Act 2004 s.11)"
    VITAL_INTERESTS = "vital_interests", "Vital interests: to protect someone's life"
    SAFEGUARDING_CHILDREN = (
        "safeguarding",
        "Safeguarding children at risk (DPA 2018 Schedule 8 paragraph 4), without consent",
    )


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    NOT_SOUGHT = "not_sought", "Not sought: asking would put the child at risk or delay protection"
    REFUSED_OVERRIDDEN = "refused", "Refused, shared without consent on the legal basis recorded"
    NOT_NEEDED = "not_needed", "Not needed: shared under a statutory duty"


class InformationSharingAgreement(models.Model):
    """An agreement under which the partnership's agencies share information."""

    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=40, unique=True)
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    agencies = models.ManyToManyField("partners.Agency", related_name="sharing_agreements")
    starts_on = models.DateField()
    review_by = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="sharing_agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"


class DisclosureKind(models.TextChoices):
    FLAG_ANSWER = "flag_answer", "Flag check answer"
    CONCERN_OUTCOME = "concern_outcome", "Outcome of a concern"
    NETWORK = "network", "Professional network and case record"
    CONFERENCE = "conference", "Conference or core group invitation"
    CHANGE_OF_SCHOOL = "change_of_school", "Who to call, to a receiving school"


class Disclosure(models.Model):
    """One disclosure of a child's information to someone outside children's social care:
    what, to whom, for what purpose, on what legal basis and with what consent."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=20, choices=DisclosureKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    consent = models.CharField(max_length=12, choices=ConsentStatus.choices)
    agreement = models.ForeignKey(
        InformationSharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disclosed_at = models.DateTimeField()
    # The record disclosed (app_label.model and primary key), to find it again.
    source_type = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        indexes = [models.Index(fields=["person", "-disclosed_at"], name="disclosure_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_agency_id} about person {self.person_id}"
