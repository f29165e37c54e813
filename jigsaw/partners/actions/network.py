"""Changing the professional network, and recording disclosures.

A professional is added to the directory once and picked thereafter (Working Together:
agencies should know who else is involved and how to reach them); naming a professional
who signs in to Jigsaw lets them open the child's record, which is a disclosure and is
recorded with its purpose, legal basis and consent (the government's advice on
information sharing for safeguarding practitioners, and UK GDPR article 30).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, get_person_for, has_permission
from jigsaw.access.roles import Role
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    ContactMethod,
    Disclosure,
    DisclosureKind,
    LegalBasis,
    NamedProfessional,
    Practitioner,
)
from jigsaw.partners.queries.network import agreement_covering, find_existing, get_named_for
from jigsaw.people.models import Person

NETWORK_PURPOSE = "Named professional in the network around the child: may open the child's record"


class AlreadyInDirectory(Exception):
    """The professional being added is already in the directory: pick them instead."""

    def __init__(self, existing: Practitioner) -> None:
        super().__init__(f"{existing.full_name} ({existing.agency}) is already in the directory")
        self.existing = existing


@dataclasses.dataclass(frozen=True)
class NewProfessional:
    """A professional's details as a user enters them once."""

    full_name: str
    agency_id: int | None
    job_title: str = ""
    phone: str = ""
    secure_email: str = ""
    preferred_contact: str = ContactMethod.PHONE
    availability: str = ""


def _editor(actor: AnyUser) -> User:
    if not has_permission(actor, Permission.EDIT_NETWORK):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


def discloses_to(practitioner: Practitioner) -> bool:
    """Naming this practitioner lets them open the child's record: they sign in to Jigsaw and
    work outside children's social care (whose staff see the index anyway)."""
    return practitioner.user_id is not None and practitioner.agency.kind != AgencyKind.CHILDRENS_SOCIAL_CARE


def _check_involvement(errors: dict[str, str], involvement: str, started: datetime.date) -> None:
    if not involvement.strip():
        errors["involvement"] = "Enter their role with the child, for example GP or class teacher"
    if started > timezone.localdate():
        errors["started"] = "The date they became involved must be today or in the past"


def _sharing_terms(
    errors: dict[str, str], practitioner: Practitioner, consent: str, legal_basis: str, on: datetime.date
) -> tuple[str, str]:
    """The consent and legal basis of naming a practitioner who will see the record: the
    consent is the user's to say; the basis is theirs, or the agreement's in force."""
    if consent not in ConsentStatus.values:
        errors["consent"] = f"Say whether the family agreed to sharing with {practitioner.full_name}"
    if legal_basis and legal_basis not in LegalBasis.values:
        errors["legal_basis"] = "Choose the legal basis from the list"
    if not legal_basis:
        agreement = agreement_covering(agency=practitioner.agency, on=on)
        if agreement is None:
            errors["legal_basis"] = (
                f"There is no information-sharing agreement with {practitioner.agency.name}: "
                "choose the legal basis for sharing"
            )
        else:
            legal_basis = agreement.legal_basis
    return consent, legal_basis


def _name(
    *, user: User, person: Person, practitioner: Practitioner, involvement: str, started: datetime.date
) -> NamedProfessional:
    named = NamedProfessional.objects.create(
        person=person,
        practitioner=practitioner,
        involvement=" ".join(involvement.split()),
        started=started,
        added_by=user,
    )
    record_access(
        user=user,
        action="name_professional",
        record=named,
        detail={"practitioner": practitioner.pk, "involvement": named.involvement},
        subjects=[person],
    )
    return named


@transaction.atomic
def name_professional(
    *,
    actor: AnyUser,
    person_id: int,
    practitioner_id: int,
    involvement: str,
    started: datetime.date | None = None,
    consent: str = "",
    legal_basis: str = "",
) -> NamedProfessional:
    """Name a professional from the directory in the network around a child (once while
    their involvement lasts). If they sign in to Jigsaw from a partner agency they can then
    open the child's record, so the disclosure is recorded: the consent is asked, and the
    legal basis is the user's or that of the information-sharing agreement in force."""
    user = _editor(actor)
    person = get_person_for(actor, person_id, Permission.EDIT_NETWORK)
    started = started or timezone.localdate()
    practitioner = Practitioner.objects.select_related("agency").filter(pk=practitioner_id).first()
    errors: dict[str, str] = {}
    if practitioner is None:
        raise ValidationError({"practitioner": "Choose a professional from the directory"})
    _check_involvement(errors, involvement, started)
    if NamedProfessional.objects.filter(
        person=person, practitioner=practitioner, ended__isnull=True
    ).exists():
        errors["practitioner"] = f"{practitioner.full_name} is already named for {person.full_name}"
    shared = discloses_to(practitioner)
    if shared:
        consent, legal_basis = _sharing_terms(
            errors, practitioner, consent, legal_basis, timezone.localdate()
        )
    if errors:
        raise ValidationError(errors)
    named = _name(
        user=user, person=person, practitioner=practitioner, involvement=involvement, started=started
    )
    if shared:
        record_disclosure(
            person=person,
            kind=DisclosureKind.NETWORK,
            recipient=practitioner.user,
            recipient_agency=practitioner.agency,
            purpose=NETWORK_PURPOSE,
            legal_basis=legal_basis,
            consent=consent,
            source=named,
        )
    return named


def _clean_details(details: NewProfessional) -> tuple[dict[str, str], Agency | None, NewProfessional]:
    errors: dict[str, str] = {}
    cleaned = dataclasses.replace(
        details,
        full_name=" ".join(details.full_name.split()),
        job_title=details.job_title.strip(),
        phone=details.phone.strip(),
        secure_email=details.secure_email.strip().lower(),
        availability=details.availability.strip(),
    )
    agency = Agency.objects.filter(pk=details.agency_id).first() if details.agency_id else None
    if not cleaned.full_name:
        errors["full_name"] = "Enter the professional's full name"
    if agency is None:
        errors["agency"] = "Choose the agency they work for from the list"
    if cleaned.preferred_contact not in ContactMethod.values:
        errors["preferred_contact"] = "Choose how they prefer to be contacted"
    if cleaned.secure_email:
        try:
            validate_email(cleaned.secure_email)
        except ValidationError:
            errors["secure_email"] = (
                "Enter the secure email address in the right format, like name@school.example"
            )
    if not cleaned.phone and not cleaned.secure_email:
        errors["phone"] = "Enter a phone number or a secure email address, so others can reach them"
    elif cleaned.preferred_contact == ContactMethod.PHONE and not cleaned.phone:
        errors["phone"] = "Enter their phone number, as they prefer to be phoned"
    elif cleaned.preferred_contact == ContactMethod.SECURE_EMAIL and not cleaned.secure_email:
        errors["secure_email"] = "Enter their secure email address, as they prefer secure email"
    return errors, agency, cleaned


@transaction.atomic
def add_new_professional(
    *,
    actor: AnyUser,
    person_id: int,
    details: NewProfessional,
    involvement: str,
    started: datetime.date | None = None,
) -> NamedProfessional:
    """Add a professional to the directory, once, and name them around a child in the same
    step. A second copy (the same name at the same agency, or the same secure e-mail) is
    refused with `AlreadyInDirectory`, so the user picks the existing one. The new
    professional has no sign-in, so naming them discloses nothing through Jigsaw."""
    user = _editor(actor)
    person = get_person_for(actor, person_id, Permission.EDIT_NETWORK)
    started = started or timezone.localdate()
    errors, agency, cleaned = _clean_details(details)
    # Someone already there is offered first, whatever else the form still lacks.
    existing = find_existing(full_name=cleaned.full_name, agency=agency, secure_email=cleaned.secure_email)
    if existing is not None:
        raise AlreadyInDirectory(existing)
    _check_involvement(errors, involvement, started)
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    practitioner = Practitioner.objects.create(
        full_name=cleaned.full_name,
        agency=agency,
        role=Role.SOCIAL_WORKER
        if agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE
        else Role.PARTNER_PRACTITIONER,
        job_title=cleaned.job_title,
        phone=cleaned.phone,
        secure_email=cleaned.secure_email,
        preferred_contact=cleaned.preferred_contact,
        availability=cleaned.availability,
    )
    record_access(
        user=user,
        action="add_practitioner",
        record=practitioner,
        detail={"agency": agency.pk},
        subjects=[person],
    )
    return _name(
        user=user, person=person, practitioner=practitioner, involvement=involvement, started=started
    )


@transaction.atomic
def end_involvement(*, actor: AnyUser, named_id: int, ended: datetime.date) -> NamedProfessional:
    """A professional's involvement with a child ends (the child leaves the school, the case
    closes): they stay on the record as a past involvement, and a partner who signs in can
    no longer open the child's record through it."""
    user = _editor(actor)
    named = get_named_for(actor, named_id)
    named = (
        NamedProfessional.objects.select_for_update()
        .select_related("practitioner", "person")
        .get(pk=named.pk)
    )
    errors: dict[str, str] = {}
    if named.ended is not None:
        raise ValidationError(f"{named.practitioner.full_name}'s involvement has already ended")
    if ended > timezone.localdate():
        errors["ended"] = "The date the involvement ended must be today or in the past"
    elif named.started is not None and ended < named.started:
        errors["ended"] = (
            f"The date the involvement ended must be on or after it started, {named.started:%-d %B %Y}"
        )
    if errors:
        raise ValidationError(errors)
    named.ended = ended
    named.save(update_fields=["ended"])
    record_access(
        user=user,
        action="end_involvement",
        record=named,
        detail={"practitioner": named.practitioner_id, "ended": ended.isoformat()},
        subjects=[named.person],
    )
    return named


def record_disclosure(
    *,
    person: Person,
    kind: str,
    recipient: AbstractBaseUser | None,
    recipient_agency: Agency,
    purpose: str,
    legal_basis: str,
    consent: str,
    source: models.Model | None = None,
    disclosed_at: datetime.datetime | None = None,
) -> Disclosure:
    """Record one disclosure of a child's information to someone outside children's social
    care, in the caller's transaction (call it from the action that discloses).

    - `kind`: a `DisclosureKind`; `legal_basis`: a `LegalBasis`; `consent`: a `ConsentStatus`.
    - `recipient` is the user told (None for an agency's inbox or a letter); `source` the
      record disclosed (a flag answer, a concern), kept as its label and key.
    - The agreement recorded is the one in force today that covers children's social care
      and `recipient_agency`, if there is one.

    Values outside the choices are a programming error (ValueError), not a user's.
    """
    if kind not in DisclosureKind.values:
        raise ValueError(f"Unknown disclosure kind {kind!r}")
    if legal_basis not in LegalBasis.values:
        raise ValueError(f"Unknown legal basis {legal_basis!r}")
    if consent not in ConsentStatus.values:
        raise ValueError(f"Unknown consent status {consent!r}")
    if not purpose.strip():
        raise ValueError("A disclosure needs its purpose")
    moment = disclosed_at or timezone.now()
    return Disclosure.objects.create(
        person=person,
        kind=kind,
        recipient_id=recipient.pk if recipient is not None else None,
        recipient_agency=recipient_agency,
        purpose=purpose.strip()[:300],
        legal_basis=legal_basis,
        consent=consent,
        agreement=agreement_covering(agency=recipient_agency, on=timezone.localdate(moment)),
        disclosed_at=moment,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
    )
