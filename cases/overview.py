"""What is known about a case and what the guidelines say about it: the one path
that the case page, the JSON view, the handouts (and later meeting mode, decisions
and exports) read a saved case through.

It reads the facts once (stored facts, the patient record, derived facts), says
where each value came from, and matches them through
``guidelines.snapshot.matches_for``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from cases import course, lesion_modules
from cases.models import PATIENT_FACTS, Case
from cases.pseudonym import withhold_identity
from guidelines import matching, registry, snapshot
from guidelines.derived import derive, without_not_known
from guidelines.facts import Catalogue, FactSpec, rules_of
from guidelines.models import by_section
from guidelines.scores import Score, lesion_facts_in_words, same_side, segments_involved


@dataclass(frozen=True)
class KnownFact:
    spec: FactSpec
    value: str  # the value in words
    origin: str = ""  # where it came from, when not typed as it is shown
    derived: bool = False  # the origin is a rule (printed documents show only these)

    def __str__(self) -> str:
        return f"{self.value} ({self.origin})" if self.origin else self.value

    @property
    def printed(self) -> str:
        """As printed documents show it: a derived value says where it came from."""
        return str(self) if self.derived else self.value


def known_facts(
    values: Mapping[str, object],
    catalogue: Catalogue,
    entered_as: Mapping[str, list] | None = None,
    hidden: frozenset[str] = frozenset(),
    given: Mapping[str, str] | None = None,
    partly: Mapping[str, str] | None = None,
) -> list[tuple[str, list[KnownFact]]]:
    """The known facts under their section labels, in form order, each with its origin:
    derived from others, from the patient record, the lesion table or the course
    (``given``: fact → where it came from), or typed in another unit. ``partly``: what
    the lesion table says of a fact it cannot decide ("at least 60 mm; lesion 2 has no
    diameter"), shown where its value would be."""
    derived = derive(values, catalogue)
    entered_as = entered_as or {}
    given = given or {}
    partly = partly or {}
    rows = []
    for spec in catalogue.values():
        if spec.name in partly and spec.name not in values and spec.name not in hidden:
            rows.append(KnownFact(spec, partly[spec.name], "from the lesion table", derived=True))
            continue
        if spec.name not in values or spec.name in hidden or spec.computed:
            continue  # (the computed values are the scores block's)
        if spec.name in derived:
            origin = derived[spec.name].explain(values, catalogue, briefly=True)
        elif spec.name in given:
            origin = given[spec.name]
        elif spec.name in PATIENT_FACTS:
            origin = "from the patient record"
        elif spec.name in entered_as:
            typed, unit = entered_as[spec.name]
            origin = f"entered as {typed:g} {unit}"
        else:
            origin = ""
        value = spec.display_value(values[spec.name], same_side(spec.name, values[spec.name]))
        computed = spec.name in derived or spec.name in given
        rows.append(KnownFact(spec, value, origin, derived=computed))
    return by_section(rows, label=lambda row: row.spec.group_label)


@dataclass(frozen=True)
class CaseOverview:
    case: Case
    values: dict[str, object]  # as the engine reads them, before "not known" choices drop out
    known: list[tuple[str, list[KnownFact]]]
    unknown: list[FactSpec]  # catalogue facts with no value, in form order
    matches: matching.Panel
    area: snapshot.Area
    content_version: tuple  # the guideline content it was matched against
    pseudonymised: bool = False
    lesions: tuple = ()  # the lesion table's rows (``cases.lesion_modules``; none without)
    scores: tuple[Score, ...] = ()  # the scores block: each score, known, a range or not
    course: object = None  # the patient's course as the case sees it (``cases.course``)
    course_chart: object = None  # its chart (``cases.course_chart``)
    course_series: tuple = ()  # (fact, its dated values) in form order
    catalogue: Catalogue | None = None  # the area's, as matched
    checklist: tuple = ()  # the area's readiness checklist (``guidelines.readiness``)

    @property
    def has_course(self) -> bool:
        return bool(self.course and not self.course.empty)

    @property
    def segments_involved(self) -> list[str]:
        return segments_involved([lesion.for_scores() for lesion in self.lesions])


def overview(
    case: Case, *, pseudonymised: bool = False, content: snapshot.Snapshot | None = None
) -> CaseOverview:
    """A saved case's facts and matches as of now (``case.patient`` selected with it),
    against the content of the case's own disease area.

    Pseudonymised: what a pseudonymised document may show (``withhold_identity``).
    """
    content = (content or snapshot.current()).of(case.area_id)  # the case's own area
    catalogue = content.catalogue
    prefetch_related_objects([case], *course.relations())  # read once: facts, table, course
    values = case.fact_values(catalogue)
    hidden: frozenset[str] = frozenset()
    if pseudonymised:
        values, hidden = withhold_identity(values, catalogue)
    given = dict.fromkeys(case.lesion_values(catalogue), "from the lesion table")
    given.update((name, origin) for name, (_, origin) in course.given(case, catalogue).items())
    rows = lesion_modules.rows(case)
    partly = lesion_facts_in_words([row.for_scores() for row in rows])
    seen_course = course.course_of(case)
    return CaseOverview(
        case=case,
        values=values,
        known=known_facts(values, catalogue, case.entered_as, hidden, given, partly),
        unknown=[
            spec
            for spec in catalogue.values()
            if spec.name not in values and spec.name not in partly and not spec.computed
        ],
        matches=snapshot.matches_for(values, content),
        area=content.area,
        content_version=content.version,
        pseudonymised=pseudonymised,
        lesions=tuple(rows),
        scores=tuple(case_scores(values, catalogue)),
        course=seen_course,
        course_chart=course.chart_of(case, catalogue, pseudonymised=pseudonymised),
        catalogue=catalogue,
        checklist=content.readiness,
        course_series=tuple(
            (spec, seen_course.series[spec.name])
            for spec in catalogue.values()
            if spec.name in seen_course.series
        ),
    )


def case_scores(values: Mapping[str, object], catalogue: Catalogue) -> list[Score]:
    """The scores block of the scores the case's area chose (``guidelines.registry``);
    the scores read a value that means "not known" as not known."""
    known = without_not_known(values, catalogue)
    return [score for score in registry.block(known, rules_of(catalogue)) if score.applies]
