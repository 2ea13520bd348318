from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from tests.factories import make_case, make_meeting, make_patient


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def agenda_cases(db):
    """Three varied cases, the first two with an identifiable name in their free text."""
    ada = make_case(
        patient=make_patient(mrn="H-1001", name="Ada Lovelace", sex="female", date_of_birth=datetime.date(1961, 3, 14)),
        question="Ada Lovelace: upfront hepatectomy or chemotherapy first?",
        clinical_summary="Mrs Lovelace (H-1001) has a sigmoid primary.",
        facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy", "smoker_current": True,
               "alcohol_g_per_day": 40, "liver_metastases": "confirmed", "resectability": "resectable"},
    )  # fmt: skip
    grace = make_case(
        patient=make_patient(mrn="H-1002", name="Grace Hopper", sex="female", date_of_birth=datetime.date(1970, 12, 9)),
        question="Resected GIST metastasis: adjuvant treatment?",
        facts={"primary_site": "gist", "liver_resection_done": True},
    )  # fmt: skip
    emmy = make_case(
        patient=make_patient(mrn="H-1003", name="Emmy Noether", sex="female", date_of_birth=datetime.date(1955, 3, 23)),
        question="Pregnant? No. Indeterminate lesion: next imaging?",
        facts={"ct_mri_inconclusive": True, "history_extrahepatic_cancer": True},
    )  # fmt: skip
    return [ada, grace, emmy]


@pytest.fixture
def meeting(agenda_cases):
    return make_meeting(agenda_cases, board_name="Liver metastases board")
