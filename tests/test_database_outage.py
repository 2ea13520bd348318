"""The database stops and starts again: the web server and the task worker carry on.

Runs gunicorn and a task worker as real processes against the test database and
takes their database away under them (``tests.processes.DatabaseOutage``: every
connection cut, new ones failing, as in a restart), without stopping the server
the other tests use. The message for a stopped local cluster is checked by
stopping the cluster itself, alone, after every other test.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from documents.models import Status
from meetings.models import Handout
from tests.factories import make_case, make_meeting
from tests.processes import (
    DatabaseOutage,
    collect_static,
    free_port,
    pg_cluster,
    start_gunicorn,
    start_worker,
    stop,
    wait_for,
)

pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="stands in for the project-local cluster's socket; with DATABASE_URL there is none",
    ),
    pytest.mark.slow,
]


def _get(url: str, session: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def outage():
    """The web server and the worker reach the database through a proxy the test takes
    down and brings back, so that the shared server keeps serving the other tests."""
    directory = Path(tempfile.mkdtemp(prefix="tb-pg-"))  # short: socket paths are limited
    proxy = DatabaseOutage(directory)
    proxy.up()
    yield proxy
    proxy.down()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.processes
def test_web_and_worker_survive_a_database_restart_and_say_so_while_it_is_down(
    client, coordinator, committed_content, tmp_path, outage
):
    client.force_login(coordinator)
    session = client.cookies["sessionid"].value
    meeting = make_meeting([make_case()])
    collect_static(tmp_path)
    port = free_port()
    web = start_gunicorn(tmp_path, port, DATABASE_URL=outage.database_url())
    worker = start_worker(DATABASE_URL=outage.database_url())
    url = f"http://127.0.0.1:{port}{reverse('cases:case_list')}"
    try:
        wait_for(lambda: _get_or_none(url, session) == 200, 60, "gunicorn to answer")
        wait_for(lambda: outage._open, 30, "the worker to connect")

        # A restart while idle: the next request reconnects, nobody sees an error.
        outage.down()
        outage.up()
        assert _get(url, session)[0] == 200

        # While the database is down: a page that says so, and when to try again, with
        # the request's id to quote; the server is alive but not ready.
        outage.down()
        try:
            status, body, headers = _get(url, session)
            assert status == 503
            assert "The database is unavailable" in body and "Try again in a minute" in body
            assert headers["Retry-After"] == "60"
            assert f"<code>{headers['X-Request-ID']}</code>" in body
            base = f"http://127.0.0.1:{port}"
            assert _get(f"{base}/health/live", "")[:2] == (200, '{"status": "ok"}')
            status, body, _ = _get(f"{base}/health/ready", "")
            ready = json.loads(body)
            assert status == 503 and ready["status"] == "unavailable"
            assert ready["checks"]["database"]["ok"] is False
            assert ready["checks"]["storage"]["ok"] is True
            time.sleep(1)  # the worker polls every 0.2 s meanwhile, and must wait it out
        finally:
            outage.up()
        assert _get(url, session)[0] == 200

        # The worker outlived the outage and takes new work.
        assert worker.poll() is None, stop(worker)
        client.post(reverse("meetings:pack_generate", args=[meeting.pk]))
        handout = Handout.objects.get()
        wait_for(
            lambda: (
                Handout.objects.values_list("status", flat=True).get(pk=handout.pk) == Status.DONE
            ),
            120,
            "the worker to render a pack after the outage",
        )
    finally:
        web_log, worker_log = stop(web), stop(worker)
    assert "Database unavailable" in worker_log and "trying again" in worker_log
    assert "Booting worker" in web_log and web_log.count("Booting worker") == 1  # never died
    # The server's log: one JSON object a line for each request, with its id and the user's.
    lines = [json.loads(line) for line in web_log.splitlines() if line.startswith("{")]
    answered = [line for line in lines if line["logger"] == "tumorboard.request"]
    assert {(line["view"], line["status"]) for line in answered} >= {
        ("cases:case_list", 200),
        ("cases:case_list", 503),
    }
    listed = [line for line in answered if line["view"] == "cases:case_list"]
    assert all(line["user_id"] == coordinator.pk for line in listed if line["status"] == 200)
    assert all(line["user_id"] is None for line in listed if line["status"] == 503)  # unread
    assert all(
        len(line["request_id"]) == 32 and line["time"].endswith("+00:00") for line in answered
    )
    assert not [line for line in answered if line["view"].startswith("health_")]  # not logged


def _get_or_none(url: str, session: str) -> int | None:
    try:
        return _get(url, session)[0]
    except OSError:
        return None


@pytest.mark.serial  # stops the shared cluster: run alone, after the rest
def test_a_command_with_the_local_database_stopped_says_how_to_start_it():
    import subprocess
    import sys

    from django.conf import settings

    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    pg_cluster("stop")
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "showmigrations", "cases"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        pg_cluster("start")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The local database is not running: run `make setup` (or `scripts/pg.sh start`)."
    )
