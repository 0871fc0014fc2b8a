"""Sample delegates for the sample edition, so that staff pages, exports, badges and the desk can be
tried at once. Every name is invented (sample content), and every organization they work for is marked
"(sample)", so that no invented person reads as a real institution's; loading twice changes nothing.

The 8th forum's delegations are the participants the seed names (China, the five Central Asian
countries, international organizations); their protocol order and quotas are sample data, as is
everything about the sample edition's delegations, its focal point and its invitation codes."""

import datetime
import io

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from events.demo import EIGHTH_SLUG, SAMPLE_SLUG
from events.models import Event

from . import invitations, letters, services
from .models import Delegation, Invitation, LetterTemplate, Profile, Registration, User, VisaLetter

# (English, Russian, Chinese name, kind, country, protocol order, quota in person, quota online)
DEMO_DELEGATIONS = [
    ("China", "Китай", "中国", Delegation.Kind.GOVERNMENT, "CN", 1, 30, 20),
    ("Kazakhstan", "Казахстан", "哈萨克斯坦", Delegation.Kind.GOVERNMENT, "KZ", 2, 15, 5),
    ("Kyrgyzstan", "Кыргызстан", "吉尔吉斯斯坦", Delegation.Kind.GOVERNMENT, "KG", 3, 10, 5),
    ("Tajikistan", "Таджикистан", "塔吉克斯坦", Delegation.Kind.GOVERNMENT, "TJ", 4, 10, 5),
    ("Turkmenistan", "Туркменистан", "土库曼斯坦", Delegation.Kind.GOVERNMENT, "TM", 5, 10, 5),
    ("Uzbekistan", "Узбекистан", "乌兹别克斯坦", Delegation.Kind.GOVERNMENT, "UZ", 6, 15, 5),
    (
        "International organizations",
        "Международные организации",
        "国际组织",
        Delegation.Kind.INTERNATIONAL,
        "",
        7,
        10,
        10,
    ),
]
SAMPLE_NOTE = (
    "Sample data: the seed names the participating countries and international organizations only; "
    "protocol order, quotas, focal points and members are invented."
)
FOCAL_POINT_EMAIL = "focal.point@example.org"
FOCAL_POINT_DELEGATION = "Kazakhstan"
# The sample invitations create_demo_accounts keeps ready and prints: (delegation, category, uses).
DEMO_INVITATIONS = [("Kazakhstan", "government", 5), ("Uzbekistan", "government", 1), (None, "", 1)]
DEMO_INVITATION_NOTE = "Sample invitation (demo)"

# (given Latin, family Latin, given native, family native, country, organization, category, mode, sub-forums)
SAMPLE_DELEGATES = [
    (
        "Aigerim",
        "Bekova",
        "Айгерим",
        "Бекова",
        "KZ",
        "Ministry of Foreign Affairs of Kazakhstan (sample)",
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
        "China Satellite Navigation Office (sample)",
        "government",
        "in_person",
        ["beidou-cooperation"],
    ),
    (
        "Na",
        "Li",
        "娜",
        "李",
        "CN",
        "Gansu Provincial Foreign Affairs Office (sample)",
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
        "Embassy of the Republic of Tajikistan in China (sample)",
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
        ["opening-ceremony", "commerce-logistics"],
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
        "Jie",
        "Chen",
        "杰",
        "陈",
        "CN",
        "Huanqiu.com (sample)",
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
    load_demo_delegations()
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
        _join_delegation(registration, country, category)
        created += 1
    load_demo_letters()
    return created


# The sample edition's visa letter: every line says it is a sample, so that it never serves for a visa.
SAMPLE_LETTER = {
    "issuing_body": "Organizing Committee of the sample edition (sample)",
    "signatory_name": "Sample Signatory",
    "signatory_title": "Secretary-General (sample)",
    "body_en": (
        "SAMPLE LETTER: demonstration data, not valid for a visa application.\n\n"
        "To the consular office concerned.\n\nThe Organizing Committee invites {name_latin} ({name_native}), "
        "a citizen of {nationality} born on {birth_date}, passport {passport_number} valid until "
        "{passport_expires_on}, {purpose}, held in {city} from {start_on} to {end_on}.\n\n"
        "Reference {reference}, issued on {issued_on}."
    ),
    "body_zh_hans": (
        "示例信函：演示数据，不可用于签证申请。\n\n致有关领事机构：\n\n组委会邀请{name_native}（{name_latin}），"
        "{nationality}公民，出生日期{birth_date}，护照号码{passport_number}（有效期至{passport_expires_on}），"
        "于{start_on}至{end_on}在{city}{purpose}。\n\n编号{reference}，签发日期{issued_on}。"
    ),
    "body_ru": (
        "ОБРАЗЕЦ ПИСЬМА: демонстрационные данные, не годится для получения визы.\n\n"
        "В консульское учреждение.\n\nОргкомитет приглашает {name_native} ({name_latin}), гражданина(ку) "
        "{nationality}, дата рождения {birth_date}, паспорт {passport_number} (действителен до "
        "{passport_expires_on}), {purpose}, в {city} с {start_on} по {end_on}\n\n"  # a date ends in "г."
        "Номер {reference}, дата выдачи {issued_on}"
    ),
}
SAMPLE_LETTER_HOLDER = "aigerim.bekova@sample.example.org"
SAMPLE_PASSPORT = "N00000001"


def load_demo_letters() -> int:
    """The sample edition's letter template (with a sample letterhead) and one sample delegate's issued
    letter, where missing; return how many letters are new."""
    event = Event.objects.filter(slug=SAMPLE_SLUG).first()
    registration = Registration.objects.filter(event=event, user__email=SAMPLE_LETTER_HOLDER).first()
    if event is None or registration is None:
        return 0
    if not LetterTemplate.objects.filter(event=event).exists():
        template = LetterTemplate(event=event, **SAMPLE_LETTER)
        template.letterhead.save("sample-letterhead.png", ContentFile(_sample_letterhead()), save=False)
        template.save()
    if registration.visa_letters.filter(status__in=VisaLetter.VALID).exists():
        return 0
    Registration.objects.filter(
        pk=registration.pk
    ).update(  # sample passport data, as an import would give it
        wants_visa_letter=True,
        passport_nationality="KZ",
        passport_expires_on=event.end_on + datetime.timedelta(days=900),
    )
    registration.refresh_from_db()
    registration.passport_number = SAMPLE_PASSPORT  # encrypted on save (delegates/encryption.py)
    registration.passport_birth_date = datetime.date(1985, 4, 12)
    registration.save(update_fields=["passport_number", "passport_birth_date"])
    letters.issue_letter(registration=registration, actor=None)
    return 1


def _sample_letterhead() -> bytes:
    """A plain banner reading SAMPLE LETTERHEAD, as a PNG."""
    image = Image.new("RGB", (1200, 160), "#1f4e79")
    font = ImageFont.load_default(size=48)
    ImageDraw.Draw(image).text((40, 50), "SAMPLE LETTERHEAD (demonstration only)", fill="white", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def load_demo_delegations() -> int:
    """Give the 8th forum and the sample edition their delegations (where missing); return how many are new."""
    created = 0
    for event in Event.objects.filter(slug__in=[EIGHTH_SLUG, SAMPLE_SLUG]):
        for english, russian, chinese, kind, country, order, in_person, online in DEMO_DELEGATIONS:
            _delegation, made = Delegation.objects.get_or_create(
                event=event,
                name_en=english,
                defaults={
                    "name_ru": russian,
                    "name_zh_hans": chinese,
                    "kind": kind,
                    "country": country,
                    "protocol_order": order,
                    "quota_in_person": in_person,
                    "quota_online": online,
                    "notes": SAMPLE_NOTE,
                },
            )
            created += made
    return created


def _join_delegation(registration: Registration, country: str, category: str) -> None:
    """Sample government delegates join their country's delegation, international ones theirs."""
    delegations = Delegation.objects.filter(event=registration.event)
    if category == "government":
        delegation = delegations.filter(kind=Delegation.Kind.GOVERNMENT, country=country).first()
    elif category == "international":
        delegation = delegations.filter(kind=Delegation.Kind.INTERNATIONAL).first()
    else:
        return
    if delegation is not None:
        # Sample data within the sample quotas: set directly, as an organizer's import would attach it.
        Registration.objects.filter(pk=registration.pk).update(delegation=delegation)


@transaction.atomic
def prepare_invitation_demo() -> tuple[User | None, list[Invitation]]:
    """Make the sample edition by invitation, with a focal point for one delegation and a few valid
    sample invitations (made again when used up); return the focal point and the invitations."""
    event = Event.objects.filter(slug=SAMPLE_SLUG).first()
    if event is None:
        return None, []
    event.access = Event.Access.INVITATION
    event.save(update_fields=["access"])
    load_demo_delegations()
    delegations = {delegation.name_en: delegation for delegation in event.delegations.all()}
    focal_point, _made = User.objects.get_or_create(email=FOCAL_POINT_EMAIL)
    EmailAddress.objects.update_or_create(
        user=focal_point, email=FOCAL_POINT_EMAIL, defaults={"verified": True, "primary": True}
    )
    delegations[FOCAL_POINT_DELEGATION].focal_points.add(focal_point)
    ready = []
    for name, category, uses in DEMO_INVITATIONS:
        delegation = delegations.get(name) if name else None
        mine = Invitation.objects.filter(
            event=event, note=DEMO_INVITATION_NOTE, delegation=delegation, category=category, max_uses=uses
        )
        valid = [invitation for invitation in mine if invitations.invitation_state(invitation) == "valid"]
        ready += valid[:1] or invitations.create_invitations(
            event=event,
            actor=None,
            delegation=delegation,
            category=category,
            max_uses=uses,
            note=DEMO_INVITATION_NOTE,
        )
    return focal_point, ready
