"""Background work: rendering meeting packs, outside any web worker."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from meetings import handouts
from meetings.models import Handout, HandoutStage, HandoutStatus

logger = logging.getLogger(__name__)
PAGE_UPDATE_INTERVAL = 0.5  # seconds between progress writes while laying out pages


@task()
def render_meeting_pack(handout_id: int) -> None:
    """Render a queued meeting pack, recording progress, and the PDF or the failure."""
    with transaction.atomic():
        handout = (
            Handout.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=handout_id, status=HandoutStatus.QUEUED)
            .select_related("meeting")
            .first()
        )
        if handout is None:
            return  # deleted, or already taken by another worker
        handout.status = HandoutStatus.RUNNING
        handout.started_at = timezone.now()
        handout.save(update_fields=["status", "started_at"])
    last_write = [0.0]

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
        Handout.objects.filter(pk=handout_id).update(**fields)

    try:
        rendered = handouts.render_meeting_handout(handout.meeting, progress)
    except Exception as error:
        logger.exception("Meeting pack %s failed", handout_id)
        Handout.objects.filter(pk=handout_id).update(
            status=HandoutStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return
    Handout.objects.filter(pk=handout_id).update(
        status=HandoutStatus.DONE,
        stage="",
        pdf=rendered.pdf,
        page_count=rendered.page_count,
        pages_done=rendered.page_count,
        content_versions=rendered.content_versions,
        finished_at=timezone.now(),
    )
