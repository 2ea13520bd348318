"""Published liver scores, computed from a case's facts: information for the board.

Pure: no ORM. Every formula, cut-off and source is the liver domain fact sheet's
(``shared/content/liver-domain-facts.md``, sections 1-5), not the code's judgement.
A score with an input not known is not known; an additive score (Child-Pugh, Fong)
then gives the range it can still take, never a guess or a 0.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from guidelines.facts import decimals_that_agree

# The sources, as the fact sheet cites them.
CHILD_PUGH_SOURCE = "Pugh RNH et al., Br J Surg 1973;60:646–649"
ALBI_SOURCE = "Johnson PJ et al., J Clin Oncol 2015;33(6):550–558"
BSA_SOURCE = "Mosteller RD, N Engl J Med 1987;317:1098"
TLV_SOURCE = "Vauthey JN et al., Liver Transpl 2002;8:233–240"
FLR_THRESHOLD_SOURCE = "Abdalla EK et al., Ann Surg Oncol 2006;13:1271–1280"
FONG_SOURCE = "Fong Y et al., Ann Surg 1999;230(3):309–318"
TBS_SOURCE = "Sasaki K et al., Ann Surg 2018;267(1):132–141"
LESION_SOURCE = "liver domain fact sheet §1: derived lesion facts"
INTERVAL_SOURCE = "liver domain fact sheet §2"

# Couinaud segments (§1): the hemilivers; segment I belongs to neither here.
SEGMENTS = ("I", "II", "III", "IVa", "IVb", "V", "VI", "VII", "VIII")
# Segment IV may be entered whole when IVa or IVb is not known: it lies in both.
PARTS = {"IV": ("IVa", "IVb")}
MAX_DIAMETER_MM = 300  # the largest diameter a lesion row may hold (§1)
# A row's relation to major vessels (§1), as the liver lesion module stores it.
VESSEL_RELATIONS = ("none", "hepatic_vein", "portal_pedicle", "ivc", "hilar_plate")
LEFT_HEMILIVER = frozenset({"II", "III", "IV", "IVa", "IVb"})
RIGHT_HEMILIVER = frozenset({"V", "VI", "VII", "VIII"})


@dataclass(frozen=True)
class Score:
    """A computed value with how it was computed, or the range it can still take."""

    name: str
    value: float | int | str | None  # None: not known (then maybe a range)
    words: str  # e.g. "6, class A" or "1–3 (not known: CEA)"
    inputs: tuple[str, ...]  # how each input counted, e.g. "bilirubin 20 µmol/L: 1 point"
    source: str
    low: float | None = None
    high: float | None = None
    missing: tuple[str, ...] = ()  # the inputs not known
    applies: bool = True  # False: the score is not for this case (e.g. Fong, not colorectal)
    note: str = ""  # how a cut-off is read, where the block must say so

    @property
    def known(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        how = "; ".join(self.inputs)
        return f"{self.name} {self.words}" + (f": {how}" if how else "")


def _number(value: object) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def _fmt(number: float) -> str:
    return f"{number:g}" if float(number).is_integer() else f"{number:.1f}".rstrip("0")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Lesions (§1) -----------------------------------------------------------------


@dataclass(frozen=True)
class Lesion:
    """One row of the lesion table, as the formulas read it."""

    segments: tuple[str, ...]
    diameter_mm: int | None
    disappeared: bool | None  # no longer visible after neoadjuvant therapy; None: not known
    number: int | None = None  # as numbered in the table
    vessels: str = ""  # relation to major vessels ("" not recorded, "none", ...)
    # The per-lesion fields an area may choose (``DiseaseArea.lesion_fields``), None when
    # not entered: the viable diameter after locoregional treatment (HCC), contact with a
    # major bile duct (HCC).
    viable_diameter_mm: int | None = None
    bile_duct_contact: bool | None = None

    @property
    def milan_diameter_mm(self) -> int | None:
        """Its diameter for the Milan and UNOS-DS criteria: the viable diameter where
        entered (necrosis excluded, AASLD 2023 Table 4), else the longest diameter."""
        return self.viable_diameter_mm if self.viable_diameter_mm is not None else self.diameter_mm


# The facts the lesion table gives once it has rows (§1).
LESION_FACTS = ("lesion_count", "largest_lesion_mm", "bilobar",
                "lesions_disappeared_after_neoadjuvant")  # fmt: skip
# Beside the facts: the largest diameter given while a row has none. The largest lesion is
# then not known, but at least this; the scores that need it read it (Fong, TBS).
LARGEST_AT_LEAST = "largest_lesion_mm_at_least"


def lesion_facts(lesions: list[Lesion]) -> dict[str, object]:
    """Nothing while the table has no rows. Once it has, every one of ``LESION_FACTS``,
    from the rows alone: None where the rows cannot decide it (not known, whatever was
    typed before), and ``LARGEST_AT_LEAST`` when some rows give a diameter and some not.

    Liver domain fact sheet §1, revision of 2026-12-05: the table replaces every typed
    value of these facts."""
    if not lesions:
        return {}
    sizes = [lesion.diameter_mm for lesion in lesions if lesion.diameter_mm is not None]
    segments = {segment for lesion in lesions for segment in lesion.segments}
    marks = [lesion.disappeared for lesion in lesions]
    facts: dict[str, object] = {
        "lesion_count": len(lesions),
        "largest_lesion_mm": max(sizes) if len(sizes) == len(lesions) else None,
        "bilobar": bool(segments & LEFT_HEMILIVER and segments & RIGHT_HEMILIVER),
        "lesions_disappeared_after_neoadjuvant": True
        if any(mark is True for mark in marks)
        else False
        if all(mark is False for mark in marks)
        else None,
    }
    if sizes and len(sizes) < len(lesions):
        facts[LARGEST_AT_LEAST] = max(sizes)
    # HCC fact sheet §3.1: any row in contact with a major vessel or bile duct.
    facts["ablation_target_near_vessel_or_duct"] = _any_row(
        lesions, lambda row: None if not row.vessels else row.vessels != "none",
        lambda row: row.bile_duct_contact,
    )  # fmt: skip
    facts[NODULE_DIAMETERS] = tuple(lesion.milan_diameter_mm for lesion in lesions)
    return facts


# Beside the facts: each row's diameter for Milan (``guidelines.hcc_scores``).
NODULE_DIAMETERS = "milan_nodule_diameters"
# The values beside the facts, and the fact whose area reads each.
BESIDE_FACTS = {LARGEST_AT_LEAST: "largest_lesion_mm", NODULE_DIAMETERS: "within_milan"}


def _any_row(lesions: list[Lesion], *tests) -> bool | None:
    """True when a test holds for some row; False when every test is false for every row;
    else not known (three-valued ``or`` over the rows)."""
    results = [test(lesion) for lesion in lesions for test in tests]
    if any(result is True for result in results):
        return True
    return False if all(result is False for result in results) else None


def lesion_values(lesions: list[Lesion], catalogue) -> dict[str, object]:
    """The facts the lesion table gives an area (those its catalogue has), with what goes
    beside them for the facts it has: the case page and ``match_case`` read the same."""
    return {
        name: value
        for name, value in lesion_facts(lesions).items()
        if name in catalogue or BESIDE_FACTS.get(name, "") in catalogue
    }


def lesion_facts_in_words(lesions: list[Lesion]) -> dict[str, str]:
    """What the rows say of a lesion fact they cannot decide, e.g. 'at least 60 mm;
    lesion 2 has no diameter' (shown where the value would be)."""
    words = {}
    unsized = [lesion.number for lesion in lesions if lesion.diameter_mm is None]
    if unsized:
        sizes = [lesion.diameter_mm for lesion in lesions if lesion.diameter_mm is not None]
        which = _numbered(unsized)
        has = "has" if len(unsized) == 1 else "have"
        words["largest_lesion_mm"] = (
            f"at least {max(sizes)} mm; {which} {has} no diameter"
            if sizes
            else f"not known; {which} {has} no diameter"
        )
    marks = [lesion.disappeared for lesion in lesions]
    if lesions and not any(mark is True for mark in marks) and None in marks:
        open_rows = [lesion.number for lesion in lesions if lesion.disappeared is None]
        words["lesions_disappeared_after_neoadjuvant"] = (
            f"not known; none marked no longer visible, {_numbered(open_rows)} not known"
        )
    return words


def _numbered(numbers: list[int | None]) -> str:
    shown = [str(n) for n in numbers if n is not None]
    if not shown:
        return "a lesion" if len(numbers) == 1 else f"{len(numbers)} lesions"
    return ("lesion " if len(shown) == 1 else "lesions ") + ", ".join(shown)


def regions_of(segment: str) -> tuple[str, ...]:
    """The map's regions a segment as entered lies in (IV: IVa and IVb)."""
    return PARTS.get(segment, (segment,))


def segments_involved(lesions: list[Lesion]) -> list[str]:
    """The segments with a lesion, in Couinaud order (IV counts as IVa and IVb)."""
    found = {part for lesion in lesions for s in lesion.segments for part in regions_of(s)}
    return [segment for segment in SEGMENTS if segment in found]


# --- Disease course (§2) ------------------------------------------------------------


def whole_months(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def disease_free_interval(values: Mapping[str, object]) -> int | None:
    primary = _date(values.get("primary_diagnosis_date"))
    liver = _date(values.get("liver_metastases_diagnosis_date"))
    if primary is None or liver is None:
        return None
    return whole_months(primary, liver)


def synchronous(values: Mapping[str, object], cutoff_months: int) -> bool | None:
    """Found at or before the primary's diagnosis, or within ``cutoff_months`` after it."""
    primary = _date(values.get("primary_diagnosis_date"))
    liver = _date(values.get("liver_metastases_diagnosis_date"))
    if primary is None or liver is None:
        return None
    return liver <= add_months(primary, cutoff_months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    following = datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month + 1, min(day.day, last))


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# --- Liver function (§3) ------------------------------------------------------------


# Pugh's bilirubin cut-offs are 2 and 3 mg/dL: at 17.1 µmol/L per mg/dL, 34.2 and 51.3
# µmol/L exactly (many SI tables print 34 and 50; revision of 2026-12-05). A value typed
# in mg/dL is stored at two decimals, so 3.0 mg/dL is 51.3 µmol/L: 2 points, as in the paper.
BILIRUBIN_CUTOFFS_UMOL_L = (34.2, 51.3)
CHILD_PUGH_NOTE = (
    "Bilirubin points at Pugh's 2 and 3 mg/dL, i.e. {0} and {1} µmol/L (1 mg/dL = 17.1 "
    "µmol/L): under {0} is 1 point, {0} to {1} is 2, over {1} is 3."
).format(*BILIRUBIN_CUTOFFS_UMOL_L)


def _bilirubin_points(bilirubin: float) -> int:
    low, high = BILIRUBIN_CUTOFFS_UMOL_L
    return 1 if bilirubin < low else 2 if bilirubin <= high else 3


def _albumin_points(albumin: float) -> int:
    return 1 if albumin > 35 else 2 if albumin >= 28 else 3


def _inr_points(inr: float) -> int:
    return 1 if inr < 1.7 else 2 if inr <= 2.3 else 3


ASCITES_POINTS = {"none": 1, "mild": 2, "moderate_severe": 3}
ENCEPHALOPATHY_POINTS = {"none": 1, "grade_1_2": 2, "grade_3_4": 3}


def child_pugh_class(points: int) -> str:
    return "A" if points <= 6 else "B" if points <= 9 else "C"


def child_pugh(values: Mapping[str, object]) -> Score:
    parts = (
        ("bilirubin", values.get("serum_bilirubin_umol_l"), "µmol/L", _bilirubin_points),
        ("albumin", values.get("albumin_g_l"), "g/L", _albumin_points),
        ("INR", values.get("inr"), "", _inr_points),
        ("ascites", values.get("ascites"), "", ASCITES_POINTS.get),
        ("encephalopathy", values.get("encephalopathy"), "", ENCEPHALOPATHY_POINTS.get),
    )
    total, inputs, missing = 0, [], []
    for label, value, unit, points_of in parts:
        points = None if value is None else points_of(value)
        if points is None:
            missing.append(label)
            continue
        total += points
        shown = _fmt(value) if isinstance(value, int | float) else str(value).replace("_", " ")
        inputs.append(f"{label} {shown}{' ' + unit if unit else ''} ({points})")
    if missing:
        low, high = total + len(missing), total + 3 * len(missing)
        return Score("Child-Pugh", None, f"{low}–{high}, class {child_pugh_class(low)}–"
                     f"{child_pugh_class(high)} (not known: {', '.join(missing)})",
                     tuple(inputs), CHILD_PUGH_SOURCE, low, high, tuple(missing),
                     note=CHILD_PUGH_NOTE)  # fmt: skip
    return Score("Child-Pugh", total, f"{total}, class {child_pugh_class(total)}",
                 tuple(inputs), CHILD_PUGH_SOURCE, note=CHILD_PUGH_NOTE)  # fmt: skip


def albi_value(bilirubin_umol_l: float, albumin_g_l: float) -> float:
    """ALBI, unrounded: graded as it is (Johnson 2015), never as rounded for display."""
    return math.log10(bilirubin_umol_l) * 0.66 + albumin_g_l * -0.085


ALBI_CUTOFFS = (-2.60, -1.39)  # grade 1 up to the first, grade 2 up to the second (§3)


def albi_grade(albi: float) -> int:
    first, second = ALBI_CUTOFFS
    return 1 if albi <= first else 2 if albi <= second else 3


def shown(fact: str, value: float, least: int) -> str:
    """``value`` with ``least`` decimals, or as many as it takes to see on which side of
    each of the fact's cut-offs it lies, so that a value shown and its grade or zone never
    seem to disagree (ALBI −2.59996 is grade 2: shown as −2.59996, not −2.60)."""
    return decimals_that_agree(value, same_side(fact, value), least=least)


def albi(values: Mapping[str, object]) -> Score:
    bilirubin = _number(values.get("serum_bilirubin_umol_l"))
    albumin = _number(values.get("albumin_g_l"))
    missing = tuple(
        label for label, v in (("bilirubin", bilirubin), ("albumin", albumin)) if v is None
    )
    if missing or bilirubin <= 0:
        why = ", ".join(missing) if missing else "bilirubin of 0"
        return Score("ALBI", None, f"not known ({why})", (), ALBI_SOURCE, missing=missing)
    value = albi_value(bilirubin, albumin)
    inputs = (f"bilirubin {_fmt(bilirubin)} µmol/L", f"albumin {_fmt(albumin)} g/L")
    words = f"{shown('albi_score', value, 2)}, grade {albi_grade(value)}"
    first, second = (f"{cut:.2f}".replace("-", "−") for cut in ALBI_CUTOFFS)
    note = f"Graded on the unrounded score: grade 1 up to {first}, grade 2 up to {second}, grade 3 above."
    return Score("ALBI", value, words, inputs, ALBI_SOURCE, note=note)


# --- Future liver remnant (§4) -------------------------------------------------------


def body_surface_area(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600)


def total_liver_volume(bsa_m2: float) -> float:
    return -794.41 + 1267.28 * bsa_m2


def standardised_flr(values: Mapping[str, object]) -> Score:
    """The standardised future liver remnant (unrounded: conditions and the comparison
    with the minimum read it as it is), compared with the minimum that fits the case."""
    height, weight = _number(values.get("height_cm")), _number(values.get("weight_kg"))
    flr = _number(values.get("flr_volume_ml"))
    missing = tuple(
        label
        for label, v in (("height", height), ("weight", weight), ("FLR volume", flr))
        if v is None
    )
    if missing:
        return Score("Standardised FLR", None, f"not known ({', '.join(missing)})", (),
                     f"{BSA_SOURCE}; {TLV_SOURCE}", missing=missing)  # fmt: skip
    bsa = body_surface_area(height, weight)
    tlv = total_liver_volume(bsa)
    value = 100 * flr / tlv
    minimums, why = flr_minimums(values)
    written = shown("future_liver_remnant_pct", value, 1)
    inputs = (
        f"FLR {_fmt(flr)} mL",
        f"BSA {bsa:.2f} m² (height {_fmt(height)} cm, weight {_fmt(weight)} kg)",
        f"TLV {tlv:.0f} mL",
    )
    return Score("Standardised FLR", value, f"{written} %: {flr_against(value, minimums, why)}",
                 inputs, f"{BSA_SOURCE}; {TLV_SOURCE}; {FLR_THRESHOLD_SOURCE}",
                 note=FLR_NOTE)  # fmt: skip


FLR_NOTE = (
    "Commonly cited minimums: 20 % with a normal liver, 30 % after extensive chemotherapy "
    "(about 12 weeks or more; “neoadjuvant therapy given” stands for it here), 40 % with "
    "cirrhosis. Information for the board, not a recommendation."
)
NORMAL, CHEMOTHERAPY, CIRRHOSIS = (
    (20, "with a normal liver"),
    (30, "after chemotherapy"),
    (40, "with cirrhosis"),
)


def flr_minimums(values: Mapping[str, object]) -> tuple[tuple[tuple[int, str], ...], str]:
    """The commonly cited minimum that fits the case (cirrhosis, then chemotherapy, else a
    normal liver), or every one still possible while what decides is not recorded."""
    cirrhosis, chemotherapy = values.get("cirrhosis"), values.get("neoadjuvant_therapy_given")
    if cirrhosis is True:
        return (CIRRHOSIS,), ""
    if cirrhosis is None:
        return (NORMAL, CHEMOTHERAPY, CIRRHOSIS), "cirrhosis not recorded"
    if chemotherapy is True:
        return (CHEMOTHERAPY,), ""
    if chemotherapy is None:
        return (NORMAL, CHEMOTHERAPY), "chemotherapy not recorded"
    return (NORMAL,), ""


def flr_against(value: float, minimums, why: str) -> str:
    """The unrounded value against each minimum, in words: 'below the minimum of 30 %
    after chemotherapy' (a value that rounds to the minimum but lies below it is below)."""
    said = [
        f"{'at or above' if value >= minimum else 'below'} the minimum of {minimum} % {where}"
        for minimum, where in minimums
    ]
    text = said[0] if len(said) == 1 else "; ".join(said[:-1]) + "; " + said[-1]
    return f"{text} ({why})" if why else text


# --- Recurrence risk (§5) ------------------------------------------------------------


def fong(values: Mapping[str, object]) -> Score:
    """Fong's clinical risk score: one point per criterion met, a range while some are not
    known. Only for a colorectal primary: another primary site is "not applicable"; a
    primary site not known (``values`` hold no "not known" choices) keeps it not known.
    The "> 5 cm" point is known from the lesion table once any row exceeds 50 mm, even
    while another row has no diameter (``LARGEST_AT_LEAST``)."""
    site = values.get("primary_site")
    if site is not None and site != "colorectal":
        return Score("Fong", None, "not applicable (only for a colorectal primary)", (),
                     FONG_SOURCE, applies=False)  # fmt: skip
    interval = values.get("disease_free_interval_months")
    count, largest = values.get("lesion_count"), values.get("largest_lesion_mm")
    at_least = values.get(LARGEST_AT_LEAST)
    cea, nodes = _number(values.get("cea_ng_ml")), values.get("primary_node_positive")
    if largest is not None:
        big, big_label = largest > 50, f"largest {largest} mm"
    elif at_least is not None and at_least > 50:
        big, big_label = True, f"largest at least {at_least} mm"
    else:
        big, big_label = None, "largest > 50 mm"
    criteria = (
        ("node-positive primary", None if nodes is None else nodes is True, "primary N status"),
        ("disease-free interval < 12 months",
         None if interval is None else interval < 12, "disease-free interval"),
        (f"{count} lesions" if count else "more than one lesion",
         None if count is None else count > 1, "number of lesions"),
        (f"CEA {_fmt(cea) if cea is not None else ''} ng/mL",
         None if cea is None else cea > 200, "CEA"),
        (big_label, big, "largest lesion"),
    )  # fmt: skip
    points = sum(1 for _, met, _ in criteria if met)
    inputs = tuple(label for label, met, _ in criteria if met)
    missing = tuple(name for _, met, name in criteria if met is None)
    if site is None:
        low, high = points, points + len(missing)
        could_be = f"{low}–{high}" if high > low else f"{low}"
        return Score("Fong", None, "not known: only for a colorectal primary, and the primary "
                     f"site is not known ({could_be} of 5 if colorectal)",
                     inputs, FONG_SOURCE, low, high, ("primary site", *missing))  # fmt: skip
    if missing:
        low, high = points, points + len(missing)
        return Score("Fong", None, f"{low}–{high} of 5 (not known: {', '.join(missing)})",
                     inputs, FONG_SOURCE, low, high, missing)  # fmt: skip
    risk = "low risk" if points <= 2 else "high risk"
    return Score("Fong", points, f"{points} of 5, {risk}", inputs, FONG_SOURCE)


def tbs_zone(tbs: float) -> str:
    return "low" if tbs < 3 else "medium" if tbs < 9 else "high"


def tumour_burden(values: Mapping[str, object]) -> Score:
    """Sasaki's tumour burden score; while a lesion has no diameter but others have, at
    least the score of the largest diameter given (a range up to the table's 300 mm)."""
    count, largest = values.get("lesion_count"), _number(values.get("largest_lesion_mm"))
    at_least = _number(values.get(LARGEST_AT_LEAST))
    missing = tuple(
        label
        for label, v in (("number of lesions", count), ("largest lesion", largest))
        if v is None
    )
    if missing == ("largest lesion",) and at_least is not None:
        low = math.sqrt((at_least / 10) ** 2 + count**2)
        high = math.sqrt((MAX_DIAMETER_MM / 10) ** 2 + count**2)
        zone = f", {tbs_zone(low)} zone" if tbs_zone(low) == tbs_zone(high) else ""
        inputs = (f"largest at least {_fmt(at_least / 10)} cm", _plural(count, "lesion"))
        return Score("Tumour burden score", None,
                     f"at least {low:.2f}{zone} (not known: largest lesion)", inputs,
                     TBS_SOURCE, low, high, missing)  # fmt: skip
    if missing:
        return Score("Tumour burden score", None, f"not known ({', '.join(missing)})", (),
                     TBS_SOURCE, missing=missing)  # fmt: skip
    value = math.sqrt((largest / 10) ** 2 + count**2)  # zoned unrounded, like ALBI
    words = f"{shown('tumour_burden_score', value, 2)}, {tbs_zone(value)} zone"
    inputs = (f"largest {_fmt(largest / 10)} cm", _plural(count, "lesion"))
    return Score("Tumour burden score", value, words, inputs, TBS_SOURCE)


def interval(values: Mapping[str, object], cutoff_months: int) -> Score:
    months = values.get("disease_free_interval_months")
    if months is None:
        return Score("Disease-free interval", None, "not known (dates of diagnosis)", (),
                     INTERVAL_SOURCE, missing=("dates of diagnosis",))  # fmt: skip
    timing = "synchronous" if values.get("synchronous") else "metachronous"
    words = f"{months} months, {timing}"
    definition = (
        f"synchronous: liver metastases found at or before the primary's diagnosis, or "
        f"within {cutoff_months} months after it"
    )
    return Score("Disease-free interval", months, words, (definition,), INTERVAL_SOURCE)


def scores(values: Mapping[str, object], cutoff_months: int) -> list[Score]:
    """The scores block: each score, known or not."""
    return [
        child_pugh(values),
        albi(values),
        standardised_flr(values),
        fong(values),
        tumour_burden(values),
        interval(values, cutoff_months),
    ]


# How each computed fact with cut-offs is read: its grade, zone, or side of each minimum.
# A value must be shown so that, as written, it reads the same (``shown``).
READINGS: dict[str, Callable[[float], object]] = {
    "albi_score": albi_grade,
    "tumour_burden_score": tbs_zone,
    "future_liver_remnant_pct": lambda pct: tuple(
        pct >= minimum for minimum, _ in (NORMAL, CHEMOTHERAPY, CIRRHOSIS)
    ),
}


def same_side(fact: str, value: object) -> Callable[[float], bool] | None:
    """For a fact with cut-offs: whether a number, as written, reads as ``value`` does
    (the same grade, zone or side of each minimum; for ``FactSpec.display_value``);
    None for other facts."""
    reading = READINGS.get(fact)
    if reading is None or not isinstance(value, int | float) or isinstance(value, bool):
        return None
    read = reading(value)
    return lambda written: reading(written) == read
