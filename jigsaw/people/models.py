"""The person index: every child and adult any agency has recorded, once."""

from __future__ import annotations

import datetime

from django.db import models

from jigsaw.people.normalise import first_name_key, name_key, phonetic_key


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    ESTIMATED = "estimated", "Estimated"
    EXPECTED = "expected", "Expected (unborn child)"


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known or not recorded"


class Ethnicity(models.TextChoices):
    """The DfE ethnicity codes used in the children in need census."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "none", "No disability"
    YES = "yes", "Has a disability"
    NOT_KNOWN = "not_known", "Not known"


def age_on(
    day: datetime.date, *, born: datetime.date | None, unborn: bool, died: datetime.date | None
) -> int | None:
    """Age in whole years on `day` (at death, for someone who has died); None for an unborn
    child or an unknown date of birth. Pages that list hundreds of children from rows call
    it directly."""
    if born is None or unborn:
        return None
    end = min(day, died) if died else day
    years = end.year - born.year
    if (end.month, end.day) < (born.month, born.day):
        years -= 1
    return years


class Person(models.Model):
    given_names = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120)
    date_of_birth = models.DateField(null=True, blank=True)
    birth_date_precision = models.CharField(
        max_length=12, choices=BirthDatePrecision.choices, default=BirthDatePrecision.EXACT
    )
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=60, blank=True, help_text="As the person describes it")
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=12, choices=Disability.choices, default=Disability.NOT_KNOWN)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True, db_index=True)
    # Set when identity resolution found this record to be the same person as another:
    # the record stays as an alias of the survivor, and unmerge clears it.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_aliases"
    )

    # Search keys, kept in step with the names by save() and the bulk loaders.
    family_name_key = models.CharField(max_length=120, editable=False, db_index=True)
    given_name_key = models.CharField(max_length=120, editable=False, blank=True)
    family_phonetic = models.CharField(max_length=12, editable=False)
    given_phonetic = models.CharField(max_length=12, editable=False, blank=True)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["family_phonetic", "given_phonetic"], name="person_phonetic"),
            models.Index(fields=["family_phonetic", "date_of_birth"], name="person_phonetic_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True)
                | models.Q(date_of_birth__isnull=True)
                | models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="person_death_not_before_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_keys()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def is_unborn(self) -> bool:
        return self.birth_date_precision == BirthDatePrecision.EXPECTED

    def age_on(self, day: datetime.date) -> int | None:
        return age_on(day, born=self.date_of_birth, unborn=self.is_unborn, died=self.date_of_death)

    def refresh_search_keys(self) -> None:
        self.family_name_key = name_key(self.family_name)
        self.given_name_key = first_name_key(self.given_names)
        self.family_phonetic = phonetic_key(self.family_name)
        self.given_phonetic = phonetic_key(self.given_name_key)


class NameKind(models.TextChoices):
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Also known as"
    BIRTH = "birth", "Name at birth"


class PersonName(models.Model):
    """Another name a person has gone by: a previous surname, an alias, a name at birth."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=12, choices=NameKind.choices, default=NameKind.PREVIOUS)
    given_names = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120)
    used_from = models.DateField(null=True, blank=True)
    used_to = models.DateField(null=True, blank=True)
    family_name_key = models.CharField(max_length=120, editable=False, db_index=True)
    family_phonetic = models.CharField(max_length=12, editable=False, db_index=True)

    class Meta:
        ordering = ["-used_to", "family_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_to__isnull=True)
                | models.Q(used_from__isnull=True)
                | models.Q(used_to__gte=models.F("used_from")),
                name="person_name_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def save(self, *args: object, **kwargs: object) -> None:
        self.family_name_key = name_key(self.family_name)
        self.family_phonetic = phonetic_key(self.family_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class IdentifierKind(models.TextChoices):
    POLICE_REFERENCE = "police", "Police reference"
    LOCAL_ID = "local", "Local authority ID"
    HOSPITAL_NUMBER = "hospital", "Hospital number"
    OTHER = "other", "Other"


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=12, choices=IdentifierKind.choices)
    value = models.CharField(max_length=60)
    issued_by = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["value"], name="person_identifier_value")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="person_identifier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Address(models.Model):
    line_1 = models.CharField(max_length=120)
    line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80)
    postcode = models.CharField(max_length=8, db_index=True, help_text="Normalised, e.g. SW1A 1AA")

    class Meta:
        ordering = ["postcode", "line_1"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        parts = [self.line_1, self.line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


class Residence(models.Model):
    """A person living at an address from one date to another (open-ended if current)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residences")
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-moved_in"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(moved_out__isnull=True)
                | models.Q(moved_in__isnull=True)
                | models.Q(moved_out__gte=models.F("moved_in")),
                name="residence_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.address}"

    @property
    def is_current(self) -> bool:
        return self.moved_out is None


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    PARTNER_OF_PARENT = "partner_of_parent", "Partner of parent"
    HOUSEHOLD_MEMBER = "household_member", "Other household member"


# How a relationship reads from the other person's side.
INVERSE_LABEL = {
    RelationshipKind.PARENT: "Child",
    RelationshipKind.STEP_PARENT: "Step-child",
    RelationshipKind.CARER: "Cared-for child",
    RelationshipKind.SIBLING: "Sibling",
    RelationshipKind.HALF_SIBLING: "Half-sibling",
    RelationshipKind.PARTNER_OF_PARENT: "Child of partner",
    RelationshipKind.HOUSEHOLD_MEMBER: "Other household member",
}


class Relationship(models.Model):
    """`relative` is the `kind` of `person`: (relative=Mum, kind=parent, person=Child)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_as_relative")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="relationship_not_to_self"
            ),
            models.UniqueConstraint(fields=["person", "relative", "kind"], name="relationship_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.relative} is {self.get_kind_display().lower()} of {self.person}"


class Household(models.Model):
    """The people living together at an address, as the authority understands it."""

    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="households")
    formed = models.DateField(null=True, blank=True)
    dissolved = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Household at {self.address}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household_memberships")
    joined = models.DateField(null=True, blank=True)
    left = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="household_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.household}"
