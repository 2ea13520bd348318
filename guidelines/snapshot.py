"""The guideline content a request works with: the fact catalogue and the published rules.

Building them reads some 300 rows; they change only when an editor changes
content. Every such change -- through the admin, a command, or raw SQL -- adds
a row to the audit history (PostgreSQL triggers), and audit event ids are never
reused. So the newest event id of each guideline table is an exact version of
the content, read with one indexed query, and the built content is kept per
process until that version moves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection

from guidelines import facts, matching

_EVENT_TABLES = (
    "guidelines_factevent",
    "guidelines_factchoiceevent",
    "guidelines_guidelinesourceevent",
    "guidelines_sectionevent",
    "guidelines_subsectionevent",
    "guidelines_recommendationevent",
)
_VERSION_SQL = "SELECT " + ", ".join(
    f"(SELECT max(pgh_id) FROM {table})" for table in _EVENT_TABLES
)


@dataclass(frozen=True)
class Snapshot:
    version: tuple
    catalogue: facts.Catalogue  # read-only: it is shared by every request of the process
    rules: tuple[matching.Rule, ...]


_lock = threading.Lock()
_current: dict[str, Snapshot] = {}  # per database alias


def content_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        return tuple(cursor.fetchone())


def current() -> Snapshot:
    """The catalogue and rules as of now: one query when nothing changed, four otherwise."""
    version = content_version()
    cached = _current.get(connection.alias)
    if cached is not None and cached.version == version:
        return cached
    built = Snapshot(version, facts.build_catalogue(), tuple(matching.build_rules()))
    with _lock:
        _current[connection.alias] = built
    return built
