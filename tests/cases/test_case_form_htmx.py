"""The live match panel (htmx) beside the case form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, Patient
from tests.factories import make_case, make_recommendation
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


def preview(client, data, url=None, **headers):
    return client.post(url or reverse("cases:case_create"), {**data, "_preview": "1"}, **headers)


def test_htmx_request_gets_the_match_panel_partial(clinician_client, case_data):
    response = preview(clinician_client, case_data, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="match-panel"')
    assert "HX-Request" in response["Vary"]
    assert 'id="match-pc-smoking-cessation"' in page[: page.index("group-may-apply")]


def test_the_panel_follows_the_facts_as_they_change(clinician_client, case_data):
    case_data["fact_smoker_current"] = "no"
    page = preview(clinician_client, case_data, **HTMX).content.decode()
    assert "match-pc-smoking-cessation" in page[page.index("group-does-not-apply") :]
    case_data["fact_smoker_current"] = ""
    page = preview(clinician_client, case_data, **HTMX).content.decode()
    may_apply = page[page.index("group-may-apply") : page.index("group-does-not-apply")]
    assert "match-pc-smoking-cessation" in may_apply
    assert "Enter Current smoker to decide." in may_apply


def test_the_panel_explains_each_comparison_in_words(clinician_client, case_data):
    page = preview(clinician_client, case_data, **HTMX).content.decode()
    card = page[page.index('id="match-pc-smoking-cessation"') :]
    card = card[: card.index("</article>")]
    assert "Planned procedure is Hepatectomy: held (case: Hepatectomy)" in card
    assert "Current smoker is Yes: held (case: Yes)" in card
    assert "planned_procedure" not in card.replace('href="/guidelines/r/', "")


def test_a_preview_with_invalid_fields_still_answers_and_saves_nothing(clinician_client, case_data):
    case_data.update(fact_alcohol_g_per_day="lots", date_of_birth="never", mrn="")
    response = preview(clinician_client, case_data, **HTMX)
    assert response.status_code == 200
    assert "match-pc-smoking-cessation" in response.content.decode()
    assert Case.objects.count() == 0 and Patient.objects.count() == 0


def test_the_preview_uses_sex_and_age_from_the_patient_fields(clinician_client, case_data):
    case_data.update(sex="male", fact_alcohol_g_per_day="30")
    page = preview(clinician_client, case_data, **HTMX).content.decode()
    assert "match-pc-alcohol-cessation" in page[page.index("group-does-not-apply") :]


def test_the_full_page_variant_has_both_regions(clinician_client):
    response = clinician_client.get(reverse("cases:case_create"))
    page = response.content.decode()
    assert "<html" in page
    assert 'id="case-form"' in page and 'id="match-panel"' in page
    assert (
        f'hx-post="{reverse("cases:case_create")}"' in page and 'hx-target="#match-panel"' in page
    )
    assert "HX-Request" in response["Vary"]


def test_a_boosted_or_history_restore_request_gets_the_full_page(clinician_client, case_data):
    for extra in ({"HTTP_HX_BOOSTED": "true"}, {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}):
        page = preview(clinician_client, case_data, **HTMX, **extra).content.decode()
        assert "<html" in page


def test_saving_through_htmx_redirects_the_browser(clinician_client, case_data):
    response = clinician_client.post(reverse("cases:case_create"), case_data, **HTMX)
    case = Case.objects.get()
    assert response["HX-Redirect"] == case.get_absolute_url()


def test_the_edit_form_previews_too(clinician_client, case_data):
    case = make_case(facts={"planned_procedure": "hepatectomy"})
    url = reverse("cases:case_edit", args=[case.pk])
    data = {**case_data, "mrn": case.patient.mrn, "version": case.version}
    page = preview(clinician_client, data, url=url, **HTMX).content.decode()
    assert page.lstrip().startswith('<section id="match-panel"')
    case.refresh_from_db()
    assert case.version == 1 and case.facts == {"planned_procedure": "hepatectomy"}


def test_match_panel_runs_a_fixed_number_of_queries(
    clinician_client, case_data, django_assert_num_queries
):
    preview(clinician_client, case_data, **HTMX)
    # session, user, permissions (4); guideline content version (1); MRN check (1)
    with django_assert_num_queries(6):
        preview(clinician_client, case_data, **HTMX)
    for n in range(30):
        make_recommendation(slug=f"extra-{n}", condition="smoker_current = true")
    preview(clinician_client, case_data, **HTMX)  # rebuilds the changed content once
    with django_assert_num_queries(6):
        preview(clinician_client, case_data, **HTMX)
