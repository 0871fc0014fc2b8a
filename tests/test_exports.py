"""The export contract: each column kind shows the same in both row builders, typed text never
reads as a formula, passports stay with those who may read them, and the admin's export is the
staff page's export."""

import csv
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from delegates import exports
from delegates.models import AuditEntry, CheckIn, ExportPreset, SubForumSeat
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import ProfileFactory, RegistrationFactory, SubForumFactory, open_event, staff_member

pytestmark = pytest.mark.django_db
BUILDERS = [
    pytest.param(exports.RowBuilder, id="python"),
    pytest.param(exports.SqlRows, id="sql", marks=pytest.mark.postgres),
]
PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\tTAB", "\rCR", "\nLF", '=HYPERLINK("http://x.example","y")']
PASSPORT_KEYS = ["passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on"]
CHANGELIST = "admin:delegates_registration_changelist"


@pytest.fixture
def event():
    return open_event()


def local(event, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in the edition's time zone, `days` after its first day."""
    day = event.start_on + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=event.tz)


def delegate(event, *, profile=None, **fields):
    """A stored registration of a delegate with a profile (no services: the export only reads)."""
    user = ProfileFactory(**(profile or {})).user
    return RegistrationFactory(event=event, user=user, **fields)


def full_registration(event):
    """An in-person delegate with every exported field filled, two sub-forum seats and a check-in."""
    registration = delegate(
        event,
        profile={
            "honorific": "he",
            "family_name_latin": "Bekova",
            "given_name_latin": "Aigerim",
            "family_name_native": "Бекова",
            "given_name_native": "Айгерим",
            "position": "Minister",
            "organization": "Ministry of Foreign Affairs",
            "country": "KZ",
            "phone": "+77012345678",
        },
        category="government",
        mode="in_person",
        status="approved",
        interpretation_language="ru",
        # 23:30 in Lanzhou is still the afternoon in UTC: the export shows the edition's local time.
        arrival_at=local(event, -1, 23, 30),
        departure_at=local(event, 3, 7, 5),
        flight="KC 891",
        needs_accommodation=True,
        dietary_needs="Halal",
        accessibility_needs="Wheelchair",
        wants_visa_letter=True,
        passport_number="N1234567",
        passport_nationality="CN",
        passport_birth_date=datetime.date(1980, 5, 4),
        passport_expires_on=datetime.date(2035, 1, 2),
    )
    later = SubForumFactory(event=event, title="Green Development", title_ru="Зелёное развитие")
    earlier = SubForumFactory(
        event=event,
        title="BeiDou",
        title_ru="БэйДоу",
        starts_at=later.starts_at - datetime.timedelta(hours=3),
    )
    SubForumSeat.objects.create(
        registration=registration, sub_forum=later, state="waitlisted", requested_at=local(event, -30, 9)
    )
    SubForumSeat.objects.create(
        registration=registration, sub_forum=earlier, state="confirmed", requested_at=local(event, -30, 9)
    )
    admitted = CheckIn.objects.create(registration=registration)
    CheckIn.objects.filter(pk=admitted.pk).update(checked_in_at=local(event, 0, 8, 5))
    # A sub-forum check-in is not the entrance: the column ignores it.
    CheckIn.objects.create(registration=registration, sub_forum=earlier)
    return registration


def display_rows(builder, event, keys, queryset=None):
    """The rows a builder makes for these columns, as lists of strings."""
    columns = [exports.COLUMNS_BY_KEY[key] for key in keys]
    source = builder(event, columns, queryset if queryset is not None else event.registrations.order_by("pk"))
    return [list(row) for row in source.rows()]


def parsed_csv(body: bytes) -> list[list[str]]:
    """A CSV export parsed back, header included (after checking the BOM)."""
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_values(body: bytes) -> list[list[str]]:
    """The cells of an XLSX export, header included, blanks as ""."""
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_every_kind_is_used_by_a_column():
    assert {column.kind for column in exports.COLUMNS} == set(exports.Kind)


@pytest.mark.parametrize("builder", BUILDERS)
def test_each_kind_renders_the_same_in_both_builders(event, builder):
    full_registration(event)
    keys = [column.key for column in exports.COLUMNS]

    [row] = display_rows(builder, event, keys)

    assert dict(zip(keys, row, strict=True)) == {
        "family_name_latin": "Bekova",
        "given_name_latin": "Aigerim",
        "family_name_native": "Бекова",
        "given_name_native": "Айгерим",
        "honorific": "H.E.",
        "position": "Minister",
        "organization": "Ministry of Foreign Affairs",
        "country": "Kazakhstan",
        "delegation": "",
        "category": "Government delegation",
        "mode": "In person",
        "status": "Approved",
        "sub_forums": "BeiDou (Confirmed); Green Development (On the waiting list)",
        "email": row[keys.index("email")],
        "phone": "+77012345678",
        "arrival": f"{event.start_on - datetime.timedelta(days=1):%Y-%m-%d} 23:30",
        "departure": f"{event.start_on + datetime.timedelta(days=3):%Y-%m-%d} 07:05",
        "flight": "KC 891",
        "accommodation": "Yes",
        "dietary": "Halal",
        "accessibility": "Wheelchair",
        "interpretation": "Russian",
        "checked_in": f"{event.start_on:%Y-%m-%d} 08:05",
        "passport_number": "N1234567",
        "passport_nationality": "China",
        "passport_birth_date": "1980-05-04",
        "passport_expires_on": "2035-01-02",
    }
    assert row[keys.index("email")].endswith("@example.org")


@pytest.mark.parametrize("builder", BUILDERS)
def test_empty_values_show_as_empty_cells_and_no_as_no(event, builder):
    delegate(event, profile={"honorific": "", "family_name_native": ""}, interpretation_language="")
    keys = [
        "honorific",
        "family_name_native",
        "sub_forums",
        "arrival",
        "flight",
        "accommodation",
        "interpretation",
        "checked_in",
        "passport_nationality",
        "passport_birth_date",
    ]

    assert display_rows(builder, event, keys) == [["", "", "", "", "", "No", "", "", "", ""]]


@pytest.mark.parametrize("builder", BUILDERS)
def test_labels_countries_and_seats_follow_the_readers_language(event, builder):
    full_registration(event)
    keys = [
        "honorific",
        "country",
        "category",
        "mode",
        "status",
        "sub_forums",
        "accommodation",
        "interpretation",
    ]

    with translation.override("ru"):
        rows = display_rows(builder, event, keys)

    assert rows == [
        [
            "Е. П.",
            "Казахстан",
            "Правительственная делегация",
            "Очно",
            "Одобрена",
            "БэйДоу (Подтверждено); Зелёное развитие (В листе ожидания)",
            "Да",
            "Русский",
        ]
    ]


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_code_without_a_label_shows_nothing(event, builder):
    registration = delegate(event)
    type(registration).objects.filter(pk=registration.pk).update(
        interpretation_language="kk", category="=1+1"
    )

    assert display_rows(builder, event, ["interpretation", "category"]) == [["", ""]]


@pytest.mark.parametrize("builder", BUILDERS)
def test_typed_text_never_reads_as_a_formula_in_csv_or_xlsx(event, builder):
    room = SubForumFactory(event=event, title="=HYPERLINK(1)")
    for payload in PAYLOADS:
        registration = delegate(event, profile={"organization": payload}, flight=payload[:60])
        SubForumSeat.objects.create(
            registration=registration, sub_forum=room, state="confirmed", requested_at=local(event, -30, 9)
        )
    columns = [
        exports.COLUMNS_BY_KEY[key] for key in ("organization", "flight", "sub_forums", "phone", "mode")
    ]
    queryset = event.registrations.order_by("pk")

    csv_body = parsed_csv(b"".join(builder(event, columns, queryset).csv_chunks()))
    workbook = exports.xlsx_file(builder(event, columns, queryset), title=event.slug)
    sheet = openpyxl.load_workbook(workbook).active

    assert csv_body == [
        ["Organization", "Flight", "Sub-forums (seat)", "Phone", "Attendance"],
        *(
            ["'" + payload, "'" + payload, "'=HYPERLINK(1) (Confirmed)", "'+77012345678", "Online"]
            for payload in PAYLOADS
        ),
    ]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    # XLSX stores a carriage return as _x000D_, which openpyxl leaves escaped in inline strings.
    assert [[cell.replace("_x000D_", "\r") for cell in row] for row in sheet.iter_rows(values_only=True)] == [
        ["Organization", "Flight", "Sub-forums (seat)", "Phone", "Attendance"],
        *([payload, payload, "=HYPERLINK(1) (Confirmed)", "+77012345678", "Online"] for payload in PAYLOADS),
    ]


def test_passport_columns_are_refused_to_registration_staff(client, event):
    full_registration(event)
    client.force_login(staff_member(REGISTRATION_STAFF))
    url = reverse("staff:export_csv", args=[event.slug])

    only_passports = parsed_csv(b"".join(client.post(url, {"col": PASSPORT_KEYS}).streaming_content))
    with_a_name = parsed_csv(
        b"".join(client.post(url, {"col": ["given_name_latin", *PASSPORT_KEYS]}).streaming_content)
    )
    offered = client.get(reverse("staff:registrations", args=[event.slug])).context["columns"]

    assert only_passports[0] == [str(exports.COLUMNS_BY_KEY[key].label) for key in exports.DEFAULT_COLUMNS]
    assert with_a_name == [["Given name (Latin)"], ["Aigerim"]]
    assert not {"N1234567", "1980-05-04", "2035-01-02", "China"} & {
        cell for row in only_passports for cell in row
    }
    assert [column.key for column in offered] == [
        column.key for column in exports.COLUMNS if not column.passport
    ]
    assert [entry.data["columns"] for entry in AuditEntry.objects.filter(action="export").order_by("pk")] == [
        exports.DEFAULT_COLUMNS,
        ["given_name_latin"],
    ]


def test_passport_columns_are_exported_to_organizers(client, event):
    full_registration(event)
    client.force_login(staff_member(ORGANIZERS))

    response = client.post(reverse("staff:export_csv", args=[event.slug]), {"col": PASSPORT_KEYS})

    assert parsed_csv(b"".join(response.streaming_content)) == [
        ["Passport number", "Nationality", "Date of birth", "Passport expiry"],
        ["N1234567", "China", "1980-05-04", "2035-01-02"],
    ]


def test_allowed_columns_leave_out_exactly_the_passport_columns():
    everything = [column.key for column in exports.allowed_columns(may_see_passports=True)]
    without = [column.key for column in exports.allowed_columns(may_see_passports=False)]

    assert everything == [column.key for column in exports.COLUMNS]
    assert [key for key in everything if key not in without] == PASSPORT_KEYS


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_admin_action_and_the_staff_page_give_the_same_file(client, event, file_format):
    full_registration(event)
    for name in ("伟", "Омар"):
        delegate(event, profile={"given_name_native": name})
    client.force_login(staff_member(REGISTRATION_STAFF))
    read = parsed_csv if file_format == "csv" else xlsx_values

    from_staff = client.post(reverse(f"staff:export_{file_format}", args=[event.slug]))
    from_admin = client.post(
        reverse(CHANGELIST),
        {
            "action": f"export_selected_{file_format}",
            "_selected_action": [registration.pk for registration in event.registrations.all()],
        },
    )

    filename = re.compile(
        rf'attachment; filename="{event.slug}-registrations-\d{{8}}-\d{{4}}\.{file_format}"'
    )
    assert filename.fullmatch(from_staff["Content-Disposition"])
    assert filename.fullmatch(from_admin["Content-Disposition"])
    assert from_admin["Content-Type"] == from_staff["Content-Type"]
    staff_file = read(b"".join(from_staff.streaming_content))
    assert read(b"".join(from_admin.streaming_content)) == staff_file
    assert len(staff_file) == 4 and {"伟", "Омар"} <= {cell for row in staff_file for cell in row}
    audited = AuditEntry.objects.filter(action="export").order_by("pk")
    assert [(entry.data["format"], entry.data["columns"], entry.data["rows"]) for entry in audited] == [
        (file_format, exports.DEFAULT_COLUMNS, 3),
        (file_format, exports.DEFAULT_COLUMNS, 3),
    ]
    assert audited[1].data["filters"] == {
        "selected": sorted(event.registrations.values_list("pk", flat=True))
    }


def seated_delegates(event, count: int) -> None:
    """`count` delegates, each with a sub-forum seat and an entrance check-in (every lookup has rows)."""
    room = SubForumFactory(event=event)
    for _ in range(count):
        registration = delegate(event)
        SubForumSeat.objects.create(
            registration=registration, sub_forum=room, state="confirmed", requested_at=local(event, -30, 9)
        )
        CheckIn.objects.create(registration=registration)


@pytest.mark.parametrize("count", [1, 3])
def test_admin_export_queries_are_constant(client, event, django_assert_num_queries, count):
    seated_delegates(event, count)
    client.force_login(staff_member(REGISTRATION_STAFF))
    selected = list(event.registrations.values_list("pk", flat=True))

    # SQLite builds rows in Python (one query a batch each for seats and check-ins); PostgreSQL
    # sends them with one COPY statement, which runs outside Django's query log.
    with django_assert_num_queries({"sqlite": 21, "postgresql": 19}[connection.vendor]):
        response = client.post(
            reverse(CHANGELIST), {"action": "export_selected_csv", "_selected_action": selected}
        )
        rows = parsed_csv(b"".join(response.streaming_content))

    assert len(rows) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_xlsx_export_queries_are_constant(client, event, django_assert_num_queries, count):
    seated_delegates(event, count)
    client.force_login(staff_member(REGISTRATION_STAFF))

    with django_assert_num_queries({"sqlite": 13, "postgresql": 12}[connection.vendor]):
        response = client.post(reverse("staff:export_xlsx", args=[event.slug]))
        rows = xlsx_values(b"".join(response.streaming_content))

    assert len(rows) == count + 1


# A spreadsheet set to split on ";" (or tab) ignores the quotes of a ","-file, so every piece of a
# cell after one of these separators starts a cell of its own.
SPLIT_PAYLOADS = [
    "Advisor;=cmd|' /C calc'!A0;x",
    "Advisor,=cmd|' /C calc'!A0,x",
    "Advisor\t=cmd|' /C calc'!A0",
    "MFA; @SUM(1); +1",
    'x";"=1+1',
    "Line one\n-1+1",
    "a;\t=1",
]
# What must stay as typed: hyphens inside names, separators followed by ordinary text.
ORDINARY = ["Anne-Marie Smith-Jones", "Ministry of Foreign Affairs, Trade; Industry", "No pork - no nuts"]


def pieces(body: str) -> list[str]:
    """Every piece a spreadsheet could make a cell of: the file split on "," ";" tab and line breaks,
    leading spaces and quotes dropped (as a reader that trims them would)."""
    return [piece.lstrip(' "') for piece in re.split(r"[,;\t\r\n]", body.lstrip("\ufeff"))]


@pytest.mark.parametrize("builder", BUILDERS)
def test_no_piece_of_a_csv_cell_starts_a_formula_whichever_separator_splits_it(event, builder):
    room = SubForumFactory(event=event, title="BeiDou; =HYPERLINK(1)")
    for value in [*SPLIT_PAYLOADS, *ORDINARY]:
        registration = delegate(event, profile={"organization": value}, dietary_needs=value)
        SubForumSeat.objects.create(
            registration=registration, sub_forum=room, state="confirmed", requested_at=local(event, -30, 9)
        )
    columns = [exports.COLUMNS_BY_KEY[key] for key in ("organization", "dietary", "sub_forums", "phone")]

    body = b"".join(builder(event, columns, event.registrations.order_by("pk")).csv_chunks()).decode()

    assert [piece for piece in pieces(body) if piece.startswith(("=", "+", "-", "@"))] == []
    rows = parsed_csv(body.encode())[1:]
    assert [row[0] for row in rows] == [
        "Advisor;'=cmd|' /C calc'!A0;x",
        "Advisor,'=cmd|' /C calc'!A0,x",
        "Advisor\t'=cmd|' /C calc'!A0",
        "MFA;' @SUM(1);' +1",
        'x";\'"=1+1',
        "Line one\n'-1+1",
        "a;'\t'=1",
        *ORDINARY,
    ]
    assert [row[1] for row in rows] == [row[0] for row in rows]
    assert {row[2] for row in rows} == {"BeiDou;' =HYPERLINK(1) (Confirmed)"}
    assert {row[3] for row in rows} == {"'+77012345678"}


@pytest.mark.parametrize("builder", BUILDERS)
def test_xlsx_cells_stay_text_whatever_they_hold(event, builder):
    for value in [*SPLIT_PAYLOADS, *PAYLOADS]:
        delegate(event, profile={"organization": value})
    columns = [exports.COLUMNS_BY_KEY["organization"]]

    workbook = exports.xlsx_file(
        builder(event, columns, event.registrations.order_by("pk")), title=event.slug
    )
    body = workbook.read()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row)
    assert [row[0].replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        *SPLIT_PAYLOADS,
        *PAYLOADS,
    ]


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_list_that_matches_nothing_is_a_complete_csv_with_its_header(event, builder):
    delegate(event)
    columns = [exports.COLUMNS_BY_KEY[key] for key in ("given_name_latin", "sub_forums", "checked_in")]

    body = b"".join(builder(event, columns, event.registrations.none()).csv_chunks())

    assert body.decode() == '\ufeff"Given name (Latin)","Sub-forums (seat)","Checked in"\n'


def test_a_valid_filter_that_matches_nobody_exports_the_header_alone(client, event):
    delegate(event)
    client.force_login(staff_member(REGISTRATION_STAFF))

    # A day nobody arrives on gives queryset.none(): PostgreSQL's COPY has no statement to run.
    response = client.post(
        reverse("staff:export_csv", args=[event.slug]), {"arrival_on": "0001-01-01", "col": ["email"]}
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == '\ufeff"Email"\n'
    assert AuditEntry.objects.get(action="export").data["rows"] == 0


@pytest.mark.parametrize("url_name", ["staff:export_csv", "staff:export_xlsx", "staff:badges"])
def test_invalid_filters_give_no_file_but_the_list_saying_what_is_wrong(client, event, url_name):
    delegate(event, status="approved", mode="in_person")
    client.force_login(staff_member(REGISTRATION_STAFF))

    response = client.post(
        reverse(url_name, args=[event.slug]), {"status": "abc", "country": "KZ", "col": ["email"]}
    )
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:registrations", args=[event.slug]) + (
        "?status=abc&country=KZ&col=email"
    )
    assert [str(message) for message in page.context["messages"]] == [
        "No badges were printed: correct the filters below."
        if url_name == "staff:badges"
        else "Nothing was exported: correct the filters below."
    ]
    assert page.context["filter"].errors == {
        "status": ["Select a valid choice. abc is not one of the available choices."]
    }
    assert "Select a valid choice. abc is not one of the available choices." in page.content.decode()
    assert AuditEntry.objects.filter(action__in=["export", "badges_printed"]).count() == 0


def test_a_preset_whose_sub_forum_is_gone_exports_nothing_and_says_so(client, event):
    room = SubForumFactory(event=event)
    delegate(event)
    staff = staff_member(REGISTRATION_STAFF)
    query = f"sub_forum={room.pk}"
    preset = ExportPreset.objects.create(owner=staff, event=event, name="Room", query=query)
    room.delete()
    client.force_login(staff)

    response = client.post(reverse("staff:export_csv", args=[event.slug]), {"preset": preset.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:registrations", args=[event.slug]) + f"?{query}"
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_preset_exports_its_own_filters_and_columns_and_only_for_its_owner(client, event):
    delegate(event, profile={"given_name_latin": "Aigerim", "country": "KZ"})
    delegate(event, profile={"given_name_latin": "Wei", "country": "CN"})
    staff = staff_member(REGISTRATION_STAFF)
    preset = ExportPreset.objects.create(
        owner=staff, event=event, name="Kazakh", query="country=KZ&col=given_name_latin"
    )
    client.force_login(staff)
    url = reverse("staff:export_xlsx", args=[event.slug])

    mine = client.post(url, {"preset": preset.pk, "country": "CN"})  # the preset's filters win
    client.force_login(staff_member(REGISTRATION_STAFF))
    others = [
        client.post(url, {"preset": value}).status_code for value in (preset.pk, "²", "1e3", "99999999999")
    ]

    assert xlsx_values(b"".join(mine.streaming_content)) == [["Given name (Latin)"], ["Aigerim"]]
    assert others == [404, 404, 404, 404]
    assert AuditEntry.objects.get(action="export").data["filters"] == {"country": "KZ"}


@pytest.mark.parametrize("url_name", ["staff:export_csv", "staff:export_xlsx", "staff:badges"])
def test_exports_and_badge_sheets_are_never_made_by_a_get(client, event, url_name):
    delegate(event, status="approved", mode="in_person")
    client.force_login(staff_member(ORGANIZERS))

    response = client.get(reverse(url_name, args=[event.slug]), {"status": "approved"})

    assert response.status_code == 405
    assert AuditEntry.objects.count() == 0


def test_the_list_offers_exports_and_badges_as_forms_carrying_its_filters(client, event):
    delegate(event, profile={"country": "KZ"})
    staff = staff_member(REGISTRATION_STAFF)
    preset = ExportPreset.objects.create(owner=staff, event=event, name="Kazakh", query="country=KZ")
    client.force_login(staff)

    page = client.get(reverse("staff:registrations", args=[event.slug]), {"country": "KZ", "page": "1"})
    html = page.content.decode()
    export_form = html[html.index('<form method="post" class="export-form"') :]
    export_form = export_form[: export_form.index("</form>")]
    preset_form = html[html.index(f'name="preset" value="{preset.pk}"') - 400 :]
    preset_form = preset_form[: preset_form.index("</form>")]

    assert 'name="csrfmiddlewaretoken"' in export_form and 'name="csrfmiddlewaretoken"' in preset_form
    assert '<input type="hidden" name="country" value="KZ">' in export_form
    assert 'name="page"' not in export_form
    assert [
        f'formaction="{reverse(name, args=[event.slug])}"'
        for name in ("staff:export_csv", "staff:export_xlsx", "staff:badges")
        if f'formaction="{reverse(name, args=[event.slug])}"' not in export_form
    ] == []
    assert f'formaction="{reverse("staff:export_xlsx", args=[event.slug])}"' in preset_form
    assert f'href="{reverse("staff:export_csv", args=[event.slug])}' not in html
    assert f'href="{reverse("staff:badges", args=[event.slug])}' not in html


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_of_a_sample_edition_is_named_sample(client, event, file_format):
    event.is_sample = True
    event.save(update_fields=["is_sample"])
    delegate(event)
    client.force_login(staff_member(REGISTRATION_STAFF))

    response = client.post(reverse(f"staff:export_{file_format}", args=[event.slug]))

    filename = rf'attachment; filename="SAMPLE-{event.slug}-registrations-\d{{8}}-\d{{4}}\.{file_format}"'
    assert re.fullmatch(filename, response["Content-Disposition"])
    if file_format == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert workbook.active.title == f"SAMPLE-{event.slug}"[:31]
