"""The schematic liver map: nine regions (Couinaud I–VIII, IV as IVa and IVb), each
shaded when a lesion lies in it and labelled with the lesions' numbers as in the table.

Our own schematic drawing, front view (the patient's right on the left), not an
anatomical image. The page and the PDF draw it from one template
(``liver/_liver_map.html``); colours are SVG presentation attributes, because the CSP
forbids inline styles and WeasyPrint ignores CSS classes inside inline SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.scores import regions_of
from liver.models import Lesion

# (segment, outline points, where its label goes), drawn in this order (I last, on top).
REGIONS = (
    ("VII", "20,70 110,34 112,122 24,136", (62, 92)),
    ("VIII", "110,34 202,22 202,116 112,122", (156, 74)),
    ("VI", "24,136 112,122 112,202 52,196", (74, 166)),
    ("V", "112,122 202,116 202,208 112,202", (156, 170)),
    ("IVa", "202,22 262,28 262,112 202,116", (232, 72)),
    ("IVb", "202,116 262,112 256,194 202,208", (242, 140)),
    ("II", "262,28 384,52 334,112 262,112", (318, 72)),
    ("III", "262,112 334,112 302,172 256,194", (290, 144)),
    ("I", "180,150 224,146 226,184 182,186", (203, 172)),
)
NAMES = {"I": "I (caudate)", "IVa": "IVa", "IVb": "IVb"}
INVOLVED_FILL, FREE_FILL, OUTLINE = "#f2a36b", "#f4f6f9", "#46566a"


@dataclass(frozen=True)
class Region:
    segment: str
    points: str
    x: int
    y: int
    numbers: tuple[int, ...]  # the lesions in it, as numbered in the table

    @property
    def involved(self) -> bool:
        return bool(self.numbers)

    @property
    def fill(self) -> str:
        return INVOLVED_FILL if self.involved else FREE_FILL

    @property
    def label(self) -> str:
        return ", ".join(str(n) for n in self.numbers)

    @property
    def described(self) -> str:
        """The region in words, for screen readers and the map's text alternative."""
        name = f"Segment {NAMES.get(self.segment, self.segment)}"
        if not self.numbers:
            return f"{name}: no lesion"
        which = "lesion" if len(self.numbers) == 1 else "lesions"
        return f"{name}: {which} {self.label}"


def regions(lesions: list[Lesion]) -> list[Region]:
    """The map's regions with the lesions in each (a lesion in IV lies in IVa and IVb)."""
    found: dict[str, list[int]] = {}
    for lesion in lesions:
        for segment in lesion.segments:
            for part in regions_of(segment):
                found.setdefault(part, []).append(lesion.number)
    return [
        Region(segment, points, x, y, tuple(sorted(set(found.get(segment, ())))))
        for segment, points, (x, y) in REGIONS
    ]


def summary(lesions: list[Lesion]) -> str:
    """The whole map in one sentence (its text alternative)."""
    involved = [region.described for region in regions(lesions) if region.involved]
    if not involved:
        return "Liver map: no lesion entered."
    return "Liver map. " + "; ".join(involved) + "."
