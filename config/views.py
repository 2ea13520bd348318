"""Error pages that need nothing that may have failed (no database, no session)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from config import requestid

RETRY_AFTER_SECONDS = 60


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 "try again in a minute" when the database cannot be reached."""
    error = sys.exc_info()[1]
    context = {"request_id": requestid.current()}  # for the user to quote
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Our own page for a refused form; the reason stays in the log, not on the page."""
    context = {"request_id": requestid.current()}
    return HttpResponse(loader.get_template("403_csrf.html").render(context), status=403)
