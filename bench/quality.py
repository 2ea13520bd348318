"""Benchmark: the quality dashboard with 10,000 cases and 1,000 signed decisions.

Builds a year of weekly meetings of one board (10,000 cases listed, 1,000 of them
with a signed decision, each with six concordance rows and two actions) in a
transaction that is rolled back (statistics gathered by ANALYZE, as autovacuum keeps
them in use), then prints the median time to compute the figures and to serve the
dashboard page, with their query counts. Target (issue 28): the page <= 100 ms.

Run after `make setup`:  .venv/bin/python bench/quality.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = 10_000
DECISIONS = 1_000
MEETINGS = 50
REPEATS = 9


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
    from django.utils import timezone

    from accounts import roles
    from cases.models import Case, Patient
    from common.periods import last_twelve_months
    from decisions.models import RECORD_FORMAT, Action, Classification, Concordance, Decision
    from guidelines.models import DiseaseArea, Recommendation
    from meetings.models import AgendaItem, Attendance, Board, Meeting, Specialty
    from quality import report

    slugs = list(Recommendation.objects.published().values_list("slug", flat=True)[:6])
    area = DiseaseArea.objects.get(slug="liver")
    start_time = time.perf_counter()
    with transaction.atomic():
        user = User.objects.create_user("bench-coordinator", password="x" * 16)
        user.groups.add(Group.objects.get(name=roles.COORDINATOR))
        board = Board.objects.create(name="Bench quality board", default_chair=user)
        board.required_specialties.set(
            [Specialty.objects.get_or_create(name=n)[0] for n in ("Surgery", "Oncology")]
        )
        now = timezone.now()
        meetings = Meeting.objects.bulk_create(
            Meeting(board=board, starts_at=now - datetime.timedelta(days=7 * n + 1))
            for n in range(MEETINGS)
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=m, name=f"Dr. {s}", specialty=s)
            for n, m in enumerate(meetings)
            for s in (("Surgery", "Oncology") if n % 3 else ("Surgery",))
        )
        patients = Patient.objects.bulk_create(
            Patient(mrn=f"QB-{n:05d}", name=f"Bench {n}", date_of_birth=datetime.date(1960, 1, 1))
            for n in range(CASES)
        )
        cases = Case.objects.bulk_create(
            Case(patient=p, area=area, referring_clinician="Dr. R", question="?",
                 referral_date=(now - datetime.timedelta(days=7 * (n % MEETINGS) + 20)).date())
            for n, p in enumerate(patients)
        )  # fmt: skip
        items = AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meetings[n % MEETINGS], case=c, position=n // MEETINGS + 1)
            for n, c in enumerate(cases)
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                agenda_item=i,
                outcome="recommendation",
                pathway="yes",
                shown={"completeness": [7, 10], "record_format": RECORD_FORMAT},
            )
            for i in items[:DECISIONS]
        )
        Concordance.objects.bulk_create(
            Concordance(decision=d, position=k + 1, recommendation=slug, statement="s",
                        source="S", verification="", judgement="followed" if k else "not_followed")
            for d in decisions
            for k, slug in enumerate(slugs)
        )  # fmt: skip
        Classification.objects.bulk_create(  # each has one item not followed (the first)
            Classification(decision=d, klass="discordant", reason_groups=["patient"])
            for d in decisions
        )
        Action.objects.bulk_create(
            Action(decision=d, what=w, due=now.date() - datetime.timedelta(days=3),
                   done_at=None if w == "b" else now)
            for d in decisions
            for w in ("a", "b")
        )  # fmt: skip
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(
            status="signed",
            signed_at=now,
            signed_by=user,
            signature_hash="0" * 64,
            signature_mac="0" * 64,
        )
        with connection.cursor() as cursor:  # statistics, as autovacuum keeps them in use
            cursor.execute("ANALYZE")
        print(f"Built {CASES:,} cases on {MEETINGS} meetings, {DECISIONS:,} signed decisions "
              f"in {time.perf_counter() - start_time:.1f} s.")  # fmt: skip
        start, end = last_twelve_months(timezone.localdate())
        scope = report.Scope((board,), start, end)
        samples = []
        for _ in range(REPEATS):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                figures = report.build(scope)
            samples.append(time.perf_counter() - began)
        assert figures.listed == CASES, figures.listed
        print(f"Figures (report.build): median {statistics.median(samples) * 1e3:.0f} ms, "
              f"{len(queries)} queries; {figures.listed:,} listed, "
              f"{figures.concordance.whole:,} concordance rows judged")  # fmt: skip
        client = Client()
        client.force_login(user)
        client.get(reverse("quality:dashboard"))
        samples = []
        for _ in range(REPEATS):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("quality:dashboard"), {"board": board.pk})
            samples.append(time.perf_counter() - began)
        assert response.status_code == 200
        page = statistics.median(samples) * 1e3
        print(f"The dashboard page: median {page:.0f} ms, {len(queries)} queries (target: "
              f"<= 100 ms){'  MISSED' if page > 100 else ''}")  # fmt: skip
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
