from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jigsaw.access.models import AccessLogEntry
from jigsaw.matching.models import MatchReview
from jigsaw.people.models import Person

pytestmark = pytest.mark.django_db

ANNA = {
    "given_names": "Anna",
    "family_name": "Kouao",
    "date_of_birth_day": "2",
    "date_of_birth_month": "11",
    "date_of_birth_year": "2015",
    "birth_date_precision": "exact",
    "sex": "F",
    "ethnicity": "BAFR",
    "disability": "none",
    "nhs_number": "943 476 5919",
    "line_1": "12 Canal Street",
    "town": "Riverford",
    "postcode": "m1 1ae",
}


@pytest.fixture
def signed_in(client: Client, front_door_officer: User) -> Client:
    client.force_login(front_door_officer)
    return client


def test_add_a_person_then_see_their_page(signed_in: Client) -> None:
    response = signed_in.post(reverse("people:create"), ANNA)
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])

    page = signed_in.get(response["Location"]).content.decode()
    assert "moj-identity-bar" in page
    assert "943 476 5919" in page
    assert "2 November 2015" in page
    assert "12 Canal Street, Riverford, M1 1AE" in page
    assert AccessLogEntry.objects.filter(action="view", record_id=str(person.pk)).count() == 1


def test_adding_someone_already_known_shows_them_first(signed_in: Client) -> None:
    signed_in.post(reverse("people:create"), ANNA)
    typo = ANNA | {
        "given_names": "Ana",
        "family_name": "Kouaou",
        "nhs_number": "",
        "date_of_birth_day": "11",
        "date_of_birth_month": "2",
    }

    response = signed_in.post(reverse("people:create"), typo)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This person may already be known" in page
    assert "day and month swapped" in page
    assert Person.objects.count() == 1

    response = signed_in.post(reverse("people:create"), typo | {"confirmed_new": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_invalid_input_gets_the_error_summary_and_saves_nothing(signed_in: Client) -> None:
    bad = ANNA | {"nhs_number": "943 476 5918", "postcode": "NOT A POSTCODE", "date_of_birth_year": "2099"}

    response = signed_in.post(reverse("people:create"), bad)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert 'href="#id_nhs_number"' in page
    assert 'href="#id_postcode"' in page
    # The link moves to the first box of the date (the day), which is there to move to.
    assert 'href="#id_date_of_birth_0"' in page
    assert 'id="id_date_of_birth_0"' in page
    assert "govuk-form-group--error" in page
    assert Person.objects.count() == 0


def test_an_impossible_date_is_explained(signed_in: Client) -> None:
    response = signed_in.post(
        reverse("people:create"), ANNA | {"date_of_birth_day": "31", "date_of_birth_month": "2"}
    )
    assert "Date of birth must be a real date" in response.content.decode()
    assert Person.objects.count() == 0


def test_a_stale_edit_is_refused_with_a_clear_message(signed_in: Client) -> None:
    signed_in.post(reverse("people:create"), ANNA)
    person = Person.objects.get()
    edit = reverse("people:edit", args=[person.pk])
    fields = {k: v for k, v in ANNA.items() if k not in {"line_1", "town", "postcode"}}

    first = signed_in.post(edit, fields | {"family_name": "Manning", "version": "1"})
    second = signed_in.post(edit, fields | {"given_names": "Victoria", "version": "1"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else changed this person" in second.content.decode()
    person.refresh_from_db()
    assert (person.given_names, person.family_name) == ("Anna", "Manning")


def test_search_page_lists_matches_with_reasons_and_logs_the_search(signed_in: Client) -> None:
    signed_in.post(reverse("people:create"), ANNA)

    response = signed_in.get(reverse("people:search"), {"name": "Anna Kouao", "postcode": "M1 1AE"})

    page = response.content.decode()
    assert "People who match" in page
    assert "address M1 1AE: same postcode" in page
    entry = AccessLogEntry.objects.get(action="search")
    assert entry.detail["name"] == "Anna Kouao"


def test_a_move_and_a_relationship_through_the_pages(signed_in: Client) -> None:
    signed_in.post(reverse("people:create"), ANNA)
    signed_in.post(
        reverse("people:create"),
        ANNA
        | {"given_names": "Marie", "nhs_number": "", "date_of_birth_year": "1980", "confirmed_new": "on"},
    )
    anna, marie = Person.objects.order_by("pk")

    moved = signed_in.post(
        reverse("people:record_move", args=[anna.pk]),
        {
            "line_1": "3 Mill Lane",
            "town": "Riverford",
            "postcode": "M1 2AB",
            "moved_in_day": "1",
            "moved_in_month": "6",
            "moved_in_year": "2024",
        },
    )
    related = signed_in.post(
        reverse("people:add_relationship", args=[anna.pk]), {"relative": str(marie.pk), "kind": "parent"}
    )
    unknown = signed_in.post(
        reverse("people:add_relationship", args=[anna.pk]), {"relative": "99999", "kind": "parent"}
    )

    assert moved.status_code == 302
    assert related.status_code == 302
    assert "There is nobody you can see with that Jigsaw ID" in unknown.content.decode()
    page = signed_in.get(reverse("people:detail", args=[anna.pk])).content.decode()
    assert "3 Mill Lane" in page
    assert "Previous" in page
    assert "Marie Kouao" in page


def test_an_absurd_year_is_explained_not_a_server_error(signed_in: Client) -> None:
    response = signed_in.post(reverse("people:create"), ANNA | {"date_of_birth_year": "2147483648"})
    assert response.status_code == 200
    assert "Date of birth must be a real date" in response.content.decode()
    assert Person.objects.count() == 0


def test_adding_someone_new_who_may_be_known_queues_a_review(signed_in: Client) -> None:
    signed_in.post(reverse("people:create"), ANNA)
    nickname = ANNA | {
        "given_names": "Annie",
        "nhs_number": "",
        "date_of_birth_day": "11",
        "date_of_birth_month": "2",
    }

    response = signed_in.post(reverse("people:create"), nickname | {"confirmed_new": "on"})

    assert response.status_code == 302
    review = MatchReview.objects.get()
    first, second = Person.objects.order_by("pk")
    assert (review.record, review.candidate, review.source) == (second, first, "person_creation")
    assert review.probability >= review.model_version.review_threshold
