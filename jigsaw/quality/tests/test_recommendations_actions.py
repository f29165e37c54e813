"""The actions of recommendations: who may do what, what is refused and in whose words, the
version check, the access-log row each writes, and the all-or-nothing CSV import."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.models import Agency, Notification, Practitioner
from jigsaw.quality.actions import recommendations as actions
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    ProgressUpdate,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
    Response,
)
from jigsaw.quality.tests.recommendations_helpers import DSL_EMAIL, dsl, member, new_set, set_with_action
from tests.factories import persona

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 2)


def _last_log(action: str) -> AccessLogEntry:
    entry = AccessLogEntry.objects.filter(action=action).order_by("-pk").first()
    assert entry is not None, f"no {action} row in the access log"
    return entry


def test_the_partnership_records_a_set_and_the_access_log_says_so() -> None:
    recommendation_set = new_set()
    assert recommendation_set.version == 1
    entry = _last_log("create_recommendation_set")
    assert entry.user_id == member().pk
    assert entry.record_type == "quality.recommendationset"
    assert entry.record_id == str(recommendation_set.pk)
    assert entry.detail == {
        "title": "Child safeguarding practice review: Child R",
        "source": "practice_review",
    }


@pytest.mark.parametrize("who", ["social_worker", "team_manager", "analyst", "school_dsl", "administrator"])
def test_only_the_partnership_manages_sets(who: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_set(
            actor=persona(who), details=actions.SetDetails(title="A", source="other", reports_to="Board")
        )
    assert not RecommendationSet.objects.exists()


def test_a_set_needs_a_title_a_source_and_a_body_in_the_users_words() -> None:
    with pytest.raises(ValidationError) as refused:
        actions.create_set(
            actor=member(),
            details=actions.SetDetails(
                title=" ", source="gossip", reports_to="", source_date=datetime.date(2999, 1, 1)
            ),
        )
    assert refused.value.message_dict == {
        "title": ["Enter the title of the report"],
        "source": ["Choose where the recommendations come from"],
        "reports_to": ["Enter the body the set reports to"],
        "source_date": ["The date of the report must be today or in the past"],
    }


def test_editing_a_set_from_a_stale_form_is_refused() -> None:
    recommendation_set = new_set()
    details = actions.SetDetails(title="Renamed", source="audit", reports_to="Board")
    actions.edit_set(actor=member(), set_id=recommendation_set.pk, expected_version=1, details=details)
    with pytest.raises(actions.EditConflict):
        actions.edit_set(actor=member(), set_id=recommendation_set.pk, expected_version=1, details=details)
    recommendation_set.refresh_from_db()
    assert (recommendation_set.title, recommendation_set.version) == ("Renamed", 2)


def test_a_number_is_used_once_in_a_set() -> None:
    recommendation_set = new_set()
    agency = Agency.objects.create(name="Riverford Police", kind="police")
    actions.add_recommendation(
        actor=member(), set_id=recommendation_set.pk, number="3a", text="X", agency_id=agency.pk
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_recommendation(
            actor=member(), set_id=recommendation_set.pk, number="3A", text="Y", agency_id=agency.pk
        )
    assert refused.value.message_dict == {"number": ["This set already has a recommendation 3A"]}
    entry = _last_log("add_recommendation")
    assert entry.detail == {"set": recommendation_set.pk, "number": "3a", "agency": "Riverford Police"}


def test_a_partial_acceptance_or_a_refusal_must_say_why() -> None:
    made = set_with_action(due_on=TODAY, accepted=False)
    rec = made.recommendation
    for response, message in (
        ("accepted_in_part", "Say which parts are accepted and why the rest are not"),
        ("not_accepted", "Say why the recommendation is not accepted"),
    ):
        with pytest.raises(ValidationError) as refused:
            actions.record_response(
                actor=member(),
                recommendation_id=rec.pk,
                expected_version=rec.version,
                response=response,
                comment="",
            )
        assert refused.value.message_dict == {"comment": [message]}
    saved = actions.record_response(
        actor=member(),
        recommendation_id=rec.pk,
        expected_version=rec.version,
        response="accepted_in_part",
        comment="Accepted for schools; colleges are outside our remit",
    )
    assert saved.response == Response.ACCEPTED_IN_PART and saved.responded_by == member()
    assert _last_log("respond_to_recommendation").detail == {
        "response": "accepted_in_part",
        "agency": "Riverside Primary School",
    }
    with pytest.raises(actions.EditConflict):
        actions.record_response(
            actor=member(),
            recommendation_id=rec.pk,
            expected_version=rec.version,
            response="accepted",
            comment="",
        )


def test_the_partnership_sets_a_status_with_a_reason_and_can_go_back_to_the_derived_one() -> None:
    made = set_with_action(due_on=TODAY)
    rec = made.recommendation
    with pytest.raises(ValidationError) as refused:
        actions.set_status(
            actor=member(), recommendation_id=rec.pk, expected_version=rec.version, rag="green", reason=""
        )
    assert refused.value.message_dict == {"reason": ["Say why the status is not the one its actions give"]}
    rec = actions.set_status(
        actor=member(),
        recommendation_id=rec.pk,
        expected_version=rec.version,
        rag="green",
        reason="The training is booked for next week",
    )
    assert (rec.rag_set, rec.rag_set_by, rec.rag_set_at is not None) == ("green", member(), True)
    assert _last_log("set_recommendation_status").detail == {"status": "green", "previous": "derived"}
    rec = actions.set_status(
        actor=member(), recommendation_id=rec.pk, expected_version=rec.version, rag="", reason=""
    )
    assert (rec.rag_set, rec.rag_set_by, rec.rag_set_at, rec.rag_reason) == ("", None, None, "")
    assert _last_log("set_recommendation_status").detail == {"status": "derived", "previous": "green"}


def test_an_actions_owner_works_for_the_owning_agency_and_is_told(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        made = set_with_action(due_on=TODAY)
    assert Notification.objects.filter(
        recipient=made.owner, link__endswith=f"/actions/{made.action.pk}"
    ).exists()
    entry = _last_log("add_recommendation_action")
    assert entry.record_id == str(made.action.pk)
    assert entry.detail == {
        "recommendation": made.recommendation.pk,
        "owner": made.owner.practitioner.pk,
        "due_on": str(TODAY),
    }
    police = persona("police_officer").practitioner
    with pytest.raises(ValidationError) as refused:
        actions.add_action(
            actor=member(),
            recommendation_id=made.recommendation.pk,
            description="X",
            owner_id=police.pk,
            due_on=TODAY,
        )
    assert refused.value.message_dict["owner"] == [
        "Police Officer Persona works for Riverford Police: the owner must work for Riverside Primary School, "
        "which owns the recommendation"
    ]
    with pytest.raises(ValidationError) as missing:
        actions.add_action(
            actor=member(),
            recommendation_id=made.recommendation.pk,
            description="",
            owner_id=None,
            due_on=None,
        )
    assert missing.value.message_dict == {
        "description": ["Enter what the action is"],
        "owner": ["Choose who owns the action"],
        "due_on": ["Enter the date the action is due"],
    }


def test_no_action_is_planned_on_a_recommendation_not_accepted() -> None:
    made = set_with_action(due_on=TODAY, accepted=False)
    rec = actions.record_response(
        actor=member(),
        recommendation_id=made.recommendation.pk,
        expected_version=made.recommendation.version,
        response="not_accepted",
        comment="Already done",
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_action(
            actor=member(),
            recommendation_id=rec.pk,
            description="X",
            owner_id=made.owner.practitioner.pk,
            due_on=TODAY,
        )
    assert "not accepted" in refused.value.message_dict["description"][0]


def test_the_owner_records_progress_with_evidence_and_marks_it_done_then_reopens_it() -> None:
    made = set_with_action(due_on=TODAY)
    with time_machine.travel(datetime.datetime(2026, 11, 5, 10, 0, tzinfo=datetime.UTC)):
        update = actions.record_progress(
            actor=made.owner,
            action_id=made.action.pk,
            expected_version=1,
            note="All staff trained on 4 November",
            done=True,
            evidence=actions.Evidence(name="C:\\files\\register.pdf", data=b"%PDF-1.4 register"),
        )
    action = RecommendationAction.objects.get()
    assert (action.completed_on, action.version) == (datetime.date(2026, 11, 5), 2)
    evidence = ProgressEvidence.objects.get(update=update)
    assert (evidence.name, evidence.content_type, evidence.size) == ("register.pdf", "application/pdf", 17)
    assert bytes(evidence.data) == b"%PDF-1.4 register"
    entry = _last_log("record_action_progress")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        made.owner.pk,
        "quality.recommendationaction",
        str(action.pk),
    )
    assert entry.detail == {"update": update.pk, "done": True, "reopened": False, "evidence": True}
    actions.record_progress(
        actor=made.owner,
        action_id=action.pk,
        expected_version=2,
        note="A new starter is not trained yet",
        done=False,
    )
    action.refresh_from_db()
    assert action.completed_on is None
    assert _last_log("record_action_progress").detail["reopened"] is True
    with pytest.raises(actions.EditConflict):
        actions.record_progress(
            actor=made.owner, action_id=action.pk, expected_version=2, note="Late", done=False
        )
    assert ProgressUpdate.objects.count() == 2


def test_evidence_must_be_a_document_of_a_sensible_size() -> None:
    made = set_with_action(due_on=TODAY)
    for evidence, message in (
        (
            actions.Evidence("page.html", b"<script>"),
            "The file must be one of these kinds: CSV, DOCX, JPEG, JPG, ODT, PDF, PNG, TXT, XLSX",
        ),
        (
            actions.Evidence("big.pdf", b"x" * (actions.EVIDENCE_MAX_BYTES + 1)),
            "The file must be smaller than 5 MB",
        ),
        (actions.Evidence("empty.pdf", b""), "The file is empty"),
    ):
        with pytest.raises(ValidationError) as refused:
            actions.record_progress(
                actor=made.owner,
                action_id=made.action.pk,
                expected_version=1,
                note="Done",
                done=False,
                evidence=evidence,
            )
        assert refused.value.message_dict == {"evidence": [message]}
    assert not ProgressUpdate.objects.exists()


def test_only_the_owner_or_the_partnership_records_progress() -> None:
    made = set_with_action(due_on=TODAY)
    # The manager sees every action but does not own this one; the GP cannot even see it.
    with pytest.raises(PermissionDenied):
        actions.record_progress(
            actor=persona("team_manager"), action_id=made.action.pk, expected_version=1, note="X", done=False
        )
    with pytest.raises(Http404):
        actions.record_progress(
            actor=persona("gp"), action_id=made.action.pk, expected_version=1, note="X", done=False
        )
    actions.record_progress(
        actor=member(), action_id=made.action.pk, expected_version=1, note="Chased", done=False
    )
    assert ProgressUpdate.objects.get().written_by == member()


def test_a_new_owner_is_told_and_the_log_names_both() -> None:
    made = set_with_action(due_on=TODAY)
    deputy = Practitioner.objects.create(
        full_name="Dana Deputy", agency=made.owner.practitioner.agency, role="partner_practitioner"
    )
    action = actions.edit_action(
        actor=member(),
        action_id=made.action.pk,
        expected_version=1,
        description="Train every member of staff",
        owner_id=deputy.pk,
        due_on=datetime.date(2027, 1, 31),
    )
    assert (action.owner, action.version) == (deputy, 2)
    assert _last_log("edit_recommendation_action").detail == {
        "due_on": {"from": str(TODAY), "to": "2027-01-31"},
        "owner": {"from": made.owner.practitioner.pk, "to": deputy.pk},
    }
    with pytest.raises(actions.EditConflict):
        actions.edit_action(
            actor=member(),
            action_id=action.pk,
            expected_version=1,
            description="X",
            owner_id=deputy.pk,
            due_on=TODAY,
        )


# --- Import ----------------------------------------------------------------------------------

HEADER = "number,recommendation,owning_agency,response,response_comment,action,action_owner_email,action_due_date\n"


def _good_file() -> bytes:
    return (
        HEADER + '1,"Schools should record every concern the same day.",Riverside Primary School,Accepted,,'
        f"Train all staff,{DSL_EMAIL.upper()},31/01/2027\n"
        + f"1,,,,,Audit ten records,{DSL_EMAIL},2027-03-31\n"
        + '2,"The police should share incident logs daily.",Riverford Police,Not accepted,Already shared hourly,,,\n'
        + "3,The partnership should publish a leaflet.,Riverside Primary School,,,,,\n"
    ).encode()


def test_a_good_file_imports_the_set_its_responses_and_actions(
    django_capture_on_commit_callbacks: Any,
) -> None:
    dsl()
    User.objects.filter(username="school_dsl").update(email=DSL_EMAIL)
    persona("police_officer")
    details = actions.SetDetails(
        title="Scrutiny 2026", source="scrutiny_committee", reports_to="Scrutiny Committee"
    )
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_set = actions.import_set(actor=member(), details=details, data=_good_file())
    recs = list(Recommendation.objects.filter(recommendation_set=recommendation_set).order_by("position"))
    assert [(r.number, r.response, r.agency.name) for r in recs] == [
        ("1", "accepted", "Riverside Primary School"),
        ("2", "not_accepted", "Riverford Police"),
        ("3", "awaiting", "Riverside Primary School"),
    ]
    assert recs[1].response_comment == "Already shared hourly"
    assert [(a.description, a.due_on) for a in recs[0].actions.order_by("due_on")] == [
        ("Train all staff", datetime.date(2027, 1, 31)),
        ("Audit ten records", datetime.date(2027, 3, 31)),
    ]
    assert _last_log("import_recommendation_set").detail == {
        "recommendations": 3,
        "actions": 2,
        "title": "Scrutiny 2026",
    }
    notice = Notification.objects.get(recipient=dsl())
    assert notice.subject == "2 actions on the recommendations of Scrutiny 2026 are yours"
    assert len(mail.outbox) == 1


def test_a_file_with_bad_lines_writes_nothing_and_names_every_line() -> None:
    dsl()
    persona("police_officer")
    bad = (
        HEADER
        + f"1,Record concerns.,Riverside Primary School,Accepted,,Train staff,{DSL_EMAIL},31/02/2027\n"
        + "2,Share logs.,Riverford Constabulary,Maybe,,,,\n"
        + f"3,Publish a leaflet.,Riverford Police,Accepted,,Print it,{DSL_EMAIL},01/01/2027\n"
        + "4,Partly.,Riverford Police,Accepted in part,,,,\n"
        + "1,Something else.,,,,,,\n"
        + ",No number,Riverford Police,,,,,\n"
        + "5,Act.,Riverford Police,,,Do it,,\n"
    ).encode()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_set(
            actor=member(),
            details=actions.SetDetails(title="Bad", source="other", reports_to="Board"),
            data=bad,
        )
    assert [str(p) for p in refused.value.problems] == [
        "line 2: due date 31/02/2027 is not a date (write it as 31/03/2027)",
        "line 3: there is no agency called Riverford Constabulary in Jigsaw",
        "line 3: response Maybe is not one of: accepted; accepted in part; not accepted (or empty while awaiting a response)",
        "line 4: School Dsl Persona (dsl@riverside.riverford.example) works for Riverside Primary School, not for "
        "Riverford Police, which owns the recommendation",
        "line 5: say which parts are accepted and why the rest are not",
        "line 6: the recommendation differs from line 2, which has the same number",
        "line 7: the number is missing",
        "line 8: the action owner's e-mail address is missing",
        "line 8: the action's due date is missing",
    ]
    assert not RecommendationSet.objects.exists()
    assert not Recommendation.objects.exists()
    assert not AccessLogEntry.objects.filter(action="import_recommendation_set").exists()


def test_a_file_with_wrong_columns_is_refused_at_line_1() -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_set(
            actor=member(),
            details=actions.SetDetails(title="Bad", source="other", reports_to="Board"),
            data=b"number,text,colour\n1,x,red\n",
        )
    assert [str(p) for p in refused.value.problems] == [
        'line 1: the column "text" is not one of this file\'s columns',
        'line 1: the column "colour" is not one of this file\'s columns',
        'line 1: the column "recommendation" is missing',
        'line 1: the column "owning_agency" is missing',
    ]


def test_the_template_file_reads_back_with_only_the_unknown_owner_to_put_right() -> None:
    Agency.objects.create(name="Riverford Children's Social Care", kind="childrens_social_care")
    planned, problems = actions.read_import(actions.template_csv().encode())
    assert planned == []
    assert [str(p) for p in problems] == [
        "line 2: nobody in Jigsaw has the e-mail address j.smith@csc.riverford.example",
        "line 3: nobody in Jigsaw has the e-mail address j.smith@csc.riverford.example",
    ]
