"""Benchmark: rendering meeting packs.

For meetings of 10 and 30 demo-like cases, prints the total render time (the
background task's path: preparing cases, matching, templates, WeasyPrint,
progress writes), the time WeasyPrint alone takes on the same final HTML, and
their ratio (our overhead; target <= 1.15), each as wall time and as CPU time
(the two variants are interleaved, run by run, so that a busy machine slows both
alike), the peak memory, the memory the process keeps once the render is over
(the task gives it back: ``printing.pdf.release_memory``), and the page count.

Each size runs in a fresh child process, so that its peak memory (the
process's maximum resident set) is its own. The benchmark's meetings and cases
are created in a transaction that is rolled back: the database is left as it was.

Run after `make setup`:  .venv/bin/python bench/handout.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def child(size: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from cases.demo import DEMO_CASES
    from cases.models import Case, Patient
    from guidelines import snapshot
    from guidelines.facts import coerce_facts
    from meetings import handouts
    from meetings.models import AgendaItem, Board, Handout, HandoutKind, Meeting
    from meetings.tasks import render_meeting_pack
    from printing.pdf import html_to_document, release_memory

    liver = snapshot.current().by_slug("liver")
    catalogue = liver.catalogue
    with transaction.atomic():
        meeting = Meeting.objects.create(
            board=Board.objects.get_or_create(name="Benchmark board")[0],
            starts_at=timezone.now(),
            place="Room 1",
            chair="Dr. Chair",
        )
        for n in range(size):
            demo = DEMO_CASES[n % len(DEMO_CASES)]
            _, name, born, sex = demo["patient"]
            patient = Patient.objects.create(
                mrn=f"BENCH-{n:04d}", name=f"{name} {n}", date_of_birth=born, sex=sex
            )
            case = Case.objects.create(
                area_id=liver.area.pk,
                patient=patient,
                referring_clinician=demo["referring_clinician"],
                question=demo["question"],
                clinical_summary=demo["summary"],
                facts=coerce_facts(
                    {k: v for k, v in demo["facts"].items() if k in catalogue}, catalogue
                ),
                referral_date=datetime.date(2026, 11, 1),
            )
            AgendaItem.objects.create(meeting=meeting, case=case, position=n + 1)

        handouts.render_meeting_handout(meeting)  # warm up: imports, fonts, caches
        html, _ = handouts.render_meeting_html(meeting)
        totals, total_cpu, alone, alone_cpu, pages = [], [], [], [], 0
        for _ in range(RUNS):  # interleaved: the task, then WeasyPrint alone
            handout = Handout.objects.create(
                kind=HandoutKind.MEETING_PACK, meeting=meeting, cases_total=size
            )
            start, cpu = time.perf_counter(), time.process_time()
            render_meeting_pack.call(handout.pk)
            totals.append(time.perf_counter() - start)
            total_cpu.append(time.process_time() - cpu)
            handout.refresh_from_db()
            assert handout.status == "done", handout.error
            pages = handout.page_count
            start, cpu = time.perf_counter(), time.process_time()
            html_to_document(html).write_pdf()  # WeasyPrint alone: layout, then PDF
            alone.append(time.perf_counter() - start)
            alone_cpu.append(time.process_time() - cpu)
        release_memory()
        idle = resident_mib()
        transaction.set_rollback(True)
    return {
        "cases": size,
        "total_s": statistics.median(totals),
        "total_cpu_s": statistics.median(total_cpu),
        "weasyprint_s": statistics.median(alone),
        "weasyprint_cpu_s": statistics.median(alone_cpu),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "idle_mib": idle,
        "pages": pages,
    }


def resident_mib() -> float:
    """The process's memory now (its resident set), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    print(f"Meeting pack rendering, median of {RUNS} warm runs per size (wall s / CPU s).")
    print(f"{'cases':>5} {'total':>13} {'WeasyPrint':>13} {'ratio wall':>10} {'ratio CPU':>9} "
          f"{'peak MiB':>9} {'after MiB':>9} {'pages':>6}")  # fmt: skip
    for size in (10, 30):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            sys.exit(out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['cases']:>5} {r['total_s']:6.2f}/{r['total_cpu_s']:6.2f} "
            f"{r['weasyprint_s']:6.2f}/{r['weasyprint_cpu_s']:6.2f} "
            f"{r['total_s'] / r['weasyprint_s']:10.3f} {r['total_cpu_s'] / r['weasyprint_cpu_s']:9.3f} "
            f"{r['peak_mib']:9.0f} {r['idle_mib']:9.0f} {r['pages']:>6}"
        )
    print("Target: ratio ≤ 1.15.")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main()
