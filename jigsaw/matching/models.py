"""What identity resolution keeps: trained models, blocking keys, the review queue, merges."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class MatchModelVersion(models.Model):
    """A trained Fellegi-Sunter model. Exactly one is active; older ones stay for audit,
    so that every review and automatic link can say which model scored it."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    training_records = models.PositiveIntegerField()
    labelled_pairs = models.PositiveIntegerField(default=0)
    splink_version = models.CharField(max_length=20)
    # Splink's own saved model (settings with the trained m and u probabilities).
    parameters = models.JSONField()
    # {column: {value: frequency}}: the term frequencies the model adjusts exact name
    # matches by.
    term_frequencies = models.JSONField(default=dict)
    is_active = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    # The decision policy, per model because a threshold means something only for the
    # model whose probabilities it cuts: at or above auto-link a record links by itself;
    # from review up to auto-link a person decides; below, it is a new person.
    auto_link_threshold = models.FloatField(default=0.999)
    review_threshold = models.FloatField(default=0.2)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_threshold__gt=0)
                & models.Q(review_threshold__lte=models.F("auto_link_threshold"))
                & models.Q(auto_link_threshold__lt=1),
                name="match_thresholds_in_order",
            ),
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_match_model"
            ),
        ]

    def __str__(self) -> str:
        return f"Match model v{self.version}"

    def clean(self) -> None:
        # The database refuses these too; this says so in words on the admin form.
        if not 0 < self.review_threshold <= self.auto_link_threshold < 1:
            raise ValidationError(
                "The review threshold must be above 0 and at most the auto-link threshold, "
                "which must be below 1."
            )


class MatchFeatures(models.Model):
    """A person's record as the matcher compares it, kept in step with the person index
    so that scoring a candidate needs one row, not joins across names and addresses."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="match_features")
    features = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Match features of {self.person_id}"


class BlockingKey(models.Model):
    """One indexed key under which a person is a candidate ("nhs:9434765919",
    "fnd:KNPRT|2019" ...). A new record's keys fetch its candidates by index."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key", "person"], name="blocking_key_lookup")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="blocking_key_unique")]

    def __str__(self) -> str:
        return self.key


class MatchSource(models.TextChoices):
    PERSON_CREATION = "person_creation", "Adding a person"
    CONTACT = "contact", "Contact at the front door"
    PARTNER_FEED = "partner_feed", "Partner feed"
    FLAG_CHECK = "flag_check", "Flag check"
    NIGHTLY_BATCH = "nightly_batch", "Nightly duplicate check"
    IMPORT = "import", "Import"


class ReviewReason(models.TextChoices):
    REVIEW_BAND = "review_band", "Probability between the review and auto-link thresholds"
    CONFLICTING_IDENTIFIERS = "conflicting_identifiers", "Strong identifiers conflict"
    POSSIBLE_TWIN = (
        "possible_twin",
        "Same date of birth and family, but another given name: twins look like this",
    )
    DATE_OF_BIRTH_DIFFERS = "dob_differs", "Date of birth differs or is missing, and no identifier is shared"
    SECOND_CANDIDATE = "second_candidate", "Another person could also be this record"
    POSSIBLE_DUPLICATE = "possible_duplicate", "Possible duplicate in the person index"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    SAME_PERSON = "same_person", "Same person"
    NOT_SAME = "not_same", "Not the same person"


class MatchReview(models.Model):
    """A possible match that a person must decide: the record (a person in the index, or an
    incoming record held as features) beside its candidate, with the model's explanation."""

    source = models.CharField(max_length=20, choices=MatchSource.choices)
    reason = models.CharField(max_length=30, choices=ReviewReason.choices)
    record = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    incoming = models.JSONField(null=True, blank=True)
    incoming_reference = models.CharField(max_length=120, blank=True)
    candidate = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.JSONField(default=list)
    model_version = models.ForeignKey(MatchModelVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-probability", "created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="match_review_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "candidate"],
                condition=models.Q(status="open", record__isnull=False),
                name="one_open_review_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(record__isnull=False) | models.Q(incoming__isnull=False),
                name="review_has_a_record",
            ),
            models.CheckConstraint(
                condition=~models.Q(record=models.F("candidate")), name="review_not_against_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk}: {self.get_status_display()}"


class PersonMerge(models.Model):
    """Two records found to be one person: `merged` now points at `survivor` and every
    record that hung off it was moved (listed in `moves`), so that unmerge can put back
    exactly what was moved."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="merges_survived")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="merges_absorbed")
    reason = models.TextField()
    review = models.ForeignKey(
        MatchReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("merged")), name="merge_not_into_itself"
            ),
            models.UniqueConstraint(
                fields=["merged"], condition=models.Q(unmerged_at__isnull=True), name="merged_once_at_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.survivor_id}"


class MergeMoveKind(models.TextChoices):
    MOVED = "moved", "Moved from the merged record to the survivor"
    ADDED = "added", "Added by the merge; unmerge deletes it"
    SURVIVOR_HAD = "survivor_had", "Already on the survivor at the merge; unmerge leaves it"


class MergeMove(models.Model):
    """One row moved by a merge: which model, which row, which field pointed at the merged
    person (and now points at the survivor).

    `kind` also keeps what unmerge needs besides the moves: rows the merge added (the merged
    person's name as an alias of the survivor) and the rows the survivor already had, so that
    what was added to the survivor after the merge can be told apart from both."""

    merge = models.ForeignKey(PersonMerge, on_delete=models.CASCADE, related_name="moves")
    model_label = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=40)
    field_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=MergeMoveKind.choices, default=MergeMoveKind.MOVED)

    class Meta:
        indexes = [models.Index(fields=["model_label", "object_pk"], name="merge_move_row")]

    def __str__(self) -> str:
        return f"{self.model_label}#{self.object_pk}.{self.field_name}"
