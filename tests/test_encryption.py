"""Passport numbers and dates of birth are encrypted at rest: the table holds only tokens, the code reads
plain values, keys rotate with a command, an unknown key is a clear error, exports still show the data
to those allowed, a refused form keeps it encrypted in the session, and production needs a key."""

import csv
import datetime
import importlib
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.core.exceptions import FieldError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from delegates import encryption
from delegates.imports import EXAMPLE, HEADER
from delegates.models import Registration
from delegates.roles import ORGANIZERS

from .factories import ProfileFactory, RegistrationFactory, SubForumFactory, open_event, staff_member
from .test_settings import PRODUCTION, ROOT, read_settings

pytestmark = pytest.mark.django_db
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
BIRTH = datetime.date(1980, 5, 4)


def with_passport(event, number="N1234567", birth=BIRTH, **fields):
    """A stored registration holding passport data."""
    return RegistrationFactory(
        event=event,
        user=ProfileFactory().user,
        wants_visa_letter=True,
        passport_number=number,
        passport_nationality="KZ",
        passport_birth_date=birth,
        **fields,
    )


def raw(registration) -> tuple:
    """The passport number and birth date columns as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT passport_number, passport_birth_date FROM delegates_registration WHERE id = %s",
            [registration.pk],
        )
        return cursor.fetchone()


def every_text_column() -> str:
    """Everything the registrations table holds, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM delegates_registration")
        return repr(cursor.fetchall())


def test_the_table_holds_neither_the_number_nor_the_birth_date_and_the_model_reads_them_back():
    registration = with_passport(open_event())

    number, birth = raw(registration)
    table = every_text_column()

    assert "N1234567" not in table and "1980-05-04" not in table and "19800504" not in table
    assert number.startswith("gAAAAA") and birth.startswith("gAAAAA")  # Fernet tokens
    stored = Registration.objects.get()
    assert (stored.passport_number, stored.passport_birth_date) == ("N1234567", BIRTH)
    assert stored.passport_number_masked == "••••••67"


def test_blank_passport_data_stays_blank_and_is_found_without_decrypting():
    event = open_event()
    with_passport(event)
    without = RegistrationFactory(event=event, user=ProfileFactory().user)

    assert raw(without) == ("", None)
    assert list(Registration.objects.filter(passport_number="")) == [without]
    assert list(Registration.objects.filter(passport_birth_date__isnull=True)) == [without]
    assert (without.passport_number, Registration.objects.get(pk=without.pk).passport_birth_date) == (
        "",
        None,
    )


def test_a_query_by_an_encrypted_value_is_an_error_not_an_empty_answer():
    with_passport(open_event())

    for query in ({"passport_number": "N1234567"}, {"passport_number__icontains": "123"}):
        with pytest.raises(FieldError, match="passport_number is encrypted"):
            list(Registration.objects.filter(**query))
    with pytest.raises(FieldError, match="passport_birth_date is encrypted"):
        list(Registration.objects.filter(passport_birth_date__year=1980))
    assert Registration.objects.exclude(passport_number="").count() == 1


def test_rotation_re_encrypts_every_value_with_the_new_key():
    event = open_event()
    with override_settings(FORUM_DATA_KEYS=[OLD_KEY]):
        first = with_passport(event, "N1111111")
        second = with_passport(event, "N2222222", birth=None)
        RegistrationFactory(event=event, user=ProfileFactory().user)  # nothing to re-encrypt
        before = raw(first)
    out = io.StringIO()

    with override_settings(FORUM_DATA_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_data_key", stdout=out)

    assert "delegates.Registration: re-encrypted 2 row(s)" in out.getvalue()
    assert raw(first) != before
    with override_settings(FORUM_DATA_KEYS=[NEW_KEY]):
        read = {r.pk: (r.passport_number, r.passport_birth_date) for r in Registration.objects.all()}
    assert read[first.pk] == ("N1111111", BIRTH)
    assert read[second.pk] == ("N2222222", None)


def test_a_value_no_key_opens_is_a_clear_error_not_a_blank():
    with override_settings(FORUM_DATA_KEYS=[OLD_KEY]):
        with_passport(open_event())

    with override_settings(FORUM_DATA_KEYS=[NEW_KEY]):
        with pytest.raises(encryption.UndecryptableData, match="a key that encrypted it is missing"):
            Registration.objects.get()
        with pytest.raises(CommandError, match="Nothing was re-encrypted"):
            call_command("rotate_data_key", stdout=io.StringIO())


def test_the_migration_encrypts_plain_values_once_and_its_reverse_decrypts_them():
    registration = with_passport(open_event())
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE delegates_registration SET passport_number = %s, passport_birth_date = %s WHERE id = %s",
            ["P7654321", "1979-12-31", registration.pk],
        )
    editor = connection.schema_editor()
    migration = importlib.import_module("delegates.migrations.0015_encrypted_passport_data")

    migration.encrypt_existing(None, editor)
    once = raw(registration)
    migration.encrypt_existing(None, editor)

    assert raw(registration) == once and "P7654321" not in repr(once)
    stored = Registration.objects.get()
    assert (stored.passport_number, stored.passport_birth_date) == ("P7654321", datetime.date(1979, 12, 31))
    migration.decrypt_existing(None, editor)
    assert raw(registration) == ("P7654321", "1979-12-31")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_show_the_decrypted_passport_data_to_organizers_with_the_formula_guard(client, file_format):
    event = open_event()
    with_passport(event, "=1+1", passport_expires_on=datetime.date(2035, 1, 2))
    client.force_login(staff_member(ORGANIZERS))
    keys = ["passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on"]

    response = client.post(reverse(f"staff:export_{file_format}", args=[event.slug]), {"col": keys})

    body = b"".join(response.streaming_content)
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(body.decode()[1:])))
        assert rows[1] == ["'=1+1", "Kazakhstan", "1980-05-04", "2035-01-02"]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        assert [cell.value for cell in sheet[2]] == ["=1+1", "Kazakhstan", "1980-05-04", "2035-01-02"]


def test_a_refused_form_keeps_the_passport_data_encrypted_in_the_session_and_shows_it_again(client):
    event = open_event()
    client.force_login(ProfileFactory().user)
    url = reverse("delegates:register", args=[event.slug])
    expires = event.end_on + datetime.timedelta(days=400)

    client.post(
        url,
        {
            "category": "government",
            "mode": "in_person",  # without travel dates: refused, sent back by GET
            "interpretation_language": "en",
            "wants_visa_letter": "on",
            "passport_number": "N55566677",
            "passport_nationality": "KZ",
            "passport_birth_date": "1980-05-04",
            "passport_expires_on": f"{expires:%Y-%m-%d}",
            "consent": "on",
        },
    )

    stored = json.dumps([session.get_decoded() for session in Session.objects.all()])
    assert "N55566677" not in stored and "1980-05-04" not in stored
    content = client.get(url).content.decode()
    assert "Give your travel dates to attend in person." in content
    assert 'value="N55566677"' in content and 'value="1980-05-04"' in content


def test_production_refuses_to_start_without_a_data_key_and_explains():
    production = {"DJANGO_SECRET_KEY": "x" * 50, "FORUM_MAIL_CONSOLE": "true", "FORUM_DATA_KEYS": ""}

    missing = read_settings(production, "s.FORUM_DATA_KEYS")
    wrong = read_settings({**production, "FORUM_DATA_KEYS": f"{NEW_KEY},not-a-key"}, "s.FORUM_DATA_KEYS")
    debugging = read_settings({"DJANGO_DEBUG": "true", "FORUM_DATA_KEYS": ""}, "len(s.FORUM_DATA_KEYS)")

    assert missing.returncode != 0
    assert "Set FORUM_DATA_KEYS to one or more Fernet keys" in missing.stderr
    assert wrong.returncode != 0
    assert "FORUM_DATA_KEYS: key 2 is not a Fernet key" in wrong.stderr and "not-a-key" not in wrong.stderr
    assert debugging.returncode == 0 and debugging.stdout.strip() == "1"


def test_check_deploy_fails_without_a_data_key():
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "FORUM_", "SMTP_", "CACHE_"))
    }
    production = {key: value for key, value in PRODUCTION.items() if key != "FORUM_DATA_KEYS"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**clean, **production, "DJANGO_SETTINGS_MODULE": "forum_site.settings"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "delegates.E001" in result.stderr and "FORUM_DATA_KEYS is not set" in result.stderr


def test_an_import_preview_keeps_its_rows_encrypted_in_the_session_until_confirmed(client):
    event = open_event()
    SubForumFactory(event=event, slug="beidou-cooperation")
    SubForumFactory(event=event, slug="green-development")
    client.force_login(staff_member(ORGANIZERS))
    expires = event.end_on + datetime.timedelta(days=400)
    row = dict(zip(HEADER, EXAMPLE, strict=True)) | {
        "passport_number": "N99887766",
        "passport_nationality": "KZ",
        "passport_birth_date": "1980-05-04",
        "passport_expires_on": f"{expires:%Y-%m-%d}",
    }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerow(row)
    url = reverse("staff:import", args=[event.slug])

    client.post(
        url, {"file": SimpleUploadedFile("list.csv", buffer.getvalue().encode(), content_type="text/csv")}
    )

    stored = json.dumps([session.get_decoded() for session in Session.objects.all()])
    assert "N99887766" not in stored and "1980-05-04" not in stored and "example.delegate@" not in stored
    client.post(url, {"confirm": "1"})
    registration = Registration.objects.get()
    assert (registration.passport_number, registration.passport_birth_date) == ("N99887766", BIRTH)
