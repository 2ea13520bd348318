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
from types import MappingProxyType

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
    # The overall outcome straight from the facts, comparisons tried only as far as they
    # decide it: what matching asks of every rule (``evaluate`` says why, when asked).
    decide: Callable[[Mapping[str, object]], Outcome] = lambda facts: True
    # For a condition that is not known: the facts not known that would decide it, in
    # the order of the condition, straight from the facts.
    pending: Callable[[Mapping[str, object]], list[str]] = lambda facts: []
    sites: frozenset[str] = frozenset()  # the primary sites it names (= or in)

    @classmethod
    def of(cls, tree: Node, comparisons: tuple[Comparison, ...]) -> CompiledCondition:
        combine, deciding = _combiner(tree, [0])
        sites = frozenset(
            str(literal.value)
            for c in comparisons
            if c.fact == "primary_site" and c.operator in ("=", "in")
            for literal in c.values
        )
        decide, pending = _compiled(tree)
        return cls(
            tree, comparisons, tuple(_test(c) for c in comparisons), combine, deciding,
            decide, pending, sites,
        )  # fmt: skip

    def evaluate(self, facts: Mapping[str, object]) -> tuple[Outcome, list[Outcome]]:
        """The overall outcome and each comparison's outcome."""
        results: list[Outcome] = []
        for comparison, test in zip(self.comparisons, self.tests, strict=True):
            value = facts.get(comparison.fact)
            results.append(None if value is None else test(value))
        return self.combine(results), results


def _compiled(node: Node):
    """The condition as two functions of the facts, a closure a node: ``decide``, its
    three-valued outcome (comparisons tried only as far as they settle it); and
    ``pending``, for a condition not known, the facts not known that could still change
    it, in order: of each part not known, its own parts not known (a part that is known
    changes nothing while the whole is not known)."""
    if isinstance(node, Comparison):
        fact, test = node.fact, _test(node)

        def compare(facts):
            value = facts.get(fact)
            return None if value is None else test(value)

        return compare, lambda facts: [fact]
    if isinstance(node, Not):
        inner, inner_pending = _compiled(node.operand)

        def negate(facts):
            value = inner(facts)
            return None if value is None else not value

        return negate, inner_pending
    parts = tuple(_compiled(operand) for operand in node.operands)
    deciders = tuple(decide for decide, _ in parts)
    decisive = not isinstance(node, And)  # and: False settles it; or: True does

    def combine(facts):
        unknown = False
        for part in deciders:
            value = part(facts)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        return None if unknown else not decisive

    def pending(facts):
        found: list[str] = []
        for decide, part_pending in parts:
            if decide(facts) is None:
                found.extend(part_pending(facts))
        return found

    return combine, pending


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
    return CompiledCondition.of(tree, comparisons)


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

    def __post_init__(self) -> None:
        # Read once a rule per match: kept, not built again each time.
        object.__setattr__(self, "sort_key", (*self.order, self.id))

    @property
    def compiled(self) -> CompiledCondition | None:
        """The condition compiled (``compile_condition``), kept on the rule after its
        first match; None when it cannot be read."""
        try:
            return self.__dict__["_compiled"]
        except KeyError:
            pass
        try:
            compiled = compile_condition(self.condition)
        except conditions.ConditionError:
            compiled = None
        self.__dict__["_compiled"] = compiled
        return compiled

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


_NO_FACTS: Mapping[str, object] = MappingProxyType({})


class Match:
    """A rule's outcome for a case; never changed once made. What the rule waits for
    (``missing``) and each comparison's outcome (``comparisons``) are worked out when
    something reads them: of 5,000 rules a page shows a few. (A plain class with slots:
    a frozen dataclass cost a third of matching 5,000 rules.)"""

    __slots__ = ("rule", "outcome", "compiled", "facts", "cautions", "error", "_worked")
    __hash__ = None  # type: ignore[assignment]

    def __init__(
        self,
        rule: Rule,
        outcome: str,  # APPLIES, MAY_APPLY or DOES_NOT_APPLY
        compiled: CompiledCondition | None = None,
        facts: Mapping[str, object] = _NO_FACTS,
        cautions: tuple[CautionOutcome, ...] = (),  # of a card shown (applies, may apply)
        error: str = "",  # a condition that could not be compiled
    ):
        self.rule = rule
        self.outcome = outcome
        self.compiled = compiled
        self.facts = facts
        self.cautions = cautions
        self.error = error
        self._worked: dict[str, tuple] | None = None  # what was worked out when asked

    def __repr__(self) -> str:
        return f"Match({self.rule.id!r}, {self.outcome!r}, missing={self.missing!r})"

    def _compared(self) -> tuple:
        return (self.rule, self.outcome, self.missing, self.error, self.cautions, self.results)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return self._compared() == other._compared()

    def _once(self, name: str, make: Callable[[CompiledCondition], tuple]) -> tuple:
        if self.compiled is None:
            return ()
        if self._worked is None:
            self._worked = {}
        if name not in self._worked:
            self._worked[name] = make(self.compiled)
        return self._worked[name]

    @property
    def missing(self) -> tuple[str, ...]:
        """Of a MAY_APPLY, the facts not known whose value would decide it, in order."""
        if self.outcome != MAY_APPLY:
            return ()
        return self._once("missing", lambda compiled: _deciding(compiled, self.facts))

    @property
    def results(self) -> tuple[Outcome, ...]:
        """Each comparison's outcome, in order."""
        return self._once("results", lambda compiled: tuple(compiled.evaluate(self.facts)[1]))

    @property
    def comparisons(self) -> tuple[ComparisonOutcome, ...]:
        return self._once("comparisons", lambda compiled: tuple(
            ComparisonOutcome(c, r, self.facts.get(c.fact))
            for c, r in zip(compiled.comparisons, self.results, strict=True)
        ))  # fmt: skip


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
    return _matched(rule, compiled, facts, compiled.decide(facts))


def _matched(rule: Rule, compiled: CompiledCondition, facts, overall: Outcome) -> Match:
    if overall is False:
        return Match(rule, DOES_NOT_APPLY, compiled, facts)
    cautions = tuple(_cautions(facts, rule)) if rule.cautions else ()
    return Match(rule, MAY_APPLY if overall is None else APPLIES, compiled, facts, cautions)


def _deciding(compiled: CompiledCondition, facts: Mapping[str, object]) -> tuple[str, ...]:
    """The facts not known whose value would decide the outcome, once each, in order."""
    return tuple(dict.fromkeys(compiled.pending(facts)))


def _cautions(facts: Mapping[str, object], rule: Rule) -> Iterable[CautionOutcome]:
    """The rule's cautions that hold, or may: one that does not hold is left out; one whose
    condition cannot be read is shown as may apply (never dropped)."""
    for caution in rule.cautions:
        try:
            compiled = compile_condition(caution.condition)
        except conditions.ConditionError:
            yield CautionOutcome(caution.text, MAY_APPLY)
            continue
        overall = compiled.decide(facts)
        if overall is None:
            yield CautionOutcome(caution.text, MAY_APPLY, _deciding(compiled, facts))
        elif overall:
            yield CautionOutcome(caution.text, APPLIES)


_SORT_KEY = operator.attrgetter("sort_key")
_UNREAD = object()


class InOrder(tuple):
    """Rules already in digest order (``in_order``): matching does not sort them again."""

    __slots__ = ()


def in_order(rules: Iterable[Rule]) -> InOrder:
    """The rules in digest order, once: kept content is matched many times."""
    return InOrder(sorted(rules, key=_SORT_KEY))


def match(facts: Mapping[str, object], rules: Iterable[Rule], catalogue: Catalogue) -> MatchSet:
    """Match a case's facts against rules. Pure: no database, no side effects.

    Derived facts are filled in and values that mean "not known" are matched as not
    known (``guidelines.derived.engine_values``) here, so no caller can forget them.
    """
    facts = engine_values(facts, catalogue)
    result = MatchSet()
    groups = {APPLIES: result.applies, MAY_APPLY: result.may_apply}
    not_applying = result.does_not_apply.append
    for rule in rules if isinstance(rules, InOrder) else sorted(rules, key=_SORT_KEY):
        # match_rule, with its most frequent outcome made here (5,000 rules: a third less).
        compiled = rule.__dict__.get("_compiled", _UNREAD)
        if compiled is _UNREAD:
            compiled = rule.compiled
        if compiled is None:  # the condition cannot be read
            found = match_rule(facts, rule)
            groups[found.outcome].append(found)
            continue
        overall = compiled.decide(facts)
        if overall is False:
            not_applying(Match(rule, DOES_NOT_APPLY, compiled, facts))
        else:
            found = _matched(rule, compiled, facts, overall)
            groups[found.outcome].append(found)
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
    compiled = m.compiled  # None: the condition could not be read
    if compiled is None or compiled.tree is None:
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


class ShownMatch:
    """A match with its explanation in words, for pages and handouts: the words are
    made when a page or handout reads them, not for every rule matched."""

    __slots__ = ("match", "catalogue", "_made")

    def __init__(self, match: Match, catalogue: Catalogue):
        self.match = match
        self.catalogue = catalogue
        self._made: dict[str, tuple] | None = None

    def __repr__(self) -> str:
        return f"ShownMatch({self.match!r})"

    @property
    def rule(self) -> Rule:
        return self.match.rule

    def _once(self, name: str, make: Callable[[], tuple]) -> tuple:
        if self._made is None:
            self._made = {}
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    @property
    def why(self) -> tuple[tuple[str, str], ...]:
        """(state, words): state is held, failed or unknown."""
        return self._once(
            "why",
            lambda: tuple((c.state, explain(c, self.catalogue)) for c in self.match.comparisons),
        )

    @property
    def missing_labels(self) -> tuple[str, ...]:
        return self._once("missing", lambda: labels(self.match.missing, self.catalogue))

    @property
    def why_tree(self) -> tuple[WhyLine, ...]:
        return self._once("tree", lambda: why_tree(self.match, self.catalogue))

    @property
    def cautions(self) -> tuple[ShownCaution, ...]:
        return self._once("cautions", lambda: tuple(
            ShownCaution(c.text, c.outcome == MAY_APPLY, labels(c.missing, self.catalogue))
            for c in self.match.cautions
        ))  # fmt: skip


def labels(names: Iterable[str], catalogue: Catalogue) -> tuple[str, ...]:
    """The facts by their labels (a name the catalogue lacks, as it is)."""
    return tuple(catalogue[name].label if name in catalogue else name for name in names)


def present(results: MatchSet, catalogue: Catalogue) -> dict[str, list[ShownMatch]]:
    """Every group of a MatchSet, each match to be explained comparison by comparison."""
    return {
        outcome: [ShownMatch(m, catalogue) for m in getattr(results, outcome)]
        for outcome in OUTCOMES
    }


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
        if site in compiled.sites:
            return True
    return False


def _names_site(site: str, results: MatchSet) -> bool:
    """``site_has_specific_content`` over rules matched already (their conditions read)."""
    for group in (results.applies, results.may_apply, results.does_not_apply):
        for found in group:
            if found.compiled is not None and site in found.compiled.sites:
                return True
    return False  # (a condition that cannot be read names nothing)


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
    if site and site_spec and not _names_site(str(site), results):
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
