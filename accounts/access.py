"""Access checks for pages that show patient data."""

from __future__ import annotations

from django.http import Http404, HttpRequest


def require(request: HttpRequest, permission: str) -> None:
    """Refuse with 404, never 403: an unauthorised request must not learn what exists."""
    if not request.user.has_perm(permission):
        raise Http404
