"""A second disease area made of nothing but a content pack file.

``data/second-area.yaml`` defines the area: its own form groups, facts with units,
alternative units and terminology codes (a Condition among them), a score of the
registry (ALBI) and a rule (pregnancy follows from sex), sections and recommendations.
Nothing else is written for it: these tests load the file and use the area through the
form, the matching panel and the scores block, the printed summary, the FHIR export and
import, and ``export_content`` → ``load_content``. The area is synthetic: its facts,
codes and statements exist only here; nothing in it is clinical.

ALBI reads the liver function facts and fact names are unique across areas, so a second
area uses ALBI once those facts are shared, as an editor shares them in the admin (the
loader refuses to take a fact from another area); the pack then lists them as the shared
facts it reads, exactly as the liver pack lists sex and age.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case
from cases.overview import overview
from cases.summary import render_case_summary
from guidelines import content_pack, snapshot
from guidelines.models import (
    DiseaseArea,
    Fact,
    FactGroup,
    GuidelineSource,
    Recommendation,
    Section,
    Subsection,
)
from interop import codes, fhir, fhir_import
from tests.factories import make_case, make_patient
from tests.printed import read_pdf, squash

pytestmark = pytest.mark.django_db

PACK = Path(__file__).parent / "data" / "second-area.yaml"
EXAMPLE = "http://example.org/fhir/CodeSystem/second-area"
UCUM = "http://unitsofmeasure.org"
ALBI_FACTS = ("serum_bilirubin_umol_l", "albumin_g_l", "albi_score", "albi_grade")
OWN_FACTS = {"second_stage", "second_size_mm", "second_count", "second_disease", "second_marker"}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def share_albi_facts() -> None:
    """What an editor does in the admin before a second area may read ALBI's facts."""
    for fact in Fact.objects.filter(name__in=ALBI_FACTS):
        fact.area = None
        fact.save()


@pytest.fixture
def second() -> DiseaseArea:
    share_albi_facts()
    run("load_content", str(PACK))
    return DiseaseArea.objects.get(slug="second")


def second_case(mrn: str = "S-100", **facts) -> Case:
    woman = make_patient(mrn=mrn, name="Sam Second", sex="female")
    area = DiseaseArea.objects.get(slug="second")
    return make_case(patient=woman, area=area, facts=facts, question="Synthetic question?")


def rule_ids(matches) -> set[str]:
    return {m.rule.id for m in matches}


def test_the_pack_alone_makes_the_area_and_leaves_the_liver_as_it_was():
    share_albi_facts()
    liver_before = list(
        Fact.objects.filter(area__isnull=True).order_by("name").values_list("name", "position")
    )
    assert "Applied second-area.yaml" in run("load_content", str(PACK))
    area = DiseaseArea.objects.get(slug="second")
    assert area.rules == ["pregnancy_by_sex", "albi"] and area.lesion_module == ""
    groups = FactGroup.objects.filter(area=area).order_by("position")
    assert [(g.key, g.name, g.computed) for g in groups] == [
        ("second_staging", "Synthetic staging", False),
        ("second_markers", "Synthetic markers", False),
    ]
    assert set(Fact.objects.filter(area=area).values_list("name", flat=True)) == OWN_FACTS
    size = Fact.objects.get(name="second_size_mm")
    assert size.alternative_units == [{"unit": "cm", "factor": 10}] and size.unit_code == "mm"
    # the shared facts it reads are the liver's, in the liver's order; a second load changes nothing
    after = Fact.objects.filter(area__isnull=True).order_by("name").values_list("name", "position")
    assert list(after) == liver_before
    assert run("load_content", str(PACK)).startswith("No changes")
    content = snapshot.current().by_slug("second")
    assert OWN_FACTS | set(ALBI_FACTS) | {"sex", "pregnant"} <= set(content.catalogue)
    assert "primary_site" not in content.catalogue and "child_pugh_score" not in content.catalogue
    liver = snapshot.current().by_slug("liver")
    assert set(ALBI_FACTS) <= set(liver.catalogue) and "second_stage" not in liver.catalogue


def test_its_form_shows_its_groups_and_takes_a_value_in_another_unit(second, clinician_client):
    page = clinician_client.get(reverse("cases:case_create") + "?area=second")
    form = page.context["form"]
    labels = [label for label, _ in form.fact_sections()]
    assert labels == ["Patient", "Liver disease", "Synthetic staging", "Synthetic markers"]
    assert [value for value, _ in form.fields["fact_second_size_mm__unit"].choices] == ["mm", "cm"]
    data = {
        "area": "second", "mrn": "S-200", "patient_name": "Sam Second",
        "date_of_birth": "1960-05-01", "sex": "female", "referral_date": "2026-11-20",
        "referring_clinician": "Dr. Referrer", "status": "ready", "question": "Synthetic?",
        "fact_second_stage": "early", "fact_second_size_mm": "2.5",
        "fact_second_size_mm__unit": "cm", "fact_second_marker": "yes",
        "fact_serum_bilirubin_umol_l": "10", "fact_serum_bilirubin_umol_l__unit": "µmol/L",
        "fact_albumin_g_l": "45", "fact_albumin_g_l__unit": "g/L",
    }  # fmt: skip
    response = clinician_client.post(reverse("cases:case_create"), data)
    assert response.status_code == 302
    case = Case.objects.get(area=second)
    assert case.facts == {
        "second_stage": "early", "second_size_mm": 25.0, "second_marker": True,
        "serum_bilirubin_umol_l": 10.0, "albumin_g_l": 45.0,
    }  # fmt: skip
    assert case.entered_as == {"second_size_mm": [2.5, "cm"]}
    shown = clinician_client.get(case.get_absolute_url()).content.decode()
    assert '25 mm</span> <span class="fact-origin">(entered as 2.5 cm)' in shown
    assert "<h3>Synthetic staging</h3>" in shown and 'id="lesions"' not in shown


def test_its_rules_match_and_its_scores_block_is_the_one_it_chose(second):
    # ALBI of 10 µmol/L and 45 g/L: log10(10) × 0.66 + 45 × −0.085 = −3.165 (grade 1)
    case = second_case(second_stage="early", second_size_mm=25, serum_bilirubin_umol_l=10,
                       albumin_g_l=45)  # fmt: skip
    seen = overview(case)
    results = seen.matches.results
    assert rule_ids(results.applies) == {"second-every-case", "second-early-small", "second-albi-1"}
    assert rule_ids(results.does_not_apply) == {"second-late"}
    assert [score.name for score in seen.scores] == ["ALBI"]
    assert seen.scores[0].value == pytest.approx(10**0 * 0.66 - 3.825)  # −3.165
    assert "pregnant" not in seen.values  # a woman: as typed (here, not known)
    man = make_case(patient=make_patient(mrn="S-101", sex="male"), area=second, facts={})
    assert overview(man).values["pregnant"] is False  # the rule the area chose
    # an undecided stage is not known: the rules reading it may apply
    undecided = overview(second_case("S-102", second_stage="undecided")).matches.results
    assert {"second-early-small", "second-late"} <= rule_ids(undecided.may_apply)
    liver_scores = [s.name for s in overview(make_case(patient=make_patient(mrn="L-9"))).scores]
    assert "Child-Pugh" in liver_scores and "ALBI" in liver_scores


def test_its_printed_summary_shows_its_groups_values_score_and_matches(second):
    case = second_case(second_stage="late", second_size_mm=42, second_count=3,
                       serum_bilirubin_umol_l=10, albumin_g_l=45)  # fmt: skip
    text = squash(" ".join(page.body_text() for page in read_pdf(render_case_summary(case).pdf)))
    for expected in ("Synthetic staging", "Synthetic stage", "Late", "Synthetic size", "42 mm",
                     "Synthetic count", "ALBI", "Synthetic statement: late.",
                     "Synthetic statement for every case."):  # fmt: skip
        assert squash(expected) in text, expected
    assert squash("Synthetic statement: early and small.") not in text.split(squash("Does not"))[0]


def _without_own_codes(bundle: dict) -> dict:
    """The bundle as another system would send it: only the standard codes."""
    stripped = copy.deepcopy(bundle)

    def keep(concept):
        if isinstance(concept, dict) and "coding" in concept:
            concept["coding"] = [
                c for c in concept["coding"] if not c["system"].startswith(codes.FACT_SYSTEM)
            ]

    for entry in stripped["entry"]:
        resource = entry["resource"]
        keep(resource.get("code"))
        keep(resource.get("valueCodeableConcept"))
    return stripped


def test_fhir_writes_its_codes_and_units_and_reads_them_back(second):
    typed = {"second_stage": "late", "second_size_mm": 42.5, "second_count": 3,
             "second_marker": True, "second_disease": "suspected"}  # fmt: skip
    case = second_case(**typed)
    bundle = fhir.case_bundle(case)
    resources = [entry["resource"] for entry in bundle["entry"]]
    size = next(r for r in resources if r.get("code", {}).get("text") == "Synthetic size")
    assert {"system": EXAMPLE, "code": "size"} in size["code"]["coding"]
    assert size["valueQuantity"] == {"value": 42.5, "unit": "mm", "system": UCUM, "code": "mm"}
    stage = next(r for r in resources if r.get("code", {}).get("text") == "Synthetic stage")
    assert {"system": EXAMPLE, "code": "stage-late"} in stage["valueCodeableConcept"]["coding"]
    disease = next(r for r in resources if r["resourceType"] == "Condition")
    assert {"system": EXAMPLE, "code": "disease"} in disease["code"]["coding"]
    assert disease["verificationStatus"]["coding"][0]["code"] == "provisional"
    catalogue = snapshot.for_case(case).catalogue
    assert fhir_import.read(json.dumps(bundle), catalogue).facts == typed
    # from another system's bundle, by the pack's codes alone
    found = fhir_import.read(json.dumps(_without_own_codes(bundle)), catalogue)
    assert found.facts == typed, found.left
    assert {taken.source.split(", ")[-1] for taken in found.taken} == {
        f"{EXAMPLE} {code}" for code in ("stage", "size", "count", "marker", "disease")
    }
    # a quantity's UCUM code decides, whatever its unit is called; another code is refused
    other = _without_own_codes(bundle)
    size = next(e["resource"] for e in other["entry"]
                if {"system": EXAMPLE, "code": "size"} in e["resource"].get("code", {}).get("coding", []))  # fmt: skip
    size["valueQuantity"]["unit"] = "millimetre"
    assert fhir_import.read(json.dumps(other), catalogue).facts["second_size_mm"] == 42.5
    size["valueQuantity"]["code"] = "cm"
    found = fhir_import.read(json.dumps(other), catalogue)
    assert "second_size_mm" not in found.facts
    assert any("in cm (UCUM), not in mm" in left.reason for left in found.left)


def test_export_then_load_round_trips_the_area_exactly(second, tmp_path):
    exported = content_pack.export_pack(
        area="second", name="second-area", title=content_pack.read_pack(PACK)["title"], version="1"
    )
    # the file, as loaded, is what it says (the export also carries the sources that no
    # recommendation cites: they belong to no area)
    given = content_pack.read_pack(PACK)
    assert {k: v for k, v in exported.items() if k != "sources"} == {
        k: v for k, v in given.items() if k != "sources"
    }
    assert all(source in exported["sources"] for source in given["sources"])
    path = tmp_path / "exported.yaml"
    run("export_content", "--area", "second", "--output", str(path), "--name", "second-area",
        "--title", exported["title"], "--pack-version", "1")  # fmt: skip
    # through an empty area: everything of it deleted, then the export loaded again
    Recommendation.objects.in_area(second).delete()
    Subsection.objects.filter(section__area=second).delete()
    Section.objects.filter(area=second).delete()
    GuidelineSource.objects.filter(code="SYN1").delete()
    Fact.objects.filter(area=second).delete()
    FactGroup.objects.filter(area=second).delete()
    second.delete()
    assert "Applied exported.yaml" in run("load_content", str(path))
    again = content_pack.export_pack(
        area="second", name="second-area", title=exported["title"], version="1"
    )
    assert again == exported


def test_a_code_whose_condition_names_no_fact_of_the_area_is_refused(tmp_path):
    """A code's condition (``when``) is checked like an item's: a fact the area does not
    have, or a syntax error, refuses the pack and changes nothing."""
    share_albi_facts()
    data = content_pack.read_pack(PACK)
    disease = next(f for f in data["facts"] if f["name"] == "second_disease")
    disease["choices"][0]["codes"][0]["when"] = "primary_site = colorectal"
    path = tmp_path / "bad.yaml"
    path.write_text(content_pack.dump(data), encoding="utf-8")
    with pytest.raises(Exception, match="second_disease.*when: .*primary_site"):
        run("load_content", str(path))
    assert not DiseaseArea.objects.filter(slug="second").exists()
    disease["choices"][0]["codes"][0]["when"] = "second_marker = "
    path.write_text(content_pack.dump(data), encoding="utf-8")
    with pytest.raises(Exception, match="condition \\(when\\)"):
        run("load_content", str(path))
