"""Private fostering: the notification (the carer picked from the index, never a close
relative; one open arrangement per child), the statutory timescales counted in working
days over bank holidays, visits every 6 weeks then 12, the assessment, the end, and the
work lists that show what is due."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions import private_fostering as actions
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChronologyEntry, PrivateFosteringArrangement, Referral
from jigsaw.casework.queries.worklists import my_work
from jigsaw.people.models import Person, Relationship
from tests.casework_factories import make_referral
from tests.factories import make_person, persona

pytestmark = pytest.mark.django_db

D = datetime.date
# The Wednesday before Easter 2027 (Good Friday 26 March, Easter Monday 29 March; the early
# May and spring bank holidays are 3 and 31 May).
NOTIFIED = D(2027, 3, 24)
NOW = datetime.datetime(2027, 6, 1, 10, tzinfo=datetime.UTC)


def _child_and_carer(worker: User) -> tuple[Person, Person, Referral]:
    child = make_person(given_names="Ama", family_name="Mensah", date_of_birth=D(2012, 5, 1))
    carer = make_person(given_names="Grace", family_name="Owusu", date_of_birth=D(1970, 2, 2))
    return child, carer, make_referral(child, worker=worker, referred_on=NOTIFIED)


def _notify(worker: User, child: Person, carer: Person, **overrides: object) -> PrivateFosteringArrangement:
    values: dict[str, object] = {
        "actor": worker,
        "person_id": child.pk,
        "carer_id": carer.pk,
        "started_on": D(2027, 3, 1),
        "notified_on": NOTIFIED,
        "notified_by": "professional",
        "notifying_practitioner_id": persona("school_dsl").practitioner.pk,
    }
    values.update(overrides)
    return actions.notify_private_fostering(**values)  # type: ignore[arg-type]


def _chronology(child: Person) -> list[str]:
    return list(ChronologyEntry.objects.filter(person=child).order_by("pk").values_list("summary", flat=True))


@travel(NOW, tick=False)
def test_the_notification_sets_the_statutory_due_dates_over_the_bank_holidays(social_worker: User) -> None:
    child, carer, referral = _child_and_carer(social_worker)

    arrangement = _notify(social_worker, child, carer)

    # 7 working days: Thursday 25 March, then (Good Friday and Easter Monday skipped) 30 March to 6 April.
    assert arrangement.first_visit_due == D(2027, 4, 6)
    assert arrangement.next_visit_due == D(2027, 4, 6)
    # 42 working days, the early May bank holiday skipped.
    assert arrangement.assessment_due == D(2027, 5, 26)
    assert arrangement.referral == referral
    assert _chronology(child) == [
        "Private fostering notified by a professional (school, health, police or other): cared for by "
        "Grace Owusu from 1 March 2027 (first visit due by 6 April 2027, assessment by 26 May 2027)"
    ]
    assert list(
        AccessLogEntry.objects.filter(action="notify_private_fostering").values_list(
            "user", "record_id", "detail"
        )
    ) == [
        (
            social_worker.pk,
            str(arrangement.pk),
            {
                "subjects": [
                    f"casework.privatefosteringarrangement:{arrangement.pk}",
                    f"people.person:{child.pk}",
                    f"people.person:{carer.pk}",
                ]
            },
        )
    ]


@travel(NOW, tick=False)
def test_visits_fall_due_every_6_weeks_in_the_first_year_and_every_12_after(social_worker: User) -> None:
    child, carer, _ = _child_and_carer(social_worker)
    arrangement = _notify(social_worker, child, carer)

    first = actions.record_private_fostering_visit(
        actor=social_worker,
        arrangement_id=arrangement.pk,
        expected_version=1,
        visited_on=D(2027, 4, 7),
        child_seen_alone=True,
        notes="Settled; attends school",
    )
    arrangement.refresh_from_db()

    assert (first.due_on, first.in_time) == (D(2027, 4, 6), False)
    assert arrangement.next_visit_due == D(2027, 5, 19)
    assert (
        _chronology(child)[-1]
        == "Private fostering visit (late: it was due by 6 April 2027); the child was seen alone"
    )
    arrangement.started_on = D(2026, 1, 5)  # a year-old arrangement: the next visit is 12 weeks on
    assert actions.next_visit_due(arrangement, D(2027, 5, 10)) == D(2027, 8, 2)
    assert actions.next_visit_due(arrangement, D(2027, 1, 4)) == D(2027, 2, 15)


@travel(NOW, tick=False)
def test_assessment_and_end_are_in_the_chronology_and_stop_the_visits(social_worker: User) -> None:
    child, carer, _ = _child_and_carer(social_worker)
    arrangement = _notify(social_worker, child, carer)

    assessed = actions.complete_private_fostering_assessment(
        actor=social_worker,
        arrangement_id=arrangement.pk,
        expected_version=1,
        completed_on=D(2027, 5, 27),
        suitable=True,
        summary="A safe home; the mother agrees the arrangement",
    )
    ended = actions.end_private_fostering(
        actor=social_worker,
        arrangement_id=arrangement.pk,
        expected_version=2,
        ended_on=D(2027, 5, 31),
        end_reason="Returned home to her mother",
    )

    assert (assessed.assessed_by, ended.next_visit_due, ended.version) == (social_worker, None, 3)
    assert _chronology(child)[1:] == [
        "Private fostering assessment completed (late: it was due by 26 May 2027): the arrangement is suitable",
        "Private fostering ended: Returned home to her mother",
    ]
    with pytest.raises(ValidationError) as closed:
        actions.record_private_fostering_visit(
            actor=social_worker,
            arrangement_id=arrangement.pk,
            expected_version=3,
            visited_on=D(2027, 5, 31),
            child_seen_alone=False,
            notes="",
        )
    assert closed.value.message_dict == {
        "visited_on": ["This arrangement has ended: nothing more can be recorded in it"]
    }


@travel(NOW, tick=False)
def test_a_close_relative_or_a_second_arrangement_is_refused(social_worker: User) -> None:
    child, carer, _ = _child_and_carer(social_worker)
    sister = make_person(given_names="Efua", family_name="Mensah")
    Relationship.objects.create(person=child, relative=sister, kind="sibling")

    with pytest.raises(ValidationError) as relative:
        _notify(social_worker, child, sister)
    assert relative.value.message_dict == {
        "carer": [
            "The index records Efua Mensah as the child's sibling: care by a parent or close relative is "
            "not private fostering"
        ]
    }
    _notify(social_worker, child, carer)
    with pytest.raises(ValidationError) as twice:
        _notify(social_worker, child, make_person(given_names="Kofi", family_name="Boateng"))
    assert twice.value.message_dict == {
        "carer": [
            "Ama Mensah is already privately fostered, notified 24 March 2027: end that arrangement first"
        ]
    }
    assert PrivateFosteringArrangement.objects.count() == 1


@travel(NOW, tick=False)
def test_refusals_without_an_episode_or_a_professional(social_worker: User) -> None:
    child = make_person(given_names="Ama", family_name="Mensah")
    carer = make_person(given_names="Grace", family_name="Owusu")

    with pytest.raises(ValidationError) as refused:
        _notify(social_worker, child, carer, notifying_practitioner_id=None, notified_on=D(2027, 6, 2))

    assert refused.value.message_dict == {
        "notified_on": ["The date of the notification must be today or in the past"],
        "notifying_practitioner": ["Choose the professional who notified the authority"],
        "referral": [
            "Ama Mensah has no open episode of need: a private fostering notification is a referral, so "
            "record it at the front door first"
        ],
    }
    assert not ChronologyEntry.objects.exists()


@travel(NOW, tick=False)
def test_stale_forms_and_roles_that_may_not_record(social_worker: User, team_manager: User, gp: User) -> None:
    child, carer, _ = _child_and_carer(social_worker)
    with pytest.raises(PermissionDenied):
        _notify(gp, child, carer)
    arrangement = _notify(social_worker, child, carer)
    actions.record_private_fostering_visit(
        actor=team_manager,
        arrangement_id=arrangement.pk,
        expected_version=1,
        visited_on=D(2027, 4, 1),
        child_seen_alone=True,
        notes="",
    )
    with pytest.raises(EditConflict):
        actions.end_private_fostering(
            actor=social_worker,
            arrangement_id=arrangement.pk,
            expected_version=1,
            ended_on=D(2027, 5, 1),
            end_reason="Moved",
        )
    arrangement.refresh_from_db()
    assert (arrangement.ended_on, arrangement.version) == (None, 2)


@travel(NOW, tick=False)
def test_the_allocated_workers_list_shows_the_visit_and_assessment_due(social_worker: User) -> None:
    child, carer, _ = _child_and_carer(social_worker)
    _notify(social_worker, child, carer)

    work = my_work(social_worker, today=D(2027, 6, 1))

    assert [(i.what, i.due, i.overdue) for i in work.items if i.what.startswith("Private")] == [
        ("Private fostering visit due", D(2027, 4, 6), True),
        ("Private fostering assessment due", D(2027, 5, 26), True),
    ]
