"""The demo authority's casework: reproducible, at English rates, consistent, every event in
the chronology, and a demo social worker with real work to do.

One small authority (2,000 children) is seeded once for the module, inside a transaction
rolled back at the end; each test runs in its own savepoint on top of it. The promises the
work lists make (something at the front door, something to allocate and to sign off,
something overdue and due this week) are checked on many days of the year, each on casework
rewritten for a few hundred of those children inside the test's savepoint.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Count, DateField, DateTimeField, F, Q
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from time_machine import travel

from jigsaw.casework import timescales
from jigsaw.casework.models import (
    AbuseCategory,
    Allocation,
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    CaseNote,
    ChildInNeedPlan,
    ChildInNeedPlanReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    ChronologyKind,
    ConferenceInvitation,
    ConferenceKind,
    Contact,
    CoreGroupMeeting,
    EarlyHelpEpisode,
    FamilyRole,
    FrontDoorDecision,
    LookedAfterEpisode,
    Referral,
    ReferralSource,
    Section47Enquiry,
    StrategyDiscussion,
    TimescaleKey,
    Visit,
)
from jigsaw.casework.queries import front_door_queue
from jigsaw.casework.queries.worklists import my_work, team_work
from jigsaw.core.demo import CSC, reset_demo
from jigsaw.core.demo_casework import MOVE_REASONS, Clock, delete_casework, write_casework
from jigsaw.partners.models import Agency, AgencyKind, NamedProfessional, Notification, Practitioner
from jigsaw.people.models import BirthDatePrecision, Person

CHILDREN = 2000
SEED = 31
# seed_demo writes casework up to today (the people are anchored on the reference date).
TODAY = timezone.localdate()
WEEK = TODAY + datetime.timedelta(days=6)
PER_10K = 10_000 / CHILDREN
# Days the demo must keep its promises on, whatever day `seed_demo` runs: every kind of day
# of the week, bank holidays (Good Friday, Christmas Day, the Boxing Day substitute, New
# Year's Day), the days after them, and the first of a month.
PROMISE_DAYS = [
    datetime.date(2026, 11, 23),  # a Monday
    datetime.date(2026, 11, 27),  # a Friday
    datetime.date(2026, 11, 28),  # a Saturday
    datetime.date(2026, 11, 29),  # a Sunday
    datetime.date(2026, 12, 1),  # the first of a month
    datetime.date(2026, 12, 25),  # Christmas Day, a Friday
    datetime.date(2026, 12, 28),  # the Boxing Day bank holiday, a Monday
    datetime.date(2026, 12, 29),  # the day after it
    datetime.date(2027, 1, 1),  # New Year's Day, the first of a month
    datetime.date(2026, 4, 3),  # Good Friday
    datetime.date(2026, 4, 7),  # the day after Easter Monday
]
# A small authority for those days: a few hundred children, so each day takes a moment.
SMALL = 300
# The dates that may lie after today: when things are due (a conference arranged but not yet
# held is dated after today too; see `dated_after`).
DUE_FIELDS = {
    "decision_due",
    "due_on",
    "conference_due_on",
    "next_review_due",
    "next_core_group_due",
    "next_visit_due",
}


@pytest.fixture(scope="module")
def authority(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--children", str(CHILDREN), "--seed", str(SEED), "--quiet")
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("authority")]


Snapshot = tuple[dict[str, int], list[tuple[object, ...]], list[tuple[object, ...]]]


def snapshot() -> Snapshot:
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Contact,
            Referral,
            Allocation,
            Assessment,
            StrategyDiscussion,
            Section47Enquiry,
            ChildProtectionConference,
            ChildProtectionPlan,
            Visit,
            CaseNote,
            ChronologyEntry,
        )
    }
    contacts: list[tuple[object, ...]] = list(
        Contact.objects.order_by("received_at", "person__nhs_number").values_list(
            "person__nhs_number", "received_at", "source", "decision", "decided_at", "authorised_by__username"
        )[:25]
    )
    chronology: list[tuple[object, ...]] = list(
        ChronologyEntry.objects.order_by(
            "occurred_on", "occurred_at", "person__nhs_number", "kind", "summary"
        ).values_list("person__nhs_number", "occurred_on", "kind", "summary", "recorded_by__username")[:40]
    )
    return counts, contacts, chronology


def rewrite(seed: int) -> None:
    delete_casework()
    NamedProfessional.objects.all().delete()
    write_casework(seed=seed, today=TODAY)


def test_the_same_seed_gives_the_same_casework() -> None:
    # The casework alone (the demo's partners add a contact of their own on top of it).
    rewrite(SEED)
    first = snapshot()
    assert first[0]["Contact"] > 50
    rewrite(SEED)
    assert snapshot() == first
    rewrite(SEED + 1)
    assert snapshot() != first


def test_contacts_at_english_rates_and_sources() -> None:
    year = Contact.objects.filter(received_at__date__gt=TODAY - datetime.timedelta(days=365))
    assert 450 <= year.count() * PER_10K <= 700
    # Shares over all the contacts (a small authority has few), in bands about three
    # standard errors wide around England's: police 30%, schools 20%, health 15%.
    sources = Counter(Contact.objects.values_list("source", flat=True))
    total = sum(sources.values())
    assert 0.18 <= sources[ReferralSource.POLICE] / total <= 0.42
    schools = sources[ReferralSource.SCHOOLS] + sources[ReferralSource.EDUCATION_SERVICES]
    assert 0.1 <= schools / total <= 0.3
    health = sum(n for code, n in sources.items() if code.startswith("3"))
    assert 0.07 <= health / total <= 0.3
    assert len(sources) >= 12
    decided = year.exclude(decision="")
    referred = decided.filter(
        decision__in=[FrontDoorDecision.ASSESSMENT, FrontDoorDecision.STRATEGY_DISCUSSION]
    )
    assert 0.25 <= referred.count() / decided.count() <= 0.55
    # Almost all decided within the working day; a few late.
    late = decided.filter(decided_at__date__gt=F("decision_due")).count()
    assert 0 < late <= decided.count() * 0.15
    assert set(Contact.objects.values_list("consent", flat=True)) == {"given", "not_sought", "refused"}
    assert len(set(Contact.objects.values_list("urgency", flat=True))) == 3


def test_the_front_door_has_work_today() -> None:
    waiting = Contact.objects.filter(decided_at__isnull=True)
    unauthorised = Contact.objects.filter(decided_at__isnull=False, authorised_at__isnull=True)
    assert waiting.exists() and unauthorised.exists()
    # None waits long: at most 4 working days (over Christmas, that is a week).
    for received in waiting.values_list("received_at", flat=True):
        assert timescales.working_days_between(timezone.localdate(received), TODAY) <= 4, received


def test_referrals_needs_and_re_referrals() -> None:
    needs = Counter(Referral.objects.values_list("primary_need", flat=True))
    assert 0.45 <= needs["N1"] / sum(needs.values()) <= 0.75
    assert {"N2", "N4", "N5"} <= set(needs)
    window = Referral.objects.filter(referred_on__gt=TODAY - datetime.timedelta(days=365))
    dates: dict[int, list[datetime.date]] = {}
    for person, day in Referral.objects.order_by("referred_on").values_list("person_id", "referred_on"):
        dates.setdefault(person, []).append(day)
    rereferred = sum(
        1
        for person, day in window.values_list("person_id", "referred_on")
        if any(0 < (day - before).days <= 365 for before in dates[person])
    )
    assert 0.03 <= rereferred / window.count() <= 0.45


def test_assessments_mostly_on_time_and_authorised_by_someone_else() -> None:
    done = Assessment.objects.filter(completed_on__isnull=False)
    on_time = done.filter(completed_on__lte=F("due_on")).count()
    assert 0.7 <= on_time / done.count() <= 0.97
    assert 0.15 <= done.filter(outcome=AssessmentOutcome.NO_FURTHER_ACTION).count() / done.count() <= 0.5
    assert Assessment.objects.filter(completed_on__isnull=True, due_on__lt=TODAY).exists()
    assert done.filter(authorised_at__isnull=True).exists()  # awaiting sign-off
    assert not done.filter(authorised_by=F("completed_by")).exists()
    assert done.filter(seen_alone=True).exists()
    factors = Counter(f for fs in done.values_list("factors", flat=True) for f in fs)
    common = {f for f, _ in factors.most_common(6)}
    assert AssessmentFactor.DOMESTIC_ABUSE_PARENT in common
    assert AssessmentFactor.MENTAL_HEALTH_PARENT in common
    # Due 45 working days after the referral, by the policy in force.
    for a in Assessment.objects.select_related("referral")[:50]:
        assert a.due_on == timescales.due_date(TimescaleKey.ASSESSMENT, a.referral.referred_on)


def test_child_protection_at_english_rates() -> None:
    open_plans = ChildProtectionPlan.objects.filter(ended_on__isnull=True)
    assert 15 <= open_plans.count() * PER_10K <= 90
    categories = Counter(ChildProtectionPlan.objects.values_list("initial_category", flat=True))
    neglect_or_emotional = categories[AbuseCategory.NEGLECT] + categories[AbuseCategory.EMOTIONAL]
    assert neglect_or_emotional >= 0.6 * sum(categories.values())
    assert ChildProtectionPlan.objects.filter(ended_on__isnull=False).exists()
    initial = ChildProtectionConference.objects.filter(kind=ConferenceKind.INITIAL, held=True)
    in_time = initial.filter(date__lte=F("due_on")).count()
    assert in_time >= 0.5 * initial.count()
    assert ChildProtectionConference.objects.filter(kind=ConferenceKind.REVIEW, held=True).exists()
    for s47 in Section47Enquiry.objects.select_related("strategy_discussion")[:30]:
        held = s47.strategy_discussion.held_on
        assert s47.conference_due_on == timescales.due_date(TimescaleKey.INITIAL_CONFERENCE, held)
    # Siblings covered by one strategy discussion now and then.
    assert StrategyDiscussion.objects.annotate(n=Count("referrals")).filter(n__gt=1).exists()


def test_conferences_record_who_came_and_how() -> None:
    held = ConferenceInvitation.objects.filter(conference__held=True)
    kinds = set(held.exclude(agency=None).values_list("agency__kind", flat=True))
    assert {AgencyKind.POLICE, AgencyKind.GP_PRACTICE, AgencyKind.CHILDRENS_SOCIAL_CARE} <= kinds
    assert AgencyKind.SCHOOL in kinds or AgencyKind.HEALTH_VISITING in kinds
    how = set(held.values_list("attendance", flat=True))
    assert {"in_person", "video", "phone"} <= how
    assert held.filter(family_role=FamilyRole.PARENT, attendance="in_person").exists()
    assert held.filter(report_received=True).exists()


def test_unborn_children_go_to_a_pre_birth_conference() -> None:
    pre_birth = ChildProtectionConference.objects.filter(kind=ConferenceKind.PRE_BIRTH)
    assert pre_birth.exists()
    unborn = pre_birth.values_list("children__referral__person__birth_date_precision", flat=True)
    assert set(unborn) == {BirthDatePrecision.EXPECTED}


def test_children_in_need_early_help_and_looked_after() -> None:
    assert ChildInNeedPlan.objects.filter(ended_on__isnull=True).exists()
    assert ChildInNeedPlanReview.objects.exists()
    led = EarlyHelpEpisode.objects.filter(lead_professional__isnull=False)
    lead_kinds = set(led.values_list("lead_professional__agency__kind", flat=True))
    assert lead_kinds & {AgencyKind.SCHOOL, AgencyKind.HEALTH_VISITING}
    assert LookedAfterEpisode.objects.exists()
    assert set(LookedAfterEpisode.objects.values_list("legal_status", flat=True)) <= {"C1", "C2", "V2"}
    reasons = set(Referral.objects.exclude(closed_on=None).values_list("closure_reason", flat=True))
    assert {"RC7", "RC8", "RC9"} <= reasons
    closed = Referral.objects.filter(closed_on__isnull=False)
    assert not closed.filter(closure_authorised_by=F("closure_proposed_by")).exists()
    assert not closed.filter(closure_authorised_by__isnull=True).exists()


def test_dates_in_order_and_no_self_authorisation() -> None:
    assert not Contact.objects.filter(decided_at__lt=F("received_at")).exists()
    assert not Contact.objects.filter(authorised_at__lt=F("decided_at")).exists()
    assert not Contact.objects.filter(authorised_by=F("decided_by")).exists()
    assert not Assessment.objects.filter(started_on__lt=F("referral__referred_on")).exists()
    assert not Section47Enquiry.objects.filter(started_on__lt=F("referral__referred_on")).exists()
    assert not ChildProtectionPlan.objects.filter(started_on__lt=F("referral__referred_on")).exists()
    assert not ChildProtectionPlan.objects.filter(ended_on__gt=TODAY).exists()
    assert not Visit.objects.filter(visited_on__lt=F("referral__referred_on")).exists()
    assert not Visit.objects.filter(plan__isnull=False, visited_on__lt=F("plan__started_on")).exists()
    assert not Visit.objects.filter(visited_on__gt=TODAY).exists()
    assert not Visit.objects.filter(plan__ended_on__isnull=False, visited_on__gt=F("plan__ended_on")).exists()
    assert not CoreGroupMeeting.objects.filter(held_on__lt=F("plan__started_on")).exists()
    assert not Referral.objects.filter(closed_on__gt=TODAY).exists()
    assert not Allocation.objects.filter(allocated_at__date__lt=F("referral__referred_on")).exists()
    assert not ChronologyEntry.objects.filter(occurred_on__gt=TODAY).exists()
    assert not ChronologyEntry.objects.filter(recorded_at__lt=F("occurred_at")).exists()
    assert not CaseNote.objects.filter(recorded_at__lt=F("occurred_at")).exists()
    held = ChildProtectionConference.objects.filter(held=True)
    assert not held.filter(date__gt=TODAY).exists()
    assert not ChildProtectionConference.objects.filter(held=False, date__lte=TODAY).exists()


def test_plans_keep_their_clocks() -> None:
    """One open plan per child; the open plans' next core group and visit are due by the
    policy from the last one held (a visit counts if the child was seen, or if the child is
    unborn, as `record_visit` has it); ended plans have no clocks."""
    open_plans = ChildProtectionPlan.objects.filter(ended_on__isnull=True)
    assert not open_plans.values("person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not open_plans.filter(
        Q(next_review_due=None) | Q(next_core_group_due=None) | Q(next_visit_due=None)
    ).exists()
    assert not ChildProtectionPlan.objects.exclude(ended_on=None).exclude(next_visit_due=None).exists()
    overdue = 0
    for plan in open_plans.select_related("person"):
        # The visit clock runs from the last visit where the child was seen; for an unborn
        # child, from the last visit recorded (to the expectant mother).
        unborn = plan.person.birth_date_precision == BirthDatePrecision.EXPECTED
        counted = plan.visits.all() if unborn else plan.visits.filter(child_seen=True)
        last_visit = counted.order_by("-visited_on").first()
        start = last_visit.visited_on if last_visit else plan.started_on
        assert plan.next_visit_due == timescales.due_date(TimescaleKey.PLAN_VISIT, start)
        last_group = plan.core_groups.order_by("-held_on").first()
        if last_group is None:
            expected = timescales.due_date(TimescaleKey.FIRST_CORE_GROUP, plan.started_on)
        else:
            expected = timescales.due_date(TimescaleKey.CORE_GROUP_INTERVAL, last_group.held_on)
        assert plan.next_core_group_due == expected
        overdue += not unborn and (plan.next_visit_due < TODAY or plan.next_core_group_due < TODAY)
    assert overdue <= open_plans.count() / 2


def test_every_open_referral_has_a_worker_but_a_few() -> None:
    open_referrals = Referral.objects.filter(closed_on__isnull=True)
    unallocated = open_referrals.filter(allocated_worker__isnull=True)
    assert 1 <= unallocated.count() <= max(5, open_referrals.count() // 6)
    assert not Allocation.objects.filter(referral__in=unallocated, ended_at__isnull=True).exists()
    for referral in open_referrals.exclude(allocated_worker=None):
        current = referral.allocations.get(ended_at__isnull=True)
        assert current.worker_id == referral.allocated_worker_id
    assert not Allocation.objects.filter(referral__closed_on__isnull=False, ended_at__isnull=True).exists()
    # Reallocations say why: transfers between teams and changes of worker within one.
    reasons = set(Allocation.objects.exclude(reason="").values_list("reason", flat=True))
    assert any("child protection team" in r for r in reasons)
    assert reasons & set(MOVE_REASONS)
    assert not Allocation.objects.filter(allocated_by=F("worker")).exists()


def test_every_casework_record_has_its_chronology_entry() -> None:
    recorded: dict[str, set[str]] = {}
    for source_type, source_id in ChronologyEntry.objects.exclude(source_type="").values_list(
        "source_type", "source_id"
    ):
        recorded.setdefault(source_type, set()).add(source_id)
    kinds: list[type[models.Model]] = [
        Contact,
        Referral,
        Allocation,
        Assessment,
        StrategyDiscussion,
        Section47Enquiry,
        ChildProtectionConference,
        ChildProtectionPlan,
        CoreGroupMeeting,
        Visit,
        ChildInNeedPlan,
        ChildInNeedPlanReview,
        EarlyHelpEpisode,
        LookedAfterEpisode,
        CaseNote,
    ]
    for model in kinds:
        ids = {str(pk) for pk in model._default_manager.values_list("pk", flat=True)}
        assert ids, model.__name__
        assert ids <= recorded.get(model._meta.label_lower, set()), model.__name__
    decided = Contact.objects.filter(authorised_at__isnull=False).values_list("pk", flat=True)
    decisions = ChronologyEntry.objects.filter(kind=ChronologyKind.DECISION).values_list(
        "source_id", flat=True
    )
    assert {str(pk) for pk in decided} == set(decisions)
    closures = ChronologyEntry.objects.filter(kind=ChronologyKind.CLOSURE)
    proposed = Referral.objects.filter(closure_proposed_at__isnull=False).count()
    closed = Referral.objects.filter(closed_on__isnull=False).count()
    assert closures.filter(summary__startswith="Closure proposed").count() == proposed
    assert closures.filter(summary__startswith="Episode of need closed").count() == closed
    assert closures.filter(summary__contains="(authorised by ").count() == closed


def test_the_chronology_names_the_right_agencies() -> None:
    csc = Agency.objects.get(name=CSC)
    partner = ChronologyEntry.objects.filter(kind=ChronologyKind.PARTNER_EVENT)
    assert partner.exists()
    assert not partner.filter(agency=csc).exists()
    assert {AgencyKind.POLICE, AgencyKind.SCHOOL} <= set(partner.values_list("agency__kind", flat=True))
    assert partner.filter(summary__icontains="domestic incident").exists()
    police_contacts = ChronologyEntry.objects.filter(
        kind=ChronologyKind.CONTACT, summary__startswith="Contact from Police"
    )
    assert set(police_contacts.values_list("agency__kind", flat=True)) == {AgencyKind.POLICE}
    # A child reported missing is recorded under the agency that reported it (police, a
    # children's home); every other step of the casework is children's social care's.
    steps = ChronologyEntry.objects.exclude(
        kind__in=[ChronologyKind.PARTNER_EVENT, ChronologyKind.CONTACT, ChronologyKind.MISSING]
    )
    assert set(steps.exclude(kind=ChronologyKind.EARLY_HELP).values_list("agency", flat=True)) == {csc.pk}
    assert ChronologyEntry.objects.filter(significant=True).exists()
    assert (
        ChronologyEntry.objects.filter(significant=False).count()
        > 5 * ChronologyEntry.objects.filter(significant=True).count()
    )
    notes = ChronologyEntry.objects.filter(kind=ChronologyKind.CASE_NOTE)
    assert notes.count() == CaseNote.objects.count()


def test_every_kind_of_record_in_the_demos_chronology_has_its_page_listed() -> None:
    """The chronology fails loudly on a source it does not know (so a new kind is noticed):
    every kind the demo writes, partner events from the feeds included, is known."""
    from jigsaw.casework.queries.chronology import SOURCE_PAGES

    kinds = set(ChronologyEntry.objects.exclude(source_type="").values_list("source_type", flat=True))
    assert "partners.partnerevent" in kinds
    assert kinds <= set(SOURCE_PAGES)


def test_the_demo_social_worker_has_a_real_caseload() -> None:
    worker = User.objects.get(username="social_worker")
    mine = Referral.objects.filter(closed_on__isnull=True, allocated_worker=worker)
    # 15-20 in the 5,000-child demo; fewer in this small authority, so colleagues have work too.
    assert 6 <= mine.count() <= 20
    assessments = Assessment.objects.filter(referral__in=mine, completed_on__isnull=True)
    plans = ChildProtectionPlan.objects.filter(referral__in=mine, ended_on__isnull=True)
    cin = ChildInNeedPlan.objects.filter(referral__in=mine, ended_on__isnull=True)
    dates = [
        *assessments.values_list("due_on", flat=True),
        *[
            d
            for row in plans.values_list("next_review_due", "next_core_group_due", "next_visit_due")
            for d in row
        ],
        *cin.values_list("next_review_due", flat=True),
        # Section 47 enquiries whose initial conference has not been held.
        *Section47Enquiry.objects.filter(referral__in=mine)
        .exclude(conferences__conference__held=True)
        .values_list("conference_due_on", flat=True),
    ]
    assert any(d is not None and d < TODAY for d in dates), "nothing overdue"
    assert any(d is not None and TODAY <= d <= WEEK for d in dates), "nothing due this week"
    assert assessments.exists() and (plans.exists() or cin.exists())
    unread = Notification.objects.filter(recipient=worker, read_at__isnull=True)
    assert unread.filter(subject="Case allocated to you").exists()
    assert 2 <= unread.count() <= 8
    # The team manager's team: several workers, each holding open cases.
    team = User.objects.get(username="team_manager").practitioner.team
    assert team is not None and team == worker.practitioner.team
    colleagues = Practitioner.objects.filter(team=team, role="social_worker").values("user")
    holding = Referral.objects.filter(closed_on__isnull=True, allocated_worker__in=colleagues)
    assert holding.order_by().values("allocated_worker").distinct().count() >= 3


def test_the_staff_who_hold_cases_cannot_sign_in() -> None:
    holders = User.objects.filter(pk__in=Referral.objects.values("allocated_worker"))
    assert holders.count() > 10
    for user in holders:
        assert user.has_usable_password() == (user.username == "social_worker")
        assert user.practitioner.agency.name == CSC


def test_a_reset_removes_the_casework_and_keeps_the_users() -> None:
    users = User.objects.count()
    reset_demo()
    assert not Contact.objects.exists() and not ChronologyEntry.objects.exists()
    assert not Person.objects.exists()
    assert User.objects.count() == users


def test_the_clock_agrees_with_the_timescales() -> None:
    clock = Clock(TODAY)
    start = datetime.date(2025, 12, 15)  # across Christmas and the New Year
    for n in range(0, 60, 3):
        day = start + datetime.timedelta(days=n)
        for key in TimescaleKey:
            if key in clock.rules and key not in (
                TimescaleKey.INITIAL_ASSESSMENT,
                TimescaleKey.CORE_ASSESSMENT,
            ):
                assert clock.due(key, day) == timescales.due_date(key, day), (key, day)
        assert clock.is_working_day(day) == timescales.is_working_day(day), day
        if timescales.is_working_day(day):
            assert timescales.add_working_days(clock.add_working_days(day, -7), 7) == day
        later = day + datetime.timedelta(days=n)
        assert clock.working_days_between(day, later) == timescales.working_days_between(day, later)


def test_casework_can_be_skipped_or_capped() -> None:
    delete_casework()
    NamedProfessional.objects.all().delete()
    assert write_casework(seed=SEED, today=TODAY, children_cap=0).contacts == 0
    assert not Contact.objects.exists()
    counts = write_casework(seed=SEED, today=TODAY, children_cap=300)
    assert 0 < counts.children_covered <= 300
    assert counts.contacts < 200


def dated_after(day: datetime.date, now: datetime.datetime) -> list[str]:
    """Every date of the casework (and of the demo staff's alerts and named professionals)
    after `day`, and every time after `now`, but for due dates and the dates of
    conferences not yet held: as "Model.field"."""
    models_dated: list[type[models.Model]] = [
        *apps.get_app_config("casework").get_models(),
        Notification,
        NamedProfessional,
    ]
    found = []
    for model in models_dated:
        rows = model._default_manager.all()
        if model is ChildProtectionConference:
            rows = rows.filter(held=True)
        for field in model._meta.concrete_fields:
            if not isinstance(field, DateField) or field.name in DUE_FIELDS:
                continue
            limit = now if isinstance(field, DateTimeField) else day
            if rows.filter(**{f"{field.name}__gt": limit}).exists():
                found.append(f"{model.__name__}.{field.name}")
    return found


@pytest.mark.parametrize("day", PROMISE_DAYS, ids=lambda d: f"{d:%a-%d-%b-%Y}")
def test_the_demo_keeps_its_promises_on_any_day(day: datetime.date) -> None:
    """Casework written on `day` (the clock moved there, as `seed_demo` would run on it) for
    a small authority: the front door has a contact awaiting a decision and one awaiting
    authorisation, none waiting long; the team manager has a referral to allocate and an
    assessment to sign off; the demo social worker has something overdue, something due in
    the next 7 days and a new case; no conference in the past is left unheld; and nothing
    is dated after that day."""
    delete_casework()
    NamedProfessional.objects.all().delete()
    now = datetime.datetime.combine(day, datetime.time(17, 30), tzinfo=timezone.get_default_timezone())
    with travel(now, tick=False):
        assert timezone.localdate() == day
        counts = write_casework(seed=SEED, today=timezone.localdate(), children_cap=SMALL)
        assert 0 < counts.children_covered <= SMALL
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["social_worker", "team_manager", "front_door_officer"])
        }

        queue = front_door_queue(users["front_door_officer"], today=day)
        assert queue["decision"], "nothing awaiting a decision at the front door"
        assert queue["authorisation"], "nothing awaiting authorisation at the front door"
        waited = [
            timescales.working_days_between(timezone.localdate(row.contact.received_at), day)
            for row in queue["decision"]
        ]
        assert max(waited) <= 4, "a contact waiting more than 4 working days for a decision"

        team = team_work(users["team_manager"], today=day)
        assert team.unallocated, "nothing for the team manager to allocate"
        # Referred in the last few working days (and not before they came in).
        for waiting in team.unallocated:
            assert 0 <= timescales.working_days_between(waiting.waiting_since, day) <= 6, waiting
        assert any(s.what == "Assessment" and not s.own for s in team.sign_off), "nothing to sign off"

        mine = my_work(users["social_worker"], today=day)
        assert mine.overdue, "nothing overdue for the social worker"
        assert mine.due_soon, "nothing due in the next 7 days for the social worker"
        assert any(a.subject == "Case allocated to you" for a in mine.alerts)

        assert not ChildProtectionConference.objects.filter(held=False, date__lte=day).exists()
        assert dated_after(day, now) == []
