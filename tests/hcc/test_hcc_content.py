"""The HCC content pack (HCC fact sheet revision 1) as loaded: its items, levels and
shared facts, and hand-worked cases (the sheet's vignettes) against its conditions. The
expected outcomes were worked out by hand from the sheet's conditions and rules."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from guidelines import snapshot
from guidelines.models import Fact, Recommendation

pytestmark = pytest.mark.django_db

SHEET = Path(__file__).resolve().parents[3] / "shared" / "content" / "hcc-guideline-facts.md"
SHARED = ("cirrhosis", "serum_bilirubin_umol_l", "albumin_g_l", "inr", "ascites",
          "encephalopathy", "lesion_count", "largest_lesion_mm", "resectability",
          "systemic_therapy_line", "child_pugh_class", "albi_grade", "ecog", "pregnant")  # fmt: skip
# The sheet's plan codes the app lists under other codes (the pack's header says so).
MODALITIES = {"sbrt": ["stereotactic_radiotherapy"],
              "tace_tare_hai": ["tace", "tare", "hepatic_arterial_infusion"],
              "liver_transplant_referral": ["liver_transplantation_referral"]}  # fmt: skip


def test_the_pack_holds_the_sheets_43_items_with_its_counts(hcc):
    items = Recommendation.objects.in_area(hcc)
    assert items.count() == 43
    published = items.filter(is_published=True)
    # §5: 28 published (22 yes + 6 check), 15 held as unpublished drafts.
    assert published.count() == 28
    assert Counter(items.values_list("verification", flat=True)) == {
        "primary": 18, "secondary": 16, "earlier_version": 4, "digest_only": 3,
        "partial": 1, "none": 1}  # fmt: skip
    assert Counter(published.values_list("verification", flat=True)) == {
        "primary": 18, "secondary": 6, "earlier_version": 4}  # fmt: skip
    assert Counter(items.values_list("decision_scope", flat=True)) == {"board": 39, "pathway": 4}
    assert Counter(published.values_list("decision_scope", flat=True)) == {
        "board": 26, "pathway": 2}  # fmt: skip
    uses_stage = [rec for rec in published if re.search(r"bclc_stage|advanced_hcc", rec.condition)]
    assert len(uses_stage) == 12  # §5
    groups = Counter(published.exclude(alternatives="").values_list("alternatives", flat=True))
    assert set(groups) == {"hcc-early-curative", "hcc-intermediate", "hcc-1l-systemic"}


def test_earlier_versions_name_their_own_year(hcc):
    hcc_item = Recommendation.objects.get(slug="hcc-rs-easl-well-preserved-function")
    assert hcc_item.get_verification_display() == "Checked against the 2012 version only"
    liver_items = Recommendation.objects.filter(
        subsection__section__area__slug="liver", verification="earlier_version"
    )
    assert liver_items and {r.get_verification_display() for r in liver_items} == {
        "Checked against the 2016 version only"
    }
    rule = snapshot.current().by_slug("hcc").rules
    assert next(r for r in rule if r.id == hcc_item.slug).shows_unverified_marker


def test_shared_facts_are_the_liver_areas_not_copies(hcc):
    liver_catalogue = snapshot.current().by_slug("liver").catalogue
    hcc_catalogue = snapshot.current().by_slug("hcc").catalogue
    for name in SHARED:
        assert Fact.objects.get(name=name).area_id is None, name
        assert hcc_catalogue[name] == liver_catalogue[name]
    assert Fact.objects.get(name="bclc_stage").area == hcc
    assert "bclc_stage" not in liver_catalogue and "primary_site" not in hcc_catalogue


COPY = Path(__file__).parent / "data" / "hcc-sheet-items.yaml"


def sheet_blocks(text: str) -> list[dict]:
    part = text.split("## 2. Recommendations")[1].split("## 3. Case facts")[0]
    return [item for block in re.findall(r"```yaml\n(.*?)```", part, re.S)
            for item in yaml.safe_load(block)]  # fmt: skip


@pytest.mark.skipif(not SHEET.exists(), reason="the fact sheet is not beside the project")
def test_the_copy_of_the_sheets_items_is_the_sheets():
    assert yaml.safe_load(COPY.read_text(encoding="utf-8")) == sheet_blocks(
        SHEET.read_text(encoding="utf-8")
    )


def test_every_item_is_the_sheets_own(hcc):
    """Statement, action, condition, level, publication, modalities, alternatives and
    cautions of each item, against the sheet's YAML blocks (§2, kept in ``data/``)."""
    sheet = yaml.safe_load(COPY.read_text(encoding="utf-8"))
    assert len(sheet) == 43
    for item in sheet:
        rec = Recommendation.objects.get(slug=item["id"])
        assert rec.statement == item["statement"], item["id"]
        assert rec.action == item["action"], item["id"]
        assert rec.condition == item["conditions"], item["id"]
        assert rec.verification == item["verification"], item["id"]
        assert rec.is_published == (item["ship"] in ("yes", "check")), item["id"]
        assert rec.decision_scope == item.get("decision_scope", "board")
        assert rec.source_strength == str(item["source_strength"]), item["id"]
        assert rec.notes.startswith(item.get("notes", "")), item["id"]  # (+ its ship note)
        assert rec.alternatives == item.get("alternatives", ""), item["id"]
        mapped = [
            m for code in item.get("plan_modalities", []) for m in MODALITIES.get(code, [code])
        ]
        assert rec.plan_modalities == list(dict.fromkeys(mapped)), item["id"]
        assert [(c.condition, c.text) for c in rec.cautions.all()] == [
            (c["when"], c["text"]) for c in item.get("cautions", [])
        ], item["id"]


def match(content, **facts):
    results = snapshot.matches_for(facts, content).results
    return (
        {m.rule.id for m in results.applies},
        {m.rule.id: m for m in results.may_apply},
        {m.rule.id: m for m in results.applies},
    )


WITHIN_MILAN = {
    "sex": "male", "ecog": 0, "cirrhosis": True, "hcc_diagnosis": "confirmed_imaging",
    "serum_bilirubin_umol_l": 17, "albumin_g_l": 38, "inr": 1.1, "ascites": "none",
    "encephalopathy": "none", "lesion_count": 2, "largest_lesion_mm": 26,
    "macrovascular_invasion": False, "extrahepatic_spread": False,
    "transplant_candidate": "under_evaluation", "transplant_listed": False,
    "platelets_10e9_l": 95, "resectability": "resectable", "bilirubin_normal": True,
    "ablation_target_near_vessel_or_duct": False, "systemic_therapy_line": "none_yet",
    "tumour_pattern": "well_defined_nodules",
}  # fmt: skip


def test_two_nodules_within_milan_with_portal_hypertension(hcc_content):
    # Child-Pugh 5 (A), ECOG 0, two nodules ≤ 30 mm: BCLC A, within Milan; platelets 95:
    # clinically significant portal hypertension.
    applies, may, _ = match(hcc_content, **WITHIN_MILAN)
    assert applies == {
        "hcc-dx-icc-dynamic-ct-mri", "hcc-dx-esmo-workup", "hcc-st-aasld-bclc-mdt",
        "hcc-st-icc-bclc-preferred", "hcc-st-icc-extrahepatic-staging",
        "hcc-lt-esmo-bclc0a-transplant", "hcc-lt-easl-milan-first-choice",
        "hcc-lt-aasld-milan-or-downstaged", "hcc-ab-esmo-bclc0a-thermal",
        "hcc-lr-esmo-bclc0a-alternatives",
        # typical imaging not entered: "may apply" below
    }  # fmt: skip
    # Resection needs no CSPH (revision 1, unsafe 4): it does not apply.
    assert "hcc-rs-esmo-bclc0a-resection" not in applies | set(may)
    assert may["hcc-dx-icc-no-biopsy-lt-typical"].missing == ("typical_hcc_imaging",)


def test_bclc_c_gets_first_line_with_the_varices_caution_as_may_apply(hcc_content):
    facts = {**WITHIN_MILAN, "sex": "female", "pregnant": False, "ecog": 1,
             "ecog_cancer_related": "yes", "macrovascular_invasion": True, "lesion_count": 1,
             "largest_lesion_mm": 85, "transplant_candidate": "no", "varices": "not_assessed",
             "prior_liver_transplant": False, "autoimmune_disease": False,
             "high_bleeding_or_thrombosis_risk": False}  # fmt: skip
    applies, _, found = match(hcc_content, **facts)
    first_line = found["hcc-sy1-asco-atezo-bev-or-durva-treme"]
    cautions = {c.text.split(" ")[0]: c.outcome for c in first_line.cautions}
    assert cautions == {"For": "may_apply"}  # the varices caution; the others are false
    assert "hcc-lr-esmo-bclcb-tace" not in applies
    assert not applies & {"hcc-lt-esmo-bclc0a-transplant", "hcc-rs-esmo-bclc0a-resection"}


def test_a_suspected_lr4_observation_is_not_staged(hcc_content):
    # Revision 1: a 15 mm LR-4 observation is not yet HCC: no stage-based card applies.
    facts = {**WITHIN_MILAN, "hcc_diagnosis": "suspected", "lesion_count": 1,
             "largest_lesion_mm": 15, "lirads_category": "LR_4", "platelets_10e9_l": 150,
             "varices": "none", "splenomegaly": False}  # fmt: skip
    applies, may, _ = match(hcc_content, **facts)
    assert applies == {"hcc-dx-easl2018-imaging-modalities", "hcc-dx-icc-dynamic-ct-mri",
                       "hcc-dx-esmo-workup"}  # fmt: skip
    assert "bclc_stage" in may["hcc-rs-esmo-bclc0a-resection"].missing
    assert "hcc_confirmed" in may["hcc-rs-easl-well-preserved-function"].missing


def test_ecog_1_from_osteoarthritis_keeps_a_resectable_single_hcc_curative(hcc_content):
    # Revision 1, unsafe 2: staged A (not C): resection applies, first line does not.
    facts = {**WITHIN_MILAN, "ecog": 1, "ecog_cancer_related": "no", "lesion_count": 1,
             "largest_lesion_mm": 40, "platelets_10e9_l": 150, "varices": "none",
             "splenomegaly": False, "transplant_candidate": "no"}  # fmt: skip
    applies, may, _ = match(hcc_content, **facts)
    assert "hcc-rs-esmo-bclc0a-resection" in applies
    assert "hcc-sy1-asco-atezo-bev-or-durva-treme" not in applies | set(may)


def test_a_listed_child_pugh_c_patient_within_milan_is_staged_by_burden(hcc_content):
    # Revision 1, unsafe 3: bilirubin 60, albumin 25, INR 2.4, moderate ascites: 13, C.
    facts = {**WITHIN_MILAN, "serum_bilirubin_umol_l": 60, "albumin_g_l": 25, "inr": 2.4,
             "ascites": "moderate_severe", "transplant_candidate": "yes",
             "transplant_listed": True}  # fmt: skip
    applies, _, _ = match(hcc_content, **facts)
    assert "hcc-lt-esmo-bclc0a-transplant" in applies
    # Ablation, TACE and radiotherapy are not for Child-Pugh C (editorial restriction).
    assert not applies & {"hcc-ab-esmo-bclc0a-thermal", "hcc-lr-esmo-bclc0a-tace-bridge",
                          "hcc-lr-esmo-bclc0a-alternatives"}  # fmt: skip
    assert "hcc-lr-easl-tace-discouraged" in applies


def test_a_typed_derived_fact_is_overridden_by_its_computation(hcc_content):
    applies, _, _ = match(hcc_content, **WITHIN_MILAN, bclc_stage="advanced",
                          within_milan=False)  # fmt: skip
    assert "hcc-lt-esmo-bclc0a-transplant" in applies
    assert "hcc-sy1-bclc2022-bclcb-diffuse" not in applies


def test_held_items_never_match(hcc_content):
    ids = {rule.id for rule in hcc_content.rules}
    assert len(ids) == 28
    assert "hcc-sc-aasld-adjuvant-atezo-bev" not in ids


def test_a_typed_stage_is_dropped_when_its_rule_leaves_it_not_known(hcc_content):
    # Suspected HCC: the stage is not computed, so a typed "early" must not reach the
    # stage-based cards (§0 addition 9: typed derived facts are never used in matching).
    facts = {**WITHIN_MILAN, "hcc_diagnosis": "suspected", "bclc_stage": "early",
             "within_milan": True}  # fmt: skip
    applies, may, _ = match(hcc_content, **facts)
    assert "hcc-lt-esmo-bclc0a-transplant" not in applies
    assert "bclc_stage" in may["hcc-lt-esmo-bclc0a-transplant"].missing
