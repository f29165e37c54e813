"""Reading the board: who sits on it now, whose term ends soon, its meetings and actions,
and its governance (representation by agency, attendance over the last 12 months,
vacancies)."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Q, QuerySet

from jigsaw.casework.timescales import add_months
from jigsaw.partners.models import Agency
from jigsaw.partnership.models.board import (
    LAY_MEMBER_SEATS,
    OPEN_STATUSES,
    PRESENT,
    STATUTORY_PARTNERS,
    AttendanceStatus,
    BoardAction,
    BoardMeeting,
    BoardMember,
    BoardRole,
    MeetingAttendance,
)
from jigsaw.quality.models.recommendations import Recommendation

TERMS_ENDING_MONTHS = 3
ATTENDANCE_MONTHS = 12


def serving_on(day: datetime.date) -> Q:
    """Members whose term covers `day`."""
    return Q(term_starts_on__lte=day, term_ends_on__gte=day)


def current_members(today: datetime.date) -> QuerySet[BoardMember]:
    return (
        BoardMember.objects.filter(serving_on(today))
        .select_related("agency", "user")
        .order_by("role", "agency__name", "full_name", "pk")
    )


def all_members() -> QuerySet[BoardMember]:
    return BoardMember.objects.select_related("agency", "user").order_by("-term_ends_on", "pk")


def terms_ending(today: datetime.date, months: int = TERMS_ENDING_MONTHS) -> QuerySet[BoardMember]:
    """Current members whose term ends in the next `months` months, soonest first."""
    return (
        current_members(today)
        .filter(term_ends_on__lte=add_months(today, months))
        .order_by("term_ends_on", "pk")
    )


def meetings() -> QuerySet[BoardMeeting]:
    return BoardMeeting.objects.order_by("-held_on", "-pk")


def meeting_members(meeting: BoardMeeting) -> list[tuple[BoardMember, MeetingAttendance | None]]:
    """The members serving on the meeting's day, each with their recorded attendance."""
    recorded = {a.member_id: a for a in MeetingAttendance.objects.filter(meeting=meeting)}
    return [
        (member, recorded.get(member.pk))
        for member in BoardMember.objects.filter(serving_on(meeting.held_on))
        .select_related("agency", "user")
        .order_by("role", "agency__name", "full_name", "pk")
    ]


def action_log(*, open_only: bool = False) -> QuerySet[BoardAction]:
    actions = BoardAction.objects.select_related(
        "owner",
        "owner__user",
        "owner__agency",
        "meeting",
        "recommendation",
        "recommendation__recommendation_set",
    ).order_by("due_on", "pk")
    return actions.filter(status__in=OPEN_STATUSES) if open_only else actions


def actions_for_recommendation(recommendation: Recommendation) -> QuerySet[BoardAction]:
    """The board's actions that answer a recommendation (read-only, for its page)."""
    return action_log().filter(recommendation=recommendation)


def recommendation_choices() -> list[tuple[int, str]]:
    return [
        (pk, f"{title}: recommendation {number}")
        for pk, title, number in Recommendation.objects.order_by(
            "recommendation_set__title", "position", "pk"
        ).values_list("pk", "recommendation_set__title", "number")
    ]


@dataclasses.dataclass
class AttendanceRate:
    name: str
    agency: str = ""
    meetings: int = 0
    present: int = 0
    deputies: int = 0
    apologies: int = 0
    absent: int = 0

    @property
    def attended(self) -> int:
        return self.present - self.deputies

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.meetings) if self.meetings else 0


@dataclasses.dataclass(frozen=True)
class Governance:
    since: datetime.date
    meetings: int
    members: list[AttendanceRate]
    agencies: list[AttendanceRate]
    by_meeting: list[tuple[BoardMeeting, AttendanceRate]]
    statutory_partners: list[tuple[str, list[BoardMember]]]
    agency_representation: list[tuple[Agency, list[BoardMember]]]
    lay_seats: int
    lay_members: list[BoardMember]
    terms_ending: list[BoardMember]

    @property
    def lay_vacancies(self) -> int:
        return max(0, self.lay_seats - len(self.lay_members))

    @property
    def chart(self) -> dict[str, object]:
        """Each agency's attendance rate, for the bar chart (the same figures as the table)."""
        return {
            "labels": [a.name for a in self.agencies],
            "values": [a.percent for a in self.agencies],
        }


def _count(rate: AttendanceRate, status: str) -> None:
    rate.meetings += 1
    if status in PRESENT:
        rate.present += 1
    if status == AttendanceStatus.DEPUTY:
        rate.deputies += 1
    elif status == AttendanceStatus.APOLOGIES:
        rate.apologies += 1
    elif status == AttendanceStatus.ABSENT:
        rate.absent += 1


def governance(today: datetime.date) -> Governance:
    """The board's governance at a glance. Attendance counts the meetings of the last 12
    months at which a member's attendance was recorded; an agency was present at a
    meeting when any of its members came or sent a deputy."""
    since = add_months(today, -ATTENDANCE_MONTHS)
    recorded = list(
        MeetingAttendance.objects.filter(meeting__held_on__gt=since, meeting__held_on__lte=today)
        .select_related("member", "member__user", "member__agency", "meeting")
        .order_by("meeting__held_on", "meeting_id", "member_id")
    )
    members: dict[int, AttendanceRate] = {}
    by_meeting: dict[int, tuple[BoardMeeting, AttendanceRate]] = {}
    # Per agency, per meeting: the best status any of its members had there.
    agency_status: dict[str, dict[int, str]] = defaultdict(dict)
    for attendance in recorded:
        member = attendance.member
        agency_name = member.agency.name if member.agency is not None else ""
        rate = members.setdefault(member.pk, AttendanceRate(member.name, agency_name))
        _count(rate, attendance.status)
        _, meeting_rate = by_meeting.setdefault(
            attendance.meeting_id, (attendance.meeting, AttendanceRate(str(attendance.meeting)))
        )
        _count(meeting_rate, attendance.status)
        if agency_name:
            statuses = agency_status[agency_name]
            previous = statuses.get(attendance.meeting_id)
            if previous is None or (previous not in PRESENT and attendance.status in PRESENT):
                statuses[attendance.meeting_id] = attendance.status
    agencies: list[AttendanceRate] = []
    for name in sorted(agency_status):
        rate = AttendanceRate(name, name)
        for status in agency_status[name].values():
            _count(rate, status)
        agencies.append(rate)
    current = list(current_members(today))
    statutory = [
        (label, [m for m in current if m.agency is not None and m.agency.kind in kinds])
        for label, kinds in STATUTORY_PARTNERS.items()
    ]
    by_agency: dict[int, list[BoardMember]] = defaultdict(list)
    for member in current:
        if member.agency_id is not None:
            by_agency[member.agency_id].append(member)
    agency_representation = [
        (agency, by_agency[agency.pk])
        for agency in Agency.objects.filter(pk__in=list(by_agency)).order_by("name")
    ]
    return Governance(
        since=since,
        meetings=len(by_meeting),
        members=sorted(members.values(), key=lambda r: (r.agency, r.name)),
        agencies=agencies,
        by_meeting=list(by_meeting.values()),
        statutory_partners=statutory,
        agency_representation=agency_representation,
        lay_seats=LAY_MEMBER_SEATS,
        lay_members=[m for m in current if m.role == BoardRole.LAY_MEMBER],
        terms_ending=list(terms_ending(today)),
    )
