"""Pages of the partners app: the flag check (issue 5, item 3). A partner asks; the answer
page says only the flag, its start date and who to call; the asker sees their own checks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from jigsaw.access.log import record_access
from jigsaw.access.policy import Permission
from jigsaw.access.views import requires
from jigsaw.core.forms import apply_validation_error
from jigsaw.partners.actions.flags import check_flag, clean_flag_question
from jigsaw.partners.forms.flags import FlagCheckForm
from jigsaw.partners.queries.flags import (
    answer_page,
    checks_left,
    front_door,
    get_check_for,
    recent_checks,
    refused_checks,
)
from jigsaw.people.normalise import format_nhs_number


@requires(Permission.CHECK_FLAG)
def flag_check(request: HttpRequest) -> HttpResponse:
    practitioner = getattr(request.user, "practitioner", None)
    agency_name = practitioner.agency.name if practitioner is not None else ""
    # Bound on every POST, even an empty one, so that an empty form shows its errors.
    form = FlagCheckForm(
        request.POST if request.method == "POST" else None, initial={"where_seen": agency_name}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check = check_flag(
                actor=request.user,
                reason=d["reason"],
                where_seen=d["where_seen"],
                nhs_number=d["nhs_number"],
                given_name=d["given_name"],
                family_name=d["family_name"],
                date_of_birth=d["date_of_birth"],
                postcode=d["postcode"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("partners:flag_answer", pk=check.pk)
    elif request.method == "POST":
        # All the problems at once, as the Design System asks: the action's (the child's
        # details) beside the form's own.
        d = form.cleaned_data
        try:
            clean_flag_question(
                reason=d.get("reason") or "-",
                where_seen=d.get("where_seen") or "-",
                nhs_number=d.get("nhs_number", ""),
                given_name=d.get("given_name", ""),
                family_name=d.get("family_name", ""),
                date_of_birth=d.get("date_of_birth"),
                postcode=d.get("postcode", ""),
            )
        except ValidationError as error:
            for field, found in error.message_dict.items():
                if field not in form.errors:
                    form.add_error(field, found)
    context = {"form": form, "left": checks_left(request.user), "front_door": front_door()}
    return render(request, "partners/flags/check.html", context)


@requires(Permission.CHECK_FLAG)
def flag_answer(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_check_for(request.user, pk)
    page = answer_page(check)
    if check.person is not None:
        # Opening the answer again shows the child's flag again: logged like the check.
        record_access(
            user=request.user,
            action="view_flag_answer",
            record=check,
            detail={"answer": check.answer},
            subjects=[check.person],
        )
    context = {
        "page": page,
        "check": check,
        "nhs_number": format_nhs_number(check.nhs_number),
        "per_hour": settings.JIGSAW_FLAG_CHECKS_PER_HOUR,
        "per_day": settings.JIGSAW_FLAG_CHECKS_PER_DAY,
    }
    return render(request, "partners/flags/answer.html", context)


@requires(Permission.CHECK_FLAG)
def my_checks(request: HttpRequest) -> HttpResponse:
    rows = recent_checks(request.user)
    # The list repeats the answers about identified children: logged as they are read.
    named = sorted({row.check.person_id for row in rows if row.check.person_id is not None})
    if named:
        record_access(
            user=request.user,
            action="view_flag_checks",
            subjects=[("people.person", str(pk)) for pk in named],
        )
    return render(request, "partners/flags/recent.html", {"rows": rows, "left": checks_left(request.user)})


@requires(Permission.REVIEW_ACCESS)
def flag_refusals(request: HttpRequest) -> HttpResponse:
    """The data protection officer's view of checks refused for being over the limit."""
    return render(
        request,
        "partners/flags/refusals.html",
        {
            "entries": refused_checks(request.user),
            "per_hour": settings.JIGSAW_FLAG_CHECKS_PER_HOUR,
            "per_day": settings.JIGSAW_FLAG_CHECKS_PER_DAY,
        },
    )


urlpatterns: list[URLPattern] = [
    path("flag-check", flag_check, name="flag_check"),
    path("flag-check/<int:pk>", flag_answer, name="flag_answer"),
    path("flag-check/mine", my_checks, name="flag_checks"),
    path("flag-check/refused", flag_refusals, name="flag_refusals"),
]
