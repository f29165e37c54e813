"""Case supervision in the demo authority.

`write_supervision` runs after the casework (it needs the open, allocated episodes). The
policy in force is the default, every 4 weeks. Each worker's cases have been supervised
by their team manager over the last months, at the worker's own rhythm: most workers are
up to date, some have let a few cases lapse, and a couple are well behind. The demo
social worker (`social_worker`) has two cases overdue and a few overdue actions, so My
work and the supervision page show them; everything else agreed in supervision is done
or not yet due.

Rows are written with `bulk_create` (a few INSERTs whatever the caseload). Everything is
synthetic; the same seed on the same day gives the same supervision.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import Allocation, Referral
from jigsaw.partners.models import Practitioner
from jigsaw.quality.models.supervision import CaseSupervision, SupervisionAction, SupervisionPolicy
from jigsaw.quality.queries.supervision import policy_in_force

DEMO_WORKER = "social_worker"
# How far back the supervision history goes.
HISTORY_DAYS = 180

DISCUSSIONS = [
    "Reviewed the plan against the last core group: attendance at nursery has improved but "
    "home conditions were poor again at the last unannounced visit.",
    "Talked through the child's own views from the last direct work session and what has "
    "changed since the assessment.",
    "Considered the impact of the parent's new relationship; the partner has not yet been "
    "checked with the police.",
    "Went through the chronology since the last supervision: two missed health appointments "
    "and a school exclusion.",
    "Discussed the worker's analysis of risk and whether the threshold for a strategy discussion is met.",
    "Looked at progress on the child in need plan; the family support worker reports better "
    "routines at bedtime.",
    "Reflected on the worker's relationship with the mother, who has declined the last two "
    "visits, and how to engage the father.",
]
DECISIONS = [
    "Stay on the current plan; increase visits to weekly until the review.",
    "Request a strategy discussion this week.",
    "Refer to the family group conference service.",
    "Progress to a review conference as planned; share the updated assessment first.",
    "Step down to early help at the next review if school attendance stays above 90%.",
    "Complete the assessment of the partner before the next core group.",
]
ACTIONS = [
    "Unannounced home visit, seeing the child alone",
    "Ask the GP for the health history since birth",
    "Police checks on the mother's new partner",
    "Update the chronology with the school's information",
    "Book the family group conference",
    "Send the updated plan to the core group",
    "Talk to the health visitor about weight and feeding",
    "Direct work session with the child about their wishes and feelings",
]


@dataclasses.dataclass
class SupervisionCounts:
    supervisions: int = 0
    actions: int = 0
    overdue_cases: int = 0
    overdue_actions: int = 0

    def summary(self) -> str:
        return (
            f"Supervision: {self.supervisions:,} case supervisions with {self.actions:,} actions "
            f"(every 4 weeks is the policy); {self.overdue_cases} cases overdue for supervision, "
            f"{self.overdue_actions} actions overdue."
        )


def _managers() -> dict[int | None, User]:
    """Each team's manager (a user), by team."""
    found: dict[int | None, User] = {}
    managers = Practitioner.objects.filter(role=Role.TEAM_MANAGER, user__isnull=False).select_related("user")
    # The demo's team manager sign-in supervises their own team, so their page shows it.
    for p in sorted(managers, key=lambda p: (p.user is None or p.user.username != Role.TEAM_MANAGER, p.pk)):
        assert p.user is not None
        found.setdefault(p.team_id, p.user)
    return found


def write_supervision(*, seed: int, today: datetime.date) -> SupervisionCounts:
    counts = SupervisionCounts()
    rng = random.Random(seed + 11)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    policy = policy_in_force()
    interval = policy.interval_days
    managers = _managers()
    any_manager = User.objects.filter(username=Role.TEAM_MANAGER).first() or next(
        iter(managers.values()), None
    )
    if any_manager is None:
        return counts
    allocated_on = {
        referral_id: timezone.localdate(at)
        for referral_id, at in Allocation.objects.filter(ended_at__isnull=True).values_list(
            "referral_id", "allocated_at"
        )
    }
    cases: dict[int, list[tuple[int, int, datetime.date]]] = defaultdict(list)
    for pk, person_id, worker_id, referred_on in (
        Referral.objects.filter(closed_on__isnull=True, allocated_worker__isnull=False)
        .order_by("pk")
        .values_list("pk", "person_id", "allocated_worker_id", "referred_on")
    ):
        cases[worker_id].append((person_id, pk, allocated_on.get(pk, referred_on)))
    workers = {
        u.pk: u for u in User.objects.filter(pk__in=cases).select_related("practitioner").order_by("pk")
    }
    supervisions: list[CaseSupervision] = []
    planned_actions: list[tuple[int, SupervisionAction]] = []
    now = timezone.now()
    for worker_id in sorted(cases):
        worker = workers[worker_id]
        practitioner = getattr(worker, "practitioner", None)
        team_id = practitioner.team_id if practitioner is not None else None
        supervisor = managers.get(team_id) or any_manager
        if supervisor.pk == worker.pk:
            supervisor = next((m for m in managers.values() if m.pk != worker.pk), any_manager)
        demo = worker.username == DEMO_WORKER
        # How the worker keeps up: most are up to date, some let a few cases lapse, a couple are behind.
        lapse = 0.08 if demo else rng.choice([0.0, 0.0, 0.0, 0.1, 0.25, 0.5])
        overdue_for_demo = 2
        for index, (person_id, _referral_id, since) in enumerate(cases[worker_id]):
            start = max(since, today - datetime.timedelta(days=HISTORY_DAYS))
            lapsed = (demo and index < overdue_for_demo) or (not demo and rng.random() < lapse)
            # The last supervision is within the interval, or (lapsed) well before it.
            stop = today - datetime.timedelta(days=interval + rng.randint(5, 40)) if lapsed else today
            day = start + datetime.timedelta(days=rng.randint(7, 20))
            last: datetime.date | None = None
            while day <= stop:
                last = day
                supervisions.append(
                    CaseSupervision(
                        person_id=person_id,
                        supervised_on=day,
                        supervisor=supervisor,
                        worker=worker,
                        discussion=rng.choice(DISCUSSIONS),
                        decisions=rng.choice(DECISIONS),
                        recorded_at=now,
                    )
                )
                for _ in range(rng.choice([0, 1, 1, 2])):
                    due = day + datetime.timedelta(days=rng.randint(5, 21))
                    overdue = demo and due < today and counts.overdue_actions < 3 and rng.random() < 0.5
                    done = due < today and not overdue
                    if overdue:
                        counts.overdue_actions += 1
                    done_at = (
                        timezone.make_aware(
                            datetime.datetime.combine(
                                min(due, today) - datetime.timedelta(days=rng.randint(0, 4)),
                                datetime.time(15, 0),
                            )
                        )
                        if done
                        else None
                    )
                    planned_actions.append(
                        (
                            len(supervisions) - 1,
                            SupervisionAction(
                                description=rng.choice(ACTIONS),
                                owner=worker,
                                due_on=due,
                                done_at=done_at,
                                done_by=worker if done else None,
                            ),
                        )
                    )
                day += datetime.timedelta(days=interval - rng.randint(0, 6))
            if (last or since) < today - datetime.timedelta(days=interval):
                counts.overdue_cases += 1
    with transaction.atomic():
        written = CaseSupervision.objects.bulk_create(supervisions, batch_size=2000)
        actions = []
        for index, action in planned_actions:
            action.supervision = written[index]
            actions.append(action)
        SupervisionAction.objects.bulk_create(actions, batch_size=2000)
    counts.supervisions = len(written)
    counts.actions = len(actions)
    return counts


def delete_supervision() -> None:
    """Delete every supervision, its actions and the policy (a demo reset)."""
    SupervisionAction.objects.all().delete()
    CaseSupervision.objects.all().delete()
    SupervisionPolicy.objects.all().delete()
