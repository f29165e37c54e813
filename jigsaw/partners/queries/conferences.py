"""Conferences and core groups seen from the professional network: a practitioner's own
invitations ("Your meetings"), and the partnership's figures of attendance and reports by
agency (figures only: no child is named)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from typing import Literal

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from jigsaw.access.policy import AnyUser, people_visible_to, role_of
from jigsaw.casework.models import (
    Attendance,
    ChildProtectionConference,
    ConferenceInvitation,
    CoreGroupInvitation,
    CoreGroupMeeting,
)
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.partners.models import AgencyKind
from jigsaw.people.models import Person

MeetingKind = Literal["conference", "core_group"]
Meeting = ChildProtectionConference | CoreGroupMeeting
Invitation = ConferenceInvitation | CoreGroupInvitation
KINDS: tuple[MeetingKind, ...] = ("conference", "core_group")


def meeting_of(invitation: Invitation) -> Meeting:
    if isinstance(invitation, ConferenceInvitation):
        return invitation.conference
    return invitation.meeting


def kind_of(invitation: Invitation) -> MeetingKind:
    return "conference" if isinstance(invitation, ConferenceInvitation) else "core_group"


def meeting_day(meeting: Meeting) -> datetime.date:
    return meeting.date if isinstance(meeting, ChildProtectionConference) else meeting.held_on


def meeting_held(meeting: Meeting) -> bool:
    return meeting.held


def meeting_title(meeting: Meeting) -> str:
    """'Initial child protection conference on 3 December 2026 at 10:00' (no child named)."""
    if isinstance(meeting, ChildProtectionConference):
        what = f"{meeting.get_kind_display()} child protection conference"
    else:
        what = "Core group meeting"
    when = f" at {meeting.starts_at:%H:%M}" if meeting.starts_at else ""
    return f"{what} on {govuk_date(meeting_day(meeting))}{when}"


def invitation_url(invitation: Invitation) -> str:
    name = (
        "partners:conference_invitation"
        if kind_of(invitation) == "conference"
        else "partners:core_group_invitation"
    )
    return reverse(name, args=[invitation.pk])


def meeting_children(meeting: Meeting) -> list[Person]:
    """The children the meeting is about (all of them, visible or not)."""
    if isinstance(meeting, ChildProtectionConference):
        return [
            cc.referral.person
            for cc in meeting.children.select_related("referral__person").order_by(
                "referral__person__date_of_birth", "pk"
            )
        ]
    return [meeting.plan.person]


def visible_children(user: AnyUser, children: Sequence[Person]) -> list[Person]:
    """The children the access policy lets this user see (named; the others are counted only)."""
    allowed = set(
        people_visible_to(user).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True)
    )
    return [c for c in children if c.pk in allowed]


def _own(user: AnyUser) -> Q:
    return Q(practitioner__user_id=user.pk or 0) if user.is_authenticated else Q(pk__in=[])


def get_invitation_for(user: AnyUser, kind: MeetingKind, pk: int, *, lock: bool = False) -> Invitation:
    """Fetch one of the user's own invitations; anyone else's, or a missing one, is 404."""
    if role_of(user) is None:
        raise Http404("No such invitation")
    records: QuerySet[ConferenceInvitation] | QuerySet[CoreGroupInvitation]
    if kind == "conference":
        records = ConferenceInvitation.objects.select_related("conference", "agency", "practitioner")
    else:
        records = CoreGroupInvitation.objects.select_related(
            "meeting__plan__person", "agency", "practitioner"
        )
    if lock:
        records = records.select_for_update(of=("self",))
    found = records.filter(_own(user), pk=pk).first()
    if found is None:
        raise Http404("No such invitation")
    return found


@dataclasses.dataclass(frozen=True)
class MeetingRow:
    """One invitation on "Your meetings": the children are named only where the policy
    lets this user see them; the others are counted."""

    invitation: Invitation
    kind: MeetingKind
    title: str
    day: datetime.date
    held: bool
    named_children: list[Person]
    unnamed_children: int
    url: str


@dataclasses.dataclass(frozen=True)
class MyMeetings:
    upcoming: list[MeetingRow]
    past: list[MeetingRow]

    @property
    def named(self) -> list[Person]:
        """Every child named on the page (for the access log)."""
        seen: dict[int, Person] = {}
        for row in [*self.upcoming, *self.past]:
            for person in row.named_children:
                seen.setdefault(person.pk, person)
        return sorted(seen.values(), key=lambda p: p.pk)


def my_meetings(user: AnyUser, *, today: datetime.date, past_days: int = 90) -> MyMeetings:
    """The user's invitations to conferences and core groups: those to come (soonest
    first) and those of the last `past_days` days (latest first)."""
    since = today - datetime.timedelta(days=past_days)
    conferences = ConferenceInvitation.objects.filter(_own(user), conference__date__gte=since).select_related(
        "conference"
    )
    core_groups = CoreGroupInvitation.objects.filter(_own(user), meeting__held_on__gte=since).select_related(
        "meeting__plan__person"
    )
    invitations: list[Invitation] = [*conferences, *core_groups]
    rows: list[MeetingRow] = []
    for invitation in invitations:
        meeting = meeting_of(invitation)
        children = meeting_children(meeting)
        named = visible_children(user, children)
        rows.append(
            MeetingRow(
                invitation=invitation,
                kind=kind_of(invitation),
                title=meeting_title(meeting),
                day=meeting_day(meeting),
                held=meeting.held,
                named_children=named,
                unnamed_children=len(children) - len(named),
                url=invitation_url(invitation),
            )
        )

    def start(row: MeetingRow) -> tuple[datetime.date, datetime.time, int]:
        return (row.day, meeting_of(row.invitation).starts_at or datetime.time(0), row.invitation.pk)

    upcoming = sorted((r for r in rows if r.day >= today and not r.held), key=start)
    past = sorted((r for r in rows if r.day < today or r.held), key=start, reverse=True)
    return MyMeetings(upcoming=upcoming, past=past)


# --- Attendance and reports by agency -----------------------------------------------------

# The agency kinds of the partnership, in the order the figures list them; social care's
# own staff are counted too (the allocated worker is invited), last.
AGENCY_ORDER = [
    AgencyKind.GP_PRACTICE,
    AgencyKind.HEALTH_VISITING,
    AgencyKind.ACUTE_HEALTH,
    AgencyKind.SCHOOL,
    AgencyKind.EARLY_YEARS,
    AgencyKind.POLICE,
    AgencyKind.PROBATION,
    AgencyKind.HOUSING,
    AgencyKind.VOLUNTARY_SECTOR,
    AgencyKind.OTHER_LOCAL_AUTHORITY,
    AgencyKind.SAFEGUARDING_PARTNERSHIP,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
]

COLUMNS = [
    ("invited", "Invited"),
    ("in_person", "Attended in person"),
    ("phone", "Attended by phone"),
    ("video", "Attended by video"),
    ("attended", "Attended in all"),
    ("report_only", "Report only"),
    ("apologies", "Apologies"),
    ("absent", "Did not attend"),
    ("reports", "Reports received"),
]


@dataclasses.dataclass(frozen=True)
class AgencyFigures:
    agency_kind: str
    label: str
    invited: int
    in_person: int
    phone: int
    video: int
    report_only: int
    apologies: int
    absent: int
    reports: int

    @property
    def attended(self) -> int:
        return self.in_person + self.phone + self.video

    def values(self) -> list[int]:
        return [int(getattr(self, name)) for name, _ in COLUMNS]


@dataclasses.dataclass(frozen=True)
class MeetingFigures:
    """One kind of meeting held in the period: how many, and per agency kind."""

    meeting: str
    meetings_held: int
    rows: list[AgencyFigures]
    total: AgencyFigures
    # Core groups recorded without being arranged in Jigsaw have members, not invitations:
    # they are counted here and left out of the figures (their attendance has no mode).
    not_arranged: int = 0


@dataclasses.dataclass(frozen=True)
class AttendanceFigures:
    start: datetime.date
    end: datetime.date
    conferences: MeetingFigures
    core_groups: MeetingFigures


def _figures(
    invitations: QuerySet[ConferenceInvitation] | QuerySet[CoreGroupInvitation],
) -> tuple[list[AgencyFigures], AgencyFigures]:
    counted = (
        invitations.filter(family_role="", agency__isnull=False)
        .values("agency__kind")
        .annotate(
            invited=Count("pk"),
            in_person=Count("pk", filter=Q(attendance=Attendance.IN_PERSON)),
            phone=Count("pk", filter=Q(attendance=Attendance.PHONE)),
            video=Count("pk", filter=Q(attendance=Attendance.VIDEO)),
            report_only=Count("pk", filter=Q(attendance=Attendance.REPORT_ONLY)),
            apologies=Count("pk", filter=Q(attendance=Attendance.APOLOGIES)),
            absent=Count("pk", filter=Q(attendance=Attendance.DID_NOT_ATTEND)),
            reports=Count("pk", filter=Q(report_received=True)),
        )
    )
    by_kind = {row["agency__kind"]: row for row in counted}
    labels = dict(AgencyKind.choices)
    names = ["invited", "in_person", "phone", "video", "report_only", "apologies", "absent", "reports"]
    rows = [
        AgencyFigures(kind.value, labels[kind.value], *(int(by_kind[kind.value][n]) for n in names))
        for kind in AGENCY_ORDER
        if kind.value in by_kind
    ]
    total = AgencyFigures("", "All agencies", *(sum(int(getattr(r, n)) for r in rows) for n in names))
    return rows, total


def attendance_by_agency(*, start: datetime.date, end: datetime.date) -> AttendanceFigures:
    """Professionals' attendance and reports at conferences and core groups held between
    `start` and `end` (inclusive), by kind of agency: invited, attended (in person, by phone,
    by video), sent a report only, sent apologies, did not attend, reports received.
    Meetings not yet held (or whose outcome is not recorded) are not counted: their
    attendance is not known. Nothing here names a child."""
    held_conferences = ChildProtectionConference.objects.filter(held=True, date__gte=start, date__lte=end)
    held_core_groups = CoreGroupMeeting.objects.filter(held=True, held_on__gte=start, held_on__lte=end)
    conference_rows, conference_total = _figures(
        ConferenceInvitation.objects.filter(conference__in=held_conferences)
    )
    arranged = held_core_groups.filter(invitations__isnull=False).distinct()
    core_rows, core_total = _figures(CoreGroupInvitation.objects.filter(meeting__in=held_core_groups))
    return AttendanceFigures(
        start=start,
        end=end,
        conferences=MeetingFigures(
            "Child protection conferences", held_conferences.count(), conference_rows, conference_total
        ),
        core_groups=MeetingFigures(
            "Core group meetings",
            arranged.count(),
            core_rows,
            core_total,
            not_arranged=held_core_groups.count() - arranged.count(),
        ),
    )


def attendance_csv_rows(figures: AttendanceFigures) -> list[list[object]]:
    """The figures as rows for a CSV file: one per meeting kind and agency kind, and totals."""
    out: list[list[object]] = []
    for block in (figures.conferences, figures.core_groups):
        for row in [*block.rows, block.total]:
            out.append([block.meeting, row.label, *row.values()])
    return out


CSV_HEADER = ["Meeting", "Agency", *(label for _, label in COLUMNS)]


def arranger_of(meeting: Meeting) -> User | None:
    """Who hears about a report sent through Jigsaw: whoever arranged the meeting."""
    if isinstance(meeting, ChildProtectionConference):
        return meeting.scheduled_by
    return meeting.arranged_by
