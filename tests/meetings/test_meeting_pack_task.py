"""The meeting pack in the background: queue, worker, progress, failure, download."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from cases import sections
from documents.models import Status
from documents.tasks import render_document
from meetings import handouts
from meetings.models import Handout
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def run_worker(monkeypatch):
    """The real `manage.py db_worker`, taking every queued task, then stopping.

    The worker closes stale connections between tasks; in a test, that would end
    the test's own transaction, so only that housekeeping is switched off.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip

    return run


def generate(client, meeting, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("meetings:pack_generate", args=[meeting.pk]), **headers)


def test_generating_queues_a_task_and_answers_at_once(
    coordinator_client, meeting, django_capture_on_commit_callbacks
):
    response = generate(coordinator_client, meeting, django_capture_on_commit_callbacks, **HTMX)
    handout = Handout.objects.get()
    assert handout.status == Status.QUEUED
    assert handout.cases_total == 3
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    page = response.content.decode()
    assert "<html" not in page and page.lstrip().startswith('<section id="pack-status"')
    assert "Waiting for a worker" in page
    assert f'hx-get="{reverse("meetings:handout_status", args=[handout.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page


def test_a_second_click_does_not_queue_a_second_pack(
    coordinator_client, meeting, django_capture_on_commit_callbacks
):
    generate(coordinator_client, meeting, django_capture_on_commit_callbacks)
    generate(coordinator_client, meeting, django_capture_on_commit_callbacks)
    assert Handout.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_the_worker_renders_the_pack_and_the_page_offers_it(
    coordinator_client, meeting, django_capture_on_commit_callbacks, run_worker
):
    generate(coordinator_client, meeting, django_capture_on_commit_callbacks)
    run_worker()
    handout = Handout.objects.get()
    assert handout.status == Status.DONE
    assert bytes(handout.content).startswith(b"%PDF-")
    assert (handout.cases_done, handout.cases_total) == (3, 3)
    assert handout.pages_done == handout.page_count > 3
    assert "pc-smoking-cessation" in handout.content_versions["recommendations"]
    status = coordinator_client.get(reverse("meetings:handout_status", args=[handout.pk]), **HTMX)
    page = status.content.decode()
    assert "hx-trigger" not in page  # polling stops once finished
    assert f"Download the meeting pack (PDF, {handout.page_count} pages)" in page
    download = coordinator_client.get(reverse("meetings:handout_download", args=[handout.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="meeting-')
    assert download.content == bytes(handout.content)


def test_progress_reports_cases_then_sections_then_merging_and_is_stored(meeting, monkeypatch):
    """Each report, and what the polling page reads from the database after it."""
    reports, seen = [], []
    handout = Handout.objects.create(kind="meeting_pack", meeting=meeting, cases_total=3)
    real = handouts.render_meeting_handout

    def observed(meeting, progress, share=None):
        def reporting(stage, done, total, detail=""):
            progress(stage, done, total, detail)
            reports.append((stage, done, total, detail))
            seen.append(
                Handout.objects.values_list("status", "stage", "cases_done", "detail").get(
                    pk=handout.pk
                )
            )

        return real(meeting, reporting, share=share)

    monkeypatch.setattr(handouts, "render_meeting_handout", observed)
    render_document.call("meeting_pack", handout.pk)
    assert reports == [
        ("preparing", 1, 3, ""),
        ("preparing", 2, 3, ""),
        ("preparing", 3, 3, ""),
        ("sections", 0, 3, "case 1"),
        ("sections", 1, 3, "case 2"),
        ("sections", 2, 3, "case 3"),
        ("merging", 3, 3, ""),
    ]
    assert ("running", "preparing", 2, "") in seen
    assert ("running", "sections", 1, "case 2") in seen
    assert ("running", "merging", 3, "") in seen
    handout.refresh_from_db()
    assert handout.status == "done" and handout.stage == "" and handout.detail == ""
    assert handout.page_count == len(PdfReader(io.BytesIO(bytes(handout.content))).pages)


def test_the_meeting_page_says_which_section_is_being_laid_out(coordinator_client, meeting):
    Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="running", stage="sections",
        cases_done=1, cases_total=3, detail="case 2",
    )  # fmt: skip
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    assert "Case sections ready: 1 of 3 (laying out case 2); then merging." in page


def test_a_failure_is_recorded_and_shown_with_its_reason(
    coordinator_client, meeting, django_capture_on_commit_callbacks, monkeypatch, run_worker
):
    def broken(html, css=""):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(sections, "html_to_document", broken)
    generate(coordinator_client, meeting, django_capture_on_commit_callbacks)
    run_worker()
    handout = Handout.objects.get()
    assert handout.status == Status.FAILED
    assert handout.error == "OSError: cannot load library 'libpango-1.0-0'"
    page = coordinator_client.get(meeting.get_absolute_url()).content.decode()
    assert "The meeting pack could not be made" in page
    assert "cannot load library" in page
    assert "Make a new meeting pack" in page
    assert (
        coordinator_client.get(reverse("meetings:handout_download", args=[handout.pk])).status_code
        == 404
    )


def test_a_task_for_a_deleted_or_taken_handout_does_nothing(meeting):
    render_document.call("meeting_pack", 999999)
    handout = Handout.objects.create(kind="meeting_pack", meeting=meeting, status="running")
    render_document.call("meeting_pack", handout.pk)
    handout.refresh_from_db()
    assert handout.status == "running" and handout.content is None


def test_clinicians_may_download_but_not_generate(
    client, clinician, meeting, django_capture_on_commit_callbacks
):
    client.force_login(clinician)
    assert generate(client, meeting, django_capture_on_commit_callbacks).status_code == 404
    assert Handout.objects.count() == 0


def test_users_without_meeting_access_get_no_handouts(client, outsider, editor, meeting):
    handout = Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", content=b"%PDF-1.7"
    )
    for user, status in ((editor, 404), (outsider, 403)):
        client.force_login(user)
        assert (
            client.get(reverse("meetings:handout_download", args=[handout.pk])).status_code
            == status
        )
        status_url = reverse("meetings:handout_status", args=[handout.pk])
        assert client.get(status_url, **HTMX).status_code == status
