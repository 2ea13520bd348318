"""The condition parser and engine under random and adversarial input (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidelines import conditions, matching
from guidelines.facts import FactSpec

CATALOGUE = {
    "sex": FactSpec("sex", "Sex", "enum", (("female", "Female"), ("male", "Male"))),
    "age_years": FactSpec("age_years", "Age", "integer", minimum=0, maximum=120),
    "alcohol": FactSpec("alcohol", "Alcohol", "number", minimum=0),
    "smoker": FactSpec("smoker", "Smoker", "boolean"),
}
TOKENS = ["sex", "age_years", "alcohol", "smoker", "and", "or", "not", "in", "=", "!=", ">", ">=",
          "<", "<=", "==", "(", ")", "[", "]", ",", "true", "false", "female", "male", "12", "-3.5",
          '"x"', "'", "\n", ";", "\x00", "é", "1e9"]  # fmt: skip
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_with_a_condition_error(text):
    try:
        conditions.parse(text)
    except conditions.ConditionError as error:
        error.text = text
        assert str(error)  # a readable message, with a position where there is one
    for problem in conditions.validate(text, CATALOGUE):
        assert isinstance(problem, conditions.ConditionError) and str(problem)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join))
def test_token_soup_parses_or_fails_cleanly(text):
    try:
        tree = conditions.parse(text)
    except conditions.ConditionError:
        return
    # whatever parses prints back to text that parses to the same tree
    if tree is not None:
        assert str(conditions.parse(str(tree))) == str(tree)


comparison = st.one_of(
    st.sampled_from(["female", "male"]).map(lambda v: f"sex = {v}"),
    st.integers(0, 120).map(lambda v: f"age_years >= {v}"),
    st.floats(0, 500, allow_nan=False).map(lambda v: f"alcohol > {v:.2f}"),
    st.booleans().map(lambda v: f"smoker = {'true' if v else 'false'}"),
    st.just("sex in [female, male]"),
)
condition = st.recursive(
    comparison,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]} and {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} or {p[1]})"),
        inner.map(lambda c: f"not {c}"),
    ),
    max_leaves=8,
)
facts = st.fixed_dictionaries(
    {},
    optional={
        "sex": st.sampled_from(["female", "male"]),
        "age_years": st.integers(0, 120),
        "alcohol": st.floats(0, 1000, allow_nan=False),
        "smoker": st.booleans(),
    },
)


@FUZZ
@given(condition, facts)
def test_valid_conditions_validate_and_evaluate_three_valued(text, case_facts):
    assert conditions.validate(text, CATALOGUE) == []
    tree = conditions.parse(text)
    assert str(conditions.parse(str(tree))) == str(tree)
    found = matching.match_rule(case_facts, matching.Rule(id="r", statement="s", condition=text))
    assert found.outcome in matching.OUTCOMES
    if found.outcome == matching.MAY_APPLY:
        assert found.missing and set(found.missing) <= conditions.facts_used(tree) - set(case_facts)
    if set(conditions.facts_used(tree)) <= set(case_facts):
        assert found.outcome != matching.MAY_APPLY  # everything known: a definite answer
