"""Personal tokens: made, found and revoked here only (``accounts.models.PersonalToken``)."""

from __future__ import annotations

import hashlib
import secrets

from django import forms
from django.utils import timezone

from accounts.backends import DemoAwareBackend
from accounts.models import PersonalToken

# Refresh "last used" at most this often, so that a polling calendar does not write
# a row (and an audit event) on every request.
LAST_USED_EVERY = 3600  # seconds


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user, purpose: str, name: str) -> tuple[PersonalToken, str]:
    """A new token and its secret (shown once; only its hash is kept)."""
    secret = secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user, purpose=purpose, name=name, prefix=secret[:8], key_hash=_hash(secret)
    )
    return token, secret


def find(secret: str, purpose: str) -> PersonalToken | None:
    """The active token of that purpose with this secret, whose user may still log in
    (active; a demo account only in demo mode, as at the login)."""
    if not secret or len(secret) > 200:
        return None
    token = (
        PersonalToken.objects.select_related("user__demo_account")
        .filter(key_hash=_hash(secret), purpose=purpose, revoked_at__isnull=True)
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


def tokens_page(request, purpose: str, unnamed: str) -> dict:
    """What a page of the user's tokens of one purpose shows: on a POST, the token made
    from the name given (``made``: the token and its secret, shown once) or ``error``
    (``unnamed``, when no name was given, or what is wrong with it); and the user's active
    tokens."""
    made, error = None, ""
    if request.method == "POST":
        form = TokenNameForm({"name": request.POST.get("name", "")})
        if form.is_valid():
            token, secret = issue(request.user, purpose, form.cleaned_data["name"])
            made = {"token": token, "secret": secret}
        else:
            problem = form.errors["name"][0]
            error = unnamed if form["name"].value().strip() == "" else problem
    mine = PersonalToken.objects.filter(user=request.user, purpose=purpose, revoked_at__isnull=True)
    return {"made": made, "error": error, "tokens": mine}
