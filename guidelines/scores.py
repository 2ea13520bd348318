"""Published liver scores, computed from a case's facts: information for the board.

Pure: no ORM. Every formula, cut-off and source is the liver domain fact sheet's
(``shared/content/liver-domain-facts.md``, sections 1-5), not the code's judgement.
A score with an input not known is not known; an additive score (Child-Pugh, Fong)
then gives the range it can still take, never a guess or a 0.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass

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


# --- Lesions (§1) -----------------------------------------------------------------


@dataclass(frozen=True)
class Lesion:
    """One row of the lesion table, as the formulas read it."""

    segments: tuple[str, ...]
    diameter_mm: int | None
    disappeared: bool | None  # no longer visible after neoadjuvant therapy; None: not known


def lesion_facts(lesions: list[Lesion]) -> dict[str, object]:
    """``lesion_count``, ``largest_lesion_mm``, ``bilobar`` and
    ``lesions_disappeared_after_neoadjuvant`` from the rows; nothing while there are none."""
    if not lesions:
        return {}
    facts: dict[str, object] = {"lesion_count": len(lesions)}
    sizes = [lesion.diameter_mm for lesion in lesions if lesion.diameter_mm is not None]
    if len(sizes) == len(lesions):
        facts["largest_lesion_mm"] = max(sizes)
    segments = {segment for lesion in lesions for segment in lesion.segments}
    facts["bilobar"] = bool(segments & LEFT_HEMILIVER and segments & RIGHT_HEMILIVER)
    marks = [lesion.disappeared for lesion in lesions]
    if any(mark is True for mark in marks):
        facts["lesions_disappeared_after_neoadjuvant"] = True
    elif all(mark is False for mark in marks):
        facts["lesions_disappeared_after_neoadjuvant"] = False
    return facts


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


def _bilirubin_points(bilirubin: float) -> int:
    return 1 if bilirubin < 34 else 2 if bilirubin <= 50 else 3


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
                     tuple(inputs), CHILD_PUGH_SOURCE, low, high, tuple(missing))  # fmt: skip
    return Score("Child-Pugh", total, f"{total}, class {child_pugh_class(total)}",
                 tuple(inputs), CHILD_PUGH_SOURCE)  # fmt: skip


def albi_value(bilirubin_umol_l: float, albumin_g_l: float) -> float:
    """ALBI, rounded to two decimals (graded as shown, so value and grade agree)."""
    return round(math.log10(bilirubin_umol_l) * 0.66 + albumin_g_l * -0.085, 2)


def albi_grade(albi: float) -> int:
    return 1 if albi <= -2.60 else 2 if albi <= -1.39 else 3


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
    return Score("ALBI", value, f"{value:.2f}, grade {albi_grade(value)}", inputs, ALBI_SOURCE)


# --- Future liver remnant (§4) -------------------------------------------------------


def body_surface_area(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600)


def total_liver_volume(bsa_m2: float) -> float:
    return -794.41 + 1267.28 * bsa_m2


def standardised_flr(values: Mapping[str, object]) -> Score:
    height, weight = _number(values.get("height_cm")), _number(values.get("weight_kg"))
    flr = _number(values.get("flr_volume_ml"))
    missing = tuple(
        label
        for label, v in (("height", height), ("weight", weight), ("FLR volume", flr))
        if v is None
    )
    threshold = flr_threshold(values)
    if missing:
        return Score("Standardised FLR", None, f"not known ({', '.join(missing)})", (),
                     f"{BSA_SOURCE}; {TLV_SOURCE}", missing=missing)  # fmt: skip
    bsa = body_surface_area(height, weight)
    tlv = total_liver_volume(bsa)
    value = round(100 * flr / tlv, 1)
    inputs = (
        f"FLR {_fmt(flr)} mL",
        f"BSA {bsa:.2f} m² (height {_fmt(height)} cm, weight {_fmt(weight)} kg)",
        f"TLV {tlv:.0f} mL",
        threshold,
    )
    return Score("Standardised FLR", value, f"{value:.1f} %", inputs,
                 f"{BSA_SOURCE}; {TLV_SOURCE}; {FLR_THRESHOLD_SOURCE}")  # fmt: skip


def flr_threshold(values: Mapping[str, object]) -> str:
    """The commonly cited minimum that fits the case: cirrhosis, then chemotherapy."""
    cirrhosis, chemotherapy = values.get("cirrhosis"), values.get("neoadjuvant_therapy_given")
    if cirrhosis is True:
        return "minimum ≥ 40 % (cirrhosis)"
    if cirrhosis is None:
        return (
            "minimum ≥ 20 % (normal liver), ≥ 30 % after extensive chemotherapy, ≥ 40 % "
            "with cirrhosis (cirrhosis not recorded)"
        )
    if chemotherapy is True:
        return "minimum ≥ 30 % (after chemotherapy)"
    if chemotherapy is None:
        return (
            "minimum ≥ 20 % (normal liver), ≥ 30 % after extensive chemotherapy "
            "(chemotherapy not recorded)"
        )
    return "minimum ≥ 20 % (normal liver)"


# --- Recurrence risk (§5) ------------------------------------------------------------


def fong(values: Mapping[str, object]) -> Score:
    site = values.get("primary_site")
    if site is not None and site != "colorectal":
        return Score("Fong", None, "not applicable (only for a colorectal primary)", (),
                     FONG_SOURCE, applies=False)  # fmt: skip
    interval = values.get("disease_free_interval_months")
    count, largest = values.get("lesion_count"), values.get("largest_lesion_mm")
    cea, nodes = _number(values.get("cea_ng_ml")), values.get("primary_node_positive")
    criteria = (
        ("node-positive primary", None if nodes is None else nodes is True, "primary N status"),
        ("disease-free interval < 12 months",
         None if interval is None else interval < 12, "disease-free interval"),
        (f"{count} lesions" if count else "more than one lesion",
         None if count is None else count > 1, "number of lesions"),
        (f"CEA {_fmt(cea) if cea is not None else ''} ng/mL",
         None if cea is None else cea > 200, "CEA"),
        (f"largest {largest} mm" if largest else "largest > 50 mm",
         None if largest is None else largest > 50, "largest lesion"),
    )  # fmt: skip
    points = sum(1 for _, met, _ in criteria if met)
    inputs = tuple(label for label, met, _ in criteria if met)
    missing = tuple(name for _, met, name in criteria if met is None)
    if site is None:
        missing = ("primary site", *missing)
    if missing:
        low, high = points, points + sum(1 for _, met, _ in criteria if met is None)
        return Score("Fong", None, f"{low}–{high} of 5 (not known: {', '.join(missing)})",
                     inputs, FONG_SOURCE, low, high, missing)  # fmt: skip
    risk = "low risk" if points <= 2 else "high risk"
    return Score("Fong", points, f"{points} of 5, {risk}", inputs, FONG_SOURCE)


def tbs_zone(tbs: float) -> str:
    return "low" if tbs < 3 else "medium" if tbs < 9 else "high"


def tumour_burden(values: Mapping[str, object]) -> Score:
    count, largest = values.get("lesion_count"), _number(values.get("largest_lesion_mm"))
    missing = tuple(
        label
        for label, v in (("number of lesions", count), ("largest lesion", largest))
        if v is None
    )
    if missing:
        return Score("Tumour burden score", None, f"not known ({', '.join(missing)})", (),
                     TBS_SOURCE, missing=missing)  # fmt: skip
    value = round(math.sqrt((largest / 10) ** 2 + count**2), 2)
    inputs = (f"largest {_fmt(largest / 10)} cm", f"{count} lesion{'s' if count != 1 else ''}")
    return Score("Tumour burden score", value, f"{value:.2f}, {tbs_zone(value)} zone", inputs,
                 TBS_SOURCE)  # fmt: skip


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
