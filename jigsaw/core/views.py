from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from jigsaw.access.policy import Permission, has_permission


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "can_find_people": has_permission(request.user, Permission.FIND_PEOPLE),
            "can_create_person": has_permission(request.user, Permission.CREATE_PERSON),
            "can_administer": has_permission(request.user, Permission.ADMINISTER),
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
