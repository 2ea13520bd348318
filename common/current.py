"""The request being answered, for code that has no request at hand (signals, log filters).

``config.requestid.RequestIdMiddleware`` sets it for each request; outside a request
(commands, workers) there is none.
"""

from __future__ import annotations

import contextvars

from django.utils.functional import empty

_request = contextvars.ContextVar("request", default=None)


def set_request(request):
    """Make ``request`` the current one; returns the token to ``reset`` it with."""
    return _request.set(request)


def reset(token) -> None:
    _request.reset(token)


def request():
    return _request.get()


def user(load: bool = False):
    """The current request's user, else None: nobody logged in, or no request (a command,
    a worker). Only once the request has loaded it (never a query for a log line's sake)
    unless ``load``."""
    current = _request.get()
    if current is None:
        return None
    lazy = getattr(current, "user", None)
    if load and lazy is not None:
        return lazy if lazy.is_authenticated else None
    loaded = getattr(lazy, "_wrapped", lazy)  # (request.user is lazy)
    if loaded is None or loaded is empty or not getattr(loaded, "is_authenticated", False):
        return None
    return loaded


def user_id() -> int | None:
    found = user()
    return found.pk if found is not None else None
