"""A worker that dies, and a database that goes away: real processes, real PostgreSQL."""

from __future__ import annotations

import signal

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from documents.models import WORKER_STOPPED, Status
from meetings.models import Handout
from tests.factories import make_case, make_meeting, make_patient
from tests.processes import start_worker, stop, wait_for

LEASE = 2  # seconds, for the worker processes and for this test's own checks


pytestmark = [pytest.mark.slow, pytest.mark.processes]


@pytest.fixture
def big_meeting(committed_content):
    """Enough cases that a render takes a few seconds, so a worker can die mid-way."""
    cases = [
        make_case(
            patient=make_patient(mrn=f"K-{n}", name=f"Kim Number{n}"),
            facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy"},
            clinical_summary="Synchronous liver metastases. " * 40,
        )
        for n in range(8)
    ]
    return make_meeting(cases)


def _status(handout_id: int) -> str:
    return Handout.objects.values_list("status", flat=True).get(pk=handout_id)


def test_a_pack_whose_worker_was_killed_fails_and_can_be_made_again(
    client, coordinator, big_meeting, settings
):
    settings.HANDOUT_LEASE_SECONDS = LEASE
    client.force_login(coordinator)
    generate = reverse("meetings:pack_generate", args=[big_meeting.pk])
    client.post(generate)
    first = Handout.objects.get()
    assert first.task_id

    worker = start_worker(HANDOUT_LEASE_SECONDS=str(LEASE))
    try:
        wait_for(lambda: _status(first.pk) == Status.RUNNING, 60, "the render to start")
        # The lease is renewed while the worker lives...
        heartbeat = Handout.objects.get(pk=first.pk).heartbeat_at
        wait_for(
            lambda: Handout.objects.get(pk=first.pk).heartbeat_at > heartbeat,
            LEASE * 2,
            "the lease to be renewed",
        )
        assert _status(first.pk) == Status.RUNNING
    finally:
        stop(worker, signal.SIGKILL)  # ...and not after a kill -9 mid-render

    # Until the lease runs out the pack still reads as running; then as failed.
    page = client.get(big_meeting.get_absolute_url()).content.decode()
    assert "Case sections ready" in page or "Preparing cases" in page
    wait_for(
        lambda: "The worker stopped" in client.get(big_meeting.get_absolute_url()).content.decode(),
        LEASE * 3,
        "the pack to be shown as failed",
    )
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.error == WORKER_STOPPED
    task = DBTaskResult.objects.get(id=first.task_id)
    assert task.status == "FAILED"
    assert task.exception_class_path == "documents.tasks.WorkerStopped"
    page = client.get(big_meeting.get_absolute_url()).content.decode()
    assert "Make a new meeting pack" in page and 'hx-trigger="every 1s"' not in page

    # Made again at once, by a new worker (with a shorter agenda, to be quick about it).
    big_meeting.agenda_items.exclude(position=1).delete()
    client.post(generate)
    second = Handout.objects.exclude(pk=first.pk).get()
    worker = start_worker(HANDOUT_LEASE_SECONDS=str(LEASE))
    try:
        wait_for(lambda: _status(second.pk) == Status.DONE, 120, "the new pack")
    finally:
        stop(worker)
    assert bytes(Handout.objects.get(pk=second.pk).content).startswith(b"%PDF-")
    assert _status(first.pk) == Status.FAILED  # the dead worker's pack stays failed


def test_a_late_worker_cannot_overwrite_a_pack_that_was_marked_failed(meeting, settings):
    """A worker that was only stalled, not dead, finds its pack failed and changes nothing."""
    from documents.tasks import render_document

    settings.HANDOUT_LEASE_SECONDS = LEASE
    handout = Handout.objects.create(kind="meeting_pack", meeting=meeting, cases_total=3)
    real_expire = Handout.objects.expire_stale

    from meetings import handouts

    original = handouts.render_meeting_handout

    def stalled(meeting, progress, share=None):
        rendered = original(meeting, progress, share=share)
        Handout.objects.filter(pk=handout.pk).update(
            heartbeat_at=handout.created_at.replace(year=2000)
        )
        assert real_expire() == 1
        return rendered

    handouts.render_meeting_handout = stalled
    try:
        render_document.call("meeting_pack", handout.pk)
    finally:
        handouts.render_meeting_handout = original
    handout.refresh_from_db()
    assert handout.status == Status.FAILED and handout.content is None
