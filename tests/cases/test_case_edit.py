"""Editing a case, and two people editing the same case."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guidelines import snapshot
from tests.factories import make_case, make_patient

pytestmark = pytest.mark.django_db


def edit_data(case, **changes) -> dict:
    patient = case.patient
    data = {
        "mrn": patient.mrn,
        "patient_name": patient.name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": patient.sex,
        "referral_date": case.referral_date.isoformat(),
        "referring_clinician": case.referring_clinician,
        "status": case.status,
        "question": case.question,
        "clinical_summary": case.clinical_summary,
        "version": case.version,
        "patient_version": patient.version,
        "fact_serum_bilirubin_umol_l__unit": "µmol/L",
    }
    for name, value in case.facts.items():
        data[f"fact_{name}"] = (
            {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
        )
    data.update(changes)
    return data


def test_the_edit_form_shows_the_saved_facts(client, clinician):
    case = make_case(
        facts={"smoker_current": True, "primary_site": "gastric", "alcohol_g_per_day": 12.5}
    )
    client.force_login(clinician)
    form = client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert form["fact_smoker_current"].value() == "yes"
    assert form["fact_primary_site"].value() == "gastric"
    assert form["fact_alcohol_g_per_day"].value() == 12.5


def test_an_edit_saves_changes_and_moves_the_version_on(client, clinician):
    case = make_case(facts={"smoker_current": True, "primary_site": "gastric"})
    client.force_login(clinician)
    response = client.post(
        reverse("cases:case_edit", args=[case.pk]),
        edit_data(
            case,
            fact_smoker_current="",
            fact_primary_site="colorectal",
            patient_name="Ada Lovelace",
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.facts == {"primary_site": "colorectal"}
    assert case.version == 2
    assert case.patient.name == "Ada Lovelace"
    assert case.updated_by == clinician


def test_a_second_save_from_a_stale_form_does_not_overwrite_the_first(clinician, coordinator):
    case = make_case(question="Original question", facts={"primary_site": "colorectal"})
    first, second = Client(), Client()
    first.force_login(clinician)
    second.force_login(coordinator)
    url = reverse("cases:case_edit", args=[case.pk])
    stale = edit_data(case)  # both opened version 1
    assert first.post(url, {**stale, "question": "First user's question"}).status_code == 302
    response = second.post(url, {**stale, "question": "Second user's question"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this case while you were editing" in page
    assert "Your changes were <strong>not</strong> saved" in page
    assert f'href="{url}"' in page  # the way to reload
    assert "Second user&#x27;s question" in page  # still there, to copy
    case.refresh_from_db()
    assert case.question == "First user's question"
    assert case.version == 2


def test_a_form_without_its_version_is_treated_as_stale(client, clinician):
    case = make_case(question="Original")
    client.force_login(clinician)
    data = edit_data(case, question="Changed")
    del data["version"]
    response = client.post(reverse("cases:case_edit", args=[case.pk]), data)
    assert "Someone else saved this case" in response.content.decode()
    case.refresh_from_db()
    assert case.question == "Original"


def test_an_mrn_of_another_patient_is_refused(client, clinician):
    make_patient(mrn="TAKEN-1", name="Someone Else")
    case = make_case()
    client.force_login(clinician)
    response = client.post(
        reverse("cases:case_edit", args=[case.pk]), edit_data(case, mrn="taken-1")
    )
    assert response.status_code == 200
    assert "MRN TAKEN-1 belongs to another patient, Someone Else." in response.content.decode()
    case.refresh_from_db()
    assert case.patient.mrn == "MRN-0001"


def test_editing_is_recorded_in_the_case_history(client, clinician):
    case = make_case(facts={"smoker_current": True})
    client.force_login(clinician)
    client.post(
        reverse("cases:case_edit", args=[case.pk]), edit_data(case, fact_smoker_current="no")
    )
    page = client.get(case.get_absolute_url()).content.decode()
    history = page[page.index("<h2>History</h2>") :]
    assert "Cleo Clinician" in history
    assert '<span class="field">Current smoker</span>: <del>Yes</del> → <ins>No</ins>' in history


def test_unknown_case_is_404(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("cases:case_edit", args=[999999])).status_code == 404


def test_the_case_history_reads_in_words_not_column_names(client, clinician):
    case = make_case(facts={"smoker_current": True, "primary_site": "gastric"})
    client.force_login(clinician)
    client.post(
        reverse("cases:case_edit", args=[case.pk]),
        edit_data(case, fact_smoker_current="", fact_primary_site="colorectal", status="ready"),
    )
    page = client.get(case.get_absolute_url()).content.decode()
    history = page[page.index("<h2>History</h2>") :]
    # the update: labels and choice labels; a cleared fact is "not known"
    assert '<span class="field">Current smoker</span>: <del>Yes</del> → <ins>not known</ins>' in (
        history
    )
    assert '<span class="field">Primary tumour site</span>: <del>Gastric</del> → ' in history
    assert '<span class="field">Status</span>: <del>Draft</del> → <ins>Ready' in history
    # the insert: what was entered, without bookkeeping columns or internal names
    assert '<span class="field">Question for the board</span>: <ins>What next?</ins>' in history
    assert '<span class="field">Patient</span>: <ins>Ada Example (MRN-0001)</ins>' in history
    for internal in ("facts.", "_id", "Version", "Created at", "Updated by", "Created by"):
        assert internal not in history


def test_a_patient_correction_through_one_case_is_not_reverted_by_another(client, clinician):
    """Two cases of one patient open at once: the second save must not undo the first."""
    patient = make_patient(name="Jon Smiht")
    first, second = make_case(patient=patient), make_case(patient=patient)
    client.force_login(clinician)
    stale_second = edit_data(second)  # opened before the correction
    corrected = client.post(
        reverse("cases:case_edit", args=[first.pk]),
        edit_data(first, patient_name="Jon Smith", date_of_birth="1960-05-02"),
    )
    assert corrected.status_code == 302
    # The second form still holds the old name and date of birth.
    response = client.post(
        reverse("cases:case_edit", args=[second.pk]),
        {**stale_second, "question": "Changed question"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this patient's record while you were editing" in page
    assert "now Jon Smith" in page
    patient.refresh_from_db()
    second.refresh_from_db()
    assert (patient.name, patient.date_of_birth.isoformat()) == ("Jon Smith", "1960-05-02")
    assert second.question != "Changed question"  # nothing of the refused save was written


def test_a_case_edit_that_leaves_the_patient_alone_does_not_touch_the_record(client, clinician):
    patient = make_patient()
    case = make_case(patient=patient)
    client.force_login(clinician)
    response = client.post(
        reverse("cases:case_edit", args=[case.pk]), edit_data(case, question="New question")
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.version == 1
    case.refresh_from_db()
    assert case.question == "New question"


def test_the_history_lists_facts_in_form_order(client, clinician):
    case = make_case(facts={"alcohol_g_per_day": 10, "primary_site": "gastric"})
    client.force_login(clinician)
    client.post(
        reverse("cases:case_edit", args=[case.pk]),
        edit_data(case, fact_alcohol_g_per_day="20", fact_primary_site="colorectal"),
    )
    page = client.get(case.get_absolute_url()).content.decode()
    history = page[page.index("<h2>History</h2>") :]
    order = list(snapshot.catalogue())
    # The form asks the primary site first; by name, alcohol would come first.
    assert order.index("primary_site") < order.index("alcohol_g_per_day")
    update = history[: history.index("Question for the board")]  # the edit, not the insert
    assert update.index("Primary tumour site") < update.index("Alcohol")
