"""Benchmark: running a 30-case meeting.

Prints the median time (wall beside CPU of this process, which runs the server side
in the test client) to open meeting mode on an item and to save a decision draft as
it is typed (the autosave request, its record holding 30 judged rows; the plan typed,
and one row's judgement changed), each with its query count, and the time to render the
minutes of the meeting with every case decided. Works in a transaction that is rolled
back: the database is left as it was.

Targets (issue 28): the autosave <= 20 ms at 30 rows, its queries the same whatever
the number of rows (asserted in tests/decisions/test_concordance_record.py); the
minutes of 30 cases <= 2 s.

Run after `make setup`:  .venv/bin/python bench/meeting_mode.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CASES = 30
REPEATS = 15
ROWS = 30  # judged rows on the record saved
FORM = "application/x-www-form-urlencoded"


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
    from decisions.models import Concordance, Judgement
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
        record = item.decisions.get()
        have = record.concordance.filter(frozen_as="applies").count()
        Concordance.objects.bulk_create(
            Concordance(decision=record, position=100 + n, recommendation=f"synthetic-{n}",
                        statement=f"Synthetic item {n}.", source="S", verification="",
                        plan_modalities=["further_imaging"], judgement=Judgement.FOLLOWED)
            for n in range(max(0, ROWS - have))
        )  # fmt: skip
        rows = record.concordance.filter(frozen_as="applies").count()  # judged rows
        mode = reverse("decisions:meeting_mode", args=[meeting.pk, item.pk])
        client.get(mode)  # warm up: templates, the content snapshot

        def timed(request, prepare=lambda: None) -> tuple[list[float], list[float], int]:
            times, cpus = [], []
            for _ in range(REPEATS):
                arguments = prepare()
                start, cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    response = request(arguments)
                times.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
                assert response.status_code == 200, response.status_code
            return times, cpus, len(queries)

        opened, opened_cpu, open_queries = timed(lambda _: client.get(mode))
        autosave = reverse("decisions:decision_autosave", args=[meeting.pk, item.pk])

        def as_the_browser_holds_it(**changes) -> str:
            """The form after an earlier autosave handed back its action's id (not timed)."""
            record = item.decisions.get()
            data = form_data(record, **changes)
            action = record.actions.first()
            if action is not None:
                data.update({"actions-0-id": str(action.pk), "actions-INITIAL_FORMS": "1"})
            return urlencode(data, doseq=True)

        def typed():
            return as_the_browser_holds_it(plan=f"Plan typed at {time.perf_counter()}")

        def save(body):  # as htmx posts a form without files: URL-encoded
            return client.post(autosave, body, content_type=FORM, HTTP_HX_REQUEST="true")

        saved, saved_cpu, save_queries = timed(save, typed)
        marks = iter(["not_relevant", "followed"] * REPEATS)

        def marked():  # the same, with one row's judgement changed each time
            return as_the_browser_holds_it(**{"concordance-0-judgement": next(marks)})

        one_row, one_row_cpu, one_row_queries = timed(save, marked)
        documents.render_minutes(meeting)  # warm up: WeasyPrint's import and fonts
        start = time.perf_counter()
        rendered = documents.render_minutes(meeting)
        minutes = time.perf_counter() - start
        transaction.set_rollback(True)

    def ms(values) -> str:
        return f"{statistics.median(values) * 1000:.1f}"

    print(f"meeting mode, {CASES} agenda items: open an item, median of {REPEATS}: "
          f"{ms(opened)} ms wall / {ms(opened_cpu)} ms CPU ({open_queries} queries)")  # fmt: skip
    save_ms = statistics.median(saved) * 1000
    print(f"decision draft saved as typed, {rows} rows, median of {REPEATS}: {ms(saved)} ms "
          f"wall / {ms(saved_cpu)} ms CPU ({save_queries} queries); target <= 20 ms"
          f"{'  MISSED' if save_ms > 20 else ''}")  # fmt: skip
    print(f"the same with one row's judgement changed: {ms(one_row)} ms wall / "
          f"{ms(one_row_cpu)} ms CPU ({one_row_queries} queries)")  # fmt: skip
    print(f"minutes of a {CASES}-case meeting: {minutes * 1000:.0f} ms, "
          f"{rendered.page_count} pages, {len(rendered.pdf) / 1024:.0f} KiB; target <= 2000 ms"
          f"{'  MISSED' if minutes > 2 else ''}")  # fmt: skip


if __name__ == "__main__":
    main()
