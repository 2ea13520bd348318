"""A document handed out: its file with the type and name its kind says, its read
recorded in the read log where it names patients."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse

from accounts.readlog import record_read
from documents import kinds


def deliver(
    request: HttpRequest,
    kind: str,
    content: bytes | str,
    filename: str,
    cases: Iterable = (),
    **logged,
) -> HttpResponse:
    """The file as a response (never cached: ``config.middleware.NoStoreMiddleware``);
    ``cases``: the patients' cases it shows, for the read log (``logged``: what else the
    entry names, e.g. ``meeting_id``)."""
    found = kinds.get(kind)
    if found.read_kind:
        record_read(request, found.read_kind, list(cases), **logged)
    body = bytes(content) if isinstance(content, bytes | bytearray | memoryview) else content
    response = HttpResponse(body, content_type=found.content_type(filename))
    disposition = "inline" if found.inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def stored(request: HttpRequest, document, cases: Iterable = (), **logged) -> HttpResponse:
    """A finished stored document (a ``Rendering``), as its kind hands it out."""
    return deliver(request, document.kind, document.content, document.filename, cases, **logged)
