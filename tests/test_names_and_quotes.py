"""How people and titles are written in each language: the name in its own script and order with the
honorific (emails, "Signed in as"), the forum's name in allauth's emails, and quotes inside quotes."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from delegates.models import OutboxMessage, Profile
from delegates.notifications import notify, welcome
from events.typography import nest_quotes, quoted

from .factories import ProfileFactory, RegistrationFactory, open_event

RUSSIAN_SERIES = "Форум сотрудничества «Китай — Центральная Азия»"
PASSWORD = "a-Long-passphrase-2026"


def profile(honorific="", given_native="", family_native="", given="Fang", family="Wang") -> Profile:
    """An unsaved profile with these names."""
    return Profile(
        honorific=honorific,
        given_name_native=given_native,
        family_name_native=family_native,
        given_name_latin=given,
        family_name_latin=family,
    )


@pytest.mark.parametrize(
    ("person", "language", "greeting", "display_name"),
    [
        (profile("ms", "芳", "王"), "zh-hans", "尊敬的王芳女士：", "王芳"),
        (profile("ms", "芳", "王"), "en", "Dear Ms Fang Wang,", "Fang Wang"),
        (profile("ms", "芳", "王"), "ru", "Уважаемая госпожа Wang!", "Fang Wang"),
        (profile("he", "芳", "王"), "zh-hans", "尊敬的王芳阁下：", "王芳"),
        (profile("", "芳", "王"), "zh-hans", "尊敬的王芳：", "王芳"),
        (profile("mr", "Иван", "Петров", "Ivan", "Petrov"), "ru", "Уважаемый господин Петров!", "Иван Петров"),
        (profile("prof", "Анна", "Петрова", "Anna", "Petrova"), "ru", "Здравствуйте, профессор Петрова!", "Анна Петрова"),
        (profile("", "Иван", "Петров", "Ivan", "Petrov"), "ru", "Здравствуйте, Иван Петров!", "Иван Петров"),
        (profile("mr", "Иван", "Петров", "Ivan", "Petrov"), "zh-hans", "尊敬的Ivan Petrov先生：", "Ivan Petrov"),
        (profile("mr", "Иван", "Петров", "Ivan", "Petrov"), "en", "Dear Mr Ivan Petrov,", "Ivan Petrov"),
        # A Kazakh delegate who gave Latin letters only: the Latin name, in every language.
        (profile("ms", "Aigerim", "Bekova", "Aigerim", "Bekova"), "ru", "Уважаемая госпожа Bekova!", "Aigerim Bekova"),
        (profile("", "", "", "Aigerim", "Bekova"), "zh-hans", "尊敬的Aigerim Bekova：", "Aigerim Bekova"),
    ],
)  # fmt: skip
def test_the_greeting_and_the_name_follow_the_language(person, language, greeting, display_name):
    with translation.override(language):
        assert (person.greeting, person.display_name) == (greeting, display_name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "greeting"),
    [("zh-hans", "尊敬的王芳女士："), ("ru", "Уважаемая госпожа Wang!"), ("en", "Dear Ms Fang Wang,")],
)
def test_registration_emails_greet_in_the_delegates_language_and_script(language, greeting):
    person = ProfileFactory(
        honorific="ms",
        given_name_native="芳",
        family_name_native="王",
        given_name_latin="Fang",
        family_name_latin="Wang",
        preferred_language=language,
    )
    notify(RegistrationFactory(event=open_event(), user=person.user), "received")
    message = OutboxMessage.objects.get(to=person.user.email)
    assert message.body_text.startswith(f"{greeting}\n")
    assert f"<p>\n    \n      {greeting}\n" in message.body_html


@pytest.mark.django_db
def test_imported_people_are_greeted_in_their_language_and_script():
    person = ProfileFactory(
        honorific="mr", given_name_native="Иван", family_name_native="Петров", preferred_language="ru"
    )
    welcome(open_event(), person.user, created=False)
    assert OutboxMessage.objects.get(to=person.user.email).body_text.startswith(
        "Уважаемый господин Петров!\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "当前登录用户：王芳女士。"),
        ("en", "Signed in as Ms Fang Wang."),
        ("ru", "Вы вошли как госпожа Fang Wang."),
    ],
)
def test_my_page_says_who_is_signed_in_in_the_readers_script(client, language, expected):
    person = ProfileFactory(
        honorific="ms",
        given_name_native="芳",
        family_name_native="王",
        given_name_latin="Fang",
        family_name_latin="Wang",
    )
    client.force_login(person.user)
    response = client.get(reverse("delegates:me"), headers={"accept-language": language})
    assert expected in " ".join(response.content.decode().split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "forum"),
    [
        ("ru", "Форум сотрудничества «Китай — Центральная Азия»"),
        ("zh-hans", "中国—中亚合作论坛"),
        ("en", "China–Central Asia Cooperation Forum"),
    ],
)
def test_the_verification_email_names_the_forum_in_the_readers_language(client, language, forum):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
        headers={"accept-language": language},
    )
    message = OutboxMessage.objects.get(to="new@example.org")
    assert message.language == language
    assert message.subject.startswith(f"[{forum}] ")
    with translation.override(language):
        assert translation.gettext("Hello from %(site_name)s!") % {"site_name": forum} in message.body_text


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "Форум «Китай — ЦА»", "«Форум „Китай — ЦА“»"),
        ("ru", "Форум", "«Форум»"),
        ("en", "The “Silk Road” Forum", "“The ‘Silk Road’ Forum”"),
        ("zh-hans", "“丝路”论坛", "“‘丝路’论坛”"),
    ],
)
def test_quoted_nests_the_languages_marks(language, text, expected):
    assert quoted(text, language) == expected


def test_nest_quotes_leaves_single_quotes_and_apostrophes_alone():
    assert nest_quotes("Women’s «Forum» and «Youth «Forum»»", "ru") == "Women’s «Forum» and «Youth „Forum“»"
    assert nest_quotes("The “Women’s” forum", "en") == "The “Women’s” forum"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject"),
    [
        (
            "ru",
            "Мы получили вашу регистрацию на мероприятие «8-й Форум сотрудничества „Китай — Центральная Азия“»",
        ),
        ("en", "We received your registration for the 8th China–Central Asia Cooperation Forum"),
    ],
)
def test_a_russian_title_quoted_in_an_email_does_not_nest_the_same_marks(language, subject):
    event = open_event(edition_number=8, series_name_ru=RUSSIAN_SERIES)
    person = ProfileFactory(preferred_language=language)
    notify(RegistrationFactory(event=event, user=person.user), "received")
    message = OutboxMessage.objects.get(to=person.user.email)
    assert message.subject == subject
    assert not re.search(r"«[^»]*«", message.subject + message.body_text + message.body_html)


def test_pages_can_nest_quotes_with_the_template_filters():
    with translation.override("ru"):
        page = Template(
            "{% load typography %}{% filter nest_quotes %}«{{ title }}»{% endfilter %} {{ title|quoted }}"
        ).render(Context({"title": "Форум «Китай — ЦА» & <b>"}))
    assert page == "«Форум „Китай — ЦА“ &amp; &lt;b&gt;» «Форум „Китай — ЦА“ &amp; &lt;b&gt;»"
