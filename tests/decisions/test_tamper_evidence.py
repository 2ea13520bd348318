"""Tamper evidence that the database's owner cannot forge: each signed record carries a
keyed hash (HMAC-SHA256 with DECISION_SIGNING_KEY, kept outside the database), and the app
runs under a role that cannot switch the protecting triggers off."""

from __future__ import annotations

import io
import os

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from decisions import signing
from decisions.models import Decision
from tests.helpers import migrate_to


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_decisions", stdout=out, stderr=err)
    except CommandError as failure:
        return 1, out.getvalue(), f"{err.getvalue()}{failure}"
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_signed_record_carries_the_keyed_hash_of_its_sha256(signed, settings):
    import hashlib
    import hmac

    # Worked independently of the app's code: HMAC-SHA256(key, prefix + SHA-256 hex).
    message = f"tumorboard decision signature v1:{signed.signature_hash}".encode()
    key = settings.DECISION_SIGNING_KEY.encode()
    assert signed.signature_mac == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert verify() == (0, "All 1 signed decision(s) match their signatures.\n", "")


@pytest.mark.django_db
def test_the_owner_changes_a_signed_record_and_recomputes_its_sha256_verify_names_it(signed):
    """What the tables' owner can do: switch the trigger off, change the plan, store the
    plain hash of the changed record. Only the keyed hash shows it."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (the test's transaction defers them)
        cursor.execute(
            "ALTER TABLE decisions_decision DISABLE TRIGGER decisions_signed_decision_is_final"
        )
        cursor.execute(
            "UPDATE decisions_decision SET plan = 'Tampered.' WHERE id = %s", [signed.pk]
        )
        changed = Decision.objects.get(pk=signed.pk)
        cursor.execute(
            "UPDATE decisions_decision SET signature_hash = %s WHERE id = %s",
            [signing.digest(changed), signed.pk],
        )
        cursor.execute(
            "ALTER TABLE decisions_decision ENABLE TRIGGER decisions_signed_decision_is_final"
        )
    changed = Decision.objects.get(pk=signed.pk)
    assert changed.plan == "Tampered." and changed.signature_hash == signing.digest(changed)
    item = signed.agenda_item
    assert verify() == (
        1,
        "",
        f"decision {signed.pk} (meeting {item.meeting_id}, case {item.case_id}) was changed "
        "after signing: its keyed hash does not match its SHA-256 (the hash was stored by "
        "someone without DECISION_SIGNING_KEY, or the key is not the one it was signed "
        "with)\n1 of 1 signed decision(s) do not match.",
    )


@pytest.mark.django_db
def test_a_change_without_a_new_hash_is_named_as_such(signed):
    with connection.cursor() as cursor:  # what only a database superuser could do
        cursor.execute("SET session_replication_role = replica")  # no triggers fire
        cursor.execute(
            "UPDATE decisions_decision SET plan = 'Tampered.' WHERE id = %s", [signed.pk]
        )
        cursor.execute("SET session_replication_role = origin")
    code, _, err = verify()
    assert code == 1
    assert "its content no longer gives the SHA-256 it was signed with" in err
    assert "keyed hash" not in err  # the stored hash is still the one the key sealed


@pytest.mark.django_db
def test_a_rotated_key_keeps_earlier_records_verifiable_and_a_wrong_key_fails(signed, settings):
    old = settings.DECISION_SIGNING_KEY
    settings.DECISION_SIGNING_KEY = "a-new-key-after-rotation-" + "x" * 20
    settings.DECISION_SIGNING_OLD_KEYS = [old]
    assert verify()[0] == 0
    settings.DECISION_SIGNING_OLD_KEYS = []
    code, _, err = verify()
    assert code == 1 and "or the key is not the one it was signed with" in err


@pytest.fixture
def app_role(transactional_db):
    """A login role like the production app's: reads and writes every table, owns none."""
    name = f"tumorboard_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {name}")
        cursor.execute(f"CREATE ROLE {name} LOGIN")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
    params = connection.get_connection_params()
    with psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        host=params.get("host"),
        port=params.get("port"),
        user=name,
        autocommit=True,
    ) as conn:
        yield conn
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE decisions_decision DISABLE TRIGGER decisions_signed_decision_is_final",
        "ALTER TABLE decisions_decision DISABLE TRIGGER ALL",
        "DROP TRIGGER decisions_signed_decision_is_final ON decisions_decision",
        "CREATE OR REPLACE FUNCTION decisions_refuse_signed_decision() RETURNS trigger "
        "AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
        "SET session_replication_role = replica",
        "ALTER TABLE decisions_decision DROP CONSTRAINT decision_signed_with_keyed_hash",
    ],
)
def test_the_app_role_cannot_switch_the_protection_off(app_role, sql):
    with app_role.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM decisions_decision")  # it reads the tables
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute(sql)


@pytest.mark.slow
def test_records_signed_before_the_upgrade_are_sealed_by_the_migration(committed_content, signed):
    migrate_to([("decisions", "0015_action_assignee")])  # before keyed hashes
    with connection.cursor() as cursor:
        cursor.execute("SELECT signature_hash FROM decisions_decision WHERE id = %s", [signed.pk])
        assert cursor.fetchone() == (signed.signature_hash,)
    migrate_to()
    sealed = Decision.objects.get(pk=signed.pk)
    assert sealed.signature_mac == signing.seal(signed.signature_hash) == signed.signature_mac
    assert verify()[0] == 0
