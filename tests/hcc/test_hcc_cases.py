"""Using the HCC area: a case chosen HCC at creation, its form, lesion table (with the
area's own per-lesion fields), stage and matches on the page and in the printed section,
``match_case --area hcc`` with lesion rows, a decision that follows one of a group of
alternatives, and the demo data. Expected values worked out by hand from the sheet."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import Case
from cases.overview import overview
from cases.summary import build_section
from decisions import services, signing
from decisions.models import Decision, Judgement, Modality
from tests.factories import make_case, make_lesion, make_meeting, make_patient

pytestmark = pytest.mark.django_db

FACTS = {
    "ecog": 0, "cirrhosis": True, "hcc_diagnosis": "confirmed_imaging",
    "serum_bilirubin_umol_l": 32.49, "albumin_g_l": 40, "inr": 1.2, "ascites": "none",
    "encephalopathy": "none", "macrovascular_invasion": False, "extrahepatic_spread": False,
    "transplant_candidate": "no", "serum_creatinine_umol_l": 114.92,
    "serum_sodium_mmol_l": 130, "platelets_10e9_l": 150, "varices": "none",
    "splenomegaly": False, "resectability": "resectable", "bilirubin_normal": True,
    "systemic_therapy_line": "none_yet",
}  # fmt: skip


def hcc_case(hcc, mrn="H-1", **facts):
    patient = make_patient(mrn=mrn, name="Hal Hepato", sex="male")
    return make_case(patient=patient, area=hcc, facts={**FACTS, **facts},
                     question="Which curative treatment?")  # fmt: skip


def test_the_case_page_shows_the_stage_how_it_was_reached_and_the_matches(hcc, clinician_client):
    case = hcc_case(hcc)
    # A 24 mm nodule after TACE with 8 mm viable tumour (not counted), a 30 mm one.
    make_lesion(case, diameter_mm=24, segments=["III"], vessels="none",
                viable_diameter_mm=8, bile_duct_contact=False)  # fmt: skip
    make_lesion(case, diameter_mm=30, segments=["VI"], vessels="none", bile_duct_contact=False)
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    # Two rows ≤ 30 mm: BCLC A; Milan on viable diameters: one counted nodule of 30 mm.
    assert "BCLC A (early)" in page
    assert "1 counted nodule (30 mm); 1 under 10 mm not counted" in page
    assert "MELD-Na (OPTN 2016)" in page and "19" in page  # the sheet's worked example
    assert "Figure 1 not checked" in page
    assert "24 mm, viable 8 mm" in page and "no bile duct contact" in page
    seen = overview(Case.objects.get(pk=case.pk))
    applies = {m.rule.id for m in seen.matches.results.applies}
    # Child-Pugh 5 (A), no portal hypertension: resection and thermal ablation apply;
    # the two nodules are not adjacent to a vessel or duct (from the rows).
    assert {"hcc-rs-esmo-bclc0a-resection", "hcc-ab-esmo-bclc0a-thermal"} <= applies
    assert "hcc-lt-esmo-bclc0a-transplant" not in applies  # not a transplant candidate


def test_the_lesion_form_asks_the_areas_own_fields_only(hcc, clinician_client):
    hcc_page = clinician_client.get(hcc_case(hcc).get_absolute_url() + "?lesion=new")
    liver_case = make_case(patient=make_patient(mrn="L-1"))
    liver_page = clinician_client.get(liver_case.get_absolute_url() + "?lesion=new")
    assert "viable_diameter_mm" in hcc_page.content.decode()
    assert "bile_duct_contact" in hcc_page.content.decode()
    assert "viable_diameter_mm" not in liver_page.content.decode()


def test_a_lesion_added_with_a_viable_diameter_changes_milan(hcc, clinician_client):
    case = hcc_case(hcc)
    url = reverse("liver:lesion_add", args=[case.pk])
    data = {f"new-{name}": value for name, value in {
        "segments": ["VII"], "diameter_mm": "60", "imaging": "mri",
        "imaging_date": "2026-11-01", "vessels": "none", "bile_duct_contact": "false",
        "planned_treatment": "none_decided", "disappeared": "unknown"}.items()}  # fmt: skip
    refused = clinician_client.post(url, {**data, "new-viable_diameter_mm": "-1"})
    assert refused.status_code == 200 and "greater than or equal to 0" in refused.content.decode()
    assert not case.lesions.exists()  # refused, nothing saved
    clinician_client.post(url, {**data, "new-viable_diameter_mm": "40"})
    lesion = case.lesions.get()
    assert lesion.viable_diameter_mm == 40 and lesion.bile_duct_contact is False
    values = Case.objects.get(pk=case.pk).fact_values(overview(case).catalogue)
    # 60 mm single nodule is outside Milan, its 40 mm viable tumour within.
    assert values["within_milan"] is True and values["bclc_stage"] == "early"


def test_a_new_case_chooses_its_area_and_the_hcc_form_shows_hccs_groups(
    hcc, clinician_client, case_data
):
    page = clinician_client.get(reverse("cases:case_create")).content.decode()
    assert "?area=hcc" in page and "?area=liver" in page
    form = clinician_client.get(reverse("cases:case_create") + "?area=hcc").context["form"]
    labels = [label for label, _ in form.fact_sections()]
    assert "HCC diagnosis and tumour" in labels and "Liver transplantation" in labels
    assert "Primary tumour" not in labels and "Molecular profile" not in labels
    data = {**case_data, "area": "hcc", "fact_hcc_diagnosis": "confirmed_histology",
            "fact_cirrhosis": "yes", "fact_serum_creatinine_umol_l": "1.3",
            "fact_serum_creatinine_umol_l__unit": "mg/dL"}  # fmt: skip
    response = clinician_client.post(reverse("cases:case_create"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.area == hcc
    assert case.facts["hcc_diagnosis"] == "confirmed_histology"
    assert case.facts["serum_creatinine_umol_l"] == pytest.approx(114.92)
    assert "primary_site" not in case.facts  # the liver facts of case_data are not its


def test_a_meeting_prints_each_case_with_its_own_areas_section(hcc):
    liver_case = make_case(patient=make_patient(mrn="L-2"), facts={"primary_site": "colorectal"})
    case = hcc_case(hcc, lesion_count=1, largest_lesion_mm=18)
    make_meeting([liver_case, case])
    hcc_section = build_section(case, 2, pseudonymise=False)
    liver_section = build_section(liver_case, 1, pseudonymise=False)
    assert hcc_section.seen.area.slug == "hcc"
    assert liver_section.seen.area.slug == "liver"
    names = {score.name for score in hcc_section.seen.scores}
    assert {"BCLC stage", "Milan criteria", "MELD-Na (OPTN 2016)"} <= names
    assert "BCLC stage" not in {score.name for score in liver_section.seen.scores}


def run_match_case(argv, capsys):
    """The command's exit status, output and error (``call_command``: running it from
    argv would close the connection that holds the module's loaded pack)."""
    out = io.StringIO()
    try:
        call_command("match_case", *argv, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def test_match_case_reads_lesion_rows_and_prints_the_derived_facts(hcc, tmp_path, capsys):
    facts = {**FACTS, "sex": "male", "bclc_stage": "terminal", "within_milan": False,
             "lesions": [
                 {"segments": ["VI"], "diameter_mm": 28, "vessel": "none",
                  "bile_duct_contact": False},
                 {"segments": ["II"], "diameter_mm": 45, "viable_diameter_mm": 0,
                  "vessel": "none", "bile_duct_contact": False},
                 {"segments": ["VIII"], "diameter_mm": 8, "vessel": "hepatic_vein"},
             ]}  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    status, out, _ = run_match_case([str(path), "--area", "hcc"], capsys)
    assert status == 0
    data = json.loads(out)
    derived = {item["fact"]: item for item in data["derived"]}
    # Three rows, largest 45 mm: BCLC B (the typed "terminal" is overridden); Milan on
    # viable diameters ≥ 10 mm: one nodule of 28 mm; MELD 13, MELD-Na 19 (§3.6).
    assert derived["bclc_stage"]["value"] == "intermediate"
    assert derived["bclc_stage"]["shown"] == "BCLC B (intermediate)"
    assert "3 nodule(s), largest 45 mm: tumour burden B" in derived["bclc_stage"]["how"]
    assert derived["within_milan"]["value"] is True
    assert "2 under 10 mm not counted" in derived["within_milan"]["how"]
    assert (derived["meld"]["value"], derived["meld_na"]["value"]) == (13, 19)
    assert derived["pregnant"]["how"] == "follows from Sex: Male"
    # Row 3 touches a hepatic vein: thermal ablation does not apply.
    ids = {item["id"] for item in data["does_not_apply"]}
    assert "hcc-ab-esmo-bclc0a-thermal" in ids


@pytest.mark.parametrize(
    ("lesions", "message"),
    [
        ({"segments": ["VI"]}, "lesions must be a list"),
        ([{"segments": ["IX"]}], "lesions[1]: segments must be a list of Couinaud segments"),
        ([{"segments": ["VI"], "diameter_mm": 0}], "lesions[1].diameter_mm must be a whole"),
        ([{"segments": ["VI"], "viable_diameter_mm": 12.5}], "lesions[1].viable_diameter_mm"),
        ([{"segments": ["VI"], "vessel": "aorta"}], "lesions[1].vessel must be one of none"),
        ([{"segments": ["VI"], "colour": "red"}], "lesions[1]: unknown key(s) colour"),
    ],
)
def test_match_case_refuses_bad_lesion_rows_naming_the_problem(
    hcc, tmp_path, capsys, lesions, message
):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"lesions": lesions}), encoding="utf-8")
    status, out, err = run_match_case([str(path), "--area", "hcc"], capsys)
    assert status == 2 and message in err and out == ""


def test_the_liver_area_has_no_hcc_lesion_fields(hcc, tmp_path, capsys):
    path = tmp_path / "case.json"
    rows = [{"segments": ["VI"], "diameter_mm": 30, "viable_diameter_mm": 10}]
    path.write_text(json.dumps({"lesions": rows}), encoding="utf-8")
    status, _, err = run_match_case([str(path), "--area", "liver"], capsys)
    assert status == 2 and "unknown key(s) viable_diameter_mm" in err
    path.write_text(json.dumps({"lesions": [{"segments": ["VI"], "diameter_mm": 30}]}),
                    encoding="utf-8")  # fmt: skip
    status, out, _ = run_match_case([str(path), "--area", "liver"], capsys)
    assert status == 0
    derived = {item["fact"] for item in json.loads(out)["derived"]}
    # The row gives the count (not derived, so not listed) and the tumour burden score.
    assert "lesion_count" not in derived and "tumour_burden_score" in derived


def test_following_one_alternative_marks_the_others_and_counts_the_group(hcc, clinician):
    case = hcc_case(hcc, lesion_count=1, largest_lesion_mm=24,
                    ablation_target_near_vessel_or_duct=False, typical_hcc_imaging=True)  # fmt: skip
    meeting = make_meeting([case])
    item = meeting.agenda_items.get()
    decision = services.start(item, clinician)
    decision.outcome, decision.intent = "recommendation", "curative"
    decision.plan = "Thermal ablation."
    decision.pathway = "yes" if decision.shown.get("pathway") else ""
    decision.save()
    decision.modalities.set(Modality.objects.filter(code="ablation"))
    services.accept_proposals(decision, clinician, decision.version)
    rows = dict(decision.concordance.values_list("recommendation", "judgement"))
    # hcc-early-curative: ablation followed; resection and radiotherapy alternatives chosen.
    assert rows["hcc-ab-esmo-bclc0a-thermal"] == Judgement.FOLLOWED
    assert rows["hcc-rs-esmo-bclc0a-resection"] == Judgement.ALTERNATIVE_CHOSEN
    assert rows["hcc-rs-easl-well-preserved-function"] == Judgement.ALTERNATIVE_CHOSEN
    assert rows["hcc-lr-esmo-bclc0a-alternatives"] == Judgement.ALTERNATIVE_CHOSEN
    decision.concordance.filter(judgement="").exclude(frozen_as="pending").update(
        judgement=Judgement.ALREADY_DONE
    )
    decision.refresh_from_db()
    signed = signing.sign(decision, clinician, decision.version)
    assert signed.classification.klass == "concordant"


def test_the_demo_shows_the_second_area_at_once(hcc, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=io.StringIO())
    upcoming = Case.objects.filter(patient__mrn__in=["DEMO-2001", "DEMO-2002", "DEMO-1001"])
    areas = {case.patient.mrn: case.area.slug for case in upcoming}
    assert areas == {"DEMO-2001": "hcc", "DEMO-2002": "hcc", "DEMO-1001": "liver"}
    for case in upcoming.filter(area=hcc):  # on the upcoming meeting with the liver cases
        assert case.agenda_items.filter(meeting__starts_at__gt=case.created_at).exists()
    stage = {
        mrn: Case.objects.get(patient__mrn=mrn).fact_values(
            overview(Case.objects.get(patient__mrn=mrn)).catalogue
        )
        for mrn in ("DEMO-2001", "DEMO-2002")
    }
    assert (stage["DEMO-2001"]["bclc_stage"], stage["DEMO-2001"]["within_milan"]) == (
        "early", True)  # fmt: skip
    assert stage["DEMO-2001"]["child_pugh_class"] == "A"
    assert stage["DEMO-2002"]["bclc_stage"] == "advanced"
    past = Decision.objects.get(agenda_item__case__patient__mrn="DEMO-2003", status="signed")
    judged = dict(past.concordance.values_list("recommendation", "judgement"))
    assert judged["hcc-ab-esmo-bclc0a-thermal"] == "followed"
    assert judged["hcc-rs-esmo-bclc0a-resection"] == "alternative_chosen"
    assert past.classification.klass == "concordant"


def test_the_dashboard_compares_the_areas(hcc, clinician, coordinator_client):
    """One concordant HCC decision beside a discordant liver one, on the same meeting."""
    from decisions.models import NotFollowedReason
    from quality import report

    liver_case = make_case(patient=make_patient(mrn="L-9"),
                           facts={"primary_site": "gist", "liver_resection_done": True,
                                  "pregnant": False, "liver_metastases": "confirmed"})  # fmt: skip
    case = hcc_case(hcc, lesion_count=1, largest_lesion_mm=24,
                    ablation_target_near_vessel_or_duct=False, typical_hcc_imaging=True)  # fmt: skip
    meeting = make_meeting([liver_case, case])
    for item, plan in zip(meeting.agenda_items.order_by("position"), ("surveillance", "ablation"),
                          strict=True):  # fmt: skip
        decision = services.start(item, clinician)
        decision.outcome, decision.intent, decision.plan = "recommendation", "curative", plan
        decision.pathway = "yes" if decision.shown.get("pathway") else ""
        decision.save()
        decision.modalities.set(Modality.objects.filter(code=plan))
        services.accept_proposals(decision, clinician, decision.version)
        decision.concordance.filter(judgement="", frozen_as="applies").update(
            judgement=Judgement.NOT_FOLLOWED if plan == "surveillance" else Judgement.ALREADY_DONE,
            reason=NotFollowedReason.objects.get(name="Patient preference")
            if plan == "surveillance" else None,
        )  # fmt: skip
        decision.refresh_from_db()
        signing.sign(decision, clinician, decision.version)
    scope = report.Scope(boards=(meeting.board,), start=meeting.starts_at.date(),
                         end=meeting.starts_at.date())  # fmt: skip
    figures = report.build(scope)
    assert [(s.label, s.part, s.whole) for s in figures.by_area] == [
        ("Liver metastases", 0, 1), ("Hepatocellular carcinoma", 1, 1)]  # fmt: skip
    page = coordinator_client.get(reverse("quality:dashboard")).content.decode()
    assert "by disease area" in page and "Hepatocellular carcinoma" in page
