"""Quotation marks as each language sets them, without nesting the same marks.

Russian titles are often quoted already (Форум сотрудничества «Китай — Центральная Азия»); a
sentence that quotes such a title again would read «…«…»». Russian typography uses „…“ inside
«…», and Chinese and English use ‘…’ inside “…”."""

from django.utils import translation

# language: (open, close, inner open, inner close)
MARKS = {
    "ru": ("«", "»", "„", "“"),
    "zh": ("“", "”", "‘", "’"),
    "en": ("“", "”", "‘", "’"),
}


def marks(language: str | None = None) -> tuple[str, str, str, str]:
    """The quotation marks of `language` (the active one by default)."""
    language = (language or translation.get_language() or "en").lower()
    return MARKS.get(language.split("-")[0], MARKS["en"])


def nest_quotes(text: str, language: str | None = None) -> str:
    """The text with quotes inside quotes set in the language's inner marks: «a «b» c» → «a „b“ c»."""
    outer_open, outer_close, inner_open, inner_close = marks(language)
    # Only unambiguous marks count: in Russian “ closes an inner quote, and ’ is also an apostrophe.
    opening, closing = ({"«", "„"}, {"»", "“"}) if outer_open == "«" else ({"“"}, {"”"})
    depth = 0
    result = []
    for char in text:
        if char in opening:
            char = outer_open if depth % 2 == 0 else inner_open
            depth += 1
        elif char in closing and depth:
            depth -= 1
            char = outer_close if depth % 2 == 0 else inner_close
        result.append(char)
    return "".join(result)


def quoted(text: str, language: str | None = None) -> str:
    """The text in the language's quotation marks, its own quotes nested: «Форум „Китай — ЦА“»."""
    outer_open, outer_close, _inner_open, _inner_close = marks(language)
    return nest_quotes(f"{outer_open}{text}{outer_close}", language)
