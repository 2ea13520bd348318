"""Each request's id, and the one JSON log line it leaves.

The id is nginx's (``X-Request-ID``, when it has the expected shape) or a new one; it goes
back in the response's ``X-Request-ID`` header and on every error page, so that a user can
quote it and IT finds the request's lines in the log. Every log record made while the
request runs carries it and the user's id (``RequestContext``).

The request line names the view and its route pattern, never the path or the query
string: those can hold a search for a patient's name. No name, MRN or free text is
logged; the user is an id.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.urls import Resolver404, resolve

from common import current as now_answering
from config import metrics

_request_id = contextvars.ContextVar("request_id", default="")
GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"
log = logging.getLogger("tumorboard.request")


def current() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """First in the chain: the id, the timing, the request's log line and its metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if GIVEN_ID.match(given) else uuid.uuid4().hex
        id_token = _request_id.set(request_id)
        request_token = now_answering.set_request(request)
        request.request_id = request_id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._done(request, response.status_code, time.perf_counter() - started)
            return response
        finally:
            _request_id.reset(id_token)
            now_answering.reset(request_token)

    @staticmethod
    def _done(request, status: int, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        if match is None:  # answered before the URL was resolved (e.g. the database is down)
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        view = match.view_name if match else "unresolved"
        metrics.observe_request(view, request.method, status, seconds)
        if view.startswith("health_"):
            return  # probes every few seconds: counted, not logged
        log.info(
            "request",
            extra={
                "method": request.method,
                "view": view,
                "route": match.route if match else "",
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )


class RequestContext(logging.Filter):
    """Adds the request id and the user's id to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.user_id = now_answering.user_id()
        return True


def context_processor(request) -> dict:
    return {"request_id": getattr(request, "request_id", "") or current()}
