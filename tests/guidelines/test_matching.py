"""The matching engine, table-driven and without a database."""

from __future__ import annotations

import pytest

from guidelines import matching
from guidelines.facts import FactSpec
from guidelines.matching import APPLIES, DOES_NOT_APPLY, MAY_APPLY, Rule

T, F, U = True, False, None  # U: the fact is not known


def outcome_of(condition: str, facts: dict) -> bool | None:
    overall, _ = matching.compile_condition(condition).evaluate(facts)
    return overall


def facts_for(**values) -> dict:
    """Booleans for facts a, b, c; None leaves the fact out (not known)."""
    return {name: value for name, value in values.items() if value is not None}


KLEENE_AND = [
    (T, T, T), (T, F, F), (T, U, U),
    (F, T, F), (F, F, F), (F, U, F),
    (U, T, U), (U, F, F), (U, U, U),
]  # fmt: skip
KLEENE_OR = [
    (T, T, T), (T, F, T), (T, U, T),
    (F, T, T), (F, F, F), (F, U, U),
    (U, T, T), (U, F, U), (U, U, U),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "expected"), KLEENE_AND)
def test_and_is_kleene(a, b, expected):
    assert outcome_of("a = true and b = true", facts_for(a=a, b=b)) is expected


@pytest.mark.parametrize(("a", "b", "expected"), KLEENE_OR)
def test_or_is_kleene(a, b, expected):
    assert outcome_of("a = true or b = true", facts_for(a=a, b=b)) is expected


@pytest.mark.parametrize(("a", "expected"), [(T, F), (F, T), (U, U)])
def test_not_is_kleene(a, expected):
    assert outcome_of("not a = true", facts_for(a=a)) is expected


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        (U, T, T, U),  # a and (b or c)
        (F, U, U, F),
        (T, U, T, T),
        (T, U, F, U),
    ],
)
def test_nested_conditions(a, b, c, expected):
    assert outcome_of("a = true and (b = true or c = true)", facts_for(a=a, b=b, c=c)) is expected


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("x > 24", 24, False),
        ("x > 24", 24.01, True),
        ("x >= 24", 24, True),
        ("x >= 24", 23.99, False),
        ("x < 50", 50, False),
        ("x < 50", 49.9, True),
        ("x <= 50", 50, True),
        ("x <= 50", 50.1, False),
        ("x = 3", 3, True),
        ("x = 3", 3.0, True),
        ("x != 3", 3, False),
        ("x in [1, 2]", 2, True),
        ("x in [1, 2]", 3, False),
        ("x > 24", None, None),
    ],
)
def test_comparison_boundaries(condition, value, expected):
    assert outcome_of(condition, {} if value is None else {"x": value}) is expected


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ("site = colorectal", {"site": "colorectal"}, True),
        ("site = colorectal", {"site": "gastric"}, False),
        ("site != colorectal", {"site": "gastric"}, True),
        ("site in [colorectal, gastric]", {"site": "gastric"}, True),
        ("site in [colorectal, gastric]", {"site": "gist"}, False),
        ("flag = false", {"flag": False}, True),
        ("flag = false", {"flag": True}, False),
        (
            "x > 3",
            {"x": "text"},
            False,
        ),  # a stored value of the wrong kind never satisfies an ordering
    ],
)
def test_equality_and_membership(condition, facts, expected):
    assert outcome_of(condition, facts) is expected


def test_an_empty_condition_applies_to_every_case():
    result = matching.match({}, [Rule(id="always", statement="s", condition="")], {})
    assert [m.rule.id for m in result.applies] == ["always"]


@pytest.mark.parametrize(
    ("condition", "facts", "missing"),
    [
        ("a = true and b = true", {}, ("a", "b")),
        ("a = true and b = true", {"a": True}, ("b",)),
        # b is true, so the 'or' holds and c cannot change anything: only a decides
        ("a = true and (b = true or c = true)", {"b": True}, ("a",)),
        ("a = true or b = true", {"a": False}, ("b",)),
        ("not (a = true and b = true)", {"a": True}, ("b",)),
        ("a = true and a != false", {}, ("a",)),  # each fact once
        ("(s = f and x > 24) or (s = m and x > 36)", {"x": 30}, ("s",)),
    ],
)
def test_may_apply_lists_only_missing_facts_that_could_change_the_outcome(
    condition, facts, missing
):
    found = matching.match_rule(facts, Rule(id="r", statement="s", condition=condition))
    assert found.outcome == MAY_APPLY
    assert found.missing == missing


def test_each_comparison_reports_held_failed_or_unknown():
    rule = Rule(id="r", statement="s", condition="a = true and b > 3 and c = x")
    found = matching.match_rule({"a": True, "b": 2}, rule)
    assert found.outcome == DOES_NOT_APPLY
    assert [(c.comparison.fact, c.state) for c in found.comparisons] == [
        ("a", "held"),
        ("b", "failed"),
        ("c", "unknown"),
    ]


def test_results_are_grouped_and_ordered_by_section_subsection_then_id():
    rules = [
        Rule(id="z-late", statement="s", condition="", order=(2, 1)),
        Rule(id="b-early", statement="s", condition="", order=(1, 2)),
        Rule(id="a-early", statement="s", condition="", order=(1, 2)),
        Rule(id="first", statement="s", condition="", order=(1, 1)),
        Rule(id="no", statement="s", condition="a = true", order=(0, 0)),
        Rule(id="maybe", statement="s", condition="b = true", order=(0, 0)),
    ]
    result = matching.match({"a": False}, rules, {})
    assert [m.rule.id for m in result.applies] == ["first", "a-early", "b-early", "z-late"]
    assert [m.rule.id for m in result.does_not_apply] == ["no"]
    assert [m.rule.id for m in result.may_apply] == ["maybe"]
    assert result == matching.match({"a": False}, list(reversed(rules)), {})


def test_a_condition_that_cannot_be_read_may_apply_and_says_why():
    found = matching.match_rule({}, Rule(id="r", statement="s", condition="a = = b"))
    assert found.outcome == MAY_APPLY
    assert "could not be read" in found.error


def test_conditions_are_compiled_once_per_text():
    matching.compile_condition.cache_clear()
    rule = Rule(id="r", statement="s", condition="a = true and b > 2")
    for value in range(50):
        matching.match({"b": value}, [rule], {})
    assert matching.compile_condition.cache_info().misses == 1
    other = Rule(id="r2", statement="s", condition="a = true and b > 2")  # the same text
    matching.match({"b": 1}, [other], {})
    assert matching.compile_condition.cache_info().misses == 1
    assert other.compiled is rule.compiled


CATALOGUE = {
    "sex": FactSpec("sex", "Sex", "enum", (("female", "Female"), ("male", "Male"))),
    "alcohol_g_per_day": FactSpec("alcohol_g_per_day", "Alcohol intake", "number", unit="g/day"),
}


def test_explanations_use_labels_and_values_not_internal_names():
    rule = Rule(id="r", statement="s", condition="sex = female and alcohol_g_per_day > 24")
    shown = matching.present(matching.match({"sex": "male"}, [rule], CATALOGUE), CATALOGUE)
    (item,) = shown[DOES_NOT_APPLY]
    assert item.why == (
        ("failed", "Sex is Female: failed (case: Male)"),
        ("unknown", "Alcohol intake is above 24 g/day: not known yet"),
    )


def test_missing_facts_are_shown_by_label():
    rule = Rule(id="r", statement="s", condition="sex = female and alcohol_g_per_day > 24")
    shown = matching.present(matching.match({"sex": "female"}, [rule], CATALOGUE), CATALOGUE)
    assert shown[MAY_APPLY][0].missing_labels == ("Alcohol intake",)


def test_json_structure():
    rules = [
        Rule(id="yes", statement="Do it.", condition="", source="JSHBPS 2021"),
        Rule(id="maybe", statement="Perhaps.", condition="sex = female", verification="secondary"),
    ]
    data = matching.as_json(matching.match({}, rules, CATALOGUE))
    assert set(data) == {APPLIES, MAY_APPLY, DOES_NOT_APPLY}
    assert data[APPLIES][0]["id"] == "yes"
    assert data[APPLIES][0]["source"] == "JSHBPS 2021"
    assert data[MAY_APPLY][0]["missing"] == ["sex"]
    assert data[MAY_APPLY][0]["shows_unverified_marker"] is True
    assert data[MAY_APPLY][0]["comparisons"] == [
        {"fact": "sex", "condition": "sex = female", "outcome": "unknown"}
    ]


# --- The compiled paths agree (Hypothesis) ---------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

COMPARED = st.sampled_from(["a = true", "b = true", "c = false", "d = true"])
CONDITIONS = st.recursive(
    COMPARED,
    lambda inner: st.one_of(
        inner.map(lambda text: f"not ({text})"),
        st.lists(inner, min_size=2, max_size=4).map(lambda parts: " and ".join(f"({p})" for p in parts)),
        st.lists(inner, min_size=2, max_size=4).map(lambda parts: " or ".join(f"({p})" for p in parts)),
    ),
    max_leaves=12,
)  # fmt: skip
FACTS = st.fixed_dictionaries({}, optional={name: st.booleans() for name in "abcd"})


def kleene(node, facts):
    """The condition's outcome worked out from its tree, independently of the engine."""
    from guidelines.conditions import And, Comparison, Not

    if isinstance(node, Comparison):
        value = facts.get(node.fact)
        return None if value is None else value == node.values[0].value
    if isinstance(node, Not):
        inner = kleene(node.operand, facts)
        return None if inner is None else not inner
    values = [kleene(operand, facts) for operand in node.operands]
    settles = isinstance(node, And) is False  # and: False settles it; or: True
    if settles in values:
        return settles
    return None if None in values else not settles


@given(CONDITIONS, FACTS)
def test_the_compiled_outcome_and_the_facts_that_decide_it_agree_with_the_tree(text, facts):
    """``decide`` (what matching asks of every rule) and ``pending`` (the facts a "may
    apply" waits for) give what the comparison-by-comparison path gives, and the outcome
    is the three-valued one worked out from the tree."""
    compiled = matching.compile_condition(text)
    overall, results = compiled.evaluate(facts)
    assert compiled.decide(facts) is overall is kleene(compiled.tree, facts)
    if overall is None:
        by_comparison = [compiled.comparisons[i].fact for i in compiled.deciding_unknowns(results)]
        assert compiled.pending(facts) == by_comparison
        assert compiled.pending(facts)  # something not known decides it
