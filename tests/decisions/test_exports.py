"""Cases, decisions and actions as CSV and Excel: the rows in force, filtered, logged."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ReadLogEntry
from decisions import services
from decisions.models import Action, Classification, Decision
from tests.factories import make_case, make_meeting, make_patient

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def decided(coordinator):
    ada = make_case(patient=make_patient(mrn="X-1", name="=Ada Formula"), question="=1+1?")
    bob = make_case(patient=make_patient(mrn="X-2", name="Bob Other"))
    meeting = make_meeting([ada, bob], starts_at=timezone.now() - datetime.timedelta(days=3))
    old = make_meeting([bob], board_name="Old board",
                       starts_at=timezone.now() - datetime.timedelta(days=800))  # fmt: skip
    first = services.start(meeting.agenda_items.get(case=ada), coordinator)
    first.plan = "@plan that looks like a formula"
    first.save()
    Action.objects.create(decision=first, what="Book MRI", owner="Dr. O",
                          due=timezone.localdate() - datetime.timedelta(days=1))  # fmt: skip
    Decision.objects.filter(pk=first.pk).update(
        status="signed", signed_at=timezone.now(), signed_by=coordinator,
        signature_hash=f"{first.pk:064x}", signature_mac=f"{first.pk:064x}",
    )  # fmt: skip
    # Its class, as signing stores it (two items not followed: a patient's, a trial's).
    Classification.objects.create(decision=first, klass="discordant",
                                  reason_groups=["patient", "trial"])  # fmt: skip
    # A draft on Bob is not the board's decision: the export leaves it out.
    services.start(meeting.agenda_items.get(case=bob), coordinator)
    services.start(old.agenda_items.get(), coordinator)
    return {"ada": ada, "bob": bob, "meeting": meeting}


def test_decisions_of_the_period_come_out_one_row_each_with_formulas_inert(
    coordinator_client, decided
):
    response = coordinator_client.get(reverse("decisions:decision_export", args=["csv"]))
    rows = rows_of(response)
    assert rows[0][:6] == ["Case", "Patient", "MRN", "Board", "Meeting", "Record"]
    assert len(rows) == 2  # the old meeting is outside the last twelve months
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Patient"] == "'=Ada Formula" and row["Plan"] == "'@plan that looks like a formula"
    assert row["Status"] == "Signed" and row["Actions open"] == "1"
    assert (row["Concordance class"], row["Deviations by reason group"]) == (
        "discordant", "patient; trial",
    )  # fmt: skip
    assert set(
        ReadLogEntry.objects.filter(kind="spreadsheet").values_list("case_id", flat=True)
    ) == {decided["ada"].pk}


def test_actions_come_out_as_excel_with_text_cells(coordinator_client, decided):
    response = coordinator_client.get(reverse("decisions:action_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], sheet[2]
    values = dict(zip(header, [c.value for c in row], strict=True))
    assert values["Action"] == "Book MRI" and values["Past due"] == "yes"
    assert values["Patient"] == "=Ada Formula" and row[1].data_type == "s"  # text, never run


def test_a_bad_period_is_refused_next_to_the_field(coordinator_client, decided):
    response = coordinator_client.get(
        reverse("decisions:decision_export", args=["csv"]),
        {"start": "2026-05-01", "end": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
    assert not ReadLogEntry.objects.filter(kind="spreadsheet").exists()
    assert (
        coordinator_client.get(reverse("decisions:decision_export", args=["pdf"])).status_code
        == 404
    )


def test_the_case_list_exports_what_it_shows(coordinator_client, decided):
    response = coordinator_client.get(reverse("cases:case_export", args=["csv"]), {"q": "X-2"})
    rows = rows_of(response)
    assert [row[2] for row in rows] == ["MRN", "X-2"]
    everything = rows_of(coordinator_client.get(reverse("cases:case_export", args=["csv"])))
    assert {row[1] for row in everything[1:]} == {"'=Ada Formula", "Bob Other"}
    assert ReadLogEntry.objects.filter(kind="spreadsheet").count() == 3
