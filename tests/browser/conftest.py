"""Real headless Chromium (Debian's), driven by Playwright against pytest-django's live server.

Every test here is a `django_db(transaction=True, serialized_rollback=True)` test: the live server
runs in another thread, and the rollback restores the roles the migrations created. On failure, a
screenshot of each open page is kept in `test-artifacts/`, next to the test report.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps dialling out (there is no internet here) and fails.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # without a JUnit report


def pytest_collection_modifyitems(items):
    """Mark every browser test as a transactional database test."""
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so from here on Django keeps
    # its connections in the loop's context, not the thread's: new connection objects, which lack
    # the database contents serialized at setup if the database was set up by an earlier (non-browser)
    # test. Without them, serialized_rollback restores nothing and the roles are gone after the
    # first browser test. Hand them over.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    # Playwright's sync API runs an event loop in this thread, which Django's ORM would refuse; only
    # while browser tests run (they are transactional, so pytest-django runs them last).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        yield driver
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def launch(playwright_driver, *extra_args: str):
    """Start headless Debian Chromium with the flags this machine needs, plus any given."""
    return playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """A plain browser, shared by the tests that need no special camera."""
    browser = launch(playwright_driver)
    yield browser
    browser.close()


@pytest.fixture
def new_context(request, browser):
    """Make browser contexts (one per user); on failure, screenshot every page they opened."""
    contexts = []

    def make(*, on=browser, **options):
        options.setdefault("locale", "en-GB")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = on.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    folder = artifacts_folder(request.config)
    for number, context in enumerate(contexts):
        if failed:
            folder.mkdir(parents=True, exist_ok=True)
            for page_number, page in enumerate(context.pages):
                name = f"{request.node.name}-{number}-{page_number}.png".replace("/", "_")
                page.screenshot(path=str(folder / name), full_page=True)
        context.close()


def artifacts_folder(config) -> Path:
    """Where failure screenshots go: beside the JUnit report when there is one (make test writes it)."""
    report = config.getoption("xmlpath", None)
    return Path(report).resolve().parent if report else ARTIFACTS


@pytest.fixture
def page(new_context):
    """A page in a fresh English context."""
    return new_context().new_page()
