"""System checks of the delegates app's settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def data_keys_given(app_configs, **kwargs):
    """`check --deploy` fails when passport data would have no key from the environment."""
    if settings.DEBUG or settings.FORUM_DATA_KEYS_GIVEN:
        return []
    return [
        Error(
            "FORUM_DATA_KEYS is not set: the site refuses to start without the keys that encrypt passport data.",
            hint="Set FORUM_DATA_KEYS to one or more Fernet keys, comma-separated (docs/operations.md).",
            id="delegates.E001",
        )
    ]
