"""A confirmation ("checked for accuracy") is of a signed record and, once made, is
final like the record. An amendment names a signed record and carries that record's
hash, so the chain of versions can be checked from the last one back."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION decisions_confirmation_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'confirmation % is final', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM decisions_decision WHERE id = NEW.decision_id AND status = 'signed') THEN
        RAISE EXCEPTION 'decision % is not signed: only a signed record is confirmed', NEW.decision_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION decisions_amendment_names_signed() RETURNS trigger AS $$
BEGIN
    IF NEW.amends_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM decisions_decision
        WHERE id = NEW.amends_id AND status = 'signed' AND signature_hash = NEW.previous_hash
          AND agenda_item_id = NEW.agenda_item_id) THEN
        RAISE EXCEPTION 'an amendment must name a signed record of the same item, with its hash'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_confirmation_is_final
    BEFORE INSERT OR UPDATE OR DELETE ON decisions_confirmation
    FOR EACH ROW EXECUTE FUNCTION decisions_confirmation_is_final();
CREATE TRIGGER decisions_amendment_names_signed
    BEFORE INSERT OR UPDATE ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION decisions_amendment_names_signed();
"""

DROP = """
DROP TRIGGER IF EXISTS decisions_confirmation_is_final ON decisions_confirmation;
DROP TRIGGER IF EXISTS decisions_amendment_names_signed ON decisions_decision;
DROP FUNCTION IF EXISTS decisions_confirmation_is_final();
DROP FUNCTION IF EXISTS decisions_amendment_names_signed();
"""


class Migration(migrations.Migration):
    dependencies = [("decisions", "0005_amendments_and_confirmations")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
