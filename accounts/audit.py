"""The audit trail: what is recorded, and how a record reads.

Models decorated with ``audited`` are tracked by django-pghistory: PostgreSQL
triggers record every insert, update and delete, whoever makes it (a view, the
admin, a management command or raw SQL). ``HistoryMiddleware`` adds the user and
URL to each record; commands add their own name with ``pghistory.context``.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

HIDDEN_FIELDS = {"id", "updated_by", "created_by", "version"}


class Stamped(models.Model):
    """Who changed a row last and when, at a glance; the audit history has the rest."""

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class Authored(Stamped):
    """A Stamped row that also keeps who created it and when."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


def audited(model):
    """Record inserts, updates and deletes of a model in the audit history.

    ``updated_at`` is left out so that a save which changes nothing records nothing.
    """
    exclude = [f.name for f in model._meta.fields if f.name == "updated_at"]
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=exclude
    )(model)


def history_entries(events) -> list[dict]:
    """Events as rows people can read: when, who, what, and each field before/after.

    ``events`` is a list of pghistory ``Events``; users are looked up in one query.
    """
    events = list(events)
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[i for i in user_ids if i])}
    return [_entry(event, users) for event in events]


def _entry(event, users) -> dict:
    context = event.pgh_context or {}
    user = users.get(context.get("user"))
    if user:
        who = user.get_full_name() or user.get_username()
    elif context.get("command"):
        who = f"manage.py {context['command']}"
    else:
        who = "unknown (a change outside the application)"
    if event.pgh_label == "update" and event.pgh_diff:
        pairs = sorted(event.pgh_diff.items())
    elif event.pgh_label == "insert":
        pairs = [(name, (None, value)) for name, value in event.pgh_data.items()]
    else:
        pairs = []
    changes = []
    for name, (before, after) in pairs:
        if name in HIDDEN_FIELDS or (before is None and after in ("", None, {})):
            continue
        changes.extend(_expand(name, before, after))
    return {
        "when": event.pgh_created_at,
        "who": who,
        "where": context.get("url") or context.get("pack") or "",
        "what": event.pgh_label,
        "model": event.pgh_model.split(".")[-1].removesuffix("Event"),
        "changes": changes,
    }


def _expand(name: str, before, after) -> list[tuple[str, object, object]]:
    """A JSON object field (e.g. a case's facts) reads as one row per changed key."""
    if isinstance(after, dict) and isinstance(before, dict | None):
        before = before or {}
        keys = sorted(set(before) | set(after))
        return [
            (f"{name}.{key}", before.get(key), after.get(key))
            for key in keys
            if before.get(key) != after.get(key)
        ]
    return [(name, before, after)]
