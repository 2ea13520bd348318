"""Background work: every document kind made in the background, through one task.

``render_document(kind, pk)`` takes a queued document of that kind (``documents.kinds``)
unless another worker has, renders it holding its lease, and records progress, then the
file or the failure.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from documents import kinds
from documents.models import Rendering, Stage, Status
from printing import lease
from printing.pdf import release_memory

logger = logging.getLogger(__name__)
PAGE_UPDATE_INTERVAL = 0.5  # seconds between progress writes while laying out pages


class WorkerStopped(Exception):
    """Recorded on a task whose worker stopped renewing its lease."""


def holding_lease(document_id: int, model: type[Rendering]):
    """Renew a document's lease while the body renders it (``printing.lease``)."""
    return lease.holding_lease(
        model.objects.filter(pk=document_id, status=Status.RUNNING),
        f"{model._meta.model_name} {document_id}",
    )


def queue(kind: str, document_id: int) -> None:
    """Queue the render of a document made for it (call it once the row is committed)."""
    result = render_document.enqueue(kind, document_id)
    kinds.get(kind).model_class.objects.filter(pk=document_id).update(task_id=str(result.id))


@task()
def render_document(kind: str, document_id: int) -> None:
    run_render(kinds.get(kind), document_id)


def run_render(kind: kinds.Kind, document_id: int) -> None:
    model = kind.model_class
    with transaction.atomic():
        document = (
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=document_id, status=Status.QUEUED)
            .select_related(*kind.related)
            .first()
        )
        if document is None:
            return  # deleted, or already taken by another worker
        document.status = Status.RUNNING
        document.started_at = document.heartbeat_at = timezone.now()
        document.save(update_fields=["status", "started_at", "heartbeat_at"])
    last_write = [0.0]
    # Every write below is for a render that is still ours: once the lease ran out
    # and the document was marked failed, a late worker changes nothing.
    ours = model.objects.filter(pk=document_id, status=Status.RUNNING)

    def progress(stage: str, done: int, total: int, detail: str = "") -> None:
        fields = {"stage": stage, "detail": detail}
        if stage in (Stage.PREPARING, Stage.SECTIONS, Stage.MERGING):
            fields.update(cases_done=done, cases_total=total)
        else:
            fields["pages_done"] = done
            now = time.monotonic()
            if stage == Stage.LAYING_OUT and now - last_write[0] < PAGE_UPDATE_INTERVAL:
                return
            last_write[0] = now
        ours.update(**fields)

    try:
        with holding_lease(document_id, model):
            rendered = kind.renderer(document, progress)
    except Exception as error:
        logger.exception("%s %s failed", kind.label, document_id)
        ours.update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        release_memory()
        return
    ours.update(
        status=Status.DONE,
        stage="",
        detail="",
        content=rendered.pdf,
        page_count=rendered.page_count,
        pages_done=rendered.page_count,
        content_versions=rendered.content_versions,
        finished_at=timezone.now(),
    )
    del rendered
    release_memory()
