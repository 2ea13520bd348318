"""The liver scores at their boundaries, against values worked out by hand from the
formulas the fact sheet cites (shared/content/liver-domain-facts.md)."""

from __future__ import annotations

import datetime

import pytest

from cases.overview import case_scores
from guidelines import matching, scores
from guidelines.derived import with_derived
from guidelines.facts import NUMBER, FactSpec, in_catalogue_unit
from guidelines.scores import Lesion
from tests.helpers import liver_content


@pytest.fixture
def catalogue(db):
    return liver_content().catalogue


NORMAL = {"serum_bilirubin_umol_l": 20, "albumin_g_l": 40, "inr": 1.0, "ascites": "none",
          "encephalopathy": "none"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "points", "grade"),
    [
        # Pugh's 2 and 3 mg/dL are 34.2 and 51.3 µmol/L (× 17.1), not the rounded 34 and 50
        ({"serum_bilirubin_umol_l": 34}, 5, "A"),
        ({"serum_bilirubin_umol_l": 34.19}, 5, "A"),
        ({"serum_bilirubin_umol_l": 34.2}, 6, "A"),
        ({"serum_bilirubin_umol_l": 50.1}, 6, "A"),
        ({"serum_bilirubin_umol_l": 51.3}, 6, "A"),
        ({"serum_bilirubin_umol_l": 51.31}, 7, "B"),
        ({"albumin_g_l": 35.1}, 5, "A"),
        ({"albumin_g_l": 35}, 6, "A"),
        ({"albumin_g_l": 28}, 6, "A"),
        ({"albumin_g_l": 27.9}, 7, "B"),
        ({"inr": 1.69}, 5, "A"),
        ({"inr": 1.7}, 6, "A"),
        ({"inr": 2.3}, 6, "A"),
        ({"inr": 2.31}, 7, "B"),
        ({"ascites": "mild", "encephalopathy": "grade_1_2", "inr": 2.0}, 8, "B"),
        ({"ascites": "moderate_severe", "encephalopathy": "grade_1_2", "inr": 2.0}, 9, "B"),
        ({"ascites": "moderate_severe", "encephalopathy": "grade_3_4", "inr": 2.0}, 10, "C"),
        (
            {
                "serum_bilirubin_umol_l": 60,
                "albumin_g_l": 20,
                "inr": 3,
                "ascites": "moderate_severe",
                "encephalopathy": "grade_3_4",
            },
            15,
            "C",
        ),  # fmt: skip
    ],
)
def test_child_pugh(change, points, grade):
    score = scores.child_pugh({**NORMAL, **change})
    assert (score.value, score.words) == (points, f"{points}, class {grade}")


@pytest.mark.parametrize(
    ("mg_dl", "points"),
    [(1.99, 1), (2.0, 2), (2.99, 2), (3.0, 2), (3.01, 3)],
)
def test_bilirubin_typed_in_mg_dl_gets_the_points_of_pughs_paper(mg_dl, points):
    # The form stores 1.99 mg/dL as 34.03 µmol/L and 3.0 mg/dL as 51.3 µmol/L.
    spec = FactSpec(
        "serum_bilirubin_umol_l", "Serum bilirubin", NUMBER, unit="µmol/L",
        alternative_units=(("mg/dL", 17.1),),  # the fact sheet: 1 mg/dL = 17.1 µmol/L
    )  # fmt: skip
    umol = in_catalogue_unit(spec, mg_dl, "mg/dL")
    score = scores.child_pugh({**NORMAL, "serum_bilirubin_umol_l": umol})
    assert score.value == 4 + points
    assert f"bilirubin {scores._fmt(umol)} µmol/L ({points})" in score.inputs
    assert "34.2 and 51.3 µmol/L" in score.note


def test_child_pugh_with_inputs_not_known_gives_its_range_never_a_guess():
    score = scores.child_pugh({"serum_bilirubin_umol_l": 60, "albumin_g_l": 40, "inr": 1.0})
    assert score.value is None and (score.low, score.high) == (7, 11)
    assert score.words == "7–11, class B–C (not known: ascites, encephalopathy)"


@pytest.mark.parametrize(
    ("albi", "grade"), [(-2.61, 1), (-2.60, 1), (-2.59, 2), (-1.39, 2), (-1.38, 3)]
)
def test_albi_grades_at_their_cut_offs(albi, grade):
    assert scores.albi_grade(albi) == grade


@pytest.mark.parametrize(
    ("bilirubin", "albumin", "value", "shown", "grade"),
    [
        (10, 40, -2.74, "-2.74", 1),  # 1 × 0.66 − 3.4
        (17.1, 35, -2.161223, "-2.16", 2),  # 1.23300 × 0.66 − 2.975 = −2.16122
        (100, 30, -1.23, "-1.23", 3),  # 2 × 0.66 − 2.55
        # log10 16.30 = 1.212188; × 0.66 = 0.800044; − 3.4 = −2.599956: grade 2, and
        # "−2.60" would read as grade 1, so as many decimals as it takes
        (16.30, 40, -2.599956, "-2.59996", 2),
        # log10 16.29 = 1.211921; × 0.66 − 3.4 = −2.600132: grade 1, "−2.60" agrees
        (16.29, 40, -2.600132, "-2.60", 1),
        # log10 57.22 = 1.757548; × 0.66 − 2.55 = −1.390018: grade 2
        (57.22, 30, -1.390018, "-1.39", 2),
        # log10 57.23 = 1.757624; × 0.66 − 2.55 = −1.389968: grade 3, not "−1.39"
        (57.23, 30, -1.389968, "-1.38997", 3),
    ],
)
def test_albi_by_hand_graded_unrounded_and_shown_on_the_right_side(
    bilirubin, albumin, value, shown, grade
):
    score = scores.albi({"serum_bilirubin_umol_l": bilirubin, "albumin_g_l": albumin})
    assert score.value == pytest.approx(value, abs=1e-6)
    assert score.words == f"{shown}, grade {grade}"


def test_the_albi_fact_is_unrounded_for_conditions(catalogue):
    values = with_derived({"serum_bilirubin_umol_l": 16.30, "albumin_g_l": 40}, catalogue)
    assert values["albi_score"] > -2.60 and values["albi_grade"] == 2


def test_albi_not_known_without_albumin():
    score = scores.albi({"serum_bilirubin_umol_l": 20})
    assert score.value is None and score.words == "not known (albumin)"


# BSA = √(180 × 80 / 3600) = 2.0 m²; TLV = −794.41 + 1267.28 × 2 = 1740.15 mL.
FLR_180_80 = {"height_cm": 180, "weight_kg": 80, "cirrhosis": False,
              "neoadjuvant_therapy_given": True}  # fmt: skip


@pytest.mark.parametrize(
    ("flr_ml", "value", "words"),
    [
        # 100 × 522 / 1740.15 = 29.9974: "30.0" would seem to meet the minimum
        (522, 29.9974, "29.997 %: below the minimum of 30 % after chemotherapy"),
        # 100 × 521.35 / 1740.15 = 29.9601
        (521.35, 29.9601, "29.96 %: below the minimum of 30 % after chemotherapy"),
        # 100 × 515 / 1740.15 = 29.5951
        (515, 29.5951, "29.6 %: below the minimum of 30 % after chemotherapy"),
        # 100 × 523 / 1740.15 = 30.0549
        (523, 30.0549, "30.1 %: at or above the minimum of 30 % after chemotherapy"),
    ],
)
def test_standardised_flr_by_hand_against_its_minimum_unrounded(flr_ml, value, words):
    score = scores.standardised_flr({**FLR_180_80, "flr_volume_ml": flr_ml})
    assert score.value == pytest.approx(value, abs=1e-4) and score.words == words
    assert "BSA 2.00 m²" in score.inputs[1] and score.inputs[2] == "TLV 1740 mL"
    assert "“neoadjuvant therapy given” stands for it" in score.note


def test_conditions_see_the_unrounded_standardised_flr(catalogue):
    values = with_derived({**FLR_180_80, "flr_volume_ml": 522}, catalogue)
    assert 29.99 < values["future_liver_remnant_pct"] < 30
    below = matching.Rule(id="t", statement="", condition="future_liver_remnant_pct < 30")
    found = matching.match(values, [below], catalogue)
    assert [m.rule.id for m in found.applies] == ["t"]
    why = matching.explain(found.applies[0].comparisons[0], catalogue)
    assert why.endswith("held (case: 29.997 % of total functional liver volume)")


@pytest.mark.parametrize(
    ("cirrhosis", "chemotherapy", "words"),
    [
        # (shown as 29.997 whatever the minimum: the same value reads alike everywhere)
        (True, None, "29.997 %: below the minimum of 40 % with cirrhosis"),
        (False, True, "29.997 %: below the minimum of 30 % after chemotherapy"),
        (False, False, "29.997 %: at or above the minimum of 20 % with a normal liver"),
        (False, None, "29.997 %: at or above the minimum of 20 % with a normal liver; below the "
                      "minimum of 30 % after chemotherapy (chemotherapy not recorded)"),
        (None, None, "29.997 %: at or above the minimum of 20 % with a normal liver; below the "
                     "minimum of 30 % after chemotherapy; below the minimum of 40 % with "
                     "cirrhosis (cirrhosis not recorded)"),
    ],
)  # fmt: skip
def test_the_flr_minimum_fits_the_case(cirrhosis, chemotherapy, words):
    values = {"height_cm": 180, "weight_kg": 80, "flr_volume_ml": 522, "cirrhosis": cirrhosis,
              "neoadjuvant_therapy_given": chemotherapy}  # fmt: skip
    assert scores.standardised_flr(values).words == words


FONG_ALL = {"primary_site": "colorectal", "primary_node_positive": True,
            "disease_free_interval_months": 10, "lesion_count": 2, "cea_ng_ml": 240,
            "largest_lesion_mm": 40}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "points", "risk"),
    [
        ({}, 4, "high risk"),
        ({"cea_ng_ml": 200}, 3, "high risk"),
        ({"cea_ng_ml": 200.1}, 4, "high risk"),
        ({"largest_lesion_mm": 50}, 4, "high risk"),
        ({"largest_lesion_mm": 51}, 5, "high risk"),
        ({"disease_free_interval_months": 12}, 3, "high risk"),
        ({"disease_free_interval_months": 11}, 4, "high risk"),
        (
            {"primary_node_positive": False, "cea_ng_ml": 10, "disease_free_interval_months": 30},
            1,
            "low risk",
        ),  # fmt: skip
        ({"primary_node_positive": False, "cea_ng_ml": 10}, 2, "low risk"),
        ({"lesion_count": 1}, 3, "high risk"),
    ],
)
def test_fong(change, points, risk):
    score = scores.fong({**FONG_ALL, **change})
    assert (score.value, score.words) == (points, f"{points} of 5, {risk}")


def test_fong_shows_its_range_while_inputs_are_not_known():
    values = {"primary_site": "colorectal", "disease_free_interval_months": 24,
              "lesion_count": 1, "largest_lesion_mm": 60}  # fmt: skip
    score = scores.fong(values)
    assert score.value is None and (score.low, score.high) == (1, 3)
    assert score.words == "1–3 of 5 (not known: primary N status, CEA)"


def test_fong_is_only_for_a_colorectal_primary():
    score = scores.fong({**FONG_ALL, "primary_site": "breast"})
    assert not score.applies and score.value is None


def test_fong_with_the_primary_site_not_known_is_not_known_not_not_applicable():
    # The scores read a primary site "unknown" (a value that means not known) as empty.
    score = scores.fong({name: v for name, v in FONG_ALL.items() if name != "primary_site"})
    assert score.applies and score.value is None and "primary site" in score.missing
    assert score.words == (
        "not known: only for a colorectal primary, and the primary site is not known "
        "(4 of 5 if colorectal)"
    )


def test_the_scores_block_reads_a_primary_site_unknown_as_not_known(catalogue):
    values = {**FONG_ALL, "primary_site": "unknown"}
    fong = next(s for s in case_scores(values, catalogue) if s.name == "Fong")
    assert fong.words.startswith("not known: only for a colorectal primary")


def test_fongs_size_point_is_known_from_a_row_over_50_mm_beside_a_row_without_diameter():
    values = {**FONG_ALL, "largest_lesion_mm": None, scores.LARGEST_AT_LEAST: 60}
    assert scores.fong(values).words == "5 of 5, high risk"
    values[scores.LARGEST_AT_LEAST] = 50  # a row without diameter may or may not exceed 5 cm
    assert scores.fong(values).words == "4–5 of 5 (not known: largest lesion)"


@pytest.mark.parametrize(
    ("tbs", "zone"), [(2.99, "low"), (3, "medium"), (8.99, "medium"), (9, "high")]
)
def test_tumour_burden_zones(tbs, zone):
    assert scores.tbs_zone(tbs) == zone


def test_tumour_burden_by_hand():
    # √(3² + 4²) = 5
    score = scores.tumour_burden({"largest_lesion_mm": 30, "lesion_count": 4})
    assert score.value == 5.0 and score.words == "5.00, medium zone"


def test_tumour_burden_with_a_row_without_diameter_is_at_least_what_the_others_give():
    # √(6² + 2²) = 6.32, up to √(30² + 2²) = 30.07: medium or high
    score = scores.tumour_burden({"lesion_count": 2, scores.LARGEST_AT_LEAST: 60})
    assert score.value is None and score.words == "at least 6.32 (not known: largest lesion)"
    # √(9.5² + 3²) = 9.96: high whatever the missing diameter
    score = scores.tumour_burden({"lesion_count": 3, scores.LARGEST_AT_LEAST: 95})
    assert score.words == "at least 9.96, high zone (not known: largest lesion)"


@pytest.mark.parametrize(
    ("primary", "liver", "months"),
    [
        ("2020-01-15", "2021-01-14", 11),
        ("2020-01-15", "2021-01-15", 12),
        ("2020-01-15", "2020-01-15", 0),
        ("2020-03-10", "2020-01-20", -1),
    ],
)
def test_disease_free_interval_in_whole_months(primary, liver, months):
    values = {"primary_diagnosis_date": primary, "liver_metastases_diagnosis_date": liver}
    assert scores.disease_free_interval(values) == months


@pytest.mark.parametrize(
    ("primary", "liver", "synchronous"),
    [
        ("2020-01-31", "2020-07-31", True),  # six months to the day
        ("2020-01-31", "2020-08-01", False),
        ("2020-08-31", "2021-02-28", True),  # February has no 31st
        ("2020-08-31", "2021-03-01", False),
        ("2020-05-01", "2020-04-01", True),  # found before the primary
    ],
)
def test_synchronous_with_a_six_month_cut_off(primary, liver, synchronous):
    values = {"primary_diagnosis_date": primary, "liver_metastases_diagnosis_date": liver}
    assert scores.synchronous(values, 6) is synchronous


@pytest.mark.parametrize(
    ("lesions", "expected"),
    [
        ([], {}),
        (
            [Lesion(("II",), 20, False), Lesion(("VI", "VII"), 35, True)],
            {"lesion_count": 2, "largest_lesion_mm": 35, "bilobar": True,
             "lesions_disappeared_after_neoadjuvant": True},
        ),
        (
            [Lesion(("I",), 10, False), Lesion(("III",), 12, False)],
            {"lesion_count": 2, "largest_lesion_mm": 12, "bilobar": False,
             "lesions_disappeared_after_neoadjuvant": False},
        ),
        # Rows that cannot decide a fact make it not known (None), never absent: the value
        # typed before the table must not survive beside them.
        (
            [Lesion(("IV",), None, None), Lesion(("V",), 40, False)],
            {"lesion_count": 2, "largest_lesion_mm": None, "bilobar": True,
             "lesions_disappeared_after_neoadjuvant": None, scores.LARGEST_AT_LEAST: 40},
        ),
        (
            [Lesion(("IV",), None, True), Lesion(("V",), None, None)],
            {"lesion_count": 2, "largest_lesion_mm": None, "bilobar": True,
             "lesions_disappeared_after_neoadjuvant": True},
        ),
    ],
)  # fmt: skip
def test_lesion_facts(lesions, expected):
    beside = (scores.NODULE_DIAMETERS, "ablation_target_near_vessel_or_duct")  # (HCC's)
    found = scores.lesion_facts(lesions)
    assert {name: value for name, value in found.items() if name not in beside} == expected


def test_the_hcc_facts_of_the_rows_use_the_viable_diameter_and_bile_duct_contact():
    rows = [Lesion(("II",), 60, None, 1, "none", 0, False),
            Lesion(("VI",), 25, None, 2, "none", None, None)]  # fmt: skip
    found = scores.lesion_facts(rows)
    assert found[scores.NODULE_DIAMETERS] == (0, 25)  # viable where entered
    assert found["ablation_target_near_vessel_or_duct"] is None  # row 2: duct not known
    rows[1] = Lesion(("VI",), 25, None, 2, "portal_pedicle", None, None)
    assert scores.lesion_facts(rows)["ablation_target_near_vessel_or_duct"] is True
    rows[1] = Lesion(("VI",), 25, None, 2, "none", None, False)
    assert scores.lesion_facts(rows)["ablation_target_near_vessel_or_duct"] is False
    assert scores.lesion_facts([Lesion(("VI",), 25, None, 1)])[
        "ablation_target_near_vessel_or_duct"] is None  # vessels not recorded  # fmt: skip


def test_what_the_rows_say_of_a_fact_they_cannot_decide():
    rows = [Lesion(("II",), 60, False, 1), Lesion(("VI",), None, None, 2)]
    assert scores.lesion_facts_in_words(rows) == {
        "largest_lesion_mm": "at least 60 mm; lesion 2 has no diameter",
        "lesions_disappeared_after_neoadjuvant": (
            "not known; none marked no longer visible, lesion 2 not known"
        ),
    }
    rows = [Lesion(("II",), None, True, 1), Lesion(("VI",), None, False, 2)]
    assert scores.lesion_facts_in_words(rows) == {
        "largest_lesion_mm": "not known; lesions 1, 2 have no diameter"
    }


def test_segments_involved_in_couinaud_order():
    lesions = [Lesion(("VIII", "IV"), 10, None), Lesion(("II",), 10, None)]
    assert scores.segments_involved(lesions) == ["II", "IVa", "IVb", "VIII"]


def test_add_months_keeps_the_day_or_takes_the_last():
    assert scores.add_months(datetime.date(2020, 8, 31), 6) == datetime.date(2021, 2, 28)
    assert scores.add_months(datetime.date(2020, 11, 15), 3) == datetime.date(2021, 2, 15)
