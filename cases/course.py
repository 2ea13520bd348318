"""The patient's course as a case sees it: the imaging timepoints with the response of the
case's lesions by RECIST 1.1 (``guidelines.recist``), the dated values of the facts recorded
over time, and the treatments; and the facts the course gives the case.

Reads what was prefetched with the case (``relations``): the patient's timepoints, dated
values and treatments, and the lesion rows with their measurements
(``cases.lesion_modules``), so that a page costs the same queries however long the
course is. A lesion row takes part through ``target``, ``for_recist()`` and its
``measurements`` (each with ``timepoint_id``, ``state`` and ``for_recist``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from cases import course_chart, lesion_modules
from cases.models import (
    Case,
    DatedValue,
    ImagingTimepoint,
    NonTarget,
    Treatment,
    TreatmentKind,
    day_in_words,
)
from cases.pseudonym import scrub
from guidelines import recist
from guidelines.facts import Catalogue

# What a case's course reads, beside the lesion rows (prefetched with the case).
PATIENT_RELATIONS = ("timepoints", "dated_values", "treatments")

# The facts the course gives (where the area's catalogue has them).
LATEST_RESPONSE = "latest_response"
BEST_RESPONSE = "best_response"
MONTHS_SINCE_IMAGING = "months_since_liver_imaging"
THERAPY_LINE = "systemic_therapy_line"
RESECTION_DONE = "liver_resection_done"


def relations(prefix: str = "") -> list[str]:
    """What to prefetch with cases (``prefix``: the path to the case, e.g. "case__")."""
    return [*lesion_modules.relations(prefix),
            *(f"{prefix}patient__{name}" for name in PATIENT_RELATIONS)]  # fmt: skip


@dataclass(frozen=True)
class Point:
    """One imaging timepoint of the patient and what RECIST says of it for this case."""

    timepoint: ImagingTimepoint
    assessment: recist.Assessment | None  # None: before the case's baseline, or none
    measured: tuple = ()  # (lesion row, its measurement here), in the table's order
    new_rows: tuple[int, ...] = ()  # numbers of the lesion rows first seen here

    @property
    def baseline(self) -> bool:
        return bool(self.assessment and self.assessment.baseline)

    @property
    def lesions_in_words(self) -> str:
        """E.g. "1ᵀ: 30 mm · 2ᵀ: not seen · 3: 8 mm" (ᵀ: a target lesion)."""
        return " · ".join(f"{row.number}{'ᵀ' if getattr(row, 'target', False) else ''}: "
                          f"{measured.words}" for row, measured in self.measured)  # fmt: skip

    @property
    def imaging_in_words(self) -> str:
        """E.g. "CT, City Hospital"."""
        tp = self.timepoint
        how = tp.get_modality_display() if tp.modality else "Modality not recorded"
        return f"{how}, {tp.place}" if tp.place else how


@dataclass(frozen=True)
class Course:
    points: tuple[Point, ...]  # every imaging timepoint of the patient, the earliest first
    rows: tuple  # the case's lesion rows
    why_not: str  # why the response cannot be assessed ("" when it can)
    series: Mapping[str, tuple[DatedValue, ...]]  # fact name → its values, earliest first
    treatments: tuple[Treatment, ...]  # the earliest first

    @property
    def latest(self) -> recist.Assessment | None:
        """The latest assessment after the baseline."""
        after = [p.assessment for p in self.points if p.assessment and not p.baseline]
        return after[-1] if after else None

    @property
    def baseline(self) -> Point | None:
        return next((point for point in self.points if point.baseline), None)

    @property
    def empty(self) -> bool:
        return not (self.points or self.series or self.treatments)


def chart_of(case: Case, catalogue: Catalogue, *, pseudonymised: bool = False):
    """The course chart (``cases.course_chart``), its curve the first fact recorded over time
    (in form order) that has values: CEA for the liver; pseudonymised, its free text with
    the patient's identifiers replaced."""
    course = course_of(case)
    curve = next((spec for spec in catalogue.values()
                  if spec.over_time and course.series.get(spec.name)), None)  # fmt: skip
    return course_chart.chart(
        course, curve.name if curve else "", curve.label if curve else "",
        curve.unit if curve else "", today=timezone.localdate(),
        text=(lambda words: scrub(words, case)) if pseudonymised else str,
    )  # fmt: skip


def _day_order(row) -> tuple:
    return (row.day, row.pk)


def course_of(case: Case) -> Course:
    """The case's course (kept on the case: the page reads it several times)."""
    cached = getattr(case, "_course", None)
    if cached is not None:
        return cached
    patient = case.patient
    timepoints = sorted(patient.timepoints.all(), key=_day_order)
    rows = tuple(lesion_modules.rows(case))
    points, why_not = _response(timepoints, rows)
    series: dict[str, list[DatedValue]] = {}
    for value in sorted(patient.dated_values.all(), key=_day_order):
        series.setdefault(value.fact, []).append(value)
    treatments = sorted(patient.treatments.all(), key=lambda t: (t.started_on, t.pk))
    course = Course(
        points=tuple(points), rows=rows, why_not=why_not,
        series={name: tuple(values) for name, values in series.items()},
        treatments=tuple(treatments),
    )  # fmt: skip
    case._course = course
    return course


def _response(timepoints: Sequence[ImagingTimepoint], rows: Sequence) -> tuple[list, str]:
    """Each timepoint with its assessment for the case's lesions, from the case's baseline:
    the earliest timepoint at which a target lesion was measured."""
    measured = {row.pk: {m.timepoint_id: m for m in row.measurements.all()} for row in rows}
    # New lesions: rows first seen after the first imaging that measured any of them.
    first = next(
        (
            i
            for i, tp in enumerate(timepoints)
            if any(tp.pk in by_tp for by_tp in measured.values())
        ),
        len(timepoints),
    )
    first_seen: dict[int, list[int]] = {}  # timepoint pk → rows first seen there
    for row in rows:
        seen = [tp for tp in timepoints if tp.pk in measured[row.pk]
                and measured[row.pk][tp.pk].for_recist != recist.NOT_SEEN]  # fmt: skip
        if seen and timepoints.index(seen[0]) > first:
            first_seen.setdefault(seen[0].pk, []).append(row.number)
    targets = [row for row in rows if getattr(row, "target", False)]

    def at(tp) -> tuple:
        return tuple((row, measured[row.pk][tp.pk]) for row in rows if tp.pk in measured[row.pk])

    plain = [Point(tp, None, at(tp), tuple(first_seen.get(tp.pk, ()))) for tp in timepoints]
    if not rows:
        return plain, ""
    if not targets:
        return plain, "no target lesions chosen in the lesion table"
    start = next((i for i, tp in enumerate(timepoints)
                  if any(tp.pk in measured[t.pk] for t in targets)), None)  # fmt: skip
    if start is None:
        return plain, "the target lesions have no measurements"
    course = timepoints[start:]
    baseline = _recist_timepoint(course[0], rows, measured, targets, baseline=True)
    problems = recist.target_problems(
        baseline, [row.for_recist() for row in rows], [str(t.pk) for t in targets]
    )
    if problems:
        return plain, "; ".join(problems)
    assessments = recist.assess(
        [baseline]
        + [_recist_timepoint(tp, rows, measured, targets, new=first_seen.get(tp.pk))
           for tp in course[1:]],
        [t.for_recist() for t in targets],
    )  # fmt: skip
    points = plain[:start] + [
        Point(tp, assessment, at(tp), tuple(first_seen.get(tp.pk, ())))
        for tp, assessment in zip(course, assessments, strict=True)
    ]
    return points, ""


def _recist_timepoint(tp, rows, measured, targets, *, baseline=False, new=None):
    """A timepoint as RECIST reads it: the measurements, non-target disease (as recorded, or
    from the non-target rows: all not seen is absent, any seen present) and new lesions (a
    row first seen here, or one recorded outside the lesion table)."""
    sizes = {str(row.pk): measured[row.pk][tp.pk].for_recist
             for row in rows if tp.pk in measured[row.pk]}  # fmt: skip
    others = [row for row in rows if row not in targets]
    non_target = tp.non_target
    if not non_target and others:
        found = [sizes.get(str(row.pk)) for row in others]
        if any(size is None for size in found):
            non_target = NonTarget.NOT_ASSESSED
        elif all(size == recist.NOT_SEEN for size in found):
            non_target = NonTarget.ABSENT
        else:
            non_target = NonTarget.PRESENT
    return recist.Timepoint(tp.day, sizes, non_target,
                            new_lesion=not baseline and (tp.new_lesion or bool(new)))  # fmt: skip


_when = day_in_words


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 within the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(0, months - (end.day < start.day))


def given(case: Case, catalogue: Catalogue, today: datetime.date | None = None) -> dict:
    """The facts the course gives the case, each (value, where it came from), where the
    catalogue has them: the latest dated value of each fact recorded over time, the
    response by RECIST 1.1, the months since the latest imaging, the systemic therapy line
    and whether the liver was resected (from the treatments, where recorded)."""
    course = course_of(case)
    today = today or timezone.localdate()
    found: dict[str, tuple[object, str]] = {}
    for name, values in course.series.items():
        spec = catalogue.get(name)
        if spec is not None and spec.over_time:
            latest = values[-1]
            typed = f", entered as {latest.typed}" if latest.typed else ""
            found[name] = (latest.value, f"measured {_when(latest.day)}{typed}")
    latest = course.latest
    if latest is not None:
        found[LATEST_RESPONSE] = (latest.overall, f"RECIST 1.1, imaging of {_when(latest.day)}")
        if latest.best:
            found[BEST_RESPONSE] = (
                latest.best,
                f"RECIST 1.1 since the baseline of {_when(course.baseline.timepoint.day)}"
                + (", not confirmed" if latest.best in (recist.CR, recist.PR) else ""),
            )
    if course.points:
        last = course.points[-1].timepoint.day
        found[MONTHS_SINCE_IMAGING] = (months_between(last, today), f"imaging of {_when(last)}")
    systemic = [t for t in course.treatments if t.kind == TreatmentKind.SYSTEMIC]
    if systemic:
        first_only = all(t.line == 1 for t in systemic) and all(t.ongoing for t in systemic)
        found[THERAPY_LINE] = (
            "first_line_ongoing" if first_only else "previously_treated",
            f"from the treatment lines, {len(systemic)} recorded",
        )
    resections = [t for t in course.treatments if t.kind == TreatmentKind.LIVER_RESECTION]
    if resections:
        found[RESECTION_DONE] = (True, f"liver resection of {_when(resections[0].started_on)}")
    return {
        name: (value, origin)
        for name, (value, origin) in found.items()
        if name in catalogue and (catalogue[name].kind != "enum" or value in catalogue[name].values)
    }
