"""The matching engine: a case's facts against guideline recommendations.

Three layers (STYLE.md 2.3):

1. Facts in: a plain mapping ``{fact name: value}``; an absent name means "not known".
2. ``match(facts, rules, catalogue)``: a pure function, no ORM. Kleene three-valued
   logic: a comparison on a missing fact is unknown; ``and`` is false if any side is
   false, else unknown if any side is unknown; ``or`` is the dual; ``not unknown`` is
   unknown. True -> applies, unknown -> may apply, false -> does not apply. Every
   result carries each comparison's outcome, so the *why* can be shown.
3. ``panel()`` prepares what pages, JSON and handouts show. Callers reach it through
   ``guidelines.snapshot.matches_for``, which owns the ORM side (this module imports
   nothing from Django).

Conditions are compiled once per condition text (so once per recommendation
version) into closures, and evaluated many times.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from guidelines import conditions
from guidelines.conditions import And, Comparison, Node, Not
from guidelines.derived import engine_values
from guidelines.facts import Catalogue

APPLIES = "applies"
MAY_APPLY = "may_apply"
DOES_NOT_APPLY = "does_not_apply"
OUTCOMES = (APPLIES, MAY_APPLY, DOES_NOT_APPLY)

Outcome = bool | None  # True, False or unknown


# --- Compiling a condition ---------------------------------------------------------

_ORDERING = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _test(comparison: Comparison) -> Callable[[object], bool]:
    """A function from a known fact value to whether the comparison holds."""
    values = [literal.value for literal in comparison.values]
    op = comparison.operator
    # A several-choice fact holds a list: "=" is "among them", "in" is "any of them".
    if op == "in":
        allowed = frozenset(values)
        return lambda v: (not allowed.isdisjoint(v)) if isinstance(v, list) else v in allowed
    target = values[0]
    if op == "=":
        return lambda v: (target in v) if isinstance(v, list) else v == target
    if op == "!=":
        return lambda v: (target not in v) if isinstance(v, list) else v != target
    compare = _ORDERING[op]

    def ordered(v: object) -> bool:
        # A stored value of the wrong kind never satisfies an ordering.
        return isinstance(v, int | float) and not isinstance(v, bool) and compare(v, target)

    return ordered


@dataclass(frozen=True)
class CompiledCondition:
    """A condition ready to evaluate: its comparisons, in order, and how to combine them."""

    tree: Node | None
    comparisons: tuple[Comparison, ...]
    tests: tuple[Callable[[object], bool], ...]
    combine: Callable[[Sequence[Outcome]], Outcome]
    deciding_unknowns: Callable[[Sequence[Outcome]], list[int]]

    def evaluate(self, facts: Mapping[str, object]) -> tuple[Outcome, list[Outcome]]:
        """The overall outcome and each comparison's outcome."""
        results: list[Outcome] = []
        for comparison, test in zip(self.comparisons, self.tests, strict=True):
            value = facts.get(comparison.fact)
            results.append(None if value is None else test(value))
        return self.combine(results), results


def _combiner(node: Node, counter: list[int]):
    """Functions giving a node's outcome, and the unknown comparisons that decide it."""
    if isinstance(node, Comparison):
        index = counter[0]
        counter[0] += 1

        def value(r):
            return r[index]

        def unknowns(r):
            return [index] if r[index] is None else []

        return value, unknowns
    if isinstance(node, Not):
        inner, inner_unknowns = _combiner(node.operand, counter)

        def value(r):
            x = inner(r)
            return None if x is None else not x

        return value, inner_unknowns
    parts = [_combiner(operand, counter) for operand in node.operands]
    decisive = not isinstance(node, And)  # and: False settles it; or: True does

    def value(r):
        unknown = False
        for part, _ in parts:
            x = part(r)
            if x is decisive:
                return decisive
            if x is None:
                unknown = True
        return None if unknown else not decisive

    def unknowns(r):
        # Only operands that are themselves unknown can still change the outcome.
        found: list[int] = []
        for part, part_unknowns in parts:
            if part(r) is None:
                found.extend(part_unknowns(r))
        return found

    return value, unknowns


@lru_cache(maxsize=8192)
def compile_condition(text: str) -> CompiledCondition:
    """Parse and compile a condition; cached by its text. Raises ConditionError."""
    tree = conditions.parse(text)
    if tree is None:
        return CompiledCondition(None, (), (), lambda r: True, lambda r: [])
    comparisons = tuple(conditions.comparisons(tree))
    combine, deciding = _combiner(tree, [0])
    return CompiledCondition(
        tree, comparisons, tuple(_test(c) for c in comparisons), combine, deciding
    )


# --- Rules and results ----------------------------------------------------------------

PRIMARY = "primary"  # the verification level checked against the guideline's own text


def shows_unverified_marker(level: str) -> bool:
    """Every level but the primary text is shown with the "not verified against the
    primary guideline text" marker (fact sheet revision 2, §0)."""
    return level != PRIMARY


@dataclass(frozen=True)
class Caution:
    """Shown on a rule's card when ``condition`` holds (empty: always), "may apply" while
    it is not known; it never hides the card (fact sheet revision 3)."""

    condition: str
    text: str


@dataclass(frozen=True)
class Rule:
    """A recommendation as the engine sees it, detached from the database."""

    id: str
    statement: str
    condition: str
    section: str = ""
    subsection: str = ""
    order: tuple[int, int] = (0, 0)  # section and subsection position in the digest
    source: str = ""  # display name, e.g. 'JSHBPS 2021'
    action: str = ""
    strength: str = ""
    verification_status: str = ""
    verification: str = ""  # the level (primary, secondary, …)
    verification_words: str = ""  # the level as clinicians read it
    # How it takes part in the board's decision (fact sheet revision 3, §0).
    decision_scope: str = "board"  # or "pathway"
    plan_modalities: tuple[str, ...] = ()
    contradicted_by: tuple[str, ...] = ()
    alternatives: str = ""
    cautions: tuple[Caution, ...] = ()

    @property
    def sort_key(self) -> tuple:
        return (*self.order, self.id)

    @property
    def shows_unverified_marker(self) -> bool:
        return shows_unverified_marker(self.verification)


@dataclass(frozen=True)
class ComparisonOutcome:
    comparison: Comparison
    outcome: Outcome  # True: held, False: failed, None: the fact is not known
    value: object  # the case's value, or None

    @property
    def state(self) -> str:
        return {True: "held", False: "failed", None: "unknown"}[self.outcome]


@dataclass(frozen=True)
class CautionOutcome:
    """A caution that holds (APPLIES) or may hold (MAY_APPLY: ``missing`` would decide)."""

    text: str
    outcome: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    rule: Rule
    outcome: str  # APPLIES, MAY_APPLY or DOES_NOT_APPLY
    comparisons: tuple[ComparisonOutcome, ...] = ()
    missing: tuple[str, ...] = ()  # facts whose value could still change a MAY_APPLY
    error: str = ""  # a condition that could not be compiled
    cautions: tuple[CautionOutcome, ...] = ()  # of a card shown (applies or may apply)


@dataclass
class MatchSet:
    """Results grouped by outcome, each group in digest order."""

    applies: list[Match] = field(default_factory=list)
    may_apply: list[Match] = field(default_factory=list)
    does_not_apply: list[Match] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.applies) + len(self.may_apply) + len(self.does_not_apply)


def match_rule(facts: Mapping[str, object], rule: Rule) -> Match:
    """Match one rule; a condition that does not compile 'may apply' and says why."""
    try:
        compiled = compile_condition(rule.condition)
    except conditions.ConditionError as error:
        return Match(rule, MAY_APPLY, error=f"The condition could not be read ({error}).")
    overall, results = compiled.evaluate(facts)
    outcomes = tuple(
        ComparisonOutcome(c, r, facts.get(c.fact))
        for c, r in zip(compiled.comparisons, results, strict=True)
    )
    if overall is False:
        return Match(rule, DOES_NOT_APPLY, outcomes)
    cautions = tuple(_cautions(facts, rule)) if rule.cautions else ()
    if overall is None:
        return Match(rule, MAY_APPLY, outcomes, _deciding(compiled, results), cautions=cautions)
    return Match(rule, APPLIES, outcomes, cautions=cautions)


def _deciding(compiled: CompiledCondition, results: list[Outcome]) -> tuple[str, ...]:
    """The facts not known whose value would decide the outcome, once each, in order."""
    return tuple(
        dict.fromkeys(compiled.comparisons[i].fact for i in compiled.deciding_unknowns(results))
    )


def _cautions(facts: Mapping[str, object], rule: Rule) -> Iterable[CautionOutcome]:
    """The rule's cautions that hold, or may: one that does not hold is left out; one whose
    condition cannot be read is shown as may apply (never dropped)."""
    for caution in rule.cautions:
        try:
            compiled = compile_condition(caution.condition)
        except conditions.ConditionError:
            yield CautionOutcome(caution.text, MAY_APPLY)
            continue
        overall, results = compiled.evaluate(facts)
        if overall is None:
            yield CautionOutcome(caution.text, MAY_APPLY, _deciding(compiled, results))
        elif overall:
            yield CautionOutcome(caution.text, APPLIES)


def match(facts: Mapping[str, object], rules: Iterable[Rule], catalogue: Catalogue) -> MatchSet:
    """Match a case's facts against rules. Pure: no database, no side effects.

    Derived facts are filled in and values that mean "not known" are matched as not
    known (``guidelines.derived.engine_values``) here, so no caller can forget them.
    """
    facts = engine_values(facts, catalogue)
    result = MatchSet()
    for rule in sorted(rules, key=lambda r: r.sort_key):
        found = match_rule(facts, rule)
        getattr(result, found.outcome).append(found)
    return result


# --- Words and JSON ------------------------------------------------------------------


def explain(outcome: ComparisonOutcome, catalogue: Catalogue) -> str:
    """One comparison and its outcome in words, e.g.
    'Current smoker is yes: held (case: yes)'."""
    text = conditions.describe_comparison(outcome.comparison, catalogue)
    spec = catalogue.get(outcome.comparison.fact)
    if outcome.outcome is None:
        return f"{text}: not known yet"
    if spec is None:
        actual = str(outcome.value)
    else:  # a number written so that it visibly holds, or fails, as it does
        test = _test(outcome.comparison)
        actual = spec.display_value(outcome.value, lambda shown: test(shown) == outcome.outcome)
    return f"{text}: {'held' if outcome.outcome else 'failed'} (case: {actual})"


@dataclass(frozen=True)
class WhyLine:
    """One line of a "Why": a comparison, or "all of" / "any of" / "not" over nested lines."""

    state: str  # held, failed or unknown
    text: str
    children: tuple[WhyLine, ...] = ()


_JOIN_WORDS = {"And": "All of these", "Or": "Any of these", "Not": "Not this"}
_STATE = {True: "held", False: "failed", None: "unknown"}


def why_tree(m: Match, catalogue: Catalogue) -> tuple[WhyLine, ...]:
    """The condition's structure with each part's outcome, so an "or" reads as one."""
    try:
        compiled = compile_condition(m.rule.condition)
    except conditions.ConditionError:
        return ()
    if compiled.tree is None:
        return ()
    lines = iter(m.comparisons)

    def build(node: Node) -> tuple[WhyLine, Outcome]:
        if isinstance(node, Comparison):
            outcome = next(lines)
            return WhyLine(outcome.state, explain(outcome, catalogue)), outcome.outcome
        if isinstance(node, Not):
            child, value = build(node.operand)
            value = None if value is None else not value
            return WhyLine(_STATE[value], _JOIN_WORDS["Not"], (child,)), value
        children = [build(operand) for operand in node.operands]
        values = [value for _, value in children]
        decisive = not isinstance(node, And)
        if decisive in values:
            value = decisive
        elif None in values:
            value = None
        else:
            value = not decisive
        words = _JOIN_WORDS[type(node).__name__]
        return WhyLine(_STATE[value], words, tuple(line for line, _ in children)), value

    root, _ = build(compiled.tree)
    # A top-level "all of" is what every card means: show its parts directly.
    return root.children if isinstance(compiled.tree, And) else (root,)


@dataclass(frozen=True)
class ShownCaution:
    text: str
    may_apply: bool  # not known yet: ``missing_labels`` would decide it
    missing_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShownMatch:
    """A match with its explanation in words, for pages and handouts."""

    match: Match
    why: tuple[tuple[str, str], ...]  # (state, words): state is held, failed or unknown
    missing_labels: tuple[str, ...]
    why_tree: tuple[WhyLine, ...] = ()
    cautions: tuple[ShownCaution, ...] = ()

    @property
    def rule(self) -> Rule:
        return self.match.rule


def present(results: MatchSet, catalogue: Catalogue) -> dict[str, list[ShownMatch]]:
    """Every group of a MatchSet, each match explained comparison by comparison."""

    def labels(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(catalogue[name].label if name in catalogue else name for name in names)

    def shown(m: Match) -> ShownMatch:
        why = tuple((c.state, explain(c, catalogue)) for c in m.comparisons)
        cautions = tuple(
            ShownCaution(c.text, c.outcome == MAY_APPLY, labels(c.missing)) for c in m.cautions
        )
        return ShownMatch(m, why, labels(m.missing), why_tree(m, catalogue), cautions)

    return {outcome: [shown(m) for m in getattr(results, outcome)] for outcome in OUTCOMES}


@dataclass(frozen=True)
class MissingGroup:
    """May-apply matches that wait for the same facts, shown as one collapsible group."""

    missing_labels: tuple[str, ...]
    items: tuple[ShownMatch, ...]

    @property
    def collapsed(self) -> bool:
        """Shown as one line (a collapsible group) rather than card by card."""
        return len(self.items) >= GROUP_AT

    @property
    def sections(self) -> list[tuple[str, int]]:
        """How many items of each section, in order: e.g. [('Perioperative care', 22)]."""
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.rule.section] = counts.get(item.rule.section, 0) + 1
        return list(counts.items())


GROUP_AT = 3  # this many items waiting for the same facts are shown as one group


def group_by_missing(may_apply: list[ShownMatch]) -> list[MissingGroup]:
    """May-apply items grouped by the facts they wait for, larger groups first."""
    groups: dict[tuple[str, ...], list[ShownMatch]] = {}
    for item in may_apply:
        groups.setdefault(item.missing_labels, []).append(item)
    ordered = sorted(groups.items(), key=lambda pair: -len(pair[1]))
    return [MissingGroup(labels, tuple(items)) for labels, items in ordered]


def deciding_facts(results: MatchSet) -> list[tuple[str, int]]:
    """Every fact that is not known and would decide a recommendation, with how many it
    decides, most first (then by name)."""
    counts: dict[str, int] = {}
    for m in results.may_apply:
        for name in m.missing:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def completeness(
    facts: Mapping[str, object], rules: Iterable[Rule], catalogue: Catalogue
) -> tuple[int, int]:
    """(known, read): of the facts the rules' conditions read, how many the case has a
    value for (derived facts in, values that mean "not known" out): how complete the
    facts that decide recommendations were."""
    read: set[str] = set()
    for rule in rules:
        try:
            compiled = compile_condition(rule.condition)
        except conditions.ConditionError:
            continue
        read.update(comparison.fact for comparison in compiled.comparisons)
    values = engine_values(facts, catalogue)
    return len(read & values.keys()), len(read)


def site_has_specific_content(site: str, rules: Iterable[Rule]) -> bool:
    """Whether any rule names this primary site in its condition (= or in)."""
    for rule in rules:
        try:
            compiled = compile_condition(rule.condition)
        except conditions.ConditionError:
            continue
        for comparison in compiled.comparisons:
            names_site = comparison.fact == "primary_site" and comparison.operator in ("=", "in")
            if names_site and site in {literal.value for literal in comparison.values}:
                return True
    return False


@dataclass(frozen=True)
class Panel:
    """Everything a page or handout shows of a case's matches."""

    results: MatchSet  # the engine's own results (``as_json`` reads them)
    applies: list[ShownMatch]
    may_apply: list[ShownMatch]
    does_not_apply: list[ShownMatch]
    may_apply_groups: list[MissingGroup]
    deciding: list[tuple[str, int]]  # (fact label, recommendations it decides), most first
    uncovered_site: str  # the primary site's label when no rule is specific to it, else ""

    def __getitem__(self, outcome: str) -> list[ShownMatch]:
        return getattr(self, outcome)


def panel(facts: Mapping[str, object], rules: Sequence[Rule], catalogue: Catalogue) -> Panel:
    """Match a case and prepare what is shown: one path for pages, JSON and handouts."""
    results = match(facts, rules, catalogue)
    shown = present(results, catalogue)
    site = engine_values(facts, catalogue).get("primary_site")
    site_spec = catalogue.get("primary_site")
    uncovered = ""
    if site and site_spec and not site_has_specific_content(str(site), rules):
        uncovered = site_spec.display_value(site)
    return Panel(
        results=results,
        applies=shown[APPLIES],
        may_apply=shown[MAY_APPLY],
        does_not_apply=shown[DOES_NOT_APPLY],
        may_apply_groups=group_by_missing(shown[MAY_APPLY]),
        deciding=[
            (catalogue[name].label if name in catalogue else name, count)
            for name, count in deciding_facts(results)
        ],
        uncovered_site=uncovered,
    )


def as_json(results: MatchSet) -> dict[str, list[dict]]:
    """The structure ``match_case`` prints and ``matches.json`` returns."""

    def item(m: Match) -> dict:
        data = {
            "id": m.rule.id,
            "statement": m.rule.statement,
            "source": m.rule.source,
            "section": m.rule.section,
            "subsection": m.rule.subsection,
            "strength": m.rule.strength,
            "verification_status": m.rule.verification_status,
            "verification": m.rule.verification,
            "verification_words": m.rule.verification_words,
            "shows_unverified_marker": m.rule.shows_unverified_marker,
            "decision_scope": m.rule.decision_scope,
            "comparisons": [
                {"fact": c.comparison.fact, "condition": str(c.comparison), "outcome": c.state}
                for c in m.comparisons
            ],
        }
        if m.outcome == MAY_APPLY:
            data["missing"] = list(m.missing)
        if m.outcome != DOES_NOT_APPLY:
            data["cautions"] = [
                {
                    "text": c.text,
                    "outcome": c.outcome,
                    **({"missing": list(c.missing)} if c.missing else {}),
                }
                for c in m.cautions
            ]
        if m.error:
            data["error"] = m.error
        return data

    return {outcome: [item(m) for m in getattr(results, outcome)] for outcome in OUTCOMES}
