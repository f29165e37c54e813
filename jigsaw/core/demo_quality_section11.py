"""Section 11 self-assessment in the demo, written through the same actions as real use.

With it the demo shows, on the day `make demo` runs:

- the default standards;
- last year's round, sent to the six agencies whose staff sign in to the demo (children's
  social care, the police, the hospital, health visiting, a GP practice and a school), all
  submitted, with each agency's own mix of ratings and an action for every gap;
- this year's round to the same agencies, due a week ago: five are in (most a little
  better than last year), and health visiting's is still a draft, so it is overdue.

Everything is synthetic and written for Riverford; the same seed gives the same ratings.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction

from jigsaw.casework.timescales import add_months
from jigsaw.quality.actions.section11 import (
    AnswerInput,
    add_gap_action,
    create_round,
    ensure_default_standards,
    save_answers,
    send_round,
    set_gap_action_status,
)
from jigsaw.quality.models.section11 import (
    GapActionStatus,
    Rating,
    Section11Return,
    Section11Round,
    Section11Standard,
)


@dataclasses.dataclass
class Section11Activity:
    rounds: int = 0
    returns: int = 0
    submitted: int = 0
    actions: int = 0

    def summary(self) -> str:
        return (
            f"Section 11: {self.rounds} rounds, {self.returns} agency returns ({self.submitted} submitted), "
            f"{self.actions} actions in the agencies' plans."
        )


# The demo sign-in who answers for each agency, and how strong the agency is (the chance
# of each rating, fully met first): the agencies differ, as real ones do.
ANSWERERS: dict[str, tuple[float, float, float, float]] = {
    "team_manager": (0.45, 0.35, 0.15, 0.05),
    "police_officer": (0.35, 0.35, 0.25, 0.05),
    "ae_clinician": (0.30, 0.40, 0.25, 0.05),
    "health_visitor": (0.40, 0.40, 0.15, 0.05),
    "gp": (0.15, 0.35, 0.35, 0.15),
    "partner_practitioner": (0.50, 0.30, 0.15, 0.05),
}
STILL_A_DRAFT = "health_visitor"  # this year's overdue return

EVIDENCE = {
    Rating.FULLY_MET: "{agency} can show this across all its services: {proof}.",
    Rating.MOSTLY_MET: "Largely in place at {agency}: {proof}. A few teams are still catching up.",
    Rating.PARTLY_MET: "In place in some of {agency} only: {proof}, but not consistently.",
    Rating.NOT_MET: "{agency} has no reliable evidence yet; {proof} is planned but has not started.",
}
PROOF = {
    1: "board minutes record a safeguarding report each year",
    2: "the safeguarding lead and deputy are named on the intranet and in every induction pack",
    3: "a children's feedback survey and a young people's reference group",
    4: "training records and a supervision audit of twenty staff files",
    5: "the single central record and the log of referrals to the designated officer",
    6: "attendance records for strategy discussions and conferences",
    7: "the information-sharing policy and a sample of recorded decisions",
    8: "the whistleblowing policy and a staff survey on raising concerns",
}
GAP_ACTIONS = {
    1: "Add safeguarding to the board's forward plan and report twice a year",
    2: "Publish an up-to-date chart of safeguarding leads and out-of-hours cover",
    3: "Run two sessions with children and families and report what changes",
    4: "Book the overdue refresher training and audit supervision records each quarter",
    5: "Check the single central record monthly and brief managers on allocations",
    6: "Agree who attends conferences and core groups, with a named deputy",
    7: "Brief every team on the information-sharing guidance and audit ten records",
    8: "Relaunch the whistleblowing policy with a short staff briefing",
}
OWNERS = [
    "Head of safeguarding",
    "Designated safeguarding lead",
    "Service manager",
    "Named nurse",
    "Practice manager",
]


def _user(username: str) -> User | None:
    return (
        User.objects.filter(username=username, practitioner__isnull=False)
        .select_related("practitioner")
        .first()
    )


def _rating(rng: random.Random, weights: tuple[float, float, float, float], lift: int) -> str:
    scale = [Rating.FULLY_MET, Rating.MOSTLY_MET, Rating.PARTLY_MET, Rating.NOT_MET]
    index = rng.choices(range(4), weights=weights)[0]
    return scale[max(0, index - lift)]


def _answer(
    rng: random.Random,
    user: User,
    section11_return: Section11Return,
    weights: tuple[float, float, float, float],
    *,
    lift: int,
    submit: bool,
    due: datetime.date,
    activity: Section11Activity,
) -> None:
    agency = section11_return.agency.name
    answers = list(section11_return.answers.select_related("standard").order_by("standard__number"))
    given = []
    version = section11_return.version
    for answer in answers:
        number = answer.standard.number
        rating = _rating(rng, weights, lift)
        evidence = EVIDENCE[Rating(rating)].format(agency=agency, proof=PROOF.get(number, "its own audit"))
        given.append(AnswerInput(answer.standard_id, rating, evidence))
        if rating != Rating.FULLY_MET:
            add_gap_action(
                actor=user,
                return_id=section11_return.pk,
                expected_version=version,
                standard_id=answer.standard_id,
                action=GAP_ACTIONS.get(number, "Close the gap found in the self-assessment"),
                owner=rng.choice(OWNERS),
                due_on=due,
            )
            version += 1
            activity.actions += 1
    save_answers(
        actor=user, return_id=section11_return.pk, expected_version=version, answers=given, submit=submit
    )
    if submit:
        activity.submitted += 1


def write_section11(*, seed: int, today: datetime.date) -> Section11Activity:
    activity = Section11Activity()
    member = _user("partnership_member")
    answerers = {name: _user(name) for name in ANSWERERS}
    if member is None or not all(answerers.values()):
        return activity
    rng = random.Random(f"section11|{seed}")  # noqa: S311 - synthetic demo data, not security  # nosec B311
    with transaction.atomic():
        ensure_default_standards()
        agency_ids = [u.practitioner.agency_id for u in answerers.values() if u is not None]
        for years_ago in (1, 0):
            opens = add_months(today, -12 * years_ago - 3)
            due = add_months(today, -12 * years_ago) - datetime.timedelta(days=7)
            start = opens.year if opens.month >= 4 else opens.year - 1
            round_ = create_round(
                actor=member,
                title=f"Section 11 self-assessment {due.year}",
                period=f"April {start} to March {start + 1}",
                opens_on=opens,
                due_on=due,
                agency_ids=agency_ids,
            )
            round_ = send_round(actor=member, round_id=round_.pk, expected_version=round_.version)
            activity.rounds += 1
            for username, user in answerers.items():
                assert user is not None
                section11_return = round_.returns.get(agency_id=user.practitioner.agency_id)
                activity.returns += 1
                _answer(
                    rng,
                    user,
                    section11_return,
                    ANSWERERS[username],
                    lift=1 - years_ago if rng.random() < 0.6 else 0,  # most improve a little
                    submit=years_ago == 1 or username != STILL_A_DRAFT,
                    due=add_months(due, 6),
                    activity=activity,
                )
            # The actions stamp the time they run: date the round and its returns back to
            # when they would have been sent and submitted.
            sent_at = datetime.datetime.combine(opens, datetime.time(9), tzinfo=datetime.UTC)
            Section11Round.objects.filter(pk=round_.pk).update(created_at=sent_at, sent_at=sent_at)
            for offset, return_ in enumerate(
                round_.returns.filter(submitted_at__isnull=False).order_by("pk")
            ):
                at = datetime.datetime.combine(
                    due - datetime.timedelta(days=offset + 1), datetime.time(16), tzinfo=datetime.UTC
                )
                Section11Return.objects.filter(pk=return_.pk).update(submitted_at=at, updated_at=at)
            if years_ago == 1:
                # Last year's plans: most actions done by now.
                for return_ in round_.returns.select_related("agency"):
                    user = next(
                        u for u in answerers.values() if u and u.practitioner.agency_id == return_.agency_id
                    )
                    for gap in return_.answers.filter(actions__isnull=False).values_list(
                        "actions", flat=True
                    ):
                        return_.refresh_from_db()
                        status = GapActionStatus.DONE if rng.random() < 0.7 else GapActionStatus.IN_PROGRESS
                        set_gap_action_status(
                            actor=user, gap_action_id=gap, expected_version=return_.version, status=status
                        )
    return activity


def delete_section11() -> None:
    """Before a demo reset: returns protect the agencies they are for."""
    Section11Round.objects.all().delete()
    Section11Standard.objects.all().delete()
