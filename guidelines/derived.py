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

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from guidelines.facts import Catalogue


@dataclass(frozen=True)
class Derivation:
    fact: str
    inputs: tuple[str, ...]
    compute: Callable[[Mapping[str, object]], object]  # the value, or None: not derived
    source: str


@dataclass(frozen=True)
class FollowsFrom(Derivation):
    """``fact`` is ``value`` whenever ``input`` holds one of ``when`` (None: any value)."""

    when: frozenset | None = None
    value: object = None


def follows_from(fact: str, input_fact: str, when, value, source: str) -> FollowsFrom:
    allowed = None if when is None else frozenset(when)

    def compute(values: Mapping[str, object]) -> object:
        given = values.get(input_fact)
        if given is None or (allowed is not None and given not in allowed):
            return None
        return value

    return FollowsFrom(fact, (input_fact,), compute, source, allowed, value)


REVISION_2 = "fact sheet revision 2, §0: facts that do not apply to a patient"
DERIVATIONS: tuple[Derivation, ...] = (
    follows_from("pregnant", "sex", {"male"}, False, REVISION_2),
    follows_from("history_extrahepatic_cancer", "primary_site", None, True, REVISION_2),
    follows_from("combined_primary_resection", "primary_status", {"resected"}, False, REVISION_2),
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
