"""Fact sheet revision 3 on screen, in JSON and on paper: cautions on the cards (shown when
their condition holds, "may apply" while it is not known, never hiding a card), how each
item takes part in the board's decision in the library, and editors' cautions in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.summary import render_case_summary
from guidelines.models import Caution, Recommendation
from tests.admin_forms import recommendation_form
from tests.factories import make_case, make_patient
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

MRI = {"liver_metastases": "confirmed", "planned_procedure": "hepatectomy"}
GADOLINIUM = "Liver MRI usually uses a gadolinium-based contrast agent"


def _card(page: str, slug: str) -> str:
    return page.split(f'id="match-{slug}"')[1].split("</article>")[0]


def test_a_pregnant_patients_mri_card_shows_the_caution(clinician_client):
    case = make_case(patient=make_patient(sex="female"), facts={**MRI, "pregnant": True})
    card = _card(
        clinician_client.get(case.get_absolute_url()).content.decode(), "dx-mri-before-resection"
    )
    assert 'class="caution" role="note"><strong>Caution:</strong> ' + GADOLINIUM in card


def test_while_pregnancy_is_not_known_the_caution_may_apply(clinician_client):
    case = make_case(patient=make_patient(sex="female"), facts=MRI)
    card = _card(
        clinician_client.get(case.get_absolute_url()).content.decode(), "dx-mri-before-resection"
    )
    assert "<strong>Caution (may apply: enter Pregnant to decide):</strong> " + GADOLINIUM in card


def test_no_caution_for_a_man_and_the_card_is_there_all_the_same(clinician_client):
    case = make_case(patient=make_patient(sex="male"), facts=MRI)
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert GADOLINIUM not in _card(page, "dx-mri-before-resection")


def test_the_json_carries_the_cautions_and_the_scope(clinician_client):
    case = make_case(patient=make_patient(sex="female"), facts=MRI)
    data = clinician_client.get(reverse("cases:case_matches_json", args=[case.pk])).json()
    item = next(i for i in data["applies"] if i["id"] == "dx-mri-before-resection")
    assert item["cautions"] == [
        {"text": Recommendation.objects.get(slug=item["id"]).cautions.get().text,
         "outcome": "may_apply", "missing": ["pregnant"]}
    ]  # fmt: skip
    assert item["decision_scope"] == "board"
    assert all(i["cautions"] == [] for i in data["applies"] if i["id"] != item["id"])


@pytest.mark.slow
def test_the_pdf_prints_the_caution_beside_the_card():
    case = make_case(patient=make_patient(sex="female"), facts={**MRI, "pregnant": True})
    text = " ".join(" ".join(pdf_text(render_case_summary(case).pdf)).split())
    assert "Caution: " + GADOLINIUM in text


def test_the_library_shows_each_items_scope_modalities_and_cautions(clinician_client):
    page = clinician_client.get(reverse("guidelines:library")).content.decode()
    mri = page.split('id="rec-dx-mri-before-resection"')[1].split("</article>")[0]
    assert '<span class="badge scope-board"' in mri and "Board decision" in mri
    assert "<dt>Carried out by (plan)</dt><dd>Further imaging</dd>" in mri
    assert "<dt>Caution, when Pregnant is Yes</dt><dd>" + GADOLINIUM in mri
    drain = page.split('id="rec-po-no-routine-drain"')[1].split("</article>")[0]
    assert "Care pathway" in drain
    sparing = page.split('id="rec-si-parenchymal-sparing-crlm"')[1].split("</article>")[0]
    assert "<dt>Goes against it (plan)</dt><dd>Hepatic resection, major</dd>" in sparing


@pytest.mark.parametrize(("scope", "count"), [("board", 34), ("pathway", 20)])
def test_the_library_filters_by_scope(clinician_client, scope, count):
    page = clinician_client.get(reverse("guidelines:library"), {"scope": scope}).content.decode()
    assert f'<p class="count">{count} recommendations' in page


def test_an_editor_adds_a_caution_in_the_admin_and_a_bad_condition_is_refused(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="dx-mri-disappearing-metastases")
    url = reverse("admin:guidelines_recommendation_change", args=[rec.pk])
    bad = client.post(url, recommendation_form(rec, added=[("pregnant = maybe", "Words.")]))
    assert bad.status_code == 200 and "maybe" in bad.content.decode()
    assert rec.cautions.count() == 1
    good = client.post(
        url, recommendation_form(rec, added=[("renal_insufficiency = true", "Words.")])
    )
    assert good.status_code == 302
    assert list(rec.cautions.values_list("condition", flat=True)) == [
        "pregnant = true",
        "renal_insufficiency = true",
    ]
    assert (
        Caution.objects.get(text="Words.").events.last().pgh_context.metadata["user"] == editor.pk
    )


def test_a_modality_not_on_the_plans_list_is_refused_in_the_admin(client, editor):
    client.force_login(editor)
    rec = Recommendation.objects.get(slug="pc-counseling")
    url = reverse("admin:guidelines_recommendation_change", args=[rec.pk])
    response = client.post(
        url, recommendation_form(rec, plan_modalities="further_imaging,teleportation")
    )
    assert response.status_code == 200
    assert "Not on the plan&#x27;s modality list: teleportation" in response.content.decode()
    assert Recommendation.objects.get(pk=rec.pk).plan_modalities == []
