"""Sample delegates for the sample edition, so that staff pages, exports, badges and the desk can be
tried at once. Every name is invented (sample content); loading twice changes nothing."""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction

from events.demo import SAMPLE_SLUG
from events.models import Event

from . import services
from .models import Profile, User

# (given Latin, family Latin, given native, family native, country, organization, category, mode, sub-forums)
SAMPLE_DELEGATES = [
    (
        "Aigerim",
        "Bekova",
        "Айгерим",
        "Бекова",
        "KZ",
        "Ministry of Foreign Affairs of Kazakhstan",
        "government",
        "in_person",
        ["beidou-cooperation", "green-development"],
    ),
    (
        "Nurlan",
        "Sadykov",
        "Нурлан",
        "Садыков",
        "KZ",
        "Kazakhstan Space Agency (sample)",
        "government",
        "in_person",
        ["beidou-cooperation"],
    ),
    (
        "Wei",
        "Zhang",
        "伟",
        "张",
        "CN",
        "China Satellite Navigation Office",
        "government",
        "in_person",
        ["beidou-cooperation"],
    ),
    (
        "Li",
        "Na",
        "娜",
        "李",
        "CN",
        "Gansu Provincial Foreign Affairs Office",
        "government",
        "in_person",
        ["womens-development"],
    ),
    (
        "Dilnoza",
        "Aliyeva",
        "Дилноза",
        "Алиева",
        "UZ",
        "Tashkent Logistics Hub (sample)",
        "business",
        "in_person",
        ["commerce-logistics"],
    ),
    (
        "Bakyt",
        "Osmonov",
        "Бакыт",
        "Осмонов",
        "KG",
        "Kyrgyz National University (sample)",
        "academia",
        "online",
        ["green-development"],
    ),
    (
        "Farrukh",
        "Rahimov",
        "Фаррух",
        "Рахимов",
        "TJ",
        "Embassy of the Republic of Tajikistan in China",
        "government",
        "in_person",
        ["commerce-logistics"],
    ),
    (
        "Maral",
        "Atayeva",
        "Марал",
        "Атаева",
        "TM",
        "Ministry of Trade of Turkmenistan (sample)",
        "government",
        "online",
        [],
    ),
    (
        "Elena",
        "Petrova",
        "Елена",
        "Петрова",
        "RU",
        "SCO Secretariat (sample)",
        "international",
        "in_person",
        ["opening-ceremony"],
    ),
    (
        "Chen",
        "Jie",
        "杰",
        "陈",
        "CN",
        "Huanqiu.com",
        "media",
        "in_person",
        ["opening-ceremony", "closing-ceremony"],
    ),
]


@transaction.atomic
def load_demo_delegates() -> int:
    """Register the sample delegates for the sample edition (approved); return how many are new."""
    event = Event.objects.filter(slug=SAMPLE_SLUG).first()
    if event is None:
        return 0
    created = 0
    for number, (
        given,
        family,
        given_native,
        family_native,
        country,
        organization,
        category,
        mode,
        slugs,
    ) in enumerate(SAMPLE_DELEGATES):
        email = f"{given.lower()}.{family.lower()}@sample.example.org"
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Profile.objects.create(
            user=user,
            given_name_latin=given,
            family_name_latin=family,
            given_name_native=given_native,
            family_name_native=family_native,
            position="Delegate (sample)",
            organization=organization,
            country=country,
            phone=f"+7701000{number:04d}",
            preferred_language="zh-hans" if country == "CN" else "ru",
        )
        details = services.RegistrationDetails(
            category=category, mode=mode, interpretation_language="ru", consent_version="sample"
        )
        if mode == "in_person":
            arrival = datetime.datetime.combine(
                event.start_on - datetime.timedelta(days=1), datetime.time(14 + number % 6), tzinfo=event.tz
            )
            details = details.replace(
                arrival_at=arrival,
                departure_at=arrival + datetime.timedelta(days=4),
                flight=f"CZ {6000 + number}",
            )
        registration = services.submit_registration(
            event=event,
            user=user,
            details=details,
            sub_forums=list(event.sub_forums.filter(slug__in=slugs)),
            imported=True,
        )
        services.approve_registration(registration=registration, actor=None)
        created += 1
    return created
