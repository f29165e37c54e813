"""Recommendations in the demo: three sets, with responses, actions across the partner
agencies, progress and a spread of statuses on the day `make demo` runs.

- a local child safeguarding practice review about "Child R" (fictional), reported to the
  partnership board;
- the children's services scrutiny committee's review of the front door, reported to the
  committee;
- a national review's recommendations for every partnership, reported to the board.

Some actions are past their due date (red), one recommendation awaits its response
(amber), one has a status the partnership set over the derived one, some are complete.
The demo's partner sign-ins own actions: the school's DSL (`partner_practitioner`), the
police officer, the GP and the health visitor see them under "Actions you own".

The rows are written directly, with dates in the past, as a partnership's record would
have them built up over months (the actions would stamp every row with today). Every
word is made up for Riverford; no text comes from a real report. The same seed on the
same day gives the same recommendations.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.core.demo import CSC, FIRST_SCHOOL, PARTNERSHIP
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.quality.models.recommendations import (
    ProgressEvidence,
    ProgressUpdate,
    Rag,
    Recommendation,
    RecommendationAction,
    RecommendationSet,
    RecommendationSource,
    Response,
)

BOARD = "Riverford Safeguarding Children Partnership Board"
SCRUTINY = "Riverford City Council Children's Services Scrutiny Committee"
POLICE = "Riverdale Police (Riverford District)"
HOSPITAL = "Riverford Royal Infirmary"
HEALTH_VISITING = "Riverford Health Visiting Service"
GP = "Canal Street Surgery"
HOUSING = "Riverford Homes"


@dataclasses.dataclass
class RecommendationActivity:
    sets: int = 0
    recommendations: int = 0
    actions: int = 0
    overdue: int = 0
    updates: int = 0

    def summary(self) -> str:
        return (
            f"Recommendations: {self.sets} sets, {self.recommendations} recommendations, {self.actions} actions "
            f"({self.overdue} past their due date), {self.updates} progress updates."
        )


@dataclasses.dataclass(frozen=True)
class PlannedUpdate:
    days_ago: int
    note: str
    done: bool = False
    evidence: str = ""  # a file name: a small text file of that name is attached


@dataclasses.dataclass(frozen=True)
class PlannedAction:
    description: str
    # Who owns it: a demo sign-in's username, or a job title at the owning agency.
    owner: str
    due_in_days: int  # from today; negative is past
    updates: tuple[PlannedUpdate, ...] = ()


@dataclasses.dataclass(frozen=True)
class PlannedRecommendation:
    number: str
    agency: str
    text: str
    response: str = Response.ACCEPTED
    comment: str = ""
    actions: tuple[PlannedAction, ...] = ()
    rag_set: str = ""
    rag_reason: str = ""


@dataclasses.dataclass(frozen=True)
class PlannedSet:
    title: str
    source: str
    reference: str
    days_ago: int
    reports_to: str
    recommendations: tuple[PlannedRecommendation, ...]


SETS: tuple[PlannedSet, ...] = (
    PlannedSet(
        "Child safeguarding practice review: Child R",
        RecommendationSource.PRACTICE_REVIEW,
        "RSCP CSPR 2026/01",
        240,
        BOARD,
        (
            PlannedRecommendation(
                "1",
                CSC,
                "When the front door closes a contact about a baby under one with no further action, a manager "
                "should read the referrer's concern and record why the baby is safe without a visit.",
                comment="The front door procedure changes from the first of next month.",
                actions=(
                    PlannedAction(
                        "Change the front door procedure so that a manager signs off every no further action "
                        "decision about a baby under one",
                        "team_manager",
                        -150,
                        (
                            PlannedUpdate(
                                160,
                                "The procedure is rewritten and in force.",
                                True,
                                "front-door-procedure.txt",
                            ),
                        ),
                    ),
                    PlannedAction(
                        "Audit twenty closed contacts about babies and report what was found to the board",
                        "Team manager",
                        -21,
                        (
                            PlannedUpdate(
                                40, "Twelve of the twenty contacts are audited; the rest are booked."
                            ),
                        ),
                    ),
                ),
            ),
            PlannedRecommendation(
                "2",
                POLICE,
                "The police should tell the health visiting service of every domestic abuse incident in a home "
                "where a baby lives within one working day.",
                actions=(
                    PlannedAction(
                        "Add the health visiting service to the daily list of domestic abuse notifications",
                        "police_officer",
                        -10,
                        (PlannedUpdate(30, "The change is agreed with the MASH; the list is being tested."),),
                    ),
                ),
            ),
            PlannedRecommendation(
                "3",
                HEALTH_VISITING,
                "Health visitors should see every baby on a child protection plan at least monthly, and record "
                "who else was in the home.",
                response=Response.ACCEPTED_IN_PART,
                comment="Monthly contact is accepted. Most contacts will be at home; a few will be at clinic when "
                "a parent asks and the core group agrees.",
                actions=(
                    PlannedAction(
                        "Add 'who else was present' to the health visiting contact record",
                        "health_visitor",
                        45,
                        (
                            PlannedUpdate(
                                12, "The record is changed in the test system; training is next month."
                            ),
                        ),
                    ),
                ),
            ),
            PlannedRecommendation(
                "4",
                PARTNERSHIP,
                "The partnership should brief every frontline practitioner on the learning from this review "
                "within six months.",
                actions=(
                    PlannedAction(
                        "Run four multi-agency learning briefings and publish a seven-minute briefing",
                        "partnership_member",
                        -60,
                        (
                            PlannedUpdate(90, "Two briefings held; 118 practitioners attended."),
                            PlannedUpdate(
                                65,
                                "All four briefings held; 241 practitioners attended.",
                                True,
                                "attendance.txt",
                            ),
                        ),
                    ),
                ),
            ),
            PlannedRecommendation(
                "5",
                HOSPITAL,
                "The emergency department should check whether a baby who attends with any injury is known to "
                "children's social care before the baby goes home.",
                response=Response.AWAITING,
            ),
        ),
    ),
    PlannedSet(
        "Children's services scrutiny: the front door",
        RecommendationSource.SCRUTINY_COMMITTEE,
        "CSSC 2026/04",
        150,
        SCRUTINY,
        (
            PlannedRecommendation(
                "1",
                CSC,
                "Report to the committee every quarter how many contacts were decided within one working day.",
                actions=(
                    PlannedAction(
                        "Add the one-working-day figure to the quarterly performance report",
                        "performance_analyst",
                        60,
                        (PlannedUpdate(20, "The figure is in the draft report for the next committee."),),
                    ),
                ),
            ),
            PlannedRecommendation(
                "2",
                FIRST_SCHOOL,
                "As the pilot school, test the partner portal's concern form for a term and tell the committee "
                "what it changed for staff.",
                actions=(
                    PlannedAction(
                        "Use the concern form for every concern this term and collect staff feedback",
                        "partner_practitioner",
                        21,
                        (
                            PlannedUpdate(
                                7, "Nine concerns sent through the portal so far; feedback forms are out."
                            ),
                        ),
                    ),
                ),
            ),
            PlannedRecommendation(
                "3",
                HOUSING,
                "Tell children's social care before a family with a child on a plan is evicted.",
                response=Response.ACCEPTED_IN_PART,
                comment="Accepted for council tenancies; private landlords do not tell us in advance.",
                actions=(
                    PlannedAction(
                        "Add a check for child protection plans to the eviction procedure",
                        "Housing officer",
                        -35,
                    ),
                ),
            ),
            PlannedRecommendation(
                "4",
                CSC,
                "Bring the number of social workers employed through agencies below one in ten.",
                actions=(
                    PlannedAction(
                        "Recruit twelve permanent social workers through the new recruitment campaign",
                        "team_manager",
                        -5,
                        (PlannedUpdate(14, "Eleven offers accepted; the twelfth post is re-advertised."),),
                    ),
                ),
                rag_set=Rag.AMBER,
                rag_reason="Eleven of twelve posts are filled; the last starts next month.",
            ),
        ),
    ),
    PlannedSet(
        "National review: protecting babies from injury",
        RecommendationSource.NATIONAL_REVIEW,
        "NR 2026",
        300,
        BOARD,
        (
            PlannedRecommendation(
                "1",
                PARTNERSHIP,
                "Every partnership should check that its practitioners understand the added risk to babies when "
                "a parent is under stress, and that fathers and male carers are part of every assessment.",
                actions=(
                    PlannedAction(
                        "Add a module on fathers and male carers to the multi-agency training offer",
                        "partnership_member",
                        90,
                        (PlannedUpdate(25, "The module is written and the first session is booked."),),
                    ),
                ),
            ),
            PlannedRecommendation(
                "2",
                CSC,
                "Assessments should name the father or male carer of every baby and say how he was seen.",
                actions=(
                    PlannedAction(
                        "Add the father or male carer to the assessment record",
                        "Team manager",
                        -100,
                        (PlannedUpdate(110, "The record is changed and in use.", True),),
                    ),
                ),
            ),
            PlannedRecommendation(
                "3",
                GP,
                "GP practices should record the father or male carer of every new baby in the baby's record.",
                actions=(
                    PlannedAction(
                        "Add the father or male carer to the new birth template",
                        "gp",
                        -45,
                    ),
                ),
            ),
            PlannedRecommendation(
                "4",
                HOSPITAL,
                "Maternity units should ask every new parent about support at home before discharge.",
                response=Response.NOT_ACCEPTED,
                comment="The hospital has asked this of every parent since 2024; its audit shows it is done.",
            ),
        ),
    ),
)


def _owner(agency: Agency, who: str) -> Practitioner | None:
    """A demo sign-in by username, else the first of the agency's staff with that job title."""
    by_sign_in = Practitioner.objects.filter(user__username=who, agency=agency).first()
    if by_sign_in is not None:
        return by_sign_in
    return Practitioner.objects.filter(agency=agency, job_title=who).order_by("pk").first()


def write_recommendations(*, seed: int, today: datetime.date) -> RecommendationActivity:
    """The three sets, as of `today`. Nothing is written if the partnership's sign-in or an
    agency is missing (a database without the demo's staff)."""
    activity = RecommendationActivity()
    member = User.objects.filter(username="partnership_member", practitioner__isnull=False).first()
    agencies = {a.name: a for a in Agency.objects.all()}
    needed = {r.agency for s in SETS for r in s.recommendations}
    if member is None or not needed <= set(agencies):
        return activity
    rng = random.Random(seed)  # noqa: S311 - demo times, not secrets  # nosec B311
    zone = timezone.get_current_timezone()

    def at(days_ago: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=days_ago)
        return datetime.datetime.combine(
            day, datetime.time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=zone
        )

    with transaction.atomic():
        for planned_set in SETS:
            created = at(planned_set.days_ago)
            recommendation_set = RecommendationSet.objects.create(
                title=planned_set.title,
                source=planned_set.source,
                source_reference=planned_set.reference,
                source_date=created.date(),
                reports_to=planned_set.reports_to,
                created_by=member,
                created_at=created,
            )
            activity.sets += 1
            for place, planned in enumerate(planned_set.recommendations, start=1):
                activity.recommendations += 1
                agency = agencies[planned.agency]
                responded = planned.response != Response.AWAITING
                recommendation = Recommendation.objects.create(
                    recommendation_set=recommendation_set,
                    number=planned.number,
                    position=place,
                    text=planned.text,
                    agency=agency,
                    response=planned.response,
                    response_comment=planned.comment,
                    responded_by=member if responded else None,
                    responded_at=at(planned_set.days_ago - 20) if responded else None,
                    rag_set=planned.rag_set,
                    rag_reason=planned.rag_reason,
                    rag_set_by=member if planned.rag_set else None,
                    rag_set_at=at(3) if planned.rag_set else None,
                )
                for planned_action in planned.actions:
                    owner = _owner(agency, planned_action.owner)
                    if owner is None:
                        continue
                    _write_action(recommendation, planned_action, owner, member, today, at, activity)
    return activity


def _write_action(
    recommendation: Recommendation,
    planned: PlannedAction,
    owner: Practitioner,
    member: User,
    today: datetime.date,
    at: Callable[[int], datetime.datetime],
    activity: RecommendationActivity,
) -> None:
    done_update = next((u for u in planned.updates if u.done), None)
    due_on = today + datetime.timedelta(days=planned.due_in_days)
    action = RecommendationAction.objects.create(
        recommendation=recommendation,
        description=planned.description,
        owner=owner,
        due_on=due_on,
        completed_on=(today - datetime.timedelta(days=done_update.days_ago)) if done_update else None,
        created_by=member,
        created_at=recommendation.responded_at or at(200),
    )
    activity.actions += 1
    if done_update is None and due_on < today:
        activity.overdue += 1
    for update in planned.updates:
        written = ProgressUpdate.objects.create(
            action=action,
            note=update.note,
            # An owner without a sign-in reports to the partnership, which records it.
            written_by=owner.user or member,
            written_at=at(update.days_ago),
            marked_complete=update.done,
        )
        activity.updates += 1
        if update.evidence:
            data = f"Riverford demo evidence for: {planned.description}\n{update.note}\n".encode()
            ProgressEvidence.objects.create(
                update=written, name=update.evidence, content_type="text/plain", size=len(data), data=data
            )


def delete_recommendations() -> None:
    """Before a demo reset: the recommendations protect the agencies and staff they name."""
    RecommendationSet.objects.all().delete()
