"""Grant the roles their rights on registrations, profiles, seats, audit entries and the outbox."""

from django.db import migrations

from delegates.roles import ORGANIZERS, REGISTRATION_STAFF, grant, model_codenames, revoke

ORGANIZER_CODENAMES = [
    *model_codenames(["profile", "registration", "subforumseat"]),
    *model_codenames(["outboxmessage"], actions=["view", "change"]),
    "view_auditentry",
    "view_passport",
    "export_registration",
    "check_in_registration",
]
STAFF_CODENAMES = [
    *model_codenames(["profile", "registration", "subforumseat"], actions=["view"]),
    "export_registration",
    "check_in_registration",
]


def grant_roles(apps, schema_editor):
    """Organizers manage registrations and may read passports; staff view, export and check in."""
    grant(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)
    grant(apps, REGISTRATION_STAFF, "delegates", STAFF_CODENAMES)


def revoke_roles(apps, schema_editor):
    """Undo grant_roles."""
    revoke(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)
    revoke(apps, REGISTRATION_STAFF, "delegates", STAFF_CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("delegates", "0003_registrations")]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
