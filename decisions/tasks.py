"""Background work: rendering minutes and outcome letters, like the meeting pack."""

from __future__ import annotations

from django_tasks import task

from decisions import documents
from meetings.tasks import run_render


@task()
def render_record_document(handout_id: int) -> None:
    """Render queued minutes or a queued letter, recording progress and the result."""
    run_render(handout_id, documents.render_handout)
