"""The condition language: parsing, validation against a catalogue, and wording.

Pure tests: a hand-made catalogue, no database.
"""

from __future__ import annotations

import pytest

from guidelines import conditions
from guidelines.conditions import And, Comparison, ConditionError, Not, Or
from guidelines.facts import FactSpec

CATALOGUE = {
    spec.name: spec
    for spec in [
        FactSpec("sex", "Sex", "enum", (("female", "Female"), ("male", "Male"))),
        FactSpec("age_years", "Age", "integer", minimum=0, maximum=120, unit="years"),
        FactSpec("alcohol_g_per_day", "Alcohol intake", "number", minimum=0, unit="g/day"),
        FactSpec("smoker_current", "Current smoker", "boolean"),
        FactSpec(
            "mmr_msi_status",
            "Mismatch repair / MSI status",
            "enum",
            (("not_tested", "Not tested"), ("dMMR_MSI_H", "dMMR / MSI-high")),
        ),
        FactSpec(
            "planned_procedure",
            "Planned procedure",
            "enum",
            (("hepatectomy", "Hepatectomy"), ("ablation", "Ablation")),
        ),
    ]
}


def messages(text: str) -> list[str]:
    return [str(error) for error in conditions.validate(text, CATALOGUE)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("   ", None),
        ("smoker_current = true", "smoker_current = true"),
        ("sex != male", "sex != male"),
        ("age_years >= 70", "age_years >= 70"),
        ("alcohol_g_per_day > 24.5", "alcohol_g_per_day > 24.5"),
        ("sex in [female, male]", "sex in [female, male]"),
        ('sex = "female"', 'sex = "female"'),
        # and binds tighter than or; the canonical text makes that visible
        ("a = x or b = y and c = z", "a = x or (b = y and c = z)"),
        ("(a = x or b = y) and c = z", "(a = x or b = y) and c = z"),
        ("not a = x and b = y", "not a = x and b = y"),
        ("not (a = x and b = y)", "not (a = x and b = y)"),
        ("a=x and(b=y)", "a = x and b = y"),
    ],
)
def test_parse_round_trips_to_canonical_text(text, expected):
    tree = conditions.parse(text)
    assert (None if tree is None else str(tree)) == expected


def test_precedence_builds_the_expected_tree():
    tree = conditions.parse("a = x or b = y and not c = z")
    assert isinstance(tree, Or)
    left, right = tree.operands
    assert isinstance(left, Comparison) and left.fact == "a"
    assert isinstance(right, And)
    assert isinstance(right.operands[1], Not)


def test_values_are_typed():
    tree = conditions.parse("a = true and b = 3 and c = word and d in [1, 2.5]")
    values = [c.values for c in conditions.comparisons(tree)]
    assert values[0][0].value is True
    assert values[1][0].value == 3.0 and isinstance(values[1][0].value, float)
    assert values[2][0].value == "word"
    assert [v.value for v in values[3]] == [1.0, 2.5]


def test_parse_is_cached_per_text():
    assert conditions.parse("sex = female") is conditions.parse("sex = female")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sex =", "column 6: expected a value, found the end of the condition"),
        ("sex == female", "column 5: use '=' to compare, not '=='"),
        (
            "sex female",
            "column 5: expected an operator (=, !=, >, >=, <, <= or in) after 'sex', found 'female'",
        ),
        ("(sex = female", "column 14: expected ')' to close the '(' at column 1"),
        ("sex = female and", "column 17: expected a fact name, found the end of the condition"),
        (
            "sex = female sex = male",
            "column 14: expected 'and', 'or' or the end of the condition, found 'sex'",
        ),
        ("sex in female", "column 8: expected '[' to start the list after 'in', found 'female'"),
        ("sex in [female male]", "column 16: expected ',' or ']' in the list, found 'male'"),
        ("sex = 'female", "column 7: this quoted value is never closed"),
        ("sex = female; drop", "column 13: unexpected character ';'"),
        ("and = 1", "column 1: expected a fact name, found 'and'"),
        ("sex =\nfemale and\n  or", "line 3, column 3: expected a fact name, found 'or'"),
    ],
)
def test_syntax_errors_say_what_and_where(text, message):
    with pytest.raises(ConditionError) as info:
        conditions.parse(text)
    error = info.value
    error.text = text
    assert str(error) == message


def test_a_very_long_condition_is_refused():
    with pytest.raises(ConditionError, match="at most"):
        conditions.parse("sex = female and " * 400 + "sex = male")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "smoker_current = true",
        "sex = female and alcohol_g_per_day > 24",
        "age_years >= 0 and age_years <= 120",
        "mmr_msi_status in [not_tested, dMMR_MSI_H]",
        "planned_procedure = hepatectomy and ((sex = female and alcohol_g_per_day > 24) or "
        "(sex = male and alcohol_g_per_day > 36))",
        "not smoker_current = false",
    ],
)
def test_valid_conditions_have_no_problems(text):
    assert messages(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("smoker = true", ["column 1: unknown fact 'smoker'; did you mean 'smoker_current'?"]),
        ("zzz = 1", ["column 1: unknown fact 'zzz'"]),
        (
            "sex = femal",
            ["column 7: femal is not an allowed value of sex (allowed: female, male)"],
        ),
        (
            "sex in [female, other]",
            ["column 17: other is not an allowed value of sex (allowed: female, male)"],
        ),
        (
            "smoker_current = yes",
            ["column 18: smoker_current is a yes/no fact: compare it with true or false, not yes"],
        ),
        (
            "smoker_current > 1",
            [
                "column 1: '>' compares numbers, but smoker_current is a yes/no fact; use = , != or in"
            ],
        ),
        (
            "sex >= female",
            ["column 1: '>=' compares numbers, but sex is a choice fact; use = , != or in"],
        ),
        (
            "sex = 3",
            ["column 7: sex is a choice fact: compare it with one of female, male, not 3"],
        ),
        (
            "alcohol_g_per_day > lots",
            [
                "column 21: alcohol_g_per_day is a number (g/day): compare it with a number, not lots"
            ],
        ),
        ("age_years > 70.5", ["column 13: age_years is a whole number: 70.5 has a fraction"]),
        ("age_years > 200", ["column 13: 200 is outside the range of age_years (0–120 years)"]),
        (
            "alcohol_g_per_day > -1",
            ["column 21: -1 is outside the range of alcohol_g_per_day (≥ 0 g/day)"],
        ),
        ("sex = (", ["column 7: expected a value, found '('"]),
    ],
)
def test_invalid_conditions_are_reported_precisely(text, expected):
    assert messages(text) == expected


def test_every_problem_is_reported_not_just_the_first():
    assert len(messages("smoker = true and sex = femal and age_years > 500")) == 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "every case"),
        ("sex = female", "Sex is Female"),
        ("smoker_current = true", "Current smoker is Yes"),
        ("alcohol_g_per_day > 24", "Alcohol intake is above 24 g/day"),
        ("age_years <= 70", "Age is at most 70 years"),
        (
            "mmr_msi_status in [dMMR_MSI_H]",
            "Mismatch repair / MSI status is one of dMMR / MSI-high",
        ),
        (
            "planned_procedure = hepatectomy and (sex = female or sex = male)",
            "Planned procedure is Hepatectomy and (Sex is Female or Sex is Male)",
        ),
        ("not smoker_current = true", "not (Current smoker is Yes)"),
    ],
)
def test_conditions_read_in_words(text, words):
    assert conditions.describe(conditions.parse(text), CATALOGUE) == words


def test_facts_used_lists_every_fact_once():
    tree = conditions.parse(
        "sex = female and (sex = male or age_years > 3) and not smoker_current = true"
    )
    assert conditions.facts_used(tree) == {"sex", "age_years", "smoker_current"}
