from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from delegates.encryption import EncryptedCharField, EncryptedDateField, UndecryptableData

BATCH = 500


def encrypted_fields(model) -> list:
    """The model's fields stored encrypted."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (EncryptedCharField, EncryptedDateField))
    ]


def holding_data(fields) -> Q:
    """Rows where at least one of these fields holds a value (blank is stored in clear)."""
    condition = Q(pk__in=[])
    for field in fields:
        condition |= (
            ~Q(**{field.name: ""})
            if isinstance(field, EncryptedCharField)
            else Q(**{f"{field.name}__isnull": False})
        )
    return condition


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (passport numbers, dates of birth) with the first key of "
        "FORUM_DATA_KEYS. Put the new key first, keep the old ones after it, run this, then drop them."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            names = [field.name for field in fields]
            count = 0
            manager = model._default_manager
            pks = list(manager.filter(holding_data(fields)).order_by("pk").values_list("pk", flat=True))
            try:
                for start in range(0, len(pks), BATCH):
                    for pk, *values in manager.filter(pk__in=pks[start : start + BATCH]).values_list(
                        "pk", *names
                    ):
                        # Read with whichever key opens it, written again with the first key.
                        manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))
                        count += 1
            except UndecryptableData as error:
                raise CommandError(f"{error} Nothing was re-encrypted.") from None
            self.stdout.write(
                f"{model._meta.label}: re-encrypted {count} row(s) ({', '.join(names)}) with the first key."
            )
