from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from jigsaw.access.policy import Permission, has_permission
from jigsaw.casework.queries import worklists
from jigsaw.partners.queries.concerns import concern_queue_count


def home(request: HttpRequest) -> HttpResponse:
    """The start page. A social worker or team manager sees the size of their work list
    (and a manager their team's) with a prominent link to it; the lists themselves, which
    name children, are on their own pages, whose every view is logged."""
    today = timezone.localdate()
    return render(
        request,
        "core/home.html",
        {
            "can_find_people": has_permission(request.user, Permission.FIND_PEOPLE),
            "can_create_person": has_permission(request.user, Permission.CREATE_PERSON),
            "can_administer": has_permission(request.user, Permission.ADMINISTER),
            "can_raise_concern": has_permission(request.user, Permission.RAISE_CONCERN),
            "can_check_flag": has_permission(request.user, Permission.CHECK_FLAG),
            "can_review_access": has_permission(request.user, Permission.REVIEW_ACCESS),
            "concern_queue_count": concern_queue_count(request.user)
            if has_permission(request.user, Permission.DECIDE_CONTACT)
            else None,
            "my_work": worklists.my_work(request.user, today=today)
            if has_permission(request.user, Permission.RECORD_CASEWORK)
            else None,
            "team_work": worklists.team_work(request.user, today=today)
            if has_permission(request.user, Permission.ALLOCATE)
            else None,
        },
    )


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that could touch the database: it may be what failed.
    return HttpResponse(render(None, "500.html", {"service_name": "Jigsaw"}).content, status=500)
