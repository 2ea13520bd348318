"""Facts whose value follows from other facts, and what the engine reads.

Pure: no ORM. Each ``Derivation`` names the fact it sets, the facts it reads and
where the rule comes from. A derived value replaces whatever was typed for that
fact (a man cannot be pregnant, whatever the form says), and pages show it as
derived, with what it came from. The liver scores (``guidelines.scores``: Child-Pugh,
ALBI, the future liver remnant, Fong, the tumour burden score, the disease-free
interval) are derivations too, so conditions read them like any other fact.

The rules here are the fact sheet's own (revision 2, §0 "Facts that do not apply
to a patient"), not clinical judgement of the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from guidelines import scores
from guidelines.facts import Catalogue


class Derivation(Protocol):
    """A rule that sets ``fact`` from ``inputs``; ``compute`` gives None when it does not."""

    fact: str
    source: str

    @property
    def inputs(self) -> tuple[str, ...]: ...

    def compute(self, values: Mapping[str, object], memo: dict | None = None) -> object:
        """``memo`` holds what ``derive`` computed once for several rules (a score)."""

    def describe(
        self, values: Mapping[str, object], catalogue: Catalogue, *, briefly: bool = False
    ) -> str:
        """How it came about; briefly, only its inputs (where a block says the rest)."""


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

    def compute(self, values: Mapping[str, object], memo: dict | None = None) -> object:
        given = values.get(self.input)
        if given is None or (self.when is not None and given not in self.when):
            return None
        return self.value

    def describe(
        self, values: Mapping[str, object], catalogue: Catalogue, *, briefly: bool = False
    ) -> str:
        """What it came from, in words: 'follows from Sex: Male' (brief already)."""
        parts = [
            f"{catalogue[name].label}: {catalogue[name].display_value(values.get(name))}"
            for name in self.inputs
        ]
        return "follows from " + ", ".join(parts)


@dataclass(frozen=True)
class Computed:
    """``fact`` computed by a published formula (``guidelines.scores``) from ``inputs``;
    not known while an input it needs is not known. A fact read off a score (its value,
    class or grade) names the score and how to read it (``pick``), so that ``derive``
    computes each score once for all the facts read off it."""

    fact: str
    inputs: tuple[str, ...]
    source: str
    formula: Callable[[Mapping[str, object]], object] | None = None
    score: Callable[[Mapping[str, object]], scores.Score] | None = None  # its explanation
    pick: Callable[[scores.Score], object] | None = None

    def compute(self, values: Mapping[str, object], memo: dict | None = None) -> object:
        if self.pick is None:
            if any(values.get(name) is None for name in self.inputs):
                return None  # every formula here needs all its inputs
            return self.formula(values)
        # A score says itself when it is known (a range is no value): Fong's "> 5 cm" point
        # is known from a lesion row over 50 mm while another row has no diameter.
        memo = {} if memo is None else memo
        if self.score not in memo:
            memo[self.score] = self.score(values)
        return self.pick(memo[self.score])

    def describe(
        self, values: Mapping[str, object], catalogue: Catalogue, *, briefly: bool = False
    ) -> str:
        """'computed: Fong 3 of 5, high risk: node-positive primary; 2 lesions; CEA 240
        ng/mL (source)', or what it was computed from (briefly: the scores say the rest)."""
        if self.score is not None and not briefly:
            return f"computed: {self.score(values)} ({self.source})"
        inputs = ", ".join(catalogue[n].label.lower() for n in self.inputs if n in values)
        if briefly:
            return f"computed from {inputs}; see the scores"
        return f"computed from {inputs} ({self.source})"


def _value(score: scores.Score) -> object:
    return score.value


def _interval(values: Mapping[str, object]) -> scores.Score:
    """The interval and whether it counts as synchronous, with the cut-off in force."""
    timing = {"synchronous": scores.synchronous(values, _synchronous_months)}
    return scores.interval({**values, **timing}, _synchronous_months)


def _flr_part(which: str):
    def formula(values: Mapping[str, object]) -> object:
        height, weight = values.get("height_cm"), values.get("weight_kg")
        if height is None or weight is None:
            return None
        bsa = scores.body_surface_area(height, weight)
        return round(bsa, 2) if which == "bsa" else round(scores.total_liver_volume(bsa))

    return formula


def _read(grading: Callable[[float], object]) -> Callable[[scores.Score], object]:
    """A class or grade read off a known score."""
    return lambda score: None if score.value is None else grading(score.value)


# The cut-off of "synchronous", in months (the SYNCHRONOUS_CUTOFF_MONTHS setting; the
# guidelines app sets it at start-up and whenever the setting changes).
_synchronous_months = 6


def set_synchronous_cutoff(months: int) -> None:
    global _synchronous_months
    _synchronous_months = months


def synchronous_cutoff() -> int:
    return _synchronous_months


REVISION_2 = "fact sheet revision 2, §0: facts that do not apply to a patient"
CHILD_PUGH_INPUTS = ("serum_bilirubin_umol_l", "albumin_g_l", "inr", "ascites", "encephalopathy")
ALBI_INPUTS = ("serum_bilirubin_umol_l", "albumin_g_l")
FLR_INPUTS = ("height_cm", "weight_kg", "flr_volume_ml")
DATES = ("primary_diagnosis_date", "liver_metastases_diagnosis_date")
FONG_INPUTS = ("primary_site", "primary_node_positive", "disease_free_interval_months",
               "lesion_count", "cea_ng_ml", "largest_lesion_mm")  # fmt: skip
TBS_INPUTS = ("lesion_count", "largest_lesion_mm")
# In order: a rule may read what an earlier one derived (Fong reads the interval).
DERIVATIONS: tuple[Derivation, ...] = (
    FollowsFrom("pregnant", "sex", frozenset({"male"}), False, REVISION_2),
    FollowsFrom("history_extrahepatic_cancer", "primary_site", None, True, REVISION_2),
    FollowsFrom(
        "combined_primary_resection", "primary_status", frozenset({"resected"}), False, REVISION_2
    ),
    Computed("disease_free_interval_months", DATES, scores.INTERVAL_SOURCE,
             scores.disease_free_interval),
    Computed("synchronous", DATES, scores.INTERVAL_SOURCE,
             lambda values: scores.synchronous(values, _synchronous_months), score=_interval),
    Computed("child_pugh_score", CHILD_PUGH_INPUTS, scores.CHILD_PUGH_SOURCE,
             score=scores.child_pugh, pick=_value),
    Computed("child_pugh_class", CHILD_PUGH_INPUTS, scores.CHILD_PUGH_SOURCE,
             score=scores.child_pugh, pick=_read(scores.child_pugh_class)),
    Computed("albi_score", ALBI_INPUTS, scores.ALBI_SOURCE, score=scores.albi, pick=_value),
    Computed("albi_grade", ALBI_INPUTS, scores.ALBI_SOURCE, score=scores.albi,
             pick=_read(scores.albi_grade)),
    Computed("body_surface_area_m2", ("height_cm", "weight_kg"), scores.BSA_SOURCE,
             _flr_part("bsa")),
    Computed("total_liver_volume_ml", ("height_cm", "weight_kg"), scores.TLV_SOURCE,
             _flr_part("tlv")),
    Computed("future_liver_remnant_pct", FLR_INPUTS, scores.TLV_SOURCE,
             score=scores.standardised_flr, pick=_value),
    Computed("fong_score", FONG_INPUTS, scores.FONG_SOURCE, score=scores.fong, pick=_value),
    Computed("tumour_burden_score", TBS_INPUTS, scores.TBS_SOURCE, score=scores.tumour_burden,
             pick=_value),
    Computed("tumour_burden_zone", TBS_INPUTS, scores.TBS_SOURCE, score=scores.tumour_burden,
             pick=_read(scores.tbs_zone)),
)  # fmt: skip


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


def _rules_for(catalogue: Catalogue) -> tuple[Derivation, ...]:
    """The rules whose fact and inputs the catalogue has."""
    kept = _applicable.get(id(catalogue))
    if kept is not None and kept[0] is catalogue:
        return kept[1]
    rules = tuple(
        rule
        for rule in DERIVATIONS
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
    for rule in _rules_for(catalogue):
        value = rule.compute(current, memo)
        if value is not None:
            # ``current`` itself, not a copy: later rules only add other facts to it.
            found[rule.fact] = Derived(value, rule, current)
            current[rule.fact] = value
    return found


def with_derived(values: Mapping[str, object], catalogue: Catalogue) -> dict[str, object]:
    """The case's values with derived facts filled in (a derived value wins)."""
    return {**values, **{name: d.value for name, d in derive(values, catalogue).items()}}


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
