"""Personal tokens: made, found and revoked here only (``accounts.models.PersonalToken``)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone

from accounts.backends import DemoAwareBackend
from accounts.models import PersonalToken, TokenPurpose

# Refresh "last used" at most this often, so that a polling calendar does not write
# a row (and an audit event) on every request.
LAST_USED_EVERY = 3600  # seconds


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user, purpose: str, name: str, days: int | None = None) -> tuple[PersonalToken, str]:
    """A new token and its secret (shown once; only its hash is kept). An API token is
    valid for ``days`` (API_TOKEN_DAYS when not given)."""
    secret = secrets.token_urlsafe(32)
    expires_at = None
    if purpose == TokenPurpose.API:
        days = min(days or settings.API_TOKEN_DAYS, settings.API_TOKEN_MAX_DAYS)
        expires_at = timezone.now() + datetime.timedelta(days=days)
    token = PersonalToken.objects.create(
        user=user, purpose=purpose, name=name, prefix=secret[:8], key_hash=_hash(secret),
        expires_at=expires_at,
    )  # fmt: skip
    return token, secret


def unexpired() -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())


def find(secret: str, purpose: str) -> PersonalToken | None:
    """The active token of that purpose with this secret (not revoked, not expired), whose
    user may still log in (active; a demo account only in demo mode, as at the login)."""
    if not secret or len(secret) > 200:
        return None
    token = (
        PersonalToken.objects.select_related("user__demo_account")
        .filter(unexpired(), key_hash=_hash(secret), purpose=purpose, revoked_at__isnull=True)
        .first()
    )
    # The login's own rule: an active user, and a demo account only in demo mode (DEBUG).
    if token is None or not DemoAwareBackend().user_can_authenticate(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_EVERY:
        PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def revoke(user, pk: int) -> bool:
    """Revoke one of the user's own tokens; whether it was active."""
    return bool(
        PersonalToken.objects.filter(pk=pk, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


NAME_MAX = 100


class TokenNameForm(forms.Form):
    """What a token is for: one line of text (a NUL character, which no database text may
    hold, is refused with Django's own message, as in every form)."""

    name = forms.CharField(max_length=NAME_MAX)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ApiTokenForm(TokenNameForm):
    """An API token's name and how many days it is valid (at most API_TOKEN_MAX_DAYS)."""

    days = forms.IntegerField(min_value=1, required=False, label="Valid for (days)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(
            MaxValueValidator(
                settings.API_TOKEN_MAX_DAYS,
                f"At most {settings.API_TOKEN_MAX_DAYS} days: make a new token when it expires.",
            )
        )


def tokens_page(request, purpose: str, unnamed: str) -> dict:
    """What a page of the user's tokens of one purpose shows: on a POST, the token made
    from the name given (``made``: the token and its secret, shown once) or the problems
    (``error`` for the name: ``unnamed`` when none was given; ``days_error`` for an API
    token's days); the user's tokens not revoked (expired ones marked); for API tokens the
    days offered (``days``, ``max_days``)."""
    made, error, days_error = None, "", ""
    api = purpose == TokenPurpose.API
    days = settings.API_TOKEN_DAYS
    if request.method == "POST":
        data = {"name": request.POST.get("name", ""), "days": request.POST.get("days", "")}
        form = (ApiTokenForm if api else TokenNameForm)(data)
        if form.is_valid():
            token, secret = issue(
                request.user, purpose, form.cleaned_data["name"], form.cleaned_data.get("days")
            )
            made = {"token": token, "secret": secret}
        else:
            if "name" in form.errors:
                problem = form.errors["name"][0]
                error = unnamed if form["name"].value().strip() == "" else problem
            if api and "days" in form.errors:
                days_error = form.errors["days"][0]
                days = data["days"]
    mine = PersonalToken.objects.filter(user=request.user, purpose=purpose, revoked_at__isnull=True)
    return {
        "made": made, "error": error, "days_error": days_error, "tokens": mine, "api": api,
        "days": days, "max_days": settings.API_TOKEN_MAX_DAYS,
    }  # fmt: skip
