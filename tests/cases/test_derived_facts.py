"""Facts that follow from other facts: not asked, not stored as typed, shown as derived."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from guidelines import snapshot
from guidelines.derived import derive
from tests.factories import make_case, make_patient
from tests.helpers import fact_row

pytestmark = pytest.mark.django_db


def test_derivations_follow_the_fact_sheet():
    catalogue = snapshot.catalogue()
    assert {name: d.value for name, d in derive({"sex": "male"}, catalogue).items()} == {
        "pregnant": False
    }
    assert derive({"sex": "female"}, catalogue) == {}
    found = derive({"primary_site": "unknown", "primary_status": "resected"}, catalogue)
    assert {name: d.value for name, d in found.items()} == {
        "history_extrahepatic_cancer": True,
        "combined_primary_resection": False,
    }
    assert derive({"primary_status": "in_place"}, catalogue) == {}


def test_the_case_page_and_the_pdf_show_a_derived_value_with_its_source(clinician_client):
    case = make_case(
        patient=make_patient(sex="male"), facts={"primary_site": "colorectal", "pregnant": True}
    )
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert fact_row("Pregnant", "No", "follows from Sex: Male") in page
    assert (
        fact_row(
            "History of extrahepatic cancer", "Yes", "follows from Primary tumour site: Colorectal"
        )
        in page
    )


def test_a_man_is_not_asked_whether_he_is_pregnant(clinician_client, case_data):
    case_data.update(sex="male", fact_pregnant="yes")
    assert clinician_client.post(reverse("cases:case_create"), case_data).status_code == 302
    case = Case.objects.get()
    assert "pregnant" not in case.facts  # not stored as typed
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    start = form.index('id="field-fact_pregnant"')
    field = form[form.rindex("<div", 0, start) : form.index('id="field-fact_', start + 10)]
    assert "is-derived" in field and 'data-follows="sex" data-when="male"' in field
    assert "No: follows from sex." in field
