"""Hand-made cases against the shipped liver-metastasis content.

The expected sets were worked out by hand from the pack's conditions, not by
running the engine.
"""

from __future__ import annotations

import pytest

from guidelines import matching

pytestmark = pytest.mark.django_db

PERIOPERATIVE = {
    "pc-counseling", "pc-fasting-carbohydrate-loading", "pc-no-oral-bowel-prep",
    "pc-antibiotic-single-dose", "pc-no-postop-prophylactic-antibiotics",
    "pc-skin-prep-chlorhexidine", "pc-avoid-long-acting-anxiolytics",
    "io-analgesia-no-epidural-preference", "io-normothermia", "io-gdft-low-cvp",
    "po-thromboprophylaxis", "po-early-mobilization", "po-early-oral-intake", "po-laxatives",
    "po-no-prophylactic-ngt", "po-no-routine-drain", "si-minimally-invasive",
}  # fmt: skip

CASES = [
    pytest.param(
        {
            "primary_site": "gist",
            "liver_resection_done": True,
            "planned_procedure": "systemic_only",
            "history_extrahepatic_cancer": False,
            "pregnant": False,
            "liver_metastases": "confirmed",
        },
        {"mm-adjuvant-imatinib-gist"},
        {
            "dx-ceus-first-in-renal-insufficiency": ("renal_insufficiency",),
            "dx-ceus-when-ct-mri-inconclusive": ("ct_mri_inconclusive",),
            "dx-mri-disappearing-metastases": (
                "neoadjuvant_therapy_given",
                "lesions_disappeared_after_neoadjuvant",
            ),
        },
        id="resected GIST metastasis",
    ),
    pytest.param(
        {
            "primary_site": "colorectal",
            "tumor_sidedness": "left",
            "liver_metastases": "confirmed",
            "resectability": "resectable",
            "planned_procedure": "hepatectomy",
            "ras_status": "not_tested",
            "braf_v600e_status": "not_tested",
            "mmr_msi_status": "not_tested",
            "smoker_current": True,
            "alcohol_g_per_day": 40,
            "sex": "male",
            "nutrition_status": "adequate",
            "systemic_therapy_line": "none_yet",
            "history_extrahepatic_cancer": True,
            "ct_mri_inconclusive": False,
            "renal_insufficiency": False,
            "fll_detected_on_ultrasound": False,
            "neoadjuvant_therapy_given": False,
            "liver_resection_done": False,
            "pregnant": False,
            "serum_bilirubin_umol_l": 12,
        },
        PERIOPERATIVE
        | {
            "dx-ceus-detection-multimodality",
            "dx-mri-before-resection",
            "mt-braf-resectable-perioperative",
            "mt-braf-with-ras-esmo2016",
            "mt-ctdna-resected",
            "mt-mmr-lynch-screen",
            "mt-mmr-methods",
            "mt-mmr-resectable-risk",
            "mt-msi-esmo2016",
            "mt-ras-all-mcrc-esmo2016",
            "mt-ras-resectable-perioperative",
            "tp-ablation-not-over-resection-crlm",
            "pc-alcohol-cessation",
            "pc-smoking-cessation",
            "pc-prehabilitation-high-risk",
            "si-parenchymal-sparing-crlm",
        },
        {},
        id="resectable colorectal, smoker and heavy drinker, fully described",
    ),
    pytest.param(
        {
            "pregnant": True,
            "history_extrahepatic_cancer": True,
            "cancer_type_metastasizes_to_liver": True,
            "liver_metastases": "suspected",
            "ct_mri_inconclusive": True,
            "primary_site": "breast",
            "planned_procedure": "undecided",
        },
        {
            "dx-ceus-detection-multimodality",
            "dx-ceus-when-ct-mri-inconclusive",
            "sc-pregnancy-us-surveillance",
        },
        {
            "dx-ceus-characterise-lesion-oncology": ("fll_detected_on_ultrasound", "cirrhosis"),
            "dx-ceus-first-in-renal-insufficiency": ("renal_insufficiency",),
            "dx-mri-disappearing-metastases": (
                "neoadjuvant_therapy_given",
                "lesions_disappeared_after_neoadjuvant",
            ),
        },
        id="pregnant with a history of breast cancer",
    ),
    pytest.param(
        {
            "primary_site": "colorectal",
            "tumor_sidedness": "right",
            "liver_metastases": "confirmed",
            "resectability": "unresectable",
            "systemic_therapy_line": "none_yet",
            "ras_status": "wild_type",
            "braf_v600e_status": "wild_type",
            "mmr_msi_status": "pMMR_MSS",
            "planned_procedure": "systemic_only",
        },
        {"mt-cgp-unresectable", "mm-asco-antivegf-right", "mm-asco-first-line-chemo"},
        {
            "dx-ceus-characterise-lesion-oncology": (
                "fll_detected_on_ultrasound",
                "cirrhosis",
                "history_extrahepatic_cancer",
            ),
            "dx-ceus-detection-multimodality": ("history_extrahepatic_cancer",),
            "dx-ceus-first-in-renal-insufficiency": ("renal_insufficiency",),
            "dx-ceus-when-ct-mri-inconclusive": ("ct_mri_inconclusive",),
            "dx-mri-disappearing-metastases": (
                "neoadjuvant_therapy_given",
                "lesions_disappeared_after_neoadjuvant",
            ),
            "mt-ctdna-resected": ("liver_resection_done",),
            "mm-adjuvant-crc-gastric": ("liver_resection_done",),
            "sc-pregnancy-metastases-mdt": ("pregnant",),
            "sc-pregnancy-us-surveillance": (
                "pregnant",
                "history_extrahepatic_cancer",
                "cancer_type_metastasizes_to_liver",
            ),
        },
        id="unresectable right-sided RAS wild-type colorectal",
    ),
    pytest.param(
        {
            "planned_procedure": "hepatectomy",
            "alcohol_g_per_day": 30,
            "smoker_current": False,
            "elderly": False,
            "nutrition_status": "adequate",
            "overweight": False,
            "psychological_disorder": False,
            "serum_bilirubin_umol_l": 51,
            "primary_site": "other",
            "liver_metastases": "none",
            "history_extrahepatic_cancer": False,
            "pregnant": False,
            "ct_mri_inconclusive": False,
            "neoadjuvant_therapy_given": False,
            "renal_insufficiency": False,
            "liver_resection_done": False,
        },
        PERIOPERATIVE | {"pc-biliary-drainage-cholestasis"},
        {"pc-alcohol-cessation": ("sex",)},  # 30 g/day is heavy for women only
        id="hepatectomy, sex unknown, 30 g alcohol a day, bilirubin just above 50",
    ),
]


@pytest.mark.parametrize(("facts", "applies", "may_apply"), CASES)
def test_hand_made_cases_match_exactly(facts, applies, may_apply):
    result = matching.match(facts, matching.rules_from_db())
    assert {m.rule.id for m in result.applies} == applies
    assert {m.rule.id: m.missing for m in result.may_apply} == may_apply
    assert len(result) == 54


def test_an_empty_case_may_match_everything_and_applies_to_nothing():
    result = matching.match({}, matching.rules_from_db())
    assert result.applies == []
    assert len(result.may_apply) == 54


def test_unpublished_drafts_never_match():
    ids = {rule.id for rule in matching.rules_from_db()}
    assert "pc-corticosteroids-placeholder" not in ids
    assert len(ids) == 54


def test_rules_carry_the_unverified_marker_and_source():
    rules = {rule.id: rule for rule in matching.rules_from_db()}
    assert rules["pc-alcohol-cessation"].unverified_marker
    assert not rules["pc-smoking-cessation"].unverified_marker
    assert rules["mm-adjuvant-imatinib-gist"].source == "JSHBPS 2021"
    assert (
        rules["mt-ras-all-mcrc-esmo2016"].strength == "I, A (for testing before anti-EGFR therapy)"
    )


def test_building_rules_takes_one_query_whatever_their_number(django_assert_num_queries):
    with django_assert_num_queries(1):
        matching.build_rules()
