"""Reading guidance: who it is addressed to, what each user has still to read, and who
has and has not acknowledged the current version, by agency and by team.

The audience is worked out when asked, from each user's practitioner record (agency,
kind of agency, role), so staff who join later are asked too and leavers drop out."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission, role_of
from jigsaw.partners.models import Practitioner
from jigsaw.partnership.models.guidance import Acknowledgement, GuidanceItem, GuidanceVersion


def current_version(item: GuidanceItem) -> GuidanceVersion | None:
    """The latest issued version: the one everyone is asked to read."""
    return GuidanceVersion.objects.filter(item=item).order_by("-number").first()


def audience_condition(item: GuidanceItem) -> Q:
    """The practitioners the item is addressed to (those who sign in), as a condition."""
    condition = Q(user__isnull=False, user__is_active=True)
    if not item.all_agencies:
        condition &= Q(agency__in=item.agencies.all()) | Q(agency__kind__in=item.agency_kinds)
    if item.roles:
        condition &= Q(role__in=item.roles)
    return condition


def recipients(item: GuidanceItem) -> QuerySet[Practitioner]:
    return (
        Practitioner.objects.filter(audience_condition(item))
        .select_related("agency", "team", "user")
        .order_by("agency__name", "full_name", "pk")
    )


def _addresses(item: GuidanceItem, practitioner: Practitioner, chosen_agencies: set[int]) -> bool:
    if item.roles and practitioner.role not in item.roles:
        return False
    if item.all_agencies:
        return True
    return practitioner.agency_id in chosen_agencies or practitioner.agency.kind in item.agency_kinds


def is_addressed_to(item: GuidanceItem, user: AnyUser) -> bool:
    """Whether the user is in the item's audience (the same rule as `audience_condition`)."""
    practitioner = getattr(user, "practitioner", None) if user.is_authenticated and user.is_active else None
    if practitioner is None:
        return False
    return _addresses(item, practitioner, set(item.agencies.values_list("pk", flat=True)))


@dataclasses.dataclass(frozen=True)
class GuidanceForReader:
    item: GuidanceItem
    version: GuidanceVersion
    acknowledged_at: datetime.datetime | None  # None while unread


def guidance_for(user: AnyUser) -> list[GuidanceForReader]:
    """Every item addressed to the user, with its current version and when they
    acknowledged it (None: still to read). Few items, so the audience is checked here."""
    practitioner = getattr(user, "practitioner", None) if role_of(user) is not None else None
    if practitioner is None:
        return []
    items = list(GuidanceItem.objects.prefetch_related("agencies"))
    latest: dict[int, GuidanceVersion] = {}
    for version in GuidanceVersion.objects.defer("body").order_by("item_id", "number"):
        latest[version.item_id] = version
    assert practitioner.user_id is not None  # a user with a role signs in
    read = dict(
        Acknowledgement.objects.filter(
            user_id=practitioner.user_id, version__in=list(latest.values())
        ).values_list("version_id", "acknowledged_at")
    )
    found = [
        GuidanceForReader(item, latest[item.pk], read.get(latest[item.pk].pk))
        for item in items
        if item.pk in latest and _addresses(item, practitioner, {a.pk for a in item.agencies.all()})
    ]
    return sorted(found, key=lambda g: g.version.issued_at, reverse=True)


def acknowledgement_of(version: GuidanceVersion, user: AnyUser) -> Acknowledgement | None:
    """When the user said they read this version, if they have."""
    if not user.is_authenticated or user.pk is None:
        return None
    return Acknowledgement.objects.filter(version=version, user_id=int(user.pk)).first()


def get_item_for(user: AnyUser, pk: int) -> GuidanceItem:
    """An item its issuers and its audience may open (and a linked procedure, anyone);
    anyone else is told it is not there."""
    item = GuidanceItem.objects.filter(pk=pk).first()
    if item is None or role_of(user) is None:
        raise Http404("No such guidance")
    # A procedure linked from the pages where it applies is open to everyone who uses them.
    if item.procedure_key or has_permission(user, Permission.ISSUE_GUIDANCE) or is_addressed_to(item, user):
        return item
    raise Http404("No such guidance")


def procedure(key: str) -> tuple[GuidanceItem, GuidanceVersion] | None:
    """The issued procedure linked from the pages of `key`, with its current version."""
    item = GuidanceItem.objects.filter(procedure_key=key).first()
    if item is None:
        return None
    version = current_version(item)
    return (item, version) if version is not None else None


@dataclasses.dataclass
class ReadingGroup:
    """Acknowledgement in one agency or team."""

    name: str
    recipients: int = 0
    read: int = 0
    outstanding: list[str] = dataclasses.field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.recipients) if self.recipients else 0


@dataclasses.dataclass(frozen=True)
class ReadingReport:
    version: GuidanceVersion | None
    total: ReadingGroup
    by_agency: list[ReadingGroup]
    by_team: list[ReadingGroup]


def reading_report(item: GuidanceItem) -> ReadingReport:
    """Who has and has not acknowledged the current version: counts, percentages and the
    names of those outstanding, for everyone, each agency and each team."""
    version = current_version(item)
    read_by = (
        set(Acknowledgement.objects.filter(version=version).values_list("user_id", flat=True))
        if version
        else set()
    )
    total = ReadingGroup("Everyone")
    agencies: dict[str, ReadingGroup] = {}
    teams: dict[str, ReadingGroup] = defaultdict(lambda: ReadingGroup(""))
    for practitioner in recipients(item):
        team_name = (
            f"{practitioner.team.name} ({practitioner.agency.name})"
            if practitioner.team is not None
            else f"No team ({practitioner.agency.name})"
        )
        agency = agencies.setdefault(practitioner.agency.name, ReadingGroup(practitioner.agency.name))
        team = teams[team_name]
        team.name = team_name
        for group in (total, agency, team):
            group.recipients += 1
            if practitioner.user_id in read_by:
                group.read += 1
            else:
                group.outstanding.append(practitioner.full_name)
    return ReadingReport(
        version=version,
        total=total,
        by_agency=sorted(agencies.values(), key=lambda g: g.name),
        by_team=sorted(teams.values(), key=lambda g: g.name),
    )


def issued_items() -> list[tuple[GuidanceItem, GuidanceVersion | None, ReadingGroup]]:
    """Every item with its current version and overall acknowledgement, for the issuers."""
    return [(item, *_totals(item)) for item in GuidanceItem.objects.prefetch_related("agencies")]


def _totals(item: GuidanceItem) -> tuple[GuidanceVersion | None, ReadingGroup]:
    report = reading_report(item)
    return report.version, report.total
