"""Health, metrics, request ids and logs: what a hospital's monitoring reads.

The production server's own JSON log and its health endpoints during a database outage
are checked in tests/test_database_outage.py (gunicorn as a process)."""

from __future__ import annotations

import datetime
import json
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from config.requestid import RequestContext
from tests.clamd import running_clamd

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    with running_clamd(tmp_path_factory.mktemp("clamd")) as socket_path:
        yield socket_path


TOKEN = "metrics-token-for-the-tests-0123456789"


def test_liveness_answers_without_login_and_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["Cache-Control"] == "no-store, private"


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/health/live", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
    for bad in ("short", "x" * 65, "has space 123456", "<script>alert(1)</script>"):
        replaced = client.get("/health/live", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"]), bad


def test_readiness_checks_database_storage_and_reports_the_queue(client, settings):
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "tasks"}  # no scanner configured
    assert body["checks"]["tasks"]["waiting"] == 0
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] == 0
    assert all(check["ok"] for check in body["checks"].values())

    settings.HEALTH_TASK_MAX_WAIT_SECONDS = 600
    task = DBTaskResult.objects.create(
        task_path="decisions.notify.actions_assigned", args_kwargs={"args": [], "kwargs": {}},
        priority=0, queue_name="default", backend_name="default",
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=900)
    )
    late = client.get("/health/ready")
    assert late.status_code == 200  # the web server stays in service
    tasks = late.json()["checks"]["tasks"]
    assert late.json()["status"] == "degraded"
    assert tasks["ok"] is False and tasks["waiting"] == 1
    assert 900 <= tasks["oldest_waiting_seconds"] < 960


def test_readiness_fails_when_the_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage's directory should be")
    settings.MEDIA_ROOT = str(blocker)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["storage"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_readiness_checks_the_virus_scanner_when_one_is_configured(client, settings, clamd):
    settings.CLAMAV_SOCKET = clamd
    ok = client.get("/health/ready")
    assert ok.status_code == 200 and ok.json()["checks"]["virus_scanner"]["ok"] is True
    settings.CLAMAV_SOCKET = clamd + ".gone"
    down = client.get("/health/ready")
    assert down.status_code == 503 and down.json()["checks"]["virus_scanner"]["ok"] is False


def test_health_names_no_patient(client, committed_content):
    from tests.factories import make_case, make_patient

    make_case(patient=make_patient(mrn="MRN-HEALTH-1", name="Hana Healthcheck"))
    body = client.get("/health/ready").content.decode()
    assert "Hana" not in body and "MRN-HEALTH-1" not in body


def _metrics(client, token=TOKEN) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_exist_only_with_a_token_and_answer_only_to_it(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert _metrics(client)


def test_metrics_count_requests_logins_and_read_the_queue(client, settings, clinician_client):
    settings.METRICS_TOKEN = TOKEN
    list_key = ("tumorboard_http_requests_total",
                (("method", "GET"), ("status", "200"), ("view", "cases:case_list")))  # fmt: skip
    before = _metrics(client)
    clinician_client.get(reverse("cases:case_list"))
    clinician_client.get(reverse("cases:case_list"))
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong password!"})
    DBTaskResult.objects.create(
        task_path="decisions.notify.actions_assigned", args_kwargs={"args": [], "kwargs": {}},
        priority=0, queue_name="default", backend_name="default",
    )  # fmt: skip
    after = _metrics(client)
    assert after[list_key] - before.get(list_key, 0) == 2
    latency = ("tumorboard_http_request_duration_seconds_count", (("view", "cases:case_list"),))
    assert after[latency] - before.get(latency, 0) == 2
    failed = ("tumorboard_logins_failed_total", ())
    assert after[failed] - before.get(failed, 0) == 1
    assert after[("tumorboard_tasks_waiting", ())] == 1
    assert after[("tumorboard_task_oldest_waiting_seconds", ())] < 60
    assert after[("tumorboard_documents_failed", (("kind", "handout"),))] == 0


def test_a_lockout_is_counted(client, settings, clinician):
    settings.METRICS_TOKEN = TOKEN
    before = _metrics(client).get(("tumorboard_logins_locked_out_total", ()), 0)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("login"), {"username": "clinician", "password": "wrong password!"})
    after = _metrics(client)[("tumorboard_logins_locked_out_total", ())]
    assert after - before >= 1


def test_each_log_record_carries_the_request_id_and_the_user_id_never_the_query(
    clinician_client, clinician, settings
):
    from pythonjsonlogger.json import JsonFormatter

    formatter_settings = dict(settings.LOGGING["formatters"]["json"])
    formatter_settings.pop("()")
    formatter = JsonFormatter(fmt=formatter_settings.pop("format"), **formatter_settings)
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(formatter.format(record)))

    handler = Keep()
    handler.addFilter(RequestContext())
    logger = logging.getLogger("tumorboard.request")
    logger.addHandler(handler)
    try:
        response = clinician_client.get(reverse("cases:case_list"), {"q": "Dana Decided"})
        clinician_client.get("/cases/999999/")
    finally:
        logger.removeHandler(handler)
    first, missing = lines
    assert first["request_id"] == response["X-Request-ID"]
    assert first["user_id"] == clinician.pk
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "tumorboard.request",
        "request",
    )
    assert (first["method"], first["view"], first["route"], first["status"]) == (
        "GET", "cases:case_list", "cases/", 200
    )  # fmt: skip
    assert isinstance(first["duration_ms"], float)
    assert (missing["view"], missing["route"], missing["status"]) == (
        "cases:case_detail", "cases/<int:pk>/", 404
    )  # fmt: skip
    assert "Dana" not in json.dumps(lines) and "999999" not in json.dumps(lines)


def test_an_error_page_shows_the_request_id_to_quote(clinician_client):
    response = clinician_client.get("/cases/999999/")
    assert response.status_code == 404
    assert f"<code>{response['X-Request-ID']}</code>" in response.content.decode()
