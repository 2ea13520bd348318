"""Backup and restore: the round trip finds every patient, case, handout and audit event."""

from __future__ import annotations

import io
import json
import os

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import ReadLogEntry
from cases.models import Case, Patient
from config import backup
from meetings.models import Handout
from tests.factories import make_case, make_meeting, make_patient

# One per test process: `make test` runs two (pytest-xdist names them gw0, gw1).
RESTORED = f"test_tumorboard_restored{os.environ.get('PYTEST_XDIST_WORKER', '')}"
COUNTED = {
    "cases_patient": Patient,
    "cases_case": Case,
    "meetings_handout": Handout,
    "accounts_readlogentry": ReadLogEntry,
}
EVENT_TABLES = ("cases_patientevent", "cases_caseevent", "meetings_handoutevent")


def _connect(name: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def _rows(conn, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


@pytest.fixture
def restored_database():
    with _connect("postgres") as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {RESTORED}")
        admin.execute(f"CREATE DATABASE {RESTORED}")
    db = connection.settings_dict
    host = (db.get("HOST") or "").replace("/", "%2F")
    yield f"postgres://{db['USER']}@{host}:{db.get('PORT') or 5432}/{RESTORED}"
    with _connect("postgres") as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")


def test_backup_then_restore_into_a_new_database_finds_everything(
    committed_content, restored_database, tmp_path
):
    User.objects.create_user("someone", password="correct horse battery")
    cases = [make_case(), make_case(patient=make_patient(mrn="MRN-2", name="Bo Second"))]
    meeting = make_meeting(cases)
    Handout.objects.create(
        kind="meeting_pack", meeting=meeting, status="done", content=b"%PDF-1.7 x"
    )
    ReadLogEntry.objects.create(username="a", kind="case_page", case_id=cases[0].pk, path="/")
    path = tmp_path / "nightly.dump"
    out = io.StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    assert f"Backed up {connection.settings_dict['NAME']} to {path}" in out.getvalue()

    call_command("restore", str(path), "--database-url", restored_database, stdout=out)
    assert "Restored" in out.getvalue()
    with _connect(connection.settings_dict["NAME"]) as source, _connect(RESTORED) as copy:
        for table in [*COUNTED, *EVENT_TABLES, "guidelines_recommendation", "auth_user"]:
            original = _rows(source, table)
            assert original, f"{table} is empty: the test proves nothing for it"
            assert _rows(copy, table) == original, table
        # The audit triggers came back too: a change in the copy is recorded.
        copy.execute("UPDATE cases_patient SET name = 'Changed' WHERE mrn = 'MRN-2'")
        assert copy.execute(
            "SELECT count(*) FROM cases_patientevent WHERE name = 'Changed'"
        ).fetchone() == (1,)


def test_restore_refuses_a_damaged_file_or_a_database_that_is_not_empty(
    committed_content, restored_database, tmp_path
):
    path = tmp_path / "b.dump"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(path), stdout=io.StringIO())  # the app's own database
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="checksum does not match"):
        call_command("restore", str(path), "--database-url", restored_database)
    with _connect(RESTORED) as copy:
        tables = copy.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)  # nothing half-restored
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(path))


def test_a_backup_is_readable_by_its_owner_only_and_its_manifest_is_signed(
    committed_content, tmp_path
):
    path = tmp_path / "nightly" / "b.dump"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    manifest = path.with_name("b.dump.json")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(manifest.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert len(json.loads(manifest.read_text())["signature"]) == 64


def test_a_rebuilt_dump_with_a_recomputed_checksum_is_refused(
    committed_content, restored_database, tmp_path, settings
):
    path = tmp_path / "b.dump"
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    manifest_file = path.with_name("b.dump.json")
    signed = json.loads(manifest_file.read_text())
    # Somebody who can write the backup folder swaps the dump and fixes the checksum.
    other = tmp_path / "other.dump"
    call_command("backup", "--output", str(other), stdout=io.StringIO())
    path.write_bytes(other.read_bytes() + b"\0")
    manifest_file.write_text(json.dumps({**signed, "sha256": backup.sha256(path)}))
    with pytest.raises(CommandError, match="the signature does not match"):
        call_command("restore", str(path), "--database-url", restored_database)
    # A manifest made to look like one from before signatures is refused as well...
    unsigned = {k: v for k, v in signed.items() if k != "signature"}
    manifest_file.write_text(json.dumps({**unsigned, "format": backup.UNSIGNED_FORMAT,
                                         "sha256": backup.sha256(path)}))  # fmt: skip
    with pytest.raises(CommandError, match="is not signed"):
        call_command("restore", str(path), "--verify-only")
    # ...and a genuine backup verified with another installation's key too.
    call_command("backup", "--output", str(tmp_path / "c.dump"), stdout=io.StringIO())
    settings.BACKUP_SIGNING_KEY = "another installation's key"
    with pytest.raises(CommandError, match="signed with another key"):
        call_command("restore", str(tmp_path / "c.dump"), "--verify-only")
    with _connect(RESTORED) as copy:
        tables = copy.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)  # nothing restored
