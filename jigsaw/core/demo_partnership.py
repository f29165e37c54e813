"""The demo partnership's own business: the Riverford board and the guidance it issued.

`write_partnership` runs after the agencies, staff and recommendations exist. It appoints
the board (an independent chair, two lay members, the statutory partners' leads for the
council, the police and health (the integrated care board), and members for education,
probation, the hospital and the voluntary sector, with the partnership's business manager
as adviser), holds six meetings over the last year with their agenda, attendance and
decisions, keeps an action log (some actions answering the demo's recommendations), and
issues three practice notes (one with a second version) and the thresholds procedure,
which most, not all, of the staff who sign in have read.

Everything goes through the partnership's actions; only the dates the actions stamp as
"now" (when guidance was issued and read) are moved back into the past afterwards.
Everything is synthetic; the same seed on the same day gives the same partnership.
"""

from __future__ import annotations

import dataclasses
import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.timescales import add_months
from jigsaw.core.demo import CSC, PARTNERSHIP, DemoGenerator
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.partnership.actions import board as board_actions
from jigsaw.partnership.actions import guidance as guidance_actions
from jigsaw.partnership.models.board import (
    ActionStatus,
    AttendanceStatus,
    BoardAction,
    BoardMeeting,
    BoardMember,
    BoardRole,
)
from jigsaw.partnership.models.guidance import Acknowledgement, GuidanceItem, GuidanceVersion
from jigsaw.partnership.queries.guidance import recipients
from jigsaw.quality.models.recommendations import Recommendation

# Agencies the board needs that the demo's casework does not: made here, removed by
# `delete_partnership`.
ICB = "Riverford Integrated Care Board"
PROBATION = "Riverford Probation Delivery Unit"
OWN_AGENCIES = {ICB: AgencyKind.ACUTE_HEALTH, PROBATION: AgencyKind.PROBATION}

# role, agency (None: speaks for nobody's agency), job title, term start (months ago),
# term length (months), the chance they attend a meeting.
SEATS: list[tuple[str, str | None, str, int, int, float]] = [
    (BoardRole.INDEPENDENT_CHAIR, None, "Independent chair", 26, 36, 0.97),
    (BoardRole.LAY_MEMBER, None, "Lay member", 34, 36, 0.85),
    (BoardRole.LAY_MEMBER, None, "Lay member", 8, 36, 0.8),
    (BoardRole.STATUTORY_PARTNER_LEAD, CSC, "Director of children's services", 20, 36, 0.9),
    (
        BoardRole.STATUTORY_PARTNER_LEAD,
        "Riverdale Police (Riverford District)",
        "Detective superintendent, public protection",
        14,
        36,
        0.6,
    ),
    (BoardRole.STATUTORY_PARTNER_LEAD, ICB, "Designated nurse for safeguarding children", 22, 36, 0.85),
    (
        BoardRole.AGENCY_REPRESENTATIVE,
        "Riverford Academy",
        "Headteacher (education representative)",
        33,
        36,
        0.7,
    ),
    (BoardRole.AGENCY_REPRESENTATIVE, PROBATION, "Head of the probation delivery unit", 10, 24, 0.65),
    (
        BoardRole.AGENCY_REPRESENTATIVE,
        "Riverford Royal Infirmary",
        "Named doctor for safeguarding",
        18,
        36,
        0.75,
    ),
    (
        BoardRole.AGENCY_REPRESENTATIVE,
        "Riverford Family Action",
        "Chief executive (voluntary sector)",
        12,
        24,
        0.7,
    ),
]

AGENDA = [
    ("Minutes and actions of the last meeting", "Minutes agreed as a true record; the action log reviewed."),
    ("Performance report", "The board noted the rise in re-referrals and asked for a deep dive."),
    ("Child safeguarding practice review: Child R", "Action plan agreed; progress to come to every meeting."),
    ("Section 11 audit findings", "Agencies with amber standards to bring their plans to the next meeting."),
    ("Neglect strategy", "Strategy approved for publication."),
    ("Training take-up", "Agencies below 80% take-up to report on their plans."),
    ("Escalation report", "The board asked for the escalation procedure to be re-issued to schools."),
    ("Budget and contributions", "Partner contributions for next year agreed."),
]

ACTIONS = [
    "Bring a deep dive into re-referrals to the board",
    "Re-issue the escalation procedure to every school",
    "Report progress on the Child R action plan",
    "Check every agency's safeguarding training records",
    "Publish the neglect strategy and its practice guide",
    "Write to agencies whose section 11 standards are amber",
]

NOTES = [
    (
        "Bruising in babies who are not mobile",
        "Bruising in a baby who is not yet crawling or cruising is rare. Any bruise, however small, "
        "is referred to the front door the same day, and the baby is seen by a paediatrician.",
        "The paediatric assessment now happens the same day, not within 24 hours.",
    ),
    (
        "Working with fathers and men in the household",
        "Find out who the men in the child's life are, see them, and record what you learn about "
        "them. Invite fathers to conferences and core groups.",
        "",
    ),
    (
        "Disguised compliance",
        "Parents who appear to co-operate may still not change. Judge progress by the child's "
        "experience, not by the parents' attendance at appointments.",
        "",
    ),
]
THRESHOLDS = (
    "Levels of need: the Riverford threshold document",
    "Level 1: universal services. Level 2: early help. Level 3: children in need (a referral). "
    "Level 4: children at risk of significant harm (a strategy discussion the same day).",
)


@dataclasses.dataclass
class PartnershipCounts:
    members: int = 0
    meetings: int = 0
    decisions: int = 0
    attendances: int = 0
    actions: int = 0
    linked_actions: int = 0
    guidance: int = 0
    versions: int = 0
    acknowledgements: int = 0

    def summary(self) -> str:
        return (
            f"Partnership: a board of {self.members} members, {self.meetings} meetings "
            f"({self.attendances} attendances, {self.decisions} decisions), {self.actions} actions "
            f"({self.linked_actions} answering recommendations), {self.guidance} pieces of guidance "
            f"in {self.versions} versions, read {self.acknowledgements} times."
        )


def _weekday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _status(rng: random.Random, names: DemoGenerator, chance: float) -> tuple[str, str]:
    """Attended with the member's chance; otherwise a deputy half the time (named), else
    apologies or, now and then, absent without them."""
    roll = rng.random()
    if roll < chance:
        return AttendanceStatus.ATTENDED, ""
    if roll < chance + (1 - chance) / 2:
        return AttendanceStatus.DEPUTY, names.practitioner_name()
    return (AttendanceStatus.APOLOGIES if rng.random() < 0.7 else AttendanceStatus.ABSENT), ""


def write_partnership(*, seed: int, today: datetime.date) -> PartnershipCounts:
    counts = PartnershipCounts()
    rng = random.Random(seed + 43)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    names = DemoGenerator(seed + 43, today=today)
    keeper = User.objects.filter(username=Role.PARTNERSHIP_MEMBER).first()
    if keeper is None or not Agency.objects.filter(name=CSC).exists():
        return counts
    with transaction.atomic():
        for name, kind in OWN_AGENCIES.items():
            Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        agencies = {a.name: a for a in Agency.objects.all()}
        members: list[tuple[BoardMember, float]] = []
        for role, agency, title, months_ago, length, chance in SEATS:
            starts = add_months(today, -months_ago)
            ends = add_months(starts, length) - datetime.timedelta(days=1)
            member = board_actions.save_member(
                actor=keeper,
                details=board_actions.MemberDetails(
                    role=role,
                    agency_id=agencies[agency].pk if agency else None,
                    full_name=names.practitioner_name(),
                    job_title=title,
                    term_starts_on=starts,
                    term_ends_on=ends,
                    reappointment_due_on=add_months(ends, -3),
                ),
            )
            members.append((member, chance))
        business_manager = board_actions.save_member(
            actor=keeper,
            details=board_actions.MemberDetails(
                role=BoardRole.ADVISER,
                agency_id=agencies[PARTNERSHIP].pk,
                user_id=keeper.pk,
                job_title="Partnership business manager",
                term_starts_on=add_months(today, -30),
                term_ends_on=add_months(today, 30),
            ),
        )
        members.append((business_manager, 1.0))
        counts.members = len(members)
        recommendations = list(Recommendation.objects.order_by("pk").values_list("pk", flat=True)[:3])
        for number in range(6):
            day = _weekday(today - datetime.timedelta(days=20 + 60 * (5 - number)))
            agenda = rng.sample(AGENDA, 4)
            if number:
                agenda = [AGENDA[0], *[a for a in agenda if a != AGENDA[0]][:3]]
            meeting = board_actions.add_meeting(
                actor=keeper,
                held_on=day,
                title="Riverford Safeguarding Children Partnership Board",
                venue="Riverford Civic Centre",
                agenda=[title for title, _ in agenda],
            )
            counts.meetings += 1
            serving = {
                m.pk: _status(rng, names, chance)
                for m, chance in members
                if m.term_starts_on <= day <= m.term_ends_on
            }
            board_actions.record_attendance(
                actor=keeper, meeting_id=meeting.pk, expected_version=1, outcomes=serving
            )
            counts.attendances += len(serving)
            version = 2
            for item, (_, decision) in zip(meeting.agenda_items.order_by("position"), agenda, strict=True):
                board_actions.record_decision(
                    actor=keeper, item_id=item.pk, expected_version=version, decision=decision
                )
                version += 1
                counts.decisions += 1
            owner, _ = members[rng.randrange(3, len(members) - 1)]
            action = board_actions.add_board_action(
                actor=keeper,
                meeting_id=meeting.pk,
                details=board_actions.ActionDetails(
                    description=ACTIONS[number],
                    owner_id=owner.pk,
                    due_on=day + datetime.timedelta(days=rng.choice((30, 60, 90))),
                    recommendation_id=recommendations[number % len(recommendations)]
                    if recommendations and number % 2 == 0
                    else None,
                ),
            )
            counts.actions += 1
            counts.linked_actions += action.recommendation_id is not None
            if action.due_on < today - datetime.timedelta(days=30):
                board_actions.update_board_action(
                    actor=keeper,
                    action_id=action.pk,
                    expected_version=1,
                    status=ActionStatus.DONE if number != 1 else ActionStatus.IN_PROGRESS,
                    due_on=action.due_on,
                    today=action.due_on - datetime.timedelta(days=rng.randint(0, 20)),
                )
        _write_guidance(keeper, rng, counts)
    return counts


def _issue(
    keeper: User, title: str, kind: str, body: str, issued: datetime.datetime, procedure_key: str = ""
) -> GuidanceItem:
    item = guidance_actions.issue_guidance(
        actor=keeper,
        details=guidance_actions.GuidanceDetails(title=title, kind=kind, procedure_key=procedure_key),
        body=body,
    )
    GuidanceVersion.objects.filter(item=item).update(issued_at=issued)
    return item


def _write_guidance(keeper: User, rng: random.Random, counts: PartnershipCounts) -> None:
    now = timezone.now()
    items: list[GuidanceItem] = [
        _issue(keeper, title, "practice_note", body, now - datetime.timedelta(days=ago))
        for (title, body, _), ago in zip(NOTES, (240, 150, 60), strict=True)
    ]
    items.append(
        _issue(
            keeper,
            THRESHOLDS[0],
            "procedure",
            THRESHOLDS[1],
            now - datetime.timedelta(days=300),
            "thresholds",
        )
    )
    counts.guidance = len(items)
    counts.versions = len(items)
    # Readers acknowledge each item (most of them, and never the last on the list, so that
    # there is always someone to chase); the first note then gets a second version, which
    # fewer have read so far.
    for item in items:
        version = item.versions.get()
        everyone = [p.user for p in recipients(item) if p.user is not None]
        readers = [user for user in everyone[:-1] if rng.random() < 0.85]
        for reader in readers:
            acknowledgement = guidance_actions.acknowledge(actor=reader, version_id=version.pk)
            Acknowledgement.objects.filter(pk=acknowledgement.pk).update(
                acknowledged_at=version.issued_at + datetime.timedelta(days=rng.randint(1, 20))
            )
            counts.acknowledgements += 1
    first = items[0]
    second = guidance_actions.issue_new_version(
        actor=keeper,
        item_id=first.pk,
        expected_version=first.version,
        body=NOTES[0][1].replace("seen by a paediatrician", "seen by a paediatrician the same day"),
        change_note=NOTES[0][2],
    )
    GuidanceVersion.objects.filter(pk=second.pk).update(issued_at=now - datetime.timedelta(days=20))
    counts.versions += 1
    for practitioner in recipients(first):
        if practitioner.user is not None and rng.random() < 0.6:
            acknowledgement = guidance_actions.acknowledge(actor=practitioner.user, version_id=second.pk)
            Acknowledgement.objects.filter(pk=acknowledgement.pk).update(
                acknowledged_at=now - datetime.timedelta(days=rng.randint(1, 19))
            )
            counts.acknowledgements += 1


def delete_partnership() -> None:
    """Delete the board and the guidance (a demo reset: members and acknowledgements
    protect the staff's users), then the agencies only the board used."""
    BoardAction.objects.all().delete()
    BoardMeeting.objects.all().delete()
    BoardMember.objects.all().delete()
    GuidanceItem.objects.all().delete()
    Agency.objects.filter(name__in=list(OWN_AGENCIES), practitioners__isnull=True).delete()
