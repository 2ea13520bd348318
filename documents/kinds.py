"""The registry of document kinds: everything the app hands out as a file.

Each kind says what it is called, who may make and read it, how it is made (in the
background by ``render``, or on request by its view), its file name and type, what the
read log records when it is read, and how long a stored one is kept. The apps register
their kinds when they start (``AppConfig.ready``); adding a kind is one registration
plus its render function. The generic task (``documents.tasks.render_document``), the
file response (``documents.delivery``) and retention (``documents.retention``) read
the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FHIR_JSON = "application/fhir+json; charset=utf-8"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    types: Mapping[str, str]  # its file types: extension → content type
    # A stored document → its file name (a kind made on request is named by its view).
    filename: Callable[..., str] | None
    read_permission: str  # who may read it
    make_permission: str = ""  # who may make it ("" : whoever may read it, on request)
    read_kind: str = ""  # what the read log records (accounts.ReadKind); "" : names no patient
    inline: bool = False  # opened in the browser rather than downloaded
    # Made in the background: the model that keeps it and the render function
    # ("module.function": (document, progress) → printing.pdf.Rendered).
    model: str = ""
    render: str = ""
    related: tuple[str, ...] = ()  # what the worker selects with the document
    # Kept this many days (a setting's name; "" : kept), except the latest finished one of
    # each group of ``keep_latest_of`` (fields of the model).
    retention_setting: str = ""
    keep_latest_of: tuple[str, ...] = ()
    retention_words: str = ""  # what prune_records calls them, e.g. "meeting pack(s)"

    def content_type(self, filename: str) -> str:
        extension = filename.rsplit(".", 1)[-1]
        if extension not in self.types:
            raise ValueError(
                f"{self.key}: no file type .{extension} (types: {', '.join(self.types)})"
            )
        return self.types[extension]

    @property
    def in_background(self) -> bool:
        return bool(self.render)

    @cached_property
    def model_class(self):
        return apps.get_model(self.model)

    @cached_property
    def renderer(self):
        return import_string(self.render)


_kinds: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        if kind.key in _kinds and _kinds[kind.key] != kind:
            raise ValueError(f"document kind {kind.key!r} is registered twice")
        if bool(kind.model) != bool(kind.render):
            raise ValueError(
                f"document kind {kind.key!r}: a background kind has a model and a render"
            )
        _kinds[kind.key] = kind


def get(key: str) -> Kind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"no document kind {key!r} (kinds: {', '.join(_kinds)})") from None


def every() -> list[Kind]:
    return list(_kinds.values())
