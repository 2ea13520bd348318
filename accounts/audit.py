"""The audit trail: what is recorded, and how a record reads.

Models decorated with ``audited`` are tracked by django-pghistory: PostgreSQL
triggers record every insert, update and delete, whoever makes it (a view, the
admin, a management command or raw SQL). ``HistoryMiddleware`` adds the user and
URL to each record; commands add their own name with ``pghistory.context``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import pghistory
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

# Bookkeeping columns: the entry's own when/who already says this.
HIDDEN_FIELDS = {"id", "created_at", "created_by", "updated_by", "version", "entered_as"}


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


def latest_events_sql(models_audited) -> str:
    """A query of the latest audit event of each of these models: its answer changes with
    every insert, change or deletion of their rows, however made (a cache's version)."""
    tables = sorted(
        {
            event._meta.db_table
            for model in models_audited
            for event in model.pgh_event_models.values()  # one event model per label
        }
    )
    return "SELECT " + ", ".join(f"(SELECT max(pgh_id) FROM {table})" for table in tables)


@dataclass(frozen=True)
class Wording:
    """How one kind of record's changes read in a history page: a phrase per action
    ("insert": "Printed the case summary") and the fields shown (None: all of them but the
    audit's own bookkeeping; an empty tuple: none -- internal fields mean nothing to a
    clinician)."""

    actions: Mapping[str, str]
    fields: tuple[str, ...] | None = None


def history_entries(
    events,
    describe_key=None,
    known=(),
    key_order=None,
    wording: Mapping[str, Wording] | None = None,
    about=None,
) -> list[dict]:
    """Events as rows people can read: when, who, what, and each field before/after.

    ``events`` is a list of pghistory ``Events``; users are looked up in one query.
    Fields read by their labels, choices by their labels, yes/no for booleans.
    ``describe_key(field, key, value) -> (label, text)`` words the keys of a JSON
    object field (a case's facts) one row each; by default ``field.key`` and the value.
    Rows that changes point at are named by one query per model, except ``known``
    ones the caller has at hand already (a case page's case and patient).
    ``key_order(key)`` sorts those keys (a case's facts in form order); by default by name.
    ``wording`` (by model name, e.g. "CaseSummary") says how a kind of record's changes
    read; ``about`` is the record the page is about: a field naming it is not repeated.
    """
    events = list(events)
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[i for i in user_ids if i])}
    describe_key = describe_key or (lambda field, key, value: (f"{field}.{key}", value))
    entries = [_entry(event, users, describe_key, key_order, wording or {}) for event in events]
    if about is not None:
        itself = _Ref(type(about), about.pk)
        for entry in entries:
            entry["changes"] = [row for row in entry["changes"] if itself not in row[1:]]
    _name_related_rows(entries, known)
    return entries


@dataclass(frozen=True)
class _Ref:
    """A foreign key's value, to be named once the related rows are read."""

    model: type
    pk: object  # the value of the field it refers to (``by``: the primary key, or another)
    by: str = "pk"


def _name_related_rows(entries: list[dict], known) -> None:
    """Replace foreign-key ids by the rows' names: one query per related model."""
    names = {(type(row), "pk", row.pk): str(row) for row in known}
    wanted: dict[tuple[type, str], set] = {}
    for entry in entries:
        for _, before, after in entry["changes"]:
            for value in (before, after):
                if isinstance(value, _Ref) and (value.model, value.by, value.pk) not in names:
                    wanted.setdefault((value.model, value.by), set()).add(value.pk)
    names.update(
        ((model, by, getattr(row, by)), str(row))
        for (model, by), pks in wanted.items()
        for row in model._base_manager.select_related().filter(**{f"{by}__in": pks})
    )

    def name(value):
        if not isinstance(value, _Ref):
            return value
        return names.get((value.model, value.by, value.pk), f"#{value.pk} (since deleted)")

    for entry in entries:
        entry["changes"] = [(label, name(b), name(a)) for label, b, a in entry["changes"]]


def _entry(event, users, describe_key, key_order=None, wording=None) -> dict:
    context = event.pgh_context or {}
    user = users.get(context.get("user"))
    if user:
        who = user.get_full_name() or user.get_username()
    elif context.get("command"):
        who = f"manage.py {context['command']}"
    else:
        who = "unknown (a change outside the application)"
    model = event.pgh_model.split(".")[-1].removesuffix("Event")
    words = (wording or {}).get(model)
    changes = _changes(event, describe_key, key_order)
    if words is not None and words.fields is not None:
        tracked = _tracked_model(event.pgh_model)
        labels = {
            capfirst(f.verbose_name) for f in (_model_field(tracked, n) for n in words.fields) if f
        }
        changes = [row for row in changes if row[0] in labels]
    phrase = words.actions.get(event.pgh_label) if words else None
    return {
        "when": event.pgh_created_at,
        "who": who,
        "where": context.get("url") or context.get("pack") or "",
        "what": event.pgh_label,
        "model": model,
        "phrase": phrase or f"{capfirst(event.pgh_label)} {model.lower()}",
        "changes": changes,
    }


def _changes(event, describe_key, key_order=None) -> list[tuple[str, object, object]]:
    """(label, before, after) rows; before is None for a value that did not exist."""
    inserted = event.pgh_label == "insert"
    if event.pgh_label == "update" and event.pgh_diff:
        pairs = sorted(event.pgh_diff.items())
    elif inserted:
        pairs = [(name, (None, value)) for name, value in event.pgh_data.items()]
    else:
        return []
    tracked = _tracked_model(event.pgh_model)
    rows = []
    for name, (before, after) in pairs:
        field = _model_field(tracked, name)
        if (field.name if field else name) in HIDDEN_FIELDS:
            continue
        if inserted and after in ("", None, {}):
            continue
        if isinstance(after, dict) and isinstance(before, dict | None):
            old_values = before or {}
            for key in sorted(set(old_values) | set(after), key=key_order):
                if old_values.get(key) == after.get(key):
                    continue
                label, new = describe_key(name, key, after.get(key))
                old = None if inserted else describe_key(name, key, old_values.get(key))[1]
                rows.append((label, old, new))
            continue
        label = capfirst(field.verbose_name) if field else name
        rows.append((label, _display(field, before), _display(field, after)))
    return rows


def _tracked_model(event_model: str):
    try:
        return apps.get_model(event_model).pgh_tracked_model
    except (LookupError, AttributeError):
        return None


def _model_field(model, name: str):
    """The model field behind a recorded column (``patient_id`` is ``patient``)."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _display(field, value):
    if value is None or field is None:
        return value
    if isinstance(value, list):  # a list of choices (segments): as a clinician writes it
        base = getattr(field, "base_field", None)
        return ", ".join(str(_display(base, item)) for item in value) if base else value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.BooleanField):
        return "yes" if value else "no"
    if field.is_relation:  # (by the field it refers to: a form group by its key)
        target = field.target_field
        return _Ref(field.related_model, value, "pk" if target.primary_key else target.attname)
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return value
        return f"{day.day} {day:%b %Y}"
    return value
