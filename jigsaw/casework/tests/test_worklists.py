from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from time_machine import travel

from jigsaw.access.log import record_access, verify_chain
from jigsaw.access.models import AccessLogEntry, AccessLogSubject
from jigsaw.access.roles import Role
from jigsaw.casework.models import Allocation, Referral
from jigsaw.casework.queries.worklists import my_work, team_work
from jigsaw.partners.models import Notification
from jigsaw.people.models import BirthDatePrecision, Person, age_on
from jigsaw.workforce.models import CaseKind, CaseloadWeight
from tests.casework_factories import make_contact, make_referral
from tests.factories import make_person, persona, restrict
from tests.worklist_factories import (
    hold_initial_conference,
    make_assessment,
    make_cin_plan,
    make_cp_plan,
    make_early_help,
    make_looked_after,
    make_section47,
    make_team_workload,
    make_worker,
    other_team,
)

pytestmark = pytest.mark.django_db

LONDON = datetime.timezone(datetime.timedelta(0))
# A Wednesday: "due this week" runs to Tuesday 1 December.
WEDNESDAY = datetime.datetime(2026, 11, 25, 9, tzinfo=LONDON)
TODAY = datetime.date(2026, 11, 25)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@travel(WEDNESDAY, tick=False)
def test_each_case_counts_by_its_kind_now(team_manager: User, social_worker: User) -> None:
    assessment = make_referral(worker=social_worker)
    cin = make_referral(worker=social_worker)
    make_cin_plan(cin)
    cp = make_referral(worker=social_worker)
    make_cp_plan(cp, category="EMO")
    looked_after = make_referral(worker=social_worker)
    make_looked_after(looked_after)
    cp_and_looked_after = make_referral(worker=social_worker)
    make_cin_plan(cp_and_looked_after)
    make_looked_after(cp_and_looked_after)
    make_cp_plan(cp_and_looked_after, category="PHY")
    make_early_help(social_worker)

    cases = {c.referral.pk: c for c in my_work(social_worker, today=TODAY).cases}
    assert cases[assessment.pk].kind == CaseKind.ASSESSMENT
    assert cases[cin.pk].kind == CaseKind.CHILD_IN_NEED
    assert (cases[cp.pk].kind, cases[cp.pk].stage) == (
        CaseKind.CHILD_PROTECTION,
        "Child protection: Emotional abuse",
    )
    assert cases[looked_after.pk].kind == CaseKind.LOOKED_AFTER
    assert cases[cp_and_looked_after.pk].stage == "Child protection: Physical abuse"

    row = next(r for r in team_work(team_manager, today=TODAY).caseloads if r.worker == social_worker)
    # 1.0 + 1.0 + 1.5 + 1.5 + 1.5 for the episodes, and 0.5 for leading early help.
    assert (row.cases, row.early_help, row.weighted) == (5, 1, Decimal("7.00"))

    CaseloadWeight.objects.filter(kind=CaseKind.CHILD_PROTECTION).update(weight=Decimal("2.25"))
    row = next(r for r in team_work(team_manager, today=TODAY).caseloads if r.worker == social_worker)
    assert row.weighted == Decimal("8.50")


@travel(WEDNESDAY, tick=False)
def test_closed_and_ended_work_does_not_count(team_manager: User, social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=days(-200))
    plan = make_cp_plan(referral, next_visit_due=days(-3))
    plan.ended_on, plan.end_reason = days(-10), "not_at_risk"
    plan.save()
    make_referral(worker=social_worker, referred_on=days(-300), closed_on=days(-100), closure_reason="RC8")

    work = my_work(social_worker, today=TODAY)

    assert [c.referral.pk for c in work.cases] == [referral.pk]
    assert work.cases[0].kind == CaseKind.ASSESSMENT
    assert work.overdue == []
    row = next(r for r in team_work(team_manager, today=TODAY).caseloads if r.worker == social_worker)
    assert (row.cases, row.weighted) == (1, Decimal("1.00"))


@travel(WEDNESDAY, tick=False)
def test_due_in_the_next_7_days_and_overdue(social_worker: User) -> None:
    referral = make_referral(worker=social_worker, referred_on=days(-40))
    make_assessment(referral, due_on=days(-1))
    make_cp_plan(referral, next_review_due=days(7), next_core_group_due=days(6), next_visit_due=days(0))
    make_cin_plan(make_referral(worker=social_worker), next_review_due=days(3))
    done = make_referral(worker=social_worker)
    make_assessment(done, due_on=days(-5), completed_on=days(-6))
    make_assessment(make_referral(worker=make_worker()), due_on=days(-9))  # someone else's

    work = my_work(social_worker, today=TODAY)

    assert [(i.what, i.due) for i in work.overdue] == [("Assessment due", days(-1))]
    assert work.overdue[0].days_overdue == 1
    assert [(i.what, i.due) for i in work.due_soon] == [
        ("Statutory visit due", days(0)),
        ("Child in need review due", days(3)),
        ("Core group due", days(6)),
    ]
    assert work.week_ends == datetime.date(2026, 12, 1)
    first = next(c for c in work.cases if c.referral.pk == referral.pk)
    assert first.next_due is not None
    assert (first.next_due.what, first.overdue_count) == ("Assessment due", 1)
    # The next thing due comes first; a child with nothing dated comes last.
    assert work.cases[0].referral.pk == referral.pk
    assert work.cases[-1].referral.pk == done.pk


@travel(WEDNESDAY, tick=False)
def test_a_section_47_is_due_until_its_conference_is_held(social_worker: User) -> None:
    waiting = make_section47(make_referral(worker=social_worker), conference_due_on=days(-2))
    held = make_section47(make_referral(worker=social_worker), conference_due_on=days(-2))
    hold_initial_conference(held, on=days(-3))
    make_section47(
        make_referral(worker=social_worker), conference_due_on=days(-2), outcome="not_substantiated"
    )

    work = my_work(social_worker, today=TODAY)

    assert [(i.referral.pk if i.referral else None, i.what) for i in work.overdue] == [
        (waiting.referral_id, "Initial child protection conference due")
    ]


@travel(WEDNESDAY, tick=False)
def test_new_alerts_are_the_unread_ones_newest_first(social_worker: User) -> None:
    older = Notification.objects.create(recipient=social_worker, subject="Older")
    newer = Notification.objects.create(recipient=social_worker, subject="Newer")
    Notification.objects.create(recipient=social_worker, subject="Read", read_at=timezone.now())
    Notification.objects.create(recipient=persona("team_manager"), subject="Someone else's")

    work = my_work(social_worker, today=TODAY)

    assert work.alerts == [newer, older]
    assert work.unread == 2


def test_the_unallocated_list_says_how_long_each_has_waited(team_manager: User, social_worker: User) -> None:
    with travel(datetime.datetime(2026, 11, 20, 9, tzinfo=LONDON), tick=False):
        waiting = make_referral(referred_on=datetime.date(2026, 11, 19))
        moved_off = make_referral(worker=social_worker)
    with travel(datetime.datetime(2026, 11, 24, 9, tzinfo=LONDON), tick=False):
        Allocation.objects.filter(referral=moved_off).update(ended_at=timezone.now())
        Referral.objects.filter(pk=moved_off.pk).update(allocated_worker=None)
    make_referral(team=other_team(), referred_on=datetime.date(2026, 11, 1))  # another team's
    make_referral(worker=social_worker)

    with travel(WEDNESDAY, tick=False):
        work = team_work(team_manager, today=TODAY)

    assert [(u.case.referral.pk, u.days_waiting) for u in work.unallocated] == [
        (waiting.pk, 5),
        (moved_off.pk, 1),
    ]


@travel(WEDNESDAY, tick=False)
def test_overdue_work_across_the_team(
    team_manager: User, social_worker: User, front_door_officer: User
) -> None:
    mine = make_referral(worker=social_worker, referred_on=days(-60))
    make_assessment(mine, due_on=days(-4))
    plan_child = make_referral(worker=make_worker("Sam Jones"), referred_on=days(-90))
    make_cp_plan(plan_child, next_review_due=days(-1), next_core_group_due=days(2), next_visit_due=days(-2))
    make_cin_plan(make_referral(referred_on=days(-30)), next_review_due=days(-6))
    make_section47(make_referral(worker=social_worker), conference_due_on=days(-3))
    late = make_contact(decision_due=days(-1), received_at=WEDNESDAY - datetime.timedelta(days=2))
    make_contact(decision_due=days(0))  # due today: not late yet
    elsewhere = make_worker("Lee Other", role=Role.FRONT_DOOR_OFFICER, team=other_team())
    make_contact(decision_due=days(-1), recorded_by=elsewhere)  # another team's front door
    other = make_referral(team=other_team("Disabled Children's Team"), referred_on=days(-60))
    make_assessment(other, due_on=days(-4))

    work = team_work(team_manager, today=TODAY)

    assert [(i.what, i.due) for i in work.overdue] == [
        ("Child in need review due", days(-6)),
        ("Assessment due", days(-4)),
        ("Initial child protection conference due", days(-3)),
        ("Statutory visit due", days(-2)),
        ("Front-door decision due", days(-1)),
        ("Review conference due", days(-1)),
    ]
    assert next(i for i in work.overdue if i.what == "Front-door decision due").contact_id == late.pk
    overdue = {r.name: r.overdue for r in work.caseloads}
    assert overdue["Social Worker Persona"] == 2
    assert overdue["Sam Jones"] == 2


@travel(WEDNESDAY, tick=False)
def test_items_awaiting_sign_off(team_manager: User, social_worker: User, front_door_officer: User) -> None:
    decided = make_contact(decided_by=front_door_officer, decided_at=timezone.now(), decision="assessment")
    make_contact(
        decided_by=front_door_officer,
        decided_at=timezone.now(),
        decision="nfa",
        authorised_by=team_manager,
        authorised_at=timezone.now(),
    )
    own = make_contact(decided_by=team_manager, decided_at=timezone.now(), decision="early_help")
    completed = make_referral(worker=social_worker, referred_on=days(-50))
    make_assessment(completed, due_on=days(-5), completed_on=days(-2), completed_by=social_worker)
    closing = make_referral(
        worker=social_worker,
        referred_on=days(-100),
        closure_reason="RC7",
        closure_proposed_by=social_worker,
        closure_proposed_at=timezone.now() - datetime.timedelta(days=1),
    )

    work = team_work(team_manager, today=TODAY)

    rows = [(r.what, r.child_name, r.asked_by, r.own) for r in work.sign_off]
    assert rows == [
        ("Assessment", completed.person.full_name, "Social Worker Persona", False),
        (
            "Closure: RC7 Services ceased for any other reason, including no longer in need",
            closing.person.full_name,
            "Social Worker Persona",
            False,
        ),
        (
            "Front-door decision: Referral for assessment",
            decided.person.full_name,
            "Front Door Officer Persona",
            False,
        ),
        ("Front-door decision: Early help", own.person.full_name, "Team Manager Persona", True),
    ]


@travel(WEDNESDAY, tick=False)
def test_a_restricted_child_is_left_out(team_manager: User, social_worker: User) -> None:
    hidden = make_person()
    restrict(hidden)
    make_referral(hidden)
    make_assessment(make_referral(hidden, worker=social_worker), due_on=days(-3))

    work = team_work(team_manager, today=TODAY)

    assert work.unallocated == []
    assert work.overdue == []
    assert my_work(social_worker, today=TODAY).cases == []


def test_a_manager_in_no_team_sees_an_empty_page(client: Client, team_manager: User) -> None:
    team_manager.practitioner.team = None
    team_manager.practitioner.save()
    client.force_login(team_manager)

    page = client.get(reverse("casework:team")).content.decode()

    assert "You are not in a team" in page


@travel(WEDNESDAY, tick=False)
def test_my_work_page(client: Client, social_worker: User) -> None:
    referral = make_referral(
        worker=social_worker, referred_on=days(-40), person=make_person(given_names="Victoria")
    )
    make_assessment(referral, due_on=days(-2))
    make_cp_plan(referral, category="NEG", next_visit_due=days(1))
    Notification.objects.create(recipient=social_worker, subject="Victoria has been allocated to you")
    client.force_login(social_worker)

    response = client.get(reverse("casework:my_work"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Child protection: Neglect" in page
    assert "2 days overdue" in page
    assert "Statutory visit due" in page
    assert "Victoria has been allocated to you" in page
    assert reverse("casework:referral", args=[referral.pk]) in page
    entry = AccessLogEntry.objects.get(action="view_work_list")
    assert entry.user == social_worker
    assert AccessLogSubject.objects.filter(entry=entry, record_id=str(referral.person_id)).exists()


@travel(WEDNESDAY, tick=False)
def test_team_page(client: Client, team_manager: User, social_worker: User) -> None:
    waiting = make_referral(referred_on=days(-3))
    make_referral(worker=social_worker)
    client.force_login(team_manager)

    response = client.get(reverse("casework:team"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Assessment Team 1" in page
    assert reverse("casework:allocate", args=[waiting.pk]) in page
    assert "Social Worker Persona" in page
    assert AccessLogEntry.objects.filter(action="view_team_work", user=team_manager).count() == 1


def test_a_social_worker_has_no_team_page(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    assert client.get(reverse("casework:team")).status_code == 403


def test_mark_an_alert_as_read(client: Client, social_worker: User) -> None:
    alert = Notification.objects.create(recipient=social_worker, subject="New case")
    someone_elses = Notification.objects.create(recipient=persona("team_manager"), subject="Theirs")
    client.force_login(social_worker)

    assert client.get(reverse("casework:mark_read", args=[alert.pk])).status_code == 405
    response = client.post(reverse("casework:mark_read", args=[alert.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:my_work")
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert client.post(reverse("casework:mark_read", args=[someone_elses.pk])).status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_the_home_page_leads_to_the_work_lists(
    client: Client, social_worker: User, team_manager: User
) -> None:
    make_referral(worker=social_worker)
    make_referral()
    client.force_login(social_worker)
    page = client.get("/").content.decode()
    assert "1 child allocated to you" in page
    assert reverse("casework:my_work") in page
    assert "Open the team page" not in page

    client.force_login(team_manager)
    page = client.get("/").content.decode()
    assert "1 unallocated" in page
    assert "Open the team page" in page
    # The home page names no child, so it logs no look at one.
    assert not AccessLogEntry.objects.filter(action__in=["view_work_list", "view_team_work"]).exists()


def test_a_partner_sees_no_work_list_on_the_home_page(client: Client, school_dsl: User) -> None:
    client.force_login(school_dsl)
    page = client.get("/").content.decode()
    assert "My work" not in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@travel(WEDNESDAY, tick=False)
def test_the_team_page_runs_a_fixed_number_of_queries(
    client: Client,
    team_manager: User,
    social_worker: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    workers = [social_worker, *(make_worker() for _ in range(7))]
    make_team_workload(10, workers=workers, today=TODAY)
    client.force_login(team_manager)
    few = _queries(client, reverse("casework:team"))

    make_team_workload(290, workers=workers, today=TODAY)
    assert Referral.objects.filter(closed_on__isnull=True).count() == 300
    with django_assert_max_num_queries(few):
        response = client.get(reverse("casework:team"))
    assert response.status_code == 200
    assert "Unallocated (13)" in response.content.decode()


@travel(WEDNESDAY, tick=False)
def test_my_work_runs_a_fixed_number_of_queries(
    client: Client, social_worker: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    make_team_workload(6, workers=[social_worker], today=TODAY, unallocated_every=0)
    client.force_login(social_worker)
    few = _queries(client, reverse("casework:my_work"))

    make_team_workload(294, workers=[social_worker], today=TODAY, unallocated_every=0)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("casework:my_work"))
    assert "My children (300)" in response.content.decode()


@pytest.mark.parametrize(
    ("born", "precision", "died", "age"),
    [
        (datetime.date(2016, 11, 25), BirthDatePrecision.EXACT, None, 10),  # birthday today
        (datetime.date(2016, 11, 26), BirthDatePrecision.EXACT, None, 9),  # birthday tomorrow
        (datetime.date(2012, 2, 29), BirthDatePrecision.ESTIMATED, None, 14),
        (datetime.date(2010, 1, 1), BirthDatePrecision.EXACT, datetime.date(2020, 6, 1), 10),
        (datetime.date(2027, 2, 1), BirthDatePrecision.EXPECTED, None, None),
        (None, BirthDatePrecision.EXACT, None, None),
    ],
)
def test_a_childs_age_from_a_row_is_their_age_on_their_record(
    born: datetime.date | None, precision: str, died: datetime.date | None, age: int | None
) -> None:
    person = Person(date_of_birth=born, birth_date_precision=precision, date_of_death=died)
    unborn = precision == BirthDatePrecision.EXPECTED
    assert age_on(TODAY, born=born, unborn=unborn, died=died) == person.age_on(TODAY) == age


@travel(WEDNESDAY, tick=False)
def test_the_team_page_logs_every_child_it_names(
    client: Client, team_manager: User, social_worker: User, front_door_officer: User
) -> None:
    unallocated = make_referral(referred_on=days(-3))
    overdue = make_referral(worker=social_worker, referred_on=days(-70))
    make_assessment(overdue, due_on=days(-5))
    late = make_contact(decision_due=days(-2), received_at=WEDNESDAY - datetime.timedelta(days=3))
    decided = make_contact(decided_by=front_door_officer, decided_at=timezone.now(), decision="nfa")
    completed = make_referral(worker=social_worker, referred_on=days(-50))
    make_assessment(completed, due_on=days(5), completed_on=days(-1), completed_by=social_worker)
    make_referral(worker=social_worker)  # nothing due: counted in the caseloads, not named
    client.force_login(team_manager)

    page = client.get(reverse("casework:team")).content.decode()

    named = [unallocated.person, overdue.person, late.person, decided.person, completed.person]
    for person in named:
        assert person.full_name in page
    entry = AccessLogEntry.objects.get(action="view_team_work")
    subjects = [f"people.person:{p.pk}" for p in named]
    assert entry.detail["subjects"] == subjects
    assert [f"{t}:{i}" for t, i in entry.subjects.order_by("pk").values_list("record_type", "record_id")] == (
        subjects
    )
    assert list(verify_chain()) == []


def test_a_subject_named_by_its_key_is_logged_as_its_record_would_be(social_worker: User) -> None:
    people = [make_person(), make_person()]
    by_record = record_access(user=social_worker, action="view_work_list", subjects=people)
    by_key = record_access(
        user=social_worker, action="view_work_list", subjects=[("people.person", str(p.pk)) for p in people]
    )

    assert by_key.detail == by_record.detail
    rows = [
        list(AccessLogSubject.objects.filter(entry=e).order_by("pk").values_list("record_type", "record_id"))
        for e in (by_record, by_key)
    ]
    assert rows[0] == rows[1] == [("people.person", str(p.pk)) for p in people]
    assert list(verify_chain()) == []


@travel(WEDNESDAY, tick=False)
def test_my_work_rows(client: Client, social_worker: User) -> None:
    unborn = make_referral(
        make_person(
            given_names="Baby",
            date_of_birth=days(60),
            birth_date_precision=BirthDatePrecision.EXPECTED,
        ),
        worker=social_worker,
    )
    make_cin_plan(unborn, next_review_due=days(0))
    unknown = make_referral(make_person(given_names="Nobody", date_of_birth=None), worker=social_worker)
    make_assessment(unknown, due_on=days(-3))
    make_referral(make_person(given_names="Ten", date_of_birth=days(-3660)), worker=social_worker)
    client.force_login(social_worker)

    page = client.get(reverse("casework:my_work")).content.decode()

    assert '<td class="govuk-table__cell">Unborn</td>' in page
    assert '<td class="govuk-table__cell">Not known</td>' in page
    assert '<td class="govuk-table__cell">10</td>' in page
    assert "Child in need review due: 25 November 2026</td>" in page
    assert (
        '25 November 2026 <strong class="govuk-tag govuk-tag--orange">Today</strong></td>' in page
    )  # due soon
    assert (
        'Assessment due: 22 November 2026 <strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page
    )
    assert "3 days overdue" in page
    assert '<td class="govuk-table__cell">Nothing dated</td>' in page
    assert f'href="{reverse("casework:referral", args=[unborn.pk])}"' in page


@travel(WEDNESDAY, tick=False)
def test_names_on_the_work_lists_are_escaped(client: Client, team_manager: User, social_worker: User) -> None:
    referral = make_referral(
        make_person(given_names="<script>alert(1)</script>", family_name="O'Brien & Co"),
        worker=social_worker,
        referred_on=days(-40),
    )
    make_assessment(referral, due_on=days(-1))

    for user, url in [(social_worker, "casework:my_work"), (team_manager, "casework:team")]:
        client.force_login(user)
        page = client.get(reverse(url)).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; Co" in page
