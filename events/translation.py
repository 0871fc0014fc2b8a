"""Programme content entered per language (django-modeltranslation); a missing language shows English.

Each field below gets `_en`, `_zh_hans` and `_ru` columns; reading the plain name gives the reader's
language, falling back to English.
"""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.translator import TranslationOptions, register
from modeltranslation.utils import build_localized_fieldname, get_language

from .models import Document, Event, Exhibit, Organization, Sector, Speaker, SubForum


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name", "short_name")


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("series_name", "theme", "summary", "description", "city", "venue", "media_contact_organization")


@register(SubForum)
class SubForumTranslation(TranslationOptions):
    fields = ("title", "summary", "room", "interpretation_languages")


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("position", "bio")


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name",)


@register(Exhibit)
class ExhibitTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "image_alt")


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


def localized(path: str) -> Coalesce:
    """A translated field as an expression: the reader's language, else English, as pages show it.

    For what modeltranslation does not rewrite with the fallback: lookups through a model that is not
    translated (`localized("sub_forum__title")` on SubForumSeat) and ordering (`order_by`).
    """
    current = build_localized_fieldname(path, get_language())
    english = build_localized_fieldname(path, DEFAULT_LANGUAGE)
    return Coalesce(NullIf(F(current), Value("")), F(english), output_field=CharField())


def in_every_language(*names: str) -> list[str]:
    """Each language's version of these translated fields (for searches that match any language)."""
    return [build_localized_fieldname(name, code) for name in names for code in AVAILABLE_LANGUAGES]


def shows_fallback(item, field: str) -> bool:
    """Whether a translated field shows English here because the reader's language has no text."""
    language = get_language()
    if language == DEFAULT_LANGUAGE:
        return False
    own = getattr(item, build_localized_fieldname(field, language), None)
    return not own and bool(getattr(item, build_localized_fieldname(field, DEFAULT_LANGUAGE), None))
