"""The one path from a case's facts to its matches, and the content it reads.

``conditions``, ``facts``, ``derived`` and ``matching`` are pure: they import
nothing from Django. This module is their ORM side. It builds the fact
catalogue and the published rules from the models, keeps them per process, and
offers the one entry point every caller matches through::

    matches_for(values, for_case(case))   # -> matching.Panel, derived facts included

Content is per disease area: a case is matched against its own area's published
recommendations, with its area's facts and the shared ones, and never sees another
area's rules (``for_case`` picks the area from the case itself).

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
from types import MappingProxyType

from django.apps import apps
from django.db import connection

from accounts.audit import latest_events_sql
from guidelines import facts, matching
from guidelines.facts import AreaCatalogue
from guidelines.models import (
    DiseaseArea,
    Fact,
    ReadinessItem,
    Recommendation,
    RecommendationEvent,
)


def audited_models() -> list[type]:
    """The guidelines app's models whose every change is recorded by the audit history."""
    return [
        model
        for model in apps.get_app_config("guidelines").get_models()
        if getattr(model, "pgh_event_models", None)
    ]


@cache
def _version_sql() -> str:
    return latest_events_sql(audited_models())


@dataclass(frozen=True)
class Area:
    """A disease area as pages need it (detached from the ORM, shared by requests)."""

    pk: int
    slug: str
    name: str
    lesion_module: str  # the lesion table its cases have ("": none)
    lesion_fields: tuple[str, ...] = ()  # its optional per-lesion fields


@dataclass(frozen=True)
class AreaContent:
    """What a case of one area is matched against: the area's facts with the shared
    ones (read-only, in form order) and the area's published recommendations."""

    version: tuple
    area: Area
    catalogue: facts.Catalogue
    rules: tuple[matching.Rule, ...]
    readiness: tuple = ()  # the area's checklist (``guidelines.readiness.Item``), in order


@dataclass(frozen=True)
class Snapshot:
    version: tuple
    # Every fact of every area, read-only: fact names are unique across areas, so this
    # describes any condition or value; matching reads an area's own catalogue instead.
    facts: facts.Catalogue
    shared: frozenset[str]  # the names of the facts every area has
    areas: Mapping[int, AreaContent]  # by area id, in the areas' order

    def of(self, area_id: int) -> AreaContent:
        """One area's content (LookupError for an area that did not exist at ``version``)."""
        try:
            return self.areas[area_id]
        except KeyError:
            raise LookupError(f"no disease area {area_id} in the content") from None

    def by_slug(self, slug: str) -> AreaContent | None:
        return next((c for c in self.areas.values() if c.area.slug == slug), None)


_lock = threading.Lock()
_current: dict[str, Snapshot] = {}  # per database alias


def content_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return tuple(cursor.fetchone())


def current() -> Snapshot:
    """The content of every area as of now: one query when nothing changed, six otherwise."""
    version = content_version()
    cached = _current.get(connection.alias)
    if cached is not None and cached.version == version:
        return cached
    built = _build(version)
    with _lock:
        _current[connection.alias] = built
    return built


def _build(version: tuple) -> Snapshot:
    found = sorted(
        Fact.objects.select_related("section").prefetch_related("choices"), key=Fact.form_order
    )
    specs = [(fact.area_id, fact.to_spec()) for fact in found]
    rules: dict[int, list[matching.Rule]] = {}
    for rec in Recommendation.objects.in_library():
        rules.setdefault(rec.subsection.section.area_id, []).append(rec.to_rule())
    checklists: dict[int, list] = {}
    for item in ReadinessItem.objects.all():
        checklists.setdefault(item.area_id, []).append(item.to_item())
    areas = {}
    for row in DiseaseArea.objects.all():
        area = Area(row.pk, row.slug, row.name, row.lesion_module, tuple(row.lesion_fields))
        reads = set(row.shared_facts)
        catalogue = AreaCatalogue(
            {
                spec.name: spec
                for area_id, spec in specs
                if area_id == row.pk or (area_id is None and spec.name in reads)
            },
            frozenset(row.rules),
        )
        areas[row.pk] = AreaContent(version, area, catalogue, matching.in_order(rules.get(row.pk, ())),
                                    tuple(checklists.get(row.pk, ())))  # fmt: skip
    every = MappingProxyType({spec.name: spec for _, spec in specs})
    shared = frozenset(spec.name for area_id, spec in specs if area_id is None)
    return Snapshot(version, every, shared, MappingProxyType(areas))


def named_area(slug: str | None) -> AreaContent:
    """The area a command's ``--area`` names, or the only one when it names none;
    LookupError says which areas there are."""
    areas = list(current().areas.values())
    slugs = ", ".join(content.area.slug for content in areas) or "none (load content first)"
    if slug is None:
        if len(areas) == 1:
            return areas[0]
        raise LookupError(f"say which disease area with --area: {slugs}")
    found = current().by_slug(slug)
    if found is None:
        raise LookupError(f"--area {slug}: no such disease area (areas: {slugs})")
    return found


def for_area(area_id: int) -> AreaContent:
    """One area's current content."""
    return current().of(area_id)


def for_case(case) -> AreaContent:
    """The content a case is matched against: that of its own area."""
    return current().of(case.area_id)


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
    """Every fact of every area (read-only), to describe conditions and values; a
    case's own catalogue is ``for_case(case).catalogue``."""
    return current().facts


def matches_for(values: Mapping[str, object], content: AreaContent) -> matching.Panel:
    """A case's matches against its area's published content, ready to show.

    ``values`` are the case's facts (``Case.fact_values``, or what a form holds);
    derived facts and values that mean "not known" are handled inside the engine.
    ``content`` is the case's area's (``for_case``): another area's rules never apply.
    """
    return matching.panel(values, content.rules, content.catalogue)


def matches_json(values: Mapping[str, object], content: AreaContent) -> dict:
    """What ``match_case`` prints and a case's ``matches.json`` returns: the matches
    (``matching.as_json``) and the derived facts used (``derived``: each fact, its value,
    and how it was computed)."""
    from guidelines.derived import derive

    output = matching.as_json(matches_for(values, content).results)
    output["derived"] = [
        {
            "fact": name,
            "label": content.catalogue[name].label,
            "value": list(found.value) if isinstance(found.value, tuple) else found.value,
            "shown": content.catalogue[name].display_value(found.value),
            "how": found.explain(values, content.catalogue),
        }
        for name, found in derive(values, content.catalogue).items()
    ]
    return output
