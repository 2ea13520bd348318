"""Benchmark: the HCC area's derived facts (issue 30), the BCLC stage above all, which is
evaluated three-valued by trying every value of each input not known (HCC fact sheet
§3.2). Reads the shipped HCC pack (load it with `manage.py load_content`). Prints, CPU
beside wall time (medians):

- floor: deriving a liver case's facts (Child-Pugh, ALBI, the future liver remnant,
  Fong, tumour burden): what an area's derivation costs today;
- a rich HCC case (every input known): BCLC, Milan, UNOS-DS, MELD-Na and the rest;
- the worst case: a confirmed HCC whose BCLC inputs are all not known but ECOG 4 (every
  trial gives D, so none stops early: 288 combinations × 3 burden stages);
- a stage that is not known (single 30 mm nodule, extrahepatic spread not known): stops
  at the second stage found;
- the HCC case's whole match panel (derivation, 28 items, cautions).

Targets: the worst case <= 5 ms, and <= 10x the floor; the panel <= 20 ms.

Run after `make setup`:  .venv/bin/python bench/hcc.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import django_setup, figure, summary, timed  # noqa: E402

LIVER = {
    "sex": "male", "primary_site": "colorectal", "primary_node_positive": True,
    "primary_diagnosis_date": "2026-01-02", "liver_metastases_diagnosis_date": "2026-05-02",
    "lesion_count": 3, "largest_lesion_mm": 45, "cea_ng_ml": 240, "height_cm": 178,
    "weight_kg": 84, "flr_volume_ml": 600, "serum_bilirubin_umol_l": 12, "albumin_g_l": 41,
    "inr": 1.0, "ascites": "none", "encephalopathy": "none",
}  # fmt: skip
RICH = {
    "sex": "female", "pregnant": False, "ecog": 1, "ecog_cancer_related": "no",
    "cirrhosis": True, "liver_disease_etiology": ["hbv"], "hcc_diagnosis": "confirmed_imaging",
    "lesion_count": 2, "largest_lesion_mm": 28, "macrovascular_invasion": False,
    "extrahepatic_spread": False, "serum_bilirubin_umol_l": 30, "albumin_g_l": 34,
    "inr": 1.3, "ascites": "mild", "encephalopathy": "none", "transplant_candidate": "yes",
    "within_local_extended_criteria": False, "platelets_10e9_l": 90, "varices": "none",
    "serum_creatinine_umol_l": 100, "serum_sodium_mmol_l": 131,
    "systemic_therapy_line": "none_yet", "locoregional_candidate": True,
}  # fmt: skip
WORST = {"hcc_diagnosis": "confirmed_histology", "ecog": 4}
UNKNOWN = {**RICH, "ecog": 0, "lesion_count": 1, "largest_lesion_mm": 30,
           "extrahepatic_spread": None, "serum_bilirubin_umol_l": 12, "albumin_g_l": 41,
           "inr": 1.0, "ascites": "none"}  # fmt: skip


def main() -> None:
    django_setup()
    from guidelines import hcc_scores, snapshot
    from guidelines.derived import derive

    current = snapshot.current()
    liver, hcc = current.by_slug("liver"), current.by_slug("hcc")
    if hcc is None:
        sys.exit("The HCC pack is not loaded: run `manage.py load_content` first.")
    assert derive(WORST, hcc.catalogue)["bclc_stage"].value == "terminal"
    assert "bclc_stage" not in derive(UNKNOWN, hcc.catalogue)
    floor = timed(lambda: derive(LIVER, liver.catalogue), runs=200)
    figure("floor: a liver case's derived facts", floor)
    figure("a rich HCC case's derived facts", timed(lambda: derive(RICH, hcc.catalogue), 200),
           floor=floor)  # fmt: skip
    worst = timed(lambda: derive(WORST, hcc.catalogue), runs=200)
    figure("worst case (all BCLC inputs open but ECOG 4)", worst, floor=floor,
           ratio_target=10, ms_target=5)  # fmt: skip
    figure("BCLC alone, worst case", timed(lambda: hcc_scores.bclc(WORST), runs=200))
    figure("a stage not known (stops at the second)",
           timed(lambda: derive(UNKNOWN, hcc.catalogue), runs=200), floor=floor)  # fmt: skip
    figure("the HCC case's match panel", timed(lambda: snapshot.matches_for(RICH, hcc), 100),
           ms_target=20)  # fmt: skip
    summary()


if __name__ == "__main__":
    main()
