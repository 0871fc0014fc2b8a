"""factory-boy factories for every model; no surprises, every default valid."""

import datetime
import zoneinfo

import factory

from delegates.models import User
from delegates.rules import RegistrationDetails
from events.models import (
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

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


def add_totp(user: User) -> None:
    """Give the account a TOTP authenticator, as staff need for /staff/ and /admin/ (FORUM_STAFF_MFA_REQUIRED)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    # A real (encrypted) secret: a page that checks a code must be able to compute one.
    TOTP.activate(user, generate_totp_secret())


def superuser(*, with_totp: bool = True) -> User:
    """A superuser who has set up two-factor authentication."""
    user = UserFactory(is_staff=True, is_superuser=True)
    if with_totp:
        add_totp(user)
    return user


def staff_member(group_name: str, *, with_totp: bool = True) -> User:
    """A staff account in a role group, with a TOTP authenticator unless asked otherwise."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    if with_totp:
        add_totp(user)
    return user


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.GOVERNMENT
    country = "CN"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    edition_number = factory.Sequence(lambda n: n + 1)
    series_name = SERIES_NAME
    slug = factory.Sequence(lambda n: f"edition-{n}")
    theme = factory.Sequence(lambda n: f"Theme number {n}")
    city = "Lanzhou"
    time_zone = "Asia/Shanghai"
    start_on = datetime.date(2031, 10, 15)
    end_on = datetime.date(2031, 10, 17)
    status = Event.Status.PUBLISHED


class EventRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRole

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = EventRole.Role.HOST


class SubForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubForum

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Sub-forum {n}")
    slug = factory.Sequence(lambda n: f"sub-forum-{n}")
    # An edition's sessions follow each other in the order they are made, two hours each from 8:00
    # on its first day, so that several may be chosen in person (in person, they may not overlap)
    # and they are listed in the order they were made.
    starts_at = factory.LazyAttribute(
        lambda o: (
            datetime.datetime.combine(o.event.start_on, datetime.time(8), tzinfo=SHANGHAI)
            + datetime.timedelta(hours=2 * (o.event.sub_forums.count() if o.event.pk else 0))
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    room = "Hall A"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name_latin = factory.Sequence(lambda n: f"Speaker {n}")
    position = "Minister"
    organization = factory.SubFactory(OrganizationFactory)
    country = "KZ"
    protocol_rank = factory.Sequence(lambda n: n + 1)


class AppearanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appearance

    sub_forum = factory.SubFactory(SubForumFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = Appearance.Role.SPEAKER


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class ExhibitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exhibit
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    exhibitor = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Exhibit {n}")
    slug = factory.Sequence(lambda n: f"exhibit-{n}")
    summary = "An exhibit."
    countries_served = ["CN"]

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        """Attach the sectors given as `sectors=[...]`."""
        if create and extracted:
            self.sectors.set(extracted)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    slug = factory.Sequence(lambda n: f"document-{n}")
    kind = Document.Kind.OUTCOME
    published_on = datetime.date(2031, 10, 17)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegates.Profile"

    user = factory.SubFactory(UserFactory)
    given_name_latin = factory.Sequence(lambda n: f"Given{n}")
    family_name_latin = "Delegate"
    position = "Counsellor"
    organization = "Ministry of Foreign Affairs"
    country = "KZ"
    phone = "+77012345678"
    preferred_language = "en"


def registration_data(event: Event | None = None, **overrides) -> RegistrationDetails:
    """What the registration form hands the services (an online delegate unless told otherwise).

    In person with an `event`, the delegate arrives the day before it starts and leaves the day after."""
    values = {
        "category": "government",
        "mode": "online",
        "interpretation_language": "en",
        "consent_version": "2026-11",
    }
    if event is not None and overrides.get("mode") == "in_person":
        arrival = datetime.datetime.combine(
            event.start_on - datetime.timedelta(days=1), datetime.time(15), tzinfo=event.tz
        )
        values.update(arrival_at=arrival, departure_at=arrival + datetime.timedelta(days=4))
    return RegistrationDetails(**{**values, **overrides})


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A stored registration row, for read-only pages; state changes go through the services."""

    class Meta:
        model = "delegates.Registration"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    category = "government"
    mode = "online"
    status = "pending"
    consent_version = "2026-11"
    consented_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    seat_requested_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))


def open_event(**overrides) -> Event:
    """An edition 60 days from now with registration open (from yesterday for 30 days)."""
    now = datetime.datetime.now(datetime.UTC)
    values = {
        "slug": "forum",
        "start_on": (now + datetime.timedelta(days=60)).date(),
        "end_on": (now + datetime.timedelta(days=62)).date(),
        "registration_opens_at": now - datetime.timedelta(days=1),
        "registration_closes_at": now + datetime.timedelta(days=30),
    }
    return EventFactory(**{**values, **overrides})


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegates.Delegation"

    event = factory.SubFactory(EventFactory)
    name_en = factory.Sequence(lambda n: f"Delegation {n}")
    kind = "government"
    country = "KZ"


class InvitationFactory(factory.django.DjangoModelFactory):
    """A single-use invitation to an edition, bound to nothing."""

    class Meta:
        model = "delegates.Invitation"

    event = factory.SubFactory(EventFactory)


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    """An edition's visa letter template, without pictures, with every placeholder in each language."""

    class Meta:
        model = "delegates.LetterTemplate"

    event = factory.SubFactory(EventFactory)
    issuing_body = "Organizing Committee"
    signatory_name = "Li Ming"
    signatory_title = "Secretary-General"
    body_en = (
        "To the consular office.\n\n{name_latin} ({name_native}), passport {passport_number}, "
        "a citizen of {nationality} born on {birth_date} (passport valid until {passport_expires_on}), "
        "is invited {purpose}, in {city} from {start_on} to {end_on}.\n\nReference {reference}, {issued_on}."
    )
    body_zh_hans = (
        "兹邀请{name_native}（护照号码{passport_number}）于{start_on}至{end_on}在{city}参加{edition}。"
    )
    body_ru = "Приглашаем {name_native} (паспорт {passport_number}) принять участие в {edition}, {city}."
