"""Screening a case against the trials of its area, criterion by criterion, with the
engine that explains guideline matches (``guidelines.matching``: the same condition
language, three-valued).

A criterion is *met*, *not met*, *not known* (naming the facts that would decide it) or
*checked by hand* (no rule yet). An exclusion criterion's rule says what excludes: the
criterion is met when that does not hold. A trial is a *possible candidate* when no
criterion is not met — never "eligible": eligibility is decided by the trial team.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from django.db import connection

from accounts.audit import latest_events_sql
from guidelines import matching
from guidelines.derived import engine_values
from guidelines.facts import Catalogue
from trials.models import SCREENED, Criterion, CriterionKind, Trial

MET, NOT_MET, NOT_KNOWN, BY_HAND = "met", "not_met", "not_known", "by_hand"
WORDS = {MET: "met", NOT_MET: "not met", NOT_KNOWN: "not known", BY_HAND: "check by hand"}
POSSIBLE = "possible candidate"
NOT_CANDIDATE = "not a candidate"


@dataclass(frozen=True)
class Rule:
    """A criterion as screening reads it (detached from the ORM, shared by requests)."""

    kind: str
    text: str
    rule: str

    @property
    def exclusion(self) -> bool:
        return self.kind == CriterionKind.EXCLUSION


@dataclass(frozen=True)
class ListedTrial:
    pk: int
    identifier: str
    title: str
    phase: str
    status: str
    status_words: str
    principal_investigator: str
    contact: str
    arms: str
    criteria: tuple[Rule, ...]


@dataclass(frozen=True)
class Outcome:
    criterion: Rule
    outcome: str
    missing: tuple[str, ...] = ()  # the facts that would decide it, by their labels

    @property
    def words(self) -> str:
        return WORDS[self.outcome]


@dataclass(frozen=True)
class Screened:
    trial: ListedTrial
    outcomes: tuple[Outcome, ...]

    @property
    def failing(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.outcome == NOT_MET)

    @property
    def possible(self) -> bool:
        return not self.failing

    @property
    def verdict(self) -> str:
        return POSSIBLE if self.possible else NOT_CANDIDATE

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def summary(self) -> str:
        """E.g. "4 met, 2 not known, 3 check by hand"."""
        parts = [f"{self.count(o)} {WORDS[o]}" for o in (MET, NOT_MET, NOT_KNOWN, BY_HAND)]
        return ", ".join(part for part in parts if not part.startswith("0 "))


def screen_one(values: Mapping[str, object], catalogue: Catalogue, trial: ListedTrial) -> Screened:
    outcomes = []
    for criterion in trial.criteria:
        if not criterion.rule:
            outcomes.append(Outcome(criterion, BY_HAND))
            continue
        compiled = matching.compile_condition(criterion.rule)
        holds = compiled.decide(values)
        if holds is None:
            names = dict.fromkeys(compiled.pending(values))
            labels = matching.labels(names, catalogue)
            outcomes.append(Outcome(criterion, NOT_KNOWN, labels))
        elif holds != criterion.exclusion:  # an inclusion that holds, an exclusion that does not
            outcomes.append(Outcome(criterion, MET))
        else:
            outcomes.append(Outcome(criterion, NOT_MET))
    return Screened(trial, tuple(outcomes))


@dataclass(frozen=True)
class Screening:
    """A case's screening: the possible candidates and the trials its facts rule out, each
    in the list's order."""

    candidates: tuple[Screened, ...] = ()
    ruled_out: tuple[Screened, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.candidates or self.ruled_out)


def screen(
    values: Mapping[str, object], catalogue: Catalogue, trials: Sequence[ListedTrial]
) -> Screening:
    """Each trial screened against the case's facts (as the engine reads them)."""
    read = engine_values(values, catalogue)
    screened = [screen_one(read, catalogue, trial) for trial in trials]
    return Screening(
        tuple(s for s in screened if s.possible), tuple(s for s in screened if not s.possible)
    )


# --- The list as screening reads it: one query while nothing changed -------------------

_lock = threading.Lock()
_cache: dict[int, tuple[tuple, tuple[ListedTrial, ...]]] = {}


@cache
def _version_sql() -> str:
    return latest_events_sql((Trial, Criterion))


def _version() -> tuple:
    """The trial list's version: the latest audit event of its trials and criteria (every
    insert, change and deletion makes one, however it is made)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        return tuple(cursor.fetchone())


def listed(area_id: int) -> tuple[ListedTrial, ...]:
    """The area's trials that are screened (recruiting, or not yet), with their criteria."""
    version = _version()
    kept = _cache.get(area_id)
    if kept is not None and kept[0] == version:
        return kept[1]
    trials = (
        Trial.objects.filter(area_id=area_id, status__in=SCREENED)
        .prefetch_related("criteria")
        .order_by("identifier")
    )
    built = tuple(
        ListedTrial(
            trial.pk,
            trial.identifier,
            trial.title,
            trial.phase,
            trial.status,
            trial.get_status_display(),
            trial.principal_investigator,
            trial.contact,
            trial.arms,
            tuple(Rule(c.kind, c.text, c.rule.strip()) for c in trial.criteria.all()),
        )  # fmt: skip
        for trial in trials
    )
    with _lock:
        _cache[area_id] = (version, built)
    return built


def for_case(seen, lists: dict | None = None) -> Screening:
    """A case's screening (``cases.overview.CaseOverview``), against its area's list.
    ``lists``: the lists already read by area, kept by a caller that screens many cases
    (a meeting's pack reads each area's list once)."""
    area = seen.area.pk
    if lists is None:
        return screen(seen.values, seen.catalogue, listed(area))
    if area not in lists:
        lists[area] = listed(area)
    return screen(seen.values, seen.catalogue, lists[area])
