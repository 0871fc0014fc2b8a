"""Passport number and date of birth become Fernet tokens in text columns; existing values are encrypted
(and decrypted again when the migration is reversed) with the keys of FORUM_DATA_KEYS."""

from cryptography.fernet import InvalidToken
from django.db import migrations

import delegates.encryption

COLUMNS = ("passport_number", "passport_birth_date")


def _rewrite(schema_editor, change) -> None:
    """Pass every non-blank passport value of the table through `change`, in raw SQL."""
    quote = schema_editor.quote_name
    table = quote("delegates_registration")
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"SELECT id, {quote(column)} FROM {table} WHERE {quote(column)} <> ''")  # noqa: S608
            for pk, value in cursor.fetchall():
                new = change(str(value))
                if new != value:
                    cursor.execute(f"UPDATE {table} SET {quote(column)} = %s WHERE id = %s", [new, pk])  # noqa: S608
        if schema_editor.connection.vendor == "postgresql":
            # Check the deferred foreign keys of the updated rows now: PostgreSQL alters no table that
            # still has such checks pending (the reverse alters the columns right after this).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _encrypted(value: str) -> str:
    """The token of a plain value; a value already encrypted stays as it is."""
    try:
        delegates.encryption.fernet().decrypt(value.encode())
    except InvalidToken:
        return delegates.encryption.encrypt(value)
    return value


def encrypt_existing(apps, schema_editor):
    """Encrypt the passport numbers and birth dates already stored."""
    _rewrite(schema_editor, _encrypted)


def decrypt_existing(apps, schema_editor):
    """Back to plain values, for the plain columns of the previous migration."""
    _rewrite(schema_editor, delegates.encryption.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0014_invitation_makes_focal_point"),
    ]

    operations = [
        migrations.AlterField(
            model_name="registration",
            name="passport_birth_date",
            field=delegates.encryption.EncryptedDateField(
                blank=True, null=True, verbose_name="date of birth"
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="passport_number",
            field=delegates.encryption.EncryptedCharField(
                blank=True, max_length=30, verbose_name="passport number"
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
