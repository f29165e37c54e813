"""Pages of section 11 self-assessment: the landing page (rounds and overdue returns for the
partnership; your agency's returns for those who answer), the standards, a round, an
agency's return with its action plan, and the comparisons. Thin: parse, ask, act, render."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.casework.actions.common import EditConflict
from jigsaw.core.csv_export import csv_response
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.models import Agency
from jigsaw.quality.actions import section11 as actions
from jigsaw.quality.forms.section11 import (
    AnswersForm,
    GapActionForm,
    GapActionStatusForm,
    RoundForm,
    StandardForm,
)
from jigsaw.quality.models.section11 import (
    RATING_MEANING,
    GapActionStatus,
    Rating,
    ReturnStatus,
    Section11Return,
)
from jigsaw.quality.queries import section11 as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


def landing(request: HttpRequest) -> HttpResponse:
    manages = has_permission(request.user, Permission.MANAGE_SECTION11)
    if not manages and not has_permission(request.user, Permission.ANSWER_SECTION11):
        raise PermissionDenied
    today = timezone.localdate()
    context: dict[str, Any] = {
        "manages": manages,
        "today": today,
        "own": list(queries.returns_for(request.user)),
    }
    if manages:
        page = Paginator(queries.rounds(), queries.ROUNDS_PER_PAGE).get_page(request.GET.get("page"))
        context |= {"page": page, "overdue": list(queries.overdue_returns(today))}
    return render(request, "quality/section11/landing.html", context)


@requires(Permission.MANAGE_SECTION11)
def standards(request: HttpRequest) -> HttpResponse:
    """The standards, and a form to add one."""
    actions.ensure_default_standards()
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = actions.add_standard(
                actor=request.user,
                number=form.cleaned_data["number"],
                title=form.cleaned_data["title"],
                good_looks_like=form.cleaned_data["good_looks_like"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Standard {standard.number} added")
            return redirect("quality:section11_standards")
    return render(
        request, "quality/section11/standards.html", {"standards": queries.standards(), "form": form}
    )


@requires(Permission.MANAGE_SECTION11)
def standard(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.standards().filter(pk=pk).first()
    if found is None:
        raise Http404("No such standard")
    initial = {"number": found.number, "title": found.title, "good_looks_like": found.good_looks_like}
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_standard(
                actor=request.user,
                standard_id=pk,
                expected_version=_version(request),
                number=form.cleaned_data["number"],
                title=form.cleaned_data["title"],
                good_looks_like=form.cleaned_data["good_looks_like"],
            )
        except EditConflict as error:
            form.add_error(None, str(error))
            found.refresh_from_db()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Standard saved")
            return redirect("quality:section11_standards")
    return render(request, "quality/section11/standard.html", {"standard": found, "form": form})


@requires(Permission.MANAGE_SECTION11)
def round_new(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.create_round(
                actor=request.user,
                title=form.cleaned_data["title"],
                period=form.cleaned_data["period"],
                opens_on=form.cleaned_data["opens_on"],
                due_on=form.cleaned_data["due_on"],
                agency_ids=form.agency_ids(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Round set up: check it, then send it to the agencies")
            return redirect("quality:section11_round", pk=round_.pk)
    return render(request, "quality/section11/round_new.html", {"form": form})


@requires(Permission.MANAGE_SECTION11)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.get_round(pk)
    today = timezone.localdate()
    returns = list(queries.returns_of(round_))
    for r in returns:
        r.round = round_  # already fetched: spare a query per row
    context = {
        "round": round_,
        "returns": [(r, queries.is_overdue(r, today)) for r in returns],
        "agencies": round_.agencies.order_by("name"),
        "submitted": sum(1 for r in returns if r.status == ReturnStatus.SUBMITTED),
        "today": today,
    }
    return render(request, "quality/section11/round.html", context)


@require_POST
@requires(Permission.MANAGE_SECTION11)
def round_send(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        round_ = actions.send_round(actor=request.user, round_id=pk, expected_version=_version(request))
    except (EditConflict, ValidationError) as error:
        messages.error(
            request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        )
    else:
        messages.success(request, f"Sent to {round_.agencies.count()} agencies")
    return redirect("quality:section11_round", pk=pk)


@requires(Permission.MANAGE_SECTION11)
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.get_round(pk)
    include_drafts = request.GET.get("drafts") == "1"
    context = {
        "round": round_,
        "grid": queries.round_grid(round_, submitted_only=not include_drafts),
        "ratings": [(r, RATING_MEANING[r]) for r in Rating],
        "include_drafts": include_drafts,
    }
    return render(request, "quality/section11/grid.html", context)


@requires(Permission.MANAGE_SECTION11)
def grid_csv(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = queries.get_round(pk)
    header, rows = queries.grid_csv(round_, queries.round_grid(round_))
    record_access(
        user=request.user, action="export_section11_round", record=round_, detail={"rows": len(rows)}
    )
    return csv_response(f"section11-round-{round_.pk}.csv", header, rows)


def _return_context(
    request: HttpRequest,
    section11_return: Section11Return,
    answers_form: AnswersForm | None = None,
    action_form: GapActionForm | None = None,
) -> dict[str, Any]:
    answers = queries.answers_of(section11_return)
    may_answer = actions.may_answer(request.user, section11_return)
    open_for_answers = may_answer and section11_return.status != ReturnStatus.SUBMITTED
    gaps = [a for a in answers if a.rating != Rating.FULLY_MET]
    return {
        "return": section11_return,
        "answers": answers,
        "has_actions": any(a.actions.all() for a in answers),  # prefetched: no query
        "may_answer": may_answer,
        "overdue": queries.is_overdue(section11_return, timezone.localdate()),
        "today_date": timezone.localdate(),
        "answers_form": answers_form or (AnswersForm(answers=answers) if open_for_answers else None),
        "action_form": action_form or (GapActionForm(answers=gaps) if may_answer and gaps else None),
        "status_choices": GapActionStatus.choices,
    }


def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency's self-assessment: to read, and for the agency to answer."""
    section11_return = queries.get_return_for(request.user, pk)
    if request.method != "POST":
        return render(request, "quality/section11/return.html", _return_context(request, section11_return))
    if not actions.may_answer(request.user, section11_return):
        raise PermissionDenied
    form = AnswersForm(request.POST, answers=queries.answers_of(section11_return))
    if form.is_valid():
        submit = request.POST.get("submit") == "submit"
        try:
            actions.save_answers(
                actor=request.user,
                return_id=pk,
                expected_version=_version(request),
                answers=[
                    actions.AnswerInput(
                        standard_id=v["standard_id"],
                        rating=v["rating"] or "",
                        evidence=v["evidence"] or "",
                        action=v["action"] or "",
                        owner=v["owner"] or "",
                        due_on=v["due_on"],
                    )
                    for v in form.values()
                ],
                submit=submit,
            )
        except EditConflict as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Self-assessment submitted" if submit else "Saved as a draft")
            return redirect("quality:section11_return", pk=pk)
    section11_return.refresh_from_db()
    return render(
        request,
        "quality/section11/return.html",
        _return_context(request, section11_return, answers_form=form),
    )


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    section11_return = queries.get_return_for(request.user, pk)
    if not actions.may_answer(request.user, section11_return):
        raise PermissionDenied
    gaps = [a for a in queries.answers_of(section11_return) if a.rating != Rating.FULLY_MET]
    form = GapActionForm(request.POST, answers=gaps)
    if form.is_valid():
        try:
            actions.add_gap_action(
                actor=request.user,
                return_id=pk,
                expected_version=_version(request),
                standard_id=int(form.cleaned_data["standard"]),
                action=form.cleaned_data["action"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except EditConflict as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Action added to the plan")
            return redirect("quality:section11_return", pk=pk)
    return render(
        request, "quality/section11/return.html", _return_context(request, section11_return, action_form=form)
    )


@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    form = GapActionStatusForm(request.POST)
    return_id = queries.return_of_action(request.user, pk)
    if form.is_valid():
        try:
            actions.set_gap_action_status(
                actor=request.user,
                gap_action_id=pk,
                expected_version=_version(request),
                status=form.cleaned_data["status"],
            )
        except EditConflict as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Action updated")
    else:
        messages.error(request, "Choose the action's status")
    return redirect("quality:section11_return", pk=return_id)


def agency(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency across rounds: did it improve? For the partnership, and for the agency."""
    practitioner = getattr(request.user, "practitioner", None)
    own = practitioner is not None and practitioner.agency_id == pk
    if not (
        has_permission(request.user, Permission.MANAGE_SECTION11)
        or (own and has_permission(request.user, Permission.ANSWER_SECTION11))
    ):
        raise Http404("No such agency")
    found = Agency.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such agency")
    returns, rows = queries.agency_history(found)
    return render(
        request, "quality/section11/agency.html", {"agency": found, "returns": returns, "rows": rows}
    )


urlpatterns: list[URLPattern] = [
    path("section11/", landing, name="section11"),
    path("section11/standards", standards, name="section11_standards"),
    path("section11/standards/<int:pk>", standard, name="section11_standard"),
    path("section11/rounds/new", round_new, name="section11_round_new"),
    path("section11/rounds/<int:pk>", round_detail, name="section11_round"),
    path("section11/rounds/<int:pk>/send", round_send, name="section11_round_send"),
    path("section11/rounds/<int:pk>/comparison", grid, name="section11_grid"),
    path("section11/rounds/<int:pk>/comparison.csv", grid_csv, name="section11_grid_csv"),
    path("section11/returns/<int:pk>", return_detail, name="section11_return"),
    path("section11/returns/<int:pk>/actions", action_add, name="section11_action_add"),
    path("section11/actions/<int:pk>/status", action_status, name="section11_action_status"),
    path("section11/agencies/<int:pk>", agency, name="section11_agency"),
]
