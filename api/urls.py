"""The API's URLs: its operations take a token or a session (no login redirect); its
docs and schema are pages like any other (login required)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required

from api.api import api

DOCS = {"openapi-json", "openapi-view"}


def _urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name not in DOCS:
            pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace


urls = _urls()
