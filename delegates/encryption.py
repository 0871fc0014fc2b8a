"""Passport data encrypted at rest: Fernet tokens made with the keys of `FORUM_DATA_KEYS`.

The first key encrypts, every key decrypts (MultiFernet), so a new key is put first and
`manage.py rotate_data_key` re-encrypts the rows with it before the old one is dropped. The fields
below read and write plain values (a str, a date) for the code; the column holds only tokens. A blank
number is stored as "" and a missing date as NULL, so "is there a passport number" is asked without
decrypting anything (`passport_number=""`, `passport_birth_date__isnull`). Tokens are random, so no
other lookup can find a value: filtering, ordering or searching by the plain value is not possible."""

import datetime
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact


class UndecryptableData(ImproperlyConfigured):
    """A stored value that none of the configured keys decrypts (a key is missing or wrong)."""


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    """The MultiFernet of these keys, made once."""
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The MultiFernet of the configured keys: the first encrypts, all decrypt."""
    return _fernet(tuple(settings.FORUM_DATA_KEYS))


def encrypt(text: str) -> str:
    """A token for this text ("" stays "")."""
    if not text:
        return ""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token ("" stays ""); a token no key opens raises UndecryptableData."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableData(
            "Encrypted passport data cannot be decrypted with the keys in FORUM_DATA_KEYS: "
            "a key that encrypted it is missing (see docs/operations.md, keys and rotation)."
        ) from None


class BlankExact(Exact):
    """`field=""` or `field=None`: the only value a query can find in an encrypted column."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: a query can only ask whether it is blank."
            )
        return super().get_prep_lookup()


class EncryptedLookups:
    """Lookups an encrypted column answers: blank (exact "" / None) and isnull; anything else is an error
    rather than a query that silently finds nothing (each token is random)."""

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return BlankExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.name} is encrypted: a query can only ask whether it is blank, not {lookup_name!r}."
        )

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.name} is encrypted: a query cannot use {lookup_name!r} on it.")


class EncryptedCharField(EncryptedLookups, models.CharField):
    """A short text (max_length counts its plain characters) stored as a token in a text column."""

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return encrypt(value) if value is not None else value


class EncryptedDateField(EncryptedLookups, models.DateField):
    """A date stored as the token of its ISO form in a text column (NULL when there is none)."""

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return datetime.date.fromisoformat(decrypt(value)) if value else None

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return encrypt(value.isoformat()) if value is not None else None
