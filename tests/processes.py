"""Real processes of the app (task workers), run against the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
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
        "DECISION_SIGNING_KEY": settings.DECISION_SIGNING_KEY,  # and its signatures
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


def start_gunicorn(static_root: Path, port: int, **env: str) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=production_env(static_root, **env),
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


class DatabaseOutage:
    """A stand-in for PostgreSQL's own socket that a test can take down and bring back.

    Processes under test reach the test database through this proxy (a unix socket in
    a directory of its own, forwarding to the real server). ``down()`` does to them
    what a database restart does -- every open connection is cut, and new ones fail
    because the socket is gone -- without stopping the server that other tests,
    running at the same time, are using. ``up()`` serves again.
    """

    def __init__(self, directory: Path):
        db = connection.settings_dict
        if not (db.get("HOST") or "").startswith("/"):
            raise RuntimeError("the outage proxy stands in for a unix-socket server")
        self.target = str(Path(db["HOST"]) / f".s.PGSQL.{db.get('PORT') or 5432}")
        self.directory = directory
        self.path = str(directory / ".s.PGSQL.5432")
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def database_url(self) -> str:
        db = connection.settings_dict
        return (
            f"postgres://{quote(db['USER'], safe='')}@{quote(str(self.directory), safe='')}"
            f":5432/{quote(db['NAME'], safe='')}"
        )

    def up(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            Path(self.path).unlink(missing_ok=True)
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # taken down
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                server.connect(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
