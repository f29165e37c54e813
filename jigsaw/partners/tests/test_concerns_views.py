"""The concern pages: the form saved as it is typed (and with JavaScript off), resumed after
a timed-out session, sent with a reference; the front door's queue and triage; the outcome
on the partner's pages."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.casework.models import Contact
from jigsaw.partners.actions.concerns import start_concern
from jigsaw.partners.models import Concern, ConcernChild, ConcernStatus
from tests.factories import make_person
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(draft: Concern, /, **overrides: str) -> dict[str, str]:
    child = draft.children.get()
    prefix = f"child-{child.pk}-"
    data = {
        "version": str(draft.version),
        prefix + "given_name": "Peter",
        prefix + "family_name": "Connelly",
        prefix + "date_of_birth_day": "1",
        prefix + "date_of_birth_month": "3",
        prefix + "date_of_birth_year": "2016",
        prefix + "sex": "M",
        prefix + "postcode": "",
        "concern": "A burn on his hand; he would not say how it happened.",
        "child_views": "Mum's boyfriend gets angry.",
        "urgency": "same_day",
        "consent": "given",
    }
    data.update(overrides)
    return data


def _fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def test_starting_makes_a_draft_and_opens_the_form(school_dsl: User) -> None:
    client = _client(school_dsl)
    start = client.get(reverse("partners:new_concern"))
    assert "Raise a concern about a child" in start.content.decode()

    response = client.post(reverse("partners:new_concern"))

    concern = Concern.objects.get(raised_by=school_dsl)
    assert response.status_code == 302 and response["Location"] == reverse(
        "partners:edit_concern", args=[concern.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "From Riverside Primary School" in page
    assert f'hx-post="{reverse("partners:autosave_concern", args=[concern.pk])}"' in page


def test_a_saved_draft_survives_the_session_timing_out(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)

    saved = client.post(
        reverse("partners:edit_concern", args=[concern.pk]), _form_data(concern, action="save")
    )
    assert saved.status_code == 302
    # The session lapses on the server (the idle timeout).
    Session.objects.all().delete()
    assert client.get(reverse("partners:concerns")).status_code == 302

    client.force_login(school_dsl)  # signing in again: a new session
    listing = client.get(reverse("partners:concerns")).content.decode()
    assert "Continue draft" in listing and "Peter Connelly" in listing
    form = client.get(reverse("partners:edit_concern", args=[concern.pk])).content.decode()
    child = concern.children.get()
    for expected in (
        f'name="child-{child.pk}-given_name" value="Peter"',
        f'name="child-{child.pk}-family_name" value="Connelly"',
        f'name="child-{child.pk}-date_of_birth_year" value="2016"',
        "A burn on his hand; he would not say how it happened.</textarea>",
        "Mum&#x27;s boyfriend gets angry.</textarea>",
    ):
        assert expected in form
    assert re.search(r'name="urgency" type="radio" value="same_day" checked', form)
    assert re.search(rf'name="child-{child.pk}-sex" type="radio" value="M" checked', form)


def test_autosave_saves_as_typed_and_answers_with_the_new_version(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)

    with travel(NOW, tick=False):
        response = client.post(
            reverse("partners:autosave_concern", args=[concern.pk]),
            _form_data(concern, concern="Typed so far"),
        )

    body = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="version" value="2" id="id_version" hx-swap-oob="true">' in body
    assert "Draft saved at 10:00" in body
    assert _fresh(concern).concern == "Typed so far"


def test_autosave_from_a_stale_tab_saves_nothing_and_says_so(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)
    client.post(
        reverse("partners:autosave_concern", args=[concern.pk]), _form_data(concern, concern="First tab")
    )

    response = client.post(
        reverse("partners:autosave_concern", args=[concern.pk]), _form_data(concern, concern="Second tab")
    )

    assert "Not saved: this draft was changed in another tab or window." in response.content.decode()
    assert _fresh(concern).concern == "First tab"


def test_saving_from_a_stale_tab_keeps_what_was_typed_and_explains(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)
    client.post(
        reverse("partners:autosave_concern", args=[concern.pk]), _form_data(concern, concern="First tab")
    )

    response = client.post(
        reverse("partners:edit_concern", args=[concern.pk]),
        _form_data(concern, concern="Second tab", action="save"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This draft was saved in another tab or window after you opened it" in page
    assert "Second tab</textarea>" in page
    assert 'name="version" value="2"' in page  # saving again is the user's decision
    assert _fresh(concern).concern == "First tab"


def test_a_half_typed_date_saves_the_rest_and_asks_about_the_date(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)
    child = concern.children.get()
    data = _form_data(concern, action="save")
    data[f"child-{child.pk}-date_of_birth_month"] = ""

    page = client.post(reverse("partners:edit_concern", args=[concern.pk]), data).content.decode()

    assert "Date of birth must include a month" in page
    assert f'href="#id_child-{child.pk}-date_of_birth_0"' in page
    saved = ConcernChild.objects.get(pk=child.pk)
    assert (saved.given_name, saved.date_of_birth) == ("Peter", None)


def test_add_another_child_and_remove_one_without_javascript(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)

    added = client.post(
        reverse("partners:edit_concern", args=[concern.pk]), _form_data(concern, action="add_child")
    )

    second = concern.children.order_by("pk").last()
    assert second is not None and concern.children.count() == 2
    assert added["Location"].endswith(f"#child-{second.pk}")
    assert [c.given_name for c in concern.children.all()] == ["Peter", ""]
    first = concern.children.order_by("pk").first()
    assert first is not None
    data = {
        "version": str(_fresh(concern).version),
        "action": f"remove_child:{second.pk}",
        f"child-{first.pk}-given_name": "Peter",
        f"child-{second.pk}-given_name": "",
    }
    client.post(reverse("partners:edit_concern", args=[concern.pk]), data)
    assert list(concern.children.values_list("given_name", flat=True)) == ["Peter"]


def test_sending_with_answers_missing_lists_each_problem_and_keeps_the_draft(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)
    child = concern.children.get()
    data = _form_data(concern, action="submit", consent="refused", urgency="")
    data[f"child-{child.pk}-family_name"] = ""

    page = client.post(reverse("partners:edit_concern", args=[concern.pk]), data).content.decode()

    assert "There is a problem" in page
    assert f'<a href="#id_child-{child.pk}-family_name">Enter the child&#x27;s family name' in page
    assert '<a href="#id_urgency_0">Choose how urgent this is</a>' in page
    assert '<a href="#id_legal_basis_0">Choose the legal basis for sharing without consent</a>' in page
    assert '<a href="#id_without_consent_reason">Say why you are sharing without consent</a>' in page
    saved = _fresh(concern)
    assert saved.status == ConcernStatus.DRAFT and saved.consent == "refused"
    assert saved.children.get().given_name == "Peter"


@travel(NOW, tick=False)
def test_sending_shows_the_reference_and_what_happens_next(school_dsl: User) -> None:
    client = _client(school_dsl)
    concern = start_concern(actor=school_dsl)

    response = client.post(
        reverse("partners:edit_concern", args=[concern.pk]), _form_data(concern, action="submit"), follow=True
    )

    reference = f"CON-2026-{concern.pk:06d}"
    page = response.content.decode()
    assert "Concern sent" in page and f"<strong>{reference}</strong>" in page
    assert "decide what to do within one working day" in page
    assert _fresh(concern).status == ConcernStatus.SUBMITTED
    # A sent concern's form now shows the concern instead.
    assert client.get(reverse("partners:edit_concern", args=[concern.pk]))["Location"] == reverse(
        "partners:concern", args=[concern.pk]
    )


def test_another_partners_concern_is_not_found(school_dsl: User, gp: User) -> None:
    concern = start_concern(actor=school_dsl)
    client = _client(gp)

    for name in ("partners:concern", "partners:edit_concern", "partners:concern_sent"):
        assert client.get(reverse(name, args=[concern.pk])).status_code == 404
    assert (
        client.post(reverse("partners:autosave_concern", args=[concern.pk]), _form_data(concern)).status_code
        == 404
    )
    assert _fresh(concern).version == 1


def _sent_about_peter(client: Client, school_dsl: User) -> Concern:
    concern = start_concern(actor=school_dsl)
    client.post(reverse("partners:edit_concern", args=[concern.pk]), _form_data(concern, action="submit"))
    return _fresh(concern)


def test_the_front_door_sees_the_match_triages_and_the_partner_sees_the_outcome(
    school_dsl: User, front_door_officer: User, team_manager: User
) -> None:
    peter = make_person(
        given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2016, 3, 1), sex="M"
    )
    partner = _client(school_dsl)
    concern = _sent_about_peter(partner, school_dsl)
    front_door = _client(front_door_officer)

    home = front_door.get(reverse("home")).content.decode()
    assert "1 waiting to be recorded as contacts" in home
    queue = front_door.get(reverse("partners:concern_queue")).content.decode()
    assert concern.reference is not None and concern.reference in queue
    assert (
        "Matched</strong>" in queue and f"Peter Connelly, born 1 March 2016 (Jigsaw ID {peter.pk})" in queue
    )
    triage = front_door.get(reverse("partners:triage_concern", args=[concern.pk])).content.decode()
    assert "This is Peter Connelly: record the contact" in triage

    recorded = front_door.post(
        reverse("partners:triage_concern", args=[concern.pk]),
        {"child": concern.children.get().pk, "person": peter.pk},
        follow=True,
    )

    assert "Contact recorded for Peter Connelly" in recorded.content.decode()
    contact = Contact.objects.get(person=peter)
    assert (
        front_door.get(reverse("partners:concern_queue")).content.decode().count(str(concern.reference)) == 0
    )
    front_door.post(
        reverse("casework:contact", args=[contact.pk]),
        {
            "version": contact.version,
            "decision": "advice",
            "reason": "School to offer the family a parenting course",
        },
    )
    assert "With the front door" in partner.get(reverse("partners:concerns")).content.decode()
    _client(team_manager).post(reverse("casework:authorise", args=[contact.pk]))

    listing = partner.get(reverse("partners:concerns")).content.decode()
    assert "Information and advice: School to offer the family a parenting course" in listing
    assert "Decided</strong>" in listing
    detail = partner.get(reverse("partners:concern", args=[concern.pk])).content.decode()
    assert "Information and advice: School to offer the family a parenting course" in detail
    # The partner reads their own description, never the index's record.
    assert f"Jigsaw ID {peter.pk}" not in detail


def test_the_front_door_can_add_a_new_person_from_a_concern(
    school_dsl: User, front_door_officer: User
) -> None:
    concern = _sent_about_peter(_client(school_dsl), school_dsl)
    client = _client(front_door_officer)
    triage = client.get(reverse("partners:triage_concern", args=[concern.pk])).content.decode()
    assert "No match: new person" in triage

    client.post(reverse("partners:triage_concern", args=[concern.pk]), {"child": concern.children.get().pk})

    contact = Contact.objects.get()
    assert (contact.person.given_names, contact.person.family_name) == ("Peter", "Connelly")
    assert ConcernChild.objects.get(concern=concern).contact == contact


def test_the_home_page_links_a_partner_to_their_concerns(school_dsl: User) -> None:
    page = _client(school_dsl).get(reverse("home")).content.decode()

    assert f'href="{reverse("partners:new_concern")}">Raise a concern</a>' in page
    assert f'href="{reverse("partners:concerns")}">Your concerns</a>' in page


def _child_fields(child: ConcernChild) -> list[str]:
    names = ["given_name", "family_name", "sex", "address", "postcode", "nhs_number", "upn"]
    dates = [f"{d}_{p}" for d in ("date_of_birth", "unborn_due_date") for p in ("day", "month", "year")]
    return [f"child-{child.pk}-{n}" for n in names + dates]


CONCERN_FIELDS = [
    "version",
    "action",
    "concern",
    "child_views",
    "immediate_risk",
    "urgency",
    "parents_aware",
    "consent",
    "legal_basis",
    "without_consent_reason",
]


def test_malformed_input_never_breaks_the_concern_form_or_autosave(school_dsl: User) -> None:
    concern = start_concern(actor=school_dsl)
    client = _client(school_dsl)
    fields = CONCERN_FIELDS + _child_fields(concern.children.get())

    fuzz_form(client, reverse("partners:edit_concern", args=[concern.pk]), fields, examples=40)
    fuzz_form(client, reverse("partners:autosave_concern", args=[concern.pk]), fields, examples=20)


def test_malformed_input_never_breaks_triage(school_dsl: User, front_door_officer: User) -> None:
    concern = _sent_about_peter(_client(school_dsl), school_dsl)

    fuzz_form(
        _client(front_door_officer),
        reverse("partners:triage_concern", args=[concern.pk]),
        ["child", "person"],
    )


def test_the_queue_says_when_a_match_needs_review(school_dsl: User, front_door_officer: User) -> None:
    make_person(given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2016, 3, 1), sex="M")
    concern = start_concern(actor=school_dsl)
    child = concern.children.get()
    data = _form_data(concern, action="submit")
    data[f"child-{child.pk}-given_name"] = "Pete"
    data[f"child-{child.pk}-date_of_birth_day"] = "3"
    data[f"child-{child.pk}-date_of_birth_month"] = "1"
    data[f"child-{child.pk}-sex"] = ""
    _client(school_dsl).post(reverse("partners:edit_concern", args=[concern.pk]), data)

    queue = _client(front_door_officer).get(reverse("partners:concern_queue")).content.decode()

    assert "Possible match: review</strong>" in queue
    assert "<strong>Pete Connelly</strong>, born 3 January 2016" in queue


def test_the_front_door_can_search_the_index_for_another_person(
    school_dsl: User, front_door_officer: User
) -> None:
    make_person(given_names="Peter", family_name="Connelly", date_of_birth=datetime.date(2016, 3, 1), sex="M")
    other = make_person(given_names="Petra", family_name="Conway", date_of_birth=datetime.date(2016, 4, 2))
    concern = _sent_about_peter(_client(school_dsl), school_dsl)
    child = concern.children.get()

    page = (
        _client(front_door_officer)
        .get(
            reverse("partners:triage_concern", args=[concern.pk]),
            {"child": str(child.pk), f"search-{child.pk}-name": "Petra Conway"},
        )
        .content.decode()
    )

    assert "This is Petra Conway" in page
    assert f'<input type="hidden" name="person" value="{other.pk}">' in page
