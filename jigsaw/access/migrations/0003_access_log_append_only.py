"""Make the access log append-only in the database itself.

PostgreSQL: a row trigger refuses UPDATE and DELETE whoever runs them, and UPDATE, DELETE
and TRUNCATE are revoked from every role but the owner. SQLite (development only): a trigger
refuses UPDATE; a deleted row is still caught by the hash chain. TRUNCATE is left to the
owner so that test databases can be emptied between tests.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION jigsaw_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION jigsaw_access_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON access_accesslogentry FROM PUBLIC;
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS access_log_append_only ON access_accesslogentry;
DROP FUNCTION IF EXISTS jigsaw_access_log_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_accesslogentry
BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS access_log_no_update;"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_access_log_origin_and_reason")]

    operations = [migrations.RunPython(forward, backward)]
