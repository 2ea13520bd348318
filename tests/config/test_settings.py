"""Settings are secure by default and refuse bad configuration at start.

Each case starts a fresh ``manage.py`` process with a controlled environment
(and no .env file), because settings are read once per process.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tumorboard.hospital.example",
    "DATABASE_URL": "postgres://tumorboard@db.hospital.example:5432/tumorboard",
    "DECISION_SIGNING_KEY": secrets.token_urlsafe(48),
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "DECISION_SIGNING_OLD_KEYS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "TUMORBOARD_ENV_FILE": "none", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_secret_key_and_debug_off_the_app_refuses_to_start():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set." in result.stderr


def test_debug_is_off_unless_set():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        **{k: v for k, v in PRODUCTION.items() if k != "DEBUG"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")


@pytest.mark.slow
def test_production_like_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_malformed_boolean_names_the_variable():
    result = manage("check", **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_only_postgresql_is_accepted():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG", default=not expected) is expected


def test_env_int_and_env_list(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12")
    monkeypatch.setenv("SOME_LIST", " a.example, b.example ,,")
    assert env.env_int("SOME_NUMBER", 1) == 12
    assert env.env_list("SOME_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("SOME_NUMBER", "twelve")
    with pytest.raises(
        env.ImproperlyConfigured, match="SOME_NUMBER='twelve' is not a whole number"
    ):
        env.env_int("SOME_NUMBER", 1)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SESSION_IDLE_MINUTES", "1", "SESSION_IDLE_MINUTES=1: use 2 or more"),
        ("HANDOUT_LEASE_SECONDS", "1", "HANDOUT_LEASE_SECONDS=1: use 2 or more"),
    ],
)
def test_too_small_values_stop_the_app_with_a_clear_message(variable, value, message):
    result = manage("check", **PRODUCTION, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.slow
def test_development_closes_connections_and_production_keeps_them_checked():
    show = (
        "from django.db import connection as c; d = c.settings_dict; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    development = manage("shell", "-v", "0", "-c", show, DEBUG="1")
    production = manage("shell", "-v", "0", "-c", show, **PRODUCTION)
    assert development.stdout.split() == ["0", "True"], development.stderr
    assert production.stdout.split() == ["60", "True"], production.stderr
