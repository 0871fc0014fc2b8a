"""One rule for text people type: no invisible character that can hide or reorder what others read.

Refused, never stripped: a name must reach badges, letters and lists exactly as it was typed, so
the person sees which character to remove. What is refused:
- control characters (Unicode category Cc), except tab and line breaks in multi-line text;
- format characters (Cf): bidirectional overrides, embeddings and isolates (U+202A-202E,
  U+2066-2069), direction marks (U+200E, U+200F, U+061C), zero-width space (U+200B), byte-order
  mark (U+FEFF), soft hyphen, word joiner, tag characters...;
- line and paragraph separators (U+2028, U+2029), and lone surrogates.
Zero-width joiner and non-joiner (U+200D, U+200C) are part of how Persian, Indic and other scripts
spell names, so they are allowed between two letters (or a letter and its combining mark) and
refused anywhere else, where they could only hide something.
NUL is left to Django, whose form fields refuse it already ("Null characters are not allowed.")."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

JOINERS = {"\u200c", "\u200d"}
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
LINE_BREAKS = {"\t", "\n", "\r"}


def _is_letter(character: str) -> bool:
    """Letters and combining marks, the characters a joiner may stand between."""
    return unicodedata.category(character)[0] in "LM"


def hidden_character(text: str, *, multi_line: bool = False) -> str:
    """The first character of `text` that must not be there, or "" when the text is plain."""
    for index, character in enumerate(text):
        if character == "\x00" or (multi_line and character in LINE_BREAKS):
            continue
        if character in JOINERS:
            if 0 < index < len(text) - 1 and _is_letter(text[index - 1]) and _is_letter(text[index + 1]):
                continue
            return character
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            return character
    return ""


def describe(character: str) -> str:
    """A character as people can look it up: "U+202E RIGHT-TO-LEFT OVERRIDE"."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X} {name}".rstrip()


def _validate(value, *, multi_line: bool) -> None:
    """Raise a ValidationError naming the first hidden character of `value`."""
    character = hidden_character(str(value), multi_line=multi_line)
    if character:
        raise ValidationError(
            _(
                "Remove the invisible character %(character)s: it can hide or reorder what others "
                "read. Type the text again rather than pasting it."
            ),
            code="hidden_character",
            params={"character": describe(character)},
        )


def validate_single_line(value) -> None:
    """The plain-text rule for a name or any one-line field."""
    _validate(value, multi_line=False)


def validate_multi_line(value) -> None:
    """The plain-text rule for a text area: tabs and line breaks allowed."""
    _validate(value, multi_line=True)


def apply_plain_text_rule(field) -> None:
    """Put the plain-text rule on a form field that takes text (multi-line for text areas; never passwords)."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        multi_line = isinstance(field.widget, forms.Textarea)
        field.validators.append(validate_multi_line if multi_line else validate_single_line)


class PlainTextFormMixin:
    """Puts the plain-text rule on every text field of the form (multi-line for text areas).

    Forms that take names or free text inherit it, so a field added later is covered too; the
    admin's forms get it from SafeInputAdminMixin (events/admin.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            apply_plain_text_rule(field)
