from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from jigsaw.people import actions
from jigsaw.people.actions import AddressDetails, PersonDetails
from jigsaw.people.models import Person
from jigsaw.people.queries import SearchQuery, relatives_of, search_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(social_worker: User) -> dict[str, Person]:
    def add(given: str, family: str, dob: datetime.date, nhs_number: str = "") -> Person:
        return actions.create_person(
            actor=social_worker,
            details=PersonDetails(
                given_names=given, family_name=family, date_of_birth=dob, nhs_number=nhs_number
            ),
        )

    people = {
        "anna": add("Anna", "Kouao", datetime.date(2008, 3, 11), nhs_number="9434765919"),
        "peter": add("Peter", "Connelly", datetime.date(2006, 3, 1)),
        "other_anna": add("Anna", "Kowalska", datetime.date(2012, 7, 30)),
        "ryan": add("Ryan", "Smith", datetime.date(2008, 3, 11)),
    }
    actions.add_other_name(
        actor=social_worker, person_id=people["anna"].pk, family_name="Climbie", given_names="Victoria"
    )
    actions.record_move(
        actor=social_worker,
        person_id=people["peter"].pk,
        address=AddressDetails(line_1="1 High Street", town="Riverford", postcode="N17 6AA"),
        moved_in=None,
    )
    return people


def test_exact_name_and_date_of_birth_comes_first(social_worker: User, index: dict[str, Person]) -> None:
    results = search_people(
        social_worker, SearchQuery(name="Anna Kouao", date_of_birth=datetime.date(2008, 3, 11))
    )
    assert results[0].person == index["anna"]
    assert any(r.startswith("date of birth 11 March 2008: exact +") for r in results[0].reasons)
    assert any(r.startswith("family name Kouao: exact +") for r in results[0].reasons)
    assert results[0].probability > 0.99
    assert results[0].age is not None


def test_misspelt_name_and_swapped_day_and_month_still_find_the_child(
    social_worker: User, index: dict[str, Person]
) -> None:
    results = search_people(
        social_worker, SearchQuery(name="Ana Kouaou", date_of_birth=datetime.date(2008, 11, 3))
    )
    assert results[0].person == index["anna"]
    assert any("day and month swapped" in r for r in results[0].reasons)
    assert any(r.startswith("family name Kouaou ~ Kouao: very similar spelling") for r in results[0].reasons)


def test_a_previous_name_finds_the_child(social_worker: User, index: dict[str, Person]) -> None:
    results = search_people(
        social_worker, SearchQuery(name="Victoria Climbie", date_of_birth=datetime.date(2008, 3, 11))
    )
    assert results[0].person == index["anna"]
    assert any("matches a part or a previous family name" in r for r in results[0].reasons)


def test_name_only_search(social_worker: User, index: dict[str, Person]) -> None:
    results = search_people(social_worker, SearchQuery(name="Connelly"))
    assert [r.person for r in results] == [index["peter"]]


def test_identifier_and_postcode_searches(social_worker: User, index: dict[str, Person]) -> None:
    assert [r.person for r in search_people(social_worker, SearchQuery(nhs_number="943 476 5919"))] == [
        index["anna"]
    ]
    assert [r.person for r in search_people(social_worker, SearchQuery(postcode="n176aa"))] == [
        index["peter"]
    ]
    assert search_people(social_worker, SearchQuery(nhs_number="9434765918")) == []


def test_people_outside_the_policy_are_never_returned(gp: User, index: dict[str, Person]) -> None:
    assert search_people(gp, SearchQuery(name="Anna Kouao", date_of_birth=datetime.date(2008, 3, 11))) == []


def test_relationships_read_from_both_sides(social_worker: User, index: dict[str, Person]) -> None:
    mother = actions.create_person(
        actor=social_worker, details=PersonDetails(given_names="Tracey", family_name="Connelly")
    )
    actions.add_relationship(
        actor=social_worker, person_id=index["peter"].pk, relative_id=mother.pk, kind="parent"
    )

    assert [(r.label, r.person) for r in relatives_of(social_worker, index["peter"])] == [("Parent", mother)]
    assert [(r.label, r.person) for r in relatives_of(social_worker, mother)] == [("Child", index["peter"])]
