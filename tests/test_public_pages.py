import datetime
import zoneinfo

import pytest
from django.urls import reverse

from events.models import Event, EventRole

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
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def event_urls(event, sub_forum, exhibit, document):
    """Every public page of an edition."""
    return [
        reverse("events:detail", args=[event.slug]),
        reverse("events:programme", args=[event.slug]),
        reverse("events:programme_ics", args=[event.slug]),
        reverse("events:sub_forum", args=[event.slug, sub_forum.slug]),
        reverse("events:speakers", args=[event.slug]),
        reverse("events:exhibits", args=[event.slug]),
        reverse("events:exhibit", args=[event.slug, exhibit.slug]),
        reverse("events:documents", args=[event.slug]),
        reverse("events:document", args=[event.slug, document.slug]),
    ]


@pytest.fixture
def edition():
    """A published edition with one of everything."""
    event = EventFactory(
        edition_number=8,
        slug="8th",
        theme="Strengthen Solidarity and Cooperation",
        city="Lanzhou",
        venue="Lanzhou Conference Centre",
        start_on=datetime.date(2031, 10, 15),
        end_on=datetime.date(2031, 10, 17),
        media_contact_name="Liu Gehua",
        media_contact_email="media@example.org",
    )
    EventRoleFactory(
        event=event, organization=OrganizationFactory(name="SCO Committee"), role=EventRole.Role.HOST
    )
    EventRoleFactory(
        event=event, organization=OrganizationFactory(name="Lanzhou City"), role=EventRole.Role.ORGANISER
    )
    sub_forum = SubForumFactory(
        event=event,
        title="BeiDou Cooperation Forum",
        slug="beidou",
        starts_at=datetime.datetime(2031, 10, 16, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 16, 17, 0, tzinfo=SHANGHAI),
        room="Hall B",
    )
    AppearanceFactory(
        sub_forum=sub_forum,
        speaker=SpeakerFactory(name_latin="Vladimir Norov", name_native="Владимир Норов", protocol_rank=1),
        role="keynote",
    )
    exhibit = ExhibitFactory(
        event=event, title="BeiDou Navigation Satellite System", slug="bds", is_featured=True
    )
    document = DocumentFactory(event=event, title="Joint initiative", slug="joint-initiative")
    return {"event": event, "sub_forum": sub_forum, "exhibit": exhibit, "document": document}


def test_edition_home_shows_theme_dates_hosts_programme_and_contacts(client, edition):
    response = client.get(reverse("events:detail", args=["8th"]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in content and content.count("<h1") == 1
    for text in [
        "8th China–Central Asia Cooperation Forum",
        "Strengthen Solidarity and Cooperation",
        "Lanzhou Conference Centre",
        "SCO Committee",
        "Lanzhou City",
        "BeiDou Cooperation Forum",
        "Vladimir Norov",
        "BeiDou Navigation Satellite System",
        "Joint initiative",
        "Liu Gehua",
        "media@example.org",
    ]:
        assert text in content, text


def test_edition_home_says_whether_registration_is_open(client, edition):
    event = edition["event"]
    now = datetime.datetime.now(datetime.UTC)
    event.start_on = now.date() + datetime.timedelta(days=60)
    event.end_on = event.start_on + datetime.timedelta(days=2)
    event.registration_opens_at = now - datetime.timedelta(days=1)
    event.registration_closes_at = now + datetime.timedelta(days=10)
    event.save()
    assert "Registration is open until" in client.get(event.get_absolute_url()).content.decode()
    event.registration_opens_at = now + datetime.timedelta(days=1)
    event.save()
    assert "Registration opens on" in client.get(event.get_absolute_url()).content.decode()


def test_home_shows_the_current_edition(client, edition):
    response = client.get("/")
    assert response.status_code == 200
    assert "Strengthen Solidarity and Cooperation" in response.content.decode()


def test_home_without_published_edition_says_so(client):
    EventFactory(status=Event.Status.DRAFT, theme="Secret draft theme")
    content = client.get("/").content.decode()
    assert "has not been announced yet" in content
    assert "Secret draft theme" not in content


def test_edition_list_separates_upcoming_and_past_and_hides_drafts(client):
    EventFactory(theme="Future theme", start_on=datetime.date(2099, 1, 1), end_on=datetime.date(2099, 1, 2))
    EventFactory(theme="Past theme", start_on=datetime.date(2001, 1, 1), end_on=datetime.date(2001, 1, 2))
    EventFactory(theme="Draft theme", status=Event.Status.DRAFT)
    content = client.get(reverse("events:list")).content.decode()
    assert content.index("Upcoming") < content.index("Future theme") < content.index("Past editions")
    assert content.index("Past editions") < content.index("Past theme")
    assert "Draft theme" not in content


def test_programme_groups_by_local_day_with_times_rooms_and_speakers(client, edition):
    SubForumFactory(
        event=edition["event"],
        title="Opening ceremony",
        starts_at=datetime.datetime(2031, 10, 15, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 15, 10, 30, tzinfo=SHANGHAI),
    )
    content = client.get(reverse("events:programme", args=["8th"])).content.decode()
    assert content.index("Oct. 15, 2031") < content.index("Opening ceremony")
    assert content.index("Opening ceremony") < content.index("Oct. 16, 2031")
    assert content.index("Oct. 16, 2031") < content.index("BeiDou Cooperation Forum")
    assert "09:00" in content and "10:30" in content
    assert "14:00" in content and "17:00" in content
    assert "Hall B" in content
    assert "Keynote:" in content and "Владимир Норов (Vladimir Norov)" in content
    assert "Asia/Shanghai" in content


def test_programme_shows_a_session_across_midnight_in_the_editions_time_zone(client, edition):
    # 15:30 to 16:30 UTC is 23:30 on the 15th to 00:30 on the 16th in Lanzhou.
    SubForumFactory(
        event=edition["event"],
        title="Night reception",
        starts_at=datetime.datetime(2031, 10, 15, 15, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 10, 15, 16, 30, tzinfo=datetime.UTC),
    )
    content = client.get(reverse("events:programme", args=["8th"])).content.decode()
    section = content[content.index("Oct. 15, 2031") : content.index("Oct. 16, 2031</time></h2>")]
    assert "Night reception" in section
    assert "23:30" in section
    assert "Oct. 16, 2031, 00:30" in section
    assert "15:30" not in section


def test_sub_forum_page_shows_time_room_mode_and_speakers(client, edition):
    content = client.get(reverse("events:sub_forum", args=["8th", "beidou"])).content.decode()
    assert "BeiDou Cooperation Forum" in content
    assert "Oct. 16, 2031, " in content and "14:00" in content and "17:00" in content
    assert "Hall B" in content
    assert "In person and online" in content
    assert "Vladimir Norov" in content


def test_sub_forum_page_never_shows_the_stream_link(client, edition):
    sub_forum = edition["sub_forum"]
    sub_forum.stream_url = "https://stream.example.org/secret-room"
    sub_forum.save()
    for url in [
        reverse("events:sub_forum", args=["8th", "beidou"]),
        reverse("events:programme", args=["8th"]),
    ]:
        assert "secret-room" not in client.get(url).content.decode()


def test_speakers_are_listed_by_protocol_rank_with_their_roles(client, edition):
    sub_forum = edition["sub_forum"]
    AppearanceFactory(
        sub_forum=sub_forum, speaker=SpeakerFactory(name_latin="Zohir Saidzoda", protocol_rank=30)
    )
    AppearanceFactory(
        sub_forum=sub_forum, speaker=SpeakerFactory(name_latin="Alikhan Smailov", protocol_rank=20)
    )
    SpeakerFactory(name_latin="Somebody Elsewhere")
    content = client.get(reverse("events:speakers", args=["8th"])).content.decode()
    assert (
        content.index("Vladimir Norov") < content.index("Alikhan Smailov") < content.index("Zohir Saidzoda")
    )
    assert "Somebody Elsewhere" not in content
    assert "Keynote: " in content


def test_exhibit_detail_shows_exhibitor_sectors_and_countries(client, edition):
    exhibit = edition["exhibit"]
    exhibit.countries_served = ["KZ", "UZ"]
    exhibit.save()
    content = client.get(reverse("events:exhibit", args=["8th", "bds"])).content.decode()
    assert "BeiDou Navigation Satellite System" in content
    assert exhibit.exhibitor.name in content
    assert "Kazakhstan" in content and "Uzbekistan" in content


def test_documents_list_and_detail(client, edition):
    document = edition["document"]
    document.body = "Deepen trade and economic cooperation."
    document.save()
    assert "Joint initiative" in client.get(reverse("events:documents", args=["8th"])).content.decode()
    content = client.get(reverse("events:document", args=["8th", "joint-initiative"])).content.decode()
    assert "Deepen trade and economic cooperation." in content
    assert "Outcome document" in content


def test_every_page_of_a_draft_edition_is_404(client, edition):
    Event.objects.filter(pk=edition["event"].pk).update(status=Event.Status.DRAFT)
    for url in event_urls(**edition):
        assert client.get(url).status_code == 404, url


def test_archived_edition_stays_public(client, edition):
    Event.objects.filter(pk=edition["event"].pk).update(status=Event.Status.ARCHIVED)
    for url in event_urls(**edition):
        assert client.get(url).status_code == 200, url


def test_unknown_slugs_are_404(client, edition):
    for url in [
        "/events/nope/",
        "/events/nope/programme/",
        "/events/8th/sub-forums/nope/",
        "/events/8th/exhibits/nope/",
        "/events/8th/documents/nope/",
    ]:
        assert client.get(url).status_code == 404, url


def test_objects_of_another_edition_are_404_through_this_one(client, edition):
    other = SubForumFactory(slug="elsewhere")
    other_exhibit = ExhibitFactory(slug="other-exhibit")
    assert client.get(reverse("events:sub_forum", args=["8th", other.slug])).status_code == 404
    assert client.get(reverse("events:exhibit", args=["8th", other_exhibit.slug])).status_code == 404


def test_pages_have_lang_landmarks_one_h1_and_a_language_switcher(client, edition):
    for url in event_urls(**edition):
        if url.endswith(".ics"):
            continue
        content = client.get(url).content.decode()
        assert '<html lang="en">' in content, url
        assert content.count("<h1") == 1, url
        assert '<main id="main"' in content and "<header" in content and "<footer" in content, url
        assert 'action="/i18n/setlang/"' in content, url
        assert 'href="#main"' in content, url


def test_language_switcher_keeps_the_page_and_changes_lang(client, edition):
    url = reverse("events:programme", args=["8th"])
    response = client.post("/i18n/setlang/", {"language": "ru", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert '<html lang="ru">' in client.get(url).content.decode()


def test_pages_send_a_content_security_policy(client, edition):
    response = client.get(reverse("events:detail", args=["8th"]))
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_changing_the_programme_refreshes_cached_pages(client, edition):
    url = reverse("events:programme", args=["8th"])
    assert "BeiDou Cooperation Forum" in client.get(url).content.decode()
    sub_forum = edition["sub_forum"]
    sub_forum.title = "BDS Cooperation Forum (renamed)"
    sub_forum.save()
    assert "BDS Cooperation Forum (renamed)" in client.get(url).content.decode()


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_renaming_a_shared_speaker_or_sector_refreshes_cached_pages(client, edition):
    speakers_url = reverse("events:speakers", args=["8th"])
    exhibits_url = reverse("events:exhibits", args=["8th"])
    assert "Vladimir Norov" in client.get(speakers_url).content.decode()
    sector = SectorFactory(slug="navigation", name="Satellite navigation")
    client.get(exhibits_url)
    edition["exhibit"].sectors.add(sector)
    assert "Satellite navigation" in client.get(exhibits_url).content.decode()
    speaker = edition["sub_forum"].appearances.get().speaker
    speaker.name_latin = "V. Norov"
    speaker.save()
    sector.name = "BeiDou navigation"
    sector.save()
    assert "V. Norov" in client.get(speakers_url).content.decode()
    assert "BeiDou navigation" in client.get(exhibits_url).content.decode()


def test_an_edition_by_invitation_offers_no_register_button_but_says_how_to_register(client, edition):
    event = edition["event"]
    now = datetime.datetime.now(datetime.UTC)
    event.start_on = now.date() + datetime.timedelta(days=60)
    event.end_on = event.start_on + datetime.timedelta(days=2)
    event.registration_opens_at = now - datetime.timedelta(days=1)
    event.registration_closes_at = now + datetime.timedelta(days=10)
    event.save()
    register = reverse("delegates:register", args=[event.slug])
    assert register in client.get(event.get_absolute_url()).content.decode()

    event.access = event.Access.INVITATION
    event.save()
    page = client.get(event.get_absolute_url()).content.decode()

    assert register not in page
    assert "Registration is by invitation only: open the link in your invitation email" in page


SAMPLE_MARK = '<span class="badge text-bg-warning sample-mark">Sample</span>'


def test_invented_times_rooms_interpretation_and_sessions_carry_a_sample_mark(client, edition):
    event, sub_forum = edition["event"], edition["sub_forum"]
    sub_forum.is_sample = True
    sub_forum.interpretation_languages = "Chinese, Russian, English"
    sub_forum.save()
    sub_forum.appearances.update(is_sample=True)

    session = client.get(reverse("events:sub_forum", args=[event.slug, sub_forum.slug])).text
    programme = client.get(reverse("events:programme", args=[event.slug])).text
    speakers = client.get(reverse("events:speakers", args=[event.slug])).text
    home = client.get(reverse("events:detail", args=[event.slug])).text

    assert session.count(SAMPLE_MARK) == 4  # time, room, interpretation, the speaker's appearance
    assert programme.count(SAMPLE_MARK) == 2  # the time and room, the speaker's appearance
    assert speakers.count(SAMPLE_MARK) == 1
    assert home.count(SAMPLE_MARK) == 2  # the programme list, the speaker card


def test_real_details_carry_no_sample_mark(client, edition):
    event = edition["event"]
    for name in ("detail", "programme", "speakers"):
        assert "sample-mark" not in client.get(reverse(f"events:{name}", args=[event.slug])).text


def test_an_exhibit_whose_exhibitor_is_not_known_shows_none(client, edition):
    event, exhibit = edition["event"], edition["exhibit"]
    exhibit.exhibitor = None
    exhibit.save()

    for url in (reverse("events:exhibits", args=[event.slug]), exhibit.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert "BeiDou Navigation Satellite System" in response.text


def test_a_theme_with_its_own_quotation_marks_is_nested_in_russian(client, edition):
    event = edition["event"]
    event.theme_ru = "Форум «Китай — Центральная Азия»: солидарность"
    event.save()
    client.cookies["django_language"] = "ru"

    text = client.get(reverse("events:detail", args=["8th"])).content.decode()

    assert "Тема: «Форум „Китай — Центральная Азия“: солидарность»" in text
