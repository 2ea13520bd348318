"""The lesion table: rows added, changed and removed in place; the facts, scores and map
that follow from it; bad input named next to its field, nothing half-saved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cases.forms import CaseForm
from cases.models import Case
from cases.overview import overview
from liver import lesions
from liver.lesions import LesionForm
from liver.models import Lesion
from tests.factories import make_case, make_lesion
from tests.helpers import HTMX, fact_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return make_case(
        facts={"primary_site": "colorectal", "lesion_count": 7, "cea_ng_ml": 240,
               "primary_node_positive": True, "planned_procedure": "hepatectomy"}
    )  # fmt: skip


def new(**fields) -> dict:
    data = {"new-segments": ["VI"], "new-diameter_mm": "35", "new-imaging": "mri",
            "new-imaging_date": "2026-10-02", "new-vessels": "none",
            "new-disappeared": "unknown", "new-planned_treatment": "resection"}  # fmt: skip
    data.update({f"new-{key}": value for key, value in fields.items()})
    return data


def test_adding_a_lesion_in_place_updates_the_facts_scores_map_and_matches(clinician_client, case):
    url = reverse("liver:lesion_add", args=[case.pk])
    response = clinician_client.post(url, new(), **HTMX)
    page = response.content.decode()
    lesion = Lesion.objects.get()
    assert (lesion.number, lesion.segments, lesion.diameter_mm) == (1, ["VI"], 35)
    case.refresh_from_db()
    assert case.version == 2  # an open case form or decision knows it is out of date
    assert 'id="lesions"' in page and "Liver lesions (1)" in page
    assert 'id="known-facts" class="panel" hx-swap-oob="true"' in page
    assert 'id="scores"' in page and 'id="match-panel"' in page
    # The table's count replaces the typed 7.
    assert fact_row("Number of liver lesions", "1", "from the lesion table") in page
    # Segment VI is shaded and numbered on the map; the others are not.
    assert 'aria-label="Segment VI: lesion 1. Add a lesion in segment VI."' in page
    assert 'aria-label="Segment II: no lesion. Add a lesion in segment II."' in page
    second = clinician_client.post(url, new(segments=["II", "III"], diameter_mm="60"), **HTMX)
    text = second.content.decode()
    assert "Liver lesions (2)" in text
    assert fact_row("Lesions in both hemilivers", "Yes", "from the lesion table") in text
    assert "Fong</th>" in text and "1–3 of 5" not in text
    # N+, CEA 240, 2 lesions, largest 60 mm; the interval is not known: 4–5.
    assert "4–5 of 5 (not known: disease-free interval)" in text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"segments": []}, "segments", "This field is required."),
        ({"segments": ["IV", "IVa"]}, "segments", "Choose IV, or IVa / IVb, not both."),
        ({"diameter_mm": "400"}, "diameter_mm", "Ensure this value is less than or equal to 300."),
        ({"diameter_mm": "0"}, "diameter_mm", "Ensure this value is greater than or equal to 1."),
        ({"imaging_date": "2999-01-01"}, "imaging_date",
         "Enter the date of the imaging (not in the future)."),
        ({"segments": ["IX"]}, "segments",
         "Select a valid choice. IX is not one of the available choices."),
    ],
)  # fmt: skip
def test_bad_input_is_named_next_to_its_field_and_nothing_is_saved(
    clinician_client, case, fields, field, message
):
    url = reverse("liver:lesion_add", args=[case.pk])
    response = clinician_client.post(url, new(**fields), **HTMX)
    assert response.status_code == 200
    assert response.context["lesion_form"].errors[field] == [message]
    assert not Lesion.objects.exists()
    case.refresh_from_db()
    assert case.version == 1
    # Without JavaScript, the whole page with the same message.
    page = clinician_client.post(url, new(**fields))
    assert page.status_code == 200 and page.context["lesion_form"].errors[field] == [message]


def test_an_edit_from_an_older_version_is_refused_and_says_so(clinician_client, case):
    lesion = make_lesion(case, segments=["VII"], diameter_mm=20)
    url = reverse("liver:lesion_edit", args=[case.pk, lesion.pk])
    form = clinician_client.get(url, **HTMX).content.decode()
    assert f'name="lesion-{lesion.pk}-version" value="1"' in form
    data = {f"lesion-{lesion.pk}-{key[4:]}": value for key, value in new().items()}
    data[f"lesion-{lesion.pk}-version"] = "1"
    assert clinician_client.post(url, data, **HTMX).status_code == 200
    lesion.refresh_from_db()
    assert (lesion.segments, lesion.diameter_mm, lesion.version) == (["VI"], 35, 2)
    data[f"lesion-{lesion.pk}-diameter_mm"] = "50"  # the same old version again
    response = clinician_client.post(url, data, **HTMX)
    assert "Someone else changed or removed this lesion meanwhile" in response.content.decode()
    lesion.refresh_from_db()
    assert lesion.diameter_mm == 35


def test_an_edit_keeps_the_number_a_removal_gave_the_row_meanwhile(clinician, case):
    """The row was read, then another user removed the one before it (renumbering it),
    then this edit is saved: it changes what it edits, not the number."""
    first = make_lesion(case, segments=["II"], diameter_mm=10)
    second = make_lesion(case, segments=["V"], diameter_mm=20)
    read = Lesion.objects.get(pk=second.pk)  # as the edit form read it: number 2
    lesions.remove(first, clinician)
    data = {f"lesion-{read.pk}-{key[4:]}": value for key, value in new().items()}
    data[f"lesion-{read.pk}-version"] = "1"
    form = LesionForm(data, instance=read, prefix=f"lesion-{read.pk}")
    assert form.is_valid(), form.errors
    lesions.change(read, form, clinician)
    second.refresh_from_db()
    assert (second.number, second.segments, second.diameter_mm) == (1, ["VI"], 35)


def test_removing_a_lesion_numbers_the_rest_again(clinician_client, case):
    rows = [make_lesion(case, segments=[s], diameter_mm=10) for s in ("II", "V", "VIII")]
    url = reverse("liver:lesion_remove", args=[case.pk, rows[0].pk])
    response = clinician_client.post(url)
    assert response["Location"].endswith("#lesions")
    assert list(case.lesions.values_list("number", "segments")) == [(1, ["V"]), (2, ["VIII"])]
    assert Case.objects.get(pk=case.pk).version == 2
    # Removing it again (a second click, another user) changes nothing.
    clinician_client.post(url)
    assert case.lesions.count() == 2


def test_a_segment_on_the_map_starts_a_lesion_there(clinician_client, case):
    page = clinician_client.get(case.get_absolute_url() + "?segment=VIII")
    assert page.context["lesion_form"]["segments"].value() == ["VIII"]
    html = page.content.decode()
    assert "Add a lesion in segment VIII" in html
    assert 'href="?segment=VIII#add-lesion"' in html
    assert "style=" not in html.split('<figure class="liver-map">')[1].split("</figure>")[0]


def test_lesions_are_for_those_who_may_change_cases(client, editor, case):
    client.force_login(editor)
    response = client.post(reverse("liver:lesion_add", args=[case.pk]), new())
    assert response.status_code == 404 and not Lesion.objects.exists()


def test_the_case_form_does_not_ask_what_the_lesion_table_gives(clinician_client, case):
    make_lesion(case, segments=["II"], diameter_mm=20)
    make_lesion(case, segments=["VI"], diameter_mm=45)
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert form.fields["fact_lesion_count"].disabled
    assert form.fields["fact_largest_lesion_mm"].help_text == (
        "From the lesion table (2 rows) on the case page."
    )
    assert not form.fields["fact_cea_ng_ml"].disabled
    # What the form's live panel matches reads the table, whatever was typed.
    typed = CaseForm(
        {"fact_lesion_count": "9", "fact_cea_ng_ml": "12"}, case=case, catalogue=form.catalogue
    )
    values = typed.fact_values()
    assert (values["lesion_count"], values["largest_lesion_mm"], values["bilobar"]) == (2, 45, True)
    assert values["cea_ng_ml"] == 12


TYPED_BEFORE = {"primary_site": "colorectal", "primary_node_positive": False, "cea_ng_ml": 10,
                "primary_diagnosis_date": "2020-01-10", "liver_metastases_diagnosis_date": "2022-01-10",
                "neoadjuvant_therapy_given": True, "lesion_count": 1, "largest_lesion_mm": 30,
                "lesions_disappeared_after_neoadjuvant": True}  # fmt: skip


def test_once_the_table_has_rows_no_value_typed_before_survives(clinician_client):
    case = make_case(facts=TYPED_BEFORE)
    make_lesion(case, segments=["II"], diameter_mm=60, disappeared=False)
    make_lesion(case, segments=["VI"], diameter_mm=None, disappeared=None)
    seen = overview(Case.objects.select_related("patient").get(pk=case.pk))
    # The rows cannot decide these: not known, never the 30 mm and "yes" typed before.
    assert "largest_lesion_mm" not in seen.values
    assert "lesions_disappeared_after_neoadjuvant" not in seen.values
    # Fong: N0, interval 24 months, CEA 10 score nothing; 2 lesions and a row of 60 mm
    # (> 5 cm, whatever the row without a diameter) score one each.
    fong = next(score for score in seen.scores if score.name == "Fong")
    assert fong.words == "2 of 5, low risk" and seen.values["fong_score"] == 2
    # The MRI item for metastases no longer visible may apply; it does not apply.
    assert "dx-mri-disappearing-metastases" in {m.rule.id for m in seen.matches.may_apply}
    assert "dx-mri-disappearing-metastases" not in {m.rule.id for m in seen.matches.applies}
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert fact_row("Largest liver lesion", "at least 60 mm; lesion 2 has no diameter",
                    "from the lesion table") in page  # fmt: skip
    form = clinician_client.get(reverse("cases:case_edit", args=[case.pk])).context["form"]
    assert form.fields["fact_largest_lesion_mm"].help_text == (
        "From the lesion table (2 rows) on the case page: at least 60 mm; lesion 2 has no diameter."
    )
    typed = CaseForm({"fact_largest_lesion_mm": "30"}, case=case, catalogue=form.catalogue)
    assert "largest_lesion_mm" not in typed.fact_values()


def test_the_fhir_export_leaves_out_lesion_facts_the_table_replaces(clinician_client):
    case = make_case(facts=TYPED_BEFORE)
    make_lesion(case, segments=["II"], diameter_mm=60, disappeared=False)
    bundle = clinician_client.get(reverse("interop:case_fhir", args=[case.pk])).json()
    texts = json.dumps(bundle)
    assert "lesions_disappeared_after_neoadjuvant" not in texts
    assert '"largest_lesion_mm"' not in texts
