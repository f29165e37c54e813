"""Section 11 actions: the standards, sending a round (a snapshot of the standards and one
return per agency), answering as the agency's own lead only, submitting only a complete
return with an action for every gap, and refusing a stale form."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import EditConflict
from jigsaw.quality.actions.section11 import (
    DEFAULT_STANDARDS,
    AnswerInput,
    add_gap_action,
    add_standard,
    create_round,
    ensure_default_standards,
    save_answers,
    send_round,
    set_gap_action_status,
    update_standard,
)
from jigsaw.quality.models.section11 import (
    GapActionStatus,
    Rating,
    ReturnStatus,
    RoundStatus,
    Section11Return,
    Section11Round,
    Section11Standard,
)
from tests.factories import persona

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


def sent_round(*agency_users: str) -> Section11Round:
    member = persona("partnership_member")
    round_ = create_round(
        actor=member,
        title="Section 11 2026",
        period="April 2025 to March 2026",
        opens_on=DAY,
        due_on=DAY + datetime.timedelta(days=60),
        agency_ids=[persona(u).practitioner.agency_id for u in agency_users],
    )
    return send_round(actor=member, round_id=round_.pk, expected_version=round_.version)


def return_of(round_: Section11Round, who: str) -> Section11Return:
    return round_.returns.get(agency=persona(who).practitioner.agency)


def all_answers(
    r: Section11Return, rating: str, evidence: str = "Our audit of 40 files"
) -> list[AnswerInput]:
    return [AnswerInput(a.standard_id, rating, evidence) for a in r.answers.all()]


def test_default_standards_are_made_once() -> None:
    ensure_default_standards()
    ensure_default_standards()

    assert list(Section11Standard.objects.values_list("number", flat=True)) == [
        n for n, _, _ in DEFAULT_STANDARDS
    ]


def test_only_the_partnership_edits_standards() -> None:
    with pytest.raises(PermissionDenied):
        add_standard(
            actor=persona("team_manager"), number=9, title="Early help", good_looks_like="Offered early"
        )

    standard = add_standard(
        actor=persona("partnership_member"), number=9, title="Early help", good_looks_like="Offered early"
    )

    assert (
        AccessLogEntry.objects.filter(action="add_section11_standard", record_id=str(standard.pk)).count()
        == 1
    )


def test_a_duplicate_number_is_refused_in_words() -> None:
    ensure_default_standards()
    with pytest.raises(ValidationError) as error:
        add_standard(actor=persona("partnership_member"), number=1, title="Again", good_looks_like="x")

    assert error.value.message_dict["number"] == ["There is already a standard 1: choose another number"]


def test_a_stale_standard_form_is_refused() -> None:
    ensure_default_standards()
    standard = Section11Standard.objects.get(number=1)
    member = persona("partnership_member")
    update_standard(
        actor=member, standard_id=standard.pk, expected_version=1, number=1, title="New", good_looks_like="x"
    )

    with pytest.raises(EditConflict):
        update_standard(
            actor=member,
            standard_id=standard.pk,
            expected_version=1,
            number=1,
            title="Old",
            good_looks_like="x",
        )
    assert Section11Standard.objects.get(pk=standard.pk).title == "New"


def test_a_round_due_before_it_opens_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        create_round(
            actor=persona("partnership_member"),
            title="2026",
            period="2025 to 2026",
            opens_on=DAY,
            due_on=DAY - datetime.timedelta(days=1),
            agency_ids=[persona("gp").practitioner.agency_id],
        )

    assert error.value.message_dict["due_on"] == ["The due date must be on or after the date the round opens"]
    assert not Section11Round.objects.exists()


def test_sending_makes_one_return_per_agency_with_the_standards_as_they_stood() -> None:
    round_ = sent_round("school_dsl", "gp")

    assert round_.status == RoundStatus.SENT
    assert round_.returns.count() == 2
    assert round_.standards.count() == len(DEFAULT_STANDARDS)
    assert return_of(round_, "gp").answers.count() == len(DEFAULT_STANDARDS)
    entry = AccessLogEntry.objects.get(action="send_section11_round")
    assert entry.record_id == str(round_.pk)
    assert entry.detail["returns"] == 2

    # Editing a standard afterwards leaves the round's copy alone.
    standard = Section11Standard.objects.get(number=1)
    update_standard(
        actor=persona("partnership_member"),
        standard_id=standard.pk,
        expected_version=standard.version,
        number=1,
        title="Reworded",
        good_looks_like="New wording",
    )
    assert round_.standards.get(number=1).title == DEFAULT_STANDARDS[0][1]


def test_a_round_is_sent_once() -> None:
    round_ = sent_round("gp")

    with pytest.raises(ValidationError):
        send_round(actor=persona("partnership_member"), round_id=round_.pk, expected_version=round_.version)
    assert round_.returns.count() == 1


def test_only_the_agencys_own_lead_answers() -> None:
    round_ = sent_round("school_dsl", "gp")
    gp_return = return_of(round_, "gp")

    with pytest.raises(Http404):  # another agency's return is not found
        save_answers(
            actor=persona("school_dsl"),
            return_id=gp_return.pk,
            expected_version=gp_return.version,
            answers=all_answers(gp_return, Rating.FULLY_MET),
            submit=False,
        )
    with pytest.raises(PermissionDenied):  # the partnership reads, it does not answer
        save_answers(
            actor=persona("partnership_member"),
            return_id=gp_return.pk,
            expected_version=gp_return.version,
            answers=[],
            submit=False,
        )


def test_a_draft_saves_what_is_there_and_submitting_needs_everything() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    gp = persona("gp")
    first = r.answers.order_by("standard__number").first()
    assert first is not None

    saved = save_answers(
        actor=gp,
        return_id=r.pk,
        expected_version=1,
        answers=[AnswerInput(first.standard_id, Rating.FULLY_MET, "Board minutes")],
        submit=False,
    )
    assert saved.status == ReturnStatus.DRAFT
    assert r.answers.get(pk=first.pk).evidence == "Board minutes"

    with pytest.raises(ValidationError) as error:
        save_answers(actor=gp, return_id=r.pk, expected_version=saved.version, answers=[], submit=True)
    messages = error.value.message_dict
    assert len(messages) == 2 * (len(DEFAULT_STANDARDS) - 1)  # a rating and evidence for each of the rest
    assert Section11Return.objects.get(pk=r.pk).status == ReturnStatus.DRAFT


def test_a_gap_needs_an_action_before_submitting() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    gp = persona("gp")
    answers = all_answers(r, Rating.FULLY_MET)
    gap = answers[2]
    answers[2] = AnswerInput(gap.standard_id, Rating.PARTLY_MET, "Half the staff trained")

    with pytest.raises(ValidationError) as error:
        save_answers(actor=gp, return_id=r.pk, expected_version=1, answers=answers, submit=True)
    assert error.value.message_dict[f"rating_{gap.standard_id}"] == [
        "Standard 3 is not fully met: add an action to close the gap before you submit"
    ]

    action = add_gap_action(
        actor=gp,
        return_id=r.pk,
        expected_version=1,
        standard_id=gap.standard_id,
        action="Train the reception staff",
        owner="Practice manager",
        due_on=datetime.date(2026, 9, 30),
    )
    submitted = save_answers(actor=gp, return_id=r.pk, expected_version=2, answers=answers, submit=True)

    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.submitted_by == gp
    entry = AccessLogEntry.objects.get(action="submit_section11_return")
    assert (entry.user_id, entry.record_type, entry.record_id) == (
        gp.pk,
        "quality.section11return",
        str(r.pk),
    )
    # The plan is kept up after submitting.
    set_gap_action_status(actor=gp, gap_action_id=action.pk, expected_version=3, status=GapActionStatus.DONE)
    action.refresh_from_db()
    assert action.status == GapActionStatus.DONE


def test_a_submitted_return_no_longer_changes() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    gp = persona("gp")
    save_answers(
        actor=gp, return_id=r.pk, expected_version=1, answers=all_answers(r, Rating.FULLY_MET), submit=True
    )

    with pytest.raises(ValidationError):
        save_answers(
            actor=gp, return_id=r.pk, expected_version=2, answers=all_answers(r, Rating.NOT_MET), submit=False
        )
    assert set(r.answers.values_list("rating", flat=True)) == {Rating.FULLY_MET}


def test_a_stale_return_is_refused() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    gp = persona("gp")
    save_answers(
        actor=gp, return_id=r.pk, expected_version=1, answers=all_answers(r, Rating.MOSTLY_MET), submit=False
    )

    with pytest.raises(EditConflict):
        save_answers(
            actor=gp, return_id=r.pk, expected_version=1, answers=all_answers(r, Rating.NOT_MET), submit=False
        )
    assert set(r.answers.values_list("rating", flat=True)) == {Rating.MOSTLY_MET}


def test_an_action_given_with_the_answer_closes_the_gap_in_one_save() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    gp = persona("gp")
    answers = all_answers(r, Rating.FULLY_MET)
    gap = answers[0]
    answers[0] = AnswerInput(
        gap.standard_id,
        Rating.NOT_MET,
        "No board report yet",
        action="Report to the partners' meeting",
        owner="Senior partner",
        due_on=datetime.date(2026, 10, 1),
    )

    submitted = save_answers(actor=gp, return_id=r.pk, expected_version=1, answers=answers, submit=True)

    assert submitted.status == ReturnStatus.SUBMITTED
    action = r.answers.get(standard_id=gap.standard_id).actions.get()
    assert (action.owner, action.due_on, action.added_by) == (
        "Senior partner",
        datetime.date(2026, 10, 1),
        gp,
    )
    assert AccessLogEntry.objects.get(action="submit_section11_return").detail == {"actions_added": 1}


def test_half_an_action_is_refused_in_words() -> None:
    round_ = sent_round("gp")
    r = return_of(round_, "gp")
    answers = all_answers(r, Rating.PARTLY_MET)
    answers[1] = AnswerInput(answers[1].standard_id, Rating.PARTLY_MET, "Some", action="Train staff")

    with pytest.raises(ValidationError) as error:
        save_answers(actor=persona("gp"), return_id=r.pk, expected_version=1, answers=answers, submit=False)

    sid = answers[1].standard_id
    assert error.value.message_dict == {
        f"owner_{sid}": ["Enter who owns the action for standard 2"],
        f"due_on_{sid}": ["Enter the date the action for standard 2 is due"],
    }
