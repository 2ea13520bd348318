"""The library and the cases that existed before disease areas become the liver area's."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent
from guidelines import content_pack, registry
from guidelines.models import DiseaseArea, Fact, FactChoice, FactGroup, Section, SectionEvent
from tests.factories import make_case
from tests.helpers import migrate_to

BEFORE = [("guidelines", "0006_several_choices"), ("cases", "0007_lesions")]


@pytest.mark.slow
def test_the_library_and_the_cases_become_the_liver_area_with_their_history(committed_content):
    case = make_case(facts={"primary_site": "colorectal"})
    migrate_to(BEFORE)
    migrate_to()
    liver = DiseaseArea.objects.get()
    assert (liver.slug, liver.name, liver.lesion_module) == ("liver", "Liver metastases", "liver")
    assert Case.objects.get(pk=case.pk).area == liver
    assert not CaseEvent.objects.filter(area__isnull=True).exists()
    assert set(Section.objects.values_list("area", flat=True)) == {liver.pk}
    assert not SectionEvent.objects.filter(area__isnull=True).exists()
    # the form's "Patient" facts are shared by every area; the rest are the liver's
    shared = set(Fact.objects.filter(area__isnull=True).values_list("name", flat=True))
    assert {"sex", "age_years", "ecog", "height_cm"} <= shared
    assert set(Fact.objects.filter(area__isnull=True).values_list("section", flat=True)) == {
        "patient"
    }
    assert Fact.objects.get(name="primary_site").area == liver


@pytest.mark.slow
def test_the_form_groups_units_and_codes_become_data_and_a_later_load_changes_nothing(
    committed_content,
):
    """Migration 0011: the fixed groups become shared rows, the liver keeps its lesion
    table and every score, and what the code held (units, codes) moves into the facts,
    so that the liver pack of format 4, loaded afterwards, finds nothing to change."""
    migrate_to([("guidelines", "0010_revision_3_decision_fields_and_cautions")])
    migrate_to()
    groups = {g.key: (g.name, g.computed, g.area_id) for g in FactGroup.objects.all()}
    assert groups["primary_tumour"] == ("Primary tumour", False, None)
    assert groups["scores"] == ("Computed values and scores", True, None)
    liver = DiseaseArea.objects.get()
    assert liver.lesion_module == "liver" and liver.rules == list(registry.FIRST_AREA_RULES)
    bilirubin = Fact.objects.get(name="serum_bilirubin_umol_l")
    assert bilirubin.alternative_units == [{"unit": "mg/dL", "factor": 17.1}]
    colorectal = FactChoice.objects.get(fact__name="primary_site", value="colorectal")
    assert {(c["system"], c["code"]) for c in colorectal.codes} >= {
        ("http://snomed.info/sct", "363406005"),
        ("http://hl7.org/fhir/sid/icd-10", "C18"),
    }
    out = io.StringIO()
    # (the liver pack: the HCC area's pack, shipped later, would create its area)
    call_command("load_content", str(content_pack.DEFAULT_PACK), "--dry-run", stdout=out)
    # (the readiness checklist came after 0011: a load creates it, and changes nothing else)
    changes = [line.strip() for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert changes and all(c.startswith("would create readiness item ") for c in changes)
