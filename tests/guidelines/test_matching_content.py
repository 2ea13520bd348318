"""Hand-made cases against the shipped liver-metastasis content.

The expected sets were worked out by hand from the pack's conditions, not by
running the engine.
"""

from __future__ import annotations

import pytest

from guidelines import matching, snapshot
from guidelines.models import Recommendation
from tests.helpers import liver_content

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
            "pregnant": False,
            "liver_metastases": "confirmed",
        },
        # revision 2: a primary site entered means a history of extrahepatic cancer
        {"mm-adjuvant-imatinib-gist", "dx-ceus-detection-multimodality"},
        {
            "dx-ceus-characterise-lesion-oncology": ("fll_detected_on_ultrasound", "cirrhosis"),
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
        (PERIOPERATIVE - {"pc-no-oral-bowel-prep"})
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
        # revision 2: no bowel preparation only when the primary is not resected with the liver
        {"pc-no-oral-bowel-prep": ("combined_primary_resection",)},
        id="resectable colorectal, smoker and heavy drinker, fully described",
    ),
    pytest.param(
        {
            "sex": "female",
            "pregnant": True,
            "cancer_type_metastasizes_to_liver": True,
            "liver_metastases": "suspected",
            "ct_mri_inconclusive": True,
            "primary_site": "breast",
            "planned_procedure": "undecided",
        },
        # revision 2: no contrast ultrasound in pregnancy (all four CEUS items fail)
        {"sc-pregnancy-us-surveillance"},
        {
            # "undecided" is matched as not known: every hepatectomy item may apply
            "dx-mri-before-resection": ("planned_procedure",),
            "dx-mri-disappearing-metastases": (
                "neoadjuvant_therapy_given",
                "lesions_disappeared_after_neoadjuvant",
            ),
            **dict.fromkeys(PERIOPERATIVE, ("planned_procedure",)),
            "pc-no-oral-bowel-prep": ("planned_procedure", "combined_primary_resection"),
            "pc-alcohol-cessation": ("planned_procedure", "alcohol_g_per_day"),
            "pc-smoking-cessation": ("planned_procedure", "smoker_current"),
            "pc-prehabilitation-high-risk": (
                "planned_procedure",
                "elderly",
                "nutrition_status",
                "overweight",
                "smoker_current",
                "psychological_disorder",
            ),
            "pc-nutrition-postpone-severe": ("planned_procedure", "nutrition_status"),
            "pc-nutrition-supplements-at-risk": ("planned_procedure", "nutrition_status"),
            "pc-biliary-drainage-cholestasis": (
                "planned_procedure",
                "serum_bilirubin_umol_l",
                "biliary_obstruction",
            ),
        },
        id="pregnant woman with breast cancer, procedure undecided",
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
        {"mt-cgp-unresectable"},
        {
            # revision 2: anti-VEGF only when the liver metastases were not resected
            "mm-asco-antivegf-right": ("liver_resection_done",),
            # revision 3: first-line chemotherapy too
            "mm-asco-first-line-chemo": ("liver_resection_done",),
            "dx-ceus-characterise-lesion-oncology": (
                "fll_detected_on_ultrasound",
                "cirrhosis",
                "pregnant",
            ),
            "dx-ceus-detection-multimodality": ("pregnant",),
            "dx-ceus-first-in-renal-insufficiency": ("renal_insufficiency", "pregnant"),
            "dx-ceus-when-ct-mri-inconclusive": ("ct_mri_inconclusive", "pregnant"),
            "dx-mri-disappearing-metastases": (
                "neoadjuvant_therapy_given",
                "lesions_disappeared_after_neoadjuvant",
            ),
            "mt-ctdna-resected": ("liver_resection_done",),
            "mm-adjuvant-crc-gastric": ("liver_resection_done",),
            "sc-pregnancy-metastases-mdt": ("sex", "pregnant"),
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
            "pregnant": False,
            "ct_mri_inconclusive": False,
            "neoadjuvant_therapy_given": False,
            "renal_insufficiency": False,
            "liver_resection_done": False,
        },
        (PERIOPERATIVE - {"pc-no-oral-bowel-prep"}) | {"dx-ceus-detection-multimodality"},
        {
            "pc-alcohol-cessation": ("sex",),  # 30 g/day is heavy for women only
            # revision 2: bilirubin alone is no indication for drainage
            "pc-biliary-drainage-cholestasis": ("biliary_obstruction",),
            "pc-no-oral-bowel-prep": ("combined_primary_resection",),
            "dx-ceus-characterise-lesion-oncology": ("fll_detected_on_ultrasound", "cirrhosis"),
        },
        id="hepatectomy, sex unknown, 30 g alcohol a day, bilirubin just above 50",
    ),
]


@pytest.mark.parametrize(("facts", "applies", "may_apply"), CASES)
def test_hand_made_cases_match_exactly(facts, applies, may_apply):
    result = snapshot.matches_for(facts, liver_content()).results
    assert {m.rule.id for m in result.applies} == applies
    assert {m.rule.id: m.missing for m in result.may_apply} == may_apply
    assert len(result) == 54


def test_an_empty_case_may_match_everything_and_applies_to_nothing():
    result = snapshot.matches_for({}, liver_content()).results
    assert result.applies == []
    assert len(result.may_apply) == 54


def test_unpublished_drafts_never_match():
    ids = {rule.id for rule in liver_content().rules}
    assert "pc-corticosteroids-placeholder" not in ids
    assert len(ids) == 54


def test_rules_carry_the_unverified_marker_and_source():
    rules = {rule.id: rule for rule in liver_content().rules}
    assert rules["pc-alcohol-cessation"].shows_unverified_marker
    assert not rules["pc-smoking-cessation"].shows_unverified_marker
    assert rules["mm-adjuvant-imatinib-gist"].source == "JSHBPS 2021"
    assert (
        rules["mt-ras-all-mcrc-esmo2016"].strength == "I, A (for testing before anti-EGFR therapy)"
    )


def test_building_rules_takes_two_queries_whatever_their_number(django_assert_num_queries):
    with django_assert_num_queries(2):  # the recommendations, then their cautions
        Recommendation.objects.rules()


def _outcomes(facts: dict) -> dict[str, str]:
    result = snapshot.matches_for(facts, liver_content()).results
    return {m.rule.id: m.outcome for outcome in matching.OUTCOMES for m in getattr(result, outcome)}


def _missing(facts: dict) -> set[str]:
    result = snapshot.matches_for(facts, liver_content()).results
    return {name for m in result.may_apply for name in m.missing}


def test_a_man_gets_no_pregnancy_items_and_is_never_asked_if_pregnant():
    facts = {"sex": "male", "liver_metastases": "suspected", "primary_site": "colorectal"}
    outcomes = _outcomes(facts)
    assert outcomes["sc-pregnancy-metastases-mdt"] == matching.DOES_NOT_APPLY
    assert outcomes["sc-pregnancy-us-surveillance"] == matching.DOES_NOT_APPLY
    assert outcomes["dx-ceus-detection-multimodality"] == matching.APPLIES
    assert "pregnant" not in _missing(facts)
    # Whatever was typed: a man is not pregnant.
    assert _outcomes({**facts, "pregnant": True})["dx-ceus-detection-multimodality"] == (
        matching.APPLIES
    )


def test_an_unknown_primary_site_is_matched_as_not_known():
    outcomes = _outcomes({"primary_site": "unknown", "liver_resection_done": True})
    assert outcomes["mm-adjuvant-crc-gastric"] == matching.MAY_APPLY
    assert outcomes["mm-adjuvant-imatinib-gist"] == matching.MAY_APPLY
    assert "primary_site" in _missing({"primary_site": "unknown"})
    # ...while it still counts as a primary outside the liver.
    assert "history_extrahepatic_cancer" not in _missing({"primary_site": "unknown"})


@pytest.mark.parametrize(("obstruction", "outcome"), [(True, "applies"), (False, "does_not_apply")])
def test_a_jaundiced_patient_gets_drainage_only_with_bile_duct_obstruction(obstruction, outcome):
    facts = {
        "planned_procedure": "hepatectomy",
        "serum_bilirubin_umol_l": 80,
        "biliary_obstruction": obstruction,
    }
    assert _outcomes(facts)["pc-biliary-drainage-cholestasis"] == outcome


LEFT_RAS_WT = {
    "primary_site": "colorectal",
    "tumor_sidedness": "left",
    "ras_status": "wild_type",
    "mmr_msi_status": "pMMR_MSS",
    "systemic_therapy_line": "none_yet",
    "liver_metastases": "confirmed",
}


@pytest.mark.parametrize(
    ("setting", "outcome"),
    [
        ({"resectability": "resectable", "liver_resection_done": False}, "does_not_apply"),
        ({"resectability": "unresectable", "liver_resection_done": True}, "does_not_apply"),
        ({"resectability": "unresectable", "liver_resection_done": False}, "applies"),
    ],
    ids=["resectable", "resected", "unresectable"],
)
def test_anti_egfr_only_for_disease_that_is_not_resectable_or_resected(setting, outcome):
    assert _outcomes({**LEFT_RAS_WT, **setting})["mm-asco-antiegfr-left-ras-wt"] == outcome


def test_dmmr_gets_pembrolizumab_without_doublet_chemotherapy():
    outcomes = _outcomes(
        {
            "primary_site": "colorectal",
            "mmr_msi_status": "dMMR_MSI_H",
            "systemic_therapy_line": "none_yet",
            "resectability": "unresectable",
            "liver_resection_done": False,
        }
    )
    assert outcomes["mm-asco-pembrolizumab-dmmr"] == matching.APPLIES
    assert outcomes["mm-asco-first-line-chemo"] == matching.DOES_NOT_APPLY


def test_a_resected_primary_is_not_resected_again_with_the_liver():
    facts = {"planned_procedure": "hepatectomy", "primary_status": "resected"}
    assert _outcomes(facts)["pc-no-oral-bowel-prep"] == matching.APPLIES


# --- Revision 3 (fact sheet §0): three conditions and two cautions -----------------------

BRAF_PREVIOUSLY_TREATED = {"primary_site": "colorectal", "braf_v600e_status": "mutant",
                           "systemic_therapy_line": "previously_treated"}  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        # BEACON is for previously treated disease that is not (yet) resectable
        ({"resectability": "unresectable", "liver_resection_done": False}, "applies"),
        ({"resectability": "potentially_resectable", "liver_resection_done": False}, "applies"),
        ({"resectability": "resectable", "liver_resection_done": False}, "does_not_apply"),
        ({"resectability": "unresectable", "liver_resection_done": True}, "does_not_apply"),
        ({"resectability": "unresectable"}, "may_apply"),
    ],
)
def test_encorafenib_no_longer_reaches_resectable_or_resected_patients(facts, outcome):
    assert _outcomes({**BRAF_PREVIOUSLY_TREATED, **facts})["mm-asco-encorafenib-braf"] == outcome


FIRST_LINE = {"primary_site": "colorectal", "resectability": "potentially_resectable",
              "systemic_therapy_line": "none_yet", "mmr_msi_status": "pMMR_MSS"}  # fmt: skip


@pytest.mark.parametrize(
    ("resected", "outcome"), [(False, "applies"), (True, "does_not_apply"), (None, "may_apply")]
)
def test_first_line_doublet_is_not_shown_after_resection_of_the_liver_metastases(resected, outcome):
    facts = {**FIRST_LINE, **({} if resected is None else {"liver_resection_done": resected})}
    assert _outcomes(facts)["mm-asco-first-line-chemo"] == outcome


@pytest.mark.parametrize(
    ("resected", "outcome"), [(False, "applies"), (True, "does_not_apply"), (None, "may_apply")]
)
def test_ablation_over_resection_is_decided_before_the_operation(resected, outcome):
    facts = {"primary_site": "colorectal", "resectability": "resectable"}
    facts |= {} if resected is None else {"liver_resection_done": resected}
    assert _outcomes(facts)["tp-ablation-not-over-resection-crlm"] == outcome


MRI_BEFORE_RESECTION = {"liver_metastases": "confirmed", "planned_procedure": "hepatectomy"}


@pytest.mark.parametrize(
    ("patient", "cautions"),
    [
        ({"sex": "female", "pregnant": True}, [("applies", ())]),
        ({"sex": "female"}, [("may_apply", ("pregnant",))]),
        ({"sex": "female", "pregnant": False}, []),
        ({"sex": "male"}, []),  # pregnant is "no" for men (revision 2)
    ],
)
def test_the_mri_cards_carry_a_caution_in_pregnancy_that_never_hides_them(patient, cautions):
    results = snapshot.matches_for({**MRI_BEFORE_RESECTION, **patient}, liver_content()).results
    card = next(m for m in results.applies if m.rule.id == "dx-mri-before-resection")
    assert [(c.outcome, c.missing) for c in card.cautions] == cautions
    if cautions:
        assert card.cautions[0].text.startswith("Liver MRI usually uses a gadolinium-based")
