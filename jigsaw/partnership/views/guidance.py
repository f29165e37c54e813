"""Pages of guidance: what is addressed to you and whether you have read it (everyone
signed in); issuing guidance and new versions, and who has read each (the partnership's
business unit and administrators). Thin: parse, ask the policy, call an action or a
query, render."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from jigsaw.access.policy import Permission, has_permission
from jigsaw.access.views import requires
from jigsaw.core.edits import REFUSED, submit, version_of
from jigsaw.core.forms import apply_validation_error
from jigsaw.partnership.actions import guidance as actions
from jigsaw.partnership.forms.guidance import GuidanceForm, NewVersionForm, uploaded
from jigsaw.partnership.models.guidance import GuidanceFile, GuidanceVersion
from jigsaw.partnership.queries import guidance as queries

_NUMBER = re.compile(r"[0-9]{1,9}")


def guidance(request: HttpRequest) -> HttpResponse:
    """Guidance to read, and read, for the signed-in user; the issuers also see what has
    been issued and how much of it has been read."""
    mine = queries.guidance_for(request.user)
    can_issue = has_permission(request.user, Permission.ISSUE_GUIDANCE)
    context = {
        "to_read": [g for g in mine if g.acknowledged_at is None],
        "read": [g for g in mine if g.acknowledged_at is not None],
        "can_issue": can_issue,
        "issued": queries.issued_items() if can_issue else [],
    }
    return render(request, "partnership/guidance/home.html", context)


def item(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_item_for(request.user, pk)
    versions = list(
        GuidanceVersion.objects.filter(item=found).select_related("issued_by", "file").order_by("-number")
    )
    if not versions:
        raise Http404("No such guidance")
    current = versions[0]
    context = {
        "item": found,
        "current": current,
        "older": versions[1:],
        "addressed": queries.is_addressed_to(found, request.user),
        "acknowledged": queries.acknowledgement_of(current, request.user),
        "can_issue": has_permission(request.user, Permission.ISSUE_GUIDANCE),
    }
    return render(request, "partnership/guidance/item.html", context)


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """ "I have read this": one click."""
    found = queries.get_item_for(request.user, pk)
    version_text = str(request.POST.get("version", ""))
    version_id = int(version_text) if _NUMBER.fullmatch(version_text) else -1
    try:
        actions.acknowledge(actor=request.user, version_id=version_id)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect("partnership:guidance_item", pk=found.pk)
    messages.success(request, f"Thank you: you have told the partnership you have read {found.title}")
    return redirect("partnership:guidance")


@requires(Permission.ISSUE_GUIDANCE)
def new(request: HttpRequest) -> HttpResponse:
    form = GuidanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.issue_guidance(
                actor=request.user,
                details=form.details(),
                body=form.cleaned_data["body"],
                upload=uploaded(form),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{issued.title} is issued: everyone it is for is asked to read it")
            return redirect("partnership:guidance_readers", pk=issued.pk)
    return render(request, "partnership/guidance/new.html", {"form": form})


@requires(Permission.ISSUE_GUIDANCE)
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_item_for(request.user, pk)
    current = queries.current_version(found)
    initial = {"version": found.version, "body": current.body if current else ""}
    form = NewVersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = submit(
            request,
            form,
            lambda: actions.issue_new_version(
                actor=request.user,
                item_id=found.pk,
                expected_version=form.cleaned_data["version"],
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
                upload=uploaded(form),
            ),
            current_version=version_of(found),
        )
        if version is not REFUSED:
            messages.success(
                request, f"Version {version.number} is issued: everyone is asked to read it again"
            )
            return redirect("partnership:guidance_readers", pk=found.pk)
    return render(
        request, "partnership/guidance/new_version.html", {"form": form, "item": found, "current": current}
    )


@requires(Permission.ISSUE_GUIDANCE)
def readers(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_item_for(request.user, pk)
    return render(
        request, "partnership/guidance/readers.html", {"item": found, "report": queries.reading_report(found)}
    )


def file(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's PDF, for those the guidance is for and its issuers."""
    found = get_object_or_404(GuidanceFile.objects.select_related("version__item"), pk=pk)
    queries.get_item_for(request.user, found.version.item_id)
    response = HttpResponse(bytes(found.content), content_type="application/pdf")
    safe_name = re.sub(r"[^A-Za-z0-9._ -]", "_", found.filename) or "guidance.pdf"
    response["Content-Disposition"] = f'inline; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("guidance/", guidance, name="guidance"),
    path("guidance/new", new, name="guidance_new"),
    path("guidance/<int:pk>", item, name="guidance_item"),
    path("guidance/<int:pk>/read", acknowledge, name="guidance_acknowledge"),
    path("guidance/<int:pk>/new-version", new_version, name="guidance_new_version"),
    path("guidance/<int:pk>/readers", readers, name="guidance_readers"),
    path("guidance/files/<int:pk>", file, name="guidance_file"),
]
