"""Programme content in three languages: entered per language in the admin, shown in the reader's
language, English where a translation is missing; the demo is loaded in all three."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from modeltranslation.translator import translator

from delegates import services
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.demo import EIGHTH_SLUG, SAMPLE_SLUG, load_demo
from events.models import Document, Event, Exhibit, Organization, Sector, Speaker, SubForum
from events.services import clone_event

from .factories import (
    ExhibitFactory,
    ProfileFactory,
    SubForumFactory,
    open_event,
    registration_data,
    staff_member,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's HTML as text."""
    return response.content.decode()


@pytest.fixture
def event():
    """An open edition with one sub-forum translated into Russian only."""
    event = open_event(theme_en="Connectivity", theme_zh_hans="互联互通", theme_ru="Взаимосвязанность")
    SubForumFactory(
        event=event,
        slug="beidou",
        title_en="BeiDou Cooperation Forum",
        title_ru="Форум сотрудничества по системе Бэйдоу",
        summary_en="Satellite navigation for everyone.",
    )
    return event


@pytest.mark.parametrize(
    ("language", "title", "theme", "sub_forum"),
    [
        ("en", "{n}th China–Central Asia Cooperation Forum", "Connectivity", "BeiDou Cooperation Forum"),
        ("zh-hans", "第十一届中国—中亚合作论坛", "互联互通", "BeiDou Cooperation Forum"),
        (
            "ru",
            "{n}-й форум сотрудничества «Китай — Центральная Азия»",
            "Взаимосвязанность",
            "Форум сотрудничества по системе Бэйдоу",
        ),
    ],
)
def test_programme_shows_content_in_the_readers_language_else_english(
    client, event, language, title, theme, sub_forum
):
    event.edition_number = 11
    event.series_name_zh_hans = "中国—中亚合作论坛"
    event.series_name_ru = "форум сотрудничества «Китай — Центральная Азия»"
    event.save()
    title = title.format(n=11)

    headers = {"accept-language": language}
    page = text_of(client.get(reverse("events:programme", args=[event.slug]), headers=headers))
    home = text_of(client.get(event.get_absolute_url(), headers=headers))

    assert title in page
    assert theme in home
    assert sub_forum in page
    assert "Satellite navigation for everyone." in page  # no translation: English


def test_cached_pages_never_serve_one_language_to_another(client, event):
    url = reverse("events:programme", args=[event.slug])

    english = text_of(client.get(url, headers={"accept-language": "en"}))
    russian = text_of(client.get(url, headers={"accept-language": "ru"}))

    assert "BeiDou Cooperation Forum" in english
    assert "Форум сотрудничества по системе Бэйдоу" in russian
    assert "BeiDou Cooperation Forum" not in russian


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "8th China–Central Asia Cooperation Forum"),
        ("zh-hans", "第八届中国—中亚合作论坛"),
        ("ru", "8-й форум сотрудничества «Китай — Центральная Азия»"),
    ],
)
def test_edition_title_has_the_ordinal_of_each_language(language, expected):
    load_demo()

    with translation.override(language):
        assert Event.objects.get(slug=EIGHTH_SLUG).title == expected


def test_organizer_enters_each_language_in_the_admin_and_finds_it(client, event):
    sub_forum = event.sub_forums.get()
    client.force_login(staff_member(ORGANIZERS))
    url = reverse("admin:events_subforum_change", args=[sub_forum.pk])

    form = client.get(url).context["adminform"].form

    assert {"title_en", "title_zh_hans", "title_ru", "summary_zh_hans", "room_ru"} <= set(form.fields)
    data = {name: value for name, value in form.initial.items() if name in form.fields and value is not None}
    data.update(
        {
            "event": str(event.pk),
            "starts_at_0": f"{sub_forum.starts_at.astimezone(event.tz):%Y-%m-%d}",
            "starts_at_1": f"{sub_forum.starts_at.astimezone(event.tz):%H:%M}",
            "ends_at_0": f"{sub_forum.ends_at.astimezone(event.tz):%Y-%m-%d}",
            "ends_at_1": f"{sub_forum.ends_at.astimezone(event.tz):%H:%M}",
            "title_zh_hans": "中国—中亚北斗合作论坛",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    sub_forum.refresh_from_db()
    assert sub_forum.title_zh_hans == "中国—中亚北斗合作论坛"
    assert sub_forum.title_en == "BeiDou Cooperation Forum"
    found = client.get(reverse("admin:events_subforum_changelist"), {"q": "北斗"})
    assert list(found.context["cl"].result_list) == [sub_forum]


def test_staff_export_names_sub_forums_in_the_staff_members_language(client, event):
    sub_forum = event.sub_forums.get()
    user = ProfileFactory().user
    services.submit_registration(event=event, user=user, details=registration_data(), sub_forums=[sub_forum])
    client.force_login(staff_member(REGISTRATION_STAFF))
    url = reverse("staff:export_csv", args=[event.slug])

    def exported(language):
        """The sub-forums column of the export, downloaded in this language."""
        response = client.post(url, {"col": ["sub_forums"]}, headers={"accept-language": language})
        body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
        return list(csv.reader(io.StringIO(body)))[1:]

    assert exported("ru") == [["Форум сотрудничества по системе Бэйдоу (Подтверждено)"]]
    assert exported("zh-hans")[0][0].startswith("BeiDou Cooperation Forum (")  # no Chinese title: English


def test_cloning_keeps_every_language():
    eighth = load_demo()[EIGHTH_SLUG]

    clone = clone_event(source=eighth, start_on=eighth.start_on.replace(year=2031))

    source = eighth.sub_forums.get(slug="beidou-cooperation")
    copy = clone.sub_forums.get(slug="beidou-cooperation")
    assert (copy.title_en, copy.title_zh_hans, copy.title_ru) == (
        source.title_en,
        source.title_zh_hans,
        source.title_ru,
    )
    assert clone.theme_ru == eighth.theme_ru
    assert clone.slug.startswith("9-china")  # from the English name, whatever the admin's language


@pytest.mark.parametrize("model", [Organization, Event, SubForum, Speaker, Sector, Exhibit, Document])
def test_demo_content_is_in_all_three_languages(model):
    load_demo()

    fields = translator.get_options_for_model(model).fields
    missing = [
        f"{item.pk}.{name}_{code}"
        for item in model.objects.all()
        for name in fields
        for code in ("zh_hans", "ru")
        if getattr(item, f"{name}_en") and not getattr(item, f"{name}_{code}")
    ]
    assert missing == []
    assert model.objects.exists()


def test_demo_reads_in_chinese(client):
    load_demo()

    page = text_of(client.get(f"/events/{SAMPLE_SLUG}/programme/", headers={"accept-language": "zh-hans"}))

    assert "中国—中亚合作论坛（示例届次）" in page
    assert "中国—中亚北斗合作论坛" in page
    assert "上海合作组织秘书长" in page
    assert re.search(r"\d{4}年\d+月\d+日 星期[一二三四五六日]</time>", page)  # a Chinese day heading


def test_exhibit_search_finds_words_of_any_language(client):
    load_demo()
    url = f"/events/{SAMPLE_SLUG}/exhibits/"

    def titles(text, language):
        """The exhibits' detail links found for this search."""
        page = text_of(client.get(url, {"q": text}, headers={"accept-language": language}))
        return sorted(set(re.findall(rf'href="{url}([\w-]+)/"', page)))

    assert titles("北斗", "ru") == ["beidou-navigation-satellite-system"]
    assert titles("BeiDou", "zh-hans") == ["beidou-navigation-satellite-system"]
    assert titles("телемедицины", "en") == ["telemedicine-network"]


def test_english_shown_in_place_of_a_missing_translation_is_marked_as_english(client, event):
    sub_forum = event.sub_forums.get()
    url = reverse("events:sub_forum", args=[event.slug, sub_forum.slug])

    russian = text_of(client.get(url, headers={"accept-language": "ru"}))
    chinese = text_of(client.get(url, headers={"accept-language": "zh-hans"}))
    english = text_of(client.get(url, headers={"accept-language": "en"}))

    assert "<h1>Форум сотрудничества по системе Бэйдоу</h1>" in russian  # translated: the page's language
    assert '<h1 lang="en">BeiDou Cooperation Forum</h1>' in chinese  # no Chinese title: English, marked
    assert '<div class="summary" lang="en">' in russian
    assert "<h1>BeiDou Cooperation Forum</h1>" in english


def test_exhibits_are_listed_by_the_titles_readers_see(client, event):
    for english, russian in [("Zulu stand", None), ("Alpha stand", None), ("Delta stand", "Альфа")]:
        ExhibitFactory(event=event, title_en=english, title_ru=russian, slug=slugify(english))

    page = text_of(
        client.get(reverse("events:exhibits", args=[event.slug]), headers={"accept-language": "ru"})
    )

    shown = re.findall(r'class="exhibit-title"[^>]*>([^<]+)<', page)
    assert shown == ["Alpha stand", "Zulu stand", "Альфа"]  # untranslated ones sort by their English title


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("zh-hans", ["中国", "哈萨克斯坦", "吉尔吉斯斯坦", "塔吉克斯坦", "土库曼斯坦", "乌兹别克斯坦"]),
        ("ru", ["Китай", "Казахстан", "Кыргызстан", "Таджикистан", "Туркменистан", "Узбекистан"]),
    ],
)
def test_the_six_countries_are_named_as_the_forums_protocol_names_them(language, names):
    from django_countries import countries

    with translation.override(language):
        assert [str(countries.name(code)) for code in ["CN", "KZ", "KG", "TJ", "TM", "UZ"]] == names
