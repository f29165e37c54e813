"""Child protection pages: strategy discussions, section 47 enquiries, conferences (and
the chair's list), plans, core groups and visits. Thin: they fetch through the queries,
pre-fill from what Jigsaw knows, and call the actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.actions.protection import (
    Participant,
    arrange_core_group,
    complete_section47,
    conference_chairs,
    end_plan,
    record_conference_outcome,
    record_core_group,
    record_strategy_discussion,
    record_visit,
    schedule_conference,
)
from jigsaw.casework.forms.protection import (
    Candidate,
    ConferenceForm,
    ConferenceOutcomeForm,
    CoreGroupArrangeForm,
    CoreGroupForm,
    EndPlanForm,
    Section47Form,
    StrategyDiscussionForm,
    VisitForm,
)
from jigsaw.casework.models import (
    ChildProtectionPlan,
    ConferenceChild,
    ConferenceDecision,
    ConferenceInvitation,
    ConferenceKind,
    CoreGroupInvitation,
    CoreGroupMeeting,
    FamilyRole,
    InvitationReply,
    Referral,
    Section47Enquiry,
    StrategyDiscussion,
    StrategyDiscussionAttendee,
    Visit,
)
from jigsaw.casework.queries import casework_visible_to, get_casework_for, get_referral_for
from jigsaw.casework.queries.protection import (
    conference_list,
    conference_overdue,
    get_conference_for,
    parents_of,
    plan_row,
    professionals_for,
    related_open_referrals,
    section47_row,
    section47s_with_conference_date,
)
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.models import Practitioner
from jigsaw.people.models import Person
from jigsaw.people.queries import person_flags


def _identity(person: Person) -> dict[str, Any]:
    """What the identity bar needs."""
    return {"person": person, "flags": person_flags(person), "age": person.age_on(timezone.localdate())}


def _practitioner_candidate(p: Practitioner, involvement: str = "") -> Candidate:
    role = involvement or p.job_title
    label = f"{p.full_name}, {role} ({p.agency.name})" if role else f"{p.full_name} ({p.agency.name})"
    return Candidate(
        key=f"p{p.pk}",
        label=label,
        participant=Participant(name=p.full_name, agency_id=p.agency_id, practitioner_id=p.pk),
        phone=p.phone,
        secure_email=p.secure_email,
        preferred_contact=p.preferred_contact,
    )


def _own_practitioner(request: HttpRequest) -> Practitioner | None:
    return Practitioner.objects.select_related("agency").filter(user__pk=request.user.pk or 0).first()


# --- Strategy discussions ----------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_strategy_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    siblings = related_open_referrals(request.user, referral)
    people = [referral.person, *[s.person for s in siblings]]
    candidates = [_practitioner_candidate(n.practitioner, n.involvement) for n in professionals_for(people)]
    own = _own_practitioner(request)
    initial_attendees = []
    if own is not None:
        if f"p{own.pk}" not in {c.key for c in candidates}:
            candidates.insert(0, _practitioner_candidate(own))
        initial_attendees.append(f"p{own.pk}")
    form = StrategyDiscussionForm(
        request.POST or None,
        siblings=siblings,
        candidates=candidates,
        initial={"held_on": timezone.localdate(), "attendees": initial_attendees},
    )
    if request.method == "POST" and form.is_valid():
        try:
            discussion = record_strategy_discussion(
                actor=request.user,
                referral_id=referral.pk,
                held_on=form.cleaned_data["held_on"],
                decision=form.cleaned_data["decision"],
                summary=form.cleaned_data["summary"],
                other_referral_ids=form.other_referral_ids(),
                attendees=form.participants(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The strategy discussion is recorded")
            return redirect("casework:strategy_discussion", pk=discussion.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=referral, subjects=[referral.person])
    context = {"form": form, "referral": referral, **_identity(referral.person)}
    return render(request, "casework/protection/new_strategy_discussion.html", context)


def strategy_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    visible = casework_visible_to(request.user, Referral.objects.select_related("person"), "person")
    found = (
        StrategyDiscussion.objects.filter(pk=pk, referrals__in=visible)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "referrals", queryset=visible.order_by("person__date_of_birth", "pk"), to_attr="children"
            ),
            Prefetch("attendees", queryset=StrategyDiscussionAttendee.objects.select_related("agency")),
            Prefetch(
                "section47s",
                queryset=Section47Enquiry.objects.filter(referral__in=visible).select_related(
                    "referral__person"
                ),
            ),
        )
        .first()
    )
    if found is None:
        raise Http404("No such strategy discussion")
    children: list[Referral] = found.children
    record_access(user=request.user, action="view", record=found, subjects=[r.person for r in children])
    context = {"discussion": found, "children": children, **_identity(children[0].person)}
    return render(request, "casework/protection/strategy_discussion.html", context)


# --- Section 47 enquiries ----------------------------------------------------------------


def section47(request: HttpRequest, pk: int) -> HttpResponse:
    records = section47s_with_conference_date(
        Section47Enquiry.objects.select_related("referral__person", "strategy_discussion", "recorded_by")
    )
    enquiry = get_casework_for(request.user, records, pk, "referral__person")
    person = enquiry.referral.person
    can_record = has_permission(request.user, Permission.RECORD_CASEWORK) and enquiry.referral.is_open
    today = timezone.localdate()
    form = Section47Form(
        request.POST or None,
        initial={
            "version": enquiry.version,
            "outcome": enquiry.outcome,
            "completed_on": enquiry.completed_on or today,
        },
    )
    if request.method == "POST":
        if not can_record:
            raise Http404("No such record")
        if form.is_valid():
            try:
                complete_section47(
                    actor=request.user,
                    section47_id=enquiry.pk,
                    expected_version=form.cleaned_data["version"],
                    outcome=form.cleaned_data["outcome"],
                    completed_on=form.cleaned_data["completed_on"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(request, "The outcome of the enquiry is recorded")
                return redirect("casework:section47", pk=enquiry.pk)
    else:
        record_access(user=request.user, action="view", record=enquiry, subjects=[person])
    conferences = list(
        ConferenceChild.objects.filter(section47=enquiry)
        .select_related("conference")
        .order_by("conference__date")
    )
    context = {
        "enquiry": enquiry,
        "row": section47_row(enquiry, enquiry.held_conference_on, today=today),  # type: ignore[attr-defined]
        "conferences": conferences,
        "form": form,
        "can_record": can_record,
        "referral": enquiry.referral,
        **_identity(person),
    }
    return render(request, "casework/protection/section47.html", context)


# --- Conferences -------------------------------------------------------------------------


def _conference_kinds(referral: Referral, open_plan: ChildProtectionPlan | None, awaiting: bool) -> list[str]:
    if open_plan is not None:
        return [ConferenceKind.REVIEW.value]
    kinds: list[str] = []
    if awaiting:
        kinds.append(ConferenceKind.PRE_BIRTH if referral.person.is_unborn else ConferenceKind.INITIAL)
    kinds.append(ConferenceKind.TRANSFER_IN)
    return kinds


@requires(Permission.RECORD_CASEWORK)
def new_conference(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    today = timezone.localdate()
    siblings = related_open_referrals(request.user, referral)
    open_plan = ChildProtectionPlan.objects.filter(person=referral.person, ended_on__isnull=True).first()
    awaiting = (
        Section47Enquiry.objects.filter(referral=referral, outcome__in=["", "conference"])
        .exclude(conferences__conference__kind__in=[ConferenceKind.INITIAL, ConferenceKind.PRE_BIRTH])
        .select_related("strategy_discussion")
        .order_by("-started_on")
        .first()
    )
    kinds = _conference_kinds(referral, open_plan, awaiting is not None)
    last = (
        ConferenceChild.objects.filter(referral=referral)
        .select_related("conference")
        .order_by("-conference__date", "-pk")
        .first()
    )
    # Who was there before: the strategy discussion's attendees (for an initial
    # conference), or the last conference's professional invitees (for a review).
    discussion = (
        awaiting.strategy_discussion
        if awaiting is not None
        else StrategyDiscussion.objects.filter(referrals=referral).order_by("-held_on").first()
    )
    ticked: set[int] = set()
    professionals: list[Candidate] = []
    seen: set[str] = set()

    def offer(candidate: Candidate) -> None:
        if candidate.key not in seen:
            seen.add(candidate.key)
            professionals.append(candidate)

    if discussion is not None:
        ticked |= set(discussion.referrals.values_list("pk", flat=True))
        for a in discussion.attendees.select_related("agency", "practitioner__agency"):
            if a.practitioner is not None:
                offer(_practitioner_candidate(a.practitioner))
            else:
                offer(
                    Candidate(
                        f"a{a.pk}", f"{a.name} ({a.agency.name})", Participant(a.name, agency_id=a.agency_id)
                    )
                )
    if last is not None:
        ticked |= set(last.conference.children.values_list("referral_id", flat=True))
        for i in last.conference.invitations.filter(family_role="").select_related(
            "agency", "practitioner__agency"
        ):
            if i.practitioner is not None:
                offer(_practitioner_candidate(i.practitioner))
            elif i.agency is not None:
                offer(
                    Candidate(
                        f"i{i.pk}", f"{i.name} ({i.agency.name})", Participant(i.name, agency_id=i.agency_id)
                    )
                )
    people = [referral.person, *[s.person for s in siblings]]
    for named in professionals_for(people):
        offer(_practitioner_candidate(named.practitioner, named.involvement))
    family = [
        Candidate(f"f{p.pk}", p.full_name, Participant(p.full_name, family_role=FamilyRole.PARENT))
        for p in parents_of(people)
    ]
    due = (
        awaiting.conference_due_on
        if awaiting is not None
        else open_plan.next_review_due
        if open_plan
        else None
    )
    chairs = conference_chairs()
    # With one chair in the authority there is nothing to choose.
    first_two = list(chairs[:2])
    only_chair = first_two[0].pk if len(first_two) == 1 else None
    form = ConferenceForm(
        request.POST or None,
        kinds=[(k, ConferenceKind(k).label) for k in kinds],
        chairs=chairs,
        siblings=siblings,
        professionals=professionals,
        family=family,
        initial={
            "kind": kinds[0],
            "date": due if due is not None and due >= today else None,
            "chair": last.conference.chair_id if last is not None else only_chair,
            "children": [str(s.pk) for s in siblings if s.pk in ticked],
            "professionals": [c.key for c in professionals],
            "family": [c.key for c in family],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            conference = schedule_conference(
                actor=request.user,
                referral_id=referral.pk,
                kind=form.cleaned_data["kind"],
                date=form.cleaned_data["date"],
                chair_id=form.cleaned_data["chair"].pk,
                other_referral_ids=form.other_referral_ids(),
                invitations=form.invitations(),
                starts_at=form.cleaned_data["starts_at"],
                venue=form.cleaned_data["venue"],
                remote_joining=form.cleaned_data["remote_joining"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"The conference is arranged for {conference.date.day} {conference.date:%B %Y}"
            )
            return redirect("casework:conference", pk=conference.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=referral, subjects=[referral.person])
    context = {
        "form": form,
        "referral": referral,
        "due": due,
        "awaiting": awaiting,
        "open_plan": open_plan,
        **_identity(referral.person),
    }
    return render(request, "casework/protection/new_conference.html", context)


def conference(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_conference_for(request.user, pk)
    children = list(
        casework_visible_to(
            request.user,
            ConferenceChild.objects.filter(conference=found).select_related(
                "referral__person", "plan", "section47"
            ),
            "referral__person",
        ).order_by("referral__person__date_of_birth", "pk")
    )
    invitations = list(
        ConferenceInvitation.objects.filter(conference=found).select_related(
            "agency", "practitioner", "report_received_by"
        )
    )
    today = timezone.localdate()
    can_chair = (
        has_permission(request.user, Permission.CHAIR_CONFERENCE)
        and not found.held
        and found.date <= today
        and len(children) == found.children.count()
    )
    form = ConferenceOutcomeForm(
        request.POST or None,
        kind=found.kind,
        invitations=invitations,
        children=children,
        initial={"version": found.version, "child_views": found.child_views, "summary": found.summary},
    )
    if request.method == "POST":
        if not can_chair:
            raise Http404("No such record")
        if form.is_valid():
            try:
                record_conference_outcome(
                    actor=request.user,
                    conference_id=found.pk,
                    expected_version=form.cleaned_data["version"],
                    attendance=form.attendance(),
                    child_views=form.cleaned_data["child_views"],
                    summary=form.cleaned_data["summary"],
                    decisions=form.decisions(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(request, "The conference's outcome is recorded")
                return redirect("casework:conference", pk=found.pk)
    else:
        record_access(
            user=request.user, action="view", record=found, subjects=[c.referral.person for c in children]
        )
    context = {
        "conference": found,
        "children": children,
        "invitations": invitations,
        "form": form,
        "can_chair": can_chair,
        "overdue": conference_overdue(found, today=today),
        "today": today,
        "attendance_rows": [(i, form[f"attendance_{i.pk}"], form[f"report_{i.pk}"]) for i in invitations],
        "decision_rows": [(c, form[f"decision_{c.pk}"], form[f"category_{c.pk}"]) for c in children],
        **_identity(children[0].referral.person),
    }
    return render(request, "casework/protection/conference.html", context)


@requires(Permission.CHAIR_CONFERENCE)
def conferences(request: HttpRequest) -> HttpResponse:
    listing = conference_list(request.user, today=timezone.localdate())
    sections = [
        (
            "Awaiting their outcome",
            listing.awaiting_outcome,
            "Every conference held has its outcome recorded.",
        ),
        ("Coming up", listing.upcoming, "No conference is arranged."),
        ("Held in the last 90 days", listing.recent, "No conference was held in the last 90 days."),
    ]
    # The list names children: the log says which.
    children = {cc.referral.person for _, rows, _ in sections for row in rows for cc in row.children}
    named: list[Person] = sorted(children, key=lambda person: person.pk)
    record_access(user=request.user, action="view_conference_list", subjects=named)
    return render(request, "casework/protection/conferences.html", {"listing": listing, "sections": sections})


# --- Plans -------------------------------------------------------------------------------


def _plan_for(request: HttpRequest, pk: int) -> ChildProtectionPlan:
    return get_casework_for(
        request.user, ChildProtectionPlan.objects.select_related("person", "referral"), pk, "person"
    )


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan_for(request, pk)
    meetings = list(
        CoreGroupMeeting.objects.filter(plan=found)
        .select_related("recorded_by")
        .prefetch_related("members", "invitations")
        .order_by("-held_on", "-pk")
    )
    core_groups = [m for m in meetings if m.held]
    arranged_core_groups = sorted((m for m in meetings if not m.held), key=lambda m: (m.held_on, m.pk))
    visits = list(
        Visit.objects.filter(plan=found).select_related("visited_by").order_by("-visited_on", "-pk")
    )
    conferences_ = list(
        ConferenceChild.objects.filter(plan=found).select_related("conference").order_by("-conference__date")
    )
    record_access(user=request.user, action="view", record=found, subjects=[found.person])
    context = {
        "plan": found,
        "row": plan_row(found, core_groups[0] if core_groups else None, today=timezone.localdate()),
        "core_groups": core_groups,
        "arranged_core_groups": arranged_core_groups,
        "visits": visits,
        "conferences": conferences_,
        "can_record": has_permission(request.user, Permission.RECORD_CASEWORK) and found.ended_on is None,
        "referral": found.referral,
        **_identity(found.person),
    }
    return render(request, "casework/protection/plan.html", context)


@requires(Permission.RECORD_CASEWORK)
def end_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan_for(request, pk)
    form = EndPlanForm(
        request.POST or None, initial={"version": found.version, "ended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            end_plan(
                actor=request.user,
                plan_id=found.pk,
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, "The plan has ended")
            return redirect("casework:plan", pk=found.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=found, subjects=[found.person])
    context = {"form": form, "plan": found, **_identity(found.person)}
    return render(request, "casework/protection/end_plan.html", context)


# --- Core groups -------------------------------------------------------------------------


def core_group_candidates(found: ChildProtectionPlan) -> list[Candidate]:
    """Who the core group is: the last meeting's members; for the first meeting, the
    professionals and parents invited to the conference that started the plan; and the
    allocated social worker. Professionals' contact details come from the directory."""
    candidates: list[Candidate] = []
    seen: set[str] = set()

    def add(candidate: Candidate) -> None:
        if candidate.key not in seen:
            seen.add(candidate.key)
            candidates.append(candidate)

    last = CoreGroupMeeting.objects.filter(plan=found, held=True).order_by("-held_on", "-pk").first()
    if last is not None:
        for m in last.members.select_related("agency", "practitioner__agency"):
            if m.practitioner is not None:
                add(_practitioner_candidate(m.practitioner))
            else:
                where = f" ({m.agency.name})" if m.agency else f" ({m.get_family_role_display()})"
                add(
                    Candidate(
                        f"m{m.pk}",
                        f"{m.name}{where}",
                        Participant(m.name, agency_id=m.agency_id, family_role=m.family_role),
                        phone=m.phone,
                        secure_email=m.secure_email,
                        preferred_contact=m.preferred_contact,
                    )
                )
    else:
        start = (
            ConferenceChild.objects.filter(plan=found, decision=ConferenceDecision.PLAN)
            .select_related("conference")
            .first()
        )
        if start is not None:
            invited = start.conference.invitations.filter(
                family_role__in=["", FamilyRole.PARENT]
            ).select_related("agency", "practitioner__agency")
            for i in invited:
                if i.practitioner is not None:
                    add(_practitioner_candidate(i.practitioner))
                elif i.family_role:
                    add(
                        Candidate(
                            f"i{i.pk}",
                            f"{i.name} (parent or carer)",
                            Participant(i.name, family_role=i.family_role),
                        )
                    )
                elif i.agency is not None:
                    add(
                        Candidate(
                            f"i{i.pk}",
                            f"{i.name} ({i.agency.name})",
                            Participant(i.name, agency_id=i.agency_id),
                        )
                    )
    worker_id = found.referral.allocated_worker_id
    worker = Practitioner.objects.select_related("agency").filter(user_id=worker_id or 0).first()
    if worker is not None:
        add(_practitioner_candidate(worker))
    return candidates


def _arrange_candidates(found: ChildProtectionPlan) -> list[Candidate]:
    """Who to invite to a core group: its members (or the conference's invitees), the
    allocated worker, the professionals named for the child now, and the parents."""
    candidates = core_group_candidates(found)
    keys = {c.key for c in candidates}
    names = {(c.participant.name, c.participant.family_role) for c in candidates}
    for named in professionals_for([found.person]):
        candidate = _practitioner_candidate(named.practitioner, named.involvement)
        if candidate.key not in keys:
            keys.add(candidate.key)
            candidates.append(candidate)
    for parent in parents_of([found.person]):
        if (parent.full_name, FamilyRole.PARENT) not in names:
            candidates.append(
                Candidate(
                    f"f{parent.pk}",
                    f"{parent.full_name} (parent or carer)",
                    Participant(parent.full_name, family_role=FamilyRole.PARENT),
                )
            )
    return candidates


@requires(Permission.RECORD_CASEWORK)
def arrange_core_group_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan_for(request, pk)
    if found.ended_on is not None:
        raise Http404("No such plan")
    candidates = _arrange_candidates(found)
    today = timezone.localdate()
    due = found.next_core_group_due
    form = CoreGroupArrangeForm(
        request.POST or None,
        candidates=candidates,
        initial={
            "date": due if due is not None and due >= today else None,
            "invitees": [c.key for c in candidates],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = arrange_core_group(
                actor=request.user,
                plan_id=found.pk,
                date=form.cleaned_data["date"],
                starts_at=form.cleaned_data["starts_at"],
                venue=form.cleaned_data["venue"],
                remote_joining=form.cleaned_data["remote_joining"],
                invitations=form.invitations(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"The core group is arranged for {meeting.held_on.day} {meeting.held_on:%B %Y}"
            )
            return redirect("casework:core_group", pk=meeting.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=found, subjects=[found.person])
    context = {"form": form, "plan": found, "due": due, **_identity(found.person)}
    return render(request, "casework/protection/arrange_core_group.html", context)


def _invitation_candidates(meeting: CoreGroupMeeting) -> tuple[list[Candidate], dict[str, bool]]:
    """The arranged meeting's invitees as the recording form's rows, ticked as attending
    unless they sent apologies or only a report."""
    candidates: list[Candidate] = []
    attending: dict[str, bool] = {}
    for i in meeting.invitations.select_related("agency", "practitioner__agency"):
        if i.practitioner is not None:
            candidate = _practitioner_candidate(i.practitioner)
        else:
            where = f" ({i.agency.name})" if i.agency else f" ({i.get_family_role_display()})"
            candidate = Candidate(
                f"i{i.pk}",
                f"{i.name}{where}",
                Participant(i.name, agency_id=i.agency_id, family_role=i.family_role),
            )
        candidates.append(candidate)
        attending[candidate.key] = i.reply not in (InvitationReply.APOLOGIES, InvitationReply.REPORT_ONLY)
    return candidates, attending


@requires(Permission.RECORD_CASEWORK)
def record_arranged_core_group(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_casework_for(
        request.user, CoreGroupMeeting.objects.select_related("plan__person"), pk, "plan__person"
    )
    if meeting.held or meeting.plan.ended_on is not None:
        raise Http404("No such core group")
    found = _plan_for(request, meeting.plan_id)
    candidates, attending = _invitation_candidates(meeting)
    initial: dict[str, Any] = {"held_on": meeting.held_on}
    initial |= {f"attended_{key}": value for key, value in attending.items()}
    form = CoreGroupForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_core_group(
                actor=request.user,
                plan_id=found.pk,
                held_on=form.cleaned_data["held_on"],
                summary=form.cleaned_data["summary"],
                members=form.members(),
                meeting_id=meeting.pk,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The core group is recorded")
            return redirect("casework:core_group", pk=meeting.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=meeting, subjects=[found.person])
    context = {"form": form, "plan": found, "meeting": meeting, **_identity(found.person)}
    return render(request, "casework/protection/new_core_group.html", context)


@requires(Permission.RECORD_CASEWORK)
def new_core_group(request: HttpRequest, pk: int) -> HttpResponse:
    found = _plan_for(request, pk)
    candidates = core_group_candidates(found)
    form = CoreGroupForm(
        request.POST or None, candidates=candidates, initial={"held_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = record_core_group(
                actor=request.user,
                plan_id=found.pk,
                held_on=form.cleaned_data["held_on"],
                summary=form.cleaned_data["summary"],
                members=form.members(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The core group is recorded")
            return redirect("casework:core_group", pk=meeting.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=found, subjects=[found.person])
    context = {"form": form, "plan": found, **_identity(found.person)}
    return render(request, "casework/protection/new_core_group.html", context)


def core_group(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_casework_for(
        request.user,
        CoreGroupMeeting.objects.select_related("plan__person", "recorded_by"),
        pk,
        "plan__person",
    )
    members = list(meeting.members.select_related("agency"))
    invitations = list(
        CoreGroupInvitation.objects.filter(meeting=meeting).select_related("agency", "report_received_by")
    )
    record_access(user=request.user, action="view", record=meeting, subjects=[meeting.plan.person])
    can_record = (
        has_permission(request.user, Permission.RECORD_CASEWORK)
        and not meeting.held
        and meeting.plan.ended_on is None
        and meeting.held_on <= timezone.localdate()
    )
    context = {
        "meeting": meeting,
        "members": members,
        "invitations": invitations,
        "can_record": can_record,
        "plan": meeting.plan,
        **_identity(meeting.plan.person),
    }
    return render(request, "casework/protection/core_group.html", context)


# --- Visits ------------------------------------------------------------------------------


@requires(Permission.RECORD_CASEWORK)
def new_visit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    open_plan = ChildProtectionPlan.objects.filter(referral=referral, ended_on__isnull=True).first()
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            record_visit(
                actor=request.user,
                referral_id=referral.pk,
                visited_on=form.cleaned_data["visited_on"],
                child_seen=form.cleaned_data["child_seen"] == "yes",
                seen_alone=form.cleaned_data["seen_alone"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The visit is recorded")
            return redirect("casework:referral", pk=referral.pk)
    elif request.method == "GET":
        record_access(user=request.user, action="view", record=referral, subjects=[referral.person])
    context = {"form": form, "referral": referral, "open_plan": open_plan, **_identity(referral.person)}
    return render(request, "casework/protection/new_visit.html", context)


urlpatterns = [
    path(
        "referrals/<int:pk>/strategy-discussions/new", new_strategy_discussion, name="new_strategy_discussion"
    ),
    path("strategy-discussions/<int:pk>", strategy_discussion, name="strategy_discussion"),
    path("section-47/<int:pk>", section47, name="section47"),
    path("referrals/<int:pk>/conferences/new", new_conference, name="new_conference"),
    path("conferences", conferences, name="conferences"),
    path("conferences/<int:pk>", conference, name="conference"),
    path("plans/<int:pk>", plan, name="plan"),
    path("plans/<int:pk>/end", end_plan_view, name="end_plan"),
    path("plans/<int:pk>/core-groups/new", new_core_group, name="new_core_group"),
    path("plans/<int:pk>/core-groups/arrange", arrange_core_group_view, name="arrange_core_group"),
    path("core-groups/<int:pk>/record", record_arranged_core_group, name="record_core_group"),
    path("core-groups/<int:pk>", core_group, name="core_group"),
    path("referrals/<int:pk>/visits/new", new_visit, name="new_visit"),
]
