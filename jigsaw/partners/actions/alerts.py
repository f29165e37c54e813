"""Alerts that join the dots: what happens when partner events (and partner concerns)
arrive about children Jigsaw knows, and the front door's handling of emerging concerns.

Working Together to Safeguard Children 2023 asks agencies to share information "as early
as possible" and local arrangements to spot emerging patterns; the serious case reviews
(Victoria Climbié, Peter Connelly) found each agency holding a piece nobody joined up.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import SubjectKey, record_access
from jigsaw.access.policy import AnyUser, Permission
from jigsaw.access.roles import Role
from jigsaw.casework.actions.common import acting_user, check_version
from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.core.text import in_sentence
from jigsaw.partners.actions import Message, send_messages
from jigsaw.partners.alerts_rules import Finding, Item, address_key, evaluate
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    AlertRule,
    ConcernChild,
    ConcernStatus,
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    EmergingConcern,
    EmergingConcernStatus,
    EventSubject,
    EventSubtype,
    InformationSharingAgreement,
    LegalBasis,
    Practitioner,
    RuleKind,
    SubjectRole,
)
from jigsaw.people.models import BirthDatePrecision, age_on

ADULT_AGE = 18
# Roles that name a child even when the child's age is not known.
CHILD_ROLES = frozenset(
    {SubjectRole.CHILD, SubjectRole.CHILD_PRESENT, SubjectRole.PUPIL, SubjectRole.HOUSEHOLD_CHILD}
)
# A partner concern counts once it has reached the front door.
COUNTED_CONCERNS = (ConcernStatus.SUBMITTED, ConcernStatus.DECIDED)
MATCH_LINKED = "link"
CHANGE_OF_SCHOOL_PURPOSE = (
    "To tell the receiving school's designated safeguarding lead that the child has a child "
    "protection plan, and who to call"
)


@dataclass(frozen=True)
class Child:
    """A child an event or concern is about: what the rules need to know of them."""

    person_id: int
    age: int | None
    unborn: bool


def _child(
    person_id: int,
    *,
    born: datetime.date | None,
    precision: str,
    died: datetime.date | None,
    role: str,
    today: datetime.date,
) -> Child | None:
    """The person as a child, or None for an adult (a child's age decides; without a date of
    birth, the role the partner gave them does)."""
    unborn = precision == BirthDatePrecision.EXPECTED
    age = age_on(today, born=born, unborn=unborn, died=died)
    if unborn or (age is not None and age < ADULT_AGE) or (age is None and role in CHILD_ROLES):
        return Child(person_id, age, unborn)
    return None


@dataclass(frozen=True)
class Arrival:
    """One matched subject of an event just received, read as a row (a batch of thousands
    is read without building four model instances for each)."""

    event_id: int
    role: str
    person_id: int
    given_names: str
    family_name: str
    date_of_birth: datetime.date | None
    birth_date_precision: str
    date_of_death: datetime.date | None
    kind: str
    subtype: str
    occurred_at: datetime.datetime
    summary: str
    address: str
    postcode: str
    agency_kind: str
    agency_name: str
    receiving_agency_id: int | None


ARRIVAL_FIELDS = (
    "event_id",
    "role",
    "person_id",
    "person__given_names",
    "person__family_name",
    "person__date_of_birth",
    "person__birth_date_precision",
    "person__date_of_death",
    "event__kind",
    "event__subtype",
    "event__occurred_at",
    "event__summary",
    "event__address",
    "event__postcode",
    "event__agency__kind",
    "event__agency__name",
    "event__receiving_agency_id",
)
_AGENCY_KINDS = dict(AgencyKind.choices)
_SUBTYPES = dict(EventSubtype.choices)
_ROLES = dict(SubjectRole.choices)


def _first_line(address: str) -> str:
    return address.split(",")[0].strip()


def _event_headline(a: Arrival) -> str:
    """ "Police: domestic abuse incident at 14 Mill Lane on 21 November 2026"."""
    where = f" at {_first_line(a.address)}" if a.address.strip() else ""
    local = timezone.localtime(a.occurred_at)
    kind = _AGENCY_KINDS.get(a.agency_kind, a.agency_name)
    what = in_sentence(str(_SUBTYPES.get(a.subtype, a.subtype)))
    return f"{kind}: {what}{where} on {local:%-d %B %Y}"[:200]


def events_arrived(*, event_ids: Sequence[int]) -> None:
    """React to partner events just written, inside the ingest transaction.

    - A child open to social care: the allocated worker is alerted at once (inbox, and an
      e-mail that does not name the child), after commit.
    - A child on a child protection plan moving school: the receiving school's designated
      safeguarding lead is told who to call (Working Together 2023: the plan's lead
      professional makes sure a new school knows), and the disclosure is recorded.
    - A child not open: the active alert rules are evaluated for that child, and a rule that
      fires raises (or adds evidence to) an emerging concern for the front door.

    Work is per batch, with a bounded number of queries however many events arrive.
    """
    ids = list(dict.fromkeys(event_ids))
    if ids:
        _events_arrived(ids)


@transaction.atomic
def _events_arrived(ids: list[int]) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    arrivals = [
        Arrival(*row)
        for row in EventSubject.objects.filter(event_id__in=ids, person__isnull=False).values_list(
            *ARRIVAL_FIELDS
        )
    ]
    children: dict[int, Child] = {}
    for a in arrivals:
        if a.person_id in children:
            continue
        found = _child(
            a.person_id,
            born=a.date_of_birth,
            precision=a.birth_date_precision,
            died=a.date_of_death,
            role=a.role,
            today=today,
        )
        if found is not None:
            children[a.person_id] = found
    if not children:
        return
    open_referrals = {
        r.person_id: r
        for r in Referral.objects.filter(person_id__in=children, closed_on__isnull=True)
        .select_related("allocated_worker__practitioner", "team")
        .order_by("referred_on", "pk")
    }
    messages = _worker_alerts(arrivals, open_referrals)
    messages += _changes_of_school(arrivals, open_referrals, now)
    send_messages(messages)
    not_open = {pid: c for pid, c in children.items() if pid not in open_referrals}
    _evaluate_rules(
        not_open,
        new_event_ids={a.event_id for a in arrivals},
        new_concern_ids=set(),
        around_times=[a.occurred_at for a in arrivals if a.person_id in not_open],
        now=now,
    )


def _responsible(referrals: Iterable[Referral]) -> dict[int, list[int]]:
    """Who is told about each open referral's child: the allocated worker; while the
    episode waits for allocation, the managers of its team (somebody must hear)."""
    unallocated_teams = {r.team_id for r in referrals if r.allocated_worker_id is None and r.team_id}
    managers: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in Practitioner.objects.filter(
        team_id__in=unallocated_teams, role=Role.TEAM_MANAGER, user__isnull=False, user__is_active=True
    ).values_list("team_id", "user_id"):
        managers[team_id].append(user_id)
    return {
        r.pk: [r.allocated_worker_id]
        if r.allocated_worker_id is not None
        else (managers.get(r.team_id, []) if r.team_id else [])
        for r in referrals
    }


def _worker_alerts(arrivals: Sequence[Arrival], open_referrals: dict[int, Referral]) -> list[Message]:
    """One message per worker, child and event: the headline, with a link to the child's
    chronology, where the event now appears."""
    messages: dict[tuple[int, int, int], Message] = {}
    links: dict[int, str] = {}
    told = _responsible(open_referrals.values())
    for a in arrivals:
        referral = open_referrals.get(a.person_id)
        if referral is None:
            continue
        how = (
            "The child lives at the address of this event."
            if a.role == SubjectRole.HOUSEHOLD_CHILD
            else f"The child is named in the event as: {str(_ROLES.get(a.role, a.role)).lower()}."
        )
        if referral.allocated_worker_id is None:
            how += " The child's episode is waiting for allocation: you are told as the team's manager."
        if a.person_id not in links:
            links[a.person_id] = reverse("casework:chronology", kwargs={"person_id": a.person_id})
        for recipient in told[referral.pk]:
            messages[(recipient, a.person_id, a.event_id)] = Message(
                recipient_id=recipient,
                subject=_event_headline(a),
                body=f"{a.summary}\n\n{how} Received from {a.agency_name}.",
                link=links[a.person_id],
                email=True,
            )
    return list(messages.values())


def _who_to_call(referral: Referral) -> str:
    worker = referral.allocated_worker
    team = referral.team
    practitioner: Practitioner | None = getattr(worker, "practitioner", None) if worker else None
    phone = (practitioner.phone if practitioner else "") or (team.phone if team else "")
    if worker is not None:
        name = practitioner.full_name if practitioner else worker.get_full_name() or worker.get_username()
        who = f"the allocated social worker, {name}"
    else:
        who = "the duty social worker"
    if team is not None:
        who += f", {team.name}"
    return f"{who}, on {phone}" if phone else who


def _changes_of_school(
    arrivals: Sequence[Arrival], open_referrals: dict[int, Referral], now: datetime.datetime
) -> list[Message]:
    """Tell each receiving school's designated safeguarding leads about a child on a plan,
    only the fact of the plan and who to call, and record each disclosure."""
    moves = [
        a
        for a in arrivals
        if a.subtype == EventSubtype.CHANGE_OF_SCHOOL
        and a.receiving_agency_id is not None
        and a.person_id in open_referrals
    ]
    if not moves:
        return []
    on_plan = set(
        ChildProtectionPlan.objects.filter(
            person_id__in={a.person_id for a in moves}, ended_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    moves = [a for a in moves if a.person_id in on_plan]
    if not moves:
        return []
    schools = {s.pk: s for s in Agency.objects.filter(pk__in={a.receiving_agency_id for a in moves})}
    leads: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in Practitioner.objects.filter(
        agency_id__in=schools, safeguarding_lead=True, user__isnull=False, user__is_active=True
    ).values_list("agency_id", "user_id"):
        leads[agency_id].append(user_id)
    # The sharing agreement each school has signed, if any, is recorded with the disclosure.
    today = timezone.localdate(now)
    agreements: dict[int, int] = {}
    for agency_id, agreement_id in (
        InformationSharingAgreement.objects.filter(agencies__in=schools, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("-starts_on", "pk")
        .values_list("agencies", "pk")
    ):
        agreements.setdefault(agency_id, agreement_id)
    messages: list[Message] = []
    disclosures: list[Disclosure] = []
    told: set[tuple[int, int]] = set()
    for a in moves:
        assert a.receiving_agency_id is not None
        referral = open_referrals[a.person_id]
        school = schools[a.receiving_agency_id]
        call = _who_to_call(referral)
        name = f"{a.given_names} {a.family_name}".strip()
        for lead_id in leads.get(school.pk, []):
            if (a.person_id, lead_id) in told:
                continue
            told.add((a.person_id, lead_id))
            born = f", born {a.date_of_birth:%-d %B %Y}" if a.date_of_birth else ""
            messages.append(
                Message(
                    recipient_id=lead_id,
                    subject="A child joining your school has a child protection plan",
                    body=(
                        f"{name}{born}, is joining {school.name} and has a child protection plan. "
                        f"Please call {call}, who will tell you what the school needs to know."
                    ),
                    email=True,
                )
            )
            disclosures.append(
                Disclosure(
                    person_id=a.person_id,
                    kind=DisclosureKind.CHANGE_OF_SCHOOL,
                    recipient_id=lead_id,
                    recipient_agency_id=school.pk,
                    purpose=CHANGE_OF_SCHOOL_PURPOSE,
                    legal_basis=LegalBasis.LEGAL_OBLIGATION,
                    consent=ConsentStatus.NOT_NEEDED,
                    agreement_id=agreements.get(school.pk),
                    disclosed_at=now,
                    source_type="partners.partnerevent",
                    source_id=str(a.event_id),
                )
            )
        if not leads.get(school.pk) and referral.allocated_worker_id is not None:
            # Nobody at the school signs in to Jigsaw: the worker makes the call instead.
            phone = f" on {school.phone}" if school.phone else ""
            messages.append(
                Message(
                    recipient_id=referral.allocated_worker_id,
                    subject=f"Tell {school.name} about the child protection plan"[:200],
                    body=(
                        f"{name} is moving to {school.name}, whose designated safeguarding lead "
                        f"is not in Jigsaw. Please call the school{phone}."
                    ),
                    link=reverse("casework:chronology", kwargs={"person_id": a.person_id}),
                    email=True,
                )
            )
    if disclosures:
        Disclosure.objects.bulk_create(disclosures)
        record_access(
            user=None,
            action="disclose_change_of_school",
            detail={"disclosures": len(disclosures)},
            subjects=sorted({("people.person", str(d.person_id)) for d in disclosures}),
        )
    return messages


def _items_for(
    children: dict[int, Child],
    *,
    new_event_ids: set[int],
    new_concern_ids: set[int],
    since: datetime.datetime,
    until: datetime.datetime,
    with_concerns: bool,
) -> dict[int, list[Item]]:
    """Every event and (if asked) every partner concern about these children in the period,
    as evidence items: two queries for the whole batch."""
    items: dict[int, dict[tuple[str, int], Item]] = defaultdict(dict)
    rows = EventSubject.objects.filter(
        person_id__in=children, event__occurred_at__gte=since, event__occurred_at__lte=until
    ).values_list(
        "person_id",
        "event_id",
        "event__occurred_at",
        "event__agency_id",
        "event__agency__name",
        "event__kind",
        "event__subtype",
        "event__address",
        "event__postcode",
    )
    for person_id, event_id, occurred_at, agency_id, agency_name, kind, subtype, address, postcode in rows:
        items[person_id][("event", event_id)] = Item(
            occurred_at=occurred_at,
            agency_id=agency_id,
            agency_name=agency_name,
            kind=kind,
            subtype=subtype,
            label=str(_SUBTYPES.get(subtype, subtype)),
            address=address,
            address_key=address_key(address, postcode),
            event_id=event_id,
            new=event_id in new_event_ids,
        )
    if with_concerns:
        concern_rows = (
            ConcernChild.objects.filter(
                Q(person_id__in=children)
                | Q(person__isnull=True, matched_person_id__in=children, match_outcome=MATCH_LINKED),
                concern__status__in=COUNTED_CONCERNS,
                concern__submitted_at__gte=since,
                concern__submitted_at__lte=until,
            )
            .select_related("concern__agency")
            .order_by("pk")
        )
        for cc in concern_rows:
            concern = cc.concern
            pid = cc.person_id or cc.matched_person_id
            assert pid is not None and concern.submitted_at is not None
            items[pid][("concern", concern.pk)] = Item(
                occurred_at=concern.submitted_at,
                agency_id=concern.agency_id,
                agency_name=concern.agency.name,
                kind="concern",
                subtype="",
                label=f"Concern {concern.reference}",
                concern_id=concern.pk,
                new=cc.pk in new_concern_ids,
            )
    return {pid: list(by_key.values()) for pid, by_key in items.items()}


def _evaluate_rules(
    children: dict[int, Child],
    *,
    new_event_ids: set[int],
    new_concern_ids: set[int],
    around_times: Iterable[datetime.datetime],
    now: datetime.datetime,
) -> list[int]:
    """Evaluate the active rules for children not open to social care, and raise what fires."""
    if not children:
        return []
    rules = list(AlertRule.objects.filter(active=True))
    if not rules:
        return []
    times = list(around_times)
    if not times:
        return []
    widest = datetime.timedelta(days=max(r.window_days for r in rules))
    items = _items_for(
        children,
        new_event_ids=new_event_ids,
        new_concern_ids=new_concern_ids,
        since=min(times) - widest,
        until=max(max(times), now) + widest,
        with_concerns=any(r.kind == RuleKind.AGENCIES for r in rules),
    )
    findings: list[Finding] = []
    for pid, child in children.items():
        evidence = items.get(pid, [])
        if not any(i.new for i in evidence):
            continue
        for rule in rules:
            finding = evaluate(rule, person_id=pid, age=child.age, unborn=child.unborn, items=evidence)
            if finding is not None:
                findings.append(finding)
    return _raise(findings, now)


def _raise(findings: Sequence[Finding], now: datetime.datetime) -> list[int]:
    """One open emerging concern per rule and child: new ones created, open ones given the
    new evidence (and a new version, so a front door officer reading the old evidence is
    told before they act on it). Safe against a concurrent batch raising the same one.
    Returns the open concerns' keys."""
    if not findings:
        return []
    wanted = {(f.rule.pk, f.person_id): f for f in findings}

    def open_ones() -> dict[tuple[int, int], tuple[int, str]]:
        rows = EmergingConcern.objects.filter(
            status=EmergingConcernStatus.OPEN,
            rule_id__in={r for r, _ in wanted},
            person_id__in={p for _, p in wanted},
        ).values_list("pk", "rule_id", "person_id", "summary")
        return {(r, p): (pk, summary) for pk, r, p, summary in rows if (r, p) in wanted}

    existing = open_ones()
    created = [
        EmergingConcern(rule=f.rule, person_id=f.person_id, summary=f.summary, raised_at=now)
        for key, f in wanted.items()
        if key not in existing
    ]
    # The new evidence and a new version, in one statement.
    updated = [
        EmergingConcern(pk=pk, summary=wanted[key].summary, version=F("version") + 1)
        for key, (pk, summary) in existing.items()
        if summary != wanted[key].summary
    ]
    if created:
        EmergingConcern.objects.bulk_create(created, ignore_conflicts=True)
    current = open_ones() if created else existing
    if updated:
        EmergingConcern.objects.bulk_update(updated, ["summary", "version"], batch_size=500)
    through = EmergingConcern.evidence.through
    through.objects.bulk_create(
        [
            through(emergingconcern_id=current[key][0], partnerevent_id=event_id)
            for key, f in wanted.items()
            if key in current
            for event_id in f.event_ids
        ],
        ignore_conflicts=True,
    )
    concerned: list[SubjectKey] = [("partners.emergingconcern", str(pk)) for pk, _ in current.values()]
    concerned += sorted({("people.person", str(p)) for _, p in wanted})
    record_access(
        user=None,
        action="raise_emerging_concern",
        detail={
            "rules": sorted({f.rule.name for f in findings}),
            "raised": len(created),
            "updated": len(updated),
        },
        subjects=concerned,
    )
    return [pk for pk, _ in current.values()]


@transaction.atomic
def concerns_submitted(*, concern_child_ids: Sequence[int]) -> None:
    """Count partner concerns just submitted towards the rules, for children not open to
    social care (two concerns from different agencies in one week reach the front door as
    one emerging concern, however the concerns were triaged). Call inside the submitting
    transaction, after the children have been matched."""
    ids = list(dict.fromkeys(concern_child_ids))
    if not ids:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    rows = list(
        ConcernChild.objects.filter(pk__in=ids, concern__status__in=COUNTED_CONCERNS).select_related(
            "concern__agency", "person", "matched_person"
        )
    )
    children: dict[int, Child] = {}
    times: list[datetime.datetime] = []
    for cc in rows:
        person = cc.person or (cc.matched_person if cc.match_outcome == MATCH_LINKED else None)
        if person is None or cc.concern.submitted_at is None:
            continue
        found = _child(
            person.pk,
            born=person.date_of_birth,
            precision=person.birth_date_precision,
            died=person.date_of_death,
            role=SubjectRole.CHILD,
            today=today,
        )
        if found is not None:
            children.setdefault(found.person_id, found)
            times.append(cc.concern.submitted_at)
    open_referrals = {
        r.person_id: r
        for r in Referral.objects.filter(person_id__in=children, closed_on__isnull=True).order_by(
            "referred_on", "pk"
        )
    }
    open_people = set(open_referrals)
    send_messages(_concern_alerts(rows, open_referrals))
    _evaluate_rules(
        {pid: c for pid, c in children.items() if pid not in open_people},
        new_event_ids=set(),
        new_concern_ids={cc.pk for cc in rows},
        around_times=times,
        now=now,
    )


def _concern_alerts(rows: Sequence[ConcernChild], open_referrals: dict[int, Referral]) -> list[Message]:
    """A partner's concern about a child already open to social care: the worker hears of
    it at once, not only when the front door has recorded the contact."""
    told = _responsible(open_referrals.values())
    messages: dict[tuple[int, int], Message] = {}
    for cc in rows:
        person = cc.person or (cc.matched_person if cc.match_outcome == MATCH_LINKED else None)
        referral = open_referrals.get(person.pk) if person is not None else None
        if referral is None or person is None:
            continue
        agency = cc.concern.agency.name
        for recipient in told[referral.pk]:
            messages[(recipient, cc.concern_id)] = Message(
                recipient_id=recipient,
                subject=f"New concern {cc.concern.reference} from {agency} about a child you work with",
                body=f"{agency} has raised a concern"
                + (f" (urgency: {cc.concern.get_urgency_display().lower()})" if cc.concern.urgency else "")
                + ". It is with the front door, which records it as a contact.",
                link=reverse("casework:chronology", kwargs={"person_id": person.pk}),
                email=True,
            )
    return list(messages.values())


# The front door's handling of an emerging concern.


def _locked_concern(actor: AnyUser, pk: int, expected_version: int) -> tuple[User, EmergingConcern]:
    user = acting_user(actor, Permission.DECIDE_CONTACT)
    from jigsaw.partners.queries.alerts import emerging_concerns_visible_to

    found = emerging_concerns_visible_to(actor).select_for_update().filter(pk=pk).first()
    if found is None:
        raise Http404("No such emerging concern")
    if found.status != EmergingConcernStatus.OPEN:
        raise ValidationError({"__all__": "This emerging concern has already been dealt with"})
    check_version(found, expected_version, "emerging concern")
    return user, found


def _close(
    actor: AnyUser, pk: int, expected_version: int, *, status: str, note: str, action: str
) -> EmergingConcern:
    """Close an open emerging concern with the front door's note, logged with the child."""
    user, found = _locked_concern(actor, pk, expected_version)
    found.status = status
    found.note = note.strip()
    found.handled_by = user
    found.handled_at = timezone.now()
    found.save(update_fields=["status", "note", "handled_by", "handled_at", "version"])
    record_access(user=user, action=action, record=found, subjects=[("people.person", str(found.person_id))])
    return found


@transaction.atomic
def dismiss_emerging_concern(*, actor: AnyUser, pk: int, expected_version: int, note: str) -> EmergingConcern:
    """The front door decides a pattern needs no action, and says why (the note is kept
    with the evidence, for audit and for the next officer to see)."""
    if not note.strip():
        raise ValidationError({"note": "Say why no action is needed"})
    return _close(
        actor,
        pk,
        expected_version,
        status=EmergingConcernStatus.DISMISSED,
        note=note,
        action="dismiss_emerging_concern",
    )


@transaction.atomic
def mark_contact_recorded(
    *, actor: AnyUser, pk: int, expected_version: int, note: str = ""
) -> EmergingConcern:
    """The front door has recorded a contact from the emerging concern (the contact itself
    is recorded on the contact page, and decided within a working day)."""
    return _close(
        actor,
        pk,
        expected_version,
        status=EmergingConcernStatus.CONTACT_RECORDED,
        note=note,
        action="emerging_concern_contact_recorded",
    )
