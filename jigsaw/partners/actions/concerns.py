"""Raising a concern through the partner portal (the multi-agency referral form), the
front door's triage of it into contacts, and telling the referrer the outcome.

Working Together to Safeguard Children (2023) asks that anyone with a concern about a
child can refer it to children's social care, that the referrer is told the outcome, and
that a referral is never lost. So a draft is saved as it is typed (a timed-out session
loses nothing), a submitted concern has a reference at once, and each child is matched to
the person index before the front door sees it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.front_door import record_contact
from jigsaw.casework.models import Consent, Contact, ReferralSource, Urgency
from jigsaw.matching.index import person_record
from jigsaw.matching.models import MatchReview, MatchSource, ReviewStatus
from jigsaw.matching.policy import Outcome
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.review import ReviewConflict, decide_review, resolve
from jigsaw.partners.actions import notify
from jigsaw.partners.actions.alerts import concerns_submitted
from jigsaw.partners.models import (
    AgencyKind,
    Concern,
    ConcernChild,
    ConcernStatus,
    ConcernUrgency,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    LegalBasis,
    Practitioner,
)
from jigsaw.partners.queries.concerns import outcome_in_words
from jigsaw.people.actions import AddressDetails, PersonDetails, create_person
from jigsaw.people.models import BirthDatePrecision
from jigsaw.people.normalise import normalise_nhs_number, normalise_postcode, normalise_upn

__all__ = [
    "AGENCY_REFERRAL_SOURCE",
    "ChildDetails",
    "ConcernAnswers",
    "ConcernConflict",
    "add_child",
    "add_person_for_child",
    "concern_decided",
    "record_contact_for_child",
    "remove_child",
    "save_concern_draft",
    "start_concern",
    "submit_concern",
]

# The DfE children in need census referral source of a concern, from the referrer's agency.
AGENCY_REFERRAL_SOURCE: dict[str, str] = {
    AgencyKind.SCHOOL: ReferralSource.SCHOOLS,
    AgencyKind.EARLY_YEARS: ReferralSource.EDUCATION_SERVICES,
    AgencyKind.GP_PRACTICE: ReferralSource.GP,
    AgencyKind.HEALTH_VISITING: ReferralSource.HEALTH_VISITOR,
    AgencyKind.ACUTE_HEALTH: ReferralSource.A_AND_E,
    AgencyKind.HOUSING: ReferralSource.HOUSING,
    AgencyKind.POLICE: ReferralSource.POLICE,
    AgencyKind.PROBATION: ReferralSource.OTHER_LEGAL,
    AgencyKind.CHILDRENS_SOCIAL_CARE: ReferralSource.LA_SOCIAL_CARE,
    AgencyKind.OTHER_LOCAL_AUTHORITY: ReferralSource.LA_EXTERNAL,
    AgencyKind.VOLUNTARY_SECTOR: ReferralSource.OTHER,
    AgencyKind.SAFEGUARDING_PARTNERSHIP: ReferralSource.OTHER,
}

# The portal's consent answer as the contact records it: a duty to share needs no consent,
# which the contact records as not sought.
_CONTACT_CONSENT: dict[str, str] = {
    ConsentStatus.GIVEN: Consent.GIVEN,
    ConsentStatus.NOT_SOUGHT: Consent.NOT_SOUGHT,
    ConsentStatus.REFUSED_OVERRIDDEN: Consent.REFUSED,
    ConsentStatus.NOT_NEEDED: Consent.NOT_SOUGHT,
}

# Consent answers that need the reason for sharing without it.
_WITHOUT_CONSENT_NEEDS_REASON = frozenset({ConsentStatus.NOT_SOUGHT, ConsentStatus.REFUSED_OVERRIDDEN})

CONFLICT_MESSAGE = (
    "This draft was saved in another tab or window after you opened it, so your changes "
    "have not been saved. What you typed is still below: check it, then save again."
)

OUTCOME_PURPOSE = "feeding back the outcome of a concern you raised"
MAX_CHILDREN = 12


class ConcernConflict(EditConflict):
    """The draft was saved elsewhere (another tab) after this form was opened."""


@dataclasses.dataclass(frozen=True)
class ConcernAnswers:
    """The answers about the concern itself (the children are separate)."""

    concern: str = ""
    child_views: str = ""
    immediate_risk: str = ""
    urgency: str = ""
    consent: str = ""
    legal_basis: str = ""
    without_consent_reason: str = ""
    parents_aware: bool | None = None


@dataclasses.dataclass(frozen=True)
class ChildDetails:
    """A child as the referrer describes them."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    unborn_due_date: datetime.date | None = None
    sex: str = ""
    address: str = ""
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""


def _raiser(actor: AnyUser) -> tuple[User, Practitioner]:
    if not has_permission(actor, Permission.RAISE_CONCERN):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor, actor.practitioner


def _own_draft_for_update(user: User, concern_id: int) -> Concern:
    """The user's own concern, locked; anyone else's is "not found"."""
    concern = Concern.objects.select_for_update().filter(pk=concern_id, raised_by=user).first()
    if concern is None:
        raise Http404("No such concern")
    if concern.status != ConcernStatus.DRAFT:
        raise ValidationError(
            {"concern": "This concern has been sent to the front door and can no longer change"}
        )
    return concern


def _check_version(concern: Concern, expected_version: int, editor: str) -> None:
    """A save from a stale page is refused, unless the page is the one that saved last (its
    own autosave got there first): a page may save over its own saves, not another's."""
    if concern.version != expected_version and not (editor and editor == concern.editor):
        raise ConcernConflict(CONFLICT_MESSAGE)


@transaction.atomic
def start_concern(*, actor: AnyUser) -> Concern:
    """Start a draft concern with one (empty) child. The referrer and their agency come from
    the signed-in practitioner, never typed."""
    user, practitioner = _raiser(actor)
    # A draft started and never typed in (version 1) is reused, not left behind as clutter.
    untouched = (
        Concern.objects.filter(raised_by=user, status=ConcernStatus.DRAFT, version=1).order_by("-pk").first()
    )
    if untouched is not None:
        return untouched
    concern = Concern.objects.create(raised_by=user, agency_id=practitioner.agency_id)
    ConcernChild.objects.create(concern=concern)
    record_access(user=user, action="start_concern", record=concern)
    return concern


def _clip(value: str, length: int) -> str:
    return value.strip()[:length]


@transaction.atomic
def save_concern_draft(
    *,
    actor: AnyUser,
    concern_id: int,
    expected_version: int,
    answers: ConcernAnswers,
    children: dict[int, ChildDetails],
    editor: str = "",
) -> Concern:
    """Save the draft as it stands (nothing is required of a draft: it is saved as it is
    typed, so that a timed-out session loses nothing). `children` maps each of the draft's
    children (by id) to its details; a child not in the draft is "not found". A draft saved
    elsewhere since `expected_version` raises ConcernConflict and saves nothing; `editor`
    names the page saving (its browser tab), which may always save over its own saves."""
    user, _ = _raiser(actor)
    concern = _own_draft_for_update(user, concern_id)
    own = {child.pk: child for child in concern.children.all()}
    if set(children) - set(own):
        raise Http404("No such child on this concern")
    _check_version(concern, expected_version, editor)
    concern.version += 1
    concern.editor = editor[:32]
    concern.concern = answers.concern.strip()
    concern.child_views = answers.child_views.strip()
    concern.immediate_risk = answers.immediate_risk.strip()
    concern.urgency = answers.urgency if answers.urgency in ConcernUrgency.values else ""
    concern.consent = answers.consent if answers.consent in ConsentStatus.values else ""
    concern.legal_basis = answers.legal_basis if answers.legal_basis in LegalBasis.values else ""
    concern.without_consent_reason = answers.without_consent_reason.strip()
    concern.parents_aware = answers.parents_aware
    concern.save()
    for child_id, details in children.items():
        child = own[child_id]
        child.given_name = _clip(details.given_name, 120)
        child.family_name = _clip(details.family_name, 120)
        child.date_of_birth = details.date_of_birth
        child.unborn_due_date = details.unborn_due_date
        child.sex = details.sex if details.sex in {"M", "F", "U"} else ""
        child.address = _clip(details.address, 250)
        child.postcode = _clip(details.postcode, 8).upper()
        child.nhs_number = "".join(details.nhs_number.split())[:10]
        child.upn = _clip(details.upn, 13).upper()
        child.save()
    # A draft names children only as the referrer typed them: nobody in the index is read.
    record_access(user=user, action="save_concern_draft", record=concern, detail={"version": concern.version})
    return concern


@transaction.atomic
def add_child(*, actor: AnyUser, concern_id: int) -> ConcernChild:
    """Add another (empty) child to a draft."""
    user, _ = _raiser(actor)
    concern = _own_draft_for_update(user, concern_id)
    if concern.children.count() >= MAX_CHILDREN:
        raise ValidationError({"children": f"A concern can be about at most {MAX_CHILDREN} children"})
    child = ConcernChild.objects.create(concern=concern)
    concern.version += 1
    concern.save(update_fields=["version", "updated_at"])
    record_access(user=user, action="add_concern_child", record=concern, detail={"child": child.pk})
    return child


@transaction.atomic
def remove_child(*, actor: AnyUser, concern_id: int, child_id: int) -> None:
    """Take a child off a draft; a draft keeps at least one."""
    user, _ = _raiser(actor)
    concern = _own_draft_for_update(user, concern_id)
    child = concern.children.filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child on this concern")
    if concern.children.count() == 1:
        raise ValidationError({"children": "A concern must be about at least one child"})
    child.delete()
    concern.version += 1
    concern.save(update_fields=["version", "updated_at"])
    record_access(user=user, action="remove_concern_child", record=concern, detail={"child": child_id})


def _child_errors(child: ConcernChild, today: datetime.date) -> dict[str, str]:
    prefix = f"child-{child.pk}-"
    errors: dict[str, str] = {}
    unborn = child.unborn_due_date is not None
    if not child.family_name:
        errors[prefix + "family_name"] = "Enter the child's family name (for an unborn child, the mother's)"
    if not child.given_name and not unborn:
        errors[prefix + "given_name"] = "Enter the child's given name"
    if child.date_of_birth is None and not unborn:
        errors[prefix + "date_of_birth"] = (
            "Enter the child's date of birth, or the due date for an unborn child"
        )
    if child.date_of_birth is not None and unborn:
        errors[prefix + "unborn_due_date"] = "Give a date of birth or a due date, not both"
    if child.date_of_birth is not None and child.date_of_birth > today:
        errors[prefix + "date_of_birth"] = "The date of birth must be today or in the past"
    if child.unborn_due_date is not None and child.unborn_due_date < today - datetime.timedelta(days=31):
        errors[prefix + "unborn_due_date"] = "The due date has passed: give the baby's date of birth instead"
    if child.postcode and normalise_postcode(child.postcode) is None:
        errors[prefix + "postcode"] = "Enter a real postcode, like RF1 2AB, or leave it blank"
    if child.nhs_number and normalise_nhs_number(child.nhs_number) is None:
        errors[prefix + "nhs_number"] = (
            "Enter the NHS number's 10 digits, or leave it blank if you do not know it"
        )
    if child.upn and normalise_upn(child.upn) is None:
        errors[prefix + "upn"] = "Enter the unique pupil number's 13 characters, or leave it blank"
    return errors


def _concern_errors(concern: Concern) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not concern.concern:
        errors["concern"] = "Say what you are worried about"
    if not concern.urgency:
        errors["urgency"] = "Choose how urgent this is"
    if not concern.consent:
        errors["consent"] = "Say whether the family agreed to this being shared"
    elif concern.consent != ConsentStatus.GIVEN:
        if not concern.legal_basis or concern.legal_basis == LegalBasis.CONSENT:
            errors["legal_basis"] = "Choose the legal basis for sharing without consent"
        if concern.consent in _WITHOUT_CONSENT_NEEDS_REASON and not concern.without_consent_reason:
            errors["without_consent_reason"] = "Say why you are sharing without consent"
    return errors


def _normal(normalise: Callable[[str], str | None], value: str) -> str:
    """The value in its standard form, or "" when blank or not valid."""
    return (normalise(value) or "") if value else ""


def match_record(child: ConcernChild) -> MatchRecord:
    """The child as the matcher compares them."""
    return MatchRecord(
        record_id=f"concern-child:{child.pk}",
        given_name=child.given_name,
        family_name=child.family_name,
        dob=child.date_of_birth,
        sex=child.sex if child.sex in {"M", "F"} else "",
        postcode=_normal(normalise_postcode, child.postcode),
        address=child.address,
        nhs_number=_normal(normalise_nhs_number, child.nhs_number),
        upn=_normal(normalise_upn, child.upn),
    )


def _match_reference(child: ConcernChild) -> str:
    """How the review queue names a concern's child (one review per child, not per concern)."""
    return f"concern:{child.concern_id}:child:{child.pk}"


def concern_reference(concern: Concern, year: int) -> str:
    """CON-2026-000123: the year it was sent and the concern's own number, unique and
    allocated by the database (no counter to race for between concurrent submissions)."""
    return f"CON-{year}-{concern.pk:06d}"


@transaction.atomic
def submit_concern(*, actor: AnyUser, concern_id: int, expected_version: int, editor: str = "") -> Concern:
    """Send a draft to the front door: every required answer is checked (all problems at
    once), it gets its reference, and each child is matched to the person index (an
    uncertain match goes to the review queue) so the front door sees who it probably is."""
    user, _ = _raiser(actor)
    concern = _own_draft_for_update(user, concern_id)
    _check_version(concern, expected_version, editor)
    children = list(concern.children.all())
    today = timezone.localdate()
    errors = _concern_errors(concern)
    if not children:
        errors["children"] = "Add the child the concern is about"
    for child in children:
        errors |= _child_errors(child, today)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    concern.version += 1
    concern.status = ConcernStatus.SUBMITTED
    concern.submitted_at = now
    concern.reference = concern_reference(concern, timezone.localdate(now).year)
    concern.save()
    matched: list[tuple[str, str]] = []
    for child in children:
        decision = resolve(
            source=MatchSource.CONTACT,
            record=match_record(child),
            reference=_match_reference(child),
            actor=user,
        )
        child.match_outcome = str(decision.outcome)
        if decision.candidate is not None and decision.outcome != Outcome.NEW:
            child.matched_person_id = decision.candidate.person_id
            child.match_probability = decision.candidate.probability
            matched.append(("people.person", str(decision.candidate.person_id)))
        else:
            child.matched_person_id = None
            child.match_probability = decision.candidate.probability if decision.candidate else None
        child.save(update_fields=["match_outcome", "matched_person", "match_probability"])
    # Two concerns from different agencies in a week join up; an open child's worker hears.
    concerns_submitted(concern_child_ids=[child.pk for child in children])
    record_access(
        user=user,
        action="submit_concern",
        record=concern,
        detail={"reference": concern.reference, "children": len(children)},
        subjects=matched,
    )
    return concern


# --- The front door ----------------------------------------------------------------------


def _front_door(actor: AnyUser) -> User:
    if not (
        has_permission(actor, Permission.DECIDE_CONTACT) and has_permission(actor, Permission.RECORD_CONTACT)
    ):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


def _child_for_triage(child_id: int) -> ConcernChild:
    child = (
        ConcernChild.objects.select_for_update()
        .select_related("concern", "concern__agency", "concern__raised_by")
        .filter(pk=child_id, concern__status=ConcernStatus.SUBMITTED)
        .first()
    )
    if child is None:
        raise Http404("No such concern")
    if child.contact_id is not None:
        raise ValidationError({"person": "A contact has already been recorded for this child"})
    return child


def _contact_text(concern: Concern) -> str:
    parts = [concern.concern]
    if concern.child_views:
        parts.append(f"What the child has said: {concern.child_views}")
    if concern.immediate_risk:
        parts.append(f"Risk now, and who is with the child: {concern.immediate_risk}")
    if concern.consent and concern.consent != ConsentStatus.GIVEN:
        parts.append(
            f"Consent: {concern.get_consent_display()}. Legal basis: {concern.get_legal_basis_display()}"
            + (f". Why: {concern.without_consent_reason}" if concern.without_consent_reason else "")
        )
    parts.append(f"Raised through the partner portal as {concern.reference}.")
    return "\n\n".join(parts)


@transaction.atomic
def record_contact_for_child(*, actor: AnyUser, child_id: int, person_id: int) -> Contact:
    """The front door confirms who a child in a concern is and records the contact, which
    then takes the usual way (decision within a working day, a manager's authorisation).
    The source is the referrer's agency, as the children in need census codes it."""
    user = _front_door(actor)
    child = _child_for_triage(child_id)
    concern = child.concern
    assert concern.submitted_at is not None
    referrer = getattr(concern.raised_by, "practitioner", None)
    contact = record_contact(
        actor=user,
        person_id=person_id,
        received_at=concern.submitted_at,
        source=AGENCY_REFERRAL_SOURCE.get(concern.agency.kind, ReferralSource.OTHER),
        concern=_contact_text(concern),
        consent=_CONTACT_CONSENT.get(concern.consent, Consent.NOT_SOUGHT),
        urgency=concern.urgency if concern.urgency in Urgency.values else Urgency.ROUTINE,
        referrer_name=referrer.full_name if referrer is not None else concern.raised_by.get_full_name(),
        referrer_agency_id=concern.agency_id,
    )
    child.person = contact.person
    child.contact = contact
    child.save(update_fields=["person", "contact"])
    _settle_reviews(user, child, contact.person_id, str(concern.reference))
    if child.matched_person_id != contact.person_id:
        # The front door found the child the matcher did not: count the concern for them now.
        concerns_submitted(concern_child_ids=[child.pk])
    record_access(
        user=user,
        action="triage_concern",
        record=concern,
        subjects=[contact.person, contact],
        detail={"child": child.pk, "matched": child.matched_person_id == contact.person_id},
    )
    return contact


def _settle_reviews(user: User, child: ConcernChild, person_id: int, reference: str) -> None:
    """The front door has said who the child is: an open review of the child's uncertain
    match is decided the same way (and kept as a label for the match model), so nobody
    reviews it twice."""
    for review in MatchReview.objects.filter(
        incoming_reference=_match_reference(child), status=ReviewStatus.OPEN
    ):
        try:
            decide_review(
                actor=user,
                review=review,
                same_person=review.candidate_id == person_id,
                note=f"Decided when the front door recorded the contact from concern {reference}",
                expected_version=review.version,
            )
        except (Http404, ReviewConflict):
            continue  # a review this user may not decide, or decided meanwhile: left as it is


@transaction.atomic
def add_person_for_child(*, actor: AnyUser, child_id: int) -> Contact:
    """Nobody in the index is this child: add them as the referrer described them and record
    the contact (the matcher is asked again, and queues a review if they may be known after
    all)."""
    user = _front_door(actor)
    child = _child_for_triage(child_id)
    unborn = child.unborn_due_date is not None
    details = PersonDetails(
        family_name=child.family_name,
        given_names=child.given_name,
        date_of_birth=child.unborn_due_date if unborn else child.date_of_birth,
        birth_date_precision=BirthDatePrecision.EXPECTED if unborn else BirthDatePrecision.EXACT,
        sex=child.sex if child.sex in {"M", "F"} else "U",
        nhs_number=_normal(normalise_nhs_number, child.nhs_number),
        upn=_normal(normalise_upn, child.upn),
    )
    postcode = _normal(normalise_postcode, child.postcode)
    address = None
    if child.address and postcode:
        line_1, _, rest = child.address.partition(",")
        address = AddressDetails(line_1=line_1.strip(), town=rest.strip() or "Not known", postcode=postcode)
    person = create_person(actor=user, details=details, address=address)
    resolve(source=MatchSource.PERSON_CREATION, record=person_record(person), person=person, actor=user)
    return record_contact_for_child(actor=user, child_id=child.pk, person_id=person.pk)


# --- Telling the referrer ------------------------------------------------------------------


def concern_decided(*, contact: Contact, actor: AnyUser) -> None:
    """Called when the front door's decision on a contact is authorised: if the contact came
    from a concern, tell the referrer the outcome (Working Together 2023: the referrer is
    told what will happen), record the disclosure, and mark the concern decided once every
    child's contact is. Runs in the authorising transaction."""
    child = (
        ConcernChild.objects.select_related("concern", "concern__raised_by")
        .filter(contact_id=contact.pk)
        .first()
    )
    if child is None:
        return
    concern = Concern.objects.select_for_update().get(pk=child.concern_id)
    now = timezone.now()
    Disclosure.objects.create(
        person=contact.person,
        kind=DisclosureKind.CONCERN_OUTCOME,
        recipient_id=concern.raised_by_id,
        recipient_agency_id=concern.agency_id,
        purpose=OUTCOME_PURPOSE,
        legal_basis=LegalBasis.PUBLIC_TASK,
        consent=concern.consent or ConsentStatus.NOT_NEEDED,
        disclosed_at=now,
        source_type=contact._meta.label_lower,
        source_id=str(contact.pk),
    )
    children = list(concern.children.select_related("contact"))
    every_child_decided = all(
        c.contact is not None and (c.pk == child.pk or c.contact.authorised_at is not None) for c in children
    )
    if every_child_decided:
        concern.status = ConcernStatus.DECIDED
        concern.version += 1
        concern.save(update_fields=["status", "version", "updated_at"])
    name = " ".join(part for part in (child.given_name, child.family_name) if part) or "the child"
    outcome = outcome_in_words(contact)
    record_access(
        user=actor,
        action="tell_concern_outcome",
        record=concern,
        subjects=[contact.person],
        detail={"child": child.pk, "decision": contact.decision},
    )
    notify(
        recipients=[concern.raised_by],
        subject=f"Outcome of your concern {concern.reference}",
        body=f"The front door has decided about {name}: {outcome}",
        link=reverse("partners:concern", args=[concern.pk]),
    )
