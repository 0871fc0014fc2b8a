"""Grant the roles their rights on check-ins and export presets."""

from django.db import migrations

from delegates.roles import ORGANIZERS, REGISTRATION_STAFF, grant, model_codenames, revoke

ORGANIZER_CODENAMES = [*model_codenames(["checkin"], actions=["view", "add", "delete"]), "view_exportpreset"]
STAFF_CODENAMES = model_codenames(["checkin"], actions=["view", "add"])


def grant_roles(apps, schema_editor):
    """Organizers see, record and undo check-ins; staff see and record them."""
    grant(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)
    grant(apps, REGISTRATION_STAFF, "delegates", STAFF_CODENAMES)


def revoke_roles(apps, schema_editor):
    """Undo grant_roles."""
    revoke(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)
    revoke(apps, REGISTRATION_STAFF, "delegates", STAFF_CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("delegates", "0005_checkins_and_presets")]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
