"""The database stops and starts again: the web server and the task worker carry on.

Runs gunicorn and a task worker as real processes against the test database and
restarts the project-local PostgreSQL cluster under them.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from meetings.models import Handout, HandoutStatus
from tests.factories import make_case, make_meeting
from tests.processes import (
    collect_static,
    free_port,
    pg_cluster,
    start_gunicorn,
    start_worker,
    stop,
    wait_for,
)

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="restarts the project-local cluster; with DATABASE_URL there is none to restart",
)


def _get(url: str, session: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_web_and_worker_survive_a_database_restart_and_say_so_while_it_is_down(
    client, coordinator, committed_content, tmp_path
):
    client.force_login(coordinator)
    session = client.cookies["sessionid"].value
    meeting = make_meeting([make_case()])
    collect_static(tmp_path)
    port = free_port()
    web = start_gunicorn(tmp_path, port)
    worker = start_worker()
    url = f"http://127.0.0.1:{port}{reverse('cases:case_list')}"
    try:
        wait_for(lambda: _get_or_none(url, session) == 200, 60, "gunicorn to answer")

        # A restart while idle: the next request reconnects, nobody sees an error.
        pg_cluster("stop")
        pg_cluster("start")
        connection.close()
        assert _get(url, session)[0] == 200

        # While the database is down: a page that says so, and when to try again.
        pg_cluster("stop")
        try:
            status, body, headers = _get(url, session)
            assert status == 503
            assert "The database is unavailable" in body and "Try again in a minute" in body
            assert headers["Retry-After"] == "60"
            time.sleep(2)  # the worker polls for work meanwhile, and must wait it out
        finally:
            pg_cluster("start")
        connection.close()
        assert _get(url, session)[0] == 200

        # The worker outlived the outage and takes new work.
        assert worker.poll() is None, stop(worker)
        client.post(reverse("meetings:pack_generate", args=[meeting.pk]))
        handout = Handout.objects.get()
        wait_for(
            lambda: (
                Handout.objects.values_list("status", flat=True).get(pk=handout.pk)
                == HandoutStatus.DONE
            ),
            120,
            "the worker to render a pack after the outage",
        )
    finally:
        pg_cluster("start")
        web_log, worker_log = stop(web), stop(worker)
    assert "Database unavailable" in worker_log and "trying again" in worker_log
    assert "Booting worker" in web_log and web_log.count("Booting worker") == 1  # never died


def _get_or_none(url: str, session: str) -> int | None:
    try:
        return _get(url, session)[0]
    except OSError:
        return None


def test_a_command_with_the_local_database_stopped_says_how_to_start_it(committed_content):
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
        connection.close()
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The local database is not running: run `make setup` (or `scripts/pg.sh start`)."
    )
