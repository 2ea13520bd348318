"""Benchmark: printing a case summary, rendered versus served again.

Prints the time of the first print of a case (laid out by WeasyPrint in the
request: the warm-up prints another case, so that nothing of this one is stored),
the median of 20 prints of the same unchanged case (served from the stored PDF),
their ratio, and how many PDFs were stored, wall time beside CPU time. Works in a
transaction that is rolled back: the database is left as it was.

Run after `make setup`:  .venv/bin/python bench/case_summary.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 20


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from accounts import roles
    from cases.models import CaseSummary
    from cases.summary import render_case_summary
    from tests.factories import make_case, make_patient

    with transaction.atomic():
        user = User.objects.create_user("bench-clinician", password="x" * 16)
        user.groups.add(Group.objects.get(name=roles.CLINICIAN))
        facts = {"primary_site": "colorectal", "planned_procedure": "hepatectomy"}
        case = make_case(patient=make_patient(mrn="BENCH-1", name="Bench Patient"), facts=facts)
        other = make_case(patient=make_patient(mrn="BENCH-2", name="Warm Patient"), facts=facts)
        render_case_summary(other)  # warm up WeasyPrint's import and fonts on another case
        assert not CaseSummary.objects.filter(case=case).exists()
        client = Client()
        client.force_login(user)
        url = reverse("cases:case_summary_pdf", args=[case.pk])
        start, cpu = time.perf_counter(), time.process_time()
        assert client.get(url).status_code == 200
        first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
        again, again_cpu = [], []
        for _ in range(REPEATS):
            start, cpu = time.perf_counter(), time.process_time()
            assert client.get(url).status_code == 200
            again.append(time.perf_counter() - start)
            again_cpu.append(time.process_time() - cpu)
        stored = CaseSummary.objects.filter(case=case).count()
        transaction.set_rollback(True)
    median = statistics.median(again)
    print(f"case summary: first print {first * 1000:.0f} ms wall / {first_cpu * 1000:.0f} ms CPU "
          "(laid out)")  # fmt: skip
    print(f"case summary: printed again, median of {REPEATS}: {median * 1000:.1f} ms wall / "
          f"{statistics.median(again_cpu) * 1000:.1f} ms CPU (stored PDF)")  # fmt: skip
    print(f"ratio {first / median:.0f}x; PDFs stored for {REPEATS + 1} prints: {stored}")


if __name__ == "__main__":
    main()
