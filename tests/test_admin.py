import datetime
import io
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.models import Appearance, Document, Event, EventRole, Exhibit, SubForum

from .factories import (
    AppearanceFactory,
    DocumentFactory,
    EventFactory,
    EventRoleFactory,
    ExhibitFactory,
    OrganizationFactory,
    SectorFactory,
    SpeakerFactory,
    SubForumFactory,
    staff_member,
    superuser,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CHANGELIST = "admin:events_event_changelist"
CLONE_OPTION = '<option value="clone_selected">'


def _superuser():
    return superuser()


def _staff_in(group_name):
    user = staff_member(group_name)
    return user


def _at(day, hour, minute=0):
    """A moment in Lanzhou's local time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def _local(moment):
    """(date, time) of a moment as read on a clock in Lanzhou."""
    local = moment.astimezone(SHANGHAI)
    return local.date(), local.time()


@pytest.fixture
def source():
    """A published edition with hosts, two sub-forums with speakers, and two exhibits."""
    event = EventFactory(
        slug="eighth-forum",
        edition_number=8,
        start_on=datetime.date(2031, 10, 15),
        end_on=datetime.date(2031, 10, 17),
        registration_opens_at=_at(datetime.date(2031, 6, 1), 9, 30),
        registration_closes_at=_at(datetime.date(2031, 10, 1), 18, 0),
    )
    EventRoleFactory(event=event, role=EventRole.Role.HOST, order=1)
    EventRoleFactory(event=event, role=EventRole.Role.PARTNER, order=2)
    opening = SubForumFactory(
        event=event,
        slug="opening",
        starts_at=_at(event.start_on, 9, 0),
        ends_at=_at(event.start_on, 10, 30),
    )
    # Late on the last day: 15:00 UTC, still the last day in Lanzhou.
    closing = SubForumFactory(
        event=event,
        slug="closing",
        starts_at=_at(event.end_on, 23, 0),
        ends_at=_at(event.end_on, 23, 45),
    )
    keynote = SpeakerFactory()
    panelist = SpeakerFactory()
    AppearanceFactory(sub_forum=opening, speaker=keynote, role=Appearance.Role.KEYNOTE)
    AppearanceFactory(sub_forum=opening, speaker=panelist, role=Appearance.Role.PANELIST)
    AppearanceFactory(sub_forum=closing, speaker=keynote, role=Appearance.Role.MODERATOR)
    navigation = SectorFactory(slug="navigation")
    energy = SectorFactory(slug="energy")
    ExhibitFactory(event=event, slug="beidou", sectors=[navigation, energy], countries_served=["KZ", "UZ"])
    ExhibitFactory(event=event, slug="solar", sectors=[energy], countries_served=["TJ"])
    return event


def _snapshot(event):
    """Everything the clone copies, keyed so a copy and its source compare equal."""
    event.refresh_from_db()
    return {
        "fields": (
            event.slug,
            event.edition_number,
            event.status,
            event.start_on,
            event.end_on,
            event.registration_opens_at,
            event.registration_closes_at,
        ),
        "roles": {(r.organization_id, r.role, r.order) for r in event.roles.all()},
        "sub_forums": {(s.slug, s.starts_at, s.ends_at) for s in event.sub_forums.all()},
        "appearances": {
            (a.sub_forum.slug, a.speaker_id, a.role)
            for a in Appearance.objects.filter(sub_forum__event=event).select_related("sub_forum")
        },
        "exhibits": {
            (
                e.slug,
                e.exhibitor_id,
                frozenset(e.sectors.values_list("slug", flat=True)),
                tuple(e.countries_served),
            )
            for e in event.exhibits.all()
        },
    }


def _clone_post(client, pks, **form):
    data = {"action": "clone_selected", "_selected_action": pks}
    if form:
        data.update(apply="Clone", **form)
    else:
        data["index"] = "0"  # what the changelist's "Go" button sends
    return client.post(reverse(CHANGELIST), data)


def test_clone_selected_first_post_shows_the_prefilled_form(client, source):
    client.force_login(_superuser())

    changelist = client.get(reverse(CHANGELIST))
    response = _clone_post(client, [source.pk])

    assert CLONE_OPTION in changelist.content.decode()
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "start_on": datetime.date(2032, 10, 13),
        "edition_number": 9,
        "slug": "9th-lanzhou-2032",
    }
    content = response.content.decode()
    assert 'name="start_on" value="2032-10-13"' in content
    assert 'name="edition_number" value="9"' in content
    assert 'name="slug" value="9th-lanzhou-2032"' in content
    assert Event.objects.count() == 1


@pytest.mark.parametrize("role", ["superuser", "organizer"])
def test_clone_selected_creates_a_shifted_draft_with_its_programme(client, source, role):
    user = _superuser() if role == "superuser" else _staff_in(ORGANIZERS)
    client.force_login(user)
    before = _snapshot(source)

    response = _clone_post(client, [source.pk], start_on="2032-10-20", edition_number="9", slug="ninth-forum")

    clone = Event.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_change", args=[clone.pk])
    assert (clone.slug, clone.edition_number, clone.status) == ("ninth-forum", 9, Event.Status.DRAFT)
    assert (clone.start_on, clone.end_on) == (datetime.date(2032, 10, 20), datetime.date(2032, 10, 22))
    # 370 days later, same clock time in Lanzhou.
    assert _local(clone.registration_opens_at) == (datetime.date(2032, 6, 6), datetime.time(9, 30))
    assert _local(clone.registration_closes_at) == (datetime.date(2032, 10, 6), datetime.time(18, 0))
    assert {(r.organization_id, r.role, r.order) for r in clone.roles.all()} == before["roles"]
    assert {(s.slug, _local(s.starts_at), _local(s.ends_at)) for s in clone.sub_forums.all()} == {
        (
            "opening",
            (datetime.date(2032, 10, 20), datetime.time(9, 0)),
            (datetime.date(2032, 10, 20), datetime.time(10, 30)),
        ),
        (
            "closing",
            (datetime.date(2032, 10, 22), datetime.time(23, 0)),
            (datetime.date(2032, 10, 22), datetime.time(23, 45)),
        ),
    }
    after = _snapshot(clone)
    assert after["appearances"] == before["appearances"]
    assert after["exhibits"] == before["exhibits"]
    assert Appearance.objects.filter(sub_forum__event=clone).count() == 3
    assert _snapshot(source) == before


def test_clone_selected_keeps_local_time_across_a_daylight_saving_change(client):
    # Shanghai has no daylight saving; this edition's zone does, so a UTC shift would be an hour off.
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    source = EventFactory(
        time_zone="Europe/Berlin",
        start_on=datetime.date(2031, 3, 20),
        end_on=datetime.date(2031, 3, 21),
        registration_opens_at=datetime.datetime(2031, 3, 1, 9, 0, tzinfo=berlin),
        registration_closes_at=datetime.datetime(2031, 3, 19, 18, 0, tzinfo=berlin),
    )
    SubForumFactory(
        event=source,
        starts_at=datetime.datetime(2031, 3, 20, 9, 0, tzinfo=berlin),
        ends_at=datetime.datetime(2031, 3, 20, 11, 0, tzinfo=berlin),
    )
    client.force_login(_superuser())

    _clone_post(client, [source.pk], start_on="2031-04-03", edition_number="2", slug="spring")

    clone = Event.objects.get(slug="spring")
    sub_forum = clone.sub_forums.get()
    assert [
        clone.registration_opens_at.astimezone(berlin).replace(tzinfo=None),
        clone.registration_closes_at.astimezone(berlin).replace(tzinfo=None),
        sub_forum.starts_at.astimezone(berlin).replace(tzinfo=None),
        sub_forum.ends_at.astimezone(berlin).replace(tzinfo=None),
    ] == [
        datetime.datetime(2031, 3, 15, 9, 0),
        datetime.datetime(2031, 4, 2, 18, 0),
        datetime.datetime(2031, 4, 3, 9, 0),
        datetime.datetime(2031, 4, 3, 11, 0),
    ]


def test_clone_selected_with_two_editions_is_refused(client, source):
    other = EventFactory()
    client.force_login(_superuser())

    response = _clone_post(client, [source.pk, other.pk])

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Select exactly one edition to clone."]
    assert set(Event.objects.values_list("pk", flat=True)) == {source.pk, other.pk}


def test_clone_selected_with_a_taken_slug_shows_the_form_again(client, source):
    EventFactory(slug="taken")
    client.force_login(_superuser())

    response = _clone_post(client, [source.pk], start_on="2032-10-20", edition_number="9", slug="taken")

    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["An edition with this slug already exists."]}
    assert "An edition with this slug already exists." in response.content.decode()
    assert set(Event.objects.values_list("slug", flat=True)) == {"eighth-forum", "taken"}


def test_clone_selected_is_not_offered_to_registration_staff(client, source):
    client.force_login(_staff_in(REGISTRATION_STAFF))

    changelist = client.get(reverse(CHANGELIST))
    response = _clone_post(client, [source.pk], start_on="2032-10-20", edition_number="9", slug="ninth")

    assert changelist.status_code == 200
    assert source.title in changelist.content.decode()
    assert CLONE_OPTION not in changelist.content.decode()
    assert response.status_code in (200, 302, 403)
    assert list(Event.objects.values_list("slug", flat=True)) == ["eighth-forum"]


def _exhibit_in_three_sectors():
    return ExhibitFactory(sectors=SectorFactory.create_batch(3))


def _sector_with_two_exhibits():
    sector = SectorFactory()
    ExhibitFactory.create_batch(2, sectors=[sector])
    return sector


# Each row has its own related rows (edition, organization, sectors), so a missing
# select_related or prefetch_related shows up as a count that grows with the rows.
CHANGELIST_CASES = [
    ("event", EventFactory, 8),
    ("subforum", SubForumFactory, 7),
    ("speaker", SpeakerFactory, 6),
    ("exhibit", _exhibit_in_three_sectors, 9),
    ("document", DocumentFactory, 9),
    ("organization", OrganizationFactory, 6),
    ("sector", _sector_with_two_exhibits, 6),
]


@pytest.mark.parametrize("items", [1, 3])
@pytest.mark.parametrize(("model", "make", "queries"), CHANGELIST_CASES, ids=[c[0] for c in CHANGELIST_CASES])
def test_changelist_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, model, make, queries, items
):
    made = {make().pk for _ in range(items)}
    client.force_login(_superuser())

    with django_assert_num_queries(queries):
        response = client.get(reverse(f"admin:events_{model}_changelist"))

    assert response.status_code == 200
    assert {row.pk for row in response.context["cl"].result_list} == made


def _event_change_data(event, sub_forum):
    """The change form as the browser posts it, with one new sub-forum row (local times)."""
    data = {
        "series_name_en": event.series_name,
        "edition_number": event.edition_number,
        "slug": event.slug,
        "status": event.status,
        "access": event.access,
        "theme_en": event.theme,
        "summary_en": "",
        "description_en": "",
        "start_on": event.start_on.isoformat(),
        "end_on": event.end_on.isoformat(),
        "time_zone": event.time_zone,
        "city_en": event.city,
        "venue_en": "",
        "country": "CN",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "requires_approval": "on",
        "in_person_capacity": "",
        "online_capacity": "",
        "travel_days_before": "3",
        "travel_days_after": "3",
        "passport_retention_days": "30",
        "personal_data_retention_days": "365",
        "contact_email": "",
        "contact_phone": "",
        "media_contact_name": "",
        "media_contact_organization_en": "",
        "media_contact_email": "",
        "media_contact_website": "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "sub_forums-TOTAL_FORMS": "1",
        "sub_forums-INITIAL_FORMS": "0",
        "sub_forums-MIN_NUM_FORMS": "0",
        "sub_forums-MAX_NUM_FORMS": "1000",
        "sub_forums-0-id": "",
        "sub_forums-0-event": str(event.pk),
        "sub_forums-0-order": "0",
        "sub_forums-0-kind": "sub_forum",
        "sub_forums-0-title_en": "Late session",
        "sub_forums-0-slug": "late-session",
        "sub_forums-0-room_en": "Hall B",
        "sub_forums-0-modes": "both",
        "sub_forums-0-in_person_capacity": "",
        "_save": "Save",
    }
    data.update({f"sub_forums-0-{key}": value for key, value in sub_forum.items()})
    return data


def test_event_change_form_refuses_a_sub_forum_outside_the_edition_days(client):
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    client.force_login(_staff_in(ORGANIZERS))
    # The organizer types Lanzhou time: 00:30 the morning after the last day is outside.
    data = _event_change_data(
        event,
        {
            "starts_at_0": "2031-10-18",
            "starts_at_1": "00:30:00",
            "ends_at_0": "2031-10-18",
            "ends_at_1": "01:30:00",
        },
    )

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][1].formset
    assert formset.errors == [
        {"__all__": ["A sub-forum must take place between 2031-10-15 and 2031-10-17 (Asia/Shanghai)."]}
    ]
    assert "A sub-forum must take place between 2031-10-15 and 2031-10-17" in response.content.decode()
    assert list(SubForum.objects.all()) == []


def test_event_change_form_saves_a_sub_forum_within_the_edition_days(client):
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    client.force_login(_staff_in(ORGANIZERS))
    # The organizer types Lanzhou time, 23:00 on the last day (15:00 UTC): stored as such.
    data = _event_change_data(
        event,
        {
            "starts_at_0": "2031-10-17",
            "starts_at_1": "23:00:00",
            "ends_at_0": "2031-10-17",
            "ends_at_1": "23:45:00",
        },
    )

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302
    assert [(s.slug, s.starts_at, s.ends_at) for s in event.sub_forums.all()] == [
        ("late-session", _at(event.end_on, 23, 0), _at(event.end_on, 23, 45))
    ]


def test_event_change_form_refuses_new_days_that_leave_a_sub_forum_out(client):
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    sub_forum = SubForumFactory(
        event=event, slug="late-session", starts_at=_at(event.start_on, 9), ends_at=_at(event.start_on, 11)
    )
    client.force_login(_staff_in(ORGANIZERS))
    data = _event_change_data(
        event,
        {
            "id": str(sub_forum.pk),
            "starts_at_0": "2031-10-15",
            "starts_at_1": "01:00:00",
            "ends_at_0": "2031-10-15",
            "ends_at_1": "03:00:00",
        },
    )
    data.update({"start_on": "2031-10-16", "sub_forums-INITIAL_FORMS": "1"})

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.errors == [
        {"__all__": ["A sub-forum must take place between 2031-10-16 and 2031-10-17 (Asia/Shanghai)."]}
    ]
    event.refresh_from_db()
    assert event.start_on == datetime.date(2031, 10, 15)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _exhibit_data(image):
    event = EventFactory()
    exhibitor = OrganizationFactory()
    return {
        "event": str(event.pk),
        "exhibitor": str(exhibitor.pk),
        "title_en": "BeiDou stand",
        "slug": "beidou-stand",
        "summary_en": "",
        "description_en": "",
        "countries_served": ["KZ"],
        "hall": "",
        "booth": "",
        "image": image,
        "image_alt_en": "A satellite model",
        "website": "",
        "contact_email": "",
    }


def _png(mode):
    """A 40×20 PNG whose EXIF says "rotate 90°", with a camera make and a text comment."""
    picture = Image.new(mode, (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Secret Camera Co"  # Make
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "GPS 36.06N 103.83E")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", exif=exif.tobytes(), pnginfo=text)
    return buffer.getvalue()


def test_exhibit_add_refuses_a_file_that_is_not_a_picture(client, media_root):
    client.force_login(_superuser())
    upload = SimpleUploadedFile("stand.png", b"<?php system($_GET['c']); ?>", content_type="image/png")

    response = client.post(reverse("admin:events_exhibit_add"), _exhibit_data(upload))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "image": ["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]
    }
    assert list(Exhibit.objects.all()) == []
    assert list(media_root.rglob("*")) == []


@pytest.mark.parametrize(
    ("mode", "extension", "image_format"), [("RGB", "jpg", "JPEG"), ("RGBA", "png", "PNG")]
)
def test_exhibit_add_stores_a_reencoded_picture_without_metadata(
    client, media_root, mode, extension, image_format
):
    client.force_login(_superuser())
    upload = SimpleUploadedFile("IMG_0001.png", _png(mode), content_type="image/png")

    response = client.post(reverse("admin:events_exhibit_add"), _exhibit_data(upload))

    assert response.status_code == 302
    exhibit = Exhibit.objects.get()
    assert re.fullmatch(rf"exhibits/[0-9a-f]{{32}}\.{extension}", exhibit.image.name)
    assert [p.name for p in media_root.rglob("*.*")] == [exhibit.image.name.split("/")[1]]
    with Image.open(media_root / exhibit.image.name) as stored:
        stored.load()
        assert stored.format == image_format
        assert stored.size == (20, 40)  # turned upright as the EXIF said, then dropped
        assert dict(stored.getexif()) == {}
        assert "Comment" not in stored.info


def _document_data(upload):
    event = EventFactory()
    return {
        "event": str(event.pk),
        "kind": Document.Kind.OUTCOME,
        "title_en": "Lanzhou Declaration",
        "slug": "lanzhou-declaration",
        "published_on": "2031-10-17",
        "summary_en": "",
        "body_en": "",
        "file": upload,
    }


def test_document_add_refuses_a_file_that_is_not_a_pdf(client, media_root):
    client.force_login(_superuser())
    upload = SimpleUploadedFile("declaration.pdf", b"<html>not a pdf</html>", content_type="application/pdf")

    response = client.post(reverse("admin:events_document_add"), _document_data(upload))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"file": ["Upload the document as a PDF file."]}
    assert list(Document.objects.all()) == []
    assert list(media_root.rglob("*")) == []


def test_event_change_form_shows_times_in_the_editions_time_zone(client):
    event = EventFactory(
        time_zone="Asia/Almaty", start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17)
    )
    SubForumFactory(
        event=event,
        starts_at=datetime.datetime(2031, 10, 16, 4, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 10, 16, 5, 0, tzinfo=datetime.UTC),
    )
    client.force_login(_superuser())
    content = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert 'value="09:00:00"' in content  # 04:00 UTC is 09:00 in Almaty (UTC+5)
    assert 'value="04:00:00"' not in content


def test_sub_forum_list_shows_local_times_and_translated_column_names(client):
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    SubForumFactory(
        event=event,
        title="Green Development Forum",
        starts_at=datetime.datetime(2031, 10, 16, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 16, 17, 0, tzinfo=SHANGHAI),
    )
    client.force_login(_staff_in(ORGANIZERS))

    page = client.get(reverse("admin:events_subforum_changelist"), headers={"accept-language": "ru"})

    text = page.content.decode()
    assert "14:00" in text  # Lanzhou time, not 06:00 UTC
    assert "06:00" not in text
    assert [column["text"] for column in page.context["result_headers"]][2:4] == ["форум", "тип"]


def _sub_forum_search(client, term: str) -> list[str]:
    """The titles the admin's list of sub-forums shows for a search, in order."""
    response = client.get(reverse("admin:events_subforum_changelist"), {"q": term})
    return [sub_forum.title for sub_forum in response.context["cl"].result_list]


def test_sub_forum_search_finds_its_own_title_before_the_editions_theme(client):
    edition = EventFactory(theme="Connectivity, Green Growth and Digital Cooperation")
    SubForumFactory(event=edition, title="Green Development Forum")
    SubForumFactory(event=edition, title="Women's Development Forum")
    SubForumFactory(event=EventFactory(theme="Security"), title="Women's Development Forum (other)")
    client.force_login(_superuser())
    assert _sub_forum_search(client, "Green Development Forum") == ["Green Development Forum"]
    assert sorted(_sub_forum_search(client, "women development")) == [
        "Women's Development Forum",
        "Women's Development Forum (other)",
    ]
    # Words found only in an edition's theme still find that edition's sub-forums.
    assert sorted(_sub_forum_search(client, "digital cooperation")) == [
        "Green Development Forum",
        "Women's Development Forum",
    ]
    assert _sub_forum_search(client, "nowhere") == []


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("en", "China–Central Asia Cooperation Forum"),
        ("ru", "Форум сотрудничества «Китай — Центральная Азия»"),
        ("zh-hans", "中国—中亚合作论坛"),
    ],
)
def test_the_admin_shows_the_forums_name_and_icon(client, language, name):
    client.force_login(_superuser())
    client.cookies["django_language"] = language
    page = client.get(reverse("admin:index")).content.decode()
    site_name = page.split('<div id="site-name">', 1)[1].split("</div>", 1)[0]
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert name in site_name and name in title
    assert re.search(
        r'<link rel="icon" href="/static/img/favicon\.[0-9a-f.]*svg" type="image/svg\+xml">', page
    )


def test_organizers_see_and_set_the_sample_marks_of_sessions_and_appearances(client):
    event = EventFactory()
    sub_forum = SubForumFactory(event=event, is_sample=True)
    AppearanceFactory(sub_forum=sub_forum, is_sample=True)
    client.force_login(_staff_in(ORGANIZERS))

    edition_form = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    sub_forum_form = client.get(reverse("admin:events_subforum_change", args=[sub_forum.pk])).content.decode()

    assert re.search(r'<input[^>]*name="sub_forums-0-is_sample"[^>]*checked', edition_form)
    assert re.search(r'<input[^>]*name="is_sample"[^>]*checked', sub_forum_form)
    assert re.search(r'<input[^>]*name="appearances-0-is_sample"[^>]*checked', sub_forum_form)


def test_the_clone_message_in_russian_nests_the_titles_own_quotation_marks(client, source):
    source.series_name_ru = "форум сотрудничества «Китай — Центральная Азия»"
    source.save()
    client.force_login(_superuser())
    client.cookies["django_language"] = "ru"

    response = _clone_post(client, [source.pk], start_on="2032-10-20", edition_number="9", slug="ninth-forum")

    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "«9-й форум сотрудничества „Китай — Центральная Азия“»" in message
    assert "««" not in message and "»»" not in message
