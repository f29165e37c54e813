"""Mixins and decorators through which views ask the access policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from jigsaw.access.policy import Permission, has_permission

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def requires(permission: Permission) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Refuse (403) a page that the user's role may not use at all."""

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
