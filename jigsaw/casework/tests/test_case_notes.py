from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.notes import (
    LOCKED_MESSAGE,
    NOT_AUTHOR_MESSAGE,
    add_addendum,
    add_case_note,
    edit_case_note,
)
from jigsaw.casework.models import CaseNote, CaseNoteAddendum, ChronologyEntry
from jigsaw.people.models import Person
from tests.casework_factories import make_referral
from tests.factories import make_person, persona
from tests.fuzzing import fuzz_form

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Recorded on a Tuesday morning, about a home visit the afternoon before.
RECORDED = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
VISITED = datetime.datetime(2026, 3, 9, 15, 30, tzinfo=UTC)
TEXT = "Home visit. Saw Anna with her mother; Anna showed me her room and said she sleeps well."


def _note(author: User, person: Person | None = None, **fields: object) -> CaseNote:
    values: dict[str, object] = {
        "actor": author,
        "person_id": (person or make_person()).pk,
        "kind": "home_visit",
        "occurred_at": VISITED,
        "text": TEXT,
    }
    values.update(fields)
    return add_case_note(**values)  # type: ignore[arg-type]


def _entry(note: CaseNote) -> ChronologyEntry:
    return ChronologyEntry.objects.get(source_type="casework.casenote", source_id=str(note.pk))


@travel(RECORDED, tick=False)
def test_a_note_keeps_the_time_of_the_event_and_of_recording_and_enters_the_chronology(
    social_worker: User,
) -> None:
    note = _note(social_worker)

    assert (note.occurred_at, note.recorded_at, note.author, note.version) == (
        VISITED,
        RECORDED,
        social_worker,
        1,
    )
    entry = _entry(note)
    assert (entry.kind, entry.occurred_on, entry.occurred_at, entry.person_id, entry.recorded_by) == (
        "case_note",
        datetime.date(2026, 3, 9),
        VISITED,
        note.person_id,
        social_worker,
    )
    assert entry.summary == f"Home visit: {TEXT}"
    assert entry.agency == social_worker.practitioner.agency
    logged = AccessLogEntry.objects.get(action="add_case_note")
    assert (logged.user, logged.record_type, logged.record_id) == (
        social_worker,
        "casework.casenote",
        str(note.pk),
    )
    assert f"people.person:{note.person_id}" in logged.detail["subjects"]


@travel(RECORDED, tick=False)
def test_a_long_note_is_shortened_in_the_chronology_only(social_worker: User) -> None:
    note = _note(social_worker, text="word " * 200)
    assert len(note.text) == len("word " * 200) - 1
    summary = _entry(note).summary
    assert summary.startswith("Home visit: word word") and summary.endswith("…")
    assert len(summary) <= len("Home visit: ") + 200


@travel(RECORDED, tick=False)
def test_an_event_in_the_future_is_refused_and_nothing_is_written(social_worker: User) -> None:
    with pytest.raises(ValidationError) as raised:
        _note(social_worker, occurred_at=RECORDED + datetime.timedelta(minutes=5))
    assert raised.value.message_dict == {
        "occurred_on": ["The date and time of the event must be now or in the past"]
    }
    assert not CaseNote.objects.exists()
    assert not ChronologyEntry.objects.exists()


@travel(RECORDED, tick=False)
def test_empty_text_and_an_unknown_kind_are_refused(social_worker: User) -> None:
    with pytest.raises(ValidationError) as raised:
        _note(social_worker, text="   ", kind="gossip")
    assert set(raised.value.message_dict) == {"text", "kind"}
    assert not CaseNote.objects.exists()


@travel(RECORDED, tick=False)
def test_only_social_workers_and_managers_record_notes(
    social_worker: User,
    team_manager: User,
    conference_chair: User,
    front_door_officer: User,
    school_dsl: User,
) -> None:
    _note(social_worker)
    _note(team_manager)
    for user in (conference_chair, front_door_officer, school_dsl):
        with pytest.raises(PermissionDenied):
            _note(user)
    assert CaseNote.objects.count() == 2


@travel(RECORDED, tick=False)
def test_a_note_links_only_a_referral_of_the_same_child(social_worker: User) -> None:
    child, other = make_person(), make_person()
    referral = make_referral(child, worker=social_worker)
    note = _note(social_worker, person=child, referral_id=referral.pk)
    assert note.referral == referral

    with pytest.raises(ValidationError) as raised:
        _note(social_worker, person=other, referral_id=referral.pk)
    assert "referral" in raised.value.message_dict


def test_the_author_corrects_a_note_within_24_hours_and_the_chronology_follows(social_worker: User) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    corrected = "Home visit. Saw Anna with her mother and grandmother."
    earlier = VISITED - datetime.timedelta(hours=1)
    with travel(RECORDED + datetime.timedelta(hours=23, minutes=59), tick=False):
        edit_case_note(
            actor=social_worker, note_id=note.pk, expected_version=1, text=corrected, occurred_at=earlier
        )

    note.refresh_from_db()
    assert (note.text, note.occurred_at, note.recorded_at, note.version) == (corrected, earlier, RECORDED, 2)
    entry = _entry(note)
    assert (entry.summary, entry.occurred_at) == (f"Home visit: {corrected}", earlier)
    assert AccessLogEntry.objects.filter(action="edit_case_note", record_id=str(note.pk)).count() == 1


def test_after_24_hours_the_note_is_locked(social_worker: User) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    with (
        travel(RECORDED + datetime.timedelta(hours=24), tick=False),
        pytest.raises(ValidationError) as raised,
    ):
        edit_case_note(
            actor=social_worker, note_id=note.pk, expected_version=1, text="Changed", occurred_at=VISITED
        )
    assert raised.value.messages == [LOCKED_MESSAGE]
    assert LOCKED_MESSAGE == (
        "This note is locked: it was recorded more than 24 hours ago. "
        "Add an addendum to correct or add to it."
    )
    note.refresh_from_db()
    assert (note.text, note.version) == (TEXT, 1)
    assert _entry(note).summary == f"Home visit: {TEXT}"


@travel(RECORDED, tick=False)
def test_only_the_author_may_correct_a_note(social_worker: User, team_manager: User) -> None:
    note = _note(social_worker)
    with pytest.raises(ValidationError) as raised:
        edit_case_note(
            actor=team_manager, note_id=note.pk, expected_version=1, text="Mine now", occurred_at=VISITED
        )
    assert raised.value.messages == [NOT_AUTHOR_MESSAGE]
    note.refresh_from_db()
    assert note.text == TEXT


@travel(RECORDED, tick=False)
def test_a_correction_from_a_stale_form_is_a_conflict(social_worker: User) -> None:
    note = _note(social_worker)
    edit_case_note(
        actor=social_worker, note_id=note.pk, expected_version=1, text="First fix", occurred_at=VISITED
    )
    with pytest.raises(EditConflict):
        edit_case_note(
            actor=social_worker, note_id=note.pk, expected_version=1, text="Second fix", occurred_at=VISITED
        )
    note.refresh_from_db()
    assert (note.text, note.version) == ("First fix", 2)


@travel(RECORDED + datetime.timedelta(hours=2), tick=False)
def test_a_correction_cannot_move_the_event_after_the_note_was_written(social_worker: User) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    with pytest.raises(ValidationError) as raised:
        edit_case_note(
            actor=social_worker,
            note_id=note.pk,
            expected_version=1,
            text=TEXT,
            occurred_at=RECORDED + datetime.timedelta(hours=1),
        )
    assert "occurred_on" in raised.value.message_dict
    note.refresh_from_db()
    assert (note.occurred_at, note.version) == (VISITED, 1)


def test_anyone_who_records_may_add_an_addendum_and_the_note_never_changes(
    social_worker: User, team_manager: User, conference_chair: User
) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    later = RECORDED + datetime.timedelta(days=3)
    with travel(later, tick=False):
        addendum = add_addendum(
            actor=team_manager,
            note_id=note.pk,
            text="Grandmother was also present (she told me on 12 March).",
        )
        with pytest.raises(PermissionDenied):
            add_addendum(actor=conference_chair, note_id=note.pk, text="Not mine to add")

    assert (addendum.note, addendum.author, addendum.recorded_at) == (note, team_manager, later)
    note.refresh_from_db()
    assert (note.text, note.version) == (TEXT, 1)
    assert "Grandmother was also present" in _entry(note).detail
    logged = AccessLogEntry.objects.get(action="add_addendum")
    assert (logged.user, logged.record_id, logged.detail["addendum"]) == (
        team_manager,
        str(note.pk),
        addendum.pk,
    )
    assert CaseNoteAddendum.objects.count() == 1


@travel(RECORDED, tick=False)
def test_an_empty_addendum_is_refused(social_worker: User) -> None:
    note = _note(social_worker)
    with pytest.raises(ValidationError):
        add_addendum(actor=social_worker, note_id=note.pk, text="  ")
    assert not CaseNoteAddendum.objects.exists()


@travel(RECORDED, tick=False)
def test_a_note_about_a_child_the_user_cannot_see_is_not_found(social_worker: User) -> None:
    from tests.factories import restrict

    child = make_person()
    note = _note(persona("team_manager"), person=child)
    restrict(child)
    with pytest.raises(Http404):
        add_addendum(actor=social_worker, note_id=note.pk, text="Sneaking a look")


# Pages


@travel(RECORDED, tick=False)
def test_the_new_note_page_prefills_now_and_links_the_one_open_referral(
    client: Client, social_worker: User
) -> None:
    child = make_person()
    referral = make_referral(child, worker=social_worker)
    client.force_login(social_worker)
    url = reverse("casework:new_case_note", args=[child.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial == {
        "occurred_on": datetime.date(2026, 3, 10),
        "occurred_time": "09:00",
    }
    assert "referral" not in page.context["form"].fields  # exactly one open: not asked

    response = client.post(
        url,
        {
            "kind": "phone_call",
            "occurred_on_day": "10",
            "occurred_on_month": "3",
            "occurred_on_year": "2026",
            "occurred_time": "08:15",
            "text": "Mother rang: Anna is off school with a cold.",
        },
    )
    note = CaseNote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "casework:case_note", args=[note.pk]
    )
    assert (note.referral, note.kind, note.occurred_at) == (
        referral,
        "phone_call",
        datetime.datetime(2026, 3, 10, 8, 15, tzinfo=UTC),  # London is on GMT in March
    )


@travel(RECORDED, tick=False)
def test_with_two_open_referrals_the_worker_picks_one(client: Client, social_worker: User) -> None:
    child = make_person()
    make_referral(child, worker=social_worker, referred_on=datetime.date(2026, 1, 5))
    second = make_referral(child, worker=social_worker, referred_on=datetime.date(2026, 2, 5))
    client.force_login(social_worker)
    url = reverse("casework:new_case_note", args=[child.pk])

    assert "referral" in client.get(url).context["form"].fields
    client.post(
        url,
        {
            "kind": "meeting",
            "occurred_on_day": "9",
            "occurred_on_month": "3",
            "occurred_on_year": "2026",
            "occurred_time": "11:00",
            "text": "Met the school nurse.",
            "referral": str(second.pk),
        },
    )
    assert CaseNote.objects.get().referral == second


@travel(RECORDED, tick=False)
def test_the_new_note_page_refuses_a_future_event_and_keeps_the_text(
    client: Client, social_worker: User
) -> None:
    child = make_person()
    client.force_login(social_worker)
    response = client.post(
        reverse("casework:new_case_note", args=[child.pk]),
        {
            "kind": "observation",
            "occurred_on_day": "11",
            "occurred_on_month": "3",
            "occurred_on_year": "2026",
            "occurred_time": "10:00",
            "text": "Tomorrow's visit",
        },
    )
    assert response.status_code == 200
    assert "The date and time of the event must be now or in the past" in response.content.decode()
    assert "Tomorrow&#x27;s visit" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_the_author_sees_the_edit_form_and_others_the_addendum_form(
    client: Client, social_worker: User, team_manager: User, conference_chair: User
) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    url = reverse("casework:case_note", args=[note.pk])
    with travel(RECORDED + datetime.timedelta(hours=1), tick=False):
        client.force_login(social_worker)
        own = client.get(url)
        client.force_login(team_manager)
        other = client.get(url)
        client.force_login(conference_chair)
        chair = client.get(url)
    assert own.context["edit_form"] is not None and own.context["addendum_form"] is None
    assert own.context["edit_form"].initial["text"] == TEXT
    assert other.context["edit_form"] is None and other.context["addendum_form"] is not None
    assert chair.status_code == 200
    assert chair.context["edit_form"] is None and chair.context["addendum_form"] is None
    assert TEXT in chair.content.decode()
    assert AccessLogEntry.objects.filter(action="view", record_id=str(note.pk)).count() == 3
    with travel(RECORDED + datetime.timedelta(hours=1), tick=False):
        assert client.post(url, {"addendum": "The chair reads, does not record"}).status_code == 403
        client.force_login(team_manager)
        refused = client.post(url, {"version": "1", "text": "A manager's rewrite"})
    assert not CaseNoteAddendum.objects.exists()
    assert refused.context["edit_form"] is None
    assert refused.context["addendum_form"]["addendum"].value() == "A manager's rewrite"
    assert NOT_AUTHOR_MESSAGE in refused.context["addendum_form"].non_field_errors()
    note.refresh_from_db()
    assert note.text == TEXT


def test_a_correction_sent_after_the_lock_becomes_an_addendum_to_send_nothing_lost(
    client: Client, social_worker: User
) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    with travel(RECORDED + datetime.timedelta(hours=25), tick=False):
        client.force_login(social_worker)
        response = client.post(
            reverse("casework:case_note", args=[note.pk]),
            {
                "version": "1",
                "occurred_on_day": "9",
                "occurred_on_month": "3",
                "occurred_on_year": "2026",
                "occurred_time": "15:30",
                "text": "Also present: grandmother.",
            },
        )
    assert response.status_code == 200
    assert response.context["edit_form"] is None
    assert response.context["addendum_form"]["addendum"].value() == "Also present: grandmother."
    assert "This note is locked" in response.content.decode()
    note.refresh_from_db()
    assert (note.text, note.version) == (TEXT, 1)


def test_a_stale_correction_shows_the_conflict_and_keeps_the_text(
    client: Client, social_worker: User
) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
        edit_case_note(
            actor=social_worker, note_id=note.pk, expected_version=1, text="Fixed", occurred_at=VISITED
        )
        client.force_login(social_worker)
        response = client.post(
            reverse("casework:case_note", args=[note.pk]),
            {
                "version": "1",
                "occurred_on_day": "9",
                "occurred_on_month": "3",
                "occurred_on_year": "2026",
                "occurred_time": "15:30",
                "text": "My other fix",
            },
        )
    body = response.content.decode()
    assert "Someone else saved changes to this case note" in body
    assert "My other fix" in body
    note.refresh_from_db()
    assert note.text == "Fixed"


def test_an_addendum_through_the_page(client: Client, social_worker: User, team_manager: User) -> None:
    with travel(RECORDED, tick=False):
        note = _note(social_worker)
    url = reverse("casework:case_note", args=[note.pk])
    with travel(RECORDED + datetime.timedelta(days=2), tick=False):
        client.force_login(team_manager)
        response = client.post(url, {"addendum": "Discussed in supervision."})
        page = client.get(url)
    assert (response.status_code, response["Location"]) == (302, url)
    assert CaseNoteAddendum.objects.get().text == "Discussed in supervision."
    assert "Discussed in supervision." in page.content.decode()
    assert "Locked" in page.content.decode()


@pytest.mark.parametrize("who", ["school_dsl", "gp", "analyst", "partnership_member"])
@travel(RECORDED, tick=False)
def test_people_outside_social_care_get_not_found(client: Client, who: str) -> None:
    note = _note(persona("social_worker"))
    client.force_login(persona(who))
    assert client.get(reverse("casework:case_note", args=[note.pk])).status_code == 404
    assert client.post(reverse("casework:case_note", args=[note.pk]), {"addendum": "x"}).status_code == 404
    assert not CaseNoteAddendum.objects.exists()


# Fuzzing: malformed input never breaks a form, and a refused form writes nothing.

EVENT_FIELDS = ["occurred_on_day", "occurred_on_month", "occurred_on_year", "occurred_time", "text"]


@travel(RECORDED, tick=False)
def test_fuzz_new_case_note(client: Client, social_worker: User) -> None:
    child = make_person()
    make_referral(child, worker=social_worker)
    make_referral(child, worker=social_worker)
    client.force_login(social_worker)
    fuzz_form(client, reverse("casework:new_case_note", args=[child.pk]), ["kind", *EVENT_FIELDS, "referral"])


@travel(RECORDED, tick=False)
def test_fuzz_case_note_correction(client: Client, social_worker: User) -> None:
    note = _note(social_worker)
    client.force_login(social_worker)
    fuzz_form(client, reverse("casework:case_note", args=[note.pk]), [*EVENT_FIELDS, "version"])


@travel(RECORDED, tick=False)
def test_fuzz_addendum(client: Client, social_worker: User, team_manager: User) -> None:
    note = _note(social_worker)
    client.force_login(team_manager)
    fuzz_form(client, reverse("casework:case_note", args=[note.pk]), ["addendum"])
