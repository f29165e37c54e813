"""Reading concerns: a partner's own (and only their own), and the front door's queue of
concerns waiting to be recorded as contacts."""

from __future__ import annotations

import dataclasses

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When
from django.http import Http404

from jigsaw.access.policy import AnyUser, Permission, has_permission, people_visible_to
from jigsaw.casework.models import Contact, FrontDoorDecision
from jigsaw.partners.models import Concern, ConcernChild, ConcernStatus, ConcernUrgency
from jigsaw.people.models import Person


def outcome_in_words(contact: Contact) -> str:
    """The front door's decision as the referrer reads it."""
    label = FrontDoorDecision(contact.decision).label if contact.decision else "Not decided yet"
    if contact.decision_reason:
        return f"{label}: {contact.decision_reason}"
    return label


def concerns_raised_by(user: AnyUser) -> QuerySet[Concern]:
    """The concerns this user raised (drafts too), newest first; nobody sees another's."""
    if not has_permission(user, Permission.RAISE_CONCERN):
        return Concern.objects.none()
    return (
        Concern.objects.filter(raised_by_id=user.pk)
        .exclude(status=ConcernStatus.WITHDRAWN)
        .prefetch_related(Prefetch("children", queryset=ConcernChild.objects.select_related("contact")))
        .order_by("-updated_at", "-pk")
    )


def get_own_concern(user: AnyUser, pk: int) -> Concern:
    """Fetch and authorise: the user's own concern; anyone else's, or none, is 404."""
    found = concerns_raised_by(user).select_related("agency").filter(pk=pk).first()
    if found is None:
        raise Http404("No such concern")
    return found


def current_version(user: AnyUser, pk: int) -> int:
    """The version of the user's own draft as saved now."""
    return get_own_concern(user, pk).version


@dataclasses.dataclass(frozen=True)
class ChildOutcome:
    """A child as the referrer described them, and what the front door decided (once a
    manager has authorised it: until then the referrer is told it is with the front door)."""

    child: ConcernChild
    outcome: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.child.given_name, self.child.family_name) if p) or "Name not given"


def outcomes_for_referrer(concern: Concern) -> list[ChildOutcome]:
    """What the referrer may read about each child: their own description and the outcome
    told to them, never who the child was matched to in the index."""
    rows: list[ChildOutcome] = []
    for child in concern.children.all():
        contact = child.contact
        if contact is not None and contact.authorised_at is not None:
            outcome = outcome_in_words(contact)
        elif concern.status == ConcernStatus.DRAFT:
            outcome = ""
        else:
            outcome = "With the front door"
        rows.append(ChildOutcome(child=child, outcome=outcome))
    return rows


# --- The front door ------------------------------------------------------------------------


def may_triage(user: AnyUser) -> bool:
    return has_permission(user, Permission.DECIDE_CONTACT) and has_permission(user, Permission.RECORD_CONTACT)


_URGENCY_ORDER = Case(
    When(urgency=ConcernUrgency.IMMEDIATE, then=Value(0)),
    When(urgency=ConcernUrgency.SAME_DAY, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def concern_queue(user: AnyUser) -> QuerySet[Concern]:
    """Submitted concerns with a child not yet recorded as a contact: the most urgent first,
    then the oldest."""
    if not may_triage(user):
        return Concern.objects.none()
    waiting = ConcernChild.objects.filter(concern=OuterRef("pk"), contact__isnull=True)
    return (
        Concern.objects.filter(status=ConcernStatus.SUBMITTED)
        .filter(Exists(waiting))
        .select_related("agency", "raised_by__practitioner")
        .prefetch_related("children")
        .annotate(urgency_order=_URGENCY_ORDER)
        .order_by("urgency_order", "submitted_at", "pk")
    )


def concern_queue_count(user: AnyUser) -> int:
    return concern_queue(user).count()


def get_concern_for_triage(user: AnyUser, pk: int) -> Concern:
    """A submitted (or decided) concern, for the front door; 404 for anyone else."""
    if not may_triage(user):
        raise Http404("No such concern")
    found = (
        Concern.objects.filter(status__in=[ConcernStatus.SUBMITTED, ConcernStatus.DECIDED], pk=pk)
        .select_related("agency", "raised_by__practitioner")
        .first()
    )
    if found is None:
        raise Http404("No such concern")
    return found


@dataclasses.dataclass(frozen=True)
class TriageChild:
    """A child in a concern as the front door sees it: the referrer's description, the
    matcher's finding (the matched person only if this user may see them) and the contact."""

    child: ConcernChild
    matched: Person | None
    person: Person | None
    contact: Contact | None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.child.given_name, self.child.family_name) if p)

    @property
    def match_words(self) -> str:
        if self.child.match_outcome == "link":
            return "Matched"
        if self.child.match_outcome == "review":
            return "Possible match: review"
        return "No match: new person"


def triage_children(user: AnyUser, concern: Concern) -> list[TriageChild]:
    children = list(concern.children.select_related("contact"))
    ids = {c.matched_person_id for c in children if c.matched_person_id} | {
        c.person_id for c in children if c.person_id
    }
    visible = {p.pk: p for p in people_visible_to(user).filter(pk__in=ids)}
    return [
        TriageChild(
            child=c,
            matched=visible.get(c.matched_person_id) if c.matched_person_id else None,
            person=visible.get(c.person_id) if c.person_id else None,
            contact=c.contact,
        )
        for c in children
    ]


def queue_rows(user: AnyUser, concerns: list[Concern]) -> dict[int, list[TriageChild]]:
    """Each queued concern's children with their matches, in two queries."""
    ids = {c.matched_person_id for concern in concerns for c in concern.children.all() if c.matched_person_id}
    visible = {p.pk: p for p in people_visible_to(user).filter(pk__in=ids)}
    return {
        concern.pk: [
            TriageChild(
                child=c,
                matched=visible.get(c.matched_person_id) if c.matched_person_id else None,
                person=None,
                contact=None,
            )
            for c in concern.children.all()
        ]
        for concern in concerns
    }
