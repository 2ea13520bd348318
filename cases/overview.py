"""What is known about a case and what the guidelines say about it: the one path
that the case page, the JSON view, the handouts (and later meeting mode, decisions
and exports) read a saved case through.

It reads the facts once (stored facts, the patient record, derived facts), says
where each value came from, and matches them through
``guidelines.snapshot.matches_for``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cases.models import PATIENT_FACTS, Case
from cases.pseudonym import withhold_identity
from guidelines import matching, snapshot
from guidelines.derived import derive
from guidelines.facts import Catalogue, FactSpec
from guidelines.models import by_section


@dataclass(frozen=True)
class KnownFact:
    spec: FactSpec
    value: str  # the value in words
    origin: str = ""  # where it came from, when not typed as it is shown
    derived: bool = False  # the origin is a rule (printed documents show only these)

    def __str__(self) -> str:
        return f"{self.value} ({self.origin})" if self.origin else self.value

    @property
    def printed(self) -> str:
        """As printed documents show it: a derived value says where it came from."""
        return str(self) if self.derived else self.value


def known_facts(
    values: Mapping[str, object],
    catalogue: Catalogue,
    entered_as: Mapping[str, list] | None = None,
    hidden: frozenset[str] = frozenset(),
) -> list[tuple[str, list[KnownFact]]]:
    """The known facts under their section labels, in form order, each with its origin:
    derived from others, from the patient record, or typed in another unit."""
    derived = derive(values, catalogue)
    entered_as = entered_as or {}
    rows = []
    for spec in catalogue.values():
        if spec.name not in values or spec.name in hidden:
            continue
        if spec.name in derived:
            origin = derived[spec.name].explain(values, catalogue)
        elif spec.name in PATIENT_FACTS:
            origin = "from the patient record"
        elif spec.name in entered_as:
            typed, unit = entered_as[spec.name]
            origin = f"entered as {typed:g} {unit}"
        else:
            origin = ""
        value = spec.display_value(values[spec.name])
        rows.append(KnownFact(spec, value, origin, derived=spec.name in derived))
    return by_section(rows, section=lambda row: row.spec.section)


@dataclass(frozen=True)
class CaseOverview:
    case: Case
    values: dict[str, object]  # as the engine reads them, before "not known" choices drop out
    known: list[tuple[str, list[KnownFact]]]
    unknown: list[FactSpec]  # catalogue facts with no value, in form order
    matches: matching.Panel
    pseudonymised: bool = False


def overview(
    case: Case, *, pseudonymised: bool = False, content: snapshot.Snapshot | None = None
) -> CaseOverview:
    """A saved case's facts and matches as of now (``case.patient`` selected with it).

    Pseudonymised: what a pseudonymised document may show (``withhold_identity``).
    """
    content = content or snapshot.current()
    catalogue = content.catalogue
    values = case.fact_values(catalogue)
    hidden: frozenset[str] = frozenset()
    if pseudonymised:
        values, hidden = withhold_identity(values, catalogue)
    return CaseOverview(
        case=case,
        values=values,
        known=known_facts(values, catalogue, case.entered_as, hidden),
        unknown=[spec for spec in catalogue.values() if spec.name not in values],
        matches=snapshot.matches_for(values, content),
        pseudonymised=pseudonymised,
    )
