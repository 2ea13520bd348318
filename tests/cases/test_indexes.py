"""At 10,000 cases the case list, its primary-site filter and the patient search read
indexes, not every row (EXPLAIN, after ANALYZE)."""

from __future__ import annotations

import datetime
import random
import string

import pytest
from django.db import connection

from cases.models import Case, Patient
from guidelines.models import DiseaseArea

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CASES = 10_000


def word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length)).capitalize()


@pytest.fixture(scope="module")
def many_cases(module_db):
    """Made once for the module (in a transaction rolled back after it)."""
    area = DiseaseArea.objects.get(slug="liver")
    rng = random.Random(10_000)  # names as varied as real ones, the same every run
    patients = Patient.objects.bulk_create(
        Patient(mrn=f"H{rng.randrange(10**7):07d}-{n}", name=f"{word(rng, 6)} {word(rng, 9)}",
                date_of_birth=datetime.date(1950, 1, 1) + datetime.timedelta(days=n))
        for n in range(CASES)
    )  # fmt: skip
    sites = ["colorectal"] * 90 + ["gastric"] * 9 + ["breast"]
    Case.objects.bulk_create(
        Case(patient=p, area=area, referring_clinician="Dr. R", question="?",
             facts={"primary_site": sites[n % len(sites)]})
        for n, p in enumerate(patients)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case; ANALYZE cases_patient")


def plan(queryset) -> str:
    return queryset.explain()


def test_the_case_list_reads_its_order_from_an_index(many_cases):
    assert "case_updated" in plan(Case.objects.order_by("-updated_at", "-pk")[:25])


def test_the_primary_site_filter_reads_an_index(many_cases):
    assert "case_primary_site" in plan(Case.objects.filter(facts__primary_site="breast"))
    assert "case_primary_site" in plan(Case.objects.filter(facts__primary_site__in=["breast"]))


def test_the_trigram_indexes_fit_the_patient_search(many_cases):
    """At 10,000 patients PostgreSQL still reads the whole patient table for a part of a
    name (about 100 pages, a millisecond or two, and cheaper by its estimate); the
    trigram indexes are there for the sizes where that stops being true. This shows
    that they fit the search's own expression (UPPER(…) LIKE '%…%'), so the planner
    takes them once they are cheaper, here forced by forbidding table scans."""
    someone = Patient.objects.order_by("pk")[421]
    part = someone.name.split()[1][2:8]  # six letters from inside a surname
    number = someone.mrn[2:7]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "patient_name_trigram" in plan(Patient.objects.filter(name__icontains=part))
    assert "patient_mrn_trigram" in plan(Patient.objects.filter(mrn__icontains=number))
