"""The lesion tables an area may choose by name (``DiseaseArea.lesion_module``, from
``guidelines.registry.LESION_MODULES``): what each shows on the case page and how its
rows become facts. The liver's (Couinaud segments, the liver map) is the only one so
far; its rows are ``cases.models.Lesion`` and its facts ``guidelines.scores.lesion_facts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.registry import LESION_MODULES


@dataclass(frozen=True)
class LesionModule:
    name: str
    label: str
    template: str  # the region of the case page that shows and edits the rows


MODULES = {
    "liver": LesionModule("liver", LESION_MODULES["liver"], "cases/_lesions.html"),
}
assert set(MODULES) == set(LESION_MODULES), "each lesion table the registry names is built here"


def template_of(name: str) -> str:
    """The case page's lesion region of a module ("" for an area without a lesion table)."""
    module = MODULES.get(name)
    return module.template if module else ""
