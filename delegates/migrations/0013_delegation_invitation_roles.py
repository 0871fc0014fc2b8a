"""Grant Organizers their rights on delegations and invitations."""

from django.db import migrations

from delegates.roles import ORGANIZERS, grant, model_codenames, revoke

ORGANIZER_CODENAMES = model_codenames(["delegation", "invitation"])


def grant_roles(apps, schema_editor):
    """Organizers manage delegations and invitations in the admin."""
    grant(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)


def revoke_roles(apps, schema_editor):
    """Undo grant_roles."""
    revoke(apps, ORGANIZERS, "delegates", ORGANIZER_CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("delegates", "0012_delegations_and_invitations")]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
