"""The two staff roles, as Django groups, and the helper migrations use to grant them permissions.

Organizers: full rights on the programme and on delegates' records, no user administration.
Registration staff: read-only on the programme; view registrations, export, check in; never
passport data. Each model's permissions are granted in the migration that adds the model.
"""

from django.contrib.auth.management import create_permissions

ORGANIZERS = "Organizers"
REGISTRATION_STAFF = "Registration staff"
CRUD = ("add", "change", "delete", "view")


def grant(apps, group_name: str, app_label: str, codenames: list[str]) -> None:
    """Give a group these permissions of one app, creating the group and permissions if needed."""
    # Permissions are made after all migrations run; make them now so a fresh database works.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, group_name: str, app_label: str, codenames: list[str]) -> None:
    """Take these permissions back from a group (the reverse of `grant`)."""
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=group_name).first()
    if group:
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def model_codenames(models: list[str], actions=CRUD) -> list[str]:
    """Codenames such as "add_event" for each model and action."""
    return [f"{action}_{model}" for model in models for action in actions]
