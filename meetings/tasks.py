"""Background work: rendering meeting packs (and, through ``run_render``, the other
printed documents of a meeting), outside any web worker."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from meetings import handouts
from meetings.models import Handout, HandoutStage, HandoutStatus, Rendering
from printing.pdf import Progress, Rendered, release_memory

logger = logging.getLogger(__name__)
PAGE_UPDATE_INTERVAL = 0.5  # seconds between progress writes while laying out pages


class WorkerStopped(Exception):
    """Recorded on a task whose worker stopped renewing its lease."""


@contextlib.contextmanager
def holding_lease(handout_id: int, model: type[Rendering] = Handout):
    """Renew the handout's lease from a side thread while the body runs.

    Layout is CPU-bound and reports no progress while it writes the PDF, so the
    lease is renewed by time, not by progress. The thread has its own database
    connection, closed when it ends.
    """
    stop = threading.Event()
    interval = settings.HANDOUT_LEASE_SECONDS / 4

    def renew() -> None:
        try:
            while not stop.wait(interval):
                model.objects.filter(pk=handout_id, status=HandoutStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:  # the database went away: the lease runs out, as it should
            logger.exception("Could not renew the lease of handout %s", handout_id)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"lease-{handout_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@task()
def render_meeting_pack(handout_id: int) -> None:
    """Render a queued meeting pack, recording progress, and the PDF or the failure."""
    run_render(handout_id, lambda handout, progress: handouts.render_meeting_handout(
        handout.meeting, progress
    ))  # fmt: skip


def run_render(
    handout_id: int,
    render: Callable[[Rendering, Progress], Rendered],
    model: type[Rendering] = Handout,
    related: tuple[str, ...] = ("meeting__board", "agenda_item__case__patient"),
) -> None:
    """Take a queued document (a handout, or another ``Rendering`` with ``model``) unless
    another worker has, render it holding its lease, and record progress, then the PDF
    or the failure. Each kind of document has a task that calls this with its own
    ``render``."""
    with transaction.atomic():
        handout = (
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=handout_id, status=HandoutStatus.QUEUED)
            .select_related(*related)
            .first()
        )
        if handout is None:
            return  # deleted, or already taken by another worker
        handout.status = HandoutStatus.RUNNING
        handout.started_at = handout.heartbeat_at = timezone.now()
        handout.save(update_fields=["status", "started_at", "heartbeat_at"])
    last_write = [0.0]
    # Every write below is for a render that is still ours: once the lease ran out
    # and the pack was marked failed, a late worker changes nothing.
    ours = model.objects.filter(pk=handout_id, status=HandoutStatus.RUNNING)

    def progress(stage: str, done: int, total: int) -> None:
        fields = {"stage": stage}
        if stage == HandoutStage.PREPARING:
            fields.update(cases_done=done, cases_total=total)
        else:
            fields["pages_done"] = done
            now = time.monotonic()
            if stage == HandoutStage.LAYING_OUT and now - last_write[0] < PAGE_UPDATE_INTERVAL:
                return
            last_write[0] = now
        ours.update(**fields)

    try:
        with holding_lease(handout_id, model):
            rendered = render(handout, progress)
    except Exception as error:
        logger.exception("%s %s failed", handout._meta.verbose_name, handout_id)
        ours.update(
            status=HandoutStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        release_memory()
        return
    ours.update(
        status=HandoutStatus.DONE,
        stage="",
        pdf=rendered.pdf,
        page_count=rendered.page_count,
        pages_done=rendered.page_count,
        content_versions=rendered.content_versions,
        finished_at=timezone.now(),
    )
    del rendered
    release_memory()
