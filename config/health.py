"""Health endpoints for load balancers and monitoring: JSON, no login, no patient data.

``/health/live`` answers 200 whenever the process can answer at all; it touches nothing
(no database), so a database outage never gets the web servers restarted.
``/health/ready`` checks what a request needs: the database (a query), the storage of
attachments (a small file written and removed) and, when configured, the virus scanner
(clamd's PING). Any of them failing answers 503. It also reports the task queue: how
many tasks wait and for how long the oldest has waited; a queue older than
``HEALTH_TASK_MAX_WAIT_SECONDS`` is reported (``"ok": false``, status "degraded") but
does not take the web server out of the load balancer, which would not help the workers.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config import metrics


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **(check() or {})}
    except Exception as error:  # noqa: BLE001 (any failure is the answer)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


def _virus_scanner() -> None:
    from common import clamav

    if not clamav.ping():
        raise ConnectionError("clamd did not answer PONG")


def _tasks() -> dict:
    waiting, age = metrics.task_queue()
    return {
        "waiting": waiting,
        "oldest_waiting_seconds": round(age),
        "ok": age <= settings.HEALTH_TASK_MAX_WAIT_SECONDS,
    }


@login_not_required
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def ready(request):
    from common import clamav

    checks = {"database": _timed(_database), "storage": _timed(_storage)}
    if clamav.enabled():
        checks["virus_scanner"] = _timed(_virus_scanner)
    required_ok = all(check["ok"] for check in checks.values())
    checks["tasks"] = _timed(_tasks) if checks["database"]["ok"] else {"ok": False}
    status = "ok" if checks["tasks"]["ok"] else "degraded"
    if not required_ok:
        status = "unavailable"
    return JsonResponse({"status": status, "checks": checks}, status=200 if required_ok else 503)
