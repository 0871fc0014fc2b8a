"""Mark programme content shown in English on a page in another language, for screen readers.

`<h1{% lang_of exhibit "title" %}>{{ exhibit.title }}</h1>` adds ` lang="en"` when the exhibit has
no title in the reader's language and the English one shows instead (WCAG 3.1.2, language of parts).
"""

from django import template
from django.utils.safestring import mark_safe
from modeltranslation.settings import DEFAULT_LANGUAGE

from events.translation import shows_fallback

register = template.Library()


@register.simple_tag
def lang_of(item, field: str) -> str:
    """` lang="en"` if this translated field falls back to English here, else nothing."""
    if item is not None and shows_fallback(item, field):
        return mark_safe(f' lang="{DEFAULT_LANGUAGE}"')
    return ""
