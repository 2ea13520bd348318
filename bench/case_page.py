"""Benchmark: the case page's server time as the patient's course grows.

Three cases in one run, each page asked REPEATS times (median wall and CPU time, and the
query count):
- the floor: a case with no lesions and no course;
- "as before the course": 10 lesions measured once (one imaging), what the page held
  before imaging timepoints existed;
- the course: the same 10 lesions measured at 10 timepoints (two of them targets, so that
  RECIST runs), 10 CEA values and 10 treatments, with the chart and its tables.
It prints each beside the floor and the course's ratio to the page as before (target:
at most 1.25, the course being 100 measurements more on the page). Works in a transaction
that is rolled back: the database is left as it was.

Run after `make setup`:  .venv/bin/python bench/case_page.py
It runs unchanged on the code before the course (without its third case): check out
that commit in a worktree and run it there to compare with the page as it was.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 25
LESIONS = 10
TIMEPOINTS = 10
TARGET_RATIO = 1.25
SEGMENTS = ("I", "II", "III", "IVa", "IVb", "V", "VI", "VII", "VIII", "IV")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts import roles
    from cases import models
    from tests.factories import make_case, make_lesion, make_patient

    has_course = hasattr(models, "ImagingTimepoint")
    facts = {"primary_site": "colorectal", "planned_procedure": "hepatectomy",
             "liver_metastases": "confirmed", "resectability": "potentially_resectable"}  # fmt: skip
    baseline = datetime.date(2026, 1, 5)
    with transaction.atomic():
        user = User.objects.create_user("bench-clinician", password="x" * 16)
        user.groups.add(Group.objects.get(name=roles.CLINICIAN))

        def case(mrn: str):
            return make_case(patient=make_patient(mrn=mrn, name=f"Bench {mrn}"), facts=facts)

        floor = case("BENCH-FLOOR")
        before = case("BENCH-BEFORE")
        for segment in SEGMENTS[:LESIONS]:
            make_lesion(before, segments=[segment], diameter_mm=30, imaging="ct",
                        imaging_date=baseline)  # fmt: skip
        pages = [("floor: no lesions, no course", floor),
                 (f"as before the course: {LESIONS} lesions, 1 imaging", before)]  # fmt: skip
        if has_course:
            from cases.models import DatedValue, Treatment
            from tests.factories import measure

            course = case("BENCH-COURSE")
            rows = [make_lesion(course, segments=[s], target=n < 2)
                    for n, s in enumerate(SEGMENTS[:LESIONS])]  # fmt: skip
            for week in range(TIMEPOINTS):
                day = baseline + datetime.timedelta(weeks=6 * week)
                for row in rows:
                    measure(row, day, 40 - week)
                DatedValue.objects.create(patient=course.patient, fact="cea_ng_ml",
                                          value=80 - 5 * week, day=day)  # fmt: skip
                Treatment.objects.create(patient=course.patient, kind="systemic", line=week + 1,
                                         regimen="Bench regimen", started_on=day,
                                         ended_on=day + datetime.timedelta(weeks=5))  # fmt: skip
            pages.append((f"the course: {LESIONS} lesions × {TIMEPOINTS} imaging, "
                          f"{TIMEPOINTS} values and treatments", course))  # fmt: skip
        client = Client()
        client.force_login(user)
        figures = []
        for label, shown in pages:
            url = shown.get_absolute_url()
            client.get(url)  # warm up: templates, the content snapshot
            walls, cpus = [], []
            for _ in range(REPEATS):
                wall, cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
                assert response.status_code == 200, response.status_code
            figures.append((label, statistics.median(walls), statistics.median(cpus),
                            len(queries)))  # fmt: skip
        transaction.set_rollback(True)
    floor_wall = figures[0][1]
    print(f"case page, median of {REPEATS} (wall / CPU, queries; × the floor's wall time):")
    for label, wall, cpu, count in figures:
        print(f"  {label}: {wall * 1000:.1f} ms / {cpu * 1000:.1f} ms CPU, {count} queries, "
              f"{wall / floor_wall:.2f}× the floor")  # fmt: skip
    if has_course:
        ratio = figures[2][1] / figures[1][1]
        verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
        print(f"  the course against the page as before: {ratio:.2f}× "
              f"(target ≤ {TARGET_RATIO}: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
