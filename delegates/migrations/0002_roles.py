"""Create the Organizers and Registration staff groups with their rights on the programme."""

from django.db import migrations

from delegates.roles import ORGANIZERS, REGISTRATION_STAFF, grant, model_codenames, revoke

PROGRAMME_MODELS = [
    "organization",
    "event",
    "eventrole",
    "subforum",
    "speaker",
    "appearance",
    "sector",
    "exhibit",
    "document",
]


def create_roles(apps, schema_editor):
    """Organizers edit the programme; registration staff read it."""
    grant(apps, ORGANIZERS, "events", model_codenames(PROGRAMME_MODELS))
    grant(apps, REGISTRATION_STAFF, "events", model_codenames(PROGRAMME_MODELS, actions=["view"]))


def remove_roles(apps, schema_editor):
    """Undo create_roles."""
    revoke(apps, ORGANIZERS, "events", model_codenames(PROGRAMME_MODELS))
    revoke(apps, REGISTRATION_STAFF, "events", model_codenames(PROGRAMME_MODELS, actions=["view"]))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("delegates", "0001_user"),
        ("events", "0001_programme"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
