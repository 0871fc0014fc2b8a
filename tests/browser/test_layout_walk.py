"""Layouts measured in real Chromium: the admin's list of registrations at a laptop's width, and the
site's header in each language at a desktop's, a small laptop's and a phone's width."""

from django.test import Client
from playwright.sync_api import expect

from delegates import services
from delegates.demo import load_demo_delegates
from events.demo import SAMPLE_SLUG, load_demo
from events.models import Event
from tests.factories import ProfileFactory, registration_data, superuser

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


def test_the_admin_list_of_registrations_shows_status_category_and_mode_at_1280_px(live_server, new_context):
    load_demo()
    load_demo_delegates()
    sample = Event.objects.get(slug=SAMPLE_SLUG)
    long_named = ProfileFactory(
        given_name_latin="Aleksandra-Konstantina",
        family_name_latin="Nurmukhamedova-Abdurakhmanova",
        organization="Ministry of Industry, Infrastructure Development and International Economic Cooperation",
    ).user
    services.submit_registration(event=sample, user=long_named, details=registration_data(), sub_forums=[])
    page = signed_in(
        new_context, live_server, superuser(), viewport={"width": 1280, "height": 800}
    ).new_page()
    page.goto(f"{live_server.url}/admin/delegates/registration/")
    expect(page.get_by_role("row", name="Aleksandra-Konstantina")).to_be_visible()
    for column in ("status", "category", "mode"):
        header = page.locator(f"#result_list th.column-{column}")
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, f"the {column} column ends at {box['x'] + box['width']} px"
    table_overflow = page.locator("#result_list").evaluate(
        "table => table.parentElement.scrollWidth - table.parentElement.clientWidth"
    )
    assert (table_overflow, page.evaluate(OVERFLOW)) == (0, 0)
