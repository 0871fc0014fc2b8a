"""A newcomer's way from an edition's Register button to its registration form, in Russian: the sign-in
page names the edition and offers an account first, sign-up and the emailed confirmation keep where
they were going, and each step says one true thing."""

import re

from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from delegates.models import OutboxMessage
from tests.browser.test_journeys import NEW_EMAIL, NEW_PASSWORD, fill_profile, in_language, label
from tests.factories import open_event

RUSSIAN_SERIES = "Форум сотрудничества «Китай — Центральная Азия»"


def test_newcomer_clicks_register_creates_an_account_and_lands_on_the_registration_form(
    live_server, new_context
):
    t = in_language("ru")
    event = open_event(edition_number=8, series_name_ru=RUSSIAN_SERIES)
    with translation.override("ru"):
        title = event.title
    page = new_context(locale="ru-RU").new_page()
    page.goto(f"{live_server.url}/events/{event.slug}/")
    page.get_by_role("link", name=t("Register"), exact=True).first.click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Register for the %(event)s") % {"event": title}
    )
    why = (
        "To register, you need an account on this site: it keeps your registration, shows you its status and"
        " gives you your badge and letters."
    )
    expect(page.get_by_text(t(why))).to_be_visible()
    page.get_by_role("main").get_by_role("link", name=t("Create an account")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Register for the %(event)s") % {"event": title}
    )
    page.get_by_label(label(t("Email"))).fill(NEW_EMAIL)
    page.get_by_label(label(t("Password"))).fill(NEW_PASSWORD)
    page.get_by_label(label(t("Password (again)"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign Up")).click()
    expect(page.locator(".alert")).to_have_text(
        [t("We have sent a message to %(email)s.") % {"email": NEW_EMAIL}]
    )

    [sent] = [message for message in mail.outbox if message.to == [NEW_EMAIL]]
    assert sent.subject.startswith(f"[{RUSSIAN_SERIES}] ")
    assert OutboxMessage.objects.get(to=NEW_EMAIL).language == "ru"
    page.goto(re.search(r"http\S+/accounts/confirm-email/\S+/", sent.body).group(0))
    page.get_by_role("button", name=t("Confirm")).click()

    # Signed in by the same click, back on the way to the form: one message, the next step.
    expect(page.locator(".alert")).to_have_text([t("Please tell us who you are first.")])
    fill_profile(page, t)
    expect(page).to_have_url(f"{live_server.url}/events/{event.slug}/register/")
    expect(page.get_by_role("button", name=t("Register"))).to_be_visible()
