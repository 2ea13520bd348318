"""Background work: the annual MDT report, through the same render and lease as packs."""

from __future__ import annotations

from django_tasks import task

from meetings.tasks import run_render
from quality.documents import render_report
from quality.models import QualityReport


@task()
def render_quality_report(report_id: int) -> None:
    run_render(report_id, render_report, model=QualityReport, related=("area",))
