"""Pages of recommendations: the landing page (the actions you own, and the sets), a set and
its recommendations, a recommendation with its response, status and actions, an action
with its progress, the CSV import with its template, and the scrutiny committee report as
a page and a PDF. Thin: parse, ask the policy, call an action, render."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.models import Practitioner
from jigsaw.quality.actions import recommendations as actions
from jigsaw.quality.forms.recommendations import (
    ActionForm,
    ImportForm,
    ProgressForm,
    RecommendationForm,
    ResponseForm,
    SetForm,
    StatusForm,
)
from jigsaw.quality.models.recommendations import Recommendation, RecommendationAction, Response
from jigsaw.quality.queries import recommendations as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def _version(request: HttpRequest) -> int:
    raw = str(request.POST.get("version", ""))
    return int(raw) if _NUMBER.fullmatch(raw) else -1


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one, so that it is checked), else None."""
    return request.POST if request.method == "POST" else None


@requires(Permission.VIEW_OVERSIGHT)
def landing(request: HttpRequest) -> HttpResponse:
    """The actions you own (open ones first, overdue first) and, for those who see them,
    the sets of recommendations."""
    owned, open_count = queries.actions_owned_by(request.user)
    context: dict[str, Any] = {
        "owned": owned,
        "open_count": open_count,
        "overdue_count": sum(1 for o in owned if o.overdue),
        "shown_limit": queries.OWNED_SHOWN,
        "may_view": queries.may_view(request.user),
        "may_manage": queries.may_manage(request.user),
    }
    if context["may_view"]:
        page, summaries = queries.sets_page(request.user, request.GET.get("page"))
        context |= {"page": page, "summaries": summaries}
    return render(request, "quality/recommendations/landing.html", context)


@requires(Permission.MANAGE_RECOMMENDATIONS)
def new_set(request: HttpRequest) -> HttpResponse:
    form = SetForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_set(actor=request.user, details=form.details())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The set is recorded: add its recommendations")
            return redirect("quality:recommendation_set", pk=created.pk)
    return render(request, "quality/recommendations/set_form.html", {"form": form, "editing": None})


@requires(Permission.MANAGE_RECOMMENDATIONS)
def edit_set(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_set_for(request.user, pk)
    initial = {
        "title": found.title,
        "source": found.source,
        "source_reference": found.source_reference,
        "source_date": found.source_date,
        "reports_to": found.reports_to,
    }
    form = SetForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_set(
                actor=request.user, set_id=pk, expected_version=_version(request), details=form.details()
            )
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The set is changed")
            return redirect("quality:recommendation_set", pk=pk)
    return render(request, "quality/recommendations/set_form.html", {"form": form, "editing": found})


@requires(Permission.MANAGE_RECOMMENDATIONS)
def import_set(request: HttpRequest) -> HttpResponse:
    """A set from a CSV file: all of it, or nothing and every bad line listed."""
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = actions.import_set(actor=request.user, details=form.details(), data=upload.read())
        except actions.ImportRefused as refused:
            problems = refused.problems
            form.add_error(
                "file",
                f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}: nothing has been "
                "saved. Put right the lines listed below and upload it again",
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            count = created.recommendations.count()
            messages.success(request, f"Imported {count} recommendation{'s' if count != 1 else ''}")
            return redirect("quality:recommendation_set", pk=created.pk)
    return render(
        request,
        "quality/recommendations/import.html",
        {"form": form, "problems": problems, "columns": actions.COLUMNS},
    )


@requires(Permission.MANAGE_RECOMMENDATIONS)
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(actions.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jigsaw-recommendations-template.csv"'
    return response


@requires(Permission.VIEW_OVERSIGHT)
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_set_for(request.user, pk)
    rows = queries.rows_of(found)
    return render(
        request,
        "quality/recommendations/set.html",
        {
            "set": found,
            "rows": rows,
            "counts": queries.rag_counts(r.status for r in rows),
            "may_manage": queries.may_manage(request.user),
        },
    )


@requires(Permission.MANAGE_RECOMMENDATIONS)
def new_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_set_for(request.user, pk)
    form = RecommendationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.add_recommendation(
                actor=request.user,
                set_id=pk,
                number=form.cleaned_data["number"],
                text=form.cleaned_data["text"],
                agency_id=form.cleaned_data["agency"].pk,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Recommendation {created.number} is added")
            return redirect("quality:recommendation_set", pk=pk)
    return render(
        request,
        "quality/recommendations/recommendation_form.html",
        {"form": form, "set": found, "editing": None},
    )


@requires(Permission.VIEW_OVERSIGHT)
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.get_recommendation_for(request.user, pk)
    return render(
        request,
        "quality/recommendations/recommendation.html",
        {
            "row": row,
            "recommendation": row.recommendation,
            "actions": queries.actions_of(row.recommendation),
            "may_manage": queries.may_manage(request.user),
            "today": timezone.localdate(),
            "not_accepted": row.recommendation.response == Response.NOT_ACCEPTED,
        },
    )


def _managed_recommendation(request: HttpRequest, pk: int) -> Recommendation:
    return queries.get_recommendation_for(request.user, pk).recommendation


@requires(Permission.MANAGE_RECOMMENDATIONS)
def edit_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_recommendation(request, pk)
    initial = {"number": found.number, "text": found.text, "agency": found.agency}
    form = RecommendationForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_recommendation(
                actor=request.user,
                recommendation_id=pk,
                expected_version=_version(request),
                number=form.cleaned_data["number"],
                text=form.cleaned_data["text"],
                agency_id=form.cleaned_data["agency"].pk,
            )
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The recommendation is changed")
            return redirect("quality:recommendation", pk=pk)
    return render(
        request,
        "quality/recommendations/recommendation_form.html",
        {"form": form, "set": found.recommendation_set, "editing": found},
    )


@requires(Permission.MANAGE_RECOMMENDATIONS)
def response(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the owning agency's response."""
    found = _managed_recommendation(request, pk)
    form = ResponseForm(
        _posted(request), initial={"response": found.response, "comment": found.response_comment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_response(
                actor=request.user,
                recommendation_id=pk,
                expected_version=_version(request),
                response=form.cleaned_data["response"],
                comment=form.cleaned_data["comment"],
            )
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The response is recorded")
            return redirect("quality:recommendation", pk=pk)
    return render(
        request, "quality/recommendations/response_form.html", {"form": form, "recommendation": found}
    )


@requires(Permission.MANAGE_RECOMMENDATIONS)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the status over the derived one, or go back to it."""
    row = queries.get_recommendation_for(request.user, pk)
    found = row.recommendation
    initial = {"rag": found.rag_set or StatusForm.DERIVED, "reason": found.rag_reason}
    form = StatusForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_status(
                actor=request.user,
                recommendation_id=pk,
                expected_version=_version(request),
                rag=form.rag_value(),
                reason=form.cleaned_data["reason"],
            )
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, "The status is set" if form.rag_value() else "The status is now derived"
            )
            return redirect("quality:recommendation", pk=pk)
    return render(
        request,
        "quality/recommendations/status_form.html",
        {"form": form, "recommendation": found, "status": row.status},
    )


def _owners(recommendation: Recommendation) -> Any:
    return Practitioner.objects.filter(agency_id=recommendation.agency_id).order_by("full_name")


@requires(Permission.MANAGE_RECOMMENDATIONS)
def new_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = _managed_recommendation(request, pk)
    form = ActionForm(_posted(request), owners=_owners(found), agency=found.agency)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_action(
                actor=request.user,
                recommendation_id=pk,
                description=form.cleaned_data["description"],
                owner_id=form.cleaned_data["owner"].pk,
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action is added and its owner told")
            return redirect("quality:recommendation", pk=pk)
    return render(
        request,
        "quality/recommendations/action_form.html",
        {"form": form, "recommendation": found, "editing": None},
    )


@requires(Permission.MANAGE_RECOMMENDATIONS)
def edit_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_action_for(request.user, pk)
    initial = {"description": found.description, "owner": found.owner, "due_on": found.due_on}
    form = ActionForm(
        _posted(request),
        initial=initial,
        owners=_owners(found.recommendation),
        agency=found.recommendation.agency,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_action(
                actor=request.user,
                action_id=pk,
                expected_version=_version(request),
                description=form.cleaned_data["description"],
                owner_id=form.cleaned_data["owner"].pk,
                due_on=form.cleaned_data["due_on"],
            )
        except actions.EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action is changed")
            return redirect("quality:recommendation_action", pk=pk)
    return render(
        request,
        "quality/recommendations/action_form.html",
        {"form": form, "recommendation": found.recommendation, "editing": found},
    )


def _action_context(
    request: HttpRequest, found: RecommendationAction, form: ProgressForm | None
) -> dict[str, Any]:
    may_record = actions.may_record_progress(request.user, found)
    return {
        "action": found,
        "recommendation": found.recommendation,
        "updates": queries.updates_of(found),
        "overdue": found.completed_on is None and found.due_on < timezone.localdate(),
        "form": form
        or (ProgressForm(initial={"done": found.completed_on is not None}) if may_record else None),
        "may_view_recommendation": queries.may_view(request.user),
        "may_manage": queries.may_manage(request.user),
        "is_owner": found.owner.user_id == request.user.pk,
    }


@requires(Permission.VIEW_OVERSIGHT)
def action(request: HttpRequest, pk: int) -> HttpResponse:
    """An action, its progress so far, and (for its owner) the form to record more."""
    found = queries.get_action_for(request.user, pk)
    form: ProgressForm | None = None
    if request.method == "POST":
        if not actions.may_record_progress(request.user, found):
            raise PermissionDenied
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["evidence"]
            evidence = (
                actions.Evidence(name=upload.name or "evidence", data=upload.read()) if upload else None
            )
            try:
                actions.record_progress(
                    actor=request.user,
                    action_id=pk,
                    expected_version=_version(request),
                    note=form.cleaned_data["note"],
                    done=bool(form.cleaned_data["done"]),
                    evidence=evidence,
                )
            except actions.EditConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, "Your update is recorded")
                return redirect("quality:recommendation_action", pk=pk)
        found = queries.get_action_for(request.user, pk)  # as saved now (a conflict moved it on)
    return render(request, "quality/recommendations/action.html", _action_context(request, found, form))


@require_GET
@requires(Permission.VIEW_OVERSIGHT)
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file, always as a download (never shown in the page's origin)."""
    found = queries.get_evidence_for(request.user, pk)
    record_access(
        user=request.user,
        action="download_progress_evidence",
        record=found,
        detail={"action": found.update.action_id, "name": found.name},
    )
    response = HttpResponse(bytes(found.data), content_type=found.content_type or "application/octet-stream")
    safe_name = re.sub(r"[^A-Za-z0-9 ._-]+", "_", found.name)
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _report_choice(request: HttpRequest) -> tuple[int | None, str]:
    raw = str(request.GET.get("set", ""))
    return (int(raw) if _NUMBER.fullmatch(raw) else None), str(request.GET.get("body", "")).strip()


@requires(Permission.VIEW_RECOMMENDATIONS)
def report(request: HttpRequest) -> HttpResponse:
    """The scrutiny committee's report of one set, or of every set for one body; without
    either, the choice of sets and bodies."""
    set_id, body = _report_choice(request)
    if set_id is None and not body:
        page, summaries = queries.sets_page(request.user, request.GET.get("page"))
        return render(
            request,
            "quality/recommendations/report_choose.html",
            {"page": page, "summaries": summaries, "bodies": queries.bodies()},
        )
    data = queries.report(request.user, set_id=set_id, body=body)
    record_access(
        user=request.user,
        action="view_recommendation_report",
        detail={"set": set_id, "body": body, "recommendations": data.total},
    )
    query = urlencode({"set": str(set_id)} if set_id is not None else {"body": body})
    return render(
        request,
        "quality/recommendations/report.html",
        {"report": data, "pdf_url": f"{reverse('quality:recommendation_report_pdf')}?{query}"},
    )


@require_GET
@requires(Permission.VIEW_RECOMMENDATIONS)
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a PDF for the committee's papers; the export is logged."""
    from weasyprint import HTML

    set_id, body = _report_choice(request)
    if set_id is None and not body:
        return redirect("quality:recommendation_report")
    data = queries.report(request.user, set_id=set_id, body=body)
    record_access(
        user=request.user,
        action="export",
        detail={"what": "recommendation report", "set": set_id, "body": body, "recommendations": data.total},
    )
    context = {"report": data, "printed_at": timezone.localtime(), "printed_by": request.user}
    html = render_to_string("quality/recommendations/report_pdf.html", context, request=request)
    pdf: bytes = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(data.title)[:60] or "recommendations"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


urlpatterns: list[URLPattern] = [
    path("recommendations/", landing, name="recommendations"),
    path("recommendations/sets/new", new_set, name="recommendation_set_new"),
    path("recommendations/import", import_set, name="recommendation_import"),
    path("recommendations/import/template.csv", import_template, name="recommendation_import_template"),
    path("recommendations/report", report, name="recommendation_report"),
    path("recommendations/report.pdf", report_pdf, name="recommendation_report_pdf"),
    path("recommendations/sets/<int:pk>", set_detail, name="recommendation_set"),
    path("recommendations/sets/<int:pk>/edit", edit_set, name="recommendation_set_edit"),
    path("recommendations/sets/<int:pk>/add", new_recommendation, name="recommendation_new"),
    path("recommendations/<int:pk>", recommendation, name="recommendation"),
    path("recommendations/<int:pk>/edit", edit_recommendation, name="recommendation_edit"),
    path("recommendations/<int:pk>/response", response, name="recommendation_response"),
    path("recommendations/<int:pk>/status", status, name="recommendation_status"),
    path("recommendations/<int:pk>/actions/new", new_action, name="recommendation_action_new"),
    path("recommendations/actions/<int:pk>", action, name="recommendation_action"),
    path("recommendations/actions/<int:pk>/edit", edit_action, name="recommendation_action_edit"),
    path("recommendations/evidence/<int:pk>", evidence, name="recommendation_evidence"),
]
