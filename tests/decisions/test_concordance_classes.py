"""The class of a decision and the plan's proposals (``decisions.concordance``), worked out
by hand from ``shared/content/concordance.md`` §2. Pure: no database.

The alternatives and the modalities here are synthetic (the fact sheet's real groups are
exercised through the records); the rules are the sheet's.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisions.concordance import (
    ALREADY_DONE,
    ALTERNATIVE_CHOSEN,
    APPLIES,
    CONCORDANT,
    CONDITIONAL,
    DISCORDANT,
    FOLLOWED,
    NOT_ASSESSED,
    NOT_FOLLOWED,
    NOT_RELEVANT,
    PENDING,
    Row,
    classify,
    contradictions,
    proposals,
)

RECOMMENDATION = "recommendation"


def row(judgement="", frozen_as=APPLIES, group="", **fields) -> Row:
    return Row(statement=fields.pop("statement", "An item."), frozen_as=frozen_as,
               judgement=judgement, reason_group=group, **fields)  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "rows", "asks", "expected", "groups"),
    [
        # Every applying item followed or already done: concordant.
        (RECOMMENDATION, [row(FOLLOWED), row(ALREADY_DONE)], False, CONCORDANT, ()),
        # An alternative of the group chosen counts as followed.
        (RECOMMENDATION, [row(FOLLOWED), row(ALTERNATIVE_CHOSEN)], False, CONCORDANT, ()),
        # "Not relevant" leaves the count: the followed item decides.
        (RECOMMENDATION, [row(FOLLOWED), row(NOT_RELEVANT)], False, CONCORDANT, ()),
        # Items pending and the plan asks for the investigations: conditionally concordant.
        (RECOMMENDATION, [row(FOLLOWED), row(frozen_as=PENDING)], True, CONDITIONAL, ()),
        # Only pending items, and the plan asks for the investigations: conditional too.
        (RECOMMENDATION, [row(frozen_as=PENDING)], True, CONDITIONAL, ()),
        # Pending, but the plan asks for no investigation: the applying items decide.
        (RECOMMENDATION, [row(FOLLOWED), row(frozen_as=PENDING)], False, CONCORDANT, ()),
        # Only pending items and no investigation asked: nothing to measure.
        (RECOMMENDATION, [row(frozen_as=PENDING)], False, NOT_ASSESSED, ()),
        # One not followed is a deviation, with its reason's group, whatever else.
        (RECOMMENDATION, [row(FOLLOWED), row(NOT_FOLLOWED, group="patient")], True,
         DISCORDANT, ("patient",)),
        # Two deviations: one group each, in row order (a missing group reads as judgement).
        (RECOMMENDATION, [row(NOT_FOLLOWED, group="trial"), row(NOT_FOLLOWED)], False,
         DISCORDANT, ("trial", "judgement")),
        # A deviation with pending items and investigations asked is still discordant.
        (RECOMMENDATION, [row(NOT_FOLLOWED, group="guideline"), row(frozen_as=PENDING)], True,
         DISCORDANT, ("guideline",)),
        # Every item judged not relevant: nothing left to measure.
        (RECOMMENDATION, [row(NOT_RELEVANT), row(NOT_RELEVANT)], False, NOT_ASSESSED, ()),
        # No board item applied or was pending.
        (RECOMMENDATION, [], True, NOT_ASSESSED, ()),
        # A deferral or a case noted decided nothing: not assessed, whatever the rows say.
        ("deferred", [row(NOT_FOLLOWED, group="patient")], True, NOT_ASSESSED, ()),
        ("noted", [row(FOLLOWED)], False, NOT_ASSESSED, ()),
    ],
)  # fmt: skip
def test_the_class_of_a_decision(outcome, rows, asks, expected, groups):
    verdict = classify(outcome, rows, asks)
    assert (verdict.klass, verdict.reason_groups) == (expected, groups)


def test_a_draft_with_items_to_judge_is_not_complete_and_says_so():
    verdict = classify(RECOMMENDATION, [row(FOLLOWED), row("")], False)
    assert verdict.klass == CONCORDANT and not verdict.complete
    assert classify(RECOMMENDATION, [row(FOLLOWED)], False).complete


def test_the_words_of_a_discordant_class_name_each_group_once_in_report_order():
    verdict = classify(
        RECOMMENDATION,
        [row(NOT_FOLLOWED, group="judgement"), row(NOT_FOLLOWED, group="patient"),
         row(NOT_FOLLOWED, group="patient")],
        False,
    )  # fmt: skip
    assert verdict.words == (
        "discordant (patient (preference, comorbidity, contraindication); "
        "clinical judgement or other)"
    )


# Synthetic content: two items of one alternatives group (resection or ablation of the
# same lesions), an item against which systemic-only treatment goes, and one the plan
# cannot speak to.
RESECT = row(statement="Resect.", plan_modalities=("resection",), alternatives="local")
ABLATE = row(statement="Ablate.", plan_modalities=("ablation",), alternatives="local")
LOCAL = row(statement="Treat locally.", plan_modalities=("resection", "ablation"),
            contradicted_by=("systemic_only",))  # fmt: skip
COUNSEL = row(statement="Counsel.")


def test_the_plan_proposes_followed_not_followed_and_the_alternative_chosen():
    rows = [RESECT, ABLATE, LOCAL, COUNSEL]
    assert proposals(rows, {"resection"}) == [FOLLOWED, ALTERNATIVE_CHOSEN, FOLLOWED, ""]
    assert proposals(rows, {"ablation"}) == [ALTERNATIVE_CHOSEN, FOLLOWED, FOLLOWED, ""]
    # Against the item: not followed; nothing of the group in the plan: no proposal.
    assert proposals(rows, {"systemic_only"}) == ["", "", NOT_FOLLOWED, ""]
    assert proposals(rows, set()) == ["", "", "", ""]
    # A pending row gets no proposal, whatever the plan.
    pending = row(frozen_as=PENDING, plan_modalities=("resection",))
    assert proposals([pending], {"resection"}) == [""]


def test_an_item_already_marked_followed_makes_its_group_chosen():
    """The board marked ablation followed by hand (the plan says resection in words only):
    resection is proposed as the alternative chosen."""
    rows = [RESECT, replace(ABLATE, judgement=FOLLOWED)]
    assert proposals(rows, set()) == [ALTERNATIVE_CHOSEN, ""]


def test_accepting_the_proposals_of_a_typical_plan_gives_its_class():
    rows = [RESECT, ABLATE, LOCAL, COUNSEL]
    proposed = proposals(rows, {"resection"})
    judged = [replace(r, judgement=p or FOLLOWED) for r, p in zip(rows, proposed, strict=True)]
    assert classify(RECOMMENDATION, judged, False).klass == CONCORDANT
    assert contradictions(judged, {"resection"}, NAMES) == []


NAMES = {"resection": "resection", "ablation": "ablation", "systemic_only": "systemic therapy only"}


def test_the_plan_against_the_judgements_in_words():
    judged = [
        replace(LOCAL, judgement=FOLLOWED),  # the plan goes against it
        replace(RESECT, judgement=FOLLOWED),  # the plan has no resection
        replace(ABLATE, judgement=ALTERNATIVE_CHOSEN),  # fine: resect followed
    ]
    assert contradictions(judged, {"systemic_only"}, NAMES) == [
        "the plan has systemic therapy only, which goes against “Treat locally.”, marked followed",
        "the plan has no resection, but “Resect.” is marked followed",
    ]
    not_followed = [replace(RESECT, judgement=NOT_FOLLOWED)]
    assert contradictions(not_followed, {"resection"}, NAMES) == [
        "the plan has resection, but “Resect.” is marked not followed"
    ]
    alone = [replace(ABLATE, judgement=ALTERNATIVE_CHOSEN), RESECT]
    assert contradictions(alone, set(), NAMES) == [
        "“Ablate.” is marked as an alternative chosen, but no other item of its group is followed"
    ]


JUDGEMENTS = st.sampled_from(
    ["", FOLLOWED, ALREADY_DONE, ALTERNATIVE_CHOSEN, NOT_FOLLOWED, NOT_RELEVANT]
)
ROWS = st.lists(
    st.one_of(
        st.builds(row, JUDGEMENTS, st.just(APPLIES),
                  st.sampled_from(["", "patient", "trial", "guideline", "judgement"])),
        st.builds(row, st.just(""), st.just(PENDING)),
    ),
    max_size=30,
)  # fmt: skip


@given(ROWS, st.booleans(), st.randoms())
def test_the_class_follows_the_rules_for_any_record(rows, asks, random):
    """Whatever the rows: the order does not matter; any deviation makes it discordant, with
    one group per deviation; a record with nothing but "not relevant" and pending rows is
    never concordant; "not relevant" rows take no part."""
    verdict = classify(RECOMMENDATION, rows, asks)
    shuffled = list(rows)
    random.shuffle(shuffled)
    assert classify(RECOMMENDATION, shuffled, asks).klass == verdict.klass
    applying = [r for r in rows if r.frozen_as == APPLIES]
    deviations = [r for r in applying if r.judgement == NOT_FOLLOWED]
    assert (verdict.klass == DISCORDANT) == bool(deviations)
    assert len(verdict.reason_groups) == len(deviations)
    satisfied = [r for r in applying if r.judgement in (FOLLOWED, ALREADY_DONE,
                                                        ALTERNATIVE_CHOSEN)]  # fmt: skip
    if verdict.klass == CONCORDANT:
        assert satisfied and not deviations
    without_not_relevant = [r for r in rows if r.judgement != NOT_RELEVANT]
    if without_not_relevant and any(r.frozen_as == APPLIES for r in without_not_relevant):
        assert classify(RECOMMENDATION, without_not_relevant, asks).klass == verdict.klass
