"""Importing delegation lists: preview with errors, nothing written until confirmed, idempotent."""

import csv
import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegates.imports import EXAMPLE, HEADER
from delegates.models import AuditEntry, Delegation, OutboxMessage, Profile, Registration, User
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import (
    DelegationFactory,
    ProfileFactory,
    RegistrationFactory,
    SubForumFactory,
    open_event,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = open_event(in_person_capacity=2)
    SubForumFactory(event=event, slug="beidou-cooperation")
    SubForumFactory(event=event, slug="green-development")
    return event


@pytest.fixture
def organizer(client):
    user = staff_member(ORGANIZERS)
    client.force_login(user)
    return user


def person(n, **overrides):
    """A row of the template for delegate n."""
    row = dict(zip(HEADER, EXAMPLE, strict=True))
    row.update(
        email=f"delegate{n}@mfa.example.kz",
        given_name_latin=f"Aigerim{chr(65 + n)}",
        family_name_latin="Bekova",
        given_name_native="Айгерим",
        family_name_native="Бекова",
        mode="in_person",
    )
    row.update(overrides)
    return row


def csv_file(rows, name="delegation.csv"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def xlsx_file(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[name] for name in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("delegation.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post(reverse("staff:import", args=["forum"]), {"file": file})


def confirm(client, drop=()):
    return client.post(reverse("staff:import", args=["forum"]), {"confirm": "1", "drop": list(drop)})


def test_preview_shows_every_rows_errors_and_writes_nothing(client, event, organizer):
    rows = [
        person(0),
        person(1, email="not-an-email", country="Atlantis"),
        person(2, sub_forums="no-such-session", phone="12"),
        person(3, given_name_latin="张伟"),
    ]
    response = upload(client, csv_file(rows))
    preview = response.context["rows"]
    assert [row.is_valid for row in preview] == [True, False, False, False]
    messages = " ".join(str(error) for row in preview for error in row.errors)
    assert "Enter a valid email address." in messages
    assert "Unknown country “Atlantis”" in messages
    assert "Not sub-forums of this edition: no-such-session." in messages
    assert "Use Latin letters as in your passport" in messages
    assert (User.objects.count(), Registration.objects.count()) == (1, 0)  # only the organizer

    confirm(client)
    assert Registration.objects.count() == 0
    confirm(client, drop=[3, 4, 5])
    assert list(Registration.objects.values_list("user__email", flat=True)) == ["delegate0@mfa.example.kz"]


def test_confirming_creates_accounts_profiles_and_registrations_through_the_services(
    client, event, organizer
):
    rows = [person(n) for n in range(3)]
    upload(client, xlsx_file(rows))
    response = confirm(client)
    assert response["Location"] == reverse("staff:registrations", args=["forum"])
    registrations = Registration.objects.order_by("seat_requested_at", "pk")
    assert [r.status for r in registrations] == ["pending", "pending", "waitlisted"]  # capacity 2 applies
    assert all(r.is_consent_pending for r in registrations)
    assert set(registrations[0].seats.values_list("sub_forum__slug", flat=True)) == {
        "beidou-cooperation",
        "green-development",
    }
    profile = Profile.objects.get(user__email="delegate0@mfa.example.kz")
    assert (profile.name_native, profile.country.code, profile.phone.as_e164) == (
        "Айгерим Бекова",
        "KZ",
        "+77012345678",
    )
    assert not User.objects.get(email="delegate0@mfa.example.kz").has_usable_password()
    invitation = OutboxMessage.objects.filter(kind="imported").order_by("pk").first()
    assert invitation.language == "ru"
    assert re.search(r"/accounts/password/reset/key/[\w-]+/", invitation.body_text)
    assert AuditEntry.objects.get(action="import").data == {"created": 3, "registered": 0, "skipped": 0}


def test_uploading_the_same_file_again_creates_nothing_twice(client, event, organizer):
    rows = [person(n) for n in range(2)]
    upload(client, csv_file(rows))
    confirm(client)
    again = upload(client, csv_file(rows))
    assert [row.action for row in again.context["rows"]] == ["skip", "skip"]
    confirm(client)
    assert (User.objects.count(), Registration.objects.count()) == (3, 2)
    assert OutboxMessage.objects.filter(kind="imported").count() == 2


def test_an_existing_account_is_registered_without_a_new_password(client, event, organizer):
    existing = ProfileFactory(user__email="delegate0@mfa.example.kz", given_name_latin="Kept").user
    upload(client, csv_file([person(0)]))
    confirm(client)
    registration = Registration.objects.get()
    assert registration.user == existing
    assert Profile.objects.get(user=existing).given_name_latin == "Kept"
    assert "/accounts/password/reset/key/" not in OutboxMessage.objects.get(kind="imported").body_text


def test_imported_delegate_confirms_and_consents(client, event, organizer):
    upload(client, csv_file([person(0)]))
    confirm(client)
    delegate = User.objects.get(email="delegate0@mfa.example.kz")
    client.force_login(delegate)
    assert (
        "Please check your details and accept the privacy notice."
        in client.get(reverse("delegates:me")).content.decode()
    )
    url = reverse("delegates:consent", args=["forum"])
    assert client.post(url, {}).status_code == 200
    client.post(url, {"consent": "on"})
    registration = Registration.objects.get()
    assert registration.consent_version == "2026-11" and registration.consented_at is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.txt", b"email\n", "Upload a .csv or .xlsx file"),
        ("list.csv", b"email,given_name_latin\n", "The header lacks these columns"),
        ("list.csv", "email\n".encode("utf-16"), "Save the CSV file as UTF-8."),
        ("list.xlsx", b"not a zip", "This is not an XLSX file we can read."),
    ],
)
def test_unreadable_files_get_a_clear_message(client, event, organizer, name, content, message):
    response = upload(client, SimpleUploadedFile(name, content))
    assert message in response.content.decode()
    assert Registration.objects.count() == 0


def test_only_organizers_import(client, event):
    client.force_login(staff_member(REGISTRATION_STAFF))
    assert client.get(reverse("staff:import", args=["forum"])).status_code == 404
    assert client.get(reverse("staff:import_template", args=["forum"])).status_code == 404


def test_the_template_has_the_documented_header(client, event, organizer):
    body = client.get(reverse("staff:import_template", args=["forum"])).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [HEADER, EXAMPLE]


def test_a_declined_person_is_a_row_error_and_a_cancelled_one_is_not_brought_back(client, event, organizer):
    from delegates import services

    upload(client, csv_file([person(0), person(1)]))
    confirm(client)
    declined, cancelled = Registration.objects.order_by("user__email")
    services.reject_registration(registration=declined, actor=organizer, reason="No.")
    services.cancel_registration(registration=cancelled, actor=organizer)
    preview = upload(client, csv_file([person(0), person(1)])).context["rows"]
    assert [row.action for row in preview] == ["", "skip"]
    assert "declined" in preview[0].errors[0].message
    confirm(client, drop=[2])
    assert list(Registration.objects.order_by("user__email").values_list("status", flat=True)) == [
        "rejected",
        "cancelled",
    ]


def test_an_xlsx_claiming_a_huge_sheet_is_read_by_its_real_cells(client, event, organizer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([person(0)[name] for name in HEADER])
    sheet.cell(row=3, column=16000, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, SimpleUploadedFile("big.xlsx", buffer.getvalue()))
    assert [row.values["email"] for row in response.context["rows"]] == ["delegate0@mfa.example.kz"]


# The smallest workbook openpyxl reads: one sheet, shared strings in a part named as `strings` says.
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/{strings}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Delegation" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="/{strings}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def handmade_xlsx(
    *, rows=(), filler: int = 0, row_cells: int = 0, strings_part="xl/sharedStrings.xml"
) -> bytes:
    """A workbook of the header and `rows` (lists of texts, stored as shared strings), with `filler`
    more copies of one short shared text and, if asked, a row of `row_cells` cells."""
    texts = [*HEADER, *(text for row in rows for text in row)]
    table, index = [], 0
    for row in [HEADER, *rows]:
        table.append(range(index, index + len(row)))
        index += len(row)
    xml_rows = [
        f'<row r="{number}">' + "".join(f'<c t="s"><v>{i}</v></c>' for i in indexes) + "</row>"
        for number, indexes in enumerate(table, start=1)
    ]
    if row_cells:
        xml_rows.append(f'<row r="{len(table) + 1}">' + '<c t="s"><v>0</v></c>' * row_cells + "</row>")
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{"".join(xml_rows)}'
    strings = "".join(f"<si><t>{text}</t></si>" for text in texts) + "<si><t>x</t></si>" * filler
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(strings=strings_part))
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(strings=strings_part))
        archive.writestr("xl/worksheets/sheet1.xml", sheet + "</sheetData></worksheet>")
        archive.writestr(
            strings_part, f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{strings}</sst>'
        )
    return buffer.getvalue()


def shared_strings_bomb() -> bytes:
    """The audit's file: about 120 KB holding 2.8 million shared strings."""
    return handmade_xlsx(filler=2_800_000)


OVER_BUDGET = "This spreadsheet holds far more than a list of at most 2000 people needs"


def test_a_handmade_workbook_within_the_budget_is_read(client, event, organizer):
    delegate = person(0)
    body = handmade_xlsx(rows=[[delegate[name] for name in HEADER]], filler=1000, strings_part="xl/s.xml")

    response = upload(client, SimpleUploadedFile("list.xlsx", body))

    assert response.context.get("file_error") is None
    assert [(row.values["email"], row.errors) for row in response.context["rows"]] == [
        ("delegate0@mfa.example.kz", [])
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("2.8 million shared strings", shared_strings_bomb),
        (
            "the strings in an oddly named part",
            lambda: handmade_xlsx(filler=200_000, strings_part="xl/s.bin"),
        ),
        ("a million cells in one row", lambda: handmade_xlsx(row_cells=1_000_000)),
    ],
)
def test_a_workbook_holding_far_more_than_a_list_is_refused_fast_on_the_page(
    client, event, organizer, name, content
):
    body = content()
    started = time.perf_counter()

    response = upload(client, SimpleUploadedFile("list.xlsx", body))

    elapsed = time.perf_counter() - started
    assert len(body) < 250_000
    assert response.status_code == 200
    assert response.context["file_error"].startswith(OVER_BUDGET)
    assert OVER_BUDGET in response.content.decode()
    assert elapsed < 3, f"{name}: {elapsed:.1f} s"  # before the budget: 23 s for the first
    assert not Registration.objects.exists()


def test_a_workbook_with_a_document_type_declaration_is_refused(client, event, organizer):
    body = handmade_xlsx()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/workbook.xml":
                data = data.replace(b"<workbook", b'<!DOCTYPE workbook [<!ENTITY a "aaaa">]><workbook', 1)
            target.writestr(member, data)

    response = upload(client, SimpleUploadedFile("list.xlsx", buffer.getvalue()))

    assert response.context["file_error"] == "This is not an XLSX file we can read."


def test_the_import_page_lists_each_accepted_honorific_and_no_empty_one(client, event, organizer):
    page = client.get(reverse("staff:import", args=["forum"])).content.decode()

    codes = re.search(r"<dt><code>honorific</code></dt>\s*<dd>(.*?)</dd>", page, re.S).group(1)
    assert re.findall(r"<code>(.*?)</code>", codes) == ["he", "dr", "prof", "mr", "ms"]


# --- delegations ----------------------------------------------------------------------------


def upload_creating(client, file):
    """Upload with "create missing delegations" ticked."""
    return client.post(reverse("staff:import", args=["forum"]), {"file": file, "create_delegations": "1"})


def test_the_delegation_column_is_optional_and_in_the_template(client, event, organizer):
    assert HEADER[-1] == "delegation"
    response = upload(client, csv_file([person(0)]))
    assert response.context["rows"][0].delegation is None
    assert response.context["rows"][0].is_valid


@pytest.mark.parametrize("named", ["Kazakhstan", "казахстан", "哈萨克斯坦", "id"])
def test_a_row_names_its_delegation_in_any_language_or_by_id(client, event, organizer, named):
    delegation = DelegationFactory(
        event=event, name_en="Kazakhstan", name_ru="Казахстан", name_zh_hans="哈萨克斯坦"
    )
    value = str(delegation.pk) if named == "id" else named

    response = upload(client, csv_file([person(0, delegation=value)]))

    row = response.context["rows"][0]
    assert row.is_valid
    assert row.delegation == delegation


def test_an_unknown_delegation_is_a_row_error_and_nothing_is_created(client, event, organizer):
    DelegationFactory(event=event, name_en="Kazakhstan")
    DelegationFactory(name_en="Elsewhere")  # another edition's

    response = upload(client, csv_file([person(0, delegation="Elsewhere"), person(1, delegation="99999")]))

    assert [str(error) for row in response.context["rows"] for error in row.errors] == [
        "delegation: No delegation “Elsewhere” in this edition (tick “create missing delegations” to create it).",
        "delegation: No delegation “99999” in this edition (tick “create missing delegations” to create it).",
    ]
    confirm(client)
    assert Delegation.objects.filter(event=event).count() == 1
    assert not Registration.objects.exists()


def test_the_preview_counts_rows_against_the_quota_and_marks_those_beyond(client, event, organizer):
    event.in_person_capacity = 10
    event.save()
    delegation = DelegationFactory(event=event, name_en="Kazakhstan", quota_in_person=3, quota_online=None)
    RegistrationFactory(event=event, delegation=delegation, mode="in_person", status="approved")
    RegistrationFactory(event=event, delegation=delegation, mode="in_person", status="cancelled")
    rows = [person(n, delegation="Kazakhstan") for n in range(3)] + [
        person(3, delegation="Kazakhstan", mode="online")
    ]

    response = upload(client, csv_file(rows))

    assert [row.is_valid for row in response.context["rows"]] == [True, True, False, True]
    assert (
        str(response.context["rows"][2].errors[0])
        == "delegation: Beyond the quota of “Kazakhstan” (3, In person)."
    )
    lines = {
        (line.name, line.mode): (line.members, line.adding, line.quota)
        for line in response.context["delegation_lines"]
    }
    assert lines == {("Kazakhstan", "In person"): (1, 3, 3), ("Kazakhstan", "Online"): (0, 1, None)}
    assert "Rows adding one" in response.content.decode()


def test_a_ticked_box_plans_and_confirming_creates_the_missing_delegation(client, event, organizer):
    rows = [person(0, delegation="Ministry of Energy"), person(1, delegation="ministry of energy")]

    preview = upload_creating(client, csv_file(rows))

    assert all(row.is_valid for row in preview.context["rows"])
    assert [(line.name, line.new, line.adding) for line in preview.context["delegation_lines"]] == [
        ("Ministry of Energy", True, 2)
    ]
    assert not Delegation.objects.exists()  # the preview writes nothing

    confirm(client)

    delegation = Delegation.objects.get(event=event)
    assert (delegation.name_en, delegation.kind) == ("Ministry of Energy", "other")
    assert set(delegation.members.values_list("user__email", flat=True)) == {
        "delegate0@mfa.example.kz",
        "delegate1@mfa.example.kz",
    }
    assert AuditEntry.objects.get(action="delegations_imported").data == {"names": ["Ministry of Energy"]}


def test_confirming_attaches_rows_to_an_existing_delegation(client, event, organizer):
    delegation = DelegationFactory(event=event, name_en="Kazakhstan")

    upload(client, csv_file([person(0, delegation="Kazakhstan"), person(1)]))
    confirm(client)

    assert dict(Registration.objects.values_list("user__email", "delegation")) == {
        "delegate0@mfa.example.kz": delegation.pk,
        "delegate1@mfa.example.kz": None,
    }
