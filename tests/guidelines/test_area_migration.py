"""The library and the cases that existed before disease areas become the liver area's."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseEvent
from guidelines.models import DiseaseArea, Fact, Section, SectionEvent
from tests.factories import make_case
from tests.helpers import migrate_to

BEFORE = [("guidelines", "0006_several_choices"), ("cases", "0007_lesions")]


@pytest.mark.slow
def test_the_library_and_the_cases_become_the_liver_area_with_their_history(committed_content):
    case = make_case(facts={"primary_site": "colorectal"})
    migrate_to(BEFORE)
    migrate_to()
    liver = DiseaseArea.objects.get()
    assert (liver.slug, liver.name, liver.lesion_table) == ("liver", "Liver metastases", True)
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
