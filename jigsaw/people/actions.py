"""The only code that changes the person index.

Each action checks permission, validates, writes in one transaction with its access-log
row, and raises ValidationError (field -> message, in the user's words) changing nothing
when the input is wrong.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for, has_permission
from jigsaw.core.edits import EditConflict as EditConflict  # raised by the actions here too
from jigsaw.people.models import (
    Address,
    BirthDatePrecision,
    Disability,
    Ethnicity,
    Household,
    HouseholdMember,
    IdentifierKind,
    NameKind,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
    Sex,
)
from jigsaw.people.normalise import normalise_nhs_number, normalise_postcode, normalise_upn


@dataclasses.dataclass
class PersonDetails:
    family_name: str
    given_names: str = ""
    date_of_birth: datetime.date | None = None
    birth_date_precision: str = BirthDatePrecision.EXACT
    date_of_death: datetime.date | None = None
    sex: str = Sex.UNKNOWN
    gender: str = ""
    ethnicity: str = Ethnicity.NOBT
    first_language: str = ""
    disability: str = Disability.NOT_KNOWN
    nhs_number: str = ""
    upn: str = ""


@dataclasses.dataclass
class AddressDetails:
    line_1: str
    town: str
    postcode: str
    line_2: str = ""


def _today() -> datetime.date:
    return timezone.localdate()


def clean_person_details(details: PersonDetails) -> PersonDetails:
    """Validate and normalise; raise ValidationError naming every problem at once."""
    errors: dict[str, str] = {}
    cleaned = dataclasses.replace(
        details,
        family_name=details.family_name.strip(),
        given_names=" ".join(details.given_names.split()),
        gender=details.gender.strip(),
        first_language=details.first_language.strip(),
    )
    if not cleaned.family_name:
        errors["family_name"] = "Enter the family name"
    today = _today()
    dob = cleaned.date_of_birth
    if cleaned.birth_date_precision == BirthDatePrecision.EXPECTED:
        if dob is None:
            errors["date_of_birth"] = "Enter the expected due date"
        elif dob < today:
            errors["date_of_birth"] = "An expected due date must be today or in the future"
        if cleaned.date_of_death is not None:
            errors["date_of_death"] = "An unborn child cannot have a date of death"
    elif dob is not None and dob > today:
        errors["date_of_birth"] = (
            "Date of birth must be today or in the past; for an unborn child choose 'Expected (unborn child)'"
        )
    if cleaned.date_of_death is not None:
        if cleaned.date_of_death > today:
            errors["date_of_death"] = "Date of death must be today or in the past"
        elif dob is not None and cleaned.date_of_death < dob:
            errors["date_of_death"] = "Date of death must be the same as or after the date of birth"
    if cleaned.birth_date_precision not in BirthDatePrecision.values:
        errors["birth_date_precision"] = "Choose how sure the date of birth is"
    if cleaned.sex not in Sex.values:
        errors["sex"] = "Choose the sex"
    if cleaned.ethnicity not in Ethnicity.values:
        errors["ethnicity"] = "Choose the ethnicity"
    if cleaned.disability not in Disability.values:
        errors["disability"] = "Choose whether the person has a disability"
    if cleaned.nhs_number.strip():
        nhs = normalise_nhs_number(cleaned.nhs_number)
        if nhs is None:
            errors["nhs_number"] = "Enter a valid NHS number: 10 digits, like 943 476 5919"
        else:
            cleaned.nhs_number = nhs
    else:
        cleaned.nhs_number = ""
    if cleaned.upn.strip():
        upn = normalise_upn(cleaned.upn)
        if upn is None:
            errors["upn"] = "Enter a valid unique pupil number: a letter, 11 digits and a check character"
        else:
            cleaned.upn = upn
    else:
        cleaned.upn = ""
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_address(address: AddressDetails) -> AddressDetails:
    errors: dict[str, str] = {}
    postcode = normalise_postcode(address.postcode)
    if not address.line_1.strip():
        errors["line_1"] = "Enter the first line of the address"
    if not address.town.strip():
        errors["town"] = "Enter the town or city"
    if postcode is None:
        errors["postcode"] = "Enter a real postcode, like SW1A 1AA"
    if errors:
        raise ValidationError(errors)
    assert postcode is not None
    return AddressDetails(
        line_1=address.line_1.strip(),
        line_2=address.line_2.strip(),
        town=address.town.strip(),
        postcode=postcode,
    )


def _find_or_create_address(address: AddressDetails) -> Address:
    existing = Address.objects.filter(postcode=address.postcode, line_1__iexact=address.line_1).first()
    if existing is not None:
        return existing
    return Address.objects.create(
        line_1=address.line_1, line_2=address.line_2, town=address.town, postcode=address.postcode
    )


def _require(actor: AnyUser, permission: Permission) -> None:
    if not has_permission(actor, permission):
        raise PermissionDenied


def create_person(
    *,
    actor: AnyUser,
    details: PersonDetails,
    address: AddressDetails | None = None,
    moved_in: datetime.date | None = None,
) -> Person:
    """Add a person to the index (the form has already shown likely existing matches)."""
    _require(actor, Permission.CREATE_PERSON)
    errors: dict[str, list[str]] = {}
    cleaned_address = None
    try:
        cleaned = clean_person_details(details)
    except ValidationError as error:
        errors |= error.message_dict
    if address is not None:
        try:
            cleaned_address = clean_address(address)
        except ValidationError as error:
            errors |= error.message_dict
    if moved_in is not None and moved_in > _today():
        errors["moved_in"] = ["The date they moved in must be today or in the past"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person = Person(**dataclasses.asdict(cleaned))
        person.save()
        if cleaned_address is not None:
            Residence.objects.create(
                person=person, address=_find_or_create_address(cleaned_address), moved_in=moved_in
            )
        record_access(user=actor, action="create", record=person)
    return person


def update_person(*, actor: AnyUser, person_id: int, expected_version: int, details: PersonDetails) -> Person:
    """Change a person's details, refusing if someone else saved them in the meantime."""
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    cleaned = clean_person_details(details)
    with transaction.atomic():
        changed = {
            field: (str(getattr(person, field)), str(value))
            for field, value in dataclasses.asdict(cleaned).items()
            if getattr(person, field) != value
        }
        for field, value in dataclasses.asdict(cleaned).items():
            setattr(person, field, value)
        person.refresh_search_keys()
        updated = Person.objects.filter(pk=person.pk, version=expected_version).update(
            **dataclasses.asdict(cleaned),
            family_name_key=person.family_name_key,
            given_name_key=person.given_name_key,
            family_phonetic=person.family_phonetic,
            given_phonetic=person.given_phonetic,
            version=expected_version + 1,
            updated_at=timezone.now(),
        )
        if updated == 0:
            raise EditConflict(
                "Someone else changed this person's details after you opened them. "
                "Your changes have not been saved: check the record and try again."
            )
        record_access(user=actor, action="change", record=person, detail={"fields": sorted(changed)})
    person.refresh_from_db()
    return person


def add_other_name(
    *,
    actor: AnyUser,
    person_id: int,
    family_name: str,
    given_names: str = "",
    kind: str = NameKind.PREVIOUS,
    used_from: datetime.date | None = None,
    used_to: datetime.date | None = None,
) -> PersonName:
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    errors: dict[str, str] = {}
    if not family_name.strip():
        errors["family_name"] = "Enter the family name"
    if kind not in NameKind.values:
        errors["kind"] = "Choose what kind of name this is"
    if used_from and used_to and used_to < used_from:
        errors["used_to"] = "The date the name stopped being used must be after it started"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        name = PersonName(
            person=person,
            kind=kind,
            family_name=family_name.strip(),
            given_names=" ".join(given_names.split()),
            used_from=used_from,
            used_to=used_to,
        )
        name.save()
        record_access(user=actor, action="add_name", record=person, detail={"name_id": name.pk})
    return name


def add_identifier(
    *, actor: AnyUser, person_id: int, kind: str, value: str, issued_by: str = ""
) -> PersonIdentifier:
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    value = value.strip().upper()
    errors: dict[str, str] = {}
    if kind not in IdentifierKind.values:
        errors["kind"] = "Choose the kind of identifier"
    if not value:
        errors["value"] = "Enter the identifier"
    elif PersonIdentifier.objects.filter(person=person, kind=kind, value=value).exists():
        errors["value"] = "This person already has that identifier"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        identifier = PersonIdentifier.objects.create(
            person=person, kind=kind, value=value, issued_by=issued_by.strip()
        )
        record_access(user=actor, action="add_identifier", record=person, detail={"kind": kind})
    return identifier


def record_move(
    *, actor: AnyUser, person_id: int, address: AddressDetails, moved_in: datetime.date | None
) -> Residence:
    """Record that a person now lives at an address; their current address becomes previous."""
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    cleaned = clean_address(address)
    if moved_in is not None and moved_in > _today():
        raise ValidationError({"moved_in": "The date they moved in must be today or in the past"})
    with transaction.atomic():
        target = _find_or_create_address(cleaned)
        current = list(person.residences.filter(moved_out__isnull=True))
        for residence in current:
            if residence.address_id == target.pk:
                raise ValidationError({"line_1": "This is already the person's current address"})
            if residence.moved_in and moved_in and moved_in < residence.moved_in:
                raise ValidationError(
                    {"moved_in": "The move must be after they moved in to their current address"}
                )
            residence.moved_out = moved_in or _today()
            residence.save(update_fields=["moved_out"])
        residence = Residence.objects.create(person=person, address=target, moved_in=moved_in)
        record_access(user=actor, action="record_move", record=person, detail={"address_id": target.pk})
    return residence


def add_relationship(
    *,
    actor: AnyUser,
    person_id: int,
    relative_id: int,
    kind: str,
    started: datetime.date | None = None,
) -> Relationship:
    """Record that `relative` is the `kind` (parent, carer, ...) of `person`."""
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    relative = get_person_for(actor, relative_id, Permission.VIEW_PERSON)
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": "Choose the relationship"})
    if relative.pk == person.pk:
        raise ValidationError({"relative": "A person cannot be related to themselves"})
    if Relationship.objects.filter(person=person, relative=relative, kind=kind).exists():
        raise ValidationError({"relative": "This relationship is already recorded"})
    with transaction.atomic():
        relationship = Relationship.objects.create(
            person=person, relative=relative, kind=kind, started=started
        )
        record_access(
            user=actor,
            action="add_relationship",
            record=person,
            detail={"relative": relative.pk, "kind": kind},
        )
    return relationship


def add_household_member(
    *, actor: AnyUser, person_id: int, member_id: int, joined: datetime.date | None = None
) -> HouseholdMember:
    """Record that `member` lives in `person`'s household, at the person's current address.

    The household is created on first use; the member's own current address, if different,
    is closed, because someone lives in one household at a time.
    """
    person = get_person_for(actor, person_id, Permission.CHANGE_PERSON)
    member = get_person_for(actor, member_id, Permission.CHANGE_PERSON)
    if member.pk == person.pk:
        raise ValidationError({"member": "Choose someone other than this person"})
    residence = person.residences.filter(moved_out__isnull=True).select_related("address").first()
    if residence is None:
        raise ValidationError({"member": "Record this person's current address first"})
    with transaction.atomic():
        household, _ = Household.objects.get_or_create(address=residence.address, dissolved__isnull=True)
        HouseholdMember.objects.get_or_create(
            household=household, person=person, left__isnull=True, defaults={"joined": residence.moved_in}
        )
        if HouseholdMember.objects.filter(household=household, person=member, left__isnull=True).exists():
            raise ValidationError({"member": "They are already in this household"})
        today = joined or _today()
        HouseholdMember.objects.filter(person=member, left__isnull=True).update(left=today)
        for old in member.residences.filter(moved_out__isnull=True).exclude(address=residence.address):
            old.moved_out = today
            old.save(update_fields=["moved_out"])
        if not member.residences.filter(moved_out__isnull=True, address=residence.address).exists():
            Residence.objects.create(person=member, address=residence.address, moved_in=joined)
        membership = HouseholdMember.objects.create(household=household, person=member, joined=joined)
        record_access(user=actor, action="add_household_member", record=person, detail={"member": member.pk})
    return membership
