"""Outbox messages that carry a secret link lose their text once sent; the ones kept so far too."""

from django.db import migrations, models

# Kinds the account adapter wrote before messages were marked (allauth's templates); imported
# people's invitations carry one when they hold a new account's set-password (reset) link.
ACCOUNT_KINDS = [
    "account_already_exists",
    "email_changed",
    "email_confirm",
    "email_confirmation",
    "email_confirmation_signup",
    "email_deleted",
    "login_code",
    "password_changed",
    "password_reset",
    "password_reset_code",
    "password_reset_key",
    "password_set",
    "recovery_codes_generated",
    "totp_activated",
    "totp_deactivated",
    "unknown_account",
    "webauthn_added",
    "webauthn_removed",
]


def erase_sent_secrets(apps, schema_editor):
    """Mark the account emails already in the outbox, and erase the text of those already sent."""
    OutboxMessage = apps.get_model("delegates", "OutboxMessage")
    secret = OutboxMessage.objects.filter(
        models.Q(kind__in=ACCOUNT_KINDS)
        | models.Q(kind="imported", body_text__contains="/password/reset/key/")
    )
    secret.update(has_secret_link=True)
    secret.filter(status="sent").update(body_text="", body_html="")


class Migration(migrations.Migration):
    dependencies = [
        ("delegates", "0009_field_names_translated"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="has_secret_link",
            field=models.BooleanField(default=False, verbose_name="carries a secret link"),
        ),
        migrations.RunPython(erase_sent_secrets, migrations.RunPython.noop, elidable=True),
    ]
