"""The scores as facts: computed from what was entered, in order, readable by conditions,
never typed; dates feed them but are not compared by conditions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guidelines import conditions, snapshot
from guidelines.derived import derive, with_derived
from tests.factories import make_case, make_lesion

pytestmark = pytest.mark.django_db

LABS = {"serum_bilirubin_umol_l": 20, "albumin_g_l": 40, "inr": 1.0, "ascites": "none",
        "encephalopathy": "none", "height_cm": 180, "weight_kg": 80, "flr_volume_ml": 522,
        "future_liver_remnant_pct": 55, "primary_site": "colorectal",
        "primary_node_positive": True, "cea_ng_ml": 240,
        "primary_diagnosis_date": "2025-01-10", "liver_metastases_diagnosis_date": "2025-06-01",
        "lesion_count": 2, "largest_lesion_mm": 40}  # fmt: skip


def test_each_score_is_a_fact_computed_from_the_entered_ones():
    catalogue = snapshot.catalogue()
    values = with_derived(LABS, catalogue)
    assert values["child_pugh_score"] == 5 and values["child_pugh_class"] == "A"
    # log10 20 × 0.66 − 3.4 = −2.5413, unrounded (graded as it is)
    assert values["albi_score"] == pytest.approx(-2.54132, abs=1e-5) and values["albi_grade"] == 2
    assert values["body_surface_area_m2"] == 2.0 and values["total_liver_volume_ml"] == 1740
    # 100 × 522 / 1740.15 = 29.9974: computed, not the 55 typed, and unrounded
    assert values["future_liver_remnant_pct"] == pytest.approx(29.9974, abs=1e-4)
    assert values["disease_free_interval_months"] == 4 and values["synchronous"] is True
    assert values["fong_score"] == 4  # N+, interval < 12 months, 2 lesions, CEA > 200
    # √(4² + 2²) = 4.4721
    assert values["tumour_burden_score"] == pytest.approx(4.4721, abs=1e-4)
    assert values["tumour_burden_zone"] == "medium"
    derived = derive(LABS, catalogue)
    assert (
        derived["fong_score"]
        .explain(LABS, catalogue)
        .startswith(
            "computed: Fong 4 of 5, high risk: node-positive primary; disease-free interval < 12 "
            "months; 2 lesions; CEA 240 ng/mL"
        )
    )


def test_a_score_with_an_input_not_known_is_not_a_fact():
    values = with_derived({"serum_bilirubin_umol_l": 20, "albumin_g_l": 40}, snapshot.catalogue())
    assert "child_pugh_score" not in values and values["albi_grade"] == 2


def test_the_synchronous_cut_off_is_a_setting(settings):
    values = {
        "primary_diagnosis_date": "2025-01-10",
        "liver_metastases_diagnosis_date": "2025-10-01",
    }
    assert with_derived(values, snapshot.catalogue())["synchronous"] is False
    settings.SYNCHRONOUS_CUTOFF_MONTHS = 12
    assert with_derived(values, snapshot.catalogue())["synchronous"] is True


def test_conditions_read_scores_but_not_dates():
    catalogue = snapshot.catalogue()
    assert conditions.validate("fong_score >= 3 and child_pugh_class = A", catalogue) == []
    errors = conditions.validate("primary_diagnosis_date = 2020", catalogue)
    assert [e.message for e in errors] == [
        "primary_diagnosis_date is a date: conditions compare the facts computed from it "
        "(e.g. disease_free_interval_months)"
    ]


def test_the_case_form_asks_dates_but_not_scores(clinician_client):
    form = clinician_client.get(reverse("cases:case_create")).context["form"]
    assert "fact_primary_diagnosis_date" in form.fields
    assert "fact_fong_score" not in form.fields and "fact_albi_grade" not in form.fields


def test_the_case_page_shows_the_scores_block_with_sources(clinician_client):
    case = make_case(facts=LABS)
    make_lesion(case, segments=["II"], diameter_mm=40)
    make_lesion(case, segments=["VI"], diameter_mm=25)
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "5, class A" in page and "-2.54, grade 2" in page
    assert (
        "29.997 %: at or above the minimum of 20 % with a normal liver; below the minimum of "
        "30 % after chemotherapy; below the minimum of 40 % with cirrhosis (cirrhosis not "
        "recorded)"
    ) in page
    assert (
        "30 % after extensive chemotherapy (about 12 weeks or more; “neoadjuvant therapy given” "
        "stands for it here)"
    ) in page
    assert "2 and 3 mg/dL, i.e. 34.2 and 51.3 µmol/L (1 mg/dL = 17.1 µmol/L)" in page
    assert "4 of 5, high risk" in page and "Fong Y et al., Ann Surg 1999" in page
    assert "4 months, synchronous" in page
    assert "information for the board, not recommendations" in page
