"""Delegations where staff look: the list's filter, column and grouping, the exports' column (both
builders), badges, the dashboard's quotas, the desk, and the protocol list with its two files."""

import csv
import io
import re

import openpyxl
import pypdfium2
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from delegates import exports
from delegates.models import AuditEntry
from delegates.roles import REGISTRATION_STAFF

from .factories import (
    DelegationFactory,
    EventFactory,
    ProfileFactory,
    RegistrationFactory,
    open_event,
    staff_member,
)

pytestmark = pytest.mark.django_db
BUILDERS = [
    pytest.param(exports.RowBuilder, id="python"),
    pytest.param(exports.SqlRows, id="sql", marks=pytest.mark.postgres),
]


@pytest.fixture
def event():
    return open_event()


@pytest.fixture
def staff(client):
    """Registration staff, signed in."""
    user = staff_member(REGISTRATION_STAFF)
    client.force_login(user)
    return user


def member(event, delegation=None, *, status="approved", mode="in_person", **profile):
    """A stored registration of a delegate with a profile (the staff pages only read it)."""
    user = ProfileFactory(**profile).user
    return RegistrationFactory(event=event, user=user, delegation=delegation, status=status, mode=mode)


def list_url(**params) -> str:
    """The staff list of the edition "forum" with these filters."""
    query = urlencode(params, doseq=True)
    return reverse("staff:registrations", args=["forum"]) + (f"?{query}" if query else "")


def listed_names(response) -> list[str]:
    """The Latin names of the listed registrations, in the list's order."""
    return [registration.user.profile.name_latin for registration in response.context["page_obj"]]


def offered_delegations(response) -> list[tuple[str, str]]:
    """The delegation filter's options as the page draws them (value, label), the empty one left out."""
    select = response.content.decode().split('name="delegation"')[1].split("</select>")[0]
    return [
        option for option in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select) if option[0]
    ]


def csv_rows(response) -> list[list[str]]:
    """A streamed CSV parsed back, header included."""
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The cells of an XLSX file, blanks as ""."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


def pdf_text(pdf: bytes) -> str:
    """The text layer of a PDF, pages in order."""
    return "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))


def in_language(client, language: str) -> None:
    """Make the client's next pages come in this language."""
    client.cookies["django_language"] = language


@pytest.fixture
def delegations(event):
    """Three delegations: Kazakhstan and China share protocol order 1, Tajikistan (0) comes first."""
    return {
        "KZ": DelegationFactory(
            event=event, name_en="Kazakhstan", name_ru="Казахстан", country="KZ", protocol_order=1
        ),
        "CN": DelegationFactory(
            event=event, name_en="China", name_ru="Китай", country="CN", protocol_order=1
        ),
        "TJ": DelegationFactory(event=event, name_en="Tajikistan", country="TJ", protocol_order=0),
    }


# --- The staff list -------------------------------------------------------------------------------


def test_the_list_filters_by_delegation_or_by_none(client, event, staff, delegations):
    member(event, delegations["KZ"], given_name_latin="Aigerim")
    member(event, delegations["CN"], given_name_latin="Wei")
    member(event, given_name_latin="Olga")

    assert listed_names(client.get(list_url(delegation=delegations["KZ"].pk))) == ["Aigerim Delegate"]
    assert listed_names(client.get(list_url(delegation="none"))) == ["Olga Delegate"]


def test_the_delegation_filter_offers_the_editions_delegations_in_protocol_order(
    client, event, staff, delegations
):
    DelegationFactory(name_en="Elsewhere")  # another edition's

    english = offered_delegations(client.get(list_url()))
    in_language(client, "ru")
    russian = offered_delegations(client.get(list_url()))

    pk = {code: str(delegation.pk) for code, delegation in delegations.items()}
    assert english == [
        (pk["TJ"], "Tajikistan"),
        (pk["CN"], "China"),
        (pk["KZ"], "Kazakhstan"),
        ("none", "No delegation"),
    ]
    # Kazakhstan comes before China in Russian; Tajikistan has no Russian name and shows the English one.
    assert russian == [
        (pk["TJ"], "Tajikistan"),
        (pk["KZ"], "Казахстан"),
        (pk["CN"], "Китай"),
        ("none", "Без делегации"),
    ]


def test_another_editions_delegation_is_refused_and_lists_nobody(client, event, staff, delegations):
    member(event, delegations["KZ"])
    elsewhere = DelegationFactory(event=EventFactory())

    response = client.get(list_url(delegation=elsewhere.pk))

    assert list(response.context["page_obj"]) == []
    assert "delegation" in response.context["filter"].form.errors


def test_the_list_shows_each_delegation_in_the_readers_language(client, event, staff, delegations):
    member(event, delegations["KZ"])
    member(event, delegations["TJ"])

    in_language(client, "ru")
    html = client.get(list_url()).content.decode()

    assert '<th scope="col">Делегация</th>' in html
    assert "<td>Казахстан</td>" in html and "<td>Tajikistan</td>" in html


def test_sorting_by_delegation_groups_members_in_protocol_order_then_by_name(
    client, event, staff, delegations
):
    member(event, given_name_latin="Olga", family_name_latin="Alieva")
    member(event, delegations["KZ"], given_name_latin="Nurlan", family_name_latin="Sadykov")
    member(event, delegations["KZ"], given_name_latin="Aigerim", family_name_latin="Bekova")
    member(event, delegations["CN"], given_name_latin="Wei", family_name_latin="Zhang")
    member(event, delegations["TJ"], given_name_latin="Rustam", family_name_latin="Karimov")

    response = client.get(list_url(sort="delegation"))

    assert listed_names(response) == [
        "Rustam Karimov",
        "Wei Zhang",
        "Aigerim Bekova",
        "Nurlan Sadykov",
        "Olga Alieva",
    ]
    groups = [
        line.strip()
        for line in response.content.decode().split('<tr class="table-secondary delegation-group">')[1:]
    ]
    assert [group.split("<th", 1)[1].split(">", 1)[1].split("</th>")[0].strip() for group in groups] == [
        "Tajikistan",
        "China",
        "Kazakhstan",
        "No delegation",
    ]


def test_a_preset_keeps_its_delegation_for_the_list_and_the_export(client, event, staff, delegations):
    member(event, delegations["KZ"], given_name_latin="Aigerim")
    member(event, delegations["CN"], given_name_latin="Wei")
    query = urlencode(
        {"delegation": delegations["KZ"].pk, "col": ["given_name_latin", "delegation"]}, doseq=True
    )
    client.post(reverse("staff:save_preset", args=["forum"]), {"name": "Kazakhstan", "query": query})
    [preset] = staff.export_presets.all()

    rows = csv_rows(client.post(reverse("staff:export_csv", args=["forum"]), {"preset": preset.pk}))

    assert rows == [["Given name (Latin)", "Delegation"], ["Aigerim", "Kazakhstan"]]
    assert listed_names(client.get(f"{list_url()}?{preset.query}")) == ["Aigerim Delegate"]


# --- Exports --------------------------------------------------------------------------------------


def display_rows(builder, event, keys) -> list[list[str]]:
    """The rows a builder makes for these columns, as lists of strings."""
    columns = [exports.COLUMNS_BY_KEY[key] for key in keys]
    return [list(row) for row in builder(event, columns, event.registrations.order_by("pk")).rows()]


@pytest.mark.parametrize("builder", BUILDERS)
def test_the_delegation_column_names_it_in_the_readers_language_else_english(event, delegations, builder):
    member(event, delegations["KZ"], given_name_latin="Aigerim")
    member(event, delegations["TJ"], given_name_latin="Rustam")
    member(event, given_name_latin="Olga")
    keys = ["given_name_latin", "delegation"]

    english = display_rows(builder, event, keys)
    with translation.override("ru"):
        russian = display_rows(builder, event, keys)

    assert english == [["Aigerim", "Kazakhstan"], ["Rustam", "Tajikistan"], ["Olga", ""]]
    assert russian == [["Aigerim", "Казахстан"], ["Rustam", "Tajikistan"], ["Olga", ""]]


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_delegation_name_never_reads_as_a_formula_in_csv(event, builder):
    member(
        event, DelegationFactory(event=event, name_en='=HYPERLINK("http://x.example")', name_ru="+1;@SUM(1)")
    )
    columns = [exports.COLUMNS_BY_KEY["delegation"]]

    english = b"".join(builder(event, columns, event.registrations.all()).csv_chunks()).decode()
    with translation.override("ru"):
        russian = b"".join(builder(event, columns, event.registrations.all()).csv_chunks()).decode()

    assert list(csv.reader(io.StringIO(english[1:]))) == [
        ["Delegation"],
        ['\'=HYPERLINK("http://x.example")'],
    ]
    assert list(csv.reader(io.StringIO(russian[1:]))) == [["Делегация"], ["'+1;'@SUM(1)"]]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_export_the_delegation_column_by_default_in_their_language(
    client, event, staff, delegations, file_format
):
    member(event, delegations["KZ"], family_name_latin="Bekova")
    member(event, delegations["CN"], family_name_latin="Zhang")
    in_language(client, "ru")

    response = client.post(
        reverse(f"staff:export_{file_format}", args=["forum"]), {"delegation": delegations["KZ"].pk}
    )

    rows = csv_rows(response) if file_format == "csv" else xlsx_rows(response.getvalue())
    header = rows[0]
    assert "delegation" in exports.DEFAULT_COLUMNS
    assert [row[header.index("Делегация")] for row in rows[1:]] == ["Казахстан"]
    assert [row[header.index("Фамилия (латиницей)")] for row in rows[1:]] == ["Bekova"]
    assert AuditEntry.objects.get(action="export").data["filters"] == {
        "delegation": str(delegations["KZ"].pk)
    }


# --- Badges ---------------------------------------------------------------------------------------


def test_the_badge_sheet_prints_one_delegation_with_its_name(client, event, staff, delegations):
    member(event, delegations["KZ"], given_name_latin="Aigerim")
    member(event, delegations["CN"], given_name_latin="Wei")
    in_language(client, "ru")

    response = client.post(reverse("staff:badges", args=["forum"]), {"delegation": delegations["KZ"].pk})

    text = pdf_text(response.content)
    assert "Aigerim" in text and "Казахстан" in text
    assert "Wei" not in text and "Китай" not in text
    assert AuditEntry.objects.get(action="badges_printed").data["count"] == 1


def test_a_delegates_own_badge_names_the_delegation_in_the_badges_language(client, event, delegations):
    registration = member(event, delegations["KZ"])
    client.force_login(registration.user)

    english = pdf_text(client.get(reverse("delegates:badge", args=["forum"])).content)
    in_language(client, "ru")
    russian = pdf_text(client.get(reverse("delegates:badge", args=["forum"])).content)

    assert "Kazakhstan" in english and "Казахстан" not in english
    assert "Казахстан" in russian


# --- Dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_counts_seats_per_delegation_against_its_quotas(client, event, staff, delegations):
    kazakhstan = delegations["KZ"]
    kazakhstan.quota_in_person, kazakhstan.quota_online = 2, 1
    kazakhstan.save()
    member(event, kazakhstan)
    member(event, kazakhstan, status="pending")
    member(event, kazakhstan, mode="online")
    member(event, kazakhstan, status="waitlisted")
    member(event, kazakhstan, status="cancelled")
    member(event, delegations["CN"], mode="online")
    member(event)

    rows = client.get(reverse("staff:dashboard", args=["forum"])).context["by_delegation"]

    assert [
        (
            row["label"],
            row["in_person"],
            row["quota_in_person"],
            row["online"],
            row["quota_online"],
            row["waiting"],
        )
        for row in rows
    ] == [
        ("Tajikistan", 0, "∞", 0, "∞", 0),
        ("China", 0, "∞", 1, "∞", 0),
        ("Kazakhstan", 2, "2", 1, "1", 1),
        ("No delegation", 1, "", 0, "", 0),
    ]
    assert [row["over_quota"] for row in rows] == [False, False, False, False]


def test_the_dashboard_says_when_a_delegation_holds_more_than_its_quota(client, event, staff, delegations):
    member(event, delegations["CN"])
    member(event, delegations["CN"])
    delegations["CN"].quota_in_person = 1
    delegations["CN"].save()

    html = client.get(reverse("staff:dashboard", args=["forum"])).content.decode()

    china = html.split(f'?delegation={delegations["CN"].pk}&amp;sort=name">China</a>')[1].split("</th>")[0]
    assert "over quota" in china


def test_the_dashboard_shows_the_figures_of_one_delegation(client, event, staff, delegations):
    member(event, delegations["KZ"], status="pending")
    member(event, delegations["KZ"], mode="online")
    member(event, delegations["CN"])
    member(event)
    url = reverse("staff:dashboard", args=["forum"])

    everyone = client.get(url).context
    kazakhstan = client.get(url, {"delegation": delegations["KZ"].pk})

    assert (everyone["total"], everyone["delegation"]) == (4, None)
    assert (kazakhstan.context["total"], kazakhstan.context["delegation"]) == (2, delegations["KZ"])
    assert {row["label"]: row["count"] for row in kazakhstan.context["by_mode"]} == {
        "In person": 1,
        "Online": 1,
    }
    assert f'<option value="{delegations["KZ"].pk}" selected>' in kazakhstan.content.decode()
    # Another edition's delegation, or anything that is not a delegation's number, is not found.
    other = DelegationFactory()
    for wanted in [other.pk, "abc", "²"]:
        assert client.get(url, {"delegation": wanted}).status_code == 404


def test_the_dashboard_has_no_delegation_table_for_an_edition_without_delegations(client, event, staff):
    member(event)

    response = client.get(reverse("staff:dashboard", args=["forum"]))

    assert response.context["by_delegation"] == []
    assert "delegations-heading" not in response.content.decode()


# --- The desk -------------------------------------------------------------------------------------


def test_the_desk_shows_the_persons_delegation(client, event, delegations):
    registration = member(event, delegations["KZ"], given_name_latin="Aigerim")
    client.force_login(staff_member(REGISTRATION_STAFF))
    desk = reverse("staff:check_in", args=["forum"])

    answer = client.post(desk, {"token": registration.badge_token}, HTTP_ACCEPT="application/json").json()
    in_language(client, "ru")
    page = client.post(desk, {"token": registration.badge_token}).content.decode()
    search = client.get(desk, {"q": "Aigerim"}).content.decode()

    assert (answer["admitted"], answer["person"]["delegation"]) == (True, "Kazakhstan")
    assert answer["person"]["delegation_line"] == "Delegation: Kazakhstan"  # labelled, beside the country
    assert "Делегация: Казахстан" in page.split("data-outcome")[1].split("</div>")[0]
    assert "Делегация: Казахстан" in search.split('class="list-group search-results"')[1]


def test_the_desk_shows_no_delegation_for_a_person_of_none(client, event):
    registration = member(event)
    client.force_login(staff_member(REGISTRATION_STAFF))

    answer = client.post(
        reverse("staff:check_in", args=["forum"]),
        {"token": registration.badge_token},
        HTTP_ACCEPT="application/json",
    ).json()

    assert (answer["admitted"], answer["person"]["delegation"]) == (True, "")


# --- The protocol list ----------------------------------------------------------------------------


@pytest.fixture
def protocol_world(event, delegations):
    """Kazakhstan's head is a Mr; its other members cover every honorific; people of no seat are left out."""
    kazakhstan = delegations["KZ"]
    head = member(event, kazakhstan, honorific="mr", given_name_latin="Yerlan", family_name_latin="Zhaksybek")
    kazakhstan.head = head
    kazakhstan.save()
    member(event, kazakhstan, honorific="", given_name_latin="Aliya", family_name_latin="Abenova")
    member(event, kazakhstan, honorific="ms", given_name_latin="Dana", family_name_latin="Bekova")
    member(event, kazakhstan, honorific="mr", given_name_latin="Arman", family_name_latin="Sadykov")
    member(event, kazakhstan, honorific="prof", given_name_latin="Marat", family_name_latin="Omarov")
    member(
        event,
        kazakhstan,
        honorific="dr",
        given_name_latin="Saule",
        family_name_latin="Nurova",
        status="pending",
    )
    member(event, kazakhstan, honorific="he", given_name_latin="Murat", family_name_latin="Tileu")
    member(event, kazakhstan, honorific="he", given_name_latin="Askar", family_name_latin="Tileu")
    member(
        event,
        kazakhstan,
        honorific="he",
        given_name_latin="Gone",
        family_name_latin="Away",
        status="cancelled",
    )
    member(
        event,
        kazakhstan,
        honorific="he",
        given_name_latin="Wait",
        family_name_latin="Ing",
        status="waitlisted",
    )
    member(
        event,
        delegations["CN"],
        honorific="he",
        given_name_latin="Wei",
        family_name_latin="Zhang",
        mode="online",
    )
    member(event, honorific="he", given_name_latin="No", family_name_latin="Delegation")
    return delegations


KAZAKH_ORDER = [
    "Yerlan Zhaksybek",  # the head, whatever his honorific
    "Askar Tileu",  # H.E., by family then given name
    "Murat Tileu",
    "Saule Nurova",  # Dr (pending approval: still holds a seat)
    "Marat Omarov",  # Prof.
    "Arman Sadykov",  # Mr
    "Dana Bekova",  # Ms
    "Aliya Abenova",  # no honorific
]


def test_the_protocol_page_lists_delegations_and_members_in_protocol_order(
    client, event, staff, protocol_world
):
    response = client.get(reverse("staff:protocol", args=["forum"]))

    entries = response.context["entries"]
    assert [entry.delegation.name for entry in entries] == ["Tajikistan", "China", "Kazakhstan"]
    assert [[member.profile.name_latin for member in entry.members] for entry in entries] == [
        [],
        ["Wei Zhang"],
        KAZAKH_ORDER,
    ]
    assert [member.is_head for member in entries[2].members] == [True] + [False] * 7
    html = response.content.decode()
    assert html.index("Yerlan Zhaksybek") < html.index("Askar Tileu") < html.index("Aliya Abenova")
    assert "Nobody of this delegation holds a seat yet." in html


def test_protocol_ties_go_by_country_name_in_the_readers_language(client, event, staff, protocol_world):
    in_language(client, "ru")

    entries = client.get(reverse("staff:protocol", args=["forum"])).context["entries"]

    assert [entry.delegation.name for entry in entries] == ["Tajikistan", "Казахстан", "Китай"]


def test_the_protocol_xlsx_reads_back_in_protocol_order_and_is_audited(client, event, staff, protocol_world):
    response = client.post(reverse("staff:protocol_xlsx", args=["forum"]))

    assert response["Content-Disposition"] == 'attachment; filename="forum-protocol.xlsx"'
    rows = xlsx_rows(response.getvalue())
    assert rows[1] == [
        "№",
        "Role",
        "Honorific",
        "Name (Latin letters)",
        "Name (native script)",
        "Position",
        "Organization",
        "Attendance",
        "Status",
    ]
    assert [row[0] for row in rows[2:] if not row[1:] or not any(row[1:])] == [
        "Tajikistan",
        "China",
        "Kazakhstan",
    ]
    kazakh = rows[rows.index(["Kazakhstan"] + [""] * 8) + 1 :]
    assert [row[3] for row in kazakh] == KAZAKH_ORDER
    assert kazakh[0][:3] == ["1", "Head of delegation", "Mr"]
    assert kazakh[3][2:] == [
        "Dr",
        "Saule Nurova",
        "",
        "Counsellor",
        "Ministry of Foreign Affairs",
        "In person",
        "Pending approval",
    ]
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.data["format"], entry.data["filters"], entry.data["rows"]) == (
        staff,
        "xlsx",
        {"list": "protocol"},
        9,
    )


def test_the_protocol_pdf_prints_in_the_readers_language(client, event, staff, protocol_world):
    in_language(client, "ru")

    response = client.post(reverse("staff:protocol_pdf", args=["forum"]))

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Протокольный список" in text and "Глава делегации" in text
    assert text.index("Tajikistan") < text.index("Казахстан") < text.index("Китай")
    positions = [text.index(name) for name in KAZAKH_ORDER]
    assert positions == sorted(positions)
    assert "Gone Away" not in text and "Wait Ing" not in text and "No Delegation" not in text
    assert AuditEntry.objects.get(action="export").data["format"] == "pdf"


def test_the_protocol_files_are_never_made_by_a_get(client, event, staff):
    for name in ["staff:protocol_xlsx", "staff:protocol_pdf"]:
        assert client.get(reverse(name, args=["forum"])).status_code == 405
    assert not AuditEntry.objects.exists()


def test_delegates_do_not_find_the_protocol_list(client, event, delegations):
    client.force_login(member(event, delegations["KZ"]).user)

    for name in ["staff:protocol", "staff:protocol_xlsx", "staff:protocol_pdf"]:
        assert client.post(reverse(name, args=["forum"])).status_code == 404
