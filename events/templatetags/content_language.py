"""Mark programme content shown in English on a page in another language, for screen readers.

`<h1{% lang_of exhibit "title" %}>{{ exhibit.title }}</h1>` adds ` lang="en"` when the exhibit has
no title in the reader's language and the English one shows instead (WCAG 3.1.2, language of parts).
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


@register.simple_tag
def lang_of(item, field: str) -> str:
    """` lang="en"` if this translated field falls back to English here, else nothing."""
    language = get_language() or settings.LANGUAGE_CODE
    if item is None or language == settings.LANGUAGE_CODE:
        return ""
    if getattr(item, build_localized_fieldname(field, language), None):
        return ""
    fallback = getattr(item, build_localized_fieldname(field, settings.LANGUAGE_CODE), None)
    return mark_safe(f' lang="{settings.LANGUAGE_CODE}"') if fallback else ""
