"""Real processes of the app (task workers), run against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def test_database_url() -> str:
    """A DATABASE_URL naming the database the tests use (socket or TCP host)."""
    db = connection.settings_dict
    host = quote(db.get("HOST") or "", safe="")
    auth = quote(db["USER"], safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    )
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def start_worker(**env: str) -> subprocess.Popen:
    """`manage.py db_worker` in its own process, on the test database."""
    environment = {**os.environ, "DATABASE_URL": test_database_url(), **env}
    return subprocess.Popen(
        [
            sys.executable,
            MANAGE,
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    """Stop a process (if it still runs) and return what it printed."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-mode process (DEBUG off) on the test database."""
    return {
        **os.environ,
        "TUMORBOARD_ENV_FILE": "none",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # so that the test's sessions are valid there
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": test_database_url(),
        "DATABASE_CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(static_root),
        **extra,
    }


def collect_static(static_root: Path) -> None:
    subprocess.run(
        [sys.executable, MANAGE, "collectstatic", "--noinput", "-v", "0"],
        env=production_env(static_root),
        check=True,
        timeout=300,
    )


def start_gunicorn(static_root: Path, port: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=production_env(static_root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def pg_cluster(action: str) -> None:
    """Stop or start the project-local PostgreSQL cluster (scripts/pg.sh)."""
    subprocess.run(
        [str(Path(settings.BASE_DIR) / "scripts" / "pg.sh"), action],
        check=True,
        capture_output=True,
        timeout=120,
    )
