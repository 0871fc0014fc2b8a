"""Every page kind, rendered in Chinese and in Russian, shows no English words outside the allowlist
and the content itself: this catches interface strings never marked for translation."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.utils import translation
from modeltranslation.translator import translator

from .site_pages import Upload, build_demo_site

pytestmark = pytest.mark.django_db

# Names and codes that stay as they are in every language (the catalogue test allows the same).
# "English" is the language switcher's name for English; "Enter" is the key; "Asia/Shanghai" a time zone, "UTC"
# the offset it is named with (Russian and Chinese write UTC+8 too).
ALLOWLIST = {"BeiDou", "BDS", "PDF", "QR", "CSV", "XLSX", "ICS", "ics", "UTF", "ISO", "forum_site", "English"}
ALLOWLIST |= {"Enter", "Asia", "Shanghai", "UTC"}
ALLOWLIST |= {"Aigerim", "KZ"}  # examples in messages: a name in Latin letters, a country code
# Machine-readable text (file columns, codes, keys) is marked up as such and is not translated.
MACHINE_TEXT = {"script", "style", "template", "code", "kbd", "samp"}
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


class VisibleText(HTMLParser):
    """Collects what a reader sees or hears: text, and the attributes read out or shown. Machine text
    and content marked `lang="en"` (English shown for a missing translation) are left out."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.machine = 0
        self.english: list[str] = []  # the open element marked lang="en", and any of its kind inside it

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in MACHINE_TEXT:
            self.machine += 1
        opens_english = attributes.get("lang") == "en" and tag != "html"
        if (self.english and tag == self.english[0]) or (not self.english and opens_english):
            self.english.append(tag)
        if self.english:
            return
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in MACHINE_TEXT:
            self.machine -= 1
        if self.english and tag == self.english[0]:
            self.english.pop()

    def handle_data(self, data):
        if not self.machine and not self.english:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible and announced text, without emails and web addresses."""
    parser = VisibleText()
    parser.feed(html)
    return EMAIL_OR_URL.sub(" ", " ".join(parser.parts))


def content_phrases(language: str) -> list[str]:
    """The content as shown in this language: names, organizations, flights, and the
    programme's own texts (which keep some names in Latin letters, like "Global Times Online")."""
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
            fields = translator.get_options_for_model(model).fields
            texts += [str(getattr(item, name) or "") for item in model.objects.all() for name in fields]
    return [text.strip() for text in texts if text.strip()]


def uploaded_cells(page) -> list[str]:
    """What the files a page kind uploads contain (a preview shows it as it is)."""
    return [
        cell.strip()
        for _name, value in page.form
        if isinstance(value, Upload)
        for row in csv.reader(io.StringIO(value.content.decode("utf-8-sig")))
        for cell in row
        if cell.strip()
    ]


def english_words(site, language: str) -> dict[str, set[str]]:
    """For each page kind, the Latin-letter words it shows in this language beyond the allowed ones."""
    content = content_phrases(language)
    found = {}
    for page in site.pages:
        text = visible_text(site.fetch(page, language).decode())
        for phrase in sorted({*content, *uploaded_cells(page)}, key=len, reverse=True):
            text = text.replace(phrase, " ")
        if words := set(LATIN_WORD.findall(text)) - ALLOWLIST:
            found[page.name] = words
    return found


@pytest.mark.parametrize("language", ["zh-hans", "ru"])
def test_no_english_left_on_any_page(language):
    site = build_demo_site()

    assert english_words(site, language) == {}
