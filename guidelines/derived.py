"""Facts whose value follows from other facts, and what the engine reads.

Pure: no ORM. Each ``Derivation`` names the fact it sets, the facts it reads and
where the rule comes from. A derived value replaces whatever was typed for that
fact (a man cannot be pregnant, whatever the form says), and pages show it as
derived, with what it came from. Scores (Child-Pugh, Fong …) are meant to be
added as further derivations.

The rules here are the fact sheet's own (revision 2, §0 "Facts that do not apply
to a patient"), not clinical judgement of the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from guidelines.facts import Catalogue


class Derivation(Protocol):
    """A rule that sets ``fact`` from ``inputs``; ``compute`` gives None when it does not."""

    fact: str
    source: str

    @property
    def inputs(self) -> tuple[str, ...]: ...

    def compute(self, values: Mapping[str, object]) -> object: ...


@dataclass(frozen=True)
class FollowsFrom:
    """``fact`` is ``value`` whenever ``input`` holds one of ``when`` (None: any value)."""

    fact: str
    input: str
    when: frozenset[str] | None
    value: object
    source: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.input,)

    def compute(self, values: Mapping[str, object]) -> object:
        given = values.get(self.input)
        if given is None or (self.when is not None and given not in self.when):
            return None
        return self.value


REVISION_2 = "fact sheet revision 2, §0: facts that do not apply to a patient"
DERIVATIONS: tuple[Derivation, ...] = (
    FollowsFrom("pregnant", "sex", frozenset({"male"}), False, REVISION_2),
    FollowsFrom("history_extrahepatic_cancer", "primary_site", None, True, REVISION_2),
    FollowsFrom(
        "combined_primary_resection", "primary_status", frozenset({"resected"}), False, REVISION_2
    ),
)


@dataclass(frozen=True)
class Derived:
    value: object
    inputs: tuple[str, ...]
    source: str

    def explain(self, values: Mapping[str, object], catalogue: Catalogue) -> str:
        """What it came from, in words: 'follows from Sex: Male'."""
        parts = [
            f"{catalogue[name].label}: {catalogue[name].display_value(values.get(name))}"
            for name in self.inputs
        ]
        return "follows from " + ", ".join(parts)


def derive(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, Derived]:
    """The derived facts of a case (only facts the catalogue has, from inputs it has)."""
    found: dict[str, Derived] = {}
    for rule in DERIVATIONS:
        if rule.fact not in catalogue or not all(name in catalogue for name in rule.inputs):
            continue
        value = rule.compute(values)
        if value is not None:
            found[rule.fact] = Derived(value, rule.inputs, rule.source)
    return found


def with_derived(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """The case's values with derived facts filled in (a derived value wins)."""
    return {**values, **{name: d.value for name, d in derive(values, catalogue).items()}}


def engine_values(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """What the matching engine reads: derived facts in, "not known" values out.

    A choice that means "not known" (e.g. ``planned_procedure = undecided``) is matched
    exactly like an empty fact; the case still shows the value chosen.
    """
    result = with_derived(values, catalogue)
    for name, value in list(result.items()):
        spec = catalogue.get(name)
        if spec is not None and value in spec.not_known_values:
            del result[name]
    return result
