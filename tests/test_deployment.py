"""The deployment files, run: Debian's nginx with a self-signed certificate and the site
file of deploy/nginx in front of gunicorn and a task worker started with the command lines
of deploy/systemd's units, the app connecting as a role that owns no table (made by
deploy/postgres-roles.sql). Through nginx: the redirect to HTTPS, the health endpoints,
a login, a page, an upload (and one over the limit), a meeting pack made by the worker
and downloaded, the metrics. The units pass `systemd-analyze verify`; deploy/daily.sh
runs its nightly jobs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection

from accounts import roles
from cases.models import Attachment
from config.backup import pg_tool
from tests.factories import make_case, make_meeting, pdf_bytes
from tests.processes import (
    collect_static,
    free_port,
    production_env,
    stop,
    wait_for,
)
from tests.processes import test_database_url as database_url  # (not a test of its own)

pytestmark = [pytest.mark.slow, pytest.mark.processes]

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
PASSWORD = "correct horse battery"
METRICS_TOKEN = "deployment-test-metrics-token-0123456789"


def unit_command(unit: str, **values: str) -> list[str]:
    """A unit's ExecStart as this checkout runs it (its paths, not /opt/tumorboard's)."""
    text = (DEPLOY / "systemd" / unit).read_text()
    line = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
    line = line.replace("/opt/tumorboard/.venv/bin/", str(ROOT / ".venv" / "bin") + "/")
    line = line.replace("/opt/tumorboard/", str(ROOT) + "/")
    for key, value in values.items():
        line = line.replace(key, value)
    return shlex.split(line)


def site_config(folder: Path, http: int, https: int, upstream: int) -> Path:
    """deploy/nginx's site with this machine's ports, name and certificate ("site" lines)."""
    lines = []
    for line in (DEPLOY / "nginx" / "tumorboard.conf").read_text().splitlines():
        if "# site" in line:
            line = line.replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")
            line = re.sub(r"listen 80;", f"listen 127.0.0.1:{http};", line)
            line = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{https} ssl", line)
            line = line.replace("tumorboard.hospital.example", "127.0.0.1")
            line = line.replace("/etc/ssl/tumorboard/fullchain.pem", str(folder / "cert.pem"))
            line = line.replace("/etc/ssl/tumorboard/privkey.pem", str(folder / "key.pem"))
            line = line.replace(
                "/etc/nginx/tumorboard-proxy.conf", str(DEPLOY / "nginx" / "tumorboard-proxy.conf")
            )
        lines.append(line)
    site = folder / "site.conf"
    site.write_text("\n".join(lines) + "\n")
    main = folder / "nginx.conf"
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    main.write_text(
        f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        f"daemon off;\nevents {{ worker_connections 64; }}\nhttp {{\n"
        f"    include /etc/nginx/mime.types;\n    access_log {folder}/access.log;\n{temp}\n"
        f"    include {site};\n}}\n"
    )
    return main


def make_certificate(folder: Path) -> None:
    """A hospital-like chain: a CA of our own (trusted by the test's client) and the
    site's certificate for 127.0.0.1 signed by it."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test hospital CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "ca-key.pem", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "key.pem",
            "-out", "site.csr")  # fmt: skip
    (folder / "site.ext").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-days", "2", "-extfile", "site.ext", "-out", "cert.pem")  # fmt: skip


def app_role_url() -> str:
    """The test database's app role, made by deploy/postgres-roles.sql (as in production)."""
    role = f"tumorboard_deploy_{os.getpid()}"
    params = connection.get_connection_params()
    env = {**os.environ, "PGHOST": str(params.get("host") or ""), "PGPORT": str(params.get("port") or 5432),
           "PGUSER": connection.settings_dict["USER"], "PGDATABASE": "postgres"}  # fmt: skip
    subprocess.run(
        [pg_tool("psql"), "-q", "-v", f"owner={connection.settings_dict['USER']}", "-v", f"app={role}",
         "-v", f"db={connection.settings_dict['NAME']}", "-f", str(DEPLOY / "postgres-roles.sql")],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    url = urllib.parse.urlsplit(database_url())
    return urllib.parse.urlunsplit(url._replace(netloc=f"{role}@{url.netloc.split('@', 1)[1]}"))


def test_the_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    env_file = tmp_path / "env"
    env_file.write_text("")
    names = []
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/etc/tumorboard/env", str(env_file))
        text = text.replace("/opt/tumorboard/.venv/bin/", str(ROOT / ".venv" / "bin") + "/")
        text = text.replace("/opt/tumorboard/", str(ROOT) + "/")
        (tmp_path / unit.name).write_text(text)
        names.append(unit.name.replace("@.service", "@1.service"))
    result = subprocess.run([analyze, "verify", "--man=no", *sorted(names)], cwd=tmp_path,
                            capture_output=True, text=True)  # fmt: skip
    problems = [line for line in result.stderr.splitlines() if "tumorboard" in line]
    assert result.returncode == 0 and not problems, result.stderr


@pytest.fixture
def site(committed_content, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is needed (apt-get install nginx-light): run scripts/setup.sh")
    folder = Path(tmp_path)
    make_certificate(folder)
    http, https, upstream = free_port(), free_port(), free_port()
    static = folder / "static"
    collect_static(static)
    media = folder / "media"
    media.mkdir()
    env = production_env(
        static, DATABASE_URL=app_role_url(), ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="1",
        TRUST_X_FORWARDED_PROTO="1", TRUSTED_PROXY_COUNT="1", CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https}",
        METRICS_TOKEN=METRICS_TOKEN, MEDIA_ROOT=str(media), PROMETHEUS_MULTIPROC_DIR=str(folder / "metrics"),
        ATTACHMENT_MAX_MB="20",
    )  # fmt: skip
    (folder / "metrics").mkdir()
    web_command = unit_command("tumorboard-web.service")
    web_command[web_command.index("--bind") + 1] = f"127.0.0.1:{upstream}"
    web_command[web_command.index("--workers") + 1] = "2"
    web = subprocess.Popen(web_command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)  # fmt: skip
    worker_command = unit_command("tumorboard-worker@.service", **{"%H": "test", "%i": "1"})
    worker = subprocess.Popen(worker_command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    proxy = subprocess.Popen([nginx, "-c", str(site_config(folder, http, https, upstream))],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    base = f"https://127.0.0.1:{https}"
    session = requests.Session()
    session.trust_env = False  # (this machine's REQUESTS_CA_BUNDLE would replace our CA)
    session.verify = str(folder / "ca.pem")
    try:
        wait_for(
            lambda: _answers(session, f"{base}/health/live"), 60, "nginx and gunicorn to answer"
        )
        yield {"base": base, "http": f"http://127.0.0.1:{http}", "session": session, "env": env}
    finally:
        logs = {
            name: stop(process)
            for name, process in (("nginx", proxy), ("web", web), ("worker", worker))
        }
        print(logs["web"][-3000:], logs["nginx"][-2000:], logs["worker"][-2000:])


def _answers(session, url) -> bool:
    try:
        return session.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_through_nginx_login_a_page_an_upload_a_pack_and_the_health_endpoints(site):
    base, session = site["base"], site["session"]
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # (hashed as the server hashes: the tests' own fast hasher is not among its hashers)
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user = User.objects.create(username="coord", password=hashed)
    user.groups.add(Group.objects.get(name=roles.COORDINATOR))
    case = make_case()
    meeting = make_meeting([case])

    plain = requests.get(f"{site['http']}/cases/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/cases/"
    live = session.get(f"{base}/health/live")
    assert live.json() == {"status": "ok"} and re.fullmatch(
        r"[0-9a-f]{32}", live.headers["X-Request-ID"]
    )
    ready = session.get(f"{base}/health/ready").json()
    assert (
        ready["status"] == "ok"
        and ready["checks"]["database"]["ok"]
        and ready["checks"]["storage"]["ok"]
    )

    login_page = session.get(f"{base}/accounts/login/")
    assert login_page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = session.cookies["csrftoken"]
    logged_in = session.post(f"{base}/accounts/login/", allow_redirects=False,
                             data={"username": "coord", "password": PASSWORD, "csrfmiddlewaretoken": token},
                             headers={"Referer": f"{base}/accounts/login/"})  # fmt: skip
    assert logged_in.status_code == 302, logged_in.text[:500]
    assert "secure" in logged_in.headers["Set-Cookie"].lower()
    page = session.get(f"{base}/cases/{case.pk}/")
    assert (
        page.status_code == 200 and f"Case {case.pk}" in page.text or case.patient.name in page.text
    )

    csrf = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/cases/{case.pk}/"}
    form = {"attachment-kind": "radiology_report", "attachment-title": "CT report",
            "attachment-day": "2026-11-30"}  # fmt: skip
    uploaded = session.post(f"{base}/cases/{case.pk}/attachments/", data=form, headers=csrf,
                            files={"attachment-upload": ("report.pdf", pdf_bytes(), "application/pdf")},
                            allow_redirects=False)  # fmt: skip
    assert uploaded.status_code in (200, 302), uploaded.text[:500]
    assert "field-error" not in uploaded.text, re.findall(
        r"field-error[^>]*>([^<]+)", uploaded.text
    )
    assert Attachment.objects.filter(case=case, title="CT report").count() == 1
    big = b"%PDF-1.7\n" + b"0" * (22 * 1024 * 1024)
    too_big = session.post(f"{base}/cases/{case.pk}/attachments/", data=form, headers=csrf,
                           files={"attachment-upload": ("big.pdf", big, "application/pdf")})  # fmt: skip
    assert too_big.status_code == 413  # nginx's client_max_body_size, before the app
    assert Attachment.objects.filter(case=case).count() == 1

    made = session.post(f"{base}/meetings/{meeting.pk}/pack/", headers=csrf, allow_redirects=False)
    assert made.status_code in (200, 302)
    from meetings.models import Handout

    wait_for(lambda: Handout.objects.filter(meeting=meeting, status="done").exists(), 180,
             "the worker to make the pack")  # fmt: skip
    handout = Handout.objects.get(meeting=meeting)
    pdf = session.get(f"{base}/meetings/handouts/{handout.pk}/download/")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    metrics = session.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200
    assert (
        'tumorboard_http_requests_total{method="GET",status="200",view="cases:case_detail"}'
        in metrics.text
    )
    assert "tumorboard_tasks_waiting" in metrics.text


def test_the_nightly_jobs_run_and_name_what_failed(committed_content, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    (media / "a-file").write_bytes(b"x")
    backups = tmp_path / "backups"
    backups.mkdir()
    env = {**production_env(tmp_path / "static"), "BACKUP_DIR": str(backups), "MEDIA_ROOT": str(media),
           "PYTHON": str(ROOT / ".venv" / "bin" / "python")}  # fmt: skip
    done = subprocess.run([str(DEPLOY / "daily.sh"), "nightly"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "All 0 signed decision(s) match their signatures." in done.stdout
    assert [p.suffix for p in backups.iterdir() if p.suffix == ".dump"] == [".dump"]
    assert [p for p in backups.iterdir() if p.name.endswith("-media.tar.gz")]
    bad = subprocess.run([str(DEPLOY / "daily.sh"), "nightly"], cwd=ROOT,
                         env={**env, "BACKUP_DIR": "/proc/no-such-folder"}, capture_output=True, text=True,
                         timeout=600)  # fmt: skip
    assert bad.returncode == 1 and "failed: backup media" in bad.stderr


def test_migrations_run_as_the_owner_which_the_app_role_is_not(committed_content, tmp_path):
    manage = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py"), "migrate", "-v", "0"]
    env = production_env(tmp_path, DATABASE_URL=app_role_url())
    refused = subprocess.run([*manage, "decisions", "0015"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)  # fmt: skip
    assert refused.returncode != 0 and "must be owner of" in refused.stderr
    owner = {**env, "DATABASE_OWNER_URL": database_url()}
    for target in (["decisions", "0015"], []):  # back before keyed hashes, and forward again
        done = subprocess.run([*manage, *target], cwd=ROOT, env=owner, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'decisions_decision'")
        assert cursor.fetchone() == (connection.settings_dict["USER"],)
