"""Personal tokens: made, found and revoked here only (``accounts.models.PersonalToken``)."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

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
    """The active token of that purpose with this secret, whose user is still active."""
    if not secret or len(secret) > 200:
        return None
    token = (
        PersonalToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), purpose=purpose, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
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


def tokens_page(request, purpose: str, unnamed: str) -> dict:
    """What a page of the user's tokens of one purpose shows: on a POST, the token made
    from the name given (``made``: the token and its secret, shown once) or ``error``
    (``unnamed``, when no name was given); and the user's active tokens."""
    made, error = None, ""
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())[:NAME_MAX]
        if name:
            token, secret = issue(request.user, purpose, name)
            made = {"token": token, "secret": secret}
        else:
            error = unnamed
    mine = PersonalToken.objects.filter(user=request.user, purpose=purpose, revoked_at__isnull=True)
    return {"made": made, "error": error, "tokens": mine}
