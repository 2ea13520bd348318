"""The derived facts of hepatocellular carcinoma (HCC fact sheet, revision 1, §3).

Pure: no ORM. Every rule, cut-off and source is the fact sheet's
(``shared/content/hcc-guideline-facts.md`` §3.2–3.6), not the code's judgement; where the
sheet calls a reading editorial, the explanation says so. Rules are three-valued: an
input that is not known leaves the result not known unless every value it could take
gives the same result (§3.2 "Three-valued evaluation"). A "not known" choice (e.g.
``varices = not_assessed``) counts as not known here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from guidelines.scores import NODULE_DIAMETERS, Score

SHEET = "HCC fact sheet revision 1"
BCLC_SOURCE = (
    "BCLC 2022 definitions as rendered by NCCN HCC v1.2026 ST-2, adapted from Reig M et al., "
    "J Hepatol 2022;76:681–693 (Figure 1 not checked); HCC fact sheet §3.2"
)
MILAN_SOURCE = (
    "Mazzaferro V et al., N Engl J Med 1996;334:693–699, as rendered by AASLD 2023 Table 4 "
    "(viable tumour only); nodules under 10 mm not counted (editorial); HCC fact sheet §3.3"
)
UNOS_DS_SOURCE = (
    "AASLD 2023 Table 4 (Singal AG et al., Hepatology 2023;78:1922–1965); HCC fact sheet §3.4"
)
MELD_SOURCE = (
    "OPTN MELD-Na rule (policy notice of 2015-11-01, as quoted; Kim WR et al., N Engl J Med "
    "2008;359:1018–1026); rounding steps unverified; HCC fact sheet §3.6"
)
CSPH_SOURCE = "AASLD 2023 via a third-party summary (secondary); HCC fact sheet §3.4"

# A nodule is counted for Milan and UNOS-DS from this diameter (editorial, §3.3).
COUNTED_FROM_MM = 10
# ``NODULE_DIAMETERS``: beside the facts, the diameter for Milan of each lesion row (the
# viable diameter where entered; None for a row without one), from
# ``guidelines.scores.lesion_facts``.

CONFIRMED = frozenset({"confirmed_imaging", "confirmed_histology"})
STAGE_WORDS = {
    "very_early": "BCLC 0 (very early)",
    "early": "BCLC A (early)",
    "intermediate": "BCLC B (intermediate)",
    "advanced": "BCLC C (advanced)",
    "terminal": "BCLC D (terminal)",
}
BURDEN = {"0": "very_early", "A": "early", "B": "intermediate"}
INDETERMINATE = "indeterminate"


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _number(value: object) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _choice(value: object, allowed: Iterable[str]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _mm(value: float) -> str:
    return f"{value:g} mm"


def any_true(*parts: bool | None) -> bool | None:
    """Three-valued ``or``."""
    if any(part is True for part in parts):
        return True
    return False if all(part is False for part in parts) else None


def all_true(*parts: bool | None) -> bool | None:
    """Three-valued ``and``."""
    if any(part is False for part in parts):
        return False
    return True if all(part is True for part in parts) else None


# --- Simple derived facts (§3.4) ----------------------------------------------------


def hcc_confirmed(values: Mapping[str, object]) -> bool | None:
    diagnosis = values.get("hcc_diagnosis")
    if diagnosis in CONFIRMED:
        return True
    return False if diagnosis == "none" else None


def chronic_hbv(values: Mapping[str, object]) -> bool | None:
    causes = values.get("liver_disease_etiology")
    if not causes:
        return None
    if "hbv" in causes:
        return True
    return None if "unknown" in causes else False


def hcc_at_risk(values: Mapping[str, object]) -> bool | None:
    return any_true(_bool(values.get("cirrhosis")), _bool(values.get("chronic_hbv")))


def _prior(*regimens: str):
    def rule(values: Mapping[str, object]) -> bool | None:
        given = values.get("prior_systemic_regimens") or []
        if any(regimen in given for regimen in regimens):
            return True
        if given or values.get("systemic_therapy_line") == "none_yet":
            return False
        return None  # nothing entered while systemic therapy was given: not known

    return rule


prior_atezo_bev = _prior("atezo_bev")
prior_durva_treme = _prior("durva_treme")
prior_sorafenib_or_lenvatinib = _prior("sorafenib", "lenvatinib")


def advanced_hcc(values: Mapping[str, object]) -> bool | None:
    """BCLC C, or BCLC B without locoregional treatment (editorial mapping, §3.4)."""
    stage = values.get("bclc_stage")
    if stage == "advanced":
        return True
    if stage in ("very_early", "early", "terminal"):
        return False
    if stage == "intermediate":
        return all_true(True, _negate(_bool(values.get("locoregional_candidate"))))
    return None  # not known or indeterminate


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def portal_hypertension(values: Mapping[str, object]) -> Score:
    """Clinically significant portal hypertension (§3.4, secondary)."""
    name = "Clinically significant portal hypertension"
    hvpg = _number(values.get("hvpg_mmhg"))
    if hvpg is not None:
        value = hvpg >= 10
        return Score(name, value, "yes" if value else "no",
                     (f"HVPG {hvpg:g} mmHg ({'≥' if value else '<'} 10)",), CSPH_SOURCE)  # fmt: skip
    platelets = _number(values.get("platelets_10e9_l"))
    varices = _choice(values.get("varices"), ("none", "present_treated", "present_untreated"))
    spleen = _bool(values.get("splenomegaly"))
    parts = (
        (None if platelets is None else platelets < 100,
         "platelets not known" if platelets is None else f"platelets {platelets:g} ×10⁹/L"),
        (None if varices is None else varices != "none",
         "varices not assessed" if varices is None else f"varices {varices.replace('_', ' ')}"),
        (spleen, "splenomegaly not known" if spleen is None
         else "splenomegaly" if spleen else "no splenomegaly"),
    )  # fmt: skip
    value = any_true(*(part for part, _ in parts))
    inputs = ("no HVPG: " + "; ".join(words for _, words in parts),)
    words = "yes" if value else "no" if value is False else "not known"
    return Score(name, value, words, inputs, CSPH_SOURCE)


# --- Counted nodules, Milan, UNOS-DS (§3.3, §3.4) -----------------------------------


@dataclass(frozen=True)
class Nodules:
    """What the counted nodules can be: exact where known, else what is known of them."""

    count: int | None
    largest: float | None
    total: float | None  # the sum of diameters; None: not known
    words: str
    unmeasured: int = 0  # rows without a diameter (each may or may not count)


def nodules(values: Mapping[str, object]) -> Nodules:
    """The counted nodules: the lesion table's rows (viable diameter where entered, rows
    under 10 mm left out) or, without rows, the typed count and largest diameter."""
    rows = values.get(NODULE_DIAMETERS)
    if rows is not None:
        sized = [d for d in rows if d is not None]
        counted = sorted((d for d in sized if d >= COUNTED_FROM_MM), reverse=True)
        left_out = len(sized) - len(counted)
        unmeasured = len(rows) - len(sized)
        words = [f"{len(counted)} counted nodule{'s' if len(counted) != 1 else ''}"
                 + (f" ({', '.join(_mm(d) for d in counted)})" if counted else "")]  # fmt: skip
        if left_out:
            words.append(f"{left_out} under {COUNTED_FROM_MM} mm not counted")
        if unmeasured:
            words.append(f"{unmeasured} without a diameter")
        return Nodules(
            len(counted),
            max(counted) if counted else 0,
            sum(counted),
            "; ".join(words) + " (viable diameter where entered)",
            unmeasured,
        )
    count = values.get("lesion_count")
    largest = _number(values.get("largest_lesion_mm"))
    if count is None:
        return Nodules(None, largest, None, "number of nodules not known")
    words = f"{count} nodule{'s' if count != 1 else ''} as typed" + (
        f", largest {_mm(largest)}" if largest is not None else ", largest not known"
    )
    total = largest if count == 1 else None
    return Nodules(count, largest, total, words)


def _burden_within_milan(n: Nodules) -> bool | None:
    def decide(count: int | None, largest: float | None) -> bool | None:
        if count is None:
            return None
        if count > 3:
            return False
        if count == 0:
            return True
        if largest is None:
            return None
        return largest <= (50 if count == 1 else 30)

    known = decide(n.count, n.largest)
    if n.unmeasured and known is not False:
        return None  # a row without a diameter may count, and be any size
    return known


def _within_unos(n: Nodules) -> bool | None:
    """The UNOS-DS burden branches (AASLD 2023 Table 4) on the counted nodules."""
    if n.unmeasured or n.count is None:
        return None
    count, largest, total = n.count, n.largest, n.total
    if count == 0 or count > 5:
        return False
    if largest is None:
        return None
    if count == 1:
        return 50 < largest <= 80
    limit = 50 if count <= 3 else 30
    if largest > limit:
        return False
    if total is None:  # typed count: the sum lies between these
        low, high = largest + (count - 1), largest * count
        return True if high <= 80 else False if low > 80 else None
    return total <= 80


def _gate(values: Mapping[str, object], name: str, source: str) -> Score | None:
    """Computed only for a confirmed HCC (§3.2–3.4); a suspected one is provisional."""
    diagnosis = values.get("hcc_diagnosis")
    if diagnosis in CONFIRMED:
        return None
    if diagnosis == "none":
        return Score(name, None, "not computed (no HCC)", (), source, applies=False)
    return Score(
        name, None, "not known (HCC not confirmed)", (), source, missing=("HCC diagnosis",)
    )


def _invasion(values: Mapping[str, object]) -> tuple[bool | None, bool | None, list[str]]:
    invasion = _bool(values.get("macrovascular_invasion"))
    spread = _bool(values.get("extrahepatic_spread"))
    words = [
        {True: "macrovascular invasion", False: "no macrovascular invasion",
         None: "macrovascular invasion not known"}[invasion],
        {True: "extrahepatic spread", False: "no extrahepatic spread",
         None: "extrahepatic spread not known"}[spread],
    ]  # fmt: skip
    return invasion, spread, words


def _yes_no(value: bool | None) -> str:
    return "yes" if value else "no" if value is False else "not known"


def _provisional(score: Score, values: Mapping[str, object], rule) -> Score:
    """For a suspected HCC: what the rule would give once HCC is confirmed."""
    if values.get("hcc_diagnosis") != "suspected":
        return score
    would = rule({**values, "hcc_diagnosis": "confirmed_imaging"})
    if would.value is None:
        return score
    shown = STAGE_WORDS.get(would.value, _yes_no(would.value))
    return Score(score.name, None, f"provisional: {shown} if HCC is confirmed", would.inputs,
                 score.source, missing=score.missing)  # fmt: skip


def milan(values: Mapping[str, object]) -> Score:
    gated = _gate(values, "Milan criteria", MILAN_SOURCE)
    if gated is not None:
        return _provisional(gated, values, milan)
    n = nodules(values)
    invasion, spread, words = _invasion(values)
    value = all_true(_burden_within_milan(n), _negate(invasion), _negate(spread))
    return Score("Milan criteria", value, {True: "within", False: "outside", None: "not known"}[value],
                 (n.words, *words), MILAN_SOURCE)  # fmt: skip


def unos_downstaging(values: Mapping[str, object]) -> Score:
    name = "UNOS downstaging criteria"
    gated = _gate(values, name, UNOS_DS_SOURCE)
    if gated is not None:
        return _provisional(gated, values, unos_downstaging)
    n = nodules(values)
    invasion, spread, words = _invasion(values)
    within_milan = milan(values).value
    value = all_true(_negate(within_milan), _within_unos(n), _negate(invasion), _negate(spread))
    if within_milan is True:
        words = ["within Milan (not a downstaging candidate)", *words]
    return Score(name, value, {True: "within", False: "not within", None: "not known"}[value],
                 (n.words, *words), UNOS_DS_SOURCE)  # fmt: skip


# --- BCLC stage (§3.2) --------------------------------------------------------------

# The inputs of the rule and the values each may take when not known.
_DOMAINS: dict[str, tuple] = {
    "child_pugh_class": ("A", "B", "C"),
    "ecog": (0, 1, 2, 3, 4),
    "ecog_cancer_related": ("yes", "no"),
    "macrovascular_invasion": (False, True),
    "extrahepatic_spread": (False, True),
    "transplant_candidate": ("yes", "no", "under_evaluation"),
    "within_milan": (False, True),
    "within_local_extended_criteria": (False, True),
}
NO_BURDEN = "no nodules"  # lesion_count 0: the burden stage does not exist
UNDECIDED = "undecided"


def burden_options(values: Mapping[str, object]) -> tuple[str, ...]:
    """The burden stages (0 / A / B) the case can have: from the lesion table's (or the
    typed) count and largest diameter — the measured lesions, not the viable diameters."""
    count = values.get("lesion_count")
    largest = _number(values.get("largest_lesion_mm"))
    at_least = _number(values.get("largest_lesion_mm_at_least")) or 0
    counts = (1, 2, 4) if count is None else (count,)
    # Without the largest diameter: one size of each class (up to 20, 21-30, over 30 mm)
    # that the rows still allow (a row of 25 mm rules out "up to 20").
    sizes = (
        (largest,)
        if largest is not None
        else tuple(size for size, top in ((20, 20), (30, 30), (31, math.inf)) if top >= at_least)
    )
    found: set[str] = set()
    for n in counts:
        if n == 0:
            found.add(NO_BURDEN)
            continue
        for size in sizes:
            if n == 1:
                found.add("0" if size <= 20 else "A")
            elif n <= 3:
                found.add("A" if size <= 30 else "B")
            else:
                found.add("B")
    return tuple(sorted(found))


def _ps(ecog: int, related: str | None) -> str:
    if ecog == 0:
        return "0"
    if ecog >= 3:
        return "3-4"
    return "1-2" if related == "yes" else "0"


def stage_of(inputs: Mapping[str, object], burden: str) -> tuple[str, str]:
    """The rule of §3.2 on known inputs: (the stage, which step gave it)."""
    ps = _ps(inputs["ecog"], inputs["ecog_cancer_related"])
    cp = inputs["child_pugh_class"]
    function = {"A": "preserved", "B": "not_preserved", "C": "end_stage"}[cp]
    invasion, spread = inputs["macrovascular_invasion"], inputs["extrahepatic_spread"]
    if ps == "3-4":
        return "terminal", "1"
    acceptable = inputs["within_milan"] or inputs["within_local_extended_criteria"]
    if (
        function != "preserved"
        and acceptable
        and inputs["transplant_candidate"] in ("yes", "under_evaluation")
        and not invasion
        and not spread
        and ps == "0"
    ):
        return (UNDECIDED if burden == NO_BURDEN else BURDEN[burden]), "2"
    if function == "end_stage":
        return "terminal", "3"
    if function == "not_preserved":
        return INDETERMINATE, "4"
    if invasion or spread or ps == "1-2":
        return "advanced", "5"
    return (UNDECIDED if burden == NO_BURDEN else BURDEN[burden]), "6"


def _known(values: Mapping[str, object]) -> dict[str, object]:
    found: dict[str, object] = {}
    for name, domain in _DOMAINS.items():
        value = values.get(name)
        found[name] = (
            value
            if value in domain and isinstance(value, bool) == isinstance(domain[0], bool)
            else None
        )
    if found["ecog"] is not None and found["ecog"] not in (1, 2):
        found["ecog_cancer_related"] = "no"  # asked only for ECOG 1-2 (§0 addition 7)
    return found


def bclc_outcomes(values: Mapping[str, object]) -> set[tuple[str, str]]:
    """Every (stage, step) the rule gives over the values the unknown inputs may take."""
    known = _known(values)
    open_names = [name for name, value in known.items() if value is None]
    outcomes: set[tuple[str, str]] = set()
    for burden in burden_options(values):
        for combination in itertools.product(*(_DOMAINS[name] for name in open_names)):
            outcomes.add(
                stage_of({**known, **dict(zip(open_names, combination, strict=False))}, burden)
            )
            if len({stage for stage, _ in outcomes}) > 1:
                return outcomes
    return outcomes


def bclc(values: Mapping[str, object]) -> Score:
    name = "BCLC stage"
    gated = _gate(values, name, BCLC_SOURCE)
    if gated is not None:
        return _provisional(gated, values, bclc)
    outcomes = bclc_outcomes(values)
    stages = {stage for stage, _ in outcomes}
    inputs = _bclc_inputs(values)
    if len(stages) != 1 or UNDECIDED in stages:
        possible = sorted(STAGE_WORDS.get(s, "not assigned") for s in stages if s != UNDECIDED)
        words = "not known" + (f" (could be {' or '.join(possible)})" if len(possible) > 1 else "")
        missing = tuple(n for n, v in _known(values).items() if v is None)
        return Score(name, None, words, inputs, BCLC_SOURCE, missing=missing)
    (stage,) = stages
    steps = {step for _, step in outcomes}
    flags = _bclc_flags(values, stage, steps)
    words = (
        "BCLC not assigned (liver function Child-Pugh B)"
        if stage == INDETERMINATE
        else STAGE_WORDS[stage]
    )
    return Score(name, stage, words, inputs, BCLC_SOURCE, note="; ".join(flags))


def _bclc_inputs(values: Mapping[str, object]) -> tuple[str, ...]:
    known = _known(values)
    cp = known["child_pugh_class"]
    function = {"A": "preserved", "B": "not preserved", "C": "end-stage", None: "not known"}[cp]
    ecog = known["ecog"]
    if ecog is None:
        ps = "ECOG not known"
    elif ecog in (1, 2):
        related = known["ecog_cancer_related"]
        ps = f"ECOG {ecog}, " + {"yes": "cancer-related (PS 1–2)",
                                 "no": "not cancer-related (PS 0)",
                                 None: "cause not known"}[related]  # fmt: skip
    else:
        ps = f"ECOG {ecog} (PS {'0' if ecog == 0 else '3–4'})"
    burden = burden_options(values)
    count = values.get("lesion_count")
    largest = values.get("largest_lesion_mm")
    shown = "/".join(b for b in burden if b != NO_BURDEN) or "none"
    return (
        f"liver function {function} (Child-Pugh {cp or 'not known'})",
        ps,
        f"{count if count is not None else 'number not known'} nodule(s), largest "
        f"{_mm(largest) if largest is not None else 'not known'}: tumour burden {shown}",
        "macrovascular invasion (BCLC: portal invasion): "
        + _yes_no(known["macrovascular_invasion"]),
        "extrahepatic spread: " + _yes_no(known["extrahepatic_spread"]),
        "transplant candidate: "
        + (str(known["transplant_candidate"] or "not known")).replace("_", " "),
        "burden acceptable for transplant (Milan or local extended criteria): "
        + _yes_no(any_true(known["within_milan"], known["within_local_extended_criteria"])),
    )


def _bclc_flags(values: Mapping[str, object], stage: str, steps: set) -> list[str]:
    flags = []
    if "2" in steps:
        flags.append("staged as transplant candidate; liver function not preserved")
    ecog = values.get("ecog")
    if ecog in (1, 2) and values.get("ecog_cancer_related") == "no" and stage in BURDEN.values():
        flags.append(f"ECOG {ecog} not cancer-related — board judgement")
    if values.get("child_pugh_class") == "A" and values.get("ascites") not in (None, "none"):
        flags.append("preserved liver function may exclude ascites — Figure 1 not checked")
    if (
        ecog in (3, 4)
        and values.get("transplant_candidate") in ("yes", "under_evaluation")
        and values.get("child_pugh_class") in ("B", "C")
    ):
        flags.append("PS from liver failure, transplant candidate — board judgement")
    return flags


# --- MELD and MELD-Na (§3.6, display only) ------------------------------------------


def meld_parts(values: Mapping[str, object]) -> tuple[int | None, list[str], list[str]]:
    """MELD (an integer) with how each input counted, and the inputs not known."""
    bilirubin = _number(values.get("serum_bilirubin_umol_l"))
    creatinine = _number(values.get("serum_creatinine_umol_l"))
    inr = _number(values.get("inr"))
    missing = [label for label, v in (("bilirubin", bilirubin), ("creatinine", creatinine),
                                      ("INR", inr)) if v is None]  # fmt: skip
    if missing:
        return None, [], missing
    words = []
    bili = bilirubin / 17.1
    crea = creatinine / 88.4
    dialysis = values.get("dialysis_twice_past_week") is True or (
        values.get("cvvhd_24h_past_week") is True
    )
    shown_bili = f"bilirubin {bilirubin:g} µmol/L = {bili:.2f} mg/dL"
    words.append(shown_bili + (" (set to 1.0)" if bili < 1 else ""))
    if dialysis:
        words.append("creatinine set to 4.0 mg/dL (dialysis or CVVHD in the past week)")
        crea = 4.0
    else:
        words.append(f"creatinine {creatinine:g} µmol/L = {crea:.2f} mg/dL"
                     + (" (set to 1.0)" if crea < 1 else " (set to 4.0)" if crea > 4 else ""))  # fmt: skip
    words.append(f"INR {inr:g}" + (" (set to 1.0)" if inr < 1 else ""))
    bili, crea, inr = max(bili, 1.0), min(max(crea, 1.0), 4.0), max(inr, 1.0)
    unrounded = 0.957 * math.log(crea) + 0.378 * math.log(bili) + 1.120 * math.log(inr) + 0.643
    tenths = _half_up(unrounded * 10) / 10  # one decimal (the tenths place), then × 10
    meld = round(tenths * 10)
    words.append(f"MELD(i) {unrounded:.3f}, rounded to {tenths:.1f}, × 10 = {meld}")
    return meld, words, []


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def meld(values: Mapping[str, object]) -> Score:
    value, words, missing = meld_parts(values)
    if value is None:
        return Score("MELD", None, f"not known ({', '.join(missing)})", (), MELD_SOURCE,
                     missing=tuple(missing))  # fmt: skip
    return Score("MELD", value, str(value), tuple(words), MELD_SOURCE)


def meld_na(values: Mapping[str, object]) -> Score:
    name = "MELD-Na (OPTN 2016)"
    value, words, missing = meld_parts(values)
    if value is None:
        return Score(name, None, f"not known ({', '.join(missing)})", (), MELD_SOURCE,
                     missing=tuple(missing))  # fmt: skip
    if value <= 11:
        words.append(f"MELD {value} is not above 11: no sodium term")
        result = value
    else:
        sodium = _number(values.get("serum_sodium_mmol_l"))
        if sodium is None:
            return Score(name, None, f"not known (sodium; MELD {value})", tuple(words),
                         MELD_SOURCE, missing=("sodium",))  # fmt: skip
        bounded = min(max(sodium, 125.0), 137.0)
        exact = value + 1.32 * (137 - bounded) - 0.033 * value * (137 - bounded)
        words.append(
            f"sodium {sodium:g} mmol/L" + (f" (bounded to {bounded:g})" if bounded != sodium else "")
            + f": {value} + 1.32 × (137 − {bounded:g}) − 0.033 × {value} × (137 − {bounded:g})"
            f" = {exact:.2f}"
        )  # fmt: skip
        result = min(_half_up(exact), 40)
    words.append(f"rounded half up, at most 40: {result}")
    return Score(name, result, str(result), tuple(words), MELD_SOURCE,
                 note="The rounding steps are unverified readings of the OPTN policy (§3.6).")  # fmt: skip
