from __future__ import annotations

import pytest


@pytest.fixture
def case_data():
    """POST data of a complete, valid new case (the no-JavaScript path)."""
    return {
        "mrn": "H-123456",
        "patient_name": "Ada Example",
        "date_of_birth": "1960-05-01",
        "sex": "female",
        "referral_date": "2026-11-20",
        "referring_clinician": "Dr. Referrer, surgery",
        "status": "ready",
        "question": "Resect now or treat first?",
        "clinical_summary": "Sigmoid primary; two liver lesions.",
        "fact_primary_site": "colorectal",
        "fact_planned_procedure": "hepatectomy",
        "fact_smoker_current": "yes",
        "fact_cirrhosis": "no",
        "fact_alcohol_g_per_day": "30",
        "fact_serum_bilirubin_umol_l": "",
        "fact_serum_bilirubin_umol_l__unit": "µmol/L",
    }
