"""The HCC area's derived facts (HCC fact sheet revision 1, §3.2–3.6) at every edge the
sheet names, each expected value worked out by hand from the sheet's rule (not by running
the code). Pure: no database."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guidelines import hcc_scores
from guidelines.scores import NODULE_DIAMETERS

CONFIRMED = {"hcc_diagnosis": "confirmed_imaging"}
# Child-Pugh A, ECOG 0, liver-confined: the burden decides the stage.
WELL = {**CONFIRMED, "child_pugh_class": "A", "ecog": 0, "macrovascular_invasion": False,
        "extrahepatic_spread": False, "transplant_candidate": "no", "within_milan": False,
        "within_local_extended_criteria": False}  # fmt: skip


def stage(**facts):
    return hcc_scores.bclc({**WELL, **facts})


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # Burden (§3.2 burden_stage): single ≤ 20 mm is 0, a single larger one A.
        ({"lesion_count": 1, "largest_lesion_mm": 20}, "very_early"),
        ({"lesion_count": 1, "largest_lesion_mm": 21}, "early"),
        ({"lesion_count": 1, "largest_lesion_mm": 120}, "early"),
        # 2-3 nodules each ≤ 30 mm: A; one over 30 mm: B; four or more: B.
        ({"lesion_count": 3, "largest_lesion_mm": 30}, "early"),
        ({"lesion_count": 2, "largest_lesion_mm": 31}, "intermediate"),
        ({"lesion_count": 4, "largest_lesion_mm": 12}, "intermediate"),
        # Step 1: PS 3-4 is D whatever else (ECOG 4 with everything else missing, too).
        ({"lesion_count": 1, "largest_lesion_mm": 15, "ecog": 3}, "terminal"),
        # Step 5: cancer-related ECOG 1-2, macrovascular invasion or spread: C.
        ({"lesion_count": 1, "largest_lesion_mm": 15, "ecog": 1,
          "ecog_cancer_related": "yes"}, "advanced"),
        ({"lesion_count": 1, "largest_lesion_mm": 15, "macrovascular_invasion": True},
         "advanced"),
        ({"lesion_count": 1, "largest_lesion_mm": 15, "extrahepatic_spread": True},
         "advanced"),
        # Revision 1, unsafe 2: ECOG 1-2 not cancer-related stages by burden.
        ({"lesion_count": 1, "largest_lesion_mm": 40, "ecog": 2,
          "ecog_cancer_related": "no"}, "early"),
        # Step 3: Child-Pugh C outside the exception: D.
        ({"lesion_count": 1, "largest_lesion_mm": 40, "child_pugh_class": "C"}, "terminal"),
        # Step 4: Child-Pugh B outside the exception: not assigned.
        ({"lesion_count": 1, "largest_lesion_mm": 40, "child_pugh_class": "B"},
         "indeterminate"),
        # Step 2, unsafe 3: the transplant exception stages a candidate by burden.
        ({"lesion_count": 2, "largest_lesion_mm": 25, "child_pugh_class": "C",
          "transplant_candidate": "yes", "within_milan": True}, "early"),
        ({"lesion_count": 1, "largest_lesion_mm": 18, "child_pugh_class": "B",
          "transplant_candidate": "under_evaluation", "within_milan": True}, "very_early"),
        ({"lesion_count": 5, "largest_lesion_mm": 25, "child_pugh_class": "B",
          "transplant_candidate": "yes", "within_local_extended_criteria": True},
         "intermediate"),
        # ... but not with cancer-related PS 1-2, invasion, or a burden not acceptable.
        ({"lesion_count": 2, "largest_lesion_mm": 25, "child_pugh_class": "C",
          "transplant_candidate": "yes", "within_milan": True, "ecog": 1,
          "ecog_cancer_related": "yes"}, "terminal"),
        ({"lesion_count": 2, "largest_lesion_mm": 25, "child_pugh_class": "B",
          "transplant_candidate": "yes", "within_milan": False}, "indeterminate"),
        ({"lesion_count": 1, "largest_lesion_mm": 25, "child_pugh_class": "C",
          "transplant_candidate": "no", "within_milan": True}, "terminal"),
        ({"lesion_count": 1, "largest_lesion_mm": 25, "child_pugh_class": "B",
          "transplant_candidate": "yes", "within_milan": True,
          "macrovascular_invasion": True}, "indeterminate"),
    ],
)  # fmt: skip
def test_bclc_stage_at_the_edges_of_the_rule(facts, expected):
    assert stage(**facts).value == expected


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        # Not known: extrahepatic spread could make a single 30 mm nodule A or C.
        ({"lesion_count": 1, "largest_lesion_mm": 30, "extrahepatic_spread": None},
         "could be BCLC A (early) or BCLC C (advanced)"),
        # ECOG 1 with its cause not known: A (not cancer-related) or C.
        ({"lesion_count": 1, "largest_lesion_mm": 30, "ecog": 1}, "could be"),
        # Child-Pugh not known: A, C or D (and not assigned) are all possible.
        ({"lesion_count": 1, "largest_lesion_mm": 30, "child_pugh_class": None}, "not known"),
        # Single nodule, size not known: 0 or A.
        ({"lesion_count": 1, "largest_lesion_mm": None},
         "could be BCLC 0 (very early) or BCLC A (early)"),
    ],
)  # fmt: skip
def test_bclc_stage_is_not_known_when_an_unknown_input_could_change_it(facts, words):
    score = stage(**facts)
    assert score.value is None and words in score.words


def test_an_input_not_known_that_cannot_change_the_stage_leaves_it_known():
    # ECOG 4 gives D whatever else is missing (§3.2).
    assert hcc_scores.bclc({**CONFIRMED, "ecog": 4}).value == "terminal"
    # Macrovascular invasion with preserved liver function is C without the nodules.
    assert hcc_scores.bclc({**CONFIRMED, "child_pugh_class": "A", "ecog": 0,
                            "macrovascular_invasion": True}).value == "advanced"  # fmt: skip
    # Child-Pugh C and not a transplant candidate: D.
    assert hcc_scores.bclc({**CONFIRMED, "child_pugh_class": "C", "ecog": 0,
                            "transplant_candidate": "no"}).value == "terminal"  # fmt: skip
    # The rows decide "more than 20 mm" though one has no diameter: A or B, not 0.
    score = stage(lesion_count=2, largest_lesion_mm=None, largest_lesion_mm_at_least=35)
    assert score.value == "intermediate"


def test_no_nodules_leave_the_burden_stage_undefined():
    assert stage(lesion_count=0, largest_lesion_mm=None).value is None
    assert stage(lesion_count=0, macrovascular_invasion=True).value == "advanced"


def test_the_stage_is_computed_only_for_a_confirmed_hcc():
    suspected = stage(hcc_diagnosis="suspected", lesion_count=1, largest_lesion_mm=15)
    assert suspected.value is None
    assert suspected.words == "provisional: BCLC 0 (very early) if HCC is confirmed"
    none = stage(hcc_diagnosis="none", lesion_count=1, largest_lesion_mm=15)
    assert none.value is None and not none.applies
    assert stage(hcc_diagnosis=None, lesion_count=1, largest_lesion_mm=15).value is None


def test_the_stage_line_says_how_it_was_reached():
    flagged = stage(lesion_count=1, largest_lesion_mm=18, child_pugh_class="B",
                    transplant_candidate="yes", within_milan=True)  # fmt: skip
    assert "staged as transplant candidate; liver function not preserved" in flagged.note
    osteoarthritis = stage(lesion_count=1, largest_lesion_mm=40, ecog=1, ecog_cancer_related="no")
    assert "ECOG 1 not cancer-related — board judgement" in osteoarthritis.note
    ascites = stage(lesion_count=1, largest_lesion_mm=40, ascites="mild")
    assert ascites.value == "early" and "may exclude ascites" in ascites.note
    assert stage(lesion_count=1, largest_lesion_mm=40, child_pugh_class="B").words == (
        "BCLC not assigned (liver function Child-Pugh B)"
    )
    assert "Figure 1 not checked" in flagged.source


def rows(*diameters):
    return {**CONFIRMED, "macrovascular_invasion": False, "extrahepatic_spread": False,
            NODULE_DIAMETERS: diameters}  # fmt: skip


@pytest.mark.parametrize(
    ("diameters", "milan", "unos"),
    [
        ((50,), True, False),  # single ≤ 50 mm
        ((51,), False, True),  # single 5.1-8 cm: UNOS-DS
        ((80,), False, True),
        ((81,), False, False),
        ((30, 30, 30), True, False),  # 2-3 each ≤ 30 mm
        ((31, 12), False, True),  # 2-3 each ≤ 50 mm, sum ≤ 80
        ((50, 30), False, True),  # sum 80
        ((50, 31), False, False),  # sum 81
        ((51, 12), False, False),  # one over 50 mm among 2-3
        ((30, 20, 15, 15), False, True),  # 4-5 each ≤ 30 mm, sum 80
        ((30, 30, 15, 10), False, False),  # sum 85
        ((31, 20, 15, 10), False, False),  # one over 30 mm among 4-5
        ((20, 20, 10, 10, 10, 10), False, False),  # six nodules
        # Rows under 10 mm are not counted: 9 mm leaves a single 45 mm nodule.
        ((45, 9, 9, 9), True, False),
        ((45, 10, 10, 10), False, False),  # four counted, one over 30 mm
        ((30, 10, 10, 10), False, True),  # four counted, each ≤ 30 mm, sum 60
        # No viable tumour ≥ 10 mm (complete necrosis after downstaging): within Milan.
        ((0,), True, False),
        ((), True, False),
    ],
)
def test_milan_and_unos_downstaging_on_counted_nodules(diameters, milan, unos):
    assert hcc_scores.milan(rows(*diameters)).value is milan
    assert hcc_scores.unos_downstaging(rows(*diameters)).value is unos


def test_invasion_and_spread_exclude_both_and_unknowns_stay_unknown():
    assert hcc_scores.milan({**rows(20), "macrovascular_invasion": True}).value is False
    assert hcc_scores.unos_downstaging({**rows(60), "extrahepatic_spread": True}).value is False
    assert hcc_scores.milan({**rows(20), "extrahepatic_spread": None}).value is None
    # A row without a diameter may count and be any size; a known excess stays known.
    assert hcc_scores.milan(rows(20, None)).value is None
    assert hcc_scores.milan(rows(20, 20, 20, 20, None)).value is False
    assert hcc_scores.unos_downstaging(rows(60, None)).value is None


def test_without_rows_the_typed_count_and_largest_are_used():
    typed = {**CONFIRMED, "macrovascular_invasion": False, "extrahepatic_spread": False}
    assert hcc_scores.milan({**typed, "lesion_count": 2, "largest_lesion_mm": 30}).value is True
    assert hcc_scores.milan({**typed, "lesion_count": 2, "largest_lesion_mm": None}).value is None
    # The sum of two typed nodules is not known: 40 + (1..40) may or may not exceed 80.
    two = {**typed, "lesion_count": 2, "largest_lesion_mm": 45}
    assert hcc_scores.unos_downstaging(two).value is None
    assert hcc_scores.unos_downstaging({**two, "largest_lesion_mm": 40}).value is True
    assert hcc_scores.unos_downstaging({**typed, "lesion_count": 1,
                                        "largest_lesion_mm": 70}).value is True  # fmt: skip


def meld_of(bilirubin_mg, creatinine_mg, inr, sodium=None, **more):
    values = {"serum_bilirubin_umol_l": bilirubin_mg * 17.1,
              "serum_creatinine_umol_l": creatinine_mg * 88.4, "inr": inr,
              "serum_sodium_mmol_l": sodium, **more}  # fmt: skip
    return hcc_scores.meld(values).value, hcc_scores.meld_na(values).value


@pytest.mark.parametrize(
    ("inputs", "meld", "meld_na"),
    [
        # The sheet's worked examples (§3.6), by hand:
        # 0.957 ln 1.3 + 0.378 ln 1.9 + 1.120 ln 1.2 + 0.643 = 1.341 → 1.3 → 13;
        # Na 130: 13 + 1.32 × 7 − 0.033 × 13 × 7 = 19.24 → 19.
        ((1.9, 1.3, 1.2, 130), 13, 19),
        # Dialysis: creatinine 4.0 → 0.957 ln 4 + 0.643 = 1.970 → 2.0 → 20; Na 120 bounded
        # to 125: 20 + 15.84 − 7.92 = 27.92 → 28.
        ((1.0, 1.0, 1.0, 120, {"dialysis_twice_past_week": True}), 20, 28),
        ((1.0, 1.0, 1.0, 120, {"cvvhd_24h_past_week": True}), 20, 28),
        # Bilirubin below 1 mg/dL set to 1.0; creatinine 130 µmol/L = 1.471 mg/dL:
        # 0.957 ln 1.471 + 0.643 = 1.012 → 10, not above 11: no sodium term.
        ((12 / 17.1, 130 / 88.4, 1.0, 128), 10, 10),
        # All inputs 1.0: 0.643 → 0.6 → 6, the lower bound.
        ((0.5, 0.5, 0.8, 140), 6, 6),
        # Between 11 and 11.5 unrounded (×10): INR 1.3 → 1.120 ln 1.3 + 0.643 = 0.937
        # (9); INR 1.45: 1.120 ln 1.45 + 0.643 = 1.0592 → 1.1 → 11, not above 11.
        ((1.0, 1.0, 1.45, 125), 11, 11),
        # INR 1.5: 1.120 ln 1.5 + 0.643 = 1.0971 → 1.1 → 11 (the unrounded 10.97 also
        # rounds to 11): no sodium term.
        ((1.0, 1.0, 1.5, 125), 11, 11),
        # INR 1.6: 1.120 ln 1.6 + 0.643 = 1.1694 → 1.2 → 12 > 11; Na 135:
        # 12 + 2.64 − 0.792 = 13.848 → 14.
        ((1.0, 1.0, 1.6, 135), 12, 14),
        # Creatinine above 4 mg/dL set to 4.0 (as dialysis): 20; sodium 137: no change.
        ((1.0, 6.0, 1.0, 137), 20, 20),
    ],
)
def test_meld_and_meld_na_against_hand_worked_values(inputs, meld, meld_na):
    *values, more = inputs if isinstance(inputs[-1], dict) else (*inputs, {})
    assert meld_of(*values, **more) == (meld, meld_na)


def test_meld_na_waits_for_sodium_only_above_11():
    assert meld_of(1.9, 1.3, 1.2) == (13, None)
    assert meld_of(1.0, 1.0, 1.0) == (6, 6)
    assert hcc_scores.meld({"inr": 1.0}).value is None


@given(
    bilirubin=st.floats(0.1, 60), creatinine=st.floats(0.1, 15), inr=st.floats(0.5, 10),
    sodium=st.floats(100, 170), dialysis=st.booleans(),
)  # fmt: skip
def test_meld_na_lies_between_meld_and_40(bilirubin, creatinine, inr, sodium, dialysis):
    meld, meld_na = meld_of(bilirubin, creatinine, inr, sodium,
                            dialysis_twice_past_week=dialysis)  # fmt: skip
    # Sodium is bounded to 125-137, so its term is never negative while MELD ≤ 40.
    assert meld >= 6 and meld_na <= 40 and min(meld, 40) <= meld_na
    unrounded = (
        0.957 * math.log(4.0 if dialysis else min(max(creatinine, 1), 4))
        + 0.378 * math.log(max(bilirubin, 1))
        + 1.120 * math.log(max(inr, 1))
        + 0.643
    )
    assert abs(meld - unrounded * 10) <= 1  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"hvpg_mmhg": 10}, True),
        ({"hvpg_mmhg": 9.5, "platelets_10e9_l": 50}, False),  # HVPG decides when entered
        ({"platelets_10e9_l": 99}, True),
        ({"varices": "present_treated"}, True),
        ({"platelets_10e9_l": 100, "varices": "none", "splenomegaly": False}, False),
        ({"platelets_10e9_l": 100, "varices": "not_assessed", "splenomegaly": False}, None),
    ],
)
def test_clinically_significant_portal_hypertension(facts, expected):
    assert hcc_scores.portal_hypertension(facts).value is expected


def test_simple_derived_facts_are_three_valued():
    assert hcc_scores.hcc_confirmed({"hcc_diagnosis": "suspected"}) is None
    assert hcc_scores.hcc_confirmed({"hcc_diagnosis": "none"}) is False
    assert hcc_scores.chronic_hbv({"liver_disease_etiology": ["hcv", "hbv"]}) is True
    assert hcc_scores.chronic_hbv({"liver_disease_etiology": ["unknown"]}) is None
    assert hcc_scores.hcc_at_risk({"cirrhosis": True}) is True
    assert hcc_scores.hcc_at_risk({"cirrhosis": False, "chronic_hbv": False}) is False
    assert hcc_scores.prior_atezo_bev({"systemic_therapy_line": "previously_treated"}) is None
    assert hcc_scores.prior_atezo_bev({"systemic_therapy_line": "none_yet"}) is False
    assert hcc_scores.prior_sorafenib_or_lenvatinib(
        {"prior_systemic_regimens": ["lenvatinib"]}) is True  # fmt: skip
    assert hcc_scores.advanced_hcc({"bclc_stage": "advanced"}) is True
    assert hcc_scores.advanced_hcc({"bclc_stage": "intermediate"}) is None
    assert hcc_scores.advanced_hcc({"bclc_stage": "intermediate",
                                    "locoregional_candidate": False}) is True  # fmt: skip
    assert hcc_scores.advanced_hcc({"bclc_stage": "indeterminate"}) is None
    assert hcc_scores.advanced_hcc({"bclc_stage": "terminal"}) is False


OPEN = {
    "child_pugh_class": st.sampled_from(["A", "B", "C"]),
    "ecog": st.integers(0, 4),
    "ecog_cancer_related": st.sampled_from(["yes", "no"]),
    "macrovascular_invasion": st.booleans(),
    "extrahepatic_spread": st.booleans(),
    "transplant_candidate": st.sampled_from(["yes", "no", "under_evaluation"]),
    "within_milan": st.booleans(),
    "within_local_extended_criteria": st.booleans(),
    "lesion_count": st.integers(1, 6),
    "largest_lesion_mm": st.integers(5, 120),
}


@given(st.data())
def test_a_stage_given_with_inputs_not_known_holds_for_every_value_they_could_take(data):
    """Three-valued BCLC (§3.2): whatever the unknown inputs turn out to be, the rule on the
    completed case gives the stage already given (and a stage not known is one that some
    completion would change)."""
    full = {name: data.draw(strategy, label=name) for name, strategy in OPEN.items()}
    hidden = data.draw(st.sets(st.sampled_from(sorted(OPEN))), label="not known")
    partial = {**CONFIRMED, **{k: (None if k in hidden else v) for k, v in full.items()}}
    given_stage = hcc_scores.bclc(partial).value
    complete = hcc_scores.bclc({**CONFIRMED, **full}).value
    assert complete is not None  # every input known: always a stage (or "indeterminate")
    if given_stage is not None:
        assert given_stage == complete
    elif not hidden:
        raise AssertionError("not known with every input known")
