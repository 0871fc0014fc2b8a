"""An edition's title in each language: Chinese counts editions in Chinese numerals; a sample
edition has no place in the real series."""

import pytest
from django.utils import translation

from events.models import chinese_number

from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("number", "chinese"),
    [
        (1, "一"),
        (8, "八"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (105, "一百零五"),
        (110, "一百一十"),
    ],
)
def test_chinese_numerals(number, chinese):
    assert chinese_number(number) == chinese


def test_chinese_title_counts_the_edition_in_chinese_numerals():
    event = EventFactory(edition_number=12, series_name="Forum", series_name_zh_hans="中国—中亚合作论坛")

    with translation.override("zh-hans"):
        assert event.title == "第十二届中国—中亚合作论坛"


def test_a_sample_editions_title_has_no_number_in_any_language():
    event = EventFactory(
        edition_number=12,
        is_sample=True,
        series_name="China–Central Asia Cooperation Forum",
        series_name_ru="форум сотрудничества «Китай — Центральная Азия»",
    )

    titles = {}
    for language in ("en", "ru", "zh-hans"):
        with translation.override(language):
            titles[language] = event.title
    assert titles["en"] == "China–Central Asia Cooperation Forum: sample edition"
    assert titles["ru"] == "Форум сотрудничества «Китай — Центральная Азия» (демонстрационная версия)"
    assert all("12" not in title and "十二" not in title for title in titles.values())


@pytest.mark.parametrize(
    ("number", "russian"), [(1, "1-й"), (8, "8-й"), (11, "11-й"), (21, "21-й"), (102, "102-й")]
)
def test_russian_title_counts_every_edition_with_a_russian_ending(number, russian):
    event = EventFactory(edition_number=number, series_name="Forum", series_name_ru="форум")

    with translation.override("ru"):
        assert event.title == f"{russian} форум"
