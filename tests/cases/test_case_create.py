"""Entering a new case: the no-JavaScript path, validation, patients and units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, Patient
from tests.factories import make_case, make_patient
from tests.helpers import fact_row

pytestmark = pytest.mark.django_db


def test_the_form_shows_the_catalogue_sections_in_order(clinician_client):
    page = clinician_client.get(reverse("cases:case_create")).content.decode()
    order = ["Patient identification", "Referral", "Patient", "Primary tumour", "Liver disease", "Molecular profile",
             "Treatment history and plan", "Perioperative risk"]  # fmt: skip
    positions = [page.index(f"<legend>{name}</legend>") for name in order]
    assert positions == sorted(positions)
    # each fact type has its widget; sex and age come from the patient record
    fields = clinician_client.get(reverse("cases:case_create")).context["form"].fields
    assert fields["fact_smoker_current"].widget.input_type == "radio"
    assert fields["fact_primary_site"].widget.input_type == "select"
    assert fields["fact_alcohol_g_per_day"].widget.input_type == "number"
    assert fields["fact_alcohol_g_per_day"].unit == "g/day" and "g/day" in page
    assert "fact_sex" not in fields and "fact_age_years" not in fields


def test_a_valid_case_is_saved_without_javascript(clinician_client, clinician, case_data):
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.patient.mrn == "H-123456"
    assert case.facts == {
        "primary_site": "colorectal",
        "planned_procedure": "hepatectomy",
        "smoker_current": True,
        "cirrhosis": False,
        "alcohol_g_per_day": 30.0,
    }
    assert case.created_by == clinician
    assert case.version == 1


def test_the_saved_case_page_shows_the_matches(clinician_client, case_data):
    response = clinician_client.post(reverse("cases:case_create"), case_data, follow=True)
    page = response.content.decode()
    assert "Case saved." in page
    applies = page[page.index("group-applies") : page.index("group-may-apply")]
    assert "pc-smoking-cessation" in applies
    # sex comes from the patient record: 30 g a day is heavy drinking for a woman
    assert "pc-alcohol-cessation" in applies
    may_apply = page[page.index("group-may-apply") : page.index("group-does-not-apply")]
    assert "Enter Liver metastases to decide." in may_apply


def test_bilirubin_in_mg_dl_is_stored_in_umol_l(clinician_client, case_data):
    case_data.update(fact_serum_bilirubin_umol_l="3", fact_serum_bilirubin_umol_l__unit="mg/dL")
    clinician_client.post(reverse("cases:case_create"), case_data)
    assert Case.objects.get().facts["serum_bilirubin_umol_l"] == 51.3


def test_bilirubin_in_umol_l_is_stored_as_entered(clinician_client, case_data):
    case_data.update(fact_serum_bilirubin_umol_l="51.3")
    clinician_client.post(reverse("cases:case_create"), case_data)
    assert Case.objects.get().facts["serum_bilirubin_umol_l"] == 51.3


def test_unknown_is_a_real_answer(clinician_client, case_data):
    case_data.update(fact_smoker_current="", fact_primary_site="", fact_alcohol_g_per_day="")
    clinician_client.post(reverse("cases:case_create"), case_data)
    facts = Case.objects.get().facts
    assert "smoker_current" not in facts and "primary_site" not in facts
    assert "alcohol_g_per_day" not in facts


BAD_INPUT = [
    ("mrn", "", "mrn", "This field is required."),
    ("mrn", "<script>alert(1)</script>", "mrn", "Use letters, digits, spaces"),
    ("patient_name", "   ", "patient_name", "This field is required."),
    ("patient_name", "Ada\x00Lovelace", "patient_name", "Null characters are not allowed."),
    ("date_of_birth", "2090-01-01", "date_of_birth", "The date of birth is in the future."),
    ("date_of_birth", "yesterday", "date_of_birth", "Enter a valid date."),
    ("date_of_birth", "1850-01-01", "date_of_birth", "Enter a date of birth after 1900."),
    (
        "referral_date",
        "1959-01-01",
        "referral_date",
        "The referral date is before the date of birth.",
    ),
    ("sex", "alien", "sex", "Select a valid choice."),
    ("status", "done", "status", "Select a valid choice."),
    ("question", "", "question", "This field is required."),
    ("question", "x" * 100_000, "question", "Ensure this value has at most 2000 characters"),
    (
        "clinical_summary",
        "y" * 100_000,
        "clinical_summary",
        "Ensure this value has at most 20000 characters",
    ),
    ("fact_primary_site", "lung", "fact_primary_site", "Select a valid choice."),
    ("fact_smoker_current", "maybe", "fact_smoker_current", "Select a valid choice."),
    (
        "fact_alcohol_g_per_day",
        "-5",
        "fact_alcohol_g_per_day",
        "outside the allowed range (≥ 0 g/day)",
    ),
    ("fact_alcohol_g_per_day", "lots", "fact_alcohol_g_per_day", "Enter a number."),
    ("fact_alcohol_g_per_day", "1e400", "fact_alcohol_g_per_day", "Enter a number."),
    ("fact_alcohol_g_per_day", "99999999999", "fact_alcohol_g_per_day", "implausibly large"),
    ("fact_bmi_kg_m2", "5", "fact_bmi_kg_m2", "outside the allowed range (10–80 kg/m²)"),
    (
        "fact_future_liver_remnant_pct",
        "150",
        "fact_future_liver_remnant_pct",
        "outside the allowed range",
    ),
    (
        "fact_serum_bilirubin_umol_l__unit",
        "g/L",
        "fact_serum_bilirubin_umol_l__unit",
        "Select a valid choice.",
    ),
    ("patient_name", "Ada \u202eelpmaxE", "patient_name", "invisible text-direction characters"),
    (
        "referring_clinician",
        "Dr. \u2067Who\u2069",
        "referring_clinician",
        "invisible text-direction characters",
    ),
]


@pytest.mark.parametrize(("name", "value", "field", "message"), BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_saved(
    clinician_client, case_data, name, value, field, message
):
    case_data[name] = value
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field])
    page = response.content.decode()
    block = page[page.index(f'id="field-{field.removesuffix("__unit")}"') :]
    assert "errors" in block[:3000]
    assert "Nothing has been saved." in page
    assert Case.objects.count() == 0
    assert Patient.objects.count() == 0


def test_a_converted_value_out_of_range_says_so(clinician_client, case_data):
    case_data.update(fact_serum_bilirubin_umol_l="-1", fact_serum_bilirubin_umol_l__unit="mg/dL")
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    [error] = response.context["form"].errors["fact_serum_bilirubin_umol_l"]
    assert "outside the allowed range" in error and "after conversion" in error


def test_markup_in_text_is_stored_as_typed_and_shown_as_text(clinician_client, case_data):
    payload = (
        '<script>alert(1)</script><img src=x onerror="alert(2)"><style>body{display:none}</style>'
    )
    case_data.update(question=payload, clinical_summary=payload)
    response = clinician_client.post(reverse("cases:case_create"), case_data, follow=True)
    page = response.content.decode()
    assert Case.objects.get().question == payload
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page and "<style>body" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_existing_mrn_is_offered_instead_of_a_duplicate(clinician_client, case_data):
    make_patient(mrn="h-123456", name="Ada Example")
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    [error] = response.context["form"].errors["mrn"]
    assert "A patient with MRN h-123456 already exists: Ada Example, born 01 May 1960" in error
    assert Patient.objects.count() == 1 and Case.objects.count() == 0


def test_a_new_case_can_be_added_to_the_existing_patient(clinician_client, case_data):
    patient = make_patient(mrn="H-123456")
    make_case(patient=patient, question="First referral")
    case_data["use_existing_patient"] = "on"
    clinician_client.post(reverse("cases:case_create"), case_data)
    assert Patient.objects.count() == 1
    assert patient.cases.count() == 2


def test_patient_lookup_offers_the_existing_patient(clinician_client):
    make_patient(mrn="H-777", name="Grace Hopper")
    response = clinician_client.get(reverse("cases:patient_lookup"), {"mrn": "h-777"})
    page = response.content.decode()
    assert "Grace Hopper" in page and "already exists" in page
    assert (
        clinician_client.get(reverse("cases:patient_lookup"), {"mrn": "H-778"}).content.strip()
        == b""
    )


def test_new_case_for_a_known_patient_is_prefilled(clinician_client):
    patient = make_patient(mrn="H-900", name="Grace Hopper")
    page = clinician_client.get(
        reverse("cases:case_create"), {"patient": patient.pk}
    ).content.decode()
    assert 'value="H-900"' in page and 'value="Grace Hopper"' in page
    assert 'name="use_existing_patient" id="id_use_existing_patient" checked' in page


def test_only_case_roles_may_enter_cases(client, editor, outsider):
    for user, status in ((editor, 404), (outsider, 403)):
        client.force_login(user)
        assert client.get(reverse("cases:case_create")).status_code == status
        assert client.post(reverse("cases:case_create"), {"mrn": "X1"}).status_code == status
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("date_of_birth", "1960-05-02", "The patient with MRN H-123456 was born 01 May 1960."),
        ("patient_name", "Ada Exampel", "The patient with MRN H-123456 is Ada Example."),
        ("sex", "male", "The patient with MRN H-123456 is recorded as female."),
    ],
)
def test_a_case_joins_an_existing_patient_only_if_the_identity_agrees(
    clinician_client, case_data, field, typed, message
):
    patient = make_patient(mrn="H-123456")
    case_data.update({"use_existing_patient": "on", field: typed})
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    assert response.status_code == 200
    [error] = response.context["form"].errors[field]
    assert error.startswith(message) and "Check the MRN" in error
    assert patient.cases.count() == 0 and Patient.objects.count() == 1


def test_name_case_and_spacing_do_not_count_as_a_different_patient(clinician_client, case_data):
    patient = make_patient(mrn="H-123456", name="Ada  Example", sex="unknown")
    case_data.update(use_existing_patient="on", patient_name=" ada example ", sex="female")
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    assert response.status_code == 302
    assert patient.cases.count() == 1
    patient.refresh_from_db()
    assert patient.name == "Ada  Example"  # the record is edited from its cases, not here


def test_direction_controls_are_removed_from_the_question_and_summary(clinician_client, case_data):
    case_data["question"] = "Resect \u202eor not\u202c?"
    case_data["clinical_summary"] = "\u2066Segment 7\u2069 lesion."
    assert clinician_client.post(reverse("cases:case_create"), case_data).status_code == 302
    case = Case.objects.get()
    assert (case.question, case.clinical_summary) == ("Resect or not?", "Segment 7 lesion.")


def test_sex_has_no_default_and_must_be_chosen(clinician_client, case_data):
    form = clinician_client.get(reverse("cases:case_create")).context["form"]
    assert form["sex"].value() is None  # nothing chosen: the first option, "Choose…"
    assert form.fields["sex"].choices[0] == ("", "Choose…")
    del case_data["sex"]
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    assert response.context["form"].errors["sex"] == ["Choose the patient's sex, or “Not known”."]
    assert Patient.objects.count() == 0


def test_a_namesake_with_another_mrn_is_flagged_before_a_second_patient_is_created(
    clinician_client, case_data
):
    from tests.factories import make_patient

    existing = make_patient(
        mrn="H-999", name=case_data["patient_name"], date_of_birth=case_data["date_of_birth"]
    )
    response = clinician_client.post(reverse("cases:case_create"), case_data)
    page = response.content.decode()
    assert f"is already recorded with MRN {existing.mrn}" in page
    assert 'name="confirm_new_patient"' in page
    assert Patient.objects.count() == 1
    confirmed = clinician_client.post(
        reverse("cases:case_create"), {**case_data, "confirm_new_patient": "on"}
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_a_converted_value_is_shown_rounded_with_what_was_entered(clinician_client, case_data):
    case_data.update(fact_serum_bilirubin_umol_l="3.5", fact_serum_bilirubin_umol_l__unit="mg/dL")
    clinician_client.post(reverse("cases:case_create"), case_data)
    case = Case.objects.get()
    assert case.facts["serum_bilirubin_umol_l"] == 59.85
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert fact_row("Serum bilirubin", "59.9 µmol/L", "entered as 3.5 mg/dL") in page
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert form["fact_serum_bilirubin_umol_l"].value() == 3.5
    assert form["fact_serum_bilirubin_umol_l__unit"].value() == "mg/dL"
