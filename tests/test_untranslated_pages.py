"""Every page kind, rendered in Chinese and in Russian, shows no English words outside the allowlist
and the content's proper names: this catches interface strings never marked for translation."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation
from modeltranslation.translator import translator

from .site_pages import build_demo_site

pytestmark = pytest.mark.django_db

# Names and codes that stay as they are in every language (the catalogue test allows the same).
# "English" is the language switcher's name for English; "Enter" is the key; "Asia/Shanghai" a time zone.
ALLOWLIST = {"BeiDou", "BDS", "PDF", "QR", "CSV", "XLSX", "ICS", "ics", "UTF", "ISO", "forum_site", "English"}
ALLOWLIST |= {"Enter", "Asia", "Shanghai"}
# Machine-readable text (file columns, codes, keys) is marked up as such and is not translated.
MACHINE_TEXT = {"script", "style", "template", "code", "kbd", "samp"}
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


class VisibleText(HTMLParser):
    """Collects what a reader sees or hears: text, and the attributes read out or shown."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in MACHINE_TEXT:
            self.skipping += 1
        attributes = dict(attrs)
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in MACHINE_TEXT:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible and announced text, without emails and web addresses."""
    parser = VisibleText()
    parser.feed(html)
    return EMAIL_OR_URL.sub(" ", " ".join(parser.parts))


def proper_names(language: str) -> set[str]:
    """Latin-letter words of the content: names, organizations, codes, and what the content's own
    translation (or its English fallback) keeps in Latin letters, like "Global Times Online"."""
    from delegates.models import Profile, Registration
    from events.models import Event, Speaker

    texts = [
        *Speaker.objects.values_list("name_latin", flat=True),
        *Event.objects.values_list("media_contact_name", flat=True),
        *Registration.objects.values_list("flight", flat=True),
    ]
    for field in ["given_name_latin", "family_name_latin", "organization", "position"]:
        texts += Profile.objects.values_list(field, flat=True)
    with translation.override(language):
        for model in translator.get_registered_models():
            for item in model.objects.all():
                texts += [
                    str(getattr(item, name) or "") for name in translator.get_options_for_model(model).fields
                ]
    return set(LATIN_WORD.findall(EMAIL_OR_URL.sub(" ", " ".join(texts))))


def english_words(site, language: str) -> dict[str, set[str]]:
    """For each page kind, the Latin-letter words it shows in this language beyond the allowed ones."""
    allowed = ALLOWLIST | proper_names(language)
    found = {}
    for page in site.pages:
        client = Client(headers={"accept-language": language})
        if user := site.user(page.who):
            client.force_login(user)
        response = client.get(page.path)
        assert response.status_code in {200, 404}, page
        words = set(LATIN_WORD.findall(visible_text(response.content.decode()))) - allowed
        if words:
            found[page.name] = words
    return found


@pytest.mark.parametrize("language", ["zh-hans", "ru"])
def test_no_english_left_on_any_page(language):
    site = build_demo_site()

    assert english_words(site, language) == {}
