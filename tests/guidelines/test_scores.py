"""The liver scores at their boundaries, against values worked out by hand from the
formulas the fact sheet cites (shared/content/liver-domain-facts.md)."""

from __future__ import annotations

import datetime

import pytest

from guidelines import scores
from guidelines.scores import Lesion

NORMAL = {"serum_bilirubin_umol_l": 20, "albumin_g_l": 40, "inr": 1.0, "ascites": "none",
          "encephalopathy": "none"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "points", "grade"),
    [
        ({"serum_bilirubin_umol_l": 33.9}, 5, "A"),
        ({"serum_bilirubin_umol_l": 34}, 6, "A"),
        ({"serum_bilirubin_umol_l": 50}, 6, "A"),
        ({"serum_bilirubin_umol_l": 50.1}, 7, "B"),
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
    ("bilirubin", "albumin", "value", "grade"),
    [
        (10, 40, -2.74, 1),  # 1 × 0.66 − 3.4
        (17.1, 35, -2.16, 2),  # 1.2330 × 0.66 − 2.975 = −2.1612
        (100, 30, -1.23, 3),  # 2 × 0.66 − 2.55
    ],
)
def test_albi_by_hand(bilirubin, albumin, value, grade):
    score = scores.albi({"serum_bilirubin_umol_l": bilirubin, "albumin_g_l": albumin})
    assert score.value == value and score.words == f"{value:.2f}, grade {grade}"


def test_albi_not_known_without_albumin():
    score = scores.albi({"serum_bilirubin_umol_l": 20})
    assert score.value is None and score.words == "not known (albumin)"


def test_standardised_flr_by_hand():
    # BSA = √(180 × 80 / 3600) = 2.0 m²; TLV = −794.41 + 1267.28 × 2 = 1740.15 mL;
    # 100 × 522 / 1740.15 = 29.997 %.
    values = {"height_cm": 180, "weight_kg": 80, "flr_volume_ml": 522, "cirrhosis": False,
              "neoadjuvant_therapy_given": True}  # fmt: skip
    score = scores.standardised_flr(values)
    assert score.value == 30.0 and score.words == "30.0 %"
    assert "BSA 2.00 m²" in score.inputs[1] and score.inputs[2] == "TLV 1740 mL"
    assert score.inputs[3] == "minimum ≥ 30 % (after chemotherapy)"


@pytest.mark.parametrize(
    ("cirrhosis", "chemotherapy", "threshold"),
    [
        (True, None, "minimum ≥ 40 % (cirrhosis)"),
        (False, True, "minimum ≥ 30 % (after chemotherapy)"),
        (False, False, "minimum ≥ 20 % (normal liver)"),
    ],
)
def test_the_flr_threshold_fits_the_case(cirrhosis, chemotherapy, threshold):
    values = {"cirrhosis": cirrhosis, "neoadjuvant_therapy_given": chemotherapy}
    assert scores.flr_threshold(values) == threshold


def test_the_flr_threshold_is_not_chosen_when_cirrhosis_is_not_recorded():
    assert "cirrhosis not recorded" in scores.flr_threshold({})


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


@pytest.mark.parametrize(
    ("tbs", "zone"), [(2.99, "low"), (3, "medium"), (8.99, "medium"), (9, "high")]
)
def test_tumour_burden_zones(tbs, zone):
    assert scores.tbs_zone(tbs) == zone


def test_tumour_burden_by_hand():
    # √(3² + 4²) = 5
    score = scores.tumour_burden({"largest_lesion_mm": 30, "lesion_count": 4})
    assert score.value == 5.0 and score.words == "5.00, medium zone"


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
        (
            [Lesion(("IV",), None, None), Lesion(("V",), 40, False)],
            {"lesion_count": 2, "bilobar": True},
        ),
    ],
)  # fmt: skip
def test_lesion_facts(lesions, expected):
    assert scores.lesion_facts(lesions) == expected


def test_segments_involved_in_couinaud_order():
    lesions = [Lesion(("VIII", "IV"), 10, None), Lesion(("II",), 10, None)]
    assert scores.segments_involved(lesions) == ["II", "IVa", "IVb", "VIII"]


def test_add_months_keeps_the_day_or_takes_the_last():
    assert scores.add_months(datetime.date(2020, 8, 31), 6) == datetime.date(2021, 2, 28)
    assert scores.add_months(datetime.date(2020, 11, 15), 3) == datetime.date(2021, 2, 15)
