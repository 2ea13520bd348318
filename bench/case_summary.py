"""Benchmark: printing a case summary, rendered versus served again.

Prints the time of the first print of a case (rendered by WeasyPrint in the
request), the median of 20 prints of the same unchanged case (served from the
stored PDF), their ratio, and how many PDFs were stored. Works in a transaction
that is rolled back: the database is left as it was.

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
        case = make_case(
            patient=make_patient(mrn="BENCH-1", name="Bench Patient"),
            facts={"primary_site": "colorectal", "planned_procedure": "hepatectomy"},
        )
        render_case_summary(case)  # warm up: WeasyPrint's import and fonts
        client = Client()
        client.force_login(user)
        url = reverse("cases:case_summary_pdf", args=[case.pk])
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        first = time.perf_counter() - start
        again = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            again.append(time.perf_counter() - start)
        stored = CaseSummary.objects.filter(case=case).count()
        transaction.set_rollback(True)
    median = statistics.median(again)
    print(f"case summary: first print {first * 1000:.0f} ms (rendered)")
    print(f"case summary: printed again, median of {REPEATS}: {median * 1000:.1f} ms (stored PDF)")
    print(f"ratio {first / median:.0f}x; PDFs stored for {REPEATS + 1} prints: {stored}")


if __name__ == "__main__":
    main()
