"""The workforce's actions: who may change which team, the refusals (an overfilled post,
an ended post, a stale form, bad dates, a malformed registration number), the database's
own rules, and the access-log row each change writes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import EditConflict
from jigsaw.partners.models import Practitioner
from jigsaw.workforce import actions
from jigsaw.workforce.models import Absence, Appointment, Contract, LeavingReason, Post, PostKind, StaffRecord
from tests.factories import make_agency, make_team, persona

pytestmark = pytest.mark.django_db

D = Decimal
START = datetime.date(2024, 4, 1)


def _details(team_id: int | None, fte: str = "1.00", **changes: object) -> actions.PostDetails:
    values: dict[str, object] = {
        "team_id": team_id,
        "title": "Social worker",
        "kind": PostKind.QUALIFIED_SOCIAL_WORKER,
        "fte": D(fte),
        "established_on": START,
    }
    values.update(changes)
    return actions.PostDetails(**values)  # type: ignore[arg-type]


def _own_post(fte: str = "1.00") -> Post:
    manager = persona("team_manager")
    return actions.save_post(actor=manager, details=_details(manager.practitioner.team_id, fte))


def _worker(name: str = "Sam Okafor") -> Practitioner:
    return Practitioner.objects.create(full_name=name, agency=make_agency(), role=Role.SOCIAL_WORKER)


def _appoint(
    post: Post, worker: Practitioner, fte: str = "1.00", contract: str = Contract.PERMANENT
) -> Appointment:
    post.refresh_from_db()
    return actions.appoint(
        actor=persona("team_manager"),
        post_id=post.pk,
        expected_version=post.version,
        details=actions.AppointmentDetails(
            practitioner_id=worker.pk, contract=contract, fte=D(fte), started_on=datetime.date(2024, 5, 1)
        ),
    )


def _logged(action: str) -> AccessLogEntry:
    return AccessLogEntry.objects.get(action=action)


def test_a_manager_adds_a_post_to_their_own_team_and_it_is_logged() -> None:
    post = _own_post()
    entry = _logged("add_post")
    assert (entry.user, entry.record_type, entry.record_id) == (
        persona("team_manager"),
        "workforce.post",
        str(post.pk),
    )
    assert post.version == 1 and post.fte == D("1.00")


def test_a_manager_may_not_keep_another_teams_posts_but_an_administrator_may() -> None:
    other = make_team(make_agency(), "Children in Care Team")
    with pytest.raises(PermissionDenied):
        actions.save_post(actor=persona("team_manager"), details=_details(other.pk))
    with pytest.raises(PermissionDenied):
        actions.save_post(actor=persona("analyst"), details=_details(other.pk))
    post = actions.save_post(actor=persona("administrator"), details=_details(other.pk))
    assert post.team == other
    assert not Post.objects.exclude(pk=post.pk).exists()


def test_bad_post_details_are_refused_in_the_users_words() -> None:
    team_id = persona("team_manager").practitioner.team_id
    with pytest.raises(ValidationError) as refused:
        actions.save_post(
            actor=persona("team_manager"),
            details=_details(team_id, "1.50", title=" ", kind="chief", established_on=None),
        )
    assert set(refused.value.message_dict) == {"title", "kind", "fte", "established_on"}
    assert not Post.objects.exists()


def test_a_stale_form_is_a_conflict_and_changes_nothing() -> None:
    post = _own_post()
    team_id = post.team_id
    actions.save_post(
        actor=persona("team_manager"),
        details=_details(team_id, title="Social worker (ASYE)"),
        post_id=post.pk,
        expected_version=1,
    )
    with pytest.raises(EditConflict):
        actions.save_post(
            actor=persona("team_manager"),
            details=_details(team_id, title="Stale"),
            post_id=post.pk,
            expected_version=1,
        )
    post.refresh_from_db()
    assert (post.title, post.version) == ("Social worker (ASYE)", 2)


def test_appointing_beyond_the_posts_fte_is_refused() -> None:
    post = _own_post()
    appointment = _appoint(post, _worker("Ann Part"), "0.60")
    assert _logged("appoint_to_post").record_id == str(appointment.pk)
    with pytest.raises(ValidationError) as refused:
        _appoint(post, _worker("Ben Over"), "0.50")
    assert "Only 0.40 FTE" in refused.value.message_dict["fte"][0]
    _appoint(post, _worker("Cat Fits"), "0.40")
    assert Appointment.objects.filter(post=post).count() == 2


def test_nobody_works_more_than_full_time() -> None:
    worker = _worker()
    _appoint(_own_post(), worker, "0.80")
    with pytest.raises(ValidationError) as refused:
        _appoint(_own_post(), worker, "0.40")
    assert "already holds 0.80 FTE" in refused.value.message_dict["fte"][0]


def test_a_post_with_someone_in_it_cannot_end_and_an_ended_post_takes_nobody() -> None:
    post = _own_post()
    appointment = _appoint(post, _worker())
    post.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        actions.disestablish_post(
            actor=persona("team_manager"),
            post_id=post.pk,
            expected_version=post.version,
            on=datetime.date(2025, 1, 1),
        )
    assert "end their appointment first" in refused.value.message_dict["on"][0]
    actions.end_appointment(
        actor=persona("team_manager"),
        appointment_id=appointment.pk,
        expected_version=appointment.version,
        ended_on=datetime.date(2024, 12, 31),
        reason=LeavingReason.RESIGNED,
    )
    assert _logged("end_appointment").detail == {"ended_on": "2024-12-31", "reason": "resigned"}
    actions.disestablish_post(
        actor=persona("team_manager"),
        post_id=post.pk,
        expected_version=post.version,
        on=datetime.date(2025, 1, 1),
    )
    assert _logged("disestablish_post").record_id == str(post.pk)
    with pytest.raises(ValidationError) as refused:
        _appoint(post, _worker("Late Comer"))
    assert "nobody can be appointed" in refused.value.messages[0]


def test_ending_an_appointment_checks_the_reason_and_the_version() -> None:
    appointment = _appoint(_own_post(), _worker())
    with pytest.raises(ValidationError) as refused:
        actions.end_appointment(
            actor=persona("team_manager"),
            appointment_id=appointment.pk,
            expected_version=1,
            ended_on=datetime.date(2024, 4, 30),
            reason=LeavingReason.END_OF_AGENCY_CONTRACT,
        )
    assert set(refused.value.message_dict) == {"ended_on", "reason"}
    with pytest.raises(EditConflict):
        actions.end_appointment(
            actor=persona("team_manager"),
            appointment_id=appointment.pk,
            expected_version=7,
            ended_on=datetime.date(2024, 6, 30),
            reason=LeavingReason.MOVED,
        )
    appointment.refresh_from_db()
    assert appointment.ended_on is None and appointment.leaving_reason == ""


def test_another_teams_appointment_is_not_found() -> None:
    other = make_team(make_agency(), "Children in Care Team")
    post = actions.save_post(actor=persona("administrator"), details=_details(other.pk))
    with pytest.raises(Http404):
        actions.appoint(
            actor=persona("team_manager"),
            post_id=post.pk,
            expected_version=post.version,
            details=actions.AppointmentDetails(
                practitioner_id=_worker().pk, contract=Contract.PERMANENT, fte=D("1"), started_on=START
            ),
        )


def test_an_absence_counts_its_working_days_and_a_correction_recounts() -> None:
    worker = persona("social_worker").practitioner  # in the manager's team
    absence = actions.record_absence(
        actor=persona("team_manager"),
        details=actions.AbsenceDetails(
            practitioner_id=worker.pk,
            kind="sickness",
            first_day=datetime.date(2024, 12, 30),
            last_day=datetime.date(2025, 1, 3),
        ),
    )
    assert absence.working_days == D("4")  # New Year's Day is a bank holiday
    assert _logged("record_absence").detail["days"] == "4"
    corrected = actions.correct_absence(
        actor=persona("team_manager"),
        absence_id=absence.pk,
        expected_version=1,
        details=actions.AbsenceDetails(
            practitioner_id=worker.pk,
            kind="sickness",
            first_day=datetime.date(2024, 12, 30),
            last_day=datetime.date(2025, 1, 10),
        ),
    )
    assert corrected.working_days == D("9") and corrected.version == 2
    assert _logged("correct_absence").detail["before"]["last_day"] == "2025-01-03"
    with pytest.raises(EditConflict):
        actions.correct_absence(
            actor=persona("team_manager"),
            absence_id=absence.pk,
            expected_version=1,
            details=actions.AbsenceDetails(
                practitioner_id=worker.pk,
                kind="other",
                first_day=datetime.date(2025, 1, 6),
                last_day=datetime.date(2025, 1, 6),
            ),
        )


def test_an_absence_in_the_wrong_order_or_of_another_team_is_refused() -> None:
    worker = persona("social_worker").practitioner
    with pytest.raises(ValidationError) as refused:
        actions.record_absence(
            actor=persona("team_manager"),
            details=actions.AbsenceDetails(
                practitioner_id=worker.pk,
                kind="sickness",
                first_day=datetime.date(2025, 1, 6),
                last_day=datetime.date(2025, 1, 3),
            ),
        )
    assert "same as or after" in refused.value.message_dict["last_day"][0]
    with pytest.raises(ValidationError):
        actions.record_absence(
            actor=persona("team_manager"),
            details=actions.AbsenceDetails(
                practitioner_id=_worker("Not Ours").pk, kind="sickness", first_day=START, last_day=START
            ),
        )
    assert not Absence.objects.exists()


def test_a_staff_record_needs_a_registration_number_of_the_right_shape() -> None:
    worker = persona("social_worker").practitioner
    details = actions.StaffRecordDetails(
        registration_number="12345", qualification="degree", qualified_on=None, joined_service_on=None
    )
    with pytest.raises(ValidationError) as refused:
        actions.save_staff_record(actor=persona("team_manager"), practitioner_id=worker.pk, details=details)
    assert set(refused.value.message_dict) == {"registration_number", "qualified_on"}
    record = actions.save_staff_record(
        actor=persona("team_manager"),
        practitioner_id=worker.pk,
        details=actions.StaffRecordDetails(
            registration_number="sw 123456",
            qualification="masters",
            qualified_on=datetime.date(2015, 7, 1),
            joined_service_on=START,
        ),
    )
    assert record.registration_number == "SW123456"
    assert _logged("add_staff_record").record_id == str(record.pk)
    with pytest.raises(EditConflict):
        actions.save_staff_record(
            actor=persona("team_manager"), practitioner_id=worker.pk, details=details, expected_version=5
        )
    with pytest.raises(PermissionDenied):
        actions.save_staff_record(actor=persona("social_worker"), practitioner_id=worker.pk, details=details)


def test_the_database_holds_the_rules_too() -> None:
    post = _own_post()
    worker = _worker()
    for bad in (
        lambda: Appointment.objects.create(
            post=post, practitioner=worker, contract="permanent", fte=D("1.5"), started_on=START
        ),
        lambda: Appointment.objects.create(
            post=post,
            practitioner=worker,
            contract="permanent",
            fte=D("1"),
            started_on=START,
            ended_on=datetime.date(2024, 1, 1),
            leaving_reason="resigned",
        ),
        lambda: Appointment.objects.create(
            post=post,
            practitioner=worker,
            contract="permanent",
            fte=D("1"),
            started_on=START,
            ended_on=datetime.date(2025, 1, 1),
        ),
        lambda: StaffRecord.objects.create(
            practitioner=worker, registration_number="XX1", qualification="degree"
        ),
        lambda: Post.objects.create(
            team=post.team, title="T", kind="team_manager", fte=D("0"), established_on=START
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            bad()
