"""When to answer an htmx request with a fragment (STYLE.md 2.5)."""

from __future__ import annotations

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """Only a plain htmx request gets a fragment.

    Boosted requests and history restores (which also send HX-Request since
    htmx PR #2013) must get the whole page.
    """
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
