"""Demo content: the 8th China–Central Asia Cooperation Forum (Lanzhou, 2021) from the seed press
release, and an upcoming sample edition cloned from it. Loading twice changes nothing.

What the sources do not state about the 8th forum is left blank (rooms, capacities, interpretation,
the exhibitor and place of the BeiDou exhibit) or marked as sample where the pages need it: the
sessions' times (`SubForum.is_sample`) and the speakers' sessions (`Appearance.is_sample`). Invented
exhibits belong to the sample edition only, which is sample content as a whole (`Event.is_sample`)."""

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone, translation
from modeltranslation.translator import translator

from .demo_translations import TRANSLATIONS
from .models import (
    SERIES_NAME,
    Appearance,
    Document,
    Event,
    EventRole,
    Exhibit,
    Organization,
    Sector,
    Speaker,
    SubForum,
)
from .services import clone_event

EIGHTH_SLUG = "8th-lanzhou-2021"
SAMPLE_SLUG = "sample-edition"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

ORGANIZATIONS = {
    "sco": (
        "Good-Neighborliness, Friendship and Cooperation Committee of the Shanghai Cooperation Organization",
        "SCO Committee",
        Organization.Kind.INTERNATIONAL,
        "",
    ),
    "sco_secretariat": ("Shanghai Cooperation Organization", "SCO", Organization.Kind.INTERNATIONAL, ""),
    "gansu": ("People's Government of Gansu Province", "Gansu Province", Organization.Kind.GOVERNMENT, "CN"),
    "lanzhou": (
        "People's Government of Lanzhou Municipality",
        "Lanzhou Municipality",
        Organization.Kind.GOVERNMENT,
        "CN",
    ),
    "gansu_fao": (
        "Foreign Affairs Office of the Gansu Provincial Government",
        "Gansu FAO",
        Organization.Kind.GOVERNMENT,
        "CN",
    ),
    "kazakhstan": (
        "Government of the Republic of Kazakhstan",
        "Kazakhstan",
        Organization.Kind.GOVERNMENT,
        "KZ",
    ),
    "tajik_embassy": (
        "Embassy of the Republic of Tajikistan in China",
        "Embassy of Tajikistan",
        Organization.Kind.GOVERNMENT,
        "TJ",
    ),
    "huanqiu": ("Global Times Online (Huanqiu.com)", "Huanqiu.com", Organization.Kind.MEDIA, "CN"),
    "green_corridor": ("Silk Road Green Energy Alliance (sample)", "", Organization.Kind.BUSINESS, "KZ"),
    "logistics_hub": ("Lanzhou International Logistics Port (sample)", "", Organization.Kind.BUSINESS, "CN"),
    "telemedicine": ("Central Asia Telemedicine Network (sample)", "", Organization.Kind.ACADEMIA, "UZ"),
    "ecommerce": ("Silk Road E-commerce Platform (sample)", "", Organization.Kind.BUSINESS, "KG"),
}

SECTORS = [
    ("satellite-navigation", "Satellite navigation"),
    ("green-development", "Green development"),
    ("health", "Health"),
    ("logistics", "Logistics"),
    ("digital-economy", "Digital economy"),
    ("agriculture", "Agriculture"),
]

# (slug, kind, title, day of October 2021, start, end): the sessions are the seed's, their days and
# times are sample (marked); rooms, capacities and interpretation are not known, so left blank.
SUB_FORUMS = [
    ("opening-ceremony", SubForum.Kind.CEREMONY, "Opening ceremony", 16, "09:00", "10:30"),
    ("womens-development", SubForum.Kind.SUB_FORUM, "Women's Development Forum", 16, "14:00", "17:00"),
    (
        "beidou-cooperation",
        SubForum.Kind.SUB_FORUM,
        "China–Central Asia BeiDou (BDS) Cooperation Forum",
        16,
        "14:00",
        "17:00",
    ),
    ("green-development", SubForum.Kind.SUB_FORUM, "Green Development Forum", 17, "09:00", "12:00"),
    (
        "commerce-logistics",
        SubForum.Kind.SUB_FORUM,
        "Modern Commerce and Logistics Forum",
        17,
        "09:00",
        "12:00",
    ),
    ("closing-ceremony", SubForum.Kind.CEREMONY, "Closing ceremony", 17, "15:00", "16:30"),
]
# The sample edition's rooms and in-person capacities (sample content, like the whole edition).
SAMPLE_PLACES = {
    "opening-ceremony": ("Main hall", None),
    "womens-development": ("Hall A", 120),
    "beidou-cooperation": ("Hall B", 50),
    "green-development": ("Hall A", 120),
    "commerce-logistics": ("Hall B", 120),
    "closing-ceremony": ("Main hall", None),
}
SAMPLE_INTERPRETATION = "Chinese, Russian, English"
# Sample stream addresses: example.org is reserved for examples and never a real stream.
SAMPLE_STREAM_URL = "https://stream.example.org/sample-edition/{slug}"

SUB_FORUM_SUMMARIES = {
    "opening-ceremony": "Opening of the forum.",
    "beidou-cooperation": (
        "Cooperation on China's BeiDou Navigation Satellite System (BDS), which can provide customized "
        "services according to the needs of different countries and industries."
    ),
    "green-development": "Environmental protection, carbon neutrality and a green Silk Road.",
    "commerce-logistics": "Trade and economic cooperation and modern logistics between China and Central Asia.",
    "womens-development": "Women's role in the development of China and the Central Asian countries.",
    "closing-ceremony": "Closing of the forum and release of the joint initiative.",
}

# The seed quotes three speakers without saying in which session they spoke: their appearance at the
# opening ceremony is sample (marked), with the plain role "speaker".
SPEAKERS = [
    # (key, native name, Latin name, honorific, position, organization, country, rank, sub-forum, role)
    (
        "norov",
        "Владимир Норов",
        "Vladimir Norov",
        Speaker.Honorific.HE,
        "Secretary-General of the Shanghai Cooperation Organization",
        "sco_secretariat",
        "UZ",
        10,
        "opening-ceremony",
        Appearance.Role.SPEAKER,
    ),
    (
        "smailov",
        "Әлихан Смайылов",
        "Alikhan Smailov",
        Speaker.Honorific.HE,
        "First Deputy Prime Minister of Kazakhstan",
        "kazakhstan",
        "KZ",
        20,
        "opening-ceremony",
        Appearance.Role.SPEAKER,
    ),
    (
        "zohir",
        "Саидзода Зоҳир",
        "Saidzoda Zohir",
        Speaker.Honorific.HE,
        "Ambassador of Tajikistan to China",
        "tajik_embassy",
        "TJ",
        30,
        "opening-ceremony",
        Appearance.Role.SPEAKER,
    ),
]

# The seed's themed exhibit: its subject is satellite navigation; who exhibited, where, and for which
# countries the seed does not say, so exhibitor, hall, booth and countries served are blank.
BEIDOU_EXHIBIT = (
    "beidou-navigation-satellite-system",
    "China's BeiDou Navigation Satellite System (BDS)",
    "A themed exhibit on China's BeiDou Navigation Satellite System, which can provide customized "
    "services according to the needs of different countries and industries.",
    ["satellite-navigation"],
)

# In the sample edition (sample content as a whole) the BeiDou exhibit gets a sample place, sectors and
# countries served, so that the exhibit filters can be tried: (hall, booth, sectors, countries served).
SAMPLE_BEIDOU_DETAILS = (
    "1",
    "B01",
    ["satellite-navigation", "logistics", "agriculture", "digital-economy"],
    ["CN", "KZ", "KG", "TJ", "TM", "UZ"],
)

# Invented exhibits of the sample edition only (never counted as the 8th forum's).
SAMPLE_EXHIBITS = [
    # (slug, exhibitor, title, summary, sectors, countries, hall, booth)
    (
        "green-energy-corridor",
        "green_corridor",
        "Green energy corridor (sample exhibit)",
        "Sample content: wind and solar projects linking Central Asian grids.",
        ["green-development"],
        ["KZ", "UZ", "CN"],
        "2",
        "G04",
    ),
    (
        "lanzhou-logistics-port",
        "logistics_hub",
        "Lanzhou rail and logistics port (sample exhibit)",
        "Sample content: China–Europe rail freight through Lanzhou to Central Asia.",
        ["logistics", "digital-economy"],
        ["KZ", "KG", "UZ", "TM"],
        "2",
        "L02",
    ),
    (
        "telemedicine-network",
        "telemedicine",
        "Telemedicine across Central Asia (sample exhibit)",
        "Sample content: remote consultations between hospitals in Tashkent, Bishkek and Lanzhou.",
        ["health", "digital-economy"],
        ["UZ", "KG", "TJ"],
        "3",
        "H01",
    ),
    (
        "silk-road-ecommerce",
        "ecommerce",
        "Silk Road cross-border e-commerce (sample exhibit)",
        "Sample content: a marketplace for Central Asian agricultural products in China.",
        ["digital-economy", "agriculture", "logistics"],
        ["KG", "KZ", "TJ"],
        "3",
        "E07",
    ),
]

EIGHTH_DESCRIPTION = (
    "The 8th China–Central Asia Cooperation Forum was held in Lanzhou, capital of Gansu Province, from "
    "15 to 17 October 2021, in person and online. Representatives of China, Kazakhstan, Tajikistan, "
    "Kyrgyzstan, Turkmenistan and Uzbekistan and of international organizations took part; envoys of "
    "Armenia and Azerbaijan were also invited. It closed with a joint initiative calling to deepen trade "
    "and economic cooperation and improve modern logistics.\n\n"
    "The sources do not give the sessions' times: the times in this demo are sample content, marked “Sample”."
)


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> dict[str, Event]:
    """Create the demo editions unless they exist, in three languages; return them by slug."""
    today = today or timezone.localdate()
    with translation.override("en"):  # the plain field names below set the English content
        organizations = _organizations()
        sectors = _sectors()
        eighth = _eighth_edition(organizations, sectors)
        sample = Event.objects.filter(slug=SAMPLE_SLUG).first() or _sample_edition(
            eighth, organizations, sectors, today
        )
        for item in [*organizations.values(), *sectors.values()]:
            _translate(item)
        _translate_all([eighth, sample])
    return {EIGHTH_SLUG: eighth, SAMPLE_SLUG: sample}


def _translate_all(editions: list[Event]) -> None:
    """Fill in the Chinese and Russian content of the demo editions and their programmes."""
    for edition in editions:
        for item in [
            edition,
            *edition.sub_forums.all(),
            *Speaker.objects.filter(appearances__sub_forum__event=edition).distinct(),
            *edition.exhibits.all(),
            *edition.documents.all(),
        ]:
            _translate(item)


def _translate(item) -> None:
    """Give each translated field its Chinese and Russian version from TRANSLATIONS, where missing."""
    changed = []
    for name in translator.get_options_for_model(type(item)).fields:
        for code, text in TRANSLATIONS.get(getattr(item, f"{name}_en") or "", {}).items():
            if not getattr(item, f"{name}_{code}"):
                setattr(item, f"{name}_{code}", text)
                changed.append(f"{name}_{code}")
    if changed:
        item.save(update_fields=changed)


def _organizations() -> dict[str, Organization]:
    """The hosts, organisers, speakers' and exhibitors' organizations."""
    return {
        key: Organization.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "country": country}
        )[0]
        for key, (name, short, kind, country) in ORGANIZATIONS.items()
    }


def _sectors() -> dict[str, Sector]:
    """The exhibit sectors."""
    return {
        slug: Sector.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in SECTORS
    }


def _eighth_edition(organizations, sectors) -> Event:
    """The 8th forum as the seed describes it, completed once."""
    event, _ = Event.objects.get_or_create(
        slug=EIGHTH_SLUG,
        defaults={
            "edition_number": 8,
            "series_name": SERIES_NAME,
            "theme": "Strengthen Solidarity and Cooperation for Building a Community of Security and Development",
            "summary": (
                "Co-hosted by the SCO Good-Neighborliness, Friendship and Cooperation Committee and the People's "
                "Government of Gansu Province, in a hybrid format, with four sub-forums and a themed exhibit on "
                "China's BeiDou Navigation Satellite System."
            ),
            "description": EIGHTH_DESCRIPTION,
            "city": "Lanzhou, Gansu Province",
            "country": "CN",
            "time_zone": "Asia/Shanghai",
            "start_on": datetime.date(2021, 10, 15),
            "end_on": datetime.date(2021, 10, 17),
            "status": Event.Status.ARCHIVED,
            "media_contact_name": "Liu Gehua",
            "media_contact_organization": "Huanqiu.com (Global Times Online)",
            "media_contact_email": "Liugehuan@huanqiu.com",
            "media_contact_website": "https://www.huanqiu.com",
        },
    )
    for order, (key, role) in enumerate(
        [("sco", "host"), ("gansu", "host"), ("lanzhou", "organiser"), ("gansu_fao", "organiser")]
    ):
        EventRole.objects.get_or_create(
            event=event, organization=organizations[key], role=role, defaults={"order": order}
        )
    sub_forums = _eighth_sub_forums(event)
    _eighth_speakers(organizations, sub_forums)
    _eighth_exhibits(event, sectors)
    _eighth_documents(event)
    return event


def _at(day: int, clock: str) -> datetime.datetime:
    """A moment of October 2021 in Lanzhou."""
    hour, minute = map(int, clock.split(":"))
    return datetime.datetime(2021, 10, day, hour, minute, tzinfo=SHANGHAI)


def _eighth_sub_forums(event: Event) -> dict[str, SubForum]:
    """The ceremonies and the four sub-forums."""
    result = {}
    for order, (slug, kind, title, day, start, end) in enumerate(SUB_FORUMS):
        result[slug], _ = SubForum.objects.get_or_create(
            event=event,
            slug=slug,
            defaults={
                "kind": kind,
                "title": title,
                "summary": SUB_FORUM_SUMMARIES[slug],
                "starts_at": _at(day, start),
                "ends_at": _at(day, end),
                "is_sample": True,
                "modes": SubForum.Modes.BOTH,
                "order": order,
            },
        )
    return result


def _eighth_speakers(organizations, sub_forums) -> None:
    """The three speakers the press release quotes."""
    for _key, native, latin, honorific, position, org, country, rank, sub_forum, role in SPEAKERS:
        speaker, _ = Speaker.objects.get_or_create(
            name_latin=latin,
            defaults={
                "name_native": native,
                "honorific": honorific,
                "position": position,
                "organization": organizations[org],
                "country": country,
                "protocol_rank": rank,
            },
        )
        Appearance.objects.get_or_create(
            sub_forum=sub_forums[sub_forum],
            speaker=speaker,
            role=role,
            defaults={"order": rank, "is_sample": True},
        )


def _eighth_exhibits(event, sectors) -> None:
    """The themed exhibit on BeiDou, as much as the seed says of it."""
    slug, title, summary, sector_slugs = BEIDOU_EXHIBIT
    exhibit, created = Exhibit.objects.get_or_create(
        event=event, slug=slug, defaults={"title": title, "summary": summary, "is_featured": True}
    )
    if created:
        exhibit.sectors.set([sectors[s] for s in sector_slugs])


def _sample_exhibits(event, organizations, sectors) -> None:
    """Invented exhibits across sectors, and sample details of the cloned BeiDou exhibit, in the sample edition."""
    hall, booth, sector_slugs, countries = SAMPLE_BEIDOU_DETAILS
    beidou = event.exhibits.get(slug=BEIDOU_EXHIBIT[0])
    beidou.hall, beidou.booth, beidou.countries_served = hall, booth, countries
    beidou.save()
    beidou.sectors.set([sectors[s] for s in sector_slugs])
    for slug, exhibitor, title, summary, sector_slugs, countries, hall, booth in SAMPLE_EXHIBITS:
        exhibit, created = Exhibit.objects.get_or_create(
            event=event,
            slug=slug,
            defaults={
                "exhibitor": organizations[exhibitor],
                "title": title,
                "summary": summary,
                "countries_served": countries,
                "hall": hall,
                "booth": booth,
            },
        )
        if created:
            exhibit.sectors.set([sectors[s] for s in sector_slugs])


def _eighth_documents(event) -> None:
    """The joint initiative and the press release."""
    Document.objects.get_or_create(
        event=event,
        slug="joint-initiative",
        defaults={
            "kind": Document.Kind.OUTCOME,
            "title": "Joint initiative of the 8th China–Central Asia Cooperation Forum",
            "published_on": datetime.date(2021, 10, 17),
            "summary": (
                "Released at the close of the forum, aiming at more profound and practical openness and "
                "cooperation: deepen trade and economic cooperation and improve modern logistics."
            ),
        },
    )
    Document.objects.get_or_create(
        event=event,
        slug="press-release",
        defaults={
            "kind": Document.Kind.PRESS_RELEASE,
            "title": "8th China–Central Asia Cooperation Forum concluded in Lanzhou",
            "published_on": datetime.date(2021, 10, 22),
            "summary": "Global Times Online press release on the forum's conclusion and its joint initiative.",
            "body": (
                "SCO Secretary-General Vladimir Norov called the forum an authoritative platform for extensive "
                "exchanges between China and Central Asian countries. Alikhan Smailov, First Deputy Prime "
                "Minister of Kazakhstan, proposed putting environmental protection at the top of the agenda and "
                "named health cooperation a priority. Tajikistan's ambassador to China, Saidzoda Zohir, spoke of "
                "a healthy, green and digital Silk Road.\n\nMedia contact: Liu Gehua, Huanqiu.com."
            ),
        },
    )


def _sample_edition(eighth: Event, organizations, sectors, today: datetime.date) -> Event:
    """An upcoming edition about three months from `today`, open for registration, marked as sample."""
    start_on = today + datetime.timedelta(days=91)
    # Its title names no place in the series (Event.title); the number only fills the field.
    sample = clone_event(
        source=eighth, start_on=start_on, edition_number=12, slug=SAMPLE_SLUG, is_sample=True
    )
    sample.theme = "Sample edition: Connectivity, Green Growth and Digital Cooperation"
    sample.summary = (
        "Sample content for trying forum_site: an upcoming hybrid edition with registration open."
    )
    sample.description = (
        "This edition is demonstration data made by cloning the 8th forum. Its dates, capacities and "
        "programme are invented so that registration can be tried."
    )
    sample.city = "Lanzhou, Gansu Province"
    sample.status = Event.Status.PUBLISHED
    sample.registration_opens_at = datetime.datetime.combine(
        today - datetime.timedelta(days=1), datetime.time.min, tzinfo=sample.tz
    )
    sample.registration_closes_at = datetime.datetime.combine(
        start_on - datetime.timedelta(days=14), datetime.time(23, 59), tzinfo=sample.tz
    )
    sample.in_person_capacity = 300
    sample.online_capacity = 500
    sample.contact_email = "registration@example.org"
    # Not the real media contact of the 8th forum: an obviously fictitious one.
    sample.media_contact_name = "Press office (sample)"
    sample.media_contact_organization = ""
    sample.media_contact_email = "press@example.org"
    sample.media_contact_website = ""
    sample.full_clean()
    sample.save()
    _sample_sessions(sample)
    _sample_exhibits(sample, organizations, sectors)
    return sample


def _sample_sessions(sample: Event) -> None:
    """Sample rooms, capacities and interpretation, and a sample stream link for each online session."""
    for sub_forum in sample.sub_forums.all():
        sub_forum.room, sub_forum.in_person_capacity = SAMPLE_PLACES.get(sub_forum.slug, ("", None))
        sub_forum.interpretation_languages = SAMPLE_INTERPRETATION
        if sub_forum.offers_online:
            sub_forum.stream_url = SAMPLE_STREAM_URL.format(slug=sub_forum.slug)
        sub_forum.save()
