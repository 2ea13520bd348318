"""Prometheus metrics at ``/metrics`` (the standard ``prometheus_client``).

Counted in each process as requests are answered: requests by view, method and status,
their latency by view, failed logins and lockouts. Under gunicorn, set
``PROMETHEUS_MULTIPROC_DIR`` to a directory emptied at each start (the systemd unit in
``deploy/`` does) so that every worker's counts are summed. Read from the database at each
scrape: the task queue's depth and its oldest waiting task's age, running and failed
tasks, and documents whose rendering failed.

The page answers only to ``Authorization: Bearer <METRICS_TOKEN>``; without
``METRICS_TOKEN`` it does not exist (404). It names views, never patients.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
_registry = None if MULTIPROCESS else CollectorRegistry()

REQUESTS = Counter(
    "tumorboard_http_requests",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
    registry=_registry,
)
LATENCY = Histogram(
    "tumorboard_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=_registry,
)
LOGINS_FAILED = Counter(
    "tumorboard_logins_failed",
    "Failed logins (wrong password or unknown user).",
    registry=_registry,
)
LOCKED_OUT = Counter(
    "tumorboard_logins_locked_out",
    "Logins refused because the username was locked out after repeated failures.",
    registry=_registry,
)


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view, method, str(status)).inc()
    LATENCY.labels(view).observe(seconds)


def _login_failed(sender, **kwargs) -> None:
    LOGINS_FAILED.inc()


def _locked_out(sender, **kwargs) -> None:
    LOCKED_OUT.inc()


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(_login_failed, dispatch_uid="metrics.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="metrics.locked_out")


def task_queue() -> tuple[int, float]:
    """How many tasks wait for a worker, and how long the oldest has waited (seconds; 0
    when none waits): one query, read by the metrics and the readiness check."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY").aggregate(
        n=Count("id"), oldest=Min("enqueued_at")
    )
    age = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0.0
    return waiting["n"], age


class DatabaseCollector:
    """What the database knows at the time of the scrape (four small queries)."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from meetings.models import Handout
        from quality.models import QualityReport

        waiting_count, oldest_age = task_queue()
        by_status = dict(
            DBTaskResult.objects.filter(status__in=["RUNNING", "FAILED"])
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        waiting = GaugeMetricFamily("tumorboard_tasks_waiting", "Tasks queued, not started.")
        waiting.add_metric([], waiting_count)
        yield waiting
        age = GaugeMetricFamily(
            "tumorboard_task_oldest_waiting_seconds",
            "How long the oldest queued task has waited (0: none waits).",
        )
        age.add_metric([], oldest_age)
        yield age
        running = GaugeMetricFamily("tumorboard_tasks_running", "Tasks a worker is running.")
        running.add_metric([], by_status.get("RUNNING", 0))
        yield running
        failed = GaugeMetricFamily(
            "tumorboard_tasks_failed",
            "Failed tasks still on record (kept until prune_db_task_results removes them).",
        )
        failed.add_metric([], by_status.get("FAILED", 0))
        yield failed
        documents = GaugeMetricFamily(
            "tumorboard_documents_failed",
            "Documents whose rendering failed (handouts and packs, quality reports).",
            labels=["kind"],
        )
        documents.add_metric(["handout"], Handout.objects.filter(status="failed").count())
        documents.add_metric(
            ["quality_report"], QualityReport.objects.filter(status="failed").count()
        )
        yield documents


@login_not_required
def metrics_view(request):
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse(
            "A metrics token is needed.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if MULTIPROCESS:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = _registry
    read = CollectorRegistry()
    read.register(DatabaseCollector())
    return HttpResponse(
        generate_latest(counted) + generate_latest(read),
        content_type=CONTENT_TYPE_PLAIN_0_0_4,  # (every Prometheus reads it)
    )
