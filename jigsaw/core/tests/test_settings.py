from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from jigsaw.access.models import AccessLogEntry


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "JIGSAW_INSECURE_LOCAL"}}
    return subprocess.run(
        [sys.executable, "-c", "import jigsaw.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"],
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _import_settings({"JIGSAW_ENV": "production", "ALLOWED_HOSTS": "jigsaw.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_strict() -> None:
    result = _import_settings(
        {"JIGSAW_ENV": "production", "ALLOWED_HOSTS": "jigsaw.example", "SECRET_KEY": "x" * 50, "DEBUG": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]  # no debug pages, secure cookies


@pytest.mark.django_db
def test_security_headers_on_every_page(client: Client, social_worker: User) -> None:
    client.force_login(social_worker)
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_sign_in_and_out(client: Client, social_worker: User) -> None:
    from tests.factories import PASSWORD

    response = client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})
    assert response.status_code == 302
    assert "Find a person" in client.get("/").content.decode()
    client.post("/sign-out")
    assert client.get("/").status_code == 302
    wrong = client.post("/sign-in", {"username": "social_worker", "password": "wrong"})
    assert "Enter a correct username and password" in wrong.content.decode()
    assert list(AccessLogEntry.objects.values_list("action", flat=True)) == [
        "sign_in",
        "sign_out",
        "sign_in_failed",
    ]
    assert AccessLogEntry.objects.get(action="sign_in_failed").detail == {"username": "social_worker"}


def test_a_server_error_shows_a_plain_page_not_a_stack_trace(rf: RequestFactory) -> None:
    from jigsaw.core.views import error_500

    response = error_500(rf.get("/people/1"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with Jigsaw" in page
    assert "Traceback" not in page
