"""The Chinese and Russian catalogues are complete: a fresh makemessages finds nothing untranslated.

The test copies the sources to a temporary folder, extracts the messages there (so the working tree
is not touched), and fails on any untranslated or fuzzy entry, a Chinese entry without Chinese
characters, a Russian one without Cyrillic, or one identical to its English source outside a short
allowlist of names and codes."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["manage.py", "forum_site", "events", "delegates", "templates", "locale"]
ALLOWLIST = {"BeiDou", "PDF", "QR", "CSV", "XLSX", "ICS", "Email", "(none)"}
SCRIPTS = {"ru": re.compile(r"[\u0400-\u04ff]"), "zh_Hans": re.compile(r"[\u4e00-\u9fff]")}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def has_words(msgid: str) -> bool:
    """Whether a message has words to translate, not just placeholders (like "%(ordinal)s %(series)s")."""
    return bool(re.search(r"[^\W\d_]", PLACEHOLDER.sub("", msgid)))


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    """The catalogues as makemessages leaves them after reading today's sources."""
    copy = tmp_path_factory.mktemp("project")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ru",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--verbosity",
            "0",
        ],
        cwd=copy,
        check=True,
        env={
            "DJANGO_DEBUG": "true",
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "forum_site.settings",
        },
    )
    return {
        language: polib.pofile(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        for language in SCRIPTS
    }


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_catalogue_is_complete_and_in_its_script(fresh_catalogues, language):
    catalogue = fresh_catalogues[language]
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags or not all(texts):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        for text in texts:
            if not has_words(entry.msgid):  # only placeholders: translators may reorder them
                continue
            if entry.msgid in ALLOWLIST and text == entry.msgid:
                continue
            if text == entry.msgid:
                problems.append(f"same as English: {entry.msgid!r}")
            elif not SCRIPTS[language].search(text):
                problems.append(f"not in the language's script: {entry.msgid!r} -> {text!r}")
    assert problems == []
