"""Sign-ins, sign-outs and failed sign-ins go into the access log like every other look."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from jigsaw.access.log import record_access


def on_sign_in(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    record_access(user=user, action="sign_in")


def on_sign_out(sender: Any, request: HttpRequest, user: AbstractBaseUser | None, **kwargs: Any) -> None:
    if user is not None:
        record_access(user=user, action="sign_out")


def on_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None, **kwargs: Any
) -> None:
    # Never the password: the username only, which Django has already cleansed of secrets.
    record_access(
        user=None, action="sign_in_failed", detail={"username": str(credentials.get("username", ""))}
    )
