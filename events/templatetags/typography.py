"""`{{ title|quoted }}` and `{% filter nest_quotes %}…{% endfilter %}`: quotation marks of the active language."""

from django import template
from django.utils.safestring import SafeData, mark_safe

from events import typography

register = template.Library()


@register.filter(is_safe=True)
def quoted(text) -> str:
    """The text in the active language's quotation marks, quotes inside it nested."""
    result = typography.quoted(str(text))
    return mark_safe(result) if isinstance(text, SafeData) else result


@register.filter(is_safe=True)
def nest_quotes(text) -> str:
    """The text with quotes inside quotes in the active language's inner marks."""
    result = typography.nest_quotes(str(text))
    return mark_safe(result) if isinstance(text, SafeData) else result
