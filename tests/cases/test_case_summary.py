"""Case summaries: served again while nothing changed, rate-limited, logged and audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pghistory.models import Events

from accounts.models import ReadLogEntry
from cases.models import CaseSummary
from tests.factories import make_board_cases, make_case, make_patient
from tests.helpers import pdf_text
from tests.printed import assert_pdf_ua

pytestmark = pytest.mark.django_db


def summary(client, case):
    return client.get(reverse("cases:case_summary_pdf", args=[case.pk]))


@pytest.mark.slow
def test_the_same_summary_is_served_again_until_the_case_changes(clinician_client, settings):
    settings.CASE_SUMMARY_RENDERS_PER_MINUTE = 1
    case = make_case()
    first = summary(clinician_client, case)
    again = summary(clinician_client, case)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert CaseSummary.objects.count() == 1  # four reloads are not four renders
    assert "no-store" in again["Cache-Control"]

    # The patient's record changed: the stored one is out of date, and a new render
    # is the user's second in a minute, over the limit.
    case.patient.name = "Ada Changed"
    case.patient.version += 1
    case.patient.save()
    limited = summary(clinician_client, case)
    assert limited.status_code == 429
    assert "Too many new case summaries in a minute" in limited.content.decode()
    assert CaseSummary.objects.count() == 1

    settings.CASE_SUMMARY_RENDERS_PER_MINUTE = 6
    fresh = summary(clinician_client, case)
    assert fresh.status_code == 200 and fresh.content != first.content
    assert CaseSummary.objects.count() == 2

    # Every read is logged, reused or not, and each print is in the audit trail.
    reads = ReadLogEntry.objects.filter(case_id=case.pk, kind="case_summary")
    assert reads.count() == 3
    assert set(reads.values_list("username", flat=True)) == {"clinician"}
    printed = Events.objects.filter(pgh_model="cases.CaseSummaryEvent", pgh_label="insert")
    assert printed.count() == 2
    assert all(event.pgh_context["user"] for event in printed)
    assert "pdf" not in printed.first().pgh_data


def test_pages_and_data_about_patients_are_never_cached(clinician_client):
    case = make_case()
    for url in (
        case.get_absolute_url(),
        reverse("cases:case_matches_json", args=[case.pk]),
        reverse("cases:case_list"),
        reverse("cases:case_edit", args=[case.pk]),
    ):
        response = clinician_client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.slow
def test_anyone_with_access_prints_a_case_summary_at_once(client, clinician):
    client.force_login(clinician)
    case = make_board_cases()[0]
    response = client.get(reverse("cases:case_summary_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="case-{case.pk}-summary.pdf"'
    assert "Ada Lovelace" in pdf_text(response.content)[0]
    printed = CaseSummary.objects.get()
    assert printed.case == case and printed.requested_by == clinician
    assert "pc-smoking-cessation" in printed.content_versions["recommendations"]
    assert_pdf_ua(response.content)  # laid out whole: a tagged PDF/UA-1 document


def test_case_summary_is_refused_without_case_access(client, outsider, editor):
    case = make_case(patient=make_patient(mrn="S-1"))
    for user, status in ((editor, 404), (outsider, 403)):
        client.force_login(user)
        assert client.get(reverse("cases:case_summary_pdf", args=[case.pk])).status_code == status
