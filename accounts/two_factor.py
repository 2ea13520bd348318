"""The second factor: a code from an authenticator app (TOTP, RFC 6238, ``django-otp``),
or one of ten recovery codes, each good once. Required at login for administrators and
superusers with a local password (``accounts.login_steps``), open to everyone else.

The first login of someone who must use it sets it up: the page shows the key (as text and
as a QR code for the phone), the first code confirms it, and the recovery codes are shown
once. Wrong codes are throttled by django-otp (each failure doubles the wait); the
password step keeps its own lockout (axes)."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import login_steps

RECOVERY_CODES = 10
WRONG = "That code is not right (or it was used already). Try the app's next code."
WAIT = "Too many wrong codes in a row: wait {seconds} seconds, then try again."


def _throttled(device) -> str:
    """Why the device takes no code now (django-otp doubles the wait after each failure)."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return ""
    seconds = 2 ** max((data or {}).get("failure_count", 1) - 1, 0)
    return WAIT.format(seconds=seconds)


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=16,
        label="Code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


def _next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "home"


@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if not user.has_usable_password():
        return render(request, "registration/two_factor.html", {"external": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = CodeForm(request.POST or None)
    if device is None:
        return _set_up(request, form)
    if request.method == "POST" and form.is_valid() and (wait := _throttled(device)):
        form.add_error("code", wait)
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        found = verify_token(user, device.persistent_id, code)
        if found is None:
            recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
            if recovery is not None:
                found = verify_token(user, recovery.persistent_id, code)
        if found is not None:
            otp_login(request, found)
            login_steps.done(request, "two_factor")
            return redirect(_next(request))
        form.add_error("code", WRONG)
    context = {"form": form, "verify": True, "required": login_steps.first(request) == "two_factor",
               "verified": user.is_verified()}  # fmt: skip
    return render(
        request, "registration/two_factor.html", context, status=400 if form.errors else 200
    )


def _set_up(request, form):
    user = request.user
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    if request.method == "POST" and form.is_valid() and (wait := _throttled(pending)):
        form.add_error("code", wait)
    elif request.method == "POST" and form.is_valid():
        if pending.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                StaticDevice.objects.filter(user=user).delete()
                recovery = StaticDevice.objects.create(user=user, name="Recovery codes")
                codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
                StaticToken.objects.bulk_create(
                    StaticToken(device=recovery, token=c) for c in codes
                )
            otp_login(request, pending)
            login_steps.done(request, "two_factor")
            return render(
                request, "registration/two_factor.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("code", WRONG)
    uri = pending.config_url
    context = {
        "form": form, "setup": True, "required": login_steps.first(request) == "two_factor",
        "secret": _grouped(pending.bin_key), "qr": segno.make(uri, error="m").svg_data_uri(scale=4),
    }  # fmt: skip
    return render(
        request, "registration/two_factor.html", context, status=400 if form.errors else 200
    )


def _grouped(key: bytes) -> str:
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[n : n + 4] for n in range(0, len(text), 4))
