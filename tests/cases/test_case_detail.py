"""The case page: who, why, what is known, what the guidelines say, and its history."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_case, make_lesion, make_patient, make_recommendation
from tests.helpers import fact_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    patient = make_patient(sex="male", date_of_birth=datetime.date(1950, 1, 1))
    return make_case(
        patient=patient,
        referral_date=datetime.date(2026, 11, 1),
        facts={
            "planned_procedure": "hepatectomy",
            "alcohol_g_per_day": 40,
            "smoker_current": False,
        },
    )


def test_case_page_shows_patient_question_facts_and_grouped_matches(client, clinician, case):
    client.force_login(clinician)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"Case {case.pk}: Ada Example" in page
    assert "What next?" in page
    assert fact_row("Alcohol intake", "40 g/day") in page
    assert fact_row("Age", "76 years", "from the patient record") in page
    applies = page[page.index("group-applies") : page.index("group-may-apply")]
    assert "match-pc-alcohol-cessation" in applies  # a man drinking 40 g a day
    assert "Not verified against the primary guideline text" in applies
    does_not = page[page.index("group-does-not-apply") :]
    assert "match-pc-smoking-cessation" in does_not
    assert "Current smoker is Yes: failed (case: No)" in does_not


def test_case_page_lists_other_cases_of_the_patient(client, clinician, case):
    later = make_case(patient=case.patient, question="Re-discussion after chemotherapy")
    client.force_login(clinician)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Re-discussion after chemotherapy" in page
    assert later.get_absolute_url() in page


def test_case_page_runs_a_fixed_number_of_queries(
    client, clinician, case, django_assert_num_queries
):
    client.force_login(clinician)
    client.get(case.get_absolute_url())
    make_lesion(case, segments=["II"], diameter_mm=12)
    # session, user, permissions (4); case (1); its lesions (1) and their measurements with
    # their imaging (1); the patient's timepoints, dated values and treatments (3); guideline
    # content version (1); history (1) and the accounts it names (1); other cases (1);
    # meetings (1); decisions on the patient (1); the read log (1); the next meeting (1)
    # and the attachments (1), for readiness and the list; the trial list's version (1: the
    # trials and their criteria are kept while it holds); the session is
    # rewritten at most once a minute. (The history names its patient from the case.)
    with django_assert_num_queries(20):
        client.get(case.get_absolute_url())
    for n in range(30):
        make_recommendation(slug=f"extra-{n}", condition="alcohol_g_per_day > 10")
    client.get(case.get_absolute_url())  # the first request after a content change rebuilds it
    for n in range(5):
        make_lesion(case, segments=["VI"], diameter_mm=10 + n)
    with django_assert_num_queries(20):
        response = client.get(case.get_absolute_url())
    assert "match-extra-29" in response.content.decode()
    assert "Liver lesions (6)" in response.content.decode()


def test_users_without_access_cannot_tell_whether_a_case_exists(client, outsider, editor, case):
    for user, status in ((editor, 404), (outsider, 403)):
        client.force_login(user)
        assert client.get(case.get_absolute_url()).status_code == status
        assert client.get(reverse("cases:case_detail", args=[999999])).status_code == status


def test_matches_json_returns_what_match_case_prints(client, clinician, case, tmp_path):
    client.force_login(clinician)
    response = client.get(reverse("cases:case_matches_json", args=[case.pk]))
    assert response["Content-Type"] == "application/json"
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps({**case.facts, "sex": "male", "age_years": 76}))
    out = io.StringIO()
    call_command("match_case", str(facts_file), stdout=out)
    assert response.json() == json.loads(out.getvalue())
    assert "pc-alcohol-cessation" in [item["id"] for item in response.json()["applies"]]


def test_matches_json_requires_login_and_a_case_role(client, outsider, case):
    url = reverse("cases:case_matches_json", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 403
