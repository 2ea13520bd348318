"""Whether a case is ready for its meeting: each disease area's checklist (``ReadinessItem``,
edited in the admin and carried in the area's pack), evaluated three-valued like the
recommendations' conditions, as of the meeting's date.

A checklist item is a condition over the case's facts and over the readiness facts below,
which follow from the case's record and dates rather than from the form (``cases.readiness``
computes them). An item is met when its condition holds; when it fails, or cannot be
decided (a fact is not known), it is not met, and says which facts were missing. An item
that *blocks* makes the case "not ready"; one that *warns*, "ready with warnings".

Pure: imports nothing from Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from guidelines import matching
from guidelines.derived import without_not_known
from guidelines.facts import BOOLEAN, INTEGER, Catalogue, FactSpec

BLOCKS, WARNS = "blocks", "warns"
READY, WARNINGS, NOT_READY = "ready", "warnings", "not_ready"
STATE_WORDS = {READY: "Ready", WARNINGS: "Ready with warnings", NOT_READY: "Not ready"}

# What a readiness condition may read beside the case's facts.
FACTS: Mapping[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("days_since_ct_or_mri", "Days since the latest CT or MRI", INTEGER, minimum=0,
                 unit="days", help_text="From the patient's imaging, to the meeting's date."),
        FactSpec("days_since_values", "Days since the latest dated value (markers, labs)",
                 INTEGER, minimum=0, unit="days",
                 help_text="From the values recorded over time, to the meeting's date."),
        FactSpec("radiology_report_attached", "A radiology report is attached", BOOLEAN),
        FactSpec("pathology_report_attached", "A pathology report is attached", BOOLEAN),
        FactSpec("decisive_facts_known", "The facts that decide recommendations are known",
                 BOOLEAN, help_text="No recommendation of the area waits for a fact that is "
                 "not known."),
    )
}  # fmt: skip


# How a readiness fact that cannot be worked out reads (the record has nothing for it).
NOTHING_RECORDED = {
    "days_since_ct_or_mri": "no CT or MRI recorded by then",
    "days_since_values": "no values recorded by then",
}


def catalogue_with_readiness(catalogue: Catalogue) -> dict[str, FactSpec]:
    """What a readiness condition is validated against: the area's facts and ``FACTS``."""
    return {**catalogue, **FACTS}


@dataclass(frozen=True)
class Item:
    key: str
    text: str  # what is checked, in words: "Liver imaging (CT or MRI) within 56 days"
    condition: str
    severity: str  # BLOCKS or WARNS
    local_policy: bool = True


@dataclass(frozen=True)
class Check:
    item: Item
    met: bool
    missing: tuple[str, ...] = ()  # why it could not be decided, e.g. "not known: ECOG"

    @property
    def blocks(self) -> bool:
        return not self.met and self.item.severity == BLOCKS

    @property
    def words(self) -> str:
        """E.g. "Liver imaging (CT or MRI) within 56 days (not known: Days since …)"."""
        if self.met or not self.missing:
            return self.item.text
        return f"{self.item.text} ({'; '.join(self.missing)})"


@dataclass(frozen=True)
class Readiness:
    as_of: datetime.date
    checks: tuple[Check, ...]

    @property
    def open(self) -> list[Check]:
        """The items not met, blocking ones first."""
        return sorted((c for c in self.checks if not c.met), key=lambda c: not c.blocks)

    @property
    def state(self) -> str:
        if any(check.blocks for check in self.checks):
            return NOT_READY
        return WARNINGS if any(not check.met for check in self.checks) else READY

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def missing_words(self) -> str:
        """What is missing, in one line ("" when ready)."""
        return "; ".join(check.words for check in self.open)


def evaluate(
    items: Sequence[Item], values: Mapping[str, object], catalogue: Catalogue,
    as_of: datetime.date,
) -> Readiness:  # fmt: skip
    """Each item against the values (the case's facts and the readiness facts), read as
    the matching engine reads them: a choice that means "not known" is not known."""
    values = without_not_known(values, catalogue)
    checks = []
    for item in items:
        compiled = matching.compile_condition(item.condition)
        outcome, results = compiled.evaluate(values)
        missing: tuple[str, ...] = ()
        if outcome is None:
            names = dict.fromkeys(
                compiled.comparisons[i].fact for i in compiled.deciding_unknowns(results)
            )
            unknown = [(catalogue.get(name) or FACTS.get(name) or FactSpec(name, name, BOOLEAN)).label
                       for name in names if name not in NOTHING_RECORDED]  # fmt: skip
            missing = tuple(NOTHING_RECORDED[name] for name in names if name in NOTHING_RECORDED)
            missing += (f"not known: {', '.join(unknown)}",) if unknown else ()
        checks.append(Check(item, outcome is True, missing))
    return Readiness(as_of, tuple(checks))
