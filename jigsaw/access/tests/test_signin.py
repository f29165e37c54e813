from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigsaw.access.models import AccessLogEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_passwords_are_hashed_with_argon2(social_worker: User) -> None:
    assert social_worker.password.startswith("argon2$")


def test_repeated_failures_lock_the_account(client: Client, social_worker: User) -> None:
    for _ in range(5):
        client.post("/sign-in", {"username": "social_worker", "password": "not-the-password"})

    response = client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})

    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()
    assert client.get("/").status_code == 302
    assert AccessLogEntry.objects.filter(action="sign_in_failed").count() >= 5


def test_a_success_resets_the_count(client: Client, social_worker: User) -> None:
    for _ in range(4):
        client.post("/sign-in", {"username": "social_worker", "password": "wrong"})
    assert client.post("/sign-in", {"username": "social_worker", "password": PASSWORD}).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        client.post("/sign-in", {"username": "social_worker", "password": "wrong"})
    assert client.post("/sign-in", {"username": "social_worker", "password": PASSWORD}).status_code == 302


@override_settings(JIGSAW_REQUIRE_SECOND_FACTOR=True)
def test_second_factor_is_set_up_then_required(client: Client, social_worker: User) -> None:
    client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})

    # Before a second factor, every page leads to setting one up.
    first = client.get("/people/")
    assert first.status_code == 302
    assert first["Location"].startswith("/sign-in/set-up-second-factor")
    page = client.get(first["Location"]).content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=social_worker, confirmed=False)

    wrong = client.post("/sign-in/set-up-second-factor?next=/people/", {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows down guessing
    device.throttle_reset()
    right = client.post("/sign-in/set-up-second-factor", {"code": _code(device), "next": "/people/"})
    assert right["Location"] == "/people/"
    assert client.get("/people/").status_code == 200

    # Next time: password, then a code.
    client.post("/sign-out")
    client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})
    assert client.get("/people/")["Location"].startswith("/sign-in/second-factor")
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again in the test
    device.save()
    done = client.post("/sign-in/second-factor", {"code": _code(device), "next": "/people/"})
    assert done["Location"] == "/people/"
    actions = list(AccessLogEntry.objects.values_list("action", flat=True))
    assert actions.count("second_factor_set_up") == 1
    assert actions.count("second_factor_verified") == 1


@override_settings(JIGSAW_REQUIRE_SECOND_FACTOR=True)
def test_a_second_factor_redirect_cannot_send_the_user_elsewhere(client: Client, social_worker: User) -> None:
    client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})
    client.get("/sign-in/set-up-second-factor")
    device = TOTPDevice.objects.get(user=social_worker)
    response = client.post(
        "/sign-in/set-up-second-factor", {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_session_ends_after_the_idle_time(client: Client, social_worker: User) -> None:
    from django.conf import settings

    client.post("/sign-in", {"username": "social_worker", "password": PASSWORD})
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.JIGSAW_IDLE_MINUTES * 60
    assert client.get("/session/status").json() == {"signed_in": True}
    assert client.post("/session/keep-alive").json() == {"signed_in": True}
    client.session.set_expiry(-1)
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/session/status").json() == {"signed_in": False}
