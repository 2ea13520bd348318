"""The one path from a case's facts to its matches, and the content it reads.

``conditions``, ``facts``, ``derived`` and ``matching`` are pure: they import
nothing from Django. This module is their ORM side. It builds the fact
catalogue and the published rules from the models, keeps them per process, and
offers the one entry point every caller matches through::

    matches_for(values)   # -> matching.Panel, derived facts included

Building the content reads some 300 rows; it changes only when an editor
changes content. Every such change -- through the admin, a command, or raw
SQL -- adds a row to the audit history (PostgreSQL triggers), and audit event
ids are never reused. So the newest event id of each audited guideline table
is an exact version of the content, read with one indexed query, and the built
content is kept until that version moves. The tables are found from the
models, so a guideline model audited tomorrow is covered without a list to keep.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import connection

from guidelines import facts, matching
from guidelines.models import Fact, Recommendation, RecommendationEvent


def audited_models() -> list[type]:
    """The guidelines app's models whose every change is recorded by the audit history."""
    return [
        model
        for model in apps.get_app_config("guidelines").get_models()
        if getattr(model, "pgh_event_models", None)
    ]


@cache
def _version_sql() -> str:
    tables = sorted(
        {
            event._meta.db_table
            for model in audited_models()
            for event in model.pgh_event_models.values()  # one event model per label
        }
    )
    return "SELECT " + ", ".join(f"(SELECT max(pgh_id) FROM {table})" for table in tables)


@dataclass(frozen=True)
class Snapshot:
    version: tuple
    catalogue: facts.Catalogue  # read-only: it is shared by every request of the process
    rules: tuple[matching.Rule, ...]


_lock = threading.Lock()
_current: dict[str, Snapshot] = {}  # per database alias


def content_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return tuple(cursor.fetchone())


def current() -> Snapshot:
    """The catalogue and rules as of now: one query when nothing changed, four otherwise."""
    version = content_version()
    cached = _current.get(connection.alias)
    if cached is not None and cached.version == version:
        return cached
    built = Snapshot(version, Fact.objects.catalogue(), tuple(Recommendation.objects.rules()))
    with _lock:
        _current[connection.alias] = built
    return built


def recommendation_versions(slugs: Iterable[str]) -> dict[str, int]:
    """The exact version (latest audit event id) of each named recommendation, so that a
    printed document can be traced to the content it showed after editors change it."""
    latest = (
        RecommendationEvent.objects.filter(slug__in=set(slugs))
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values_list("slug", "pgh_id")
    )
    return dict(sorted(latest))


def catalogue() -> facts.Catalogue:
    """The current fact catalogue (read-only)."""
    return current().catalogue


def matches_for(values: Mapping[str, object], content: Snapshot | None = None) -> matching.Panel:
    """A case's matches against the published content, ready to show.

    ``values`` are the case's facts (``Case.fact_values``, or what a form holds);
    derived facts and values that mean "not known" are handled inside the engine.
    Pass ``content`` when the caller already holds the snapshot it worked with.
    """
    content = content or current()
    return matching.panel(values, content.rules, content.catalogue)
