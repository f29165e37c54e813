from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
