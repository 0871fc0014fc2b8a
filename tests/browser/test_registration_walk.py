"""The registration form walked in headless Chromium: a refused submit, fixed and sent, leaves no refused
page in the history; cancelling takes one confirmation; registering again starts from the cancelled
registration."""

import datetime
import re

from playwright.sync_api import expect

from tests.browser.test_journeys import label, sign_in, verified
from tests.factories import ProfileFactory, SubForumFactory, open_event


def session(event, title: str, start: int, end: int):
    """A session of the edition's first day, `start` to `end` o'clock local time."""
    day = event.start_on
    return SubForumFactory(
        event=event,
        title=title,
        starts_at=datetime.datetime.combine(day, datetime.time(start), tzinfo=event.tz),
        ends_at=datetime.datetime.combine(day, datetime.time(end), tzinfo=event.tz),
    )


def test_delegate_fixes_a_refused_form_goes_back_cancels_and_registers_again(live_server, page):
    event = open_event()
    session(event, "BeiDou cooperation", 14, 17)
    session(event, "Green development", 16, 18)
    delegate = verified(ProfileFactory().user)
    register = f"/events/{event.slug}/register/"
    sign_in(page, live_server.url, delegate.email, register)
    beidou = page.get_by_role(
        "checkbox", name=re.compile(r"^BeiDou cooperation · .*, 14:00–17:00 \(Asia.Shanghai, UTC\+8\)")
    )
    green = page.get_by_role("checkbox", name=re.compile(r"^Green development · "))

    page.get_by_label(label("Category")).select_option("government")
    page.get_by_role("radio", name="In person").check()
    beidou.check()
    green.check()  # at the same time: refused in person
    arrival = datetime.datetime.combine(event.start_on - datetime.timedelta(days=1), datetime.time(14, 30))
    page.get_by_label(label("Arrival")).fill(f"{arrival:%Y-%m-%dT%H:%M}")
    page.get_by_label(label("Departure")).fill(f"{arrival + datetime.timedelta(days=4):%Y-%m-%dT%H:%M}")
    page.get_by_label(label("Flight")).fill("KC 891")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    errors = page.get_by_role("alert").filter(has_text="Please correct these errors:")
    expect(errors).to_contain_text("take place at the same time")
    expect(page).to_have_url(f"{live_server.url}{register}")  # the refusal came back by GET
    expect(page.get_by_label(label("Flight"))).to_have_value("KC 891")
    green.uncheck()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{live_server.url}/me/")

    page.go_back()  # the refused form is not in the history: the registration shows, as it is now
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(page.locator(".form-errors")).to_have_count(0)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    assert event.registrations.get(user=delegate).flight == "KC 891"

    page.goto(f"{live_server.url}/me/{event.slug}/cancel/")
    page.get_by_role("button", name="Yes, cancel my registration").click()  # one step
    expect(page).to_have_url(f"{live_server.url}/me/")
    assert event.registrations.get(user=delegate).status == "cancelled"

    page.goto(f"{live_server.url}{register}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    expect(page.get_by_role("radio", name="In person")).to_be_checked()
    expect(beidou).to_be_checked()
    expect(green).not_to_be_checked()
    expect(page.get_by_label(label("Flight"))).to_have_value("KC 891")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    assert event.registrations.get(user=delegate).status == "pending"
