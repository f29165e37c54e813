"""The flag check (issue 5, item 3): every answer, the NHS-number and name paths, what is
kept, logged, disclosed and told, and what an uncertain match never shows."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from jigsaw.access.models import AccessLogEntry, AccessLogSubject
from jigsaw.access.roles import Role
from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.partners.actions.flags import check_flag
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    FlagAnswer,
    FlagCheck,
    LegalBasis,
    Notification,
    Practitioner,
)
from jigsaw.people.models import BirthDatePrecision, Person
from tests.casework_factories import make_referral
from tests.factories import make_agency, make_person, make_team, make_user, persona, restrict
from tests.worklist_factories import make_cp_plan, make_looked_after

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# 14:02 in London on the day of the checks (GMT in November, so also 14:02 UTC).
NOW = datetime.datetime(2026, 11, 23, 14, 2, tzinfo=LONDON)
NHS = "9434765919"
OTHER_NHS = "9434765870"
REASON = "Brought in with a head injury; explanation does not fit"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinician() -> User:
    """An A&E clinician at St Mary's Hospital (a partner practitioner)."""
    hospital = make_agency("St Mary's Hospital", AgencyKind.ACUTE_HEALTH)
    user = make_user("ae_clinician", first_name="Asha", last_name="Patel")
    Practitioner.objects.create(
        user=user,
        full_name="Dr Asha Patel",
        agency=hospital,
        role=Role.PARTNER_PRACTITIONER,
        job_title="Emergency medicine registrar",
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def numbers() -> None:
    """The numbers partners are given: the team's and children's social care's out of hours."""
    csc = make_agency()
    Agency.objects.filter(pk=csc.pk).update(phone="01632 960100", out_of_hours_phone="01632 960999")
    team = make_team(csc)
    team.phone = "01632 960200"
    team.save()


@pytest.fixture
def worker() -> User:
    """The allocated social worker, Sam Smith of Assessment Team 1."""
    user = persona("social_worker")
    Practitioner.objects.filter(user=user).update(
        full_name="Sam Smith", phone="01632 960000", secure_email="sam.smith@csc.example.gov.uk"
    )
    user.refresh_from_db()
    return user


def _child_on_plan(worker: User, **fields: object) -> Person:
    values: dict[str, object] = {
        "given_names": "Victoria",
        "family_name": "Adjo",
        "date_of_birth": datetime.date(2018, 11, 2),
        "nhs_number": NHS,
    }
    values.update(fields)
    child = make_person(**values)
    referral = make_referral(child, worker=worker, referred_on=datetime.date(2026, 1, 5))
    make_cp_plan(referral, started_on=datetime.date(2026, 3, 3), category="PHY")
    return child


def _ask(actor: User, **given: object) -> FlagCheck:
    values: dict[str, object] = {"reason": REASON, "where_seen": "St Mary's A&E"}
    values.update(given)
    return check_flag(actor=actor, **values)  # type: ignore[arg-type]


# --- Every answer --------------------------------------------------------------------------


def test_nhs_number_of_a_child_on_a_plan_answers_the_plan_and_keeps_logs_discloses_and_tells(
    clinician: User,
    worker: User,
    numbers: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    mailoutbox: list[EmailMessage],
) -> None:
    child = _child_on_plan(worker)

    with django_capture_on_commit_callbacks(execute=True):
        check = _ask(clinician, nhs_number="943 476 5919")

    check.refresh_from_db()
    assert check.answer == FlagAnswer.CHILD_PROTECTION_PLAN
    assert check.person_id == child.pk
    assert check.nhs_number == NHS
    assert check.asked_by_id == clinician.pk
    assert check.agency.name == "St Mary's Hospital"
    assert check.asked_at == NOW
    assert check.reason == REASON
    # Logged, with the child as the subject, in the same transaction.
    entry = AccessLogEntry.objects.get(action="flag_check", record_id=str(check.pk))
    assert entry.user_id == clinician.pk
    assert entry.record_type == "partners.flagcheck"
    assert entry.reason == REASON
    assert entry.detail["answer"] == "cp_plan"
    assert entry.detail["matched_by"] == "nhs_number"
    assert AccessLogSubject.objects.filter(
        entry=entry, record_type="people.person", record_id=str(child.pk)
    ).exists()
    # The disclosure.
    disclosure = Disclosure.objects.get(person=child)
    assert disclosure.kind == DisclosureKind.FLAG_ANSWER
    assert disclosure.recipient_id == clinician.pk
    assert disclosure.recipient_agency.name == "St Mary's Hospital"
    assert disclosure.purpose == REASON
    assert disclosure.legal_basis == LegalBasis.PUBLIC_TASK
    assert disclosure.consent == ConsentStatus.NOT_NEEDED
    assert disclosure.disclosed_at == NOW
    assert (disclosure.source_type, disclosure.source_id) == ("partners.flagcheck", str(check.pk))
    # The worker is told at once.
    note = Notification.objects.get(recipient=worker)
    assert note.subject == "Flag check: Victoria Adjo seen at St Mary's A&E"
    assert note.body == f"Seen at St Mary's A&E at 14:02 by Dr Asha Patel, St Mary's Hospital: {REASON}"
    assert note.link == reverse("people:detail", args=[child.pk])
    assert Notification.objects.count() == 1
    # And by e-mail, which says only that there is something to see.
    assert [m.to for m in mailoutbox] == [["sam.smith@csc.example.gov.uk"]]
    assert "Adjo" not in f"{mailoutbox[0].subject} {mailoutbox[0].body}"


def test_the_answer_page_says_only_the_flag_since_when_and_who_to_call(
    clinician: User, worker: User, numbers: None
) -> None:
    child = _child_on_plan(worker)
    child.given_names = "Victoria Anna"
    child.save()
    check = _ask(clinician, nhs_number=NHS)
    client = Client()
    client.force_login(clinician)

    page = client.get(reverse("partners:flag_answer", args=[check.pk]))

    body = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert "On a child protection plan since 3 March 2026" in body
    assert "Call Sam Smith, Assessment Team 1, 01632 960000; out of hours 01632 960999." in body
    assert "01632 960200" in body  # the team's office-hours number
    # Not the child's record: no other names, no category of abuse, no Jigsaw ID link.
    assert "Anna" not in body
    assert "Physical" not in body and "PHY" not in body
    assert f"/people/{child.pk}" not in body
    # Reading the answer again is logged as a read of the child's flag.
    entry = AccessLogEntry.objects.filter(action="view_flag_answer").get()
    assert AccessLogSubject.objects.filter(entry=entry, record_id=str(child.pk)).exists()


def test_the_answer_reads_as_it_was_given_after_the_plan_ends(
    clinician: User, worker: User, numbers: None, frozen: time_machine.Traveller
) -> None:
    child = _child_on_plan(worker)
    check = _ask(clinician, nhs_number=NHS)
    frozen.shift(datetime.timedelta(days=2))
    ChildProtectionPlan.objects.filter(person=child).update(
        ended_on=datetime.date(2026, 11, 24), end_reason="not_at_risk"
    )
    client = Client()
    client.force_login(clinician)

    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()

    assert "On a child protection plan since 3 March 2026" in body


def test_name_and_date_of_birth_of_a_looked_after_child_answers_looked_after(
    clinician: User, worker: User, numbers: None
) -> None:
    child = make_person(given_names="Keanu", family_name="Williams", date_of_birth=datetime.date(2016, 6, 14))
    referral = make_referral(child, worker=worker, referred_on=datetime.date(2025, 9, 1))
    make_looked_after(referral)

    check = _ask(
        clinician, given_name="Keanu", family_name="Williams", date_of_birth=datetime.date(2016, 6, 14)
    )

    assert check.answer == FlagAnswer.LOOKED_AFTER
    assert check.person_id == child.pk
    assert check.probability is not None and check.probability >= 0.999
    assert AccessLogEntry.objects.get(action="flag_check").detail["matched_by"] == "name_and_date_of_birth"
    assert Disclosure.objects.filter(person=child, kind=DisclosureKind.FLAG_ANSWER).count() == 1
    page = Client()
    page.force_login(clinician)
    assert (
        "Looked after since 1 September 2025"
        in page.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    )


def test_an_unborn_child_with_a_plan_answers_pre_birth_plan(
    clinician: User, worker: User, numbers: None
) -> None:
    due = datetime.date(2027, 2, 10)
    unborn = make_person(
        given_names="",
        family_name="Baby Okafor",
        date_of_birth=due,
        birth_date_precision=BirthDatePrecision.EXPECTED,
        nhs_number=NHS,
    )
    referral = make_referral(unborn, worker=worker, referred_on=datetime.date(2026, 9, 1))
    make_cp_plan(referral, started_on=datetime.date(2026, 10, 20))

    check = _ask(clinician, nhs_number=NHS, where_seen="St Mary's maternity unit")

    assert check.answer == FlagAnswer.PRE_BIRTH_PLAN
    client = Client()
    client.force_login(clinician)
    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    assert "Unborn, with a pre-birth child protection plan since 20 October 2026" in body


def test_a_known_child_with_no_plan_is_not_known_to_have_one_and_nobody_is_told(
    clinician: User, worker: User, numbers: None
) -> None:
    child = make_person(given_names="Ellie", family_name="Hart", nhs_number=NHS)
    closed = make_referral(child, worker=worker, referred_on=datetime.date(2025, 1, 6))
    plan = make_cp_plan(closed, started_on=datetime.date(2025, 2, 1))
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(
        ended_on=datetime.date(2025, 8, 1), end_reason="not_at_risk"
    )

    check = _ask(clinician, nhs_number=NHS)

    assert check.answer == FlagAnswer.NO_FLAG
    assert check.person_id == child.pk  # kept for the log, never shown
    assert not Disclosure.objects.exists()
    assert not Notification.objects.exists()
    client = Client()
    client.force_login(clinician)
    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    assert "Not known to be on a child protection plan or looked after" in body
    assert "This does not mean the child is safe." in body
    assert "call the front door on 01632 960100 (out of hours 01632 960999)" in body


def test_an_nhs_number_nobody_holds_is_not_known(clinician: User, numbers: None) -> None:
    make_person(nhs_number=NHS)

    check = _ask(clinician, nhs_number=OTHER_NHS)

    assert check.answer == FlagAnswer.NO_FLAG
    assert check.person is None
    entry = AccessLogEntry.objects.get(action="flag_check")
    assert entry.detail["answer"] == "no_flag"
    assert not AccessLogSubject.objects.filter(entry=entry).exclude(record_type="partners.flagcheck").exists()


def test_a_merged_record_answers_for_the_survivor(clinician: User, worker: User, numbers: None) -> None:
    survivor = _child_on_plan(worker, nhs_number="")
    alias = make_person(given_names="Victoria", family_name="Adjo", nhs_number=NHS)
    Person.objects.filter(pk=alias.pk).update(merged_into=survivor)

    check = _ask(clinician, nhs_number=NHS)

    assert check.answer == FlagAnswer.CHILD_PROTECTION_PLAN
    assert check.person_id == survivor.pk


# --- Uncertain matches: cannot confirm, and nothing of any candidate -------------------------


def _assert_nothing_of(body: str, *people: Person) -> None:
    for person in people:
        assert person.family_name not in body
        assert person.given_names not in body
        assert f"/people/{person.pk}" not in body
    assert "since" not in body
    assert "Sam Smith" not in body


def test_an_nhs_number_held_by_two_people_cannot_confirm(
    clinician: User, worker: User, numbers: None
) -> None:
    one = _child_on_plan(worker)
    two = make_person(given_names="Vicky", family_name="Adjoa", nhs_number=NHS)

    check = _ask(clinician, nhs_number=NHS)

    assert check.answer == FlagAnswer.CANNOT_CONFIRM
    assert check.person is None
    assert not Disclosure.objects.exists()
    assert not Notification.objects.exists()
    client = Client()
    client.force_login(clinician)
    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    assert "Cannot confirm — call the front door" in body
    assert "01632 960100" in body and "01632 960999" in body
    _assert_nothing_of(body, one, two)


def test_an_nhs_number_with_another_date_of_birth_cannot_confirm(
    clinician: User, worker: User, numbers: None
) -> None:
    child = _child_on_plan(worker)

    check = _ask(clinician, nhs_number=NHS, date_of_birth=datetime.date(2018, 11, 3))

    assert check.answer == FlagAnswer.CANNOT_CONFIRM
    assert check.person is None
    assert not Disclosure.objects.filter(person=child).exists()


def test_a_possible_twin_cannot_confirm_and_the_response_names_neither(
    clinician: User, worker: User, numbers: None
) -> None:
    born = datetime.date(2019, 4, 9)
    lee = _child_on_plan(worker, given_names="Lee", family_name="Brennan", date_of_birth=born, nhs_number="")
    leo = make_person(given_names="Leo", family_name="Brennan", date_of_birth=born)
    client = Client()
    client.force_login(clinician)

    response = client.post(
        reverse("partners:flag_check"),
        {
            "reason": REASON,
            "where_seen": "St Mary's A&E",
            "given_name": "Lea",
            "family_name": "Brennan",
            "date_of_birth_day": "9",
            "date_of_birth_month": "4",
            "date_of_birth_year": "2019",
        },
        follow=True,
    )

    check = FlagCheck.objects.get()
    assert check.answer == FlagAnswer.CANNOT_CONFIRM
    assert check.person is None
    body = response.content.decode()
    assert "Cannot confirm — call the front door" in body
    # The asker's own words are shown back to them ("Lea Brennan"), nothing of Lee or Leo.
    assert "Lee" not in body and "Leo" not in body
    assert f"/people/{lee.pk}" not in body and f"/people/{leo.pk}" not in body
    assert "since" not in body
    assert not Notification.objects.exists()
    assert not Disclosure.objects.exists()


def test_a_restricted_child_on_a_plan_cannot_confirm_but_their_worker_is_told(
    clinician: User,
    worker: User,
    numbers: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    child = _child_on_plan(worker)
    restrict(child)

    with django_capture_on_commit_callbacks(execute=True):
        check = _ask(clinician, nhs_number=NHS)

    # Safer: a restricted record's existence is confirmed to nobody outside its named users;
    # the front door, who may break glass, answers by phone.
    assert check.answer == FlagAnswer.CANNOT_CONFIRM
    assert check.person_id == child.pk  # for the data protection officer, never shown
    assert not Disclosure.objects.exists()
    entry = AccessLogEntry.objects.get(action="flag_check")
    assert entry.detail["answer"] == "cannot_confirm" and entry.detail["restricted"] is True
    assert Notification.objects.filter(recipient=worker).count() == 1
    client = Client()
    client.force_login(clinician)
    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    assert "Cannot confirm — call the front door" in body
    _assert_nothing_of(body, child)


# --- Who is told ------------------------------------------------------------------------------


def test_without_an_allocated_worker_the_teams_managers_are_told(
    clinician: User, numbers: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    manager = persona("team_manager")
    child = make_person(nhs_number=NHS)
    referral = make_referral(child, worker=None)
    make_cp_plan(referral, started_on=datetime.date(2026, 3, 3))

    with django_capture_on_commit_callbacks(execute=True):
        check = _ask(clinician, nhs_number=NHS)

    assert check.answer == FlagAnswer.CHILD_PROTECTION_PLAN
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [manager.pk]
    client = Client()
    client.force_login(clinician)
    body = client.get(reverse("partners:flag_answer", args=[check.pk])).content.decode()
    assert "Call Assessment Team 1, 01632 960200; out of hours 01632 960999." in body


def test_without_a_team_the_front_doors_managers_are_told(
    clinician: User, numbers: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    persona("front_door_officer")  # works in the persona team, Assessment Team 1
    manager = persona("team_manager")
    child = make_person(nhs_number=NHS)
    referral = make_referral(child, worker=None)
    Referral.objects.filter(pk=referral.pk).update(team=None)
    make_cp_plan(referral, started_on=datetime.date(2026, 3, 3))

    with django_capture_on_commit_callbacks(execute=True):
        _ask(clinician, nhs_number=NHS)

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [manager.pk]


# --- Rate limits ------------------------------------------------------------------------------


def test_checks_over_the_hourly_limit_are_refused_kept_and_logged(
    clinician: User, numbers: None, settings: Settings, frozen: time_machine.Traveller
) -> None:
    settings.JIGSAW_FLAG_CHECKS_PER_HOUR = 3
    settings.JIGSAW_FLAG_CHECKS_PER_DAY = 5
    child = make_person(nhs_number=NHS)
    for _ in range(3):
        assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.NO_FLAG

    refused = _ask(clinician, nhs_number=NHS)

    assert refused.answer == FlagAnswer.REFUSED
    assert refused.person is None  # nothing was matched
    entry = AccessLogEntry.objects.get(action="flag_check_refused")
    assert entry.user_id == clinician.pk
    assert entry.record_id == str(refused.pk)
    assert entry.detail == {"answer": "refused", "per_hour": 3, "per_day": 5}
    assert not AccessLogSubject.objects.filter(entry=entry, record_type="people.person").exists()
    assert FlagCheck.objects.filter(asked_by=clinician).count() == 4
    # An hour after the first check, one may be asked again; refusals do not count.
    frozen.shift(datetime.timedelta(hours=1, seconds=1))
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.NO_FLAG
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.NO_FLAG
    # Five answered in 24 hours: the day's limit holds though the hour has room.
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.REFUSED
    frozen.shift(datetime.timedelta(hours=23))
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.NO_FLAG
    assert child.pk is not None


def test_one_users_limit_does_not_touch_anothers(clinician: User, settings: Settings) -> None:
    settings.JIGSAW_FLAG_CHECKS_PER_HOUR = 1
    gp = persona("gp")
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.NO_FLAG
    assert _ask(clinician, nhs_number=NHS).answer == FlagAnswer.REFUSED
    assert _ask(gp, nhs_number=NHS).answer == FlagAnswer.NO_FLAG


# --- Bad input and who may ask ----------------------------------------------------------------


def test_bad_input_gets_clear_messages_and_keeps_nothing(clinician: User) -> None:
    with pytest.raises(ValidationError) as error:
        _ask(clinician, reason="  ", where_seen="", given_name="Anna")
    assert error.value.message_dict == {
        "reason": ["Enter why you are checking, for example: child brought to A&E with a head injury"],
        "where_seen": ["Enter where you saw the child, for example: St Mary's A&E"],
        "family_name": ["Enter the child's last name, or give their NHS number instead"],
        "date_of_birth": ["Enter the child's date of birth, or give their NHS number instead"],
    }
    with pytest.raises(ValidationError) as error:
        _ask(clinician, nhs_number="943 476 5918", postcode="NOT A CODE")
    assert error.value.message_dict == {
        "nhs_number": ["Enter a valid NHS number: 10 digits, like 943 476 5919"],
        "postcode": ["Enter a real postcode, like SW1A 1AA, or leave it blank"],
    }
    assert not FlagCheck.objects.exists()
    assert not AccessLogEntry.objects.filter(action__startswith="flag_check").exists()


@pytest.mark.parametrize(
    "who", ["social_worker", "team_manager", "front_door_officer", "data_protection_officer"]
)
def test_only_partner_practitioners_may_ask(who: str) -> None:
    with pytest.raises(PermissionDenied):
        _ask(persona(who), nhs_number=NHS)
    assert not FlagCheck.objects.exists()


# --- The pages --------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_where_the_asker_works_and_shows_errors(clinician: User) -> None:
    client = Client()
    client.force_login(clinician)

    page = client.get(reverse("partners:flag_check"))
    assert 'value="St Mary&#x27;s Hospital"' in page.content.decode()

    response = client.post(reverse("partners:flag_check"), {"reason": "", "where_seen": "St Mary's A&E"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert '<a href="#id_reason">Enter why you are checking' in body
    assert (
        '<a href="#id_given_name">Enter the child&#x27;s first name, or give their NHS number instead' in body
    )
    assert '<a href="#id_date_of_birth_0">' in body
    assert not FlagCheck.objects.exists()


def test_an_empty_form_shows_every_problem_at_once(clinician: User) -> None:
    client = Client()
    client.force_login(clinician)

    body = client.post(reverse("partners:flag_check"), {}).content.decode().replace("&#x27;", "'")

    for message in [
        "Enter why you are checking, for example: child brought to A&amp;E with a head injury",
        "Enter where you saw the child, for example: St Mary's A&amp;E",
        "Enter the child's first name, or give their NHS number instead",
        "Enter the child's last name, or give their NHS number instead",
        "Enter the child's date of birth, or give their NHS number instead",
    ]:
        assert message in body
    assert not FlagCheck.objects.exists()
    too_long = client.post(reverse("partners:flag_check"), {"reason": "x" * 1001, "nhs_number": NHS})
    assert "The reason must be 1000 characters or fewer" in too_long.content.decode()


def test_a_check_goes_to_its_answer_and_another_partner_cannot_open_it(
    clinician: User, worker: User, numbers: None
) -> None:
    _child_on_plan(worker)
    client = Client()
    client.force_login(clinician)

    response = client.post(
        reverse("partners:flag_check"),
        {"reason": REASON, "where_seen": "St Mary's A&E", "nhs_number": "943 476 5919"},
    )

    check = FlagCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:flag_answer", args=[check.pk])
    other = Client()
    other.force_login(persona("gp"))
    assert other.get(reverse("partners:flag_answer", args=[check.pk])).status_code == 404


def test_your_recent_checks_lists_only_your_own_in_your_words(
    clinician: User, worker: User, numbers: None
) -> None:
    child = _child_on_plan(worker)
    _ask(clinician, nhs_number=NHS)
    _ask(clinician, given_name="Nobody", family_name="Known", date_of_birth=datetime.date(2017, 1, 1))
    _ask(persona("gp"), nhs_number=OTHER_NHS)
    client = Client()
    client.force_login(clinician)

    body = client.get(reverse("partners:flag_checks")).content.decode()

    assert "NHS number 943 476 5919" in body
    assert "On a child protection plan" in body
    assert "Nobody Known, born 1 Jan 2017" in body
    assert "Not known to be on a plan or looked after" in body
    assert "943 476 5870" not in body
    entry = AccessLogEntry.objects.get(action="view_flag_checks")
    assert list(AccessLogSubject.objects.filter(entry=entry).values_list("record_id", flat=True)) == [
        str(child.pk)
    ]


def test_the_home_page_links_partners_to_the_flag_check(clinician: User) -> None:
    client = Client()
    client.force_login(clinician)
    assert reverse("partners:flag_check") in client.get(reverse("home")).content.decode()
    client.force_login(persona("social_worker"))
    assert reverse("partners:flag_check") not in client.get(reverse("home")).content.decode()


def test_the_data_protection_officer_sees_who_was_refused_from_the_access_log(
    clinician: User, settings: Settings
) -> None:
    settings.JIGSAW_FLAG_CHECKS_PER_HOUR = 1
    _ask(clinician, nhs_number=NHS)
    _ask(clinician, nhs_number=NHS, reason="Checking a few children from the news")
    client = Client()
    client.force_login(persona("data_protection_officer"))

    assert reverse("partners:flag_refusals") in client.get(reverse("home")).content.decode()
    body = client.get(reverse("partners:flag_refusals")).content.decode().replace("&#x27;", "'")

    assert "Dr Asha Patel" in body
    assert "St Mary's Hospital" in body
    assert "Checking a few children from the news" in body
    assert REASON not in body  # the answered check is not a refusal
