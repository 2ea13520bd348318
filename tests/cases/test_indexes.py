"""At 10,000 cases the case list, its primary-site filter and the patient search read
indexes, not every row (EXPLAIN, after ANALYZE)."""

from __future__ import annotations

import datetime
import random
import re
import string

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Patient
from guidelines.models import DiseaseArea
from meetings.forms import AgendaAddForm
from tests.factories import make_meeting

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
    # Most cases closed long ago, a few open: a hospital some years in.
    statuses = ["closed"] * 95 + ["ready", "draft", "on_agenda", "discussed", "actions_open"]
    Case.objects.bulk_create(
        Case(patient=p, area=area, referring_clinician="Dr. R", question="?",
             facts={"primary_site": sites[n % len(sites)]}, status=statuses[n % len(statuses)])
        for n, p in enumerate(patients)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case; ANALYZE cases_patient")


def plan(queryset) -> str:
    return queryset.explain()


def assert_reads_in_index_order(plan: str) -> None:
    """Cases read by walking an index of open cases by last update (no sort, no scan of
    the table), so the read stops once it has the number listed."""
    assert re.search(r"Index Scan using case_(open|status)_updated on cases_case", plan), plan
    assert "Seq Scan on cases_case" not in plan and "Sort" not in plan, plan


def test_the_case_picker_reads_open_cases_in_the_order_of_indexes(many_cases):
    """The meeting page lists up to 100 open cases, ready ones first, each the latest
    first: each read walks an index in that order and stops at the number listed."""
    meeting = make_meeting([])
    with CaptureQueriesContext(connection) as reads:
        listed = AgendaAddForm(meeting=meeting).listed
    assert len(listed) == AgendaAddForm.LISTED
    assert [case.status for case in listed[:100]].count("ready") == 100
    plans = []
    for read in reads.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + read["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) == 1
    assert_reads_in_index_order(plans[0])
    # Fewer ready cases than listed: the other open ones follow, read from their index.
    Case.objects.filter(status="ready").exclude(pk__in=[c.pk for c in listed[:40]]).update(
        status="draft"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    with CaptureQueriesContext(connection) as reads:
        listed = AgendaAddForm(meeting=meeting).listed
    assert [case.status for case in listed].count("ready") == 40 and len(listed) == 100
    assert all(case.status != "closed" for case in listed)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + reads.captured_queries[1]["sql"])
        other = "\n".join(row[0] for row in cursor.fetchall())
    assert_reads_in_index_order(other)


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
