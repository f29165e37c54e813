"""Missing episodes: reporting, the return and the return interview (permissions,
refusals, stale forms, the exact access-log rows and chronology lines), the 72-hour clock,
and the panel's queries (repeat missing, overdue and late interviews, who is named)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions import missing as actions
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.models import ChronologyEntry, MissingEpisode
from jigsaw.casework.queries import missing as queries
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.episode_factories import make_looked_after
from tests.factories import make_person, persona, restrict

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
D = datetime.date
# Thursday before Easter 2027 (Good Friday 26 March, Easter Monday 29 March); the clocks
# go forward at 01:00 on Sunday 28 March.
RETURNED = datetime.datetime(2027, 3, 25, 18, 0, tzinfo=UTC)
REPORTED = datetime.datetime(2027, 3, 24, 21, 30, tzinfo=UTC)
NOW = datetime.datetime(2027, 4, 20, 12, 0, tzinfo=UTC)


def _police_officer() -> Practitioner:
    practitioner: Practitioner = persona("police_officer").practitioner
    return practitioner


def _report(worker: User, child: Person, **overrides: object) -> MissingEpisode:
    values: dict[str, object] = {
        "actor": worker,
        "person_id": child.pk,
        "kind": "home",
        "reported_at": REPORTED,
        "reported_by_id": _police_officer().pk,
        "reported_by_other": "",
        "police_reference": "RP-2027-0412",
        "risk_factors": ["24A"],
        "circumstances": "Left school at lunchtime and did not come home",
    }
    values.update(overrides)
    return actions.report_missing(**values)  # type: ignore[arg-type]


def _returned(worker: User, child: Person, *, returned_at: datetime.datetime = RETURNED) -> MissingEpisode:
    episode = _report(worker, child)
    return actions.record_return(
        actor=worker,
        episode_id=episode.pk,
        expected_version=1,
        returned_at=returned_at,
        where_found="A friend's flat",
    )


def _interview(worker: User, episode: MissingEpisode, **overrides: object) -> MissingEpisode:
    values: dict[str, object] = {
        "actor": worker,
        "episode_id": episode.pk,
        "expected_version": episode.version,
        "offered_at": RETURNED + datetime.timedelta(hours=16),
        "response": "accepted",
        "done_at": RETURNED + datetime.timedelta(hours=70),
        "interview_by_id": persona("social_worker").practitioner.pk,
        "summary": "Said she stayed with older friends",
        "risk_factors": ["11A", "24A"],
    }
    values.update(overrides)
    return actions.record_return_interview(**values)  # type: ignore[arg-type]


def _chronology(child: Person) -> list[str]:
    return list(ChronologyEntry.objects.filter(person=child).order_by("pk").values_list("summary", flat=True))


@travel(NOW, tick=False)
def test_a_report_and_a_return_are_written_to_the_chronology_and_the_access_log(social_worker: User) -> None:
    child = make_person()

    episode = _returned(social_worker, child)

    assert _chronology(child) == [
        "Reported missing from home by Police Officer Persona (Riverford Police), police reference RP-2027-0412",
        "Returned after 20 hours missing; found: A friend's flat",
    ]
    entries = ChronologyEntry.objects.filter(person=child).order_by("pk")
    assert [e.kind for e in entries] == ["missing", "missing"]
    assert [e.occurred_at for e in entries] == [REPORTED, RETURNED]
    assert entries[0].agency == _police_officer().agency
    logged = list(
        AccessLogEntry.objects.filter(record_id=str(episode.pk), record_type="casework.missingepisode")
        .order_by("pk")
        .values_list("user", "action", "detail")
    )
    subjects = [f"casework.missingepisode:{episode.pk}", f"people.person:{child.pk}"]
    assert logged == [
        (social_worker.pk, "report_missing", {"subjects": subjects}),
        (social_worker.pk, "record_missing_return", {"subjects": subjects}),
    ]
    assert episode.version == 2


@travel(NOW, tick=False)
def test_the_return_interview_is_due_72_clock_hours_after_the_return_whatever_the_holidays_and_clocks(
    social_worker: User,
) -> None:
    episode = _returned(social_worker, make_person())

    # Good Friday, Easter Saturday and the clock change do not stretch it: 72 hours to the minute.
    assert episode.interview_due_at == datetime.datetime(2027, 3, 28, 18, 0, tzinfo=UTC)


@travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("hours_after_return", "in_time", "summary_ends"),
    [
        (71, True, "within 72 hours of the return"),
        (72, True, "within 72 hours of the return"),
        (73, False, "3 days after the return, later than 72 hours"),
    ],
)
def test_whether_the_interview_was_in_time_is_worked_out_from_the_times(
    social_worker: User, hours_after_return: int, in_time: bool, summary_ends: str
) -> None:
    child = make_person()
    episode = _returned(social_worker, child)

    done = _interview(social_worker, episode, done_at=RETURNED + datetime.timedelta(hours=hours_after_return))
    done.refresh_from_db()

    assert done.interview_in_time is in_time
    assert (
        _chronology(child)[-1]
        == f"Return interview by Social Worker Persona (Riverford Children's Social Care), {summary_ends}"
    )
    assert done.risk_factors == ["11A", "24A"]
    assert (
        AccessLogEntry.objects.filter(action="record_return_interview", record_id=str(episode.pk)).count()
        == 1
    )


@travel(NOW, tick=False)
def test_a_declined_interview_is_recorded_as_declined_not_done(social_worker: User) -> None:
    child = make_person()
    episode = _returned(social_worker, child)

    declined = _interview(social_worker, episode, response="declined", done_at=None, interview_by_id=None)

    assert declined.interview_done_at is None
    assert queries.episode_status(declined, now=NOW) == queries.InterviewStatus.DECLINED
    assert _chronology(child)[-1] == "Return interview offered; the child declined it"
    with pytest.raises(ValidationError) as refused:
        _interview(social_worker, declined, response="declined")
    assert refused.value.message_dict == {
        "done_on": ["The child declined: leave the date the interview was done blank"]
    }


@travel(NOW, tick=False)
def test_missing_from_care_only_for_a_child_looked_after_then(social_worker: User) -> None:
    child = make_person(given_names="Mia", family_name="Jones")
    with pytest.raises(ValidationError) as refused:
        _report(social_worker, child, kind="care")
    assert refused.value.message_dict["kind"] == [
        "Mia Jones was not looked after then: choose “missing from home”, or record the looked-after episode first"
    ]

    looked_after = make_looked_after(
        make_referral(child, referred_on=D(2027, 1, 4)), started_on=D(2027, 1, 4)
    )
    episode = _report(social_worker, child, kind="care")

    assert episode.looked_after == looked_after
    assert _chronology(child)[0].startswith("Reported missing from care by")


@travel(NOW, tick=False)
def test_refusals_change_nothing(social_worker: User) -> None:
    child = make_person()
    cases: list[tuple[dict[str, object], dict[str, list[str]]]] = [
        ({"kind": "lost"}, {"kind": ["Choose whether the child is missing from home or from care"]}),
        (
            {"reported_at": NOW + datetime.timedelta(hours=1)},
            {"reported_on": ["The time the child was reported missing must be now or in the past"]},
        ),
        (
            {"reported_by_id": None},
            {"reported_by": ["Choose the professional who reported it, or say who did"]},
        ),
        ({"risk_factors": ["1A"]}, {"risk_factors": ["Choose the concerns from the list"]}),
    ]
    for overrides, message in cases:
        with pytest.raises(ValidationError) as refused:
            _report(social_worker, child, **overrides)
        assert refused.value.message_dict == message
    assert not MissingEpisode.objects.exists()
    assert not AccessLogEntry.objects.filter(action="report_missing").exists()


@travel(NOW, tick=False)
def test_a_child_cannot_go_missing_twice_at_once_and_a_return_is_not_before_the_report(
    social_worker: User,
) -> None:
    child = make_person(given_names="Mia", family_name="Jones")
    episode = _report(social_worker, child)

    with pytest.raises(ValidationError) as twice:
        _report(social_worker, child, reported_at=REPORTED + datetime.timedelta(hours=2))
    assert twice.value.message_dict["kind"] == [
        "Mia Jones is already recorded as missing since 21:30 on 24 March 2027: record their return first"
    ]
    with pytest.raises(ValidationError) as early:
        actions.record_return(
            actor=social_worker,
            episode_id=episode.pk,
            expected_version=1,
            returned_at=REPORTED - datetime.timedelta(minutes=5),
            where_found="Home",
        )
    assert early.value.message_dict == {
        "returned_on": [
            "The return cannot be before the child was reported missing, at 21:30 on 24 March 2027"
        ]
    }
    with pytest.raises(ValidationError) as no_return:
        _interview(social_worker, episode)
    assert no_return.value.message_dict == {
        "offered_on": ["Record the child's return before the return interview"]
    }


@travel(NOW, tick=False)
def test_a_stale_form_is_a_conflict_not_an_overwrite(social_worker: User, team_manager: User) -> None:
    child = make_person()
    episode = _returned(social_worker, child)
    _interview(team_manager, episode, done_at=None, interview_by_id=None, summary="Offered by phone")

    with pytest.raises(EditConflict):
        _interview(social_worker, episode, expected_version=2)

    episode.refresh_from_db()
    assert episode.interview_summary == "Offered by phone"
    assert episode.version == 3


@travel(NOW, tick=False)
def test_who_may_record(social_worker: User, school_dsl: User, analyst: User, conference_chair: User) -> None:
    child = make_person()
    for who in (school_dsl, analyst, conference_chair):
        with pytest.raises(PermissionDenied):
            _report(who, child)
    hidden = restrict(make_person(family_name="Hidden")).person
    with pytest.raises(Http404):
        _report(social_worker, hidden)
    episode = _report(social_worker, child)
    with pytest.raises(PermissionDenied):
        actions.record_return(
            actor=school_dsl,
            episode_id=episode.pk,
            expected_version=1,
            returned_at=RETURNED,
            where_found="Home",
        )
    assert MissingEpisode.objects.count() == 1


# --- Queries ---------------------------------------------------------------------------


def test_repeat_missing_is_three_within_ninety_days() -> None:
    day = datetime.timedelta(days=1)
    start = datetime.datetime(2027, 1, 1, tzinfo=UTC)
    assert queries.is_repeat([start, start + 45 * day, start + 90 * day])
    assert not queries.is_repeat([start, start + 45 * day, start + 91 * day])
    assert queries.is_repeat([start, start + 200 * day, start + 240 * day, start + 280 * day])
    assert not queries.is_repeat([start, start + day])


def _episode(child: Person, reported: datetime.datetime, **fields: object) -> MissingEpisode:
    values: dict[str, object] = {
        "person": child,
        "kind": "care",
        "reported_at": reported,
        "reported_by_other": "Foster carer",
        "recorded_by": persona("social_worker"),
    }
    values.update(fields)
    return MissingEpisode.objects.create(**values)


def _back(reported: datetime.datetime, hours: int, **interview: object) -> dict[str, object]:
    returned = reported + datetime.timedelta(hours=hours)
    return {"returned_at": returned, "interview_due_at": returned + datetime.timedelta(hours=72), **interview}


@travel(NOW, tick=False)
def test_the_panel_lists_open_and_repeat_first_and_counts_interviews(team_manager: User) -> None:
    repeat = make_person(given_names="Rhian", family_name="Repeat")
    for month, day in ((1, 10), (2, 1), (2, 20)):
        reported = datetime.datetime(2027, month, day, 20, tzinfo=UTC)
        _episode(
            repeat,
            reported,
            **_back(
                reported,
                10,
                interview_response="accepted",
                interview_done_at=reported + datetime.timedelta(hours=30),
            ),
        )
    late = make_person(given_names="Leo", family_name="Late")
    reported = datetime.datetime(2027, 3, 3, 20, tzinfo=UTC)
    _episode(
        late,
        reported,
        kind="home",
        **_back(
            reported,
            5,
            interview_response="accepted",
            interview_done_at=reported + datetime.timedelta(hours=100),
        ),
    )
    overdue = make_person(given_names="Olu", family_name="Overdue")
    reported = datetime.datetime(2027, 4, 10, 20, tzinfo=UTC)
    _episode(overdue, reported, **_back(reported, 5))
    declined = make_person(given_names="Dee", family_name="Declined")
    reported = datetime.datetime(2027, 4, 1, 20, tzinfo=UTC)
    _episode(declined, reported, **_back(reported, 5, interview_response="declined"))
    # Still missing, reported before the period: listed first all the same.
    still = make_person(given_names="Sam", family_name="Still")
    _episode(still, datetime.datetime(2026, 10, 1, 8, tzinfo=UTC), kind="home")
    hidden = restrict(make_person(given_names="Hana", family_name="Hidden")).person
    _episode(
        hidden,
        datetime.datetime(2027, 3, 20, 8, tzinfo=UTC),
        **_back(datetime.datetime(2027, 3, 20, 8, tzinfo=UTC), 2),
    )

    panel = queries.missing_panel(team_manager, start=D(2027, 1, 1), end=D(2027, 4, 30), now=NOW)

    names = [c.person.family_name for c in panel.children if c.person is not None]
    assert names == ["Still", "Repeat", "Overdue", "Declined", "Late"]
    assert panel.not_listed == 1  # the restricted child is counted, not named
    assert panel.all_children == 6
    by_name = {c.person.family_name: c for c in panel.children if c.person is not None}
    assert by_name["Repeat"].repeat and by_name["Repeat"].episodes == 3 and by_name["Repeat"].from_care == 3
    assert by_name["Still"].still_missing and by_name["Still"].episodes == 0
    assert by_name["Late"].interviews_late == 1
    assert by_name["Overdue"].interviews_overdue == 1
    assert by_name["Declined"].interviews_declined == 1
    assert [
        (
            m.month,
            m.reported,
            m.from_care,
            m.interviews_in_time,
            m.interviews_late,
            m.interviews_overdue,
            m.declined,
        )
        for m in panel.months
    ] == [
        (D(2027, 1, 1), 1, 1, 1, 0, 0, 0),
        (D(2027, 2, 1), 2, 2, 2, 0, 0, 0),
        (D(2027, 3, 1), 2, 1, 0, 1, 1, 0),  # the hidden child's interview is overdue too
        (D(2027, 4, 1), 2, 2, 0, 0, 1, 1),
    ]
    assert (panel.episodes, panel.interviews_overdue) == (7, 2)


@travel(NOW, tick=False)
def test_the_panel_names_nobody_to_those_who_work_with_figures(analyst: User, school_dsl: User) -> None:
    reported = datetime.datetime(2027, 4, 1, 20, tzinfo=UTC)
    _episode(make_person(), reported)

    panel = queries.missing_panel(analyst, start=D(2027, 4, 1), end=D(2027, 4, 30), now=NOW)
    assert (panel.children, panel.not_listed, panel.episodes) == ([], 1, 1)
    refused = queries.missing_panel(school_dsl, start=D(2027, 4, 1), end=D(2027, 4, 30), now=NOW)
    assert (refused.not_listed, refused.months) == (0, [])


@travel(NOW, tick=False)
def test_the_childs_page_shows_the_latest_assessments_missing_and_exploitation_factors(
    social_worker: User,
) -> None:
    from tests.episode_factories import make_assessment

    child = make_person()
    make_assessment(make_referral(child), factors=["3B", "10A", "11A"])

    found = queries.child_missing(social_worker, child, now=NOW)
    assert found.assessment_factors == ["10A Going missing", "11A Child sexual exploitation"]
    assert found.episodes == [] and not found.repeat
