"""Staff pages on a child's case: the family's feedback (responses, links waiting for an
answer, advocates at the child's conferences), typing in a paper form, making a link,
tagging themes and recording an advocate. Social care staff read them (the casework rule);
those who may record feedback change them. Thin: parse, ask the policy, call an action or
a query, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, get_person_for, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.casework.queries.protection import get_conference_for
from jigsaw.casework.views.episodes import _about, _submitted, _viewed
from jigsaw.core.forms import apply_validation_error
from jigsaw.voice.actions import advocacy as advocacy_actions
from jigsaw.voice.actions import feedback as actions
from jigsaw.voice.forms.feedback import AdvocacyForm, FeedbackLinkForm, PaperFeedbackForm, ThemesForm
from jigsaw.voice.models.feedback import LINK_DAYS, QUESTIONS
from jigsaw.voice.queries import feedback as queries


def _with_version(posted: QueryDict, version: int) -> QueryDict:
    """What the user posted, with the record's newest version: the form shown again after a
    refusal keeps their input, and saving it again is against what is now saved."""
    fresh = posted.copy()
    fresh["version"] = str(version)
    return fresh


def _can_record(request: HttpRequest) -> bool:
    return has_permission(request.user, Permission.RECORD_FAMILY_FEEDBACK)


def child(request: HttpRequest, person_id: int) -> HttpResponse:
    """Feedback from the child's family: their responses, links not yet answered, and
    whether the parents had an advocate at each of the child's conferences."""
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    _viewed(request, person, person)
    context = {
        **_about(person),
        "feedback": queries.child_feedback(request.user, person),
        "can_record": _can_record(request),
        "today": timezone.localdate(),
    }
    return render(request, "voice/child.html", context)


@requires(Permission.RECORD_FAMILY_FEEDBACK)
def paper(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    if request.method == "GET":
        _viewed(request, person, person)
    occasions = queries.occasion_choices(person, today=timezone.localdate())
    form = PaperFeedbackForm(request.POST or None, occasions=occasions)
    saved: list[int] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def call() -> None:
            feedback = actions.record_paper_feedback(
                actor=request.user,
                person_id=person.pk,
                about=data["about"],
                given_by=data["given_by"],
                given_on=data["given_on"],
                answers=form.answers(),
                themes=data["themes"],
            )
            saved.append(feedback.pk)

        if _submitted(form, call):
            messages.success(request, "The family's feedback is recorded")
            return redirect("voice:feedback", pk=saved[0])
    context = {**_about(person), "form": form, "occasions": occasions}
    return render(request, "voice/paper.html", context)


@requires(Permission.RECORD_FAMILY_FEEDBACK)
def new_link(request: HttpRequest, person_id: int) -> HttpResponse:
    """Make a single-use link for the family. The link is shown on the page that answers
    the form, once: only its hash is kept, so it cannot be shown again."""
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    if request.method == "GET":
        _viewed(request, person, person)
    occasions = queries.occasion_choices(person, today=timezone.localdate())
    form = FeedbackLinkForm(request.POST or None, occasions=occasions)
    if request.method == "POST" and form.is_valid():
        try:
            link, token = actions.create_feedback_link(
                actor=request.user,
                person_id=person.pk,
                about=form.cleaned_data["about"],
                given_by=form.cleaned_data["given_by"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            address = request.build_absolute_uri(reverse("voice:family_feedback", args=[token]))
            response = render(
                request, "voice/link_created.html", {**_about(person), "link": link, "address": address}
            )
            # The page holds a working link: no browser or proxy may keep a copy.
            response["Cache-Control"] = "no-store"
            return response
    context = {**_about(person), "form": form, "occasions": occasions, "link_days": LINK_DAYS}
    return render(request, "voice/new_link.html", context)


@require_POST
@requires(Permission.RECORD_FAMILY_FEEDBACK)
def withdraw_link(request: HttpRequest, pk: int) -> HttpResponse:
    link = queries.get_link_for(request.user, pk)
    version = request.POST.get("version", "")
    try:
        actions.withdraw_feedback_link(
            actor=request.user, link_id=link.pk, expected_version=int(version) if version.isdigit() else -1
        )
    except (ValidationError, EditConflict) as refused:
        text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
        messages.error(request, text)
    else:
        messages.success(request, "The link is withdrawn: it no longer works")
    return redirect("voice:child", person_id=link.person_id)


def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """One response: what was asked and answered, who gave it and how, and its themes."""
    found = queries.get_feedback_for(request.user, pk)
    _viewed(request, found, found.person)
    answers = [
        (question, getattr(found, f"get_{field}_display")() or "Not answered")
        for field, question in QUESTIONS
    ]
    context = {
        **_about(found.person),
        "response": found,
        "answers": answers,
        "can_record": _can_record(request),
    }
    return render(request, "voice/feedback.html", context)


@requires(Permission.RECORD_FAMILY_FEEDBACK)
def themes(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_feedback_for(request.user, pk)
    if request.method == "GET":
        _viewed(request, found, found.person)
    form = ThemesForm(
        request.POST if request.method == "POST" else None,
        initial={"themes": found.themes, "version": found.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _submitted(
            form,
            lambda: actions.tag_themes(
                actor=request.user,
                feedback_id=found.pk,
                expected_version=data["version"],
                themes=data["themes"],
            ),
        ):
            messages.success(request, "Themes saved")
            return redirect("voice:feedback", pk=found.pk)
        # Saving again after reading the refusal should be against the newest version.
        found.refresh_from_db()
        form.data = _with_version(request.POST, found.version)
    context = {**_about(found.person), "response": found, "form": form}
    return render(request, "voice/themes.html", context)


@requires(Permission.RECORD_FAMILY_FEEDBACK)
def advocacy(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    """Whether the parents were offered an advocate for a conference, and whether one came.
    Reached from a child's page (the person in the address), which it returns to."""
    person = get_person_for(request.user, person_id, Permission.VIEW_CASEWORK)
    conference = get_conference_for(request.user, pk)
    if not conference.children.filter(referral__person=person).exists():
        raise Http404("No such conference")
    record = queries.advocacy_of(conference)
    initial: dict[str, object] = {}
    if record is not None:
        initial = {
            "offered": "yes" if record.offered else "no",
            "attended": "yes" if record.attended else "no",
            "advocate_name": record.advocate_name,
            "organisation": record.organisation,
            "version": record.version,
        }
    if request.method == "GET":
        record_access(user=request.user, action="view", record=conference, subjects=[person])
    form = AdvocacyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _submitted(
            form,
            lambda: advocacy_actions.record_advocacy(
                actor=request.user,
                conference_id=conference.pk,
                expected_version=data["version"],
                offered=data["offered"] == "yes",
                attended=data["attended"] == "yes",
                advocate_name=data["advocate_name"],
                organisation=data["organisation"],
            ),
        ):
            messages.success(request, "The advocate record is saved")
            return redirect("voice:child", person_id=person.pk)
        record = queries.advocacy_of(conference)
        if record is not None:
            # Saving again after reading the refusal should be against the newest version.
            form.data = _with_version(request.POST, record.version)
    context = {**_about(person), "conference": conference, "record": record, "form": form}
    return render(request, "voice/advocacy.html", context)


urlpatterns: list[URLPattern] = [
    path("child/<int:person_id>/", child, name="child"),
    path("child/<int:person_id>/paper-form", paper, name="paper"),
    path("child/<int:person_id>/new-link", new_link, name="new_link"),
    path("child/<int:person_id>/conference/<int:pk>/advocate", advocacy, name="advocacy"),
    path("links/<int:pk>/withdraw", withdraw_link, name="withdraw_link"),
    path("feedback/<int:pk>/", feedback, name="feedback"),
    path("feedback/<int:pk>/themes", themes, name="themes"),
]
