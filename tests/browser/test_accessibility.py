"""axe-core in real pages: every page kind of `tests/site_pages.py`, in each working language, has no
violation of axe's default rules (WCAG 2.0, 2.1 and 2.2 A and AA, and best practices), none turned off.
A refused form ties each error to its field and announces a summary."""

from pathlib import Path

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart

from tests.factories import ProfileFactory, SubForumFactory, open_event
from tests.site_pages import LANGUAGES, PageKind, build_demo_site

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BOUNDARY = "BoUnDaRyStRiNg"  # what Django's test client uses; any string absent from the data works
# The visible error messages a control is described by: its own aria-describedby, or (radio buttons
# and checkboxes of one field, as Django renders them) that of the fieldset around it.
ERROR_TEXTS = """control => {
    const described = control.closest('[aria-describedby]');
    const ids = described ? described.getAttribute('aria-describedby').split(' ') : [];
    return ids.map(id => document.getElementById(id))
        .filter(element => element && element.matches('.invalid-feedback') && element.checkVisibility())
        .map(element => element.innerText);
}"""


def language_context(new_context, live_server, language: str):
    """A browser context in the language, without the site's CSP, so that axe can be injected."""
    context = new_context(bypass_csp=True, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


def sign_in(context, live_server, user) -> None:
    """Make the context's visitor this user (None: signed out), through a session of the test client."""
    context.clear_cookies(name="sessionid")
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def open_page_kind(page, live_server, kind: PageKind) -> None:
    """Show the page; for a page kind with a form, the answer to that form posted from the page."""
    url = live_server.url + kind.path
    response = page.goto(url)
    if kind.form:
        token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
        body = encode_multipart(BOUNDARY, {**kind.form_data(), "csrfmiddlewaretoken": token})

        def as_post(route):
            """Send the navigation as the form's POST."""
            headers = {**route.request.headers, "content-type": MULTIPART_CONTENT}
            route.continue_(method="POST", post_data=body, headers=headers)

        page.route(url, as_post, times=1)
        response = page.goto(url)
    assert response.status == kind.status, f"{kind.name}: {response.status}"


def axe_violations(page) -> list[dict]:
    """Run axe-core's default rule set over the page as shown; return its violations."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]


def describe(kind: PageKind, language: str, violations: list[dict]) -> str:
    """Each violation with what a reader needs to fix it: rule, impact, help, and the failing nodes."""
    lines = []
    for violation in violations:
        lines.append(
            f"{kind.name} [{language}] {kind.path}: {violation['id']} ({violation['impact']}): "
            f"{violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html']}")
            lines.append(f"      {node['failureSummary']}".replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_kind_has_no_axe_violation(language, live_server, new_context):
    """Sweep every page kind signed in as its user; list every violation of every page at once."""
    site = build_demo_site()
    context = language_context(new_context, live_server, language)
    page = context.new_page()
    problems = []
    who = "nobody yet"
    for kind in site.pages:
        if kind.who != who:
            who = kind.who
            sign_in(context, live_server, site.user(who))
        open_page_kind(page, live_server, kind)
        assert page.locator("html").get_attribute("lang") == language, kind.name
        violations = axe_violations(page)
        if violations:
            problems.append(describe(kind, language, violations))
    assert not problems, "axe-core found violations:\n" + "\n".join(problems)


def test_a_refused_registration_ties_each_error_to_its_field_and_announces_a_summary(
    live_server, new_context
):
    """Submit the empty form: every invalid control points at its visible error; the summary has focus."""
    event = open_event(slug="forum")
    SubForumFactory(event=event, slug="opening")
    kind = PageKind("registration form, submitted empty", "/events/forum/register/")
    context = language_context(new_context, live_server, "en")
    sign_in(context, live_server, ProfileFactory().user)
    page = context.new_page()
    page.goto(live_server.url + kind.path)
    page.get_by_role("button", name="Register").click()

    invalid = page.locator("[aria-invalid=true]")
    names = sorted(set(invalid.evaluate_all("controls => controls.map(control => control.name)")))
    assert names == ["category", "consent", "mode"]
    for control in invalid.all():
        errors = control.evaluate(ERROR_TEXTS)
        assert len(errors) == 1, control.evaluate("control => control.outerHTML")
        assert errors[0].strip()

    summary = page.get_by_role("alert")
    assert summary.count() == 1
    assert summary.evaluate("summary => summary === document.activeElement")
    links = summary.get_by_role("link")
    assert links.count() == 3
    for link in links.all():
        target = link.get_attribute("href")
        assert page.locator(target).get_attribute("aria-invalid") == "true", target
    violations = axe_violations(page)
    assert not violations, describe(kind, "en", violations)
