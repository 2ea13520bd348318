"""FHIR R4: export a case with its decisions, read bundles back, and check the bundles
with FHIRPath rules (fhirpathpy) against a stored reference bundle."""

from __future__ import annotations

import copy
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from fhirpathpy import evaluate
from fhirpathpy.models import models

from accounts.models import ReadLogEntry
from cases.models import Case, Patient
from decisions import services, signing
from decisions.models import Action, Judgement, NotFollowedReason
from guidelines import snapshot
from interop import codes, fhir, fhir_import
from tests.factories import make_case, make_lesion, make_meeting, make_patient

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "data" / "reference-bundle.json"
FACTS = {
    "primary_site": "colorectal", "tumor_sidedness": "left", "liver_metastases": "confirmed",
    "ecog": 1, "ras_status": "wild_type", "braf_v600e_status": "mutant",
    "mmr_msi_status": "pMMR_MSS", "her2_status": "negative", "cea_ng_ml": 42.5,
    "primary_diagnosis_date": "2025-03-01", "extrahepatic_disease": ["lung"],
    "smoker_current": False, "resectability": "resectable",
}  # fmt: skip
MCODE_SECONDARY = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-secondary-cancer-condition"
)
NOWHERE = "urn:uuid:00000000-0000-0000-0000-000000000000"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
RULES = {
    "one Patient": "Bundle.entry.resource.where(resourceType = 'Patient').count() = 1",
    "gender from FHIR's administrative genders": "Bundle.entry.resource.where(resourceType = "
    "'Patient').gender.all($this in ('female' | 'male' | 'other' | 'unknown'))",
    "liver metastases: SNOMED CT 94381002 under the mCODE secondary cancer profile": "Bundle.entry"
    f".resource.where(resourceType = 'Condition' and meta.profile contains '{MCODE_SECONDARY}')"
    ".code.coding.where(system = 'http://snomed.info/sct' and code = '94381002').exists()",
    "every board review is SNOMED CT 720006006 (never 103693007)": "Bundle.entry.resource.where("
    "resourceType = 'Procedure' and code.coding.where(system = 'urn:tumorboard:fhir:course:"
    "treatment').empty()).all(code.coding.where(system = 'http://snomed.info/sct' and "
    "code = '720006006').exists())",
    "a CarePlan for the signed decision": "Bundle.entry.resource.where(resourceType = "
    "'CarePlan').exists()",
    "every CarePlan addresses Conditions of the bundle": "Bundle.entry.resource.where("
    "resourceType = 'CarePlan').all(addresses.exists() and addresses.reference.all($this in "
    "%bundle.entry.where(resource.resourceType = 'Condition').fullUrl))",
    "ECOG (LOINC 89247-1) is a whole number from 0 to 5": "Bundle.entry.resource.where("
    "resourceType = 'Observation' and code.coding.where(system = 'http://loinc.org' and code = "
    "'89247-1').exists()).all(value.ofType(integer) >= 0 and value.ofType(integer) <= 5)",
    "every subject is the bundle's Patient": "Bundle.entry.resource.subject.reference.all($this "
    "in %bundle.entry.where(resource.resourceType = 'Patient').fullUrl)",
    "gene results name their HGNC gene": "Bundle.entry.resource.where(resourceType = "
    "'Observation' and code.coding.code contains '69548-6').all(component.value.ofType("
    "CodeableConcept).coding.where(system = 'http://www.genenames.org/geneId').exists())",
}


def passes(data: dict) -> list[str]:
    """The rules the bundle breaks (none, for a good one)."""
    return [name for name, rule in RULES.items()
            if evaluate(data, rule, {"bundle": data}, models["r4"]) != [True]]  # fmt: skip


@pytest.fixture
def decided_case(coordinator):
    patient = make_patient(mrn="FHIR-1", name="Ada Fhirpatient", sex="female",
                           date_of_birth=datetime.date(1961, 3, 14))  # fmt: skip
    case = make_case(patient=patient, facts=dict(FACTS),
                     question="Ada Fhirpatient (FHIR-1): resect?")  # fmt: skip
    make_lesion(case, segments=["VI", "VII"], diameter_mm=35)
    make_lesion(case, segments=["I"], diameter_mm=12)
    meeting = make_meeting([case], starts_at=timezone.now() - datetime.timedelta(days=2))
    decision = services.start(meeting.agenda_items.get(), coordinator)
    for row in decision.concordance.filter(frozen_as="applies"):
        row.judgement = Judgement.FOLLOWED
        row.save()
    first = decision.concordance.filter(frozen_as="applies").first()
    first.judgement = Judgement.NOT_FOLLOWED
    first.reason = NotFollowedReason.objects.get(name="Patient preference")
    first.save()
    decision.outcome, decision.intent = "recommendation", "curative"
    decision.pathway = "yes" if decision.shown.get("pathway") else ""
    decision.plan = "Resection after two cycles; Ada Fhirpatient agrees."
    decision.save()
    Action.objects.create(decision=decision, what="Book MRI for Ada Fhirpatient")
    meeting.board.default_chair = coordinator
    meeting.board.save()
    signing.sign(decision, coordinator, decision.version, disagreements_read=True)
    return Case.objects.select_related("patient").get(pk=case.pk)


def test_the_stored_reference_bundle_is_valid_fhir_and_keeps_every_rule():
    from fhir.resources.R4B.bundle import Bundle

    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    Bundle.model_validate(data)
    assert passes(data) == []


@pytest.mark.parametrize(
    ("rule", "corrupt"),
    [
        ("gender from FHIR's administrative genders",
         lambda d: _resource(d, "Patient").update(gender="f")),
        ("every board review is SNOMED CT 720006006 (never 103693007)",
         lambda d: _resource(d, "Procedure")["code"]["coding"][0].update(code="103693007")),
        ("every CarePlan addresses Conditions of the bundle",
         lambda d: _resource(d, "CarePlan")["addresses"].append({"reference": NOWHERE})),
        ("ECOG (LOINC 89247-1) is a whole number from 0 to 5",
         lambda d: _ecog(d).update(valueInteger=7)),
        ("liver metastases: SNOMED CT 94381002 under the mCODE secondary cancer profile",
         lambda d: _secondary(d)["meta"].update(profile=[])),
        ("one Patient", lambda d: d["entry"].append(copy.deepcopy(d["entry"][0]))),
    ],
)  # fmt: skip
def test_a_corrupted_copy_breaks_the_rule(rule, corrupt):
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    corrupt(data)
    assert rule in passes(data)


def _resource(data, kind):
    return next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind)


def _ecog(data):
    return next(e["resource"] for e in data["entry"]
                if any(c["code"] == "89247-1" for c in e["resource"].get("code", {}).get("coding", [])))  # fmt: skip


def _secondary(data):
    return next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Condition"
                and "94381002" in json.dumps(e["resource"]))  # fmt: skip


def test_an_export_keeps_the_rules_and_says_what_the_board_decided(decided_case):
    data = fhir.case_bundle(decided_case)
    assert passes(data) == []
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("Condition") == 2
    assert kinds.count("Procedure") == 1 and kinds.count("CarePlan") == 1
    patient = _resource(data, "Patient")
    assert patient["meta"]["profile"] == [codes.PROFILE_PATIENT]
    assert patient["name"] == [{"text": "Ada Fhirpatient"}] and patient["birthDate"] == "1961-03-14"
    plan = _resource(data, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"  # an action is open
    assert "followed" in plan["note"][0]["text"] and plan["description"].startswith("Resection")
    lesions = [
        e["resource"]
        for e in data["entry"]
        if "Liver lesion" in e["resource"].get("code", {}).get("text", "")
    ]
    segments = [c["valueCodeableConcept"]["coding"] for c in lesions[0]["component"][1:]]
    assert [s[0]["code"] for s in segments] == [codes.SEGMENTS["VI"], codes.SEGMENTS["VII"]]
    caudate = lesions[1]["component"][1]["valueCodeableConcept"]["coding"]
    assert [c["system"] for c in caudate] == [
        codes.value_system("couinaud_segment")
    ]  # I: unchecked


def test_a_pseudonymised_export_names_nobody_and_claims_no_patient_profile(decided_case):
    data = fhir.case_bundle(decided_case, pseudonymised=True)
    assert passes(data) == []
    text = json.dumps(data)
    assert "Fhirpatient" not in text and "FHIR-1" not in text and "1961-03-14" not in text
    assert codes.PROFILE_PATIENT not in text
    patient = _resource(data, "Patient")
    assert patient["birthDate"] == "1961" and "name" not in patient


def test_export_then_import_gives_the_same_facts_and_patient(decided_case):
    data = fhir.case_bundle(decided_case)
    found = fhir_import.read(json.dumps(data), snapshot.for_case(decided_case).catalogue)
    assert found.facts == decided_case.facts
    assert (found.mrn, found.name, found.date_of_birth, found.sex) == (
        "FHIR-1", "Ada Fhirpatient", datetime.date(1961, 3, 14), "female")  # fmt: skip
    reasons = {left.reason for left in found.left}
    assert "lesions are entered in the case's lesion table" in reasons
    assert "only Conditions and Observations give case facts" in reasons


def standard_bundle(*resources, patient=None) -> str:
    patient = patient or {"resourceType": "Patient", "gender": "male", "birthDate": "1950-01-02",
                          "name": [{"given": ["Bo"], "family": "Standard"}],
                          "identifier": [{"system": "urn:tumorboard:mrn", "value": "STD-9"}]}  # fmt: skip
    entries = [{"fullUrl": f"urn:uuid:00000000-0000-0000-0000-{n:012d}", "resource": r}
               for n, r in enumerate([patient, *resources])]  # fmt: skip
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})


def observation(system, code, **value):
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": system, "code": code}]}, **value}  # fmt: skip


def gene(hgnc):
    return {"code": {"coding": [{"system": codes.LOINC, "code": "48018-6"}]},
            "valueCodeableConcept": {"coding": [{"system": codes.HGNC, "code": hgnc}]}}  # fmt: skip


def test_standard_codes_from_another_system_are_read_where_their_meaning_is_certain():
    absent = {"valueCodeableConcept": {"coding": [{"system": codes.LOINC, "code": "LA9634-2"}]}}
    raw = standard_bundle(
        {"resourceType": "Condition", "subject": {"reference": "urn:uuid:x"},
         "code": {"coding": [{"system": codes.ICD10, "code": "C18.7"}]}},
        {"resourceType": "Condition", "subject": {"reference": "urn:uuid:x"},
         "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "provisional"}]},
         "code": {"coding": [{"system": codes.SNOMED, "code": "94381002"}]}},
        observation(codes.LOINC, "89247-1", valueInteger=2),
        observation(codes.LOINC, "81695-9",
                    valueCodeableConcept={"coding": [{"system": codes.LOINC, "code": "LA26202-4"}]}),
        {**observation(codes.LOINC, "69548-6", **absent), "component": [gene("HGNC:6407"), gene("HGNC:7989")]},
        {**observation(codes.LOINC, "69548-6", **absent), "component": [gene("HGNC:1097")]},
        observation(codes.LOINC, "2160-0", valueQuantity={"value": 1.1, "unit": "mg/dL"}),
        {"resourceType": "Procedure", "status": "completed", "subject": {"reference": "urn:uuid:x"}},
    )  # fmt: skip
    found = fhir_import.read(raw, snapshot.current().by_slug("liver").catalogue)
    assert found.facts == {"primary_site": "colorectal", "liver_metastases": "suspected",
                           "ecog": 2, "ras_status": "wild_type"}  # fmt: skip
    assert (found.mrn, found.name, found.sex) == ("STD-9", "Bo Standard", "male")
    reasons = " | ".join(f"{left.what}: {left.reason}" for left in found.left)
    assert "an answer that is not a value of the catalogue" in reasons  # MSI-L
    assert "does not say whether the variant is V600E" in reasons
    assert "LOINC 2160-0): no code this app recognises" in reasons
    assert "Procedure 9: only Conditions and Observations" in reasons


def test_the_same_fact_given_twice_differently_is_left_not_guessed():
    raw = standard_bundle(observation(codes.LOINC, "89247-1", valueInteger=1),
                          observation(codes.LOINC, "89247-1", valueInteger=3))  # fmt: skip
    found = fhir_import.read(raw, snapshot.current().by_slug("liver").catalogue)
    assert "ecog" not in found.facts
    assert any("given more than once with different values" in left.reason for left in found.left)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "The file is not JSON"),
        ('{"resourceType": "Patient"}', "is not a FHIR Bundle"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": '
         '{"resourceType": "Patient", "gender": 3}}]}',
         "is not valid FHIR R4: entry.0.resource.gender"),
        ('{"resourceType": "Bundle", "type": "collection"}', "The bundle has no Patient."),
    ],
)  # fmt: skip
def test_a_bad_bundle_gets_a_clear_message(raw, message):
    with pytest.raises(fhir_import.BundleError, match=message):
        fhir_import.read(raw, snapshot.current().by_slug("liver").catalogue)


def test_the_case_page_exports_its_bundle_into_the_read_log(clinician_client, decided_case):
    response = clinician_client.get(reverse("interop:case_fhir", args=[decided_case.pk]))
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert json.loads(response.content)["resourceType"] == "Bundle"
    assert ReadLogEntry.objects.filter(kind="fhir", case_id=decided_case.pk).exists()


def test_an_upload_fills_the_case_form_and_saves_nothing_until_the_case_is_saved(
    clinician_client, decided_case, case_data
):
    raw = json.dumps(fhir.case_bundle(decided_case)).replace("FHIR-1", "FHIR-2")
    before = (Patient.objects.count(), Case.objects.count())
    upload = io.BytesIO(raw.encode())
    upload.name = "bundle.json"
    response = clinician_client.post(
        reverse("interop:fhir_import"), {"bundle": upload, "area": "liver"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "From the FHIR bundle: nothing is saved yet" in page
    assert response.context["form"].initial["fact_ras_status"] == "wild_type"
    assert response.context["form"].initial["fact_smoker_current"] == "no"
    assert 'value="FHIR-2"' in page and (Patient.objects.count(), Case.objects.count()) == before
    bad = io.BytesIO(b"{}")
    bad.name = "bad.json"
    refused = clinician_client.post(
        reverse("interop:fhir_import"), {"bundle": bad, "area": "liver"}
    )
    assert refused.status_code == 400 and "is not a FHIR Bundle" in refused.content.decode()


def test_the_commands_export_a_pseudonymised_meeting_and_import_with_save(decided_case, tmp_path):
    meeting = decided_case.meetings.get()
    meeting.pseudonymise = True
    meeting.save()
    out = tmp_path / "meeting.json"
    call_command("export_fhir", "--meeting", meeting.pk, "--output", str(out), stdout=io.StringIO())
    assert "Fhirpatient" not in out.read_text(encoding="utf-8")
    single = tmp_path / "case.json"
    call_command("export_fhir", "--case", decided_case.pk, "-o", str(single), stdout=io.StringIO())
    with pytest.raises(CommandError, match="missing --question"):
        call_command("import_fhir", str(single), "--save", stdout=io.StringIO())
    output = io.StringIO()
    call_command("import_fhir", str(single), "--save", "--question", "Second opinion?",
                 "--referring-clinician", "Dr. R", stdout=output)  # fmt: skip
    assert "Found patient FHIR-1; created draft case" in output.getvalue()
    copy_case = Case.objects.exclude(pk=decided_case.pk).get(patient__mrn="FHIR-1")
    assert copy_case.facts == decided_case.facts and copy_case.status == "draft"
    with pytest.raises(CommandError, match="There is no case 999999"):
        call_command("export_fhir", "--case", 999999, stdout=io.StringIO())


def test_a_file_too_large_is_refused_before_it_is_read(clinician_client, monkeypatch):
    monkeypatch.setattr(fhir_import, "MAX_BYTES", 1024)
    upload = io.BytesIO(b" " * 2048)
    upload.name = "big.json"
    response = clinician_client.post(
        reverse("interop:fhir_import"), {"bundle": upload, "area": "liver"}
    )
    assert response.status_code == 400 and "larger than" in response.content.decode()


DEEP = 100_000  # far past Python's recursion limit


@pytest.mark.parametrize(
    "raw",
    [
        '{"resourceType": "Bundle", "type": "collection", "x": ' + "[" * DEEP + "]" * DEEP + "}",
        standard_bundle({"resourceType": "Basic", "extension": [json.loads("[" * 70 + "]" * 70)]}),
    ],
    ids=["nested beyond recursion", "nested 70 deep"],
)
def test_deeply_nested_json_is_refused_with_a_message_never_a_crash(clinician_client, raw):
    with pytest.raises(fhir_import.BundleError, match="nests deeper than 64 levels"):
        fhir_import.read(raw, snapshot.current().by_slug("liver").catalogue)
    upload = io.BytesIO(raw.encode())
    upload.name = "deep.json"
    response = clinician_client.post(
        reverse("interop:fhir_import"), {"bundle": upload, "area": "liver"}
    )
    assert (
        response.status_code == 400 and "nests deeper than 64 levels" in response.content.decode()
    )


def test_a_gender_the_app_does_not_know_is_reported_as_left_out():
    patient = {"resourceType": "Patient", "gender": "nonbinary", "birthDate": "1950-01-02",
               "identifier": [{"system": "urn:tumorboard:mrn", "value": "STD-9"}]}  # fmt: skip
    found = fhir_import.read(
        standard_bundle(patient=patient), snapshot.current().by_slug("liver").catalogue
    )
    assert found.sex == ""
    assert any(
        left.what == "Patient" and "gender 'nonbinary' is not one this app records" in left.reason
        for left in found.left
    )


@pytest.fixture
def case_with_course(decided_case):
    """Two imaging timepoints (a partial response), CEA twice, two treatments."""
    from cases.models import DatedValue, Treatment
    from tests.factories import make_timepoint, measure

    patient = decided_case.patient
    patient.timepoints.all().delete()  # (the lesions' first sizes: measured again below)
    first, second = decided_case.lesions.order_by("number")
    first.target = True
    first.save()
    base = make_timepoint(decided_case, datetime.date(2026, 6, 1), "ct", place="City Hospital",
                          study_uid="1.2.840.113619.2.1", accession_number="ACC-77",
                          conclusion="Two lesions.")  # fmt: skip
    later = make_timepoint(decided_case, datetime.date(2026, 9, 1), "mri", non_target="present")
    measure(first, base.day, 40, "ct")
    measure(second, base.day, 12, "ct")
    measure(first, later.day, 20, "mri")
    measure(second, later.day, "not_seen", "mri")
    for day, value in ((datetime.date(2026, 6, 2), 40.0), (datetime.date(2026, 9, 2), 12.5)):
        DatedValue.objects.create(patient=patient, fact="cea_ng_ml", value=value, day=day)
    Treatment.objects.create(patient=patient, kind="systemic", line=1, regimen="FOLFOX",
                             started_on=datetime.date(2026, 6, 10),
                             ended_on=datetime.date(2026, 8, 20), cycles=6,
                             stop_reason="completed")  # fmt: skip
    Treatment.objects.create(patient=patient, kind="liver_resection", regimen="Segmentectomy",
                             started_on=datetime.date(2026, 10, 1))  # fmt: skip
    return Case.objects.select_related("patient").get(pk=decided_case.pk)


COURSE = {
    "imaging": [
        {"day": "2026-06-01", "modality": "ct", "place": "City Hospital",
         "conclusion": "Two lesions.", "accession_number": "ACC-77",
         "study_uid": "1.2.840.113619.2.1", "non_target": "", "new_lesion": False},
        {"day": "2026-09-01", "modality": "mri", "place": "", "conclusion": "",
         "accession_number": "", "study_uid": "", "non_target": "present", "new_lesion": False},
    ],
    "values": [{"fact": "cea_ng_ml", "day": "2026-06-02", "value": 40.0},
               {"fact": "cea_ng_ml", "day": "2026-09-02", "value": 12.5}],
    "treatments": [
        {"kind": "systemic", "line": 1, "cycles": 6, "regimen": "FOLFOX",
         "started_on": "2026-06-10", "ended_on": "2026-08-20", "stop_reason": "completed"},
        {"kind": "liver_resection", "line": None, "cycles": None, "regimen": "Segmentectomy",
         "started_on": "2026-10-01", "ended_on": None, "stop_reason": ""},
    ],
}  # fmt: skip


def test_the_course_goes_out_and_comes_back(case_with_course):
    data = fhir.case_bundle(case_with_course)  # (checked by fhir.resources as it is built)
    assert passes(data) == []
    studies = [e["resource"] for e in data["entry"]
               if e["resource"]["resourceType"] == "ImagingStudy"]  # fmt: skip
    assert [s["started"] for s in studies] == ["2026-06-01", "2026-09-01"]
    assert {"system": "urn:dicom:uid", "value": "urn:oid:1.2.840.113619.2.1"} in (
        studies[0]["identifier"]
    )
    # 20 mm against 40 mm: −50 %, a partial response, derived from the second study.
    response = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"]
                    == "Observation" and e["resource"]["code"]["coding"][0]["code"]
                    == "recist_overall_response")  # fmt: skip
    assert response["valueCodeableConcept"]["coding"][0]["code"] == "PR"
    assert response["valueCodeableConcept"]["text"] == "SoD 20 mm, baseline 40 mm: −50 %: PR"
    assert response["effectiveDateTime"] == "2026-09-01"
    cea = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Observation"
           and any(c["code"] == "cea_ng_ml" for c in e["resource"]["code"]["coding"])]  # fmt: skip
    assert [(c["effectiveDateTime"], c["valueQuantity"]["value"]) for c in cea] == [
        ("2026-06-02", 40.0), ("2026-09-02", 12.5)]  # fmt: skip
    found = fhir_import.read(json.dumps(data), snapshot.for_case(case_with_course).catalogue)
    assert found.course == COURSE
    assert "cea_ng_ml" not in found.facts or found.facts["cea_ng_ml"] == FACTS["cea_ng_ml"]
    reasons = {left.reason for left in found.left}
    assert any(reason.startswith("the response and the measurements are computed here")
               for reason in reasons)  # fmt: skip


def test_a_pseudonymised_export_leaves_out_the_studies_identifiers(case_with_course):
    text = json.dumps(fhir.case_bundle(case_with_course, pseudonymised=True))
    assert "1.2.840.113619.2.1" not in text and "ACC-77" not in text
    assert '"started": "2026-06-01"' in text


def test_an_imported_course_is_recorded_with_the_new_case(
    clinician_client, case_with_course, case_data
):
    raw = json.dumps(fhir.case_bundle(case_with_course)).replace("FHIR-1", "FHIR-3")
    upload = io.BytesIO(raw.encode())
    upload.name = "bundle.json"
    page = clinician_client.post(reverse("interop:fhir_import"), {"bundle": upload,
                                                                   "area": "liver"})  # fmt: skip
    signed = page.context["form"].initial["imported_course"]
    data = {**case_data, "mrn": "FHIR-3", "imported_course": signed}
    clinician_client.post(reverse("cases:case_create"), data)
    patient = Patient.objects.get(mrn="FHIR-3")
    assert [(t.day.isoformat(), t.modality, t.study_uid) for t in patient.timepoints.all()] == [
        ("2026-06-01", "ct", "1.2.840.113619.2.1"), ("2026-09-01", "mri", "")]  # fmt: skip
    assert sorted(patient.dated_values.values_list("value", flat=True)) == [12.5, 40.0]
    assert [t.regimen for t in patient.treatments.order_by("started_on")] == [
        "FOLFOX", "Segmentectomy"]  # fmt: skip
    # A changed course is refused with a message, and nothing is saved.
    tampered = {**case_data, "mrn": "FHIR-4", "imported_course": signed[:-2] + "xx"}
    refused = clinician_client.post(reverse("cases:case_create"), tampered).content.decode()
    assert "The course read from the bundle could not be read back" in refused
    assert not Patient.objects.filter(mrn="FHIR-4").exists()
