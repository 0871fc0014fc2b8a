"""The Nu HTML Checker (vnu.jar) finds no error in any page kind of `tests/site_pages.py`, in any of
the three languages. Java starts slowly, so every page is written to disk and checked in one run."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.site_pages import LANGUAGES, build_demo_site

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(paths: list[Path]) -> list[dict]:
    """Run the checker once over the files; return its messages (errors, and files it could not read)."""
    java = shutil.which("java")
    assert java, "Java is needed to run the Nu HTML Checker: `make browser-tools` installs it."
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--errors-only", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout, result.stderr
    return json.loads(result.stdout)["messages"]


@pytest.mark.django_db
def test_every_page_kind_is_valid_html_in_every_language(tmp_path):
    """Render all page kinds in en, zh-hans and ru, check them in one run, and list every error."""
    site = build_demo_site()
    pages = {}
    for language in LANGUAGES:
        for number, page_kind in enumerate(site.pages):
            path = tmp_path / f"{language}-{number:02d}.html"
            path.write_bytes(site.fetch(page_kind, language))
            pages[path] = (page_kind, language)

    errors = vnu_errors(list(pages))

    by_name = {path.name: page for path, page in pages.items()}
    report = []
    for error in errors:
        page_kind, language = by_name.get(error.get("url", "").rsplit("/", 1)[-1], (None, None))
        where = f"{page_kind.name} [{language}] {page_kind.path}" if page_kind else error.get("url", "?")
        report.append(
            f"{where}, line {error.get('lastLine', '?')}: {error['message']}\n    {error.get('extract', '')!r}"
        )
    assert not report, "The Nu HTML Checker found errors:\n" + "\n".join(report)
