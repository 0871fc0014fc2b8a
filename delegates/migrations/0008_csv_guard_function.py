"""On PostgreSQL, a SQL function that guards a CSV cell against formula injection (used by exports)."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION forum_csv_guard(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN left(value, 1) IN ('=', '+', '-', '@', chr(9), chr(13), chr(10))
                THEN '''' || value ELSE value END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS forum_csv_guard(text);"


def create_function(apps, schema_editor):
    """Only PostgreSQL exports through SQL; SQLite builds its rows in Python."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    """Undo create_function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("delegates", "0007_consent_pending")]

    operations = [migrations.RunPython(create_function, drop_function)]
