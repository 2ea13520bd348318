"""Backups of the whole database (patients, cases, handouts, audit trail, content).

A backup is a ``pg_dump`` custom-format file, which PostgreSQL writes from one
consistent snapshot while the app keeps running, and a manifest beside it
(``<file>.json``) with its SHA-256 checksum, the app's version and the schema's
migration state. Both are readable by their owner only (they hold patient data).

The manifest is signed (HMAC-SHA256) with a key kept outside the backup:
``BACKUP_SIGNING_KEY``, or the app's ``SECRET_KEY`` when it is not set. A checksum alone
proves nothing against somebody who can write the backup folder -- they could rebuild a
dump and compute its checksum -- but they cannot sign its manifest. A restore checks the
signature and the checksum first and only goes into an empty database, in one
transaction: it either restores everything or nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "tumorboard-backup/2"
UNSIGNED_FORMAT = "tumorboard-backup/1"  # before manifests were signed
OWNER_ONLY = 0o600


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def pg_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore (PG_BINDIR first, then Debian's, then PATH)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / name)
    candidates += sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)."
        )
    return found


def libpq_env(db: dict) -> dict[str, str]:
    """Environment variables that make pg_dump/pg_restore connect like Django does."""
    env = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = db.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def database_from_url(url: str | None) -> dict:
    return dj_database_url.parse(url) if url else dict(connection.settings_dict)


def app_version() -> str:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
        version = tomllib.load(file)["project"]["version"]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except OSError:
        commit = ""
    return f"{version}+{commit}" if commit else version


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def signing_key() -> bytes:
    """The key manifests are signed with: kept with the app's other secrets, never with
    the backups (set BACKUP_SIGNING_KEY to keep it when SECRET_KEY is rotated)."""
    key = settings.BACKUP_SIGNING_KEY or settings.SECRET_KEY
    return hashlib.sha256(b"tumorboard.backup.manifest\0" + key.encode()).digest()


def signature(manifest: dict) -> str:
    """HMAC-SHA256 of the manifest (all of it but the signature), in a canonical form."""
    content = {key: value for key, value in manifest.items() if key != "signature"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(signing_key(), text.encode(), hashlib.sha256).hexdigest()


@contextlib.contextmanager
def owner_only():
    """Files created meanwhile are readable and writable by their owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} failed: {message[-1] if message else result.returncode}"
        )


def backup(path: Path) -> dict:
    """Write a consistent backup of the app's database to ``path``; return its manifest."""
    if path.exists():
        raise BackupError(f"{path} exists already; name a new file.")
    db = dict(connection.settings_dict)
    tool = pg_tool("pg_dump")
    partial = path.with_name(path.name + ".partial")
    with owner_only():
        path.parent.mkdir(parents=True, exist_ok=True)
        _run(
            [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
            libpq_env(db),
        )
    os.chmod(partial, OWNER_ONLY)  # whatever umask pg_dump ran with
    partial.rename(path)
    tool_version = subprocess.run(
        [tool, "--version"], capture_output=True, text=True
    ).stdout.strip()
    # The latest migration applied per app (rows come in the order they were applied).
    migrations = dict(
        MigrationRecorder(connection).migration_qs.order_by("id").values_list("app", "name")
    )
    manifest = {
        "format": FORMAT,
        "file": path.name,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "app_version": app_version(),
        "database": db["NAME"],
        "pg_dump": tool_version,
        "size": path.stat().st_size,
        "sha256": sha256(path),
        "migrations": migrations,
    }
    manifest["signature"] = signature(manifest)
    with owner_only():
        manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.chmod(manifest_path(path), OWNER_ONLY)
    return manifest


def verify(path: Path, *, accept_unsigned: bool = False) -> dict:
    """The backup's manifest, once its signature and checksum have been checked. A manifest
    of before signatures is refused unless ``accept_unsigned`` (the operator vouches for it)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{manifest_path(path)}: the manifest beside the backup is missing."
        ) from None
    except ValueError:
        raise BackupError(f"{manifest_path(path)}: the manifest is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in (FORMAT, UNSIGNED_FORMAT):
        raise BackupError(f"{manifest_path(path)} is not a {FORMAT} manifest.")
    if manifest["format"] == UNSIGNED_FORMAT and not accept_unsigned:
        raise BackupError(
            f"{manifest_path(path)} is not signed (a backup made before manifests were signed): "
            "restore it with --accept-unsigned only if you know where it comes from."
        )
    if manifest["format"] == FORMAT and not hmac.compare_digest(
        str(manifest.get("signature", "")), signature(manifest)
    ):
        raise BackupError(
            f"{manifest_path(path)}: the signature does not match: the manifest was altered, "
            "or it was signed with another key (set BACKUP_SIGNING_KEY to the key of the "
            "installation that made it)."
        )
    if sha256(path) != manifest.get("sha256"):
        raise BackupError(
            f"{path}: the checksum does not match its manifest; the file is damaged or altered."
        )
    return manifest


def restore(path: Path, database_url: str | None = None, *, accept_unsigned: bool = False) -> dict:
    """Restore a verified backup into an empty database (the app's own, or ``database_url``)."""
    manifest = verify(path, accept_unsigned=accept_unsigned)
    db = database_from_url(database_url)
    env = libpq_env(db)
    psql_check = subprocess.run(
        [pg_tool("psql"), "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        env=env,
        capture_output=True,
        text=True,
    )
    if psql_check.returncode != 0:
        raise BackupError(f"cannot connect to {db['NAME']}: {psql_check.stderr.strip()}")
    if int(psql_check.stdout.strip() or 0):
        raise BackupError(
            f"the database {db['NAME']} is not empty; restore into a new, empty database "
            "(createdb) and point DATABASE_URL at it."
        )
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={db['NAME']}",
            str(path),
        ],
        env,
    )
    return manifest
