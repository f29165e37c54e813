from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.people import actions
from jigsaw.people.actions import AddressDetails, PersonDetails
from jigsaw.people.models import Person, PersonName, Relationship, Residence

pytestmark = pytest.mark.django_db

ANNA = PersonDetails(
    given_names="Anna",
    family_name="Kouao",
    date_of_birth=datetime.date(2015, 11, 2),
    sex="F",
    nhs_number="943 476 5919",
)
HOME = AddressDetails(line_1="12 Canal Street", town="Riverford", postcode="m1 1ae")


def test_create_person_normalises_saves_and_logs(social_worker: User) -> None:
    person = actions.create_person(actor=social_worker, details=ANNA, address=HOME)

    assert person.nhs_number == "9434765919"
    assert person.family_name_key == "KOUAO"
    residence = Residence.objects.get(person=person)
    assert residence.address.postcode == "M1 1AE"
    entry = AccessLogEntry.objects.get(action="create")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        social_worker.pk,
        "people.person",
        str(person.pk),
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nhs_number": "9434765918"}, "nhs_number", "Enter a valid NHS number"),
        ({"date_of_birth": datetime.date(2031, 1, 1)}, "date_of_birth", "must be today or in the past"),
        ({"date_of_death": datetime.date(2014, 1, 1)}, "date_of_death", "after the date of birth"),
        ({"family_name": "  "}, "family_name", "Enter the family name"),
        ({"upn": "A801200005001"}, "upn", "Enter a valid unique pupil number"),
        (
            {"birth_date_precision": "expected", "date_of_birth": datetime.date(2020, 1, 1)},
            "date_of_birth",
            "expected due date must be today or in the future",
        ),
    ],
)
@travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC), tick=False)
def test_invalid_details_are_refused_and_nothing_is_saved(
    social_worker: User, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.create_person(actor=social_worker, details=dataclasses.replace(ANNA, **change), address=HOME)

    assert message in " ".join(raised.value.message_dict[field])
    assert Person.objects.count() == 0
    assert Residence.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_a_bad_postcode_is_reported_with_the_other_problems(social_worker: User) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.create_person(
            actor=social_worker,
            details=dataclasses.replace(ANNA, nhs_number="1234567890"),
            address=dataclasses.replace(HOME, postcode="ZZ9"),
        )
    assert set(raised.value.message_dict) == {"nhs_number", "postcode"}
    assert Person.objects.count() == 0


def test_an_unborn_child_has_an_expected_date(social_worker: User) -> None:
    due = timezone.localdate() + datetime.timedelta(days=60)
    person = actions.create_person(
        actor=social_worker,
        details=PersonDetails(family_name="Connelly", date_of_birth=due, birth_date_precision="expected"),
    )
    assert person.is_unborn
    assert person.age_on(timezone.localdate()) is None


def test_partners_cannot_add_people(school_dsl: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_person(actor=school_dsl, details=ANNA)
    assert Person.objects.count() == 0


def test_update_detects_a_concurrent_edit(social_worker: User, team_manager: User) -> None:
    person = actions.create_person(actor=social_worker, details=ANNA)
    opened_version = person.version

    actions.update_person(
        actor=team_manager,
        person_id=person.pk,
        expected_version=opened_version,
        details=dataclasses.replace(ANNA, family_name="Kouao-Manning"),
    )
    with pytest.raises(actions.EditConflict):
        actions.update_person(
            actor=social_worker,
            person_id=person.pk,
            expected_version=opened_version,
            details=dataclasses.replace(ANNA, given_names="Victoria"),
        )

    person.refresh_from_db()
    assert (person.given_names, person.family_name, person.version) == ("Anna", "Kouao-Manning", 2)
    assert person.family_name_key == "KOUAOMANNING"
    change = AccessLogEntry.objects.get(action="change")
    assert change.user_id == team_manager.pk
    assert change.detail == {"fields": ["family_name"]}


def test_update_of_someone_the_user_cannot_see_is_not_found(social_worker: User, gp: User) -> None:
    person = actions.create_person(actor=social_worker, details=ANNA)
    with pytest.raises(Http404):
        actions.update_person(actor=gp, person_id=person.pk, expected_version=1, details=ANNA)


def test_a_move_closes_the_previous_address(social_worker: User) -> None:
    person = actions.create_person(
        actor=social_worker, details=ANNA, address=HOME, moved_in=datetime.date(2020, 1, 1)
    )
    actions.record_move(
        actor=social_worker,
        person_id=person.pk,
        address=AddressDetails(line_1="3 Mill Lane", town="Riverford", postcode="M1 2AB"),
        moved_in=datetime.date(2024, 6, 1),
    )
    residences = {r.address.postcode: r for r in Residence.objects.filter(person=person)}
    assert residences["M1 1AE"].moved_out == datetime.date(2024, 6, 1)
    assert residences["M1 2AB"].is_current


def test_a_move_cannot_predate_the_current_address(social_worker: User) -> None:
    person = actions.create_person(
        actor=social_worker, details=ANNA, address=HOME, moved_in=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError):
        actions.record_move(
            actor=social_worker,
            person_id=person.pk,
            address=AddressDetails(line_1="3 Mill Lane", town="Riverford", postcode="M1 2AB"),
            moved_in=datetime.date(2019, 6, 1),
        )
    assert Residence.objects.filter(person=person).count() == 1
    assert Residence.objects.get(person=person).moved_out is None


def test_other_names_and_relationships(social_worker: User) -> None:
    child = actions.create_person(actor=social_worker, details=ANNA)
    mother = actions.create_person(
        actor=social_worker, details=PersonDetails(given_names="Marie", family_name="Kouao")
    )
    actions.add_other_name(
        actor=social_worker, person_id=child.pk, family_name="Climbié", given_names="Victoria"
    )
    actions.add_relationship(actor=social_worker, person_id=child.pk, relative_id=mother.pk, kind="parent")

    assert PersonName.objects.get(person=child).family_phonetic
    assert str(Relationship.objects.get()) == "Marie Kouao is parent of Anna Kouao"
    with pytest.raises(ValidationError):
        actions.add_relationship(
            actor=social_worker, person_id=child.pk, relative_id=child.pk, kind="sibling"
        )
    with pytest.raises(ValidationError):
        actions.add_relationship(
            actor=social_worker, person_id=child.pk, relative_id=mother.pk, kind="parent"
        )


def test_a_household_forms_at_the_current_address(social_worker: User) -> None:
    child = actions.create_person(actor=social_worker, details=ANNA, address=HOME)
    partner = actions.create_person(
        actor=social_worker,
        details=PersonDetails(given_names="Carl", family_name="Manning"),
        address=AddressDetails(line_1="9 Elm Road", town="Riverford", postcode="M1 3BD"),
    )

    actions.add_household_member(actor=social_worker, person_id=child.pk, member_id=partner.pk)

    from jigsaw.people.queries import household_of

    assert [m.person for m in household_of(social_worker, child)] == [partner]
    assert [m.person for m in household_of(social_worker, partner)] == [child]
    current = Residence.objects.get(person=partner, moved_out__isnull=True)
    assert current.address.postcode == "M1 1AE"
    with pytest.raises(ValidationError):
        actions.add_household_member(actor=social_worker, person_id=child.pk, member_id=partner.pk)
