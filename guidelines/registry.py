"""The registry of scores and derived facts: each entry declares what it reads, what
it sets, where it comes from and how it is computed; both derivation
(``guidelines.derived``) and the case's scores block read it. A disease area lists the
entries it uses (``DiseaseArea.rules``, carried by its content pack), and an entry
applies where the area's catalogue has the facts it reads and sets.

Adding a score is one ``Entry`` here plus its pure function in ``guidelines.scores``
(or another pure module) and its tests. Pure: no ORM.

The rules of facts that do not apply to a patient are the fact sheet's own (revision 2,
§0 "Facts that do not apply to a patient"), not clinical judgement of the code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from guidelines import hcc_scores, scores
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


def in_words(names, values: Mapping[str, object], catalogue: Catalogue) -> str:
    """'Sex: Male, Cirrhosis: Yes': each fact (of the catalogue) with its value shown."""
    return ", ".join(
        f"{catalogue[name].label}: {catalogue[name].display_value(values.get(name))}"
        for name in names
        if name in catalogue
    )


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
        return "follows from " + in_words(self.inputs, values, catalogue)


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


@dataclass(frozen=True)
class Decided:
    """``fact`` decided by a three-valued rule (``formula``) that may give a value with
    some of its ``inputs`` not known (``cirrhosis = true`` is enough for "at risk")."""

    fact: str
    inputs: tuple[str, ...]
    source: str
    formula: Callable[[Mapping[str, object]], object]

    def compute(self, values: Mapping[str, object], memo: dict | None = None) -> object:
        return self.formula(values)

    def describe(
        self, values: Mapping[str, object], catalogue: Catalogue, *, briefly: bool = False
    ) -> str:
        """'computed from HCC diagnosis: Confirmed on imaging (source)'."""
        known = [name for name in self.inputs if values.get(name) not in (None, [], "")]
        return (
            f"computed from {in_words(known, values, catalogue) or 'what is known'} ({self.source})"
        )


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


@dataclass(frozen=True)
class Entry:
    """One score or rule of derived facts: the facts it sets (``derivations``, in order)
    and, for a score, how the scores block explains it (``block``: the case's values and
    the synchronous cut-off in force → a ``scores.Score``) and where it stands there."""

    key: str
    label: str
    source: str
    derivations: tuple[Derivation, ...]
    block: Callable[[Mapping[str, object], int], scores.Score] | None = None
    block_position: int = 0

    @property
    def inputs(self) -> tuple[str, ...]:
        sets = self.outputs
        found: dict[str, None] = {}
        for rule in self.derivations:
            found.update((name, None) for name in rule.inputs if name not in sets)
        return tuple(found)

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(rule.fact for rule in self.derivations)


def _block(score: Callable[[Mapping[str, object]], scores.Score]):
    return lambda values, cutoff: score(values)


# In order: a rule may read what an earlier one derived (Fong reads the interval).
ENTRIES: tuple[Entry, ...] = (
    Entry("pregnancy_by_sex", "Not pregnant (a man)", REVISION_2, (
        FollowsFrom("pregnant", "sex", frozenset({"male"}), False, REVISION_2),)),
    Entry("extrahepatic_cancer_history", "History of a cancer outside the liver",
          REVISION_2, (
        FollowsFrom("history_extrahepatic_cancer", "primary_site", None, True, REVISION_2),)),
    Entry("combined_resection_once_resected",
          "No combined resection once the primary is resected", REVISION_2, (
        FollowsFrom("combined_primary_resection", "primary_status", frozenset({"resected"}),
                    False, REVISION_2),)),
    Entry("disease_free_interval", "Disease-free interval", scores.INTERVAL_SOURCE, (
        Computed("disease_free_interval_months", DATES, scores.INTERVAL_SOURCE,
                 scores.disease_free_interval),
        Computed("synchronous", DATES, scores.INTERVAL_SOURCE,
                 lambda values: scores.synchronous(values, _synchronous_months),
                 score=_interval)),
        block=scores.interval, block_position=6),
    Entry("child_pugh", "Child-Pugh", scores.CHILD_PUGH_SOURCE, (
        Computed("child_pugh_score", CHILD_PUGH_INPUTS, scores.CHILD_PUGH_SOURCE,
                 score=scores.child_pugh, pick=_value),
        Computed("child_pugh_class", CHILD_PUGH_INPUTS, scores.CHILD_PUGH_SOURCE,
                 score=scores.child_pugh, pick=_read(scores.child_pugh_class))),
        block=_block(scores.child_pugh), block_position=1),
    Entry("albi", "ALBI", scores.ALBI_SOURCE, (
        Computed("albi_score", ALBI_INPUTS, scores.ALBI_SOURCE, score=scores.albi, pick=_value),
        Computed("albi_grade", ALBI_INPUTS, scores.ALBI_SOURCE, score=scores.albi,
                 pick=_read(scores.albi_grade))),
        block=_block(scores.albi), block_position=2),
    Entry("standardised_flr", "Standardised future liver remnant", scores.TLV_SOURCE, (
        Computed("body_surface_area_m2", ("height_cm", "weight_kg"), scores.BSA_SOURCE,
                 _flr_part("bsa")),
        Computed("total_liver_volume_ml", ("height_cm", "weight_kg"), scores.TLV_SOURCE,
                 _flr_part("tlv")),
        Computed("future_liver_remnant_pct", FLR_INPUTS, scores.TLV_SOURCE,
                 score=scores.standardised_flr, pick=_value)),
        block=_block(scores.standardised_flr), block_position=3),
    Entry("fong", "Fong clinical risk score", scores.FONG_SOURCE, (
        Computed("fong_score", FONG_INPUTS, scores.FONG_SOURCE, score=scores.fong,
                 pick=_value),),
        block=_block(scores.fong), block_position=4),
    Entry("tumour_burden", "Tumour burden score", scores.TBS_SOURCE, (
        Computed("tumour_burden_score", TBS_INPUTS, scores.TBS_SOURCE,
                 score=scores.tumour_burden, pick=_value),
        Computed("tumour_burden_zone", TBS_INPUTS, scores.TBS_SOURCE,
                 score=scores.tumour_burden, pick=_read(scores.tbs_zone))),
        block=_block(scores.tumour_burden), block_position=5),
)  # fmt: skip
# The rules there were before the second area: what a pack of an older format uses.
FIRST_AREA_RULES = tuple(entry.key for entry in ENTRIES)
HCC = hcc_scores.SHEET + ", §3.4"
HCC_FACTS_NOT_APPLYING = hcc_scores.SHEET + ", §0 addition 7: facts that do not apply"
REGIMENS = ("prior_systemic_regimens", "systemic_therapy_line")
NODULE_INPUTS = ("hcc_diagnosis", "lesion_count", "largest_lesion_mm",
                 "macrovascular_invasion", "extrahepatic_spread")  # fmt: skip
BCLC_INPUTS = ("hcc_diagnosis", "child_pugh_class", "ecog", "ecog_cancer_related",
               "lesion_count", "largest_lesion_mm", "macrovascular_invasion",
               "extrahepatic_spread", "transplant_candidate", "within_milan",
               "within_local_extended_criteria")  # fmt: skip
MELD_INPUTS = ("serum_bilirubin_umol_l", "serum_creatinine_umol_l", "inr",
               "dialysis_twice_past_week", "cvvhd_24h_past_week")  # fmt: skip
CSPH_INPUTS = ("hvpg_mmhg", "platelets_10e9_l", "varices", "splenomegaly")

# The HCC area's rules (HCC fact sheet revision 1, §3), after the shared ones: each reads
# what an earlier one derived (BCLC reads Milan; advanced HCC reads BCLC).
ENTRIES = ENTRIES + (
    Entry("hcc_confirmed", "HCC confirmed", HCC, (
        Decided("hcc_confirmed", ("hcc_diagnosis",), HCC, hcc_scores.hcc_confirmed),)),
    Entry("hcc_at_risk", "At risk of HCC", HCC, (
        Decided("chronic_hbv", ("liver_disease_etiology",), HCC, hcc_scores.chronic_hbv),
        Decided("hcc_at_risk", ("cirrhosis", "chronic_hbv"), HCC, hcc_scores.hcc_at_risk))),
    Entry("transplant_listed_when_not_candidate", "Not listed (not a transplant candidate)",
          HCC_FACTS_NOT_APPLYING, (
        FollowsFrom("transplant_listed", "transplant_candidate", frozenset({"no"}), False,
                    HCC_FACTS_NOT_APPLYING),)),
    Entry("prior_regimens", "Systemic regimens received", HCC, (
        FollowsFrom("systemic_lines_received", "systemic_therapy_line", frozenset({"none_yet"}),
                    0, HCC_FACTS_NOT_APPLYING),
        Decided("prior_atezo_bev", REGIMENS, HCC, hcc_scores.prior_atezo_bev),
        Decided("prior_durva_treme", REGIMENS, HCC, hcc_scores.prior_durva_treme),
        Decided("prior_sorafenib_or_lenvatinib", REGIMENS, HCC,
                hcc_scores.prior_sorafenib_or_lenvatinib))),
    Entry("portal_hypertension", "Clinically significant portal hypertension",
          hcc_scores.CSPH_SOURCE, (
        Computed("clinically_significant_portal_hypertension", CSPH_INPUTS,
                 hcc_scores.CSPH_SOURCE, score=hcc_scores.portal_hypertension, pick=_value),),
        block=_block(hcc_scores.portal_hypertension), block_position=11),
    Entry("milan", "Milan criteria", hcc_scores.MILAN_SOURCE, (
        Computed("within_milan", NODULE_INPUTS, hcc_scores.MILAN_SOURCE,
                 score=hcc_scores.milan, pick=_value),),
        block=_block(hcc_scores.milan), block_position=8),
    Entry("unos_downstaging", "UNOS downstaging criteria", hcc_scores.UNOS_DS_SOURCE, (
        Computed("within_unos_ds", NODULE_INPUTS, hcc_scores.UNOS_DS_SOURCE,
                 score=hcc_scores.unos_downstaging, pick=_value),),
        block=_block(hcc_scores.unos_downstaging), block_position=9),
    Entry("bclc", "BCLC stage", hcc_scores.BCLC_SOURCE, (
        Computed("bclc_stage", BCLC_INPUTS, hcc_scores.BCLC_SOURCE, score=hcc_scores.bclc,
                 pick=_value),),
        block=_block(hcc_scores.bclc), block_position=7),
    Entry("advanced_hcc", "Advanced HCC (editorial mapping)", HCC, (
        Decided("advanced_hcc", ("bclc_stage", "locoregional_candidate"), HCC,
                hcc_scores.advanced_hcc),)),
    Entry("meld", "MELD and MELD-Na", hcc_scores.MELD_SOURCE, (
        Computed("meld", MELD_INPUTS, hcc_scores.MELD_SOURCE, score=hcc_scores.meld,
                 pick=_value),
        Computed("meld_na", (*MELD_INPUTS, "serum_sodium_mmol_l"), hcc_scores.MELD_SOURCE,
                 score=hcc_scores.meld_na, pick=_value)),
        block=_block(hcc_scores.meld_na), block_position=10),
)  # fmt: skip
RULES: Mapping[str, Entry] = {entry.key: entry for entry in ENTRIES}
RULE_CHOICES = [(entry.key, entry.label) for entry in ENTRIES]


def entries(chosen: frozenset[str] | None) -> tuple[Entry, ...]:
    """The entries an area chose (None: every entry), in the registry's order."""
    return tuple(entry for entry in ENTRIES if chosen is None or entry.key in chosen)


def block(values: Mapping[str, object], chosen: frozenset[str] | None) -> list[scores.Score]:
    """The scores block of the chosen entries: each score, known or not, in its order."""
    found = sorted(
        (entry for entry in entries(chosen) if entry.block is not None),
        key=lambda entry: entry.block_position,
    )
    return [entry.block(values, _synchronous_months) for entry in found]


# Lesion tables an area may choose (``DiseaseArea.lesion_module``); each is built by its
# module (``cases.lesion_modules``).
LESION_MODULES: Mapping[str, str] = {
    "liver": "Liver lesions: Couinaud segments and the liver map",
}
LESION_MODULE_CHOICES = list(LESION_MODULES.items())
# The lesion table's optional per-lesion fields an area may choose
# (``DiseaseArea.lesion_fields``): HCC fact sheet §3.1.
LESION_FIELDS: Mapping[str, str] = {
    "viable_diameter_mm": "Viable diameter after locoregional treatment",
    "bile_duct_contact": "Contact with a major bile duct",
}
LESION_FIELD_CHOICES = list(LESION_FIELDS.items())
