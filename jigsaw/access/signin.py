"""The second step of signing in (a code from an authenticator app), its set-up, and the
session endpoints the idle-timeout warning uses."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jigsaw.access.log import record_access
from jigsaw.core.forms import GovukForm


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="6 digits, for example 123456",
        max_length=10,
        error_messages={"required": "Enter the 6 digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digit code from your authenticator app")
        return code


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the user's confirmed authenticator."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return HttpResponseRedirect(f"/sign-in/set-up-second-factor?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            record_access(user=request.user, action="second_factor_verified")
            return HttpResponseRedirect(_next(request))
        record_access(user=request.user, action="second_factor_failed")
        form.add_error("code", "The code is not right or has expired: enter the code your app shows now")
    return render(request, "access/second_factor.html", {"form": form, "next": _next(request)})


def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show its QR code and key, then confirm with a code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return HttpResponseRedirect(f"/sign-in/second-factor?next={_next(request)}")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_access(user=request.user, action="second_factor_set_up")
            return HttpResponseRedirect(_next(request))
        form.add_error("code", "The code is not right: check the key you entered and try the newest code")
    qr = segno.make(device.config_url, error="m")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "access/second_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_data_uri": qr.svg_data_uri(scale=5, dark="#0b0c0c"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@login_not_required
def session_status(request: HttpRequest) -> JsonResponse:
    """Whether the browser's session is still signed in. Reading it does not renew it."""
    request.session.modified = False
    return JsonResponse({"signed_in": request.user.is_authenticated})


@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """'Stay signed in': any request renews the session; this one does nothing else."""
    return JsonResponse({"signed_in": True})
