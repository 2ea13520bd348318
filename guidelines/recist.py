"""Response over time by RECIST 1.1 (liver domain fact sheet §7).

Eisenhauer EA, Therasse P, Bogaerts J, et al. New response evaluation criteria in solid
tumours: revised RECIST guideline (version 1.1). Eur J Cancer 2009;45(2):228–247.

Pure: no ORM. A course is a list of imaging timepoints, the first the baseline; each
measures the lesions by key (longest diameter in mm, ``NOT_SEEN`` or ``TOO_SMALL``; a
lesion without a measurement was not measured). ``assess`` gives each timepoint its sum of
diameters, target and overall response with the arithmetic in words, the nadir used, why it
cannot be assessed where it cannot, and the best overall response so far.

The fact sheet's rules, in its words:
- target lesions are chosen at baseline: at most 5 in all and 2 per organ, each
  measurable (longest diameter ≥ 10 mm);
- a target too small to measure counts 5 mm, one that disappeared 0;
- CR: every target disappeared; PR: SoD at least 30 % below the baseline SoD; PD: SoD at
  least 20 % above the smallest SoD so far (baseline included) and at least 5 mm above it;
  SD: neither. PD is judged before PR (a sum can be below the baseline and far above the
  nadir);
- overall: a new lesion, or unequivocal progression of non-target disease, is PD; target CR
  with non-target disease absent (or none) is CR, with it present PR; otherwise the
  target response;
- the best overall response is shown "not confirmed": confirmation matters in trials, not
  at the board.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from guidelines.facts import decimals_that_agree

SOURCE = "Eisenhauer EA et al., Eur J Cancer 2009;45(2):228–247 (RECIST 1.1)"
NOT_SEEN = "not_seen"  # disappeared: counts 0 mm
TOO_SMALL = "too_small"  # too small to measure: counts 5 mm
TOO_SMALL_MM = 5
MEASURABLE_MM = 10
MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
PR_FALL = 30  # % below the baseline SoD
PD_RISE = 20  # % above the nadir …
PD_RISE_MM = 5  # … and at least this many mm above it

CR, PR, SD, PD, NE = "CR", "PR", "SD", "PD", "NE"
WORDS = {CR: "complete response", PR: "partial response", SD: "stable disease",
         PD: "progressive disease", NE: "not evaluable"}  # fmt: skip
RANK = {CR: 4, PR: 3, SD: 2, PD: 1}  # for the best response (NE never counts)

# Non-target disease at a timepoint (assessed as one item).
NON_TARGET_ABSENT = "absent"
NON_TARGET_PRESENT = "present"
NON_TARGET_PROGRESSION = "progression"  # unequivocal progression
NON_TARGET_NOT_ASSESSED = "not_assessed"

Measurement = int | str | None


@dataclass(frozen=True)
class Lesion:
    key: str
    organ: str = "liver"
    label: str = ""  # as the board names it ("lesion 2"); the key where empty

    @property
    def name(self) -> str:
        return self.label or self.key


@dataclass(frozen=True)
class Timepoint:
    day: datetime.date
    measurements: Mapping[str, Measurement]  # lesion key → mm, NOT_SEEN or TOO_SMALL
    non_target: str = ""  # absent, present, progression, not_assessed; "": none at baseline
    new_lesion: bool = False


@dataclass(frozen=True)
class Assessment:
    day: datetime.date
    baseline: bool
    sod: int | None  # the sum of the target diameters (None: not measurable here)
    nadir: int | None  # the smallest SoD before this timepoint (baseline included)
    target: str  # CR, PR, SD, PD or NE ("" at baseline)
    overall: str
    words: str  # the arithmetic, e.g. "SoD 52 mm, baseline 80 mm: −35 %: PR"
    why_not: str = ""  # why it cannot be assessed
    best: str = ""  # the best overall response so far ("" before any)

    @property
    def best_words(self) -> str:
        if not self.best:
            return "none yet"
        confirmed = " (not confirmed)" if self.best in (CR, PR) else ""
        return f"{self.best}, {WORDS[self.best]}{confirmed}"


def target_problems(
    baseline: Timepoint, lesions: Sequence[Lesion], targets: Sequence[str]
) -> list[str]:
    """What is wrong with choosing ``targets`` (lesion keys) at ``baseline``."""
    problems = []
    by_key = {lesion.key: lesion for lesion in lesions}
    unknown = [key for key in targets if key not in by_key]
    if unknown:
        problems.append(f"no such lesion: {', '.join(unknown)}")
    if not targets:
        problems.append("choose at least one target lesion")
    if len(targets) > MAX_TARGETS:
        problems.append(f"at most {MAX_TARGETS} target lesions in all ({len(targets)} chosen)")
    organs = Counter(by_key[key].organ for key in targets if key in by_key)
    problems += [
        f"at most {MAX_TARGETS_PER_ORGAN} target lesions per organ ({count} in the {organ})"
        for organ, count in sorted(organs.items())
        if count > MAX_TARGETS_PER_ORGAN
    ]
    for key in targets:
        if key not in by_key:
            continue
        size = baseline.measurements.get(key)
        if not isinstance(size, int) or isinstance(size, bool) or size < MEASURABLE_MM:
            shown = f"{size} mm" if isinstance(size, int) else "not measured"
            problems.append(
                f"{by_key[key].name} is not measurable at baseline ({shown}; "
                f"a target needs a longest diameter of at least {MEASURABLE_MM} mm)"
            )
    return problems


def _diameter(value: Measurement) -> int | None:
    if value == NOT_SEEN:
        return 0
    if value == TOO_SMALL:
        return TOO_SMALL_MM
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _sod(timepoint: Timepoint, targets: Sequence[Lesion]) -> tuple[int | None, list[str]]:
    """The sum of the target diameters, or None and the lesions not measured."""
    sizes = {lesion.name: _diameter(timepoint.measurements.get(lesion.key)) for lesion in targets}
    missing = [name for name, size in sizes.items() if size is None]
    if missing:
        return None, missing
    return sum(sizes.values()), []


def _change(now: int, before: int) -> float:
    return (now - before) / before * 100


def _percent(change: float, cutoff: float, at_or_beyond) -> str:
    """A change in %, whole where that reads on the right side of ``cutoff``, else with as
    many decimals as it takes (−29.6 %, not −30 %, for a sum that is not a PR)."""

    def agrees(written: float) -> bool:
        return at_or_beyond(written, cutoff) == at_or_beyond(change, cutoff)

    # Half away from zero, as written by hand (Python's round() would give −42 for −42.5).
    whole = int(Decimal(repr(abs(change))).quantize(Decimal(1), ROUND_HALF_UP))
    whole = -whole if change < 0 else whole
    shown = str(whole) if agrees(float(whole)) else decimals_that_agree(change, agrees, least=1)
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{shown.lstrip('-')} %"


def _falls(value: float, cutoff: float) -> bool:
    return value <= -cutoff


def _rises(value: float, cutoff: float) -> bool:
    return value >= cutoff


def _target(sod: int, baseline: int, nadir: int, sizes_zero: bool) -> tuple[str, str]:
    """The target response and its arithmetic."""
    if sizes_zero:
        return CR, "every target lesion disappeared (SoD 0 mm)"
    # Decided in whole numbers (no rounding at a cut-off); the percentages are for reading.
    if sod - nadir >= PD_RISE_MM and (sod - nadir) * 100 >= PD_RISE * nadir:
        if nadir == 0:
            return PD, f"SoD {sod} mm, nadir 0 mm: +{sod} mm (a target seen again)"
        rise = _change(sod, nadir)
        return PD, (
            f"SoD {sod} mm, nadir {nadir} mm: {_percent(rise, PD_RISE, _rises)}, +{sod - nadir} mm"
        )
    fall = _change(sod, baseline)
    words = f"SoD {sod} mm, baseline {baseline} mm: {_percent(fall, PR_FALL, _falls)}"
    if nadir < baseline and sod > nadir:  # how far from progression it is
        words += f"; nadir {nadir} mm: +{sod - nadir} mm"
    return (PR if (baseline - sod) * 100 >= PR_FALL * baseline else SD), words


def _overall(target: str, timepoint: Timepoint) -> tuple[str, str]:
    if timepoint.new_lesion:
        return PD, "a new lesion"
    if timepoint.non_target == NON_TARGET_PROGRESSION:
        return PD, "unequivocal progression of non-target disease"
    if target == CR and timepoint.non_target == NON_TARGET_PRESENT:
        return PR, "target lesions gone, non-target disease present"
    if target == CR and timepoint.non_target == NON_TARGET_NOT_ASSESSED:
        return PR, "target lesions gone, non-target disease not assessed"
    return target, ""


def assess(timepoints: Sequence[Timepoint], targets: Sequence[Lesion]) -> list[Assessment]:
    """Each timepoint's response, the first being the baseline (in date order)."""
    ordered = sorted(timepoints, key=lambda t: t.day)
    if not ordered:
        return []
    baseline_sod, missing = _sod(ordered[0], targets)
    found: list[Assessment] = []
    if baseline_sod is None or not targets:
        why = (
            "no target lesions chosen"
            if not targets
            else f"at baseline, not measured: {', '.join(missing)}"
        )
        return [Assessment(t.day, i == 0, None, None, "" if i == 0 else NE,
                           "" if i == 0 else NE, "cannot be assessed", why)
                for i, t in enumerate(ordered)]  # fmt: skip
    found.append(Assessment(ordered[0].day, True, baseline_sod, None, "", "",
                            f"SoD {baseline_sod} mm (baseline)"))  # fmt: skip
    nadir, best = baseline_sod, ""
    for timepoint in ordered[1:]:
        sod, missing = _sod(timepoint, targets)
        if sod is None:
            overall, reason = _overall(NE, timepoint)
            words = f"{reason}: {overall}" if overall == PD else "cannot be assessed"
            why = f"not measured: {', '.join(missing)}"
            best = _better(best, overall)
            found.append(Assessment(timepoint.day, False, None, nadir, NE, overall, words,
                                    why, best))  # fmt: skip
            continue
        gone = all(_diameter(timepoint.measurements.get(t.key)) == 0 for t in targets)
        target, words = _target(sod, baseline_sod, nadir, gone)
        overall, reason = _overall(target, timepoint)
        words = f"{words}: {target}"
        if overall != target or reason:
            words += f"; {reason}: overall {overall}" if reason else f"; overall {overall}"
        best = _better(best, overall)
        found.append(Assessment(timepoint.day, False, sod, nadir, target, overall, words,
                                "", best))  # fmt: skip
        nadir = min(nadir, sod)
    return found


def _better(best: str, overall: str) -> str:
    if overall not in RANK:
        return best
    return overall if not best or RANK[overall] > RANK[best] else best
