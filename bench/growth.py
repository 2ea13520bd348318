"""Benchmark: the re-layout after one guideline edit at the scale of 50 boards and
2,000 cases a week (issue 28), from the cost of each step measured here.

A guideline edit changes every upcoming case section. The look (``prepare_upcoming``)
builds each section's HTML to find the ones not stored and queues a task each; the
workers lay them out (``lay_out_section``), the nearest meeting's first. Measured on
a meeting of 20 demo-like cases (in a transaction rolled back: the database is left as
it was), per section, CPU time beside wall time; then worked out for 2,000 sections on
2 workers, and for the nearest meeting (40 cases: 2,000 a week over 50 boards).

Run after `make setup`:  .venv/bin/python bench/growth.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import django_setup  # noqa: E402

CASES = 20
WEEK = 2000
WORKERS = 2
NEAREST = 40


def main() -> None:
    django_setup()
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult
    from pack import make_meeting

    from cases.models import PrintedSection
    from cases.tasks import lay_out_section
    from meetings import prerender

    with transaction.atomic():
        meeting = make_meeting(CASES)
        DBTaskResult.objects.all().delete()
        PrintedSection.objects.all().delete()
        wall, cpu = time.perf_counter(), time.process_time()
        queued = prerender.prepare_upcoming.call(meeting_id=meeting.pk)
        look = (time.perf_counter() - wall) / CASES, (time.process_time() - cpu) / CASES
        assert queued == CASES, queued
        tasks = list(DBTaskResult.objects.filter(task_path=lay_out_section.module_path))
        walls, cpus = [], []
        for task in tasks:
            wall, cpu = time.perf_counter(), time.process_time()
            assert lay_out_section.call(*task.args_kwargs["args"]) is True
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        again = prerender.prepare_upcoming.call(meeting_id=meeting.pk)
        transaction.set_rollback(True)
    layout = statistics.median(walls), statistics.median(cpus)
    print(f"Per section (median of {CASES}): the look {look[0] * 1000:.1f} ms wall / "
          f"{look[1] * 1000:.1f} ms CPU; laying out {layout[0] * 1000:.0f} ms wall / "
          f"{layout[1] * 1000:.0f} ms CPU. A second look queued {again}.")  # fmt: skip
    total = WEEK * (look[1] + layout[1] / WORKERS)
    # Tasks are visible once queued: while one worker goes on looking, the others lay
    # out the nearest meeting's sections (queued first, at the highest priority).
    nearest = NEAREST * look[1] + NEAREST * layout[1] / max(1, WORKERS - 1)
    print(f"One guideline edit, {WEEK:,} upcoming sections, {WORKERS} workers: about "
          f"{total / 60:.1f} minutes of work (the look alone {WEEK * look[1]:.0f} s, one "
          f"process). Nearest meeting first: its {NEAREST} sections ready after about "
          f"{nearest:.0f} s; a burst of edits adds no second pass over sections still "
          "waiting.")  # fmt: skip


if __name__ == "__main__":
    main()
