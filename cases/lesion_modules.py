"""The lesion tables an area may choose by name (``DiseaseArea.lesion_module``, from
``guidelines.registry.LESION_MODULES``).

A lesion module is built by an app above this one (the liver's: ``liver``) and
registered when it starts. This app knows a module only by what it declares: the rows
of a case (a relation of the case, read with it), how its rows become facts (each row's
``for_scores()``, read by ``guidelines.scores``), the region of the case page that shows
and edits them (``template``, with ``context``). The printed case section shows them
through its slot ``cases.printed_section`` (``common.slots``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from guidelines.registry import LESION_MODULES


@dataclass(frozen=True)
class LesionModule:
    name: str
    template: str  # the case page's region that shows and edits the rows
    relation: str  # the case's related name of its rows (read with the case)
    # What the case page's region needs: (request, case, overview, extra) → context.
    context: Callable[..., dict]
    # What each row reads with it: (path under the rows, a function giving the queryset to
    # read it with, e.g. with its related rows joined, or None), e.g. its measurements.
    with_rows: tuple[tuple[str, Callable[[], QuerySet] | None], ...] = ()
    # Saves the rows' measurements at an imaging timepoint: (case, timepoint,
    # {row pk: mm, "not_seen", "too_small" or None for not measured}).
    measure: Callable[..., None] | None = None

    @property
    def label(self) -> str:
        return LESION_MODULES[self.name]


_modules: dict[str, LesionModule] = {}


def register(module: LesionModule) -> None:
    if module.name not in LESION_MODULES:
        raise ValueError(f"lesion module {module.name!r} is not in guidelines.registry")
    _modules[module.name] = module


def get(name: str) -> LesionModule | None:
    return _modules.get(name)


def relations(prefix: str = "") -> list[str | Prefetch]:
    """What to prefetch with cases (``prefix``: the path to the case, e.g. "case__")."""
    found: list[str | Prefetch] = []
    for module in _modules.values():
        found.append(prefix + module.relation)
        for path, queryset in module.with_rows:
            full = f"{prefix}{module.relation}__{path}"
            found.append(Prefetch(full, queryset=queryset()) if queryset else full)
    return found


def rows(case) -> list:
    """The rows of the case's lesion table, in their order (prefetched where read often)."""
    return [row for module in _modules.values() for row in getattr(case, module.relation).all()]


def template_of(name: str) -> str:
    """The case page's lesion region of a module ("" for an area without a lesion table)."""
    module = _modules.get(name)
    return module.template if module else ""


def page_context(request, case, seen, extra: dict) -> dict:
    """What the case page's lesion region needs (nothing without a lesion table)."""
    module = _modules.get(seen.area.lesion_module)
    return module.context(request, case, seen, extra) if module else {}
