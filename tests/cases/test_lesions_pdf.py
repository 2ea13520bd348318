"""The case section of the PDF prints the lesion table, the liver map (from the page's
template, colours as SVG attributes) and the scores block."""

from __future__ import annotations

import pytest

from cases.summary import build_section, render_case_summary
from printing.pdf import render_template
from tests.factories import make_case, make_lesion, make_patient
from tests.helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FACTS = {"primary_site": "colorectal", "primary_node_positive": True, "cea_ng_ml": 240,
         "serum_bilirubin_umol_l": 20, "albumin_g_l": 40}  # fmt: skip


def test_the_case_section_prints_lesions_map_and_scores():
    case = make_case(patient=make_patient(mrn="L-1", name="Lena Lesion"), facts=FACTS)
    make_lesion(case, segments=["II", "III"], diameter_mm=40)
    make_lesion(case, segments=["VI"], diameter_mm=25, disappeared=True)
    html = render_template(
        "pdf/case_section.html", {"section": build_section(case, 1, pseudonymise=False)}
    )
    svg = html.split('<figure class="liver-map">')[1].split("</figure>")[0]
    assert 'fill="#f2a36b"' in svg and "style=" not in svg and "<a " not in svg
    assert svg.count("<polygon") == 9
    text = " ".join(" ".join(pdf_text(render_case_summary(case).pdf)).split())
    assert "Liver lesions (2)" in text and "1 II, III 40 mm" in text
    assert "no longer visible" in text
    assert "Scores" in text and "ALBI -2.54, grade 2" in text
    assert "Fong 3–4 of 5 (not known: disease-free interval)" in text
