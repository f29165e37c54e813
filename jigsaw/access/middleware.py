from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from jigsaw.access.log import Origin, current_origin


class AccessLogMiddleware:
    """Tells the access log where each request came from (the address the proxy saw)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_origin.set(
            Origin(request.META.get("REMOTE_ADDR") or None, request.headers.get("user-agent", ""))
        )
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)


# Pages a signed-in user may reach before their second factor is checked.
_BEFORE_SECOND_FACTOR = ("/sign-in", "/sign-out", "/static/", "/health", "/session/")


class SecondFactorMiddleware:
    """Where a second factor is required, a signed-in user who has not yet given a code from
    their authenticator app is sent to do so (or to set one up) before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.JIGSAW_REQUIRE_SECOND_FACTOR
            and request.user.is_authenticated
            and not request.user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
            and not request.path.startswith(_BEFORE_SECOND_FACTOR)
        ):
            target = "second_factor" if user_has_device(request.user) else "second_factor_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
