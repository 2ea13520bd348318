"""Load benchmark: gunicorn as deployed (its workers from deploy/systemd/tumorboard-web.service,
as docs/running.md says) on loopback, 20 logged-in clients, 30 s.

Sets up a separate database (`tumorboard_load` on the project-local cluster)
with the content pack and 1,000 demo-like cases (kept for later runs), starts
gunicorn in production mode (DEBUG off, collected static files) on 127.0.0.1,
and drives it with wrk: 20 connections, each request as one of 20 logged-in
clinicians in turn, over the case list (random pages), case pages and the live
match panel (the htmx preview POST of the case form). Prints requests per
second, p50/p95/p99 latency and the error count, and the same for the floor: a bare
view (``/health/live``, no database, no template) behind the same middleware with the
same sessions, and the ratio of the pages' throughput to the floor's.
Targets (issue 28): 0 errors, p95 <= 150 ms, throughput >= 40 % of the bare view's.

Run after `make setup`:  .venv/bin/python bench/load.py   (needs wrk: apt-get install wrk)
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tumorboard_load"
PORT = int(os.environ.get("LOAD_PORT", "8765"))
CASES, USERS, SECONDS, CONNECTIONS = 1000, 20, 30, 20
SERVICE_SECONDS = 10
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Sync workers (one thread) serve most on few cores: threads only share the GIL.
THREADS = os.environ.get("LOAD_THREADS", "1")
UNIT = ROOT / "deploy" / "systemd" / "tumorboard-web.service"


def deployed_workers() -> str:
    """The gunicorn workers the deployment runs (its systemd unit's ExecStart)."""
    found = re.search(r"--workers (\d+)", UNIT.read_text())
    if not found:
        sys.exit(f"no --workers in {UNIT}")
    return found.group(1)


def database_url() -> str:
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    socket_dir = urllib.parse.quote(str(ROOT / ".pg" / "run"), safe="")
    return f"postgres://postgres@{socket_dir}:5432/{DB_NAME}"


def environment(static_root: str) -> dict:
    return {
        **os.environ,
        "TUMORBOARD_ENV_FILE": "none",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DECISION_SIGNING_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk")
    sys.exit("wrk is needed: apt-get install wrk")


def ensure_database(env: dict) -> None:
    if not os.environ.get("LOAD_DATABASE_URL"):
        run = str(ROOT / ".pg" / "run")
        exists = subprocess.run(
            ["psql", "-h", run, "-U", "postgres", "-d", "postgres", "-tAc",
             f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run(["createdb", "-h", run, "-U", "postgres", DB_NAME], check=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_content", "--if-empty", stdout=subprocess.DEVNULL)
    manage(env, "shell", "-c", SEED)


SEED = f"""
import datetime, random
from django.contrib.auth.models import Group, User
from cases.demo import DEMO_CASES
from cases.models import Case, Patient
from guidelines import snapshot
from guidelines.facts import coerce_facts
liver = snapshot.current().by_slug("liver")
catalogue = liver.catalogue
rng = random.Random(7)
have = Case.objects.count()
for n in range(have, {CASES}):
    demo = DEMO_CASES[n % len(DEMO_CASES)]
    _, name, born, sex = demo["patient"]
    patient = Patient.objects.create(mrn=f"LOAD-{{n:05d}}", name=f"{{name}} {{n}}", date_of_birth=born, sex=sex)
    Case.objects.create(patient=patient, area_id=liver.area.pk, referring_clinician=demo["referring_clinician"],
        question=demo["question"], clinical_summary=demo["summary"], status=rng.choice(["draft", "ready"]),
        facts=coerce_facts({{k: v for k, v in demo["facts"].items() if k in catalogue}}, catalogue))
group = Group.objects.get(name="clinician")
for n in range({USERS}):
    user, _ = User.objects.get_or_create(username=f"load{{n:02d}}")
    user.groups.set([group])
"""

SESSIONS = f"""
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
for user in User.objects.filter(username__startswith="load").order_by("username")[:{USERS}]:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.DemoAwareBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(f"sessionid={{session.session_key}}; csrftoken={{_get_new_csrf_string()}}")
"""


def request_lines(env: dict) -> list[str]:
    ids = manage(
        env, "shell", "-c",
        "from cases.models import Case; print(' '.join(str(i) for i in Case.objects.values_list('pk', flat=True)))",
        capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    rng = random.Random(11)
    pages = CASES // 25
    lines = []
    for _ in range(300):
        lines.append(f"GET\t/cases/?page={rng.randint(1, pages)}\t")
        lines.append(f"GET\t/cases/{rng.choice(ids)}/\t")
    preview = urllib.parse.urlencode({
        "mrn": "LOAD-PREVIEW", "patient_name": "Load Preview", "date_of_birth": "1960-01-01",
        "sex": "male", "referral_date": "2026-11-01", "referring_clinician": "Dr. Load",
        "status": "draft", "question": "Load?", "clinical_summary": "", "_preview": "1",
        "fact_primary_site": "colorectal", "fact_planned_procedure": "hepatectomy",
        "fact_smoker_current": "yes", "fact_alcohol_g_per_day": "40",
    })  # fmt: skip
    lines += [f"POST\t/cases/new/\t{preview}"] * 300
    rng.shuffle(lines)
    return lines


def wait_for(url: str, cookie: str) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url}")


def main() -> None:
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(str(Path(tmp) / "static"))
        print(f"Preparing {DB_NAME} ({CASES} cases, {USERS} clinicians) ...", flush=True)
        ensure_database(env)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        cookies = manage(env, "shell", "-c", SESSIONS, capture_output=True, text=True).stdout.split(
            "\n"
        )
        cookies = [line for line in cookies if line.startswith("sessionid=")]
        (Path(tmp) / "cookies").write_text("\n".join(cookies) + "\n")
        (Path(tmp) / "requests").write_text("\n".join(request_lines(env)) + "\n")
        (Path(tmp) / "bare").write_text("GET\t/health/live\t\n")
        workers = deployed_workers()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{PORT}",
             "--workers", workers, "--threads", THREADS, "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{PORT}/cases/", cookies[0])
            files = (str(Path(tmp) / "requests"), str(Path(tmp) / "cookies"))
            # One connection first: the service time of a request with no queue.
            alone = run_wrk(wrk, 1, 1, SERVICE_SECONDS, files)
            print(f"wrk: {CONNECTIONS} connections, {SECONDS} s, gunicorn {workers} workers × "
                  f"{THREADS} thread(s)", flush=True)  # fmt: skip
            figures = run_wrk(wrk, 2, CONNECTIONS, SECONDS, files)
            bare = run_wrk(wrk, 2, CONNECTIONS, SECONDS, (str(Path(tmp) / "bare"), files[1]))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"requests/s {float(figures['rps']):.1f}  ({figures['requests']} requests in {figures['seconds']} s)"
    )
    print(f"latency ms p50 {figures['p50']}  p95 {figures['p95']}  p99 {figures['p99']}")
    print(f"errors {figures['errors']} (non-2xx/3xx: {figures['status_errors']})")
    print(
        f"one connection ({SERVICE_SECONDS} s): service time ms p50 {alone['p50']}  p95 "
        f"{alone['p95']}  ({float(alone['rps']):.1f} requests/s)"
    )
    share = float(figures["rps"]) / float(bare["rps"])
    print(f"floor, the bare view: requests/s {float(bare['rps']):.1f}  p95 {bare['p95']} ms  "
          f"(errors {bare['errors']}); the pages' throughput is {share:.0%} of it")  # fmt: skip
    missed = [m for m, bad in (
        ("errors", int(figures["errors"]) > 0),
        (f"p95 {figures['p95']} ms > 150 ms", float(figures["p95"]) > 150),
        (f"throughput {share:.0%} < 40 % of the bare view", share < 0.40),
    ) if bad]  # fmt: skip
    print("Targets: 0 errors, p95 <= 150 ms, throughput >= 40 % of the bare view: "
          + ("met" if not missed else "MISSED (" + "; ".join(missed) + ")"))  # fmt: skip


def run_wrk(wrk: str, threads: int, connections: int, seconds: int, files) -> dict:
    out = subprocess.run(
        [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout",
         "10s", "-s", str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{PORT}", "--", *files],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = next(line for line in out.splitlines() if line.startswith("RESULT"))
    return dict(part.split("=") for part in result.split()[1:])


if __name__ == "__main__":
    main()
