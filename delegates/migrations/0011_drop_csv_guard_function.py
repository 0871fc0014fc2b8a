"""On PostgreSQL, drop migration 0008's forum_csv_guard: exports now guard every separator in the COPY itself."""

from django.db import migrations

DROP = "DROP FUNCTION IF EXISTS forum_csv_guard(text);"
# What 0008 created, so that migrating back restores it.
CREATE = r"""
CREATE OR REPLACE FUNCTION forum_csv_guard(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN left(value, 1) IN ('=', '+', '-', '@', chr(9), chr(13), chr(10))
                THEN '''' || value ELSE value END
$$;
"""


def drop_function(apps, schema_editor):
    """Only PostgreSQL had the function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def create_function(apps, schema_editor):
    """Undo drop_function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("delegates", "0010_outbox_secret_links")]

    operations = [migrations.RunPython(drop_function, create_function)]
