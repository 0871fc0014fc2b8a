"""The staff area: the registrations list, exports (CSV, XLSX), presets, and who may use them."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from delegates import services
from delegates.models import AuditEntry, CheckIn, ExportPreset
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import (
    ProfileFactory,
    SubForumFactory,
    UserFactory,
    open_event,
    registration_data,
    staff_member,
)

pytestmark = pytest.mark.django_db
PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\tTAB", "\rCR", "\nLF", '=HYPERLINK("http://x.example","y")']


@pytest.fixture
def event():
    return open_event()


def register(event, *, country="KZ", mode="online", sub_forums=(), **profile):
    """A delegate with a profile registers through the service."""
    user = ProfileFactory(country=country, **profile).user
    data = registration_data(mode=mode)
    if mode == "in_person":
        arrival = datetime.datetime.combine(
            event.start_on - datetime.timedelta(days=1), datetime.time(15), tzinfo=event.tz
        )
        data = data.replace(
            arrival_at=arrival, departure_at=arrival + datetime.timedelta(days=4), flight="KC 891"
        )
    return services.submit_registration(event=event, user=user, details=data, sub_forums=list(sub_forums))


def list_url(**params):
    from django.utils.http import urlencode

    return reverse("staff:registrations", args=["forum"]) + (
        "?" + urlencode(params, doseq=True) if params else ""
    )


def csv_rows(response):
    """The CSV body parsed back, header included."""
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_staff_area_is_404_for_delegates_and_sign_in_for_anonymous(client, event):
    urls = [
        reverse("staff:home"),
        list_url(),
        reverse("staff:export_csv", args=["forum"]),
        reverse("staff:export_xlsx", args=["forum"]),
    ]
    for url in urls:
        assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(ProfileFactory().user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("staff:save_preset", args=["forum"]), {"name": "x"}).status_code == 404


def test_staff_list_filters_search_and_sorts(client, event):
    room = SubForumFactory(event=event, title="BeiDou")
    aigerim = register(
        event,
        country="KZ",
        mode="in_person",
        sub_forums=[room],
        given_name_latin="Aigerim",
        family_name_latin="Bekova",
        given_name_native="Айгерим",
        family_name_native="Бекова",
    )
    wei = register(
        event,
        country="CN",
        given_name_latin="Wei",
        family_name_latin="Zhang",
        given_name_native="伟",
        family_name_native="张",
    )
    dilnoza = register(
        event, country="UZ", mode="in_person", given_name_latin="Dilnoza", family_name_latin="Aliyeva"
    )
    CheckIn.objects.create(registration=dilnoza)
    client.force_login(staff_member(REGISTRATION_STAFF))

    def names(**params):
        page = client.get(list_url(**params)).context["page_obj"]
        return [r.user.profile.given_name_latin for r in page]

    assert names(country="KZ") == ["Aigerim"]
    assert names(mode="in_person", sort="name") == ["Dilnoza", "Aigerim"]
    assert names(sub_forum=room.pk) == ["Aigerim"]
    assert names(q="Бекова") == ["Aigerim"]
    assert names(q="张") == ["Wei"]
    assert names(checked_in="yes") == ["Dilnoza"]
    assert sorted(names(checked_in="no")) == ["Aigerim", "Wei"]
    assert names(arrival_on=(event.start_on - datetime.timedelta(days=1)).isoformat(), sort="name") == [
        "Dilnoza",
        "Aigerim",
    ]
    assert names(sort="name") == ["Dilnoza", "Aigerim", "Wei"]
    assert wei.pk and aigerim.pk


@pytest.mark.parametrize("count", [1, 3])
def test_staff_list_queries_are_constant(client, event, django_assert_num_queries, count):
    room = SubForumFactory(event=event)
    for _ in range(count):
        registration = register(event, mode="in_person", sub_forums=[room])
        CheckIn.objects.create(registration=registration)
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(14):  # the delegation filter's choices are one of them
        response = client.get(list_url())
    assert len(response.context["page_obj"]) == count


def test_csv_export_is_exactly_the_filtered_list_with_scripts_intact(client, event):
    room = SubForumFactory(event=event, title="BeiDou")
    register(
        event,
        country="KZ",
        mode="in_person",
        sub_forums=[room],
        given_name_latin="Aigerim",
        family_name_latin="Bekova",
        given_name_native="Айгерим",
        family_name_native="Бекова",
    )
    register(
        event,
        country="CN",
        given_name_latin="Wei",
        family_name_latin="Zhang",
        given_name_native="伟",
        family_name_native="张",
    )
    register(
        event,
        country="AE",
        given_name_latin="Omar",
        family_name_latin="Haddad",
        given_name_native="عمر",
        family_name_native="حداد",
    )
    client.force_login(staff_member(REGISTRATION_STAFF))

    response = client.post(
        reverse("staff:export_csv", args=["forum"]),
        {
            "mode": "online",
            "sort": "name",
            "col": ["family_name_latin", "family_name_native", "given_name_native", "country", "sub_forums"],
        },
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_rows(response) == [
        [
            "Family name (Latin)",
            "Family name (native)",
            "Given name (native)",
            "Country",
            "Sub-forums (seat)",
        ],
        ["Haddad", "حداد", "عمر", "United Arab Emirates", ""],
        ["Zhang", "张", "伟", "China", ""],
    ]
    everyone = csv_rows(
        client.post(
            reverse("staff:export_csv", args=["forum"]),
            {"sort": "name", "col": ["given_name_latin", "sub_forums", "arrival"]},
        )
    )
    arrival = f"{event.start_on - datetime.timedelta(days=1):%Y-%m-%d} 15:00"
    assert everyone[1:] == [["Aigerim", "BeiDou (Confirmed)", arrival], ["Omar", "", ""], ["Wei", "", ""]]


def test_exports_neutralise_formulas_and_keep_phones_as_text(client, event):
    for payload in PAYLOADS:
        register(event, organization=payload, phone="+77012345678")
    client.force_login(staff_member(REGISTRATION_STAFF))
    params = {"col": ["organization", "phone"], "sort": "registered"}

    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), params))[1:]
    assert [row[0] for row in rows] == ["'" + payload for payload in PAYLOADS]
    assert {row[1] for row in rows} == {"'+77012345678"}

    response = client.post(reverse("staff:export_xlsx", args=["forum"]), params)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
    # XLSX stores a carriage return as _x000D_, which openpyxl leaves escaped in inline strings.
    assert [
        row[0].replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2, values_only=True)
    ] == PAYLOADS
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"+77012345678"}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B9"


def test_xlsx_export_reads_back_to_the_same_rows_as_csv(client, event):
    for name in ("Aigerim", "Wei", "Омар"):
        register(event, given_name_native=name)
    client.force_login(staff_member(REGISTRATION_STAFF))
    params = {"sort": "registered"}
    csv_body = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), params))
    response = client.post(reverse("staff:export_xlsx", args=["forum"]), params)
    assert response["Content-Disposition"].startswith('attachment; filename="forum-registrations-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    xlsx_body = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    unescaped = [[cell[1:] if cell.startswith("'+") else cell for cell in row] for row in csv_body]
    assert xlsx_body == unescaped
    assert len(xlsx_body) == 4 and {"Aigerim", "Wei", "Омар"} <= {cell for row in xlsx_body for cell in row}


def test_passport_columns_only_for_organizers(client, event):
    registration = register(event)
    registration.wants_visa_letter = True
    registration.passport_number = "N12345678"
    registration.save()
    params = {"col": ["given_name_latin", "passport_number"]}
    client.force_login(staff_member(REGISTRATION_STAFF))
    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), params))
    assert rows[0] == ["Given name (Latin)"]
    assert "N12345678" not in str(rows)
    assert "passport_number" not in client.get(list_url()).content.decode()
    client.force_login(staff_member(ORGANIZERS))
    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), params))
    assert rows[0] == ["Given name (Latin)", "Passport number"] and rows[1][1] == "N12345678"


def test_every_export_is_audited(client, event):
    register(event, country="KZ")
    register(event, country="CN")
    staff = staff_member(REGISTRATION_STAFF)
    client.force_login(staff)
    b"".join(
        client.post(
            reverse("staff:export_xlsx", args=["forum"]), {"country": "KZ", "col": ["email"]}
        ).streaming_content
    )
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.event) == (staff, event)
    assert entry.data == {"format": "xlsx", "filters": {"country": "KZ"}, "columns": ["email"], "rows": 1}


@pytest.mark.parametrize("count", [1, 3])
def test_export_queries_are_constant(client, event, django_assert_num_queries, count):
    room = SubForumFactory(event=event)
    for _ in range(count):
        register(event, sub_forums=[room])
    client.force_login(staff_member(REGISTRATION_STAFF))
    # SQLite builds rows in Python (+1 query a batch for seats, +1 for check-ins); PostgreSQL
    # sends them with one COPY statement, which runs outside Django's query log.
    with django_assert_num_queries({"sqlite": 13, "postgresql": 10}[connection.vendor]):
        rows = csv_rows(
            client.post(
                reverse("staff:export_csv", args=["forum"]), {"col": ["email", "sub_forums", "checked_in"]}
            )
        )
    assert len(rows) == count + 1


def test_presets_save_and_rerun_the_same_rows(client, event):
    register(event, country="KZ", given_name_latin="Aigerim")
    register(event, country="CN", given_name_latin="Wei")
    staff = staff_member(REGISTRATION_STAFF)
    client.force_login(staff)
    query = "country=KZ&col=given_name_latin&col=email"
    client.post(reverse("staff:save_preset", args=["forum"]), {"name": "Kazakh delegation", "query": query})
    preset = ExportPreset.objects.get(owner=staff)
    page = client.get(list_url()).content.decode()
    assert "Kazakh delegation" in page
    rerun = client.get(reverse("staff:registrations", args=["forum"]) + "?" + preset.query)
    assert [r.user.profile.given_name_latin for r in rerun.context["page_obj"]] == ["Aigerim"]
    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), {"preset": preset.pk}))
    assert [row[0] for row in rows[1:]] == ["Aigerim"]
    other = staff_member(REGISTRATION_STAFF)
    client.force_login(other)
    assert "Kazakh delegation" not in client.get(list_url()).content.decode()
    assert client.post(reverse("staff:delete_preset", args=["forum", preset.pk])).status_code == 404
    assert ExportPreset.objects.count() == 1


def test_staff_cannot_change_the_programme(client, event):
    client.force_login(staff_member(REGISTRATION_STAFF))
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), {"theme": "Changed"})
    assert response.status_code == 403
    assert type(event).objects.get(pk=event.pk).theme == event.theme
    assert UserFactory  # the factory module is shared with the other staff tests


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "notadate"])
def test_odd_arrival_days_are_not_errors(client, event, value):
    register(event, mode="in_person")
    client.force_login(staff_member(REGISTRATION_STAFF))
    assert client.get(list_url(arrival_on=value)).status_code == 200
    assert client.post(reverse("staff:export_csv", args=["forum"]), {"arrival_on": value}).status_code == (
        302 if value == "notadate" else 200
    )


def test_unknown_columns_export_the_default_columns(client, event):
    register(event)
    client.force_login(staff_member(REGISTRATION_STAFF))
    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), {"col": "evil"}))
    assert rows[0][:2] == ["Family name (Latin)", "Given name (Latin)"]
    assert len(rows) == 2


@pytest.mark.postgres
def test_search_ignores_case_in_cyrillic_on_postgresql(client, event):
    register(event, given_name_native="Айгерим", family_name_native="Бекова")
    client.force_login(staff_member(REGISTRATION_STAFF))
    assert len(client.get(list_url(q="бекова")).context["page_obj"]) == 1


@pytest.mark.postgres
def test_sql_rows_equal_python_rows_for_every_column(event):
    from delegates import exports

    room = SubForumFactory(event=event, title="=BeiDou")
    first = register(
        event, country="KZ", mode="in_person", sub_forums=[room], honorific="he", organization="@org"
    )
    register(event, country="CN", given_name_native="伟", family_name_native="张")
    first.wants_visa_letter = True
    first.passport_number = "N1234567"
    first.passport_nationality = "KZ"
    first.passport_birth_date = datetime.date(1980, 5, 4)
    first.passport_expires_on = datetime.date(2035, 1, 2)
    first.save()
    CheckIn.objects.create(registration=first)
    columns = exports.allowed_columns(may_see_passports=True)
    queryset = event.registrations.order_by("pk")

    python_body = b"".join(exports.RowBuilder(event, columns, queryset).csv_chunks()).decode("utf-8")
    sql_body = b"".join(exports.SqlRows(event, columns, queryset).csv_chunks()).decode("utf-8")

    assert sql_body == python_body
    python_rows = list(csv.reader(io.StringIO(python_body.lstrip("\ufeff"))))[1:]
    assert python_rows[0][columns.index(exports.COLUMNS_BY_KEY["sub_forums"])] == "'=BeiDou (Confirmed)"


def test_every_staff_url_is_404_for_a_delegate_and_the_programme_is_read_only_for_staff(client, event):
    registration = register(event)
    preset = ExportPreset.objects.create(
        owner=staff_member(REGISTRATION_STAFF), event=event, name="p", query=""
    )
    urls = [
        reverse("staff:home"),
        reverse("staff:registrations", args=["forum"]),
        reverse("staff:export_csv", args=["forum"]),
        reverse("staff:export_xlsx", args=["forum"]),
        reverse("staff:badges", args=["forum"]),
        reverse("staff:dashboard", args=["forum"]),
        reverse("staff:check_in", args=["forum"]),
        reverse("staff:check_in_counts", args=["forum"]),
        reverse("staff:import", args=["forum"]),
        reverse("staff:import_template", args=["forum"]),
    ]
    client.force_login(registration.user)
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    for url in [
        reverse("staff:save_preset", args=["forum"]),
        reverse("staff:delete_preset", args=["forum", preset.pk]),
    ]:
        assert client.post(url, {"name": "x"}).status_code == 404


def test_reissue_action_revokes_the_old_badge(client, event):
    registration = register(event)
    old = registration.badge_token
    client.force_login(staff_member(ORGANIZERS))
    client.post(
        reverse("admin:delegates_registration_changelist"),
        {"action": "reissue_badges", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert registration.badge_token != old
    assert AuditEntry.objects.filter(action="badge_reissued", registration=registration).count() == 1


def test_csv_cells_are_all_quoted_and_guarded_so_semicolon_excel_cannot_split_out_a_formula(client, event):
    register(event, organization="MFA;=1+1;@SUM(1)")
    client.force_login(staff_member(REGISTRATION_STAFF))
    body = b"".join(
        client.post(reverse("staff:export_csv", args=["forum"]), {"col": ["organization"]}).streaming_content
    ).decode("utf-8")
    assert body == '\ufeff"Organization"\n"MFA;\'=1+1;\'@SUM(1)"\n'


def test_arrival_day_is_the_editions_local_day(client, event):
    early = register(event, mode="in_person")
    local = datetime.datetime.combine(
        event.start_on - datetime.timedelta(days=1), datetime.time(2), tzinfo=event.tz
    )
    early.arrival_at = local  # 02:00 in Lanzhou is still the day before in UTC
    early.save()
    client.force_login(staff_member(REGISTRATION_STAFF))
    page = client.get(list_url(arrival_on=local.date().isoformat())).context["page_obj"]
    assert [r.pk for r in page] == [early.pk]
