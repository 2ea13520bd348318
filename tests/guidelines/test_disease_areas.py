"""Disease areas: a case sees its own area's facts and recommendations, never another's.

The second area here is synthetic and exists only in these tests: two facts of its
own and three rules (one for every case, one on each of its facts, one of them also
reading the shared fact "sex"). Nothing about it is clinical.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import Case
from cases.overview import overview
from guidelines import content_pack, snapshot
from guidelines.models import DiseaseArea, Fact, Recommendation
from tests.factories import make_case, make_patient, make_recommendation
from tests.helpers import liver_content

pytestmark = pytest.mark.django_db

RULE = {"status": "verified-secondary", "verification": "secondary", "published": True,
        "section": "Synthetic section", "subsection": "Synthetic subsection"}  # fmt: skip
SYNTHETIC = {
    "format": content_pack.FORMAT,
    "pack": "synthetic",
    "title": "Synthetic area (tests only)",
    "version": "1",
    "area": {"slug": "synthetic", "name": "Synthetic area", "position": 2},
    "facts": [
        {
            "name": "syn_marker",
            "label": "Synthetic marker",
            "kind": "boolean",
            "section": "primary_tumour",
        },
        {
            "name": "syn_grade",
            "label": "Synthetic grade",
            "kind": "enum",
            "section": "primary_tumour",
            "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        },
    ],  # fmt: skip
    "sources": [],
    "sections": [{"name": "Synthetic section", "subsections": ["Synthetic subsection"]}],
    "recommendations": [
        {"id": "syn-every-case", "statement": "Synthetic statement one.", **RULE},
        {
            "id": "syn-marker",
            "statement": "Synthetic statement two.",
            "condition": "syn_marker = true",
            **RULE,
        },
        {
            "id": "syn-grade-b-women",
            "statement": "Synthetic statement three.",
            "condition": "syn_grade = b and sex = female",
            **RULE,
        },
    ],  # fmt: skip
}
SYNTHETIC_RULES = {"syn-every-case", "syn-marker", "syn-grade-b-women"}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path, data, name="synthetic.yaml"):
    path = tmp_path / name
    path.write_text(content_pack.dump(data), encoding="utf-8")
    return path


def patient_facts() -> list[dict]:
    """The shipped definitions of the shared facts about the patient (sex, age, ECOG …),
    as a pack lists the shared facts its area reads."""
    return [fact for fact in yaml_of_shipped_pack()["facts"]
            if fact.get("shared") and fact["section"] == "patient"]  # fmt: skip


@pytest.fixture
def synthetic(tmp_path) -> DiseaseArea:
    data = {**SYNTHETIC, "facts": [*patient_facts(), *SYNTHETIC["facts"]]}
    run("load_content", str(write(tmp_path, data)))
    return DiseaseArea.objects.get(slug="synthetic")


def rule_ids(panel) -> set[str]:
    results = panel.results
    return {m.rule.id for group in (results.applies, results.may_apply, results.does_not_apply)
            for m in group}  # fmt: skip


def test_the_pack_makes_the_area_with_its_own_facts_and_recommendations(synthetic):
    assert set(synthetic.facts.values_list("name", flat=True)) == {"syn_marker", "syn_grade"}
    assert set(Recommendation.objects.in_area(synthetic).values_list("slug", flat=True)) == (
        SYNTHETIC_RULES
    )
    content = snapshot.current().of(synthetic.pk)
    assert {"syn_marker", "syn_grade", "sex", "age_years"} <= set(content.catalogue)
    assert "primary_site" not in content.catalogue and "albi_grade" not in content.catalogue
    assert {rule.id for rule in content.rules} == SYNTHETIC_RULES
    # the liver library is as it was
    assert len(liver_content().rules) == 54
    assert "syn_marker" not in liver_content().catalogue


def test_a_liver_case_never_sees_the_other_areas_rules(synthetic):
    case = make_case(facts={"primary_site": "colorectal"})
    seen = overview(case)
    ids = rule_ids(seen.matches)
    assert not ids & SYNTHETIC_RULES
    assert len(ids) == 54
    assert "syn_marker" not in {spec.name for spec in seen.unknown}


def test_a_case_of_the_other_area_sees_only_its_rules_and_reads_shared_facts(synthetic):
    woman = make_patient(mrn="S-1", sex="female")
    case = make_case(patient=woman, area=synthetic, facts={"syn_grade": "b"})
    panel = overview(case).matches
    assert rule_ids(panel) == SYNTHETIC_RULES
    results = panel.results
    assert {m.rule.id for m in results.applies} == {"syn-every-case", "syn-grade-b-women"}
    assert {m.rule.id for m in results.may_apply} == {"syn-marker"}
    man = make_case(patient=make_patient(mrn="S-2", sex="male"), area=synthetic,
                    facts={"syn_grade": "b"})  # fmt: skip
    assert "syn-grade-b-women" in {m.rule.id for m in overview(man).matches.results.does_not_apply}


def test_a_condition_may_read_only_its_own_areas_facts_and_the_shared_ones(synthetic):
    syn_sub = synthetic.sections.get().subsections.get()
    with pytest.raises(ValidationError, match="primary_site"):
        make_recommendation(slug="syn-reads-liver", subsection=syn_sub,
                            condition="primary_site = colorectal")  # fmt: skip
    with pytest.raises(ValidationError, match="syn_marker"):
        make_recommendation(slug="liver-reads-syn", condition="syn_marker = true")
    make_recommendation(slug="syn-reads-shared", subsection=syn_sub, condition="sex = male")


def test_the_case_form_of_an_area_has_its_facts_and_no_lesion_table(synthetic, clinician_client):
    response = clinician_client.get(reverse("cases:case_create") + "?area=synthetic")
    fields = response.context["form"].fields
    assert "fact_syn_marker" in fields and "fact_syn_grade" in fields
    assert "fact_primary_site" not in fields and "fact_ecog" in fields  # ECOG is shared
    assert "Disease area: <strong>Synthetic area</strong>" in response.content.decode()
    case = make_case(area=synthetic, facts={"syn_marker": True})
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert 'id="lesions"' not in page and "Synthetic area" in page
    assert clinician_client.post(reverse("liver:lesion_add", args=[case.pk])).status_code == 404
    liver_case = make_case(patient=make_patient(mrn="L-1"))
    assert 'id="lesions"' in clinician_client.get(liver_case.get_absolute_url()).content.decode()


def test_with_several_areas_a_new_case_starts_by_choosing_one(
    synthetic, clinician_client, case_data
):
    page = clinician_client.get(reverse("cases:case_create")).content.decode()
    assert "Which disease area is the case?" in page
    assert "?area=liver" in page and "?area=synthetic" in page
    unknown = clinician_client.get(reverse("cases:case_create") + "?area=lung")
    assert (
        unknown.status_code == 400 and "There is no disease area “lung”" in unknown.content.decode()
    )
    # a form posted without its area saves nothing
    assert clinician_client.post(reverse("cases:case_create"), case_data).status_code == 400
    assert not Case.objects.exists()
    data = {**case_data, "area": "synthetic", "fact_syn_marker": "yes"}
    response = clinician_client.post(reverse("cases:case_create"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.area == synthetic
    assert case.facts == {"syn_marker": True}  # the liver facts of case_data are not its


def test_the_case_list_filters_by_area_once_there_are_several(synthetic, clinician_client):
    make_case(area=synthetic, question="Synthetic question?")
    make_case(patient=make_patient(mrn="L-2"), question="Liver question?")
    page = clinician_client.get(reverse("cases:case_list") + "?area=synthetic").content.decode()
    assert "Synthetic question?" in page and "Liver question?" not in page
    assert "Disease area" in page


def test_a_pack_cannot_take_a_fact_or_an_id_of_another_area(synthetic, tmp_path):
    stealing = {**SYNTHETIC, "facts": [*SYNTHETIC["facts"],
                {"name": "primary_site", "label": "Site", "kind": "boolean", "section": "patient"}]}  # fmt: skip
    with pytest.raises(CommandError, match="primary_site: it is a fact of the liver area"):
        run("load_content", str(write(tmp_path, stealing)))
    rec = {**SYNTHETIC["recommendations"][0], "id": "pc-smoking-cessation"}
    same_id = {**SYNTHETIC, "recommendations": [rec]}
    with pytest.raises(CommandError, match="pc-smoking-cessation: a recommendation of the liver"):
        run("load_content", str(write(tmp_path, same_id)))
    assert Fact.objects.get(name="primary_site").area.slug == "liver"


def test_if_empty_loads_a_new_area_and_leaves_a_loaded_one_alone(tmp_path):
    output = run("load_content", str(write(tmp_path, SYNTHETIC)), "--if-empty")
    assert "3 created" in output or "created" in output
    assert Recommendation.objects.in_area(DiseaseArea.objects.get(slug="synthetic")).count() == 3
    changed = {**SYNTHETIC, "recommendations": [
        {**SYNTHETIC["recommendations"][0], "statement": "Changed."}, *SYNTHETIC["recommendations"][1:]]}  # fmt: skip
    output = run("load_content", str(write(tmp_path, changed)), "--if-empty")
    assert "already loaded" in output
    assert Recommendation.objects.get(slug="syn-every-case").statement == "Synthetic statement one."


def test_an_areas_export_holds_its_facts_and_the_shared_ones(synthetic):
    data = content_pack.export_pack(area="synthetic", name="s", title="s", version="1")
    names = {fact["name"] for fact in data["facts"]}
    assert {"syn_marker", "syn_grade", "sex", "age_years"} <= names
    assert "primary_site" not in names
    assert all(fact.get("shared") for fact in data["facts"] if not fact["name"].startswith("syn_"))
    assert {rec["id"] for rec in data["recommendations"]} == SYNTHETIC_RULES
    # sources are not owned by an area: those no recommendation cites travel with every pack
    codes = {source["code"] for source in data["sources"]}
    assert codes == {"S1a", "S2a", "S5a"}
    liver = content_pack.export_pack(area="liver", name="l", title="l", version="1")
    assert not {rec["id"] for rec in liver["recommendations"]} & SYNTHETIC_RULES
    assert [s["name"] for s in liver["sections"]][:1] != ["Synthetic section"]


def test_match_case_asks_for_the_area_once_there_are_several(synthetic, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"syn_marker": true}', encoding="utf-8")
    with pytest.raises(CommandError, match="say which disease area with --area: liver, synthetic"):
        run("match_case", str(facts))
    output = run("match_case", str(facts), "--area", "synthetic")
    assert "syn-marker" in output and "pc-smoking-cessation" not in output
    with pytest.raises(CommandError, match="unknown fact 'syn_marker'|syn_marker"):
        run("match_case", str(facts), "--area", "liver")


def test_a_format_1_pack_is_the_liver_library_with_shared_patient_facts(tmp_path):
    data = yaml_of_shipped_pack()
    data["format"] = content_pack.FORMAT_1
    del data["area"]
    for fact in data["facts"]:
        if fact["section"] == content_pack.FORMAT_1_SHARED_SECTION:
            fact.pop("shared")  # (what format 1 shares itself; the liver function facts
            # the liver pack shared since HCC stay shared: a pack never takes one back)
    output = run("load_content", str(write(tmp_path, data, "old.yaml")))
    assert "No changes" in output  # the same library as the format-2 pack


def yaml_of_shipped_pack() -> dict:
    import yaml

    return yaml.safe_load(content_pack.DEFAULT_PACK.read_text(encoding="utf-8"))
