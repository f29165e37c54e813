"""Business support and social work assistants in the demo authority, and six months of
administrative work delegated to them.

`write_support` runs after the casework (it needs the open, allocated episodes). Each
social work team gets a business support officer and a social work assistant (users with
no usable password, named by team and place, so a rerun after `--reset` reuses them; the
demo's own `business_support` and `social_work_assistant` sign-ins sit in Assessment Team
1). Over the last 26 weeks the allocated workers of open episodes ask for admin most
working days: conferences arranged, minutes taken, partners' reports chased, rooms and
video links booked. Most are done, usually within a few days and mostly by the date
needed; some are handed back or cancelled; the last fortnight's are still waiting or in
hand, a few overdue, and some of the demo social worker's were done since they last looked.

Everything goes through the support actions; only the times the actions stamp as "now"
(asked, taken, closed) and the dates needed are moved back into the past afterwards.
Everything is synthetic; the same seed on the same day gives the same tasks.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jigsaw.access.models import RestrictedRecord
from jigsaw.access.roles import Role
from jigsaw.casework.models import Referral
from jigsaw.core.demo import CSC, EMAIL_DOMAIN, DemoGenerator
from jigsaw.partners.models import Agency, Practitioner
from jigsaw.support.actions import tasks as actions
from jigsaw.support.models import DelegatedTask, RequestsLastSeen, TaskKind, TaskStatus
from jigsaw.workforce.models import Team

# The teams whose social workers delegate admin, each given one of each support role.
SUPPORTED_TEAMS = [
    "Assessment Team 1",
    "Assessment Team 2",
    "Assessment Team 3",
    "Child Protection Team",
    "Children in Care Team",
]
SUPPORT_TITLES = {
    Role.BUSINESS_SUPPORT: "Business support officer",
    Role.SOCIAL_WORK_ASSISTANT: "Social work assistant",
}
WEEKS = 26
# How many tasks a team asks for on a working day, at most.
PER_TEAM_DAY = 2
# The mix of kinds (weights).
KINDS = [
    (TaskKind.ARRANGE_MEETING, 5),
    (TaskKind.TAKE_MINUTES, 4),
    (TaskKind.CHASE_REPORT, 5),
    (TaskKind.BOOK_ROOM, 4),
    (TaskKind.BOOK_VIDEO_LINK, 3),
    (TaskKind.OTHER, 2),
]
DETAILS: dict[str, str] = {
    TaskKind.ARRANGE_MEETING: "Arrange the review child protection conference: invite the parents, school, GP and health visitor",
    TaskKind.TAKE_MINUTES: "Take the minutes of the core group meeting and send them to the group",
    TaskKind.CHASE_REPORT: "Chase the school's report for the conference; it was asked for two weeks ago",
    TaskKind.BOOK_ROOM: "Book a family room at Riverford House for two hours for the core group",
    TaskKind.BOOK_VIDEO_LINK: "Book a video link for the strategy meeting so the police can join",
    TaskKind.OTHER: "Send the family a copy of the child in need plan by post",
}
BOOKED: dict[str, str] = {
    TaskKind.ARRANGE_MEETING: "Room 2, Riverford House, 10am; invitations sent",
    TaskKind.BOOK_ROOM: "Family room 1, Riverford House, 2pm to 4pm",
    TaskKind.BOOK_VIDEO_LINK: "Video link sent to all invited (meeting ID in the invitation)",
}
RETURN_REASONS = [
    "No rooms free that day at any of our buildings: can the meeting move to the week after?",
    "The partner's report has been chased three times with no reply: this needs a manager to escalate",
]


@dataclasses.dataclass
class SupportCounts:
    staff: int = 0
    tasks: int = 0
    done: int = 0
    on_time: int = 0
    returned: int = 0
    cancelled: int = 0
    open: int = 0

    def summary(self) -> str:
        return (
            f"Delegated admin: {self.staff} business support officers and social work assistants; "
            f"{self.tasks} tasks over {WEEKS} weeks, {self.done} done ({self.on_time} by the date "
            f"needed), {self.returned} handed back, {self.cancelled} cancelled, {self.open} open."
        )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _support_staff(teams: dict[str, Team], csc: Agency, names: DemoGenerator) -> dict[int, list[User]]:
    """One business support officer and one social work assistant per supported team, and
    the demo's own sign-ins of those roles; by team."""
    unusable = make_password(None)
    staff: dict[int, list[User]] = {}
    for team_name in SUPPORTED_TEAMS:
        team = teams[team_name]
        members: list[User] = []
        for role, title in SUPPORT_TITLES.items():
            username = f"{slugify(team_name)}-{role.replace('_', '-')}-1"
            full = names.practitioner_name()
            first, _, last = full.partition(" ")
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@{EMAIL_DOMAIN}",
                    "password": unusable,
                    "is_active": True,
                },
            )
            Practitioner.objects.update_or_create(
                user=user,
                defaults={
                    "full_name": full,
                    "agency": csc,
                    "team": team,
                    "role": role,
                    "job_title": title,
                    "phone": "01632 960500",
                },
            )
            members.append(user)
        staff[team.pk] = members
    sign_ins = User.objects.filter(username__in=[r.value for r in SUPPORT_TITLES]).order_by("username")
    for user in sign_ins.select_related("practitioner"):
        practitioner = getattr(user, "practitioner", None)
        if practitioner is not None and practitioner.team_id in staff:
            staff[practitioner.team_id].append(user)
    return staff


def write_support(*, seed: int, today: datetime.date) -> SupportCounts:
    counts = SupportCounts()
    rng = random.Random(seed + 61)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    names = DemoGenerator(seed + 61, today=today)
    csc = Agency.objects.filter(name=CSC).first()
    if csc is None:
        return counts
    teams = {t.name: t for t in Team.objects.filter(agency=csc, name__in=SUPPORTED_TEAMS)}
    if len(teams) != len(SUPPORTED_TEAMS):
        return counts
    restricted = RestrictedRecord.objects.values("person_id")
    referrals = list(
        Referral.objects.filter(
            closed_on__isnull=True,
            team__in=teams.values(),
            allocated_worker__isnull=False,
            allocated_worker__practitioner__role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER],
        )
        .exclude(person__in=restricted)
        .order_by("pk")
    )
    if not referrals:
        return counts
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    with transaction.atomic():
        staff = _support_staff(teams, csc, names)
        counts.staff = sum(len(members) for members in staff.values())
        by_team: dict[int, list[Referral]] = {}
        for referral in referrals:
            assert referral.team_id is not None
            by_team.setdefault(referral.team_id, []).append(referral)
        start = today - datetime.timedelta(weeks=WEEKS)
        demo_worker = User.objects.filter(username=Role.SOCIAL_WORKER).first()
        for day in _working_days(start, today - datetime.timedelta(days=1)):
            for team_id in sorted(by_team):
                for _ in range(rng.randint(0, PER_TEAM_DAY)):
                    candidates = [r for r in by_team[team_id] if r.referred_on <= day]
                    if not candidates:
                        continue
                    referral = rng.choice(candidates)
                    # The demo social worker asks for a share, so their lists have something.
                    if demo_worker is not None and rng.random() < 0.25:
                        mine = [r for r in candidates if r.allocated_worker_id == demo_worker.pk]
                        referral = rng.choice(mine) if mine else referral
                    kind = rng.choices(kinds, weights)[0]
                    _one_task(rng, counts, referral, kind, day, today, staff[team_id])
        # The demo social worker last looked at their requests before the latest two were
        # done: those two are "done since you last looked" on their work list.
        if demo_worker is not None:
            done = DelegatedTask.objects.filter(requested_by=demo_worker, status=TaskStatus.DONE)
            closings = [c for c in done.order_by("-closed_at").values_list("closed_at", flat=True)[:3] if c]
            if closings:
                seen_at = closings[-1] if len(closings) == 3 else closings[-1] - datetime.timedelta(minutes=1)
                RequestsLastSeen.objects.update_or_create(user=demo_worker, defaults={"seen_at": seen_at})
    return counts


def _one_task(
    rng: random.Random,
    counts: SupportCounts,
    referral: Referral,
    kind: str,
    day: datetime.date,
    today: datetime.date,
    staff: list[User],
) -> None:
    """Ask for one task on `day` and play it out: taken, then done, handed back or
    cancelled, or still open if it was asked for recently."""
    assert referral.allocated_worker is not None
    asker = referral.allocated_worker
    named = rng.choice(staff) if rng.random() < 0.3 else None
    needed_by = day + datetime.timedelta(days=rng.choice([1, 2, 3, 5, 7, 10]))
    task = actions.request_task(
        actor=asker,
        referral_id=referral.pk,
        kind=kind,
        details=DETAILS[kind],
        due_on=today,  # moved to `needed_by` below: the action refuses dates in the past
        assignee_id=named.pk if named else None,
    )
    counts.tasks += 1
    asked_at = _at(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
    stamps: dict[str, object] = {"requested_at": asked_at, "due_on": needed_by}
    age = (today - day).days
    fate = rng.random()
    if age <= 7 and fate < 0.55:
        counts.open += 1
        DelegatedTask.objects.filter(pk=task.pk).update(**stamps)
        return
    doer = named or rng.choice(staff)
    if fate < 0.04:
        actions.cancel_task(
            actor=asker,
            task_id=task.pk,
            expected_version=task.version,
            reason="No longer needed: the meeting was cancelled",
        )
        counts.cancelled += 1
        stamps["closed_at"] = min(asked_at + datetime.timedelta(hours=rng.randint(2, 30)), _at(today, 0))
        DelegatedTask.objects.filter(pk=task.pk).update(**stamps)
        return
    task = actions.take_task(actor=doer, task_id=task.pk, expected_version=task.version)
    # Nothing is stamped later than the start of today (the same seed gives the same tasks all day).
    limit = _at(today, 0)
    taken_at = min(asked_at + datetime.timedelta(hours=rng.choice([1, 2, 4, 20, 26])), limit)
    stamps["taken_at"] = taken_at
    if age <= 14 and fate < 0.65:
        counts.open += 1
        DelegatedTask.objects.filter(pk=task.pk).update(**stamps)
        return
    if fate < 0.1:
        actions.return_task(
            actor=doer, task_id=task.pk, expected_version=task.version, reason=rng.choice(RETURN_REASONS)
        )
        counts.returned += 1
        stamps["closed_at"] = min(taken_at + datetime.timedelta(hours=rng.randint(3, 48)), limit)
        DelegatedTask.objects.filter(pk=task.pk).update(**stamps)
        return
    actions.complete_task(
        actor=doer,
        task_id=task.pk,
        expected_version=task.version,
        note="Done as asked; the details are on the task",
        booked=BOOKED.get(kind, ""),
    )
    # Mostly within the time asked for; sometimes a day or two late.
    hours = rng.choice([3, 6, 22, 26, 30, 48, 50, 70, 96])
    closed_at = min(taken_at + datetime.timedelta(hours=hours), limit)
    stamps["closed_at"] = closed_at
    DelegatedTask.objects.filter(pk=task.pk).update(**stamps)
    counts.done += 1
    counts.on_time += timezone.localtime(closed_at).date() <= needed_by


def delete_support() -> None:
    """Delete the delegated tasks and what requesters last looked at (a demo reset: tasks
    protect the people, the referrals and the staff's users). The support staff's
    practitioner records go with the demo agencies; their users are kept and reused."""
    DelegatedTask.objects.all().delete()
    RequestsLastSeen.objects.all().delete()
