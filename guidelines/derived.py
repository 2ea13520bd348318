"""Facts whose value follows from other facts, and what the engine reads.

Pure: no ORM. The rules are the registry's (``guidelines.registry``), those an area
chose: each ``Derivation`` names the fact it sets, the facts it reads and where the rule
comes from. A derived value replaces whatever was typed for that fact (a man cannot be
pregnant, whatever the form says), and pages show it as derived, with what it came
from. Scores are derivations too, so conditions read them like any other fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from guidelines import registry
from guidelines.facts import Catalogue, rules_of
from guidelines.registry import Derivation


@dataclass(frozen=True)
class Derived:
    value: object
    rule: Derivation
    values: Mapping[str, object]  # what the rule read

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.rule.inputs

    @property
    def source(self) -> str:
        return self.rule.source

    def explain(
        self, values: Mapping[str, object], catalogue: Catalogue, *, briefly: bool = False
    ) -> str:
        """How it came about, in words ('follows from Sex: Male', 'computed: Fong 3 of 5 …');
        briefly, a score names only its inputs (the scores block says the rest)."""
        return self.rule.describe(self.values, catalogue, briefly=briefly)


# Kept per catalogue (one per disease area): the content snapshot hands out the same
# catalogue objects until the content changes. Keyed by id, with the catalogue itself
# kept to check that the id was not reused; cleared when content changes often.
_applicable: dict[int, tuple[Catalogue, tuple[Derivation, ...]]] = {}
KEPT_CATALOGUES = 16


def derivations(catalogue: Catalogue) -> tuple[Derivation, ...]:
    """The rules the catalogue's area chose (a plain mapping: every rule) whose fact and
    inputs the catalogue has."""
    kept = _applicable.get(id(catalogue))
    if kept is not None and kept[0] is catalogue:
        return kept[1]
    rules = tuple(
        rule
        for entry in registry.entries(rules_of(catalogue))
        for rule in entry.derivations
        if rule.fact in catalogue and all(name in catalogue for name in rule.inputs)
    )
    if len(_applicable) >= KEPT_CATALOGUES:
        _applicable.clear()
    _applicable[id(catalogue)] = (catalogue, rules)
    return rules


def derive(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, Derived]:
    """The derived facts of a case (only facts the catalogue has, from inputs it has);
    each rule reads the case's values with what earlier rules derived."""
    found: dict[str, Derived] = {}
    current = dict(values)
    memo: dict = {}  # each score once (the facts read off one score follow each other)
    for rule in derivations(catalogue):
        value = rule.compute(current, memo)
        if value is not None:
            # ``current`` itself, not a copy: later rules only add other facts to it.
            found[rule.fact] = Derived(value, rule, current)
            current[rule.fact] = value
    return found


def with_given_values(values: Mapping[str, object], given: Mapping[str, object]) -> dict:
    """``values`` with what the lesion table and the course give in place of what was typed:
    a fact they cannot decide (None) is not known."""
    values = {name: value for name, value in values.items() if name not in given}
    values.update((name, value) for name, value in given.items() if value is not None)
    return values


def with_derived(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """The case's values with derived facts filled in (a derived value wins). A fact of a
    computed group (never typed on the form: a score, the BCLC stage) that a rule of the
    area sets is its rule's alone: typed in an import or ``match_case`` input, it is
    dropped when the rule leaves it not known (HCC fact sheet §0 addition 9, §3.5)."""
    found = derive(values, catalogue)
    ruled = {rule.fact for rule in derivations(catalogue)}
    result = {
        name: value
        for name, value in values.items()
        if name in found
        or name not in ruled
        or not (catalogue.get(name) is not None and catalogue[name].computed)
    }
    result.update((name, d.value) for name, d in found.items())
    return result


def engine_values(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """What the matching engine reads: derived facts in, "not known" values out.

    A choice that means "not known" (e.g. ``planned_procedure = undecided``) is matched
    exactly like an empty fact; the case still shows the value chosen.
    """
    return without_not_known(with_derived(values, catalogue), catalogue)


def without_not_known(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """``values`` without the choices that mean "not known" (read like empty facts)."""
    result = dict(values)
    for name, value in values.items():
        spec = catalogue.get(name)
        if spec is not None and isinstance(value, str) and value in spec.not_known_values:
            del result[name]
    return result
