"""A signed decision cannot be changed or deleted, however it is tried: the admin, a
command or raw SQL. Its concordance rows, modalities and actions follow it; of an
action only whether it is done may still change. A correction is an amendment (a new
record), never an edit."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION decisions_refuse_signed_decision() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'decision % is signed and cannot be % (make an amendment instead)',
            OLD.id, lower(TG_OP) || 'd' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION decisions_refuse_part_of_signed() RETURNS trigger AS $$
DECLARE
    parent bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.decision_id ELSE NEW.decision_id END;
BEGIN
    IF TG_TABLE_NAME = 'decisions_action' AND TG_OP = 'UPDATE' THEN
        IF (NEW.decision_id, NEW.what, NEW.owner, NEW.due)
           IS NOT DISTINCT FROM (OLD.decision_id, OLD.what, OLD.owner, OLD.due) THEN
            RETURN NEW;  -- marking an action done (or not) stays possible
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM decisions_decision WHERE id = parent AND status = 'signed')
       OR (TG_OP = 'UPDATE' AND EXISTS (
           SELECT 1 FROM decisions_decision WHERE id = OLD.decision_id AND status = 'signed')) THEN
        RAISE EXCEPTION 'decision % is signed: its % cannot change', parent, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_signed_decision_is_final
    BEFORE UPDATE OR DELETE ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_signed_decision();
CREATE TRIGGER decisions_signed_concordance_is_final
    BEFORE INSERT OR UPDATE OR DELETE ON decisions_concordance
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_part_of_signed();
CREATE TRIGGER decisions_signed_action_is_final
    BEFORE INSERT OR UPDATE OR DELETE ON decisions_action
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_part_of_signed();
CREATE TRIGGER decisions_signed_modalities_are_final
    BEFORE INSERT OR UPDATE OR DELETE ON decisions_decision_modalities
    FOR EACH ROW EXECUTE FUNCTION decisions_refuse_part_of_signed();
"""

DROP = """
DROP TRIGGER IF EXISTS decisions_signed_decision_is_final ON decisions_decision;
DROP TRIGGER IF EXISTS decisions_signed_concordance_is_final ON decisions_concordance;
DROP TRIGGER IF EXISTS decisions_signed_action_is_final ON decisions_action;
DROP TRIGGER IF EXISTS decisions_signed_modalities_are_final ON decisions_decision_modalities;
DROP FUNCTION IF EXISTS decisions_refuse_signed_decision();
DROP FUNCTION IF EXISTS decisions_refuse_part_of_signed();
"""


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_signing")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
