"""Benchmark: running a 30-case meeting.

Prints the median time (ms) to open meeting mode on an item and to save a decision
draft as it is typed (the autosave request), each with its query count, and the time
to render the minutes of the meeting with every case decided. Works in a transaction
that is rolled back: the database is left as it was.

Run after `make setup`:  .venv/bin/python bench/meeting_mode.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = 30
REPEATS = 15


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
    from django.urls import reverse

    from accounts import roles
    from decisions import documents, services
    from decisions.models import Judgement
    from tests.decisions.records import form_data
    from tests.factories import make_case, make_meeting, make_patient

    facts = {
        "primary_site": "colorectal",
        "planned_procedure": "hepatectomy",
        "smoker_current": True,
        "liver_metastases": "confirmed",
        "resectability": "resectable",
        "liver_resection_done": False,
    }
    with transaction.atomic():
        user = User.objects.create_user("bench-clinician", password="x" * 16)
        user.groups.add(Group.objects.get(name=roles.COORDINATOR))
        cases = [
            make_case(
                patient=make_patient(mrn=f"BENCH-{n}", name=f"Bench Patient {n}"), facts=facts
            )
            for n in range(CASES)
        ]
        meeting = make_meeting(cases, board_name="Bench board")
        items = list(meeting.agenda_items.order_by("position"))
        for item in items:
            decision = services.start(item, user)
            decision.concordance.filter(frozen_as="applies").update(judgement=Judgement.FOLLOWED)
            decision.pathway = "yes"
            decision.outcome, decision.intent = "recommendation", "curative"
            decision.plan = "Two cycles of systemic therapy, then restage and decide on resection."
            decision.save()
        client = Client()
        client.force_login(user)
        item = items[CASES // 2]
        mode = reverse("decisions:meeting_mode", args=[meeting.pk, item.pk])
        client.get(mode)  # warm up: templates, the content snapshot

        def timed(request) -> tuple[list[float], int]:
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    response = request()
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            return times, len(queries)

        opened, open_queries = timed(lambda: client.get(mode))
        autosave = reverse("decisions:decision_autosave", args=[meeting.pk, item.pk])

        def save():
            decision = item.decisions.get()
            data = form_data(decision, plan=f"Plan typed at {time.perf_counter()}")
            return client.post(autosave, data, HTTP_HX_REQUEST="true")

        saved, save_queries = timed(save)
        documents.render_minutes(meeting)  # warm up: WeasyPrint's import and fonts
        start = time.perf_counter()
        rendered = documents.render_minutes(meeting)
        minutes = time.perf_counter() - start
        transaction.set_rollback(True)
    print(f"meeting mode, {CASES} agenda items: open an item, median of {REPEATS}: "
          f"{statistics.median(opened) * 1000:.0f} ms ({open_queries} queries)")  # fmt: skip
    print(f"decision draft saved as typed, median of {REPEATS}: "
          f"{statistics.median(saved) * 1000:.0f} ms ({save_queries} queries)")  # fmt: skip
    print(f"minutes of a {CASES}-case meeting: {minutes * 1000:.0f} ms, "
          f"{rendered.page_count} pages, {len(rendered.pdf) / 1024:.0f} KiB")  # fmt: skip


if __name__ == "__main__":
    main()
