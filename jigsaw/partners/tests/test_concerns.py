"""Raising a concern: drafts that survive, submission with a reference and matching, the
front door's triage into contacts, and the outcome told to the referrer."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions import authorise_decision, decide_contact
from jigsaw.casework.models import Contact, EarlyHelpEpisode
from jigsaw.matching.models import MatchReview, ReviewStatus
from jigsaw.partners.actions.concerns import (
    ChildDetails,
    ConcernAnswers,
    ConcernConflict,
    add_child,
    add_person_for_child,
    record_contact_for_child,
    remove_child,
    save_concern_draft,
    start_concern,
    submit_concern,
)
from jigsaw.partners.models import (
    Concern,
    ConcernChild,
    ConcernStatus,
    Disclosure,
    DisclosureKind,
    Notification,
)
from jigsaw.partners.queries.concerns import (
    concern_queue,
    concerns_raised_by,
    get_own_concern,
    outcomes_for_referrer,
)
from jigsaw.people.models import Person
from tests.casework_factories import make_contact
from tests.factories import make_person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

ANSWERS = ConcernAnswers(
    concern="Peter came in with a burn on his hand and would not say how it happened.",
    child_views="He said his mum's boyfriend gets angry.",
    immediate_risk="He is in school until 3pm.",
    urgency="same_day",
    consent="given",
)


def _peter() -> Person:
    return make_person(
        given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2016, 3, 1), sex="M"
    )


def _draft(user: User, answers: ConcernAnswers = ANSWERS, **child: Any) -> Concern:
    concern = start_concern(actor=user)
    first = concern.children.get()
    details = ChildDetails(**child) if child else ChildDetails()
    return save_concern_draft(
        actor=user,
        concern_id=concern.pk,
        expected_version=concern.version,
        answers=answers,
        children={first.pk: details},
    )


def _peter_details() -> dict[str, Any]:
    return {
        "given_name": "Peter",
        "family_name": "Connelly",
        "date_of_birth": datetime.date(2016, 3, 1),
        "sex": "M",
    }


def _submitted(user: User, **child: Any) -> Concern:
    draft = _draft(user, **(child or _peter_details()))
    return submit_concern(actor=user, concern_id=draft.pk, expected_version=draft.version)


# --- Drafts --------------------------------------------------------------------------------


def test_a_draft_takes_the_referrer_and_agency_from_the_signed_in_practitioner(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)

    assert concern.raised_by == school_dsl
    assert concern.agency.name == "Riverside Primary School"
    assert concern.status == ConcernStatus.DRAFT and concern.reference is None
    assert concern.children.count() == 1
    entry = AccessLogEntry.objects.get(action="start_concern")
    assert (entry.user, entry.record_id) == (school_dsl, str(concern.pk))


def test_an_untouched_draft_is_reused_rather_than_left_behind(school_dsl: User) -> None:
    first = start_concern(actor=school_dsl)
    assert start_concern(actor=school_dsl) == first

    typed = _draft(school_dsl, family_name="Connelly")

    assert typed == first
    assert start_concern(actor=school_dsl) != first
    assert Concern.objects.filter(raised_by=school_dsl).count() == 2


def test_only_partner_practitioners_raise_concerns(front_door_officer: User) -> None:
    with pytest.raises(PermissionDenied):
        start_concern(actor=front_door_officer)


def test_every_answer_of_a_saved_draft_comes_back(school_dsl: User) -> None:
    answers = ConcernAnswers(
        concern="Neglect: often hungry",
        child_views="Says there is no food at home",
        immediate_risk="None today",
        urgency="routine",
        consent="refused",
        legal_basis="safeguarding",
        without_consent_reason="Mother refused; the child is at risk of harm",
        parents_aware=True,
    )
    child = ChildDetails(
        given_name="Ayesha",
        family_name="Khan",
        date_of_birth=datetime.date(2018, 5, 17),
        sex="F",
        address="12 Mill Lane, Riverford",
        postcode="rf1 2ab",
        nhs_number="943 476 5919",
        upn="A123456789012",
    )
    concern = start_concern(actor=school_dsl)
    first = concern.children.get()

    save_concern_draft(
        actor=school_dsl,
        concern_id=concern.pk,
        expected_version=1,
        answers=answers,
        children={first.pk: child},
    )

    resumed = get_own_concern(school_dsl, concern.pk)
    assert resumed.version == 2
    assert (resumed.concern, resumed.child_views, resumed.immediate_risk) == (
        "Neglect: often hungry",
        "Says there is no food at home",
        "None today",
    )
    assert (resumed.urgency, resumed.consent, resumed.legal_basis, resumed.parents_aware) == (
        "routine",
        "refused",
        "safeguarding",
        True,
    )
    assert resumed.without_consent_reason == "Mother refused; the child is at risk of harm"
    saved = resumed.children.get()
    assert (saved.given_name, saved.family_name, saved.date_of_birth, saved.sex) == (
        "Ayesha",
        "Khan",
        datetime.date(2018, 5, 17),
        "F",
    )
    assert (saved.address, saved.postcode, saved.nhs_number, saved.upn) == (
        "12 Mill Lane, Riverford",
        "RF1 2AB",
        "9434765919",
        "A123456789012",
    )
    assert AccessLogEntry.objects.filter(action="save_concern_draft", record_id=str(concern.pk)).count() == 1


def test_a_stale_save_from_another_tab_is_refused_and_changes_nothing(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)
    first = concern.children.get()
    save_concern_draft(
        actor=school_dsl,
        concern_id=concern.pk,
        expected_version=1,
        answers=ConcernAnswers(concern="Typed in the first tab"),
        children={},
    )

    with pytest.raises(ConcernConflict, match="saved in another tab or window"):
        save_concern_draft(
            actor=school_dsl,
            concern_id=concern.pk,
            expected_version=1,
            answers=ConcernAnswers(concern="Typed in the second tab"),
            children={first.pk: ChildDetails(family_name="Other")},
        )

    concern.refresh_from_db()
    assert concern.concern == "Typed in the first tab"
    assert concern.version == 2
    assert concern.children.get().family_name == ""


def test_a_page_may_save_over_its_own_autosave_but_not_another_pages(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)
    save_concern_draft(
        actor=school_dsl,
        concern_id=concern.pk,
        expected_version=1,
        answers=ConcernAnswers(concern="Autosaved"),
        children={},
        editor="tab-one",
    )

    # The same tab's "Save draft" raced its own autosave: saved.
    saved = save_concern_draft(
        actor=school_dsl,
        concern_id=concern.pk,
        expected_version=1,
        answers=ConcernAnswers(concern="Saved by the same tab"),
        children={},
        editor="tab-one",
    )
    assert (saved.concern, saved.version) == ("Saved by the same tab", 3)
    with pytest.raises(ConcernConflict):
        save_concern_draft(
            actor=school_dsl,
            concern_id=concern.pk,
            expected_version=2,
            answers=ConcernAnswers(concern="From another tab"),
            children={},
            editor="tab-two",
        )
    assert Concern.objects.get(pk=concern.pk).concern == "Saved by the same tab"


def test_another_partner_cannot_see_or_save_a_draft(school_dsl: User, gp: User) -> None:
    concern = _draft(school_dsl, family_name="Connelly")

    with pytest.raises(Http404):
        get_own_concern(gp, concern.pk)
    with pytest.raises(Http404):
        save_concern_draft(
            actor=gp, concern_id=concern.pk, expected_version=concern.version, answers=ANSWERS, children={}
        )
    assert list(concerns_raised_by(gp)) == []
    assert list(concerns_raised_by(school_dsl)) == [concern]


def test_children_are_added_and_removed_but_at_least_one_stays(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)
    first = concern.children.get()

    second = add_child(actor=school_dsl, concern_id=concern.pk)
    remove_child(actor=school_dsl, concern_id=concern.pk, child_id=second.pk)

    assert list(concern.children.all()) == [first]
    with pytest.raises(ValidationError) as refused:
        remove_child(actor=school_dsl, concern_id=concern.pk, child_id=first.pk)
    assert refused.value.message_dict == {"children": ["A concern must be about at least one child"]}


# --- Submission ----------------------------------------------------------------------------


def test_sending_an_empty_draft_names_every_missing_answer(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)
    child = concern.children.get()

    with pytest.raises(ValidationError) as refused:
        submit_concern(actor=school_dsl, concern_id=concern.pk, expected_version=1)

    assert refused.value.message_dict == {
        "concern": ["Say what you are worried about"],
        "urgency": ["Choose how urgent this is"],
        "consent": ["Say whether the family agreed to this being shared"],
        f"child-{child.pk}-family_name": [
            "Enter the child's family name (for an unborn child, the mother's)"
        ],
        f"child-{child.pk}-given_name": ["Enter the child's given name"],
        f"child-{child.pk}-date_of_birth": [
            "Enter the child's date of birth, or the due date for an unborn child"
        ],
    }
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DRAFT and concern.reference is None


def test_sharing_without_consent_asks_for_the_legal_basis_and_why(school_dsl: User) -> None:
    draft = _draft(
        school_dsl,
        ConcernAnswers(concern="Worried", urgency="routine", consent="not_sought"),
        **_peter_details(),
    )

    with pytest.raises(ValidationError) as refused:
        submit_concern(actor=school_dsl, concern_id=draft.pk, expected_version=draft.version)

    assert refused.value.message_dict == {
        "legal_basis": ["Choose the legal basis for sharing without consent"],
        "without_consent_reason": ["Say why you are sharing without consent"],
    }


def test_an_unborn_child_needs_the_due_date_and_family_name_only(school_dsl: User) -> None:
    draft = _draft(school_dsl, family_name="Connelly", unborn_due_date=datetime.date(2027, 2, 1))

    with travel(NOW, tick=False):
        sent = submit_concern(actor=school_dsl, concern_id=draft.pk, expected_version=draft.version)

    assert sent.status == ConcernStatus.SUBMITTED


def test_bad_identifiers_are_named_on_sending(school_dsl: User) -> None:
    draft = _draft(school_dsl, **_peter_details(), nhs_number="1234567890", postcode="NOTAPC")
    child = draft.children.get()

    with pytest.raises(ValidationError) as refused:
        submit_concern(actor=school_dsl, concern_id=draft.pk, expected_version=draft.version)

    assert refused.value.message_dict == {
        f"child-{child.pk}-nhs_number": [
            "Enter the NHS number's 10 digits, or leave it blank if you do not know it"
        ],
        f"child-{child.pk}-postcode": ["Enter a real postcode, like RF1 2AB, or leave it blank"],
    }


@travel(NOW, tick=False)
def test_sending_gives_a_reference_at_once_and_matches_the_child_to_the_index(school_dsl: User) -> None:
    peter = _peter()

    sent = _submitted(school_dsl)

    assert sent.reference == f"CON-2026-{sent.pk:06d}"
    assert sent.status == ConcernStatus.SUBMITTED
    assert sent.submitted_at == NOW
    child = sent.children.get()
    assert child.matched_person == peter
    assert child.match_outcome == "link"
    assert child.match_probability is not None and child.match_probability > 0.99
    entry = AccessLogEntry.objects.get(action="submit_concern")
    assert entry.user == school_dsl and entry.record_id == str(sent.pk)
    assert entry.detail["reference"] == sent.reference
    assert f"people.person:{peter.pk}" in entry.detail["subjects"]


@travel(NOW, tick=False)
def test_a_child_nobody_knows_is_a_new_person_for_the_front_door(school_dsl: User) -> None:
    _peter()

    sent = _submitted(
        school_dsl, given_name="Zebedee", family_name="Quartermaine", date_of_birth=datetime.date(2019, 7, 7)
    )

    child = sent.children.get()
    assert child.match_outcome == "new"
    assert child.matched_person is None


@travel(NOW, tick=False)
def test_references_are_unique_and_a_sent_concern_no_longer_changes(school_dsl: User, gp: User) -> None:
    first = _submitted(school_dsl)
    second = _submitted(gp)

    assert first.reference != second.reference
    assert all(re.fullmatch(r"CON-2026-\d{6}", str(c.reference)) for c in (first, second))
    with pytest.raises(ValidationError) as refused:
        save_concern_draft(
            actor=school_dsl,
            concern_id=first.pk,
            expected_version=first.version,
            answers=ANSWERS,
            children={},
        )
    assert refused.value.messages == ["This concern has been sent to the front door and can no longer change"]


# --- The front door ------------------------------------------------------------------------


def test_the_queue_is_most_urgent_first_then_oldest_and_only_sent_concerns(
    school_dsl: User, gp: User, front_door_officer: User
) -> None:
    with travel(NOW, tick=False):
        routine_old = _submitted(school_dsl)
    with travel(NOW + datetime.timedelta(hours=1), tick=False):
        routine_new = _submitted(gp)
    with travel(NOW + datetime.timedelta(hours=2), tick=False):
        immediate = _draft(
            school_dsl,
            ConcernAnswers(concern="Hurt", urgency="immediate", consent="given"),
            **_peter_details(),
        )
        immediate = submit_concern(
            actor=school_dsl, concern_id=immediate.pk, expected_version=immediate.version
        )
    _draft(school_dsl, **_peter_details())  # a draft is not the front door's yet
    for concern in (routine_old, routine_new):
        Concern.objects.filter(pk=concern.pk).update(urgency="routine")

    assert list(concern_queue(front_door_officer)) == [immediate, routine_old, routine_new]
    assert list(concern_queue(school_dsl)) == []


@travel(NOW, tick=False)
def test_triage_records_the_contact_with_the_referrer_and_the_census_source(
    school_dsl: User, front_door_officer: User
) -> None:
    peter = _peter()
    sent = _submitted(school_dsl)
    child = sent.children.get()

    contact = record_contact_for_child(actor=front_door_officer, child_id=child.pk, person_id=peter.pk)

    assert contact.person == peter
    assert contact.source == "2A"  # schools
    assert contact.referrer_name == "School Dsl Persona"
    assert contact.referrer_agency == sent.agency
    assert (contact.consent, contact.urgency, contact.received_at) == ("given", "same_day", NOW)
    assert contact.concern.startswith("Peter came in with a burn")
    assert f"Raised through the partner portal as {sent.reference}." in contact.concern
    child.refresh_from_db()
    assert (child.person, child.contact) == (peter, contact)
    assert list(concern_queue(front_door_officer)) == []
    assert AccessLogEntry.objects.filter(
        action="triage_concern", record_id=str(sent.pk), user=front_door_officer
    ).exists()
    with pytest.raises(ValidationError):
        record_contact_for_child(actor=front_door_officer, child_id=child.pk, person_id=peter.pk)


@travel(NOW, tick=False)
def test_an_uncertain_match_is_queued_for_review_and_settled_by_triage(
    school_dsl: User, front_door_officer: User
) -> None:
    peter = _peter()
    # The day and month swapped: probably Peter, but a person must say so.
    sent = _submitted(
        school_dsl, given_name="Pete", family_name="Connelly", date_of_birth=datetime.date(2016, 1, 3)
    )
    child = sent.children.get()
    assert (child.match_outcome, child.matched_person) == ("review", peter)
    review = MatchReview.objects.get(incoming_reference=f"concern:{sent.pk}:child:{child.pk}")
    assert (review.status, review.candidate) == (ReviewStatus.OPEN, peter)

    record_contact_for_child(actor=front_door_officer, child_id=child.pk, person_id=peter.pk)

    review.refresh_from_db()
    assert review.status == ReviewStatus.SAME_PERSON
    assert review.decided_by == front_door_officer


@travel(NOW, tick=False)
def test_a_gps_concern_is_coded_as_from_a_gp(gp: User, front_door_officer: User) -> None:
    peter = _peter()
    child = _submitted(gp).children.get()

    contact = record_contact_for_child(actor=front_door_officer, child_id=child.pk, person_id=peter.pk)

    assert contact.source == "3A"


@travel(NOW, tick=False)
def test_triage_can_add_a_new_person_from_the_childs_details(
    school_dsl: User, front_door_officer: User
) -> None:
    sent = _submitted(
        school_dsl, given_name="Zebedee", family_name="Quartermaine", date_of_birth=datetime.date(2019, 7, 7)
    )

    contact = add_person_for_child(actor=front_door_officer, child_id=sent.children.get().pk)

    person = contact.person
    assert (person.given_names, person.family_name, person.date_of_birth) == (
        "Zebedee",
        "Quartermaine",
        datetime.date(2019, 7, 7),
    )
    assert sent.children.get().person == person


def test_partners_cannot_triage(school_dsl: User) -> None:
    peter = _peter()
    with travel(NOW, tick=False):
        child = _submitted(school_dsl).children.get()

    with pytest.raises(PermissionDenied):
        record_contact_for_child(actor=school_dsl, child_id=child.pk, person_id=peter.pk)


# --- The outcome ---------------------------------------------------------------------------


def _decide(contact: Contact, decision: str, reason: str, who: User, manager: User) -> None:
    decide_contact(
        actor=who,
        contact_id=contact.pk,
        expected_version=contact.version,
        decision=decision,
        reason=reason,
        primary_need="N1" if decision == "assessment" else "",
    )
    authorise_decision(actor=manager, contact_id=contact.pk)


def test_the_referrer_is_told_the_authorised_outcome_and_the_disclosure_is_recorded(
    school_dsl: User,
    front_door_officer: User,
    team_manager: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    peter = _peter()
    with travel(NOW, tick=False):
        sent = _submitted(school_dsl)
        contact = record_contact_for_child(
            actor=front_door_officer, child_id=sent.children.get().pk, person_id=peter.pk
        )
    decide_contact(
        actor=front_door_officer,
        contact_id=contact.pk,
        expected_version=contact.version,
        decision="early_help",
        reason="Family support worker to visit",
    )
    # Decided but not yet authorised: the referrer still sees it with the front door.
    assert outcomes_for_referrer(get_own_concern(school_dsl, sent.pk))[0].outcome == "With the front door"

    with django_capture_on_commit_callbacks(execute=True):
        authorise_decision(actor=team_manager, contact_id=contact.pk)

    sent.refresh_from_db()
    assert sent.status == ConcernStatus.DECIDED
    note = Notification.objects.get(recipient=school_dsl)
    assert note.subject == f"Outcome of your concern {sent.reference}"
    assert (
        note.body
        == "The front door has decided about Peter Connelly: Early help: Family support worker to visit"
    )
    assert note.link == f"/partners/concerns/{sent.pk}"
    disclosure = Disclosure.objects.get()
    assert disclosure.kind == DisclosureKind.CONCERN_OUTCOME
    assert (disclosure.person, disclosure.recipient, disclosure.recipient_agency) == (
        peter,
        school_dsl,
        sent.agency,
    )
    assert disclosure.purpose == "feeding back the outcome of a concern you raised"
    assert (disclosure.legal_basis, disclosure.consent) == ("public_task", "given")
    assert (disclosure.source_type, disclosure.source_id) == ("casework.contact", str(contact.pk))
    assert AccessLogEntry.objects.filter(action="tell_concern_outcome", user=team_manager).count() == 1
    assert EarlyHelpEpisode.objects.filter(contact=contact).exists()
    outcome = outcomes_for_referrer(get_own_concern(school_dsl, sent.pk))[0]
    assert (outcome.name, outcome.outcome) == ("Peter Connelly", "Early help: Family support worker to visit")


def test_a_concern_about_two_children_is_decided_when_both_are(
    school_dsl: User,
    front_door_officer: User,
    team_manager: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    peter = _peter()
    sister = make_person(
        given_names="Tracey", family_name="Connelly", date_of_birth=datetime.date(2013, 1, 9)
    )
    draft = _draft(school_dsl, **_peter_details())
    second = add_child(actor=school_dsl, concern_id=draft.pk)
    draft.refresh_from_db()
    draft = save_concern_draft(
        actor=school_dsl,
        concern_id=draft.pk,
        expected_version=draft.version,
        answers=ANSWERS,
        children={
            second.pk: ChildDetails(
                given_name="Tracey", family_name="Connelly", date_of_birth=datetime.date(2013, 1, 9)
            )
        },
    )
    with travel(NOW, tick=False):
        sent = submit_concern(actor=school_dsl, concern_id=draft.pk, expected_version=draft.version)
        first_child, second_child = list(ConcernChild.objects.filter(concern=sent))
        contacts = [
            record_contact_for_child(actor=front_door_officer, child_id=first_child.pk, person_id=peter.pk),
            record_contact_for_child(actor=front_door_officer, child_id=second_child.pk, person_id=sister.pk),
        ]

    with django_capture_on_commit_callbacks(execute=True):
        _decide(
            contacts[0],
            "nfa",
            "Explained by a fall at football, seen by the GP",
            front_door_officer,
            team_manager,
        )
    sent.refresh_from_db()
    assert sent.status == ConcernStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        _decide(contacts[1], "assessment", "Needs a social work assessment", front_door_officer, team_manager)
    sent.refresh_from_db()
    assert sent.status == ConcernStatus.DECIDED
    words = [row.outcome for row in outcomes_for_referrer(get_own_concern(school_dsl, sent.pk))]
    assert words == [
        "No further action: Explained by a fall at football, seen by the GP",
        "Referral for assessment: Needs a social work assessment",
    ]
    assert Notification.objects.filter(recipient=school_dsl).count() == 2
    assert Disclosure.objects.filter(kind=DisclosureKind.CONCERN_OUTCOME).count() == 2


def test_a_contact_not_from_a_concern_tells_nobody(
    front_door_officer: User, team_manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    contact = make_contact(_peter())

    with django_capture_on_commit_callbacks(execute=True):
        _decide(contact, "advice", "Advice given to the caller", front_door_officer, team_manager)

    assert not Notification.objects.exists()
    assert not Disclosure.objects.exists()
