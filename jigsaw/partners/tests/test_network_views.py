"""The professional network on the page: the child's "Professionals involved" card, naming
a professional picked from the directory (or added once), ending an involvement, the
directory and a professional's card. A partner sees only what the policy grants."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.actions.network import end_involvement, name_professional
from jigsaw.partners.models import (
    AgencyKind,
    ConsentStatus,
    ContactMethod,
    NamedProfessional,
    Practitioner,
)
from jigsaw.people.models import Person
from tests.factories import make_agency, make_person, persona
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db


def _client(who: str) -> Client:
    client = Client()
    client.force_login(persona(who))
    return client


def _school_dsl() -> Practitioner:
    return Practitioner.objects.create(
        full_name="Grace Okafor",
        agency=make_agency("Riverside Primary School", AgencyKind.SCHOOL),
        role="partner_practitioner",
        job_title="Designated safeguarding lead",
        phone="01632 960123",
        secure_email="g.okafor@riverside.riverford.example",
        preferred_contact=ContactMethod.PHONE,
        availability="Mon to Wed",
        safeguarding_lead=True,
    )


def _name(child: Person, practitioner: Practitioner, involvement: str) -> NamedProfessional:
    return name_professional(
        actor=persona("social_worker"),
        person_id=child.pk,
        practitioner_id=practitioner.pk,
        involvement=involvement,
        consent=ConsentStatus.GIVEN,
        legal_basis="public_task",
    )


def test_the_childs_page_lists_the_professionals_and_how_best_to_reach_them() -> None:
    child = make_person()
    _name(child, _school_dsl(), "Designated safeguarding lead")

    page = _client("social_worker").get(reverse("people:detail", args=[child.pk]))

    body = page.content.decode()
    assert "Professionals involved" in body
    assert "Grace Okafor" in body
    assert "Best by phone: 01632 960123, Mon to Wed" in body
    assert "g.okafor@riverside.riverford.example" in body
    assert reverse("partners:add_professional", args=[child.pk]) in body
    assert reverse("partners:disclosures", args=[child.pk]) in body


def test_ended_involvements_are_collapsed_under_past_involvements() -> None:
    child = make_person()
    named = _name(child, _school_dsl(), "Designated safeguarding lead")
    end_involvement(
        actor=persona("social_worker"), named_id=named.pk, ended=named.started or timezone.localdate()
    )

    body = _client("social_worker").get(reverse("people:detail", args=[child.pk])).content.decode()

    assert "No professionals named" in body
    details = body[body.index('<details class="govuk-details') :]
    assert "Past involvements (1)" in details
    assert "Grace Okafor" in details[: details.index("</details>")]


def test_a_gp_sees_the_child_and_the_network_only_while_named() -> None:
    child, gp = make_person(), persona("gp")
    _name(child, _school_dsl(), "Designated safeguarding lead")
    gp_client = _client("gp")
    url = reverse("people:detail", args=[child.pk])

    assert gp_client.get(url).status_code == 404

    named = _name(child, gp.practitioner, "GP")
    page = gp_client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    # The GP sees the school's safeguarding lead, and how to reach them; but cannot change
    # the network nor read the disclosure log.
    assert "Grace Okafor" in body and "Best by phone: 01632 960123, Mon to Wed" in body
    assert reverse("partners:add_professional", args=[child.pk]) not in body
    assert reverse("partners:end_involvement", args=[named.pk]) not in body
    assert reverse("partners:disclosures", args=[child.pk]) not in body

    end_involvement(
        actor=persona("social_worker"), named_id=named.pk, ended=named.started or timezone.localdate()
    )

    assert gp_client.get(url).status_code == 404
    card = gp_client.get(reverse("partners:practitioner", args=[gp.practitioner.pk])).content.decode()
    assert child.full_name not in card


def test_the_school_sees_the_gp_too() -> None:
    child, dsl_user, gp = make_person(), persona("school_dsl"), persona("gp")
    _name(child, dsl_user.practitioner, "Designated safeguarding lead")
    _name(child, gp.practitioner, "GP")

    body = _client("school_dsl").get(reverse("people:detail", args=[child.pk])).content.decode()

    assert "Gp Persona" in body and "Canal Street Surgery" in body


def test_adding_a_professional_searches_the_directory_then_names_the_one_chosen() -> None:
    child, dsl = make_person(), _school_dsl()
    client = _client("social_worker")
    url = reverse("partners:add_professional", args=[child.pk])

    found = client.get(url, {"q": "okafor"}).content.decode()
    assert "Choose Grace Okafor" in found
    assert f"?practitioner={dsl.pk}" in found
    chosen = client.get(url, {"practitioner": dsl.pk}).content.decode()
    assert "Their role with the child" in chosen
    # Grace has no sign-in: naming her discloses nothing, so nothing about consent is asked.
    assert "Did the family agree" not in chosen

    response = client.post(url, {"practitioner": dsl.pk, "involvement": "Designated safeguarding lead"})

    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[child.pk])
    named = NamedProfessional.objects.get(person=child)
    assert (named.practitioner, named.involvement) == (dsl, "Designated safeguarding lead")


def test_a_search_that_finds_nobody_offers_a_new_professional() -> None:
    child = make_person()

    body = (
        _client("social_worker")
        .get(reverse("partners:add_professional", args=[child.pk]), {"q": "Nobody Here"})
        .content.decode()
    )

    assert "Nobody in the directory matches." in body
    assert reverse("partners:new_professional", args=[child.pk]) + "?q=Nobody+Here" in body


def test_naming_a_partner_who_signs_in_asks_for_consent_in_the_users_words() -> None:
    child, gp = make_person(), persona("gp")
    url = reverse("partners:add_professional", args=[child.pk])
    client = _client("social_worker")

    page = client.post(url, {"practitioner": gp.practitioner.pk, "involvement": "GP"})

    body = page.content.decode()
    assert page.status_code == 200
    assert "Say whether the family agreed to sharing with Gp Persona" in body
    assert "There is no information-sharing agreement with Canal Street Surgery" in body
    assert not NamedProfessional.objects.exists()


def test_naming_someone_already_named_says_so_at_the_top() -> None:
    child, dsl = make_person(), _school_dsl()
    _name(child, dsl, "DSL")

    page = _client("social_worker").post(
        reverse("partners:add_professional", args=[child.pk]), {"practitioner": dsl.pk, "involvement": "DSL"}
    )

    assert f"Grace Okafor is already named for {child.full_name}" in page.content.decode()
    assert NamedProfessional.objects.count() == 1


def _new(child: Person, **fields: str) -> dict[str, str]:
    data = {
        "full_name": "Priya Shah",
        "agency": str(make_agency("Millbrook Medical Centre", AgencyKind.GP_PRACTICE).pk),
        "job_title": "General practitioner",
        "involvement": "GP",
        "phone": "01632 960456",
        "secure_email": "priya.shah@millbrookmc.riverford.example",
        "preferred_contact": "secure_email",
        "availability": "Tue and Thu",
    }
    data.update(fields)
    return data


def test_a_new_professional_is_added_once_and_a_second_copy_is_refused() -> None:
    first, second = make_person(), make_person()
    client = _client("team_manager")

    response = client.post(reverse("partners:new_professional", args=[first.pk]), _new(first))
    assert response.status_code == 302
    priya = Practitioner.objects.get(full_name="Priya Shah")

    page = client.post(
        reverse("partners:new_professional", args=[second.pk]), _new(second, full_name="PRIYA SHAH", phone="")
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert "Priya Shah at Millbrook Medical Centre is already in the directory" in body
    assert f"{reverse('partners:add_professional', args=[second.pk])}?practitioner={priya.pk}" in body
    assert Practitioner.objects.filter(full_name__iexact="priya shah").count() == 1
    assert not NamedProfessional.objects.filter(person=second).exists()


def test_the_new_professional_form_speaks_the_users_words() -> None:
    child = make_person()

    body = (
        _client("social_worker")
        .post(reverse("partners:new_professional", args=[child.pk]), _new(child, agency="", involvement=""))
        .content.decode()
    )

    assert "Choose the agency they work for from the list" in body
    assert "Enter their role with the child" in body


def test_ending_an_involvement_through_the_page() -> None:
    child = make_person()
    named = _name(child, _school_dsl(), "DSL")
    url = reverse("partners:end_involvement", args=[named.pk])
    client = _client("social_worker")
    today = named.started or timezone.localdate()

    assert "End Grace Okafor's involvement" in client.get(url).content.decode()
    response = client.post(
        url, {"ended_day": today.day, "ended_month": today.month, "ended_year": today.year}
    )

    assert response.status_code == 302
    named.refresh_from_db()
    assert named.ended == today
    assert client.get(url).status_code == 404


def test_a_partner_may_use_the_directory_for_contact_details() -> None:
    dsl = _school_dsl()

    body = _client("gp").get(reverse("partners:directory"), {"q": "riverside"}).content.decode()

    assert "Grace Okafor" in body
    assert "Best by phone: 01632 960123, Mon to Wed" in body
    by_kind = _client("gp").get(reverse("partners:directory"), {"kind": AgencyKind.SCHOOL}).content.decode()
    assert "Grace Okafor" in by_kind
    card = _client("gp").get(reverse("partners:practitioner", args=[dsl.pk])).content.decode()
    assert "g.okafor@riverside.riverford.example" in card


def test_a_professionals_card_lists_only_the_children_the_viewer_may_see_and_logs_them() -> None:
    dsl = _school_dsl()
    child = make_person()
    _name(child, dsl, "DSL")
    url = reverse("partners:practitioner", args=[dsl.pk])

    social_care = _client("social_worker").get(url).content.decode()
    partner = _client("police_officer").get(url).content.decode()

    assert child.full_name in social_care
    assert child.full_name not in partner
    entry = AccessLogEntry.objects.get(action="view", record_type="partners.practitioner")
    assert entry.user == persona("social_worker")
    assert set(entry.subjects.values_list("record_type", "record_id")) >= {("people.person", str(child.pk))}


def test_an_empty_directory_search_asks_for_something_to_search_by() -> None:
    body = _client("social_worker").get(reverse("partners:directory"), {"q": ""}).content.decode()

    assert "Enter a name, job title or agency, or choose a kind of agency" in body


@pytest.mark.parametrize(
    ("url_name", "fields"),
    [
        (
            "partners:new_professional",
            [
                "full_name",
                "agency",
                "job_title",
                "involvement",
                "phone",
                "secure_email",
                "preferred_contact",
                "availability",
            ],
        ),
        ("partners:add_professional", ["involvement", "consent", "legal_basis"]),
        ("partners:end_involvement", ["ended_day", "ended_month", "ended_year"]),
    ],
)
def test_malformed_input_never_breaks_the_network_forms(url_name: str, fields: list[str]) -> None:
    child = make_person()
    gp = persona("gp")
    client = _client("social_worker")
    if url_name == "partners:end_involvement":
        url = reverse(url_name, args=[_name(child, _school_dsl(), "DSL").pk])
    else:
        url = reverse(url_name, args=[child.pk])
    if url_name == "partners:add_professional":
        # The page a professional was chosen on; the form sends them back as a hidden field.
        url += f"?practitioner={gp.practitioner.pk}"
        fields = [*fields, "practitioner"]

    fuzz_form(client, url, fields, examples=25)
    assert Person.objects.filter(pk=child.pk).exists()
