"""Reading raw request values strictly: whole numbers in ASCII digits, text without control characters.

`str.isdigit()` says yes to "²" (which `int()` refuses) and `int()` reads "٣" and "１"; PostgreSQL
refuses NUL in text and in jsonb. Values that reach a query or a stored row go through here first.
"""

import re
import unicodedata

# A database key or a row number: ASCII digits, no sign, no spaces, within a 64-bit integer.
ASCII_NUMBER = re.compile(r"[0-9]{1,18}")
# Tab, line feed and carriage return are ordinary in pasted text; other controls are never typed.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def ascii_int(value) -> int | None:
    """The whole number written in ASCII digits, or None for anything else (empty, "²", "٣", "-1", huge)."""
    if isinstance(value, str) and ASCII_NUMBER.fullmatch(value):
        return int(value)
    return None


def has_control_characters(value: str) -> bool:
    """Whether the text holds NUL, another control character or a lone surrogate (tab and newlines aside)."""
    return any(unicodedata.category(char) in {"Cc", "Cs"} and char not in ALLOWED_CONTROLS for char in value)


def without_nul(value):
    """The value with each NUL in its strings (keys too, at any depth) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value
