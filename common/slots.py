"""Slots: places on a lower app's pages that higher apps fill.

A page of ``cases`` or ``meetings`` must not know the apps built on it (decisions,
quality, interop), yet shows their parts: the board's decisions on the case page, the
minutes box on the meeting page, a link to the FHIR bundle. The lower app names a slot
in its template (``{% load slots %}{% slot "cases.case_panels" %}``); a higher app
registers a template for it when it starts (``AppConfig.ready``), with what the page
should read for it (``prefetch``: related objects of the rows the slot is shown for).
A registered template is included with the page's context.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Slot:
    name: str
    templates: list[str] = field(default_factory=list)
    prefetch: list = field(default_factory=list)

    def register(self, template: str, *, prefetch=()) -> None:
        if template not in self.templates:
            self.templates.append(template)
            self.prefetch.extend(p for p in prefetch if p not in self.prefetch)


_slots: dict[str, Slot] = {}


def slot(name: str) -> Slot:
    """The slot of that name (made when first named, by the page or by a filler)."""
    return _slots.setdefault(name, Slot(name))
