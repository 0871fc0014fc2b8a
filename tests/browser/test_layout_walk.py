"""Layouts measured in real Chromium: the admin's list of registrations at a laptop's width, and the
site's header in each language at a desktop's, a small laptop's and a phone's width."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from delegates import services
from delegates.demo import load_demo_delegates
from delegates.roles import REGISTRATION_STAFF
from events.demo import SAMPLE_SLUG, load_demo
from events.models import Event
from tests.factories import ProfileFactory, registration_data, staff_member, superuser

# What a page's width is wider than the window by (0: it never scrolls sideways).
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def signed_in(new_context, live_server, user, **options):
    """A browser context whose visitor is this user (None: signed out), via the test client's session."""
    context = new_context(**options)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    return context


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_the_admin_list_of_registrations_shows_status_category_and_mode_at_1280_px(
    live_server, new_context, language
):
    load_demo()
    load_demo_delegates()
    sample = Event.objects.get(slug=SAMPLE_SLUG)
    long_named = ProfileFactory(
        given_name_latin="Aleksandra-Konstantina",
        family_name_latin="Nurmukhamedova-Abdurakhmanova",
        organization="Ministry of Industry, Infrastructure Development and International Economic Cooperation",
    ).user
    services.submit_registration(event=sample, user=long_named, details=registration_data(), sub_forums=[])
    context = signed_in(new_context, live_server, superuser(), viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/delegates/registration/")
    # Every word of the page is in its language: Django's own "Filter by" above the date bar too.
    assert "Filter by" not in page.locator("#content").inner_text() or language == "en"
    expect(page.get_by_role("row", name="Aleksandra-Konstantina")).to_be_visible()
    for column in ("status", "category", "mode"):
        header = page.locator(f"#result_list th.column-{column}")
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, f"the {column} column ends at {box['x'] + box['width']} px"
    table_overflow = page.locator("#result_list").evaluate(
        "table => table.parentElement.scrollWidth - table.parentElement.clientWidth"
    )
    assert (table_overflow, page.evaluate(OVERFLOW)) == (0, 0)


# The header as laid out: each link's top and number of lines, the name's lines, the language form's row.
HEADER = """() => {
    const lines = element => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
    };
    const links = [...document.querySelectorAll('.site-header .navbar-nav .nav-link')];
    const form = document.querySelector('.site-header .language-switcher');
    const controls = [...form.querySelectorAll('select, button')].map(e => e.getBoundingClientRect());
    return {
        links: links.map(link => [link.textContent.trim(), Math.round(link.getBoundingClientRect().top), lines(link)]),
        brandLines: lines(document.querySelector('.site-header .navbar-brand')),
        languageTops: controls.map(box => Math.round(box.top)),
        languageRight: Math.round(Math.max(...controls.map(box => box.right))),
    };
}"""


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru"])
def test_the_header_keeps_its_links_on_one_line_in_each_language(live_server, new_context, language):
    """At 1280 and 1024 px, signed out and signed in as staff (the most links): the links on one row,
    none broken inside, the forum's name in at most two lines, no sideways scrolling; at 390 px the
    menu button opens the links. The languages, in their own bar, are in sight at every width."""
    staff = staff_member(REGISTRATION_STAFF)
    for who in (None, staff):
        context = signed_in(new_context, live_server, who, locale=language)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        for width in (1280, 1024, 390):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{live_server.url}/events/")
            if width == 390:
                page.locator(".site-header .navbar-toggler").click()
                expect(page.locator("#site-nav .nav-link").last).to_be_visible()
            header = page.evaluate(HEADER)
            where = f"{language}, {width} px, {'staff' if who else 'visitor'}: {header}"
            assert page.evaluate(OVERFLOW) == 0, where
            assert {lines for _text, _top, lines in header["links"]} == {1}, where
            assert max(header["languageTops"]) - min(header["languageTops"]) <= 4, where
            assert header["languageRight"] <= width, where
            if width > 390:
                tops = [top for _text, top, _lines in header["links"]]
                assert max(tops) - min(tops) <= 2 and header["brandLines"] <= 2, where
