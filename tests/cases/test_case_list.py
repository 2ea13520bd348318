"""The case list: search, filters, pagination."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from tests.factories import make_case, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    return {
        "ada": make_case(
            patient=make_patient(mrn="A-1", name="Ada Lovelace"),
            facts={"primary_site": "colorectal"},
            status=CaseStatus.READY,
        ),
        "grace": make_case(
            patient=make_patient(mrn="G-2", name="Grace Hopper"),
            facts={"primary_site": "gastric"},
            status=CaseStatus.DRAFT,
        ),
        "emmy": make_case(
            patient=make_patient(mrn="E-3", name="Emmy Noether"),
            facts={"primary_site": "gist"},
            status=CaseStatus.READY,
        ),
    }


def listed(client, **params) -> set[str]:
    response = client.get(reverse("cases:case_list"), params)
    assert response.status_code == 200
    return {case.patient.name for case in response.context["page"]}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, {"Ada Lovelace", "Grace Hopper", "Emmy Noether"}),
        ({"q": "hopper"}, {"Grace Hopper"}),
        ({"q": "e-3"}, {"Emmy Noether"}),
        ({"q": "Colorectal"}, {"Ada Lovelace"}),
        ({"q": "stromal"}, {"Emmy Noether"}),  # part of the label of 'gist'
        ({"status": "ready"}, {"Ada Lovelace", "Emmy Noether"}),
        ({"primary_site": "gastric"}, {"Grace Hopper"}),
        ({"status": "ready", "primary_site": "gist"}, {"Emmy Noether"}),
        ({"q": "nobody"}, set()),
        (
            {"status": "bogus", "primary_site": "<b>"},
            {"Ada Lovelace", "Grace Hopper", "Emmy Noether"},
        ),
    ],
)
def test_search_and_filters(client, clinician, cases, params, names):
    client.force_login(clinician)
    assert listed(client, **params) == names


def test_the_list_shows_the_primary_site_label_and_status(client, clinician, cases):
    client.force_login(clinician)
    page = client.get(reverse("cases:case_list")).content.decode()
    assert "Gastrointestinal stromal tumour (GIST)" in page
    assert "Ready for a meeting" in page


def test_the_list_is_paginated(client, clinician):
    patient = make_patient()
    for n in range(30):
        make_case(patient=patient, question=f"Question {n}")
    client.force_login(clinician)
    first = client.get(reverse("cases:case_list"))
    assert len(first.context["page"]) == 25
    assert "Page 1 of 2 (30 cases)" in first.content.decode()
    second = client.get(reverse("cases:case_list"), {"page": 2})
    assert len(second.context["page"]) == 5
    assert client.get(reverse("cases:case_list"), {"page": "x"}).status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(client, clinician, django_assert_num_queries):
    make_case()
    client.force_login(clinician)
    client.get(reverse("cases:case_list"))
    # session, user, permissions (4); guideline content version (1); count and page (2);
    # for each case's readiness, the page's lesions, measurements, timepoints, dated values,
    # treatments and attachments (6); nothing else
    with django_assert_num_queries(13):
        client.get(reverse("cases:case_list"))
    for n in range(30):
        make_case(patient=make_patient(mrn=f"M-{n}"))
    with django_assert_num_queries(13):
        client.get(reverse("cases:case_list"))


def test_users_without_a_case_role_get_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("cases:case_list")).status_code == 404


def test_home_sends_each_role_to_its_work(client, clinician, editor, outsider):
    client.force_login(clinician)
    assert client.get(reverse("home"))["Location"] == reverse("cases:case_list")
    client.force_login(editor)
    assert client.get(reverse("home"))["Location"] == reverse("guidelines:library")
    client.force_login(outsider)
    assert client.get(reverse("home")).status_code == 403


def test_a_case_number_finds_that_case(client, clinician, cases):
    client.force_login(clinician)
    grace = cases["grace"]
    assert listed(client, q=str(grace.pk)) == {"Grace Hopper"}
    assert listed(client, q=f"#{grace.pk}") == {"Grace Hopper"}
    assert listed(client, q="9" * 30) == set()  # too long for a case number: no error
