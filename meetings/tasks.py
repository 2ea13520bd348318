"""Background work: rendering meeting packs (and, through ``run_render``, the other
printed documents of a meeting), outside any web worker."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from meetings import handouts, prerender
from meetings.models import Handout, HandoutStage, HandoutStatus, Rendering
from printing import lease
from printing.pdf import Progress, Rendered, release_memory

logger = logging.getLogger(__name__)
PAGE_UPDATE_INTERVAL = 0.5  # seconds between progress writes while laying out pages


class WorkerStopped(Exception):
    """Recorded on a task whose worker stopped renewing its lease."""


def holding_lease(handout_id: int, model: type[Rendering] = Handout):
    """Renew a document's lease while the body renders it (``printing.lease``)."""
    return lease.holding_lease(
        model.objects.filter(pk=handout_id, status=HandoutStatus.RUNNING),
        f"{model._meta.model_name} {handout_id}",
    )


@task()
def render_meeting_pack(handout_id: int) -> None:
    """Render a queued meeting pack, recording progress, and the PDF or the failure.
    Case sections not laid out yet are offered to the other workers as tasks of their
    own, while this one lays out its share too."""
    run_render(handout_id, lambda handout, progress: handouts.render_meeting_handout(
        handout.meeting, progress, share=prerender.offer
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

    def progress(stage: str, done: int, total: int, detail: str = "") -> None:
        fields = {"stage": stage, "detail": detail}
        if stage in (HandoutStage.PREPARING, HandoutStage.SECTIONS, HandoutStage.MERGING):
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
        detail="",
        pdf=rendered.pdf,
        page_count=rendered.page_count,
        pages_done=rendered.page_count,
        content_versions=rendered.content_versions,
        finished_at=timezone.now(),
    )
    del rendered
    release_memory()
