"""A fact that holds several choices at once (extrahepatic disease: lung, peritoneum …)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from guidelines import conditions, matching, snapshot
from guidelines.facts import FactValueError, coerce_value
from tests.helpers import fact_row

pytestmark = pytest.mark.django_db


def spec():
    return snapshot.catalogue()["extrahepatic_disease"]


def test_values_are_kept_in_choice_order_and_checked():
    assert coerce_value(spec(), ["other", "lung"]) == ["lung", "other"]
    assert coerce_value(spec(), []) is None
    for wrong, message in (
        (["none", "lung"], "“None” cannot be chosen with anything else"),
        (["liver"], "liver not allowed"),
        ("lung", "expected a list"),
    ):
        with pytest.raises(FactValueError, match=message):
            coerce_value(spec(), wrong)
    assert spec().display_value(["lung", "lymph_nodes"]) == "Lung, Lymph nodes"


@pytest.mark.parametrize(
    ("condition", "outcome"),
    [
        ("extrahepatic_disease = lung", True),
        ("extrahepatic_disease != lung", False),
        ("extrahepatic_disease = peritoneum", False),
        ("extrahepatic_disease in [peritoneum, lymph_nodes]", True),
        ("extrahepatic_disease in [peritoneum, other]", False),
        ("not extrahepatic_disease = none", True),
    ],
)
def test_a_comparison_asks_whether_the_choice_is_among_them(condition, outcome):
    assert conditions.validate(condition, snapshot.catalogue()) == []
    compiled = matching.compile_condition(condition)
    assert compiled.evaluate({"extrahepatic_disease": ["lung", "lymph_nodes"]})[0] is outcome
    assert compiled.evaluate({})[0] is None  # not known stays not known


def test_ordering_a_several_choice_fact_is_refused():
    errors = conditions.validate("extrahepatic_disease > lung", snapshot.catalogue())
    assert [e.message for e in errors] == [
        "'>' compares numbers, but extrahepatic_disease is a several-choice fact; use = , != or in"
    ]


def test_the_case_form_offers_checkboxes_and_names_a_contradiction(clinician_client):
    data = {
        "mrn": "MC-1", "patient_name": "Milo Choice", "date_of_birth": "1960-01-01",
        "sex": "male", "referring_clinician": "Dr. R", "question": "Q?",
        "referral_date": "2026-11-01", "status": "draft",
        "fact_extrahepatic_disease": ["none", "lung"],
    }  # fmt: skip
    response = clinician_client.post(reverse("cases:case_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["fact_extrahepatic_disease"] == [
        "“None” cannot be chosen with anything else."
    ]
    assert not Case.objects.exists()
    data["fact_extrahepatic_disease"] = ["lung", "peritoneum"]
    assert clinician_client.post(reverse("cases:case_create"), data).status_code == 302
    case = Case.objects.get()
    assert case.facts["extrahepatic_disease"] == ["lung", "peritoneum"]
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert fact_row("Extrahepatic disease", "Lung, Peritoneum") in page
