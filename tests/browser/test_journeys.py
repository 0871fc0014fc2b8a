"""Whole journeys people make through the site, driven in headless Chromium against the live server:
a visitor reading in Russian, a delegate from sign-up to badge, an online delegate's stream links,
staff exporting and admitting at the door with the camera, a registration made by keyboard only, and
a delegation invited by an organizer and registered by its focal point within its quota."""

import csv
import datetime
import io
import re
import time
from pathlib import Path

import icalendar
import pypdfium2
import pytest
import zxingcpp
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from PIL import Image
from playwright.sync_api import expect

from delegates import services
from delegates.demo import load_demo_delegates
from delegates.models import AuditEntry, CheckIn, Delegation, Invitation, OutboxMessage, Registration
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.calendar import sub_forum_uid
from events.demo import SAMPLE_SLUG, load_demo
from events.models import AttendanceMode, Event
from tests.browser.conftest import launch
from tests.factories import ProfileFactory, SubForumFactory, open_event, registration_data, staff_member

PASSWORD = "correct horse battery staple"  # the factories' password
NEW_EMAIL = "aigerim.bekova@example.kz"
NEW_PASSWORD = "Steppe-Wind-2031"
CSV_HEADER = [
    "Family name (Latin)", "Given name (Latin)", "Family name (native)", "Given name (native)",
    "Honorific", "Position", "Organization", "Country", "Category", "Attendance", "Status",
    "Sub-forums (seat)", "Email", "Phone", "Arrival", "Departure", "Flight", "Accommodation needed",
    "Dietary needs", "Interpretation", "Checked in", "Delegation",
]  # fmt: skip
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {id: element.id, outline: style.outlineStyle, shadow: style.boxShadow};
}"""
VALUES = "ids => ids.map(id => document.getElementById(id).value)"


def label(text: str) -> re.Pattern:
    """A field's visible label, with or without the required-field asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}\*?\s*$")


def verified(user):
    """The account with its email address verified, as allauth requires before signing in."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(page, base_url: str, email: str, path: str = "/me/", totp_secret: str = "") -> None:
    """Open a page that needs an account and sign in on the real sign-in page (with a TOTP code if given)."""
    page.goto(f"{base_url}{path}")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
        page.get_by_label(label("Code")).fill(current_totp(totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base_url}{path}")


def current_totp(secret: str) -> str:
    """The code the organizer's authenticator app shows; like a person, wait for a fresh one near expiry."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 10:  # the server accepts only the current period's code (TOTP_TOLERANCE is 0)
        time.sleep(left)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def qr_codes(pdf: bytes) -> list:
    """The QR codes printed on the first page of a PDF, as zxing-cpp reads them."""
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    return [(code, page) for code in zxingcpp.read_barcodes(page)]


def held_up_to_the_camera(pdf: bytes, token: str) -> Image.Image:
    """One badge's QR code, cut from the printed sheet, filling a 640x480 camera frame on white."""
    [(code, sheet)] = [(code, sheet) for code, sheet in qr_codes(pdf) if code.text == token]
    corners = [
        getattr(code.position, corner) for corner in ("top_left", "top_right", "bottom_left", "bottom_right")
    ]
    left, top = min(point.x for point in corners), min(point.y for point in corners)
    right, bottom = max(point.x for point in corners), max(point.y for point in corners)
    margin = (right - left) // 6  # the white quiet zone a reader needs around the code
    qr = sheet.crop((left - margin, top - margin, right + margin, bottom + margin)).convert("L")
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(qr.resize((360, 360), Image.Resampling.NEAREST), (140, 60))
    return frame


def write_y4m(path: Path, picture: Image.Image, frames: int = 5) -> None:
    """A YUV4MPEG2 (4:2:0) video of the same picture, for Chromium's fake camera."""
    y, cb, cr = picture.convert("YCbCr").split()
    half = (picture.width // 2, picture.height // 2)
    frame = b"FRAME\n" + y.tobytes()
    frame += cb.resize(half, Image.Resampling.BOX).tobytes() + cr.resize(half, Image.Resampling.BOX).tobytes()
    header = f"YUV4MPEG2 W{picture.width} H{picture.height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)


@pytest.fixture
def camera_browser(playwright_driver, tmp_path):
    """Start a Chromium whose camera films the given picture (closed after the test)."""
    browsers = []

    def start(picture: Image.Image):
        video = tmp_path / "camera.y4m"
        write_y4m(video, picture)
        browsers.append(
            launch(
                playwright_driver,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            )
        )
        return browsers[-1]

    yield start
    for browser in browsers:
        browser.close()


def assert_focus_visible(page) -> None:
    """The focused element draws a focus ring: an outline or a box shadow."""
    focused = page.evaluate(FOCUSED)
    assert focused["outline"] != "none" or focused["shadow"] != "none", focused


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the element matching the selector has the focus, visibly."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{selector} never got the focus")


def type_local_datetime(page, moment: datetime.datetime) -> None:
    """Type a date and time, segment by segment, into the focused datetime-local field."""
    # Debian's Chromium lays these fields out as mm/dd/yyyy, hh:mm AM/PM whatever the page's locale;
    # callers check the field's value, so another layout fails there, plainly.
    page.keyboard.type(moment.strftime("%m%d%Y"))
    page.keyboard.press("Tab")  # the year takes up to six digits, so it does not move on by itself
    page.keyboard.type(moment.strftime("%I%M%p")[:5])


def test_visitor_reads_the_programme_in_russian_filters_exhibits_and_takes_the_calendar(live_server, page):
    """Switch to Russian on the home page, read the programme, filter exhibits, download the .ics."""
    sample = load_demo()[SAMPLE_SLUG]
    page.goto(f"{live_server.url}/")
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Сменить")).to_be_visible()
    assert page.url == f"{live_server.url}/"  # the same page, now in Russian
    edition_nav = page.get_by_role("navigation", name="Форум")
    edition_nav.get_by_role("link", name="Программа").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Программа")
    expect(page.get_by_text("Всё время указано по местному времени (Asia/Shanghai).")).to_be_visible()
    beidou = sample.sub_forums.get(slug="beidou-cooperation")
    expect(page.get_by_role("heading", name=beidou.title_ru)).to_be_visible()  # the content, in Russian
    expect(page.get_by_text(beidou.title_en)).to_have_count(0)

    edition_nav.get_by_role("link", name="Экспозиции").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Экспозиции")
    expect(page.get_by_role("status")).to_have_text("Найдено 5 экспозиций.")
    page.get_by_label("Отрасль").select_option("logistics")
    page.get_by_label("Страна охвата").select_option("TM")
    page.get_by_role("button", name="Применить").click()
    expect(page).to_have_url(re.compile(r"/exhibits/\?.*sector=logistics&country=TM$"))
    expect(page.get_by_role("status")).to_have_text("Найдено 2 экспозиции.")
    shown = [link.get_attribute("href") for link in page.locator("a.exhibit-title").all()]
    assert sorted(shown) == [
        f"/events/{SAMPLE_SLUG}/exhibits/beidou-navigation-satellite-system/",
        f"/events/{SAMPLE_SLUG}/exhibits/lanzhou-logistics-port/",
    ]

    edition_nav.get_by_role("link", name="Программа").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    assert download_info.value.suggested_filename == f"{SAMPLE_SLUG}-programme.ics"
    calendar = icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    entries = {(str(entry["uid"]), entry.decoded("dtstart")) for entry in calendar.walk("VEVENT")}
    assert entries == {
        (sub_forum_uid(sub_forum), sub_forum.starts_at) for sub_forum in sample.sub_forums.all()
    }
    assert len(entries) == 6


def in_language(language: str):
    """The interface's words in a language, looked up in the real catalogues (ours, Django's, allauth's)."""

    def words(text: str) -> str:
        """One message, translated; a form's label may be a model field's lower-case name, capitalised."""
        with translation.override(language):
            found = gettext(text)
            if found == text and language != "en":
                found = capfirst(gettext(text[0].lower() + text[1:]))
            return found

    return words


def sign_up_and_confirm(page, base_url: str, t) -> None:
    """Create an account and follow the link of the confirmation email the outbox delivered."""
    page.goto(f"{base_url}/accounts/signup/")
    page.get_by_label(label(t("Email"))).fill(NEW_EMAIL)
    page.get_by_label(label(t("Password"))).fill(NEW_PASSWORD)
    page.get_by_label(label(t("Password (again)"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign Up")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Verify Your Email Address"))
    stored = OutboxMessage.objects.get(to=NEW_EMAIL)
    [sent] = [message for message in mail.outbox if message.to == [NEW_EMAIL]]
    assert (stored.status, stored.subject) == (OutboxMessage.Status.SENT, sent.subject)
    page.goto(re.search(r"http\S+/accounts/confirm-email/\S+/", sent.body).group(0))
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page).to_have_url(f"{base_url}/me/")
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified


def fill_profile(page, t) -> None:
    """Who the delegate is, in both scripts."""
    page.get_by_label(label(t("Given name (native script)"))).fill("Айгерим")
    page.get_by_label(label(t("Family name (native script)"))).fill("Бекова")
    page.get_by_label(label(t("Given name (Latin letters, as in the passport)"))).fill("Aigerim")
    page.get_by_label(label(t("Family name (Latin letters, as in the passport)"))).fill("Bekova")
    page.get_by_label(label(t("Position"))).fill("Counsellor")
    page.get_by_label(label(t("Organization"))).fill("Ministry of Foreign Affairs of Kazakhstan")
    page.get_by_label(label(t("Country"))).select_option("KZ")
    page.get_by_label(label(t("Phone"))).fill("+7 701 234 5678")
    page.get_by_role("button", name=t("Save")).click()


def register_in_person_with_a_visa_letter(page, event, t, language: str) -> None:
    """Two sub-forums, travel dates inside the window, and the passport for the invitation letter."""
    arrival = datetime.datetime.combine(event.start_on - datetime.timedelta(days=1), datetime.time(14, 30))
    with translation.override(language):  # the sub-forums' titles, as the delegate reads them
        titles = [
            event.sub_forums.get(slug=slug).title for slug in ("beidou-cooperation", "green-development")
        ]
    page.get_by_label(label(t("Category"))).select_option("government")
    page.get_by_role("radio", name=t("In person")).check()
    for title in titles:
        page.get_by_role("checkbox", name=re.compile(f"^{re.escape(title)}")).check()
    page.get_by_label(label(t("Arrival"))).fill(f"{arrival:%Y-%m-%dT%H:%M}")
    page.get_by_label(label(t("Departure"))).fill(f"{arrival + datetime.timedelta(days=4):%Y-%m-%dT%H:%M}")
    page.get_by_label(label(t("Flight"))).fill("KC 891")
    page.get_by_label(label(t("Visa invitation letter requested"))).check()
    page.get_by_label(label(t("Passport number"))).fill("N12345678")
    page.get_by_label(label(t("Nationality"))).select_option("KZ")
    page.get_by_label(label(t("Date of birth"))).fill("1985-04-12")
    page.get_by_label(label(t("Passport expiry"))).fill(f"{event.end_on.year + 5}-01-31")
    page.get_by_label(
        t("I have read the privacy notice and agree that my data is processed to organize my participation.")
    ).check()
    page.get_by_role("button", name=t("Register")).click()


def approve_in_the_admin(page, base_url: str, email: str) -> None:
    """An organizer with a TOTP authenticator signs in to the admin in two steps and approves."""
    organizer = verified(staff_member(ORGANIZERS, with_totp=False))
    secret = generate_totp_secret()
    TOTP.activate(organizer, secret)
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=%2Fadmin%2F")
    page.get_by_label(label("Email")).fill(organizer.email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.get_by_label(label("Code")).fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base_url}/admin/")
    page.get_by_role("link", name="Registrations").click()
    page.get_by_role("row", name=re.compile(re.escape(email))).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Approve the selected registrations")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text("Registrations approved: 1.")).to_be_visible()


@pytest.mark.parametrize(("language", "browser_locale"), [("en", "en-GB"), ("zh-hans", "zh-CN")])
def test_new_delegate_registers_is_approved_in_the_admin_and_downloads_a_badge(
    live_server, new_context, language, browser_locale
):
    """Sign up, confirm, profile, register in person; an organizer approves; the badge's QR is theirs.

    The delegate's browser asks for English, or for Chinese: the whole way is then in Chinese."""
    t = in_language(language)
    sample = load_demo()[SAMPLE_SLUG]
    page = new_context(locale=browser_locale).new_page()
    sign_up_and_confirm(page, live_server.url, t)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/events/{SAMPLE_SLUG}/")
    page.get_by_role("link", name=t("Register"), exact=True).first.click()
    expect(page.get_by_text(t("Please tell us who you are first."))).to_be_visible()
    fill_profile(page, t)
    expect(page.get_by_text(t("Your profile is saved."))).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/events/{SAMPLE_SLUG}/register/")
    register_in_person_with_a_visa_letter(page, sample, t, language)

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(
        page.get_by_text(t("Your registration is received and waits for the organizers' approval."))
    ).to_be_visible()
    card = page.locator("section.registration")
    expect(card.locator(".badge")).to_have_text(t("Pending approval"))
    with translation.override(language):
        titles = [
            sample.sub_forums.get(slug=slug).title for slug in ("beidou-cooperation", "green-development")
        ]
    confirmed = re.escape(t("Confirmed").lower())
    expect(card.locator(".seats li")).to_have_text(
        [re.compile(rf"{re.escape(title)}.*:\s+{confirmed}") for title in titles]
    )
    passport = t("Passport:")
    expect(card.get_by_text(passport)).to_have_text(f"{passport} •••••••78")  # masked, even to its owner
    registration = Registration.objects.get(user__email=NEW_EMAIL)
    assert (registration.status, registration.mode, registration.passport_number) == (
        "pending",
        "in_person",
        "N12345678",
    )
    assert sorted(registration.sub_forums.values_list("slug", flat=True)) == [
        "beidou-cooperation",
        "green-development",
    ]

    approve_in_the_admin(new_context().new_page(), live_server.url, NEW_EMAIL)
    page.reload()
    expect(card.locator(".badge")).to_have_text(t("Approved"))
    registration.refresh_from_db()
    assert registration.status == "approved"
    kinds = OutboxMessage.objects.filter(to=NEW_EMAIL).values_list("kind", "status")
    assert ("registration_approved", "sent") in set(kinds)
    approval = OutboxMessage.objects.get(to=NEW_EMAIL, kind="registration_approved")
    with translation.override(language):  # the emails are in the delegate's language too
        assert sample.title in approval.subject
    # Chromium shows an inline PDF in its viewer; the file itself is fetched with the browser's session.
    badge_link = page.get_by_role("link", name=t("Download your badge (PDF)"))
    badge = page.request.get(f"{live_server.url}{badge_link.get_attribute('href')}")
    assert badge.headers["content-type"] == "application/pdf"
    assert [code.text for code, _page in qr_codes(badge.body())] == [registration.badge_token]


def test_online_delegate_sees_stream_links_only_once_approved(live_server, page):
    """Pending: no stream link on /me/; approved by an organizer: each sub-forum's link shows."""
    event = open_event()
    beidou = SubForumFactory(
        event=event, title="BeiDou cooperation", stream_url="https://live.example.org/beidou"
    )
    green = SubForumFactory(
        event=event, title="Green development", stream_url="https://live.example.org/green"
    )
    delegate = verified(ProfileFactory().user)
    registration = services.submit_registration(
        event=event, user=delegate, details=registration_data(mode="online"), sub_forums=[beidou, green]
    )
    sign_in(page, live_server.url, delegate.email)
    card = page.locator("section.registration")
    expect(card.locator(".badge")).to_have_text("Pending approval")
    expect(
        card.get_by_text("Next: the organizers review your registration and write to you.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Stream link")).to_have_count(0)

    services.approve_registration(registration=registration, actor=staff_member(ORGANIZERS))
    page.reload()
    expect(card.locator(".badge")).to_have_text("Approved")
    expect(card.get_by_text("Next: follow your sub-forums online with the links below.")).to_be_visible()
    links = page.get_by_role("link", name="Stream link")
    expect(links).to_have_count(2)
    assert [link.get_attribute("href") for link in links.all()] == [beidou.stream_url, green.stream_url]


# camera_browser comes before new_context, so the contexts (and their failure screenshots) are
# closed before the camera's browser is.
def test_staff_export_the_filtered_list_and_admit_a_badge_with_the_camera(
    live_server, camera_browser, new_context
):
    """Filter approved BeiDou delegates, export them as CSV, then admit one badge once at the door."""
    sample = load_demo()[SAMPLE_SLUG]
    load_demo_delegates()
    beidou = sample.sub_forums.get(slug="beidou-cooperation")
    pending = verified(ProfileFactory(given_name_latin="Pending", family_name_latin="Person").user)
    services.submit_registration(event=sample, user=pending, details=registration_data(), sub_forums=[beidou])
    staff = verified(staff_member(REGISTRATION_STAFF, with_totp=False))
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)  # staff read personal data: two-factor authentication is required
    page = new_context().new_page()
    sign_in(page, live_server.url, staff.email, f"/staff/{SAMPLE_SLUG}/registrations/", secret)

    filters = page.get_by_role("form", name="Filter registrations")
    filters.get_by_label(label("Status")).select_option("approved")
    filters.get_by_label(label("Sub-forum")).select_option(label=beidou.title)
    filters.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("3 registrations.")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == CSV_HEADER
    assert sorted((row[0], row[1], row[10]) for row in rows) == [
        ("Bekova", "Aigerim", "Approved"),
        ("Sadykov", "Nurlan", "Approved"),
        ("Zhang", "Wei", "Approved"),
    ]
    export = AuditEntry.objects.get(action="export")
    assert (export.actor, export.data["rows"]) == (staff, 3)

    zhang = sample.registrations.get(user__email="wei.zhang@sample.example.org")
    # The sheet is a POST of the list's form (its filters, CSRF token); fetched here to hold it up.
    print_button = page.get_by_role("button", name="Print badges")
    sheet = page.request.post(
        f"{live_server.url}{print_button.get_attribute('formaction')}",
        form=print_button.evaluate("button => Object.fromEntries(new FormData(button.form))"),
    )
    assert sheet.headers["content-type"] == "application/pdf"
    camera = camera_browser(held_up_to_the_camera(sheet.body(), zhang.badge_token))
    desk_device = new_context(on=camera, permissions=["camera"])
    # The desk's device is already signed in as this staff member: signing in again within the
    # same 30 seconds would reuse the TOTP code, which allauth refuses.
    desk_device.add_cookies(page.context.cookies())
    desk = desk_device.new_page()
    desk.goto(f"{live_server.url}/staff/{SAMPLE_SLUG}/check-in/")
    desk.get_by_role("button", name="Scan with the camera").click()
    outcome = desk.locator("[data-outcome]")
    expect(outcome.locator(".alert-success p").first).to_have_text("Admitted.")
    expect(outcome).to_contain_text("Wei Zhang")
    expect(desk.locator("[data-admitted]")).to_have_text("1")
    assert list(CheckIn.objects.values_list("registration", "sub_forum", "checked_in_by")) == [
        (zhang.pk, None, staff.pk)
    ]

    desk.get_by_role("button", name="Stop the camera").click()
    desk.get_by_role("button", name="Scan with the camera").click()  # the same badge again
    expect(outcome.locator(".alert-danger p").first).to_contain_text("Already admitted at")
    expect(outcome.locator(".alert-danger")).not_to_contain_text("Refused")
    expect(outcome).to_contain_text(f"by {staff.email}.")
    expect(desk.locator("[data-admitted]")).to_have_text("1")
    assert CheckIn.objects.count() == 1


def test_delegate_registers_with_the_keyboard_only(live_server, new_context):
    """Tab, Shift+Tab, Space, arrows, typing and Enter: a refused submit focuses the errors."""
    page = new_context(locale="en-US").new_page()  # date fields laid out mm/dd/yyyy, as typed below
    event = open_event()
    beidou = SubForumFactory(event=event, title="BeiDou cooperation")
    green = SubForumFactory(event=event, title="Green development")
    SubForumFactory(event=event, title="Closing ceremony")
    delegate = verified(ProfileFactory().user)
    sign_in(page, live_server.url, delegate.email, f"/events/{event.slug}/register/")

    tab_to(page, "#id_category")
    page.keyboard.type("Gov")
    tab_to(page, "#id_mode_0")
    page.keyboard.press("ArrowDown")  # online: the travel fields hide
    expect(page.get_by_role("group", name="Travel (in person only)")).to_be_hidden()
    page.keyboard.press("ArrowUp")  # in person after all
    expect(page.get_by_role("group", name="Travel (in person only)")).to_be_visible()
    tab_to(page, "#id_sub_forums_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_flight")
    page.keyboard.type("KC 891")
    tab_to(page, ".registration-form [type=submit]")  # no travel dates and no consent yet
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert").filter(has_text="Please correct these errors:")
    expect(summary).to_be_focused()  # the focus is taken to the errors, and role=alert announces them
    expect(summary.get_by_role("link")).to_have_text(
        ["Arrival", "Departure", re.compile("^I have read the privacy")]
    )
    assert page.evaluate(VALUES, ["id_category", "id_flight"]) == ["government", "KC 891"]  # kept
    expect(page.get_by_role("radio", name="In person")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^BeiDou cooperation"))).to_be_checked()

    page.keyboard.press("Tab")
    assert_focus_visible(page)
    page.keyboard.press("Enter")  # the summary's link to the arrival field
    expect(page.locator("#id_arrival_at")).to_be_focused()
    arrival = datetime.datetime.combine(event.start_on - datetime.timedelta(days=1), datetime.time(14, 30))
    departure = datetime.datetime.combine(event.end_on + datetime.timedelta(days=1), datetime.time(9, 15))
    type_local_datetime(page, arrival)
    tab_to(page, "#id_departure_at")
    type_local_datetime(page, departure)
    assert page.evaluate(VALUES, ["id_arrival_at", "id_departure_at"]) == [
        f"{arrival:%Y-%m-%dT%H:%M}",
        f"{departure:%Y-%m-%dT%H:%M}",
    ]
    tab_to(page, "#id_sub_forums_1", backwards=True)
    page.keyboard.press("Space")  # Green development too
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, ".registration-form [type=submit]")
    page.keyboard.press("Enter")

    # The redirect keeps the #fragment that the summary's link added to the form's address.
    expect(page).to_have_url(re.compile(rf"^{live_server.url}/me/(#id_arrival_at)?$"))
    expect(page.locator("section.registration .badge")).to_have_text("Pending approval")
    registration = event.registrations.get(user=delegate)
    assert (registration.status, registration.mode, registration.category, registration.flight) == (
        "pending",
        "in_person",
        "government",
        "KC 891",
    )
    assert (registration.arrival_at, registration.departure_at) == (
        arrival.replace(tzinfo=event.tz),
        departure.replace(tzinfo=event.tz),
    )
    assert set(registration.sub_forums.all()) == {beidou, green}
    assert registration.consent_version


FOCAL_EMAIL = NEW_EMAIL  # the focal point is the new account of journey 2's helpers
DELEGATION_NAMES = {
    "en": "Republic of Kazakhstan",
    "ru": "Республика Казахстан",
    "zh_hans": "哈萨克斯坦共和国",
}
MEMBERS = [  # email, Latin given and family names, native given and family names
    ("nurlan.sadykov@mfa.example.kz", "Nurlan", "Sadykov", "Нурлан", "Садыков"),
    ("dana.omarova@mfa.example.kz", "Dana", "Omarova", "Дана", "Омарова"),
    ("yerlan.abenov@mfa.example.kz", "Yerlan", "Abenov", "Ерлан", "Абенов"),
]
ONE_TOO_MANY = ("asel.karimova@mfa.example.kz", "Asel", "Karimova", "Асель", "Каримова")
SUCCESSOR = ("timur.zhakupov@mfa.example.kz", "Timur", "Zhakupov", "Тимур", "Жакупов")


def sign_in_in_language(page, base_url: str, email: str, path: str, t, *, secret: str = "") -> None:
    """The real sign-in page in the reader's language, with the authenticator's code when there is one."""
    page.goto(f"{base_url}{path}")
    page.get_by_label(label(t("Email"))).fill(email)
    page.get_by_label(label(t("Password"))).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign In")).click()
    if secret:
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Two-Factor Authentication"))
        page.get_by_label(label(t("Code"))).fill(current_totp(secret))
        page.get_by_role("button", name=t("Sign In")).click()
    expect(page).to_have_url(f"{base_url}{path}")


def with_totp(group: str):
    """A verified staff account of a group, with a TOTP authenticator (its secret returned too)."""
    user = verified(staff_member(group, with_totp=False))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def pick_in_autocomplete(page, field_id: str, search: str, option: str) -> None:
    """Choose a value in one of the admin's autocomplete (Select2) fields, as a person does: type, click."""
    container = page.locator(f"#{field_id} + .select2")
    container.click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()


def path_in(email_body: str, pattern: str) -> str:
    """A link of an email, as a path on the live server (emails use the configured site address)."""
    return re.search(rf"(?<=\S)({pattern})", email_body).group(1)


def only_email_to(address: str):
    """The one email sent to an address (read after the outbox delivered it)."""
    [sent] = [message for message in mail.outbox if message.to == [address]]
    return sent


def fill_person(page, t, person: tuple) -> None:
    """A member's email and names in both scripts, as their focal point types them."""
    email, given_latin, family_latin, given_native, family_native = person
    page.get_by_label(label(t("Email"))).fill(email)
    page.get_by_label(label(t("Given name (native script)"))).fill(given_native)
    page.get_by_label(label(t("Family name (native script)"))).fill(family_native)
    page.get_by_label(label(t("Given name (Latin letters, as in the passport)"))).fill(given_latin)
    page.get_by_label(label(t("Family name (Latin letters, as in the passport)"))).fill(family_latin)
    page.get_by_label(label(t("Position"))).fill("Counsellor")
    page.get_by_label(label(t("Organization"))).fill("Ministry of Foreign Affairs of Kazakhstan")
    page.get_by_label(label(t("Country"))).select_option("KZ")
    page.get_by_label(label(t("Phone"))).fill("+7 701 234 5678")


def add_member_in_person(page, t, person: tuple) -> None:
    """The focal point's add-a-member form: the person, government category, in person."""
    page.get_by_role("link", name=t("Add a member")).click()
    fill_person(page, t, person)
    page.get_by_label(label(t("Category"))).select_option("government")
    page.get_by_role("radio", name=t("In person")).check()
    page.get_by_role("button", name=t("Add the member")).click()


def organizer_creates_and_invites(page, base_url: str, event, t, language: str) -> Delegation:
    """In the admin: a delegation with 3 seats in person, an invitation that makes the focal point, sent."""
    organizer, secret = with_totp(ORGANIZERS)
    sign_in_in_language(page, base_url, organizer.email, "/admin/", t, secret=secret)
    page.goto(f"{base_url}/admin/delegates/delegation/add/")
    page.locator("#id_event").select_option(str(event.pk))
    for suffix, name in DELEGATION_NAMES.items():  # the name in the three languages (modeltranslation)
        page.locator(f"#id_name_{suffix}").fill(name)
    page.locator("#id_kind").select_option("government")
    page.locator("#id_country").select_option("KZ")
    page.locator("#id_quota_in_person").fill("3")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    delegation = Delegation.objects.get(event=event)
    assert (delegation.name_ru, delegation.quota_in_person, delegation.quota_online) == (
        DELEGATION_NAMES["ru"],
        3,
        None,
    )

    page.goto(f"{base_url}/admin/delegates/invitation/add/")
    page.locator("#id_event").select_option(str(event.pk))
    page.locator("#id_email").fill(FOCAL_EMAIL)
    with translation.override(language):
        shown_name = str(delegation.name)
    pick_in_autocomplete(page, "id_delegation", "Kazakhstan", shown_name)
    page.locator("#id_language").select_option(language)
    page.locator("#id_makes_focal_point").check()
    page.get_by_role("button", name=t("Save"), exact=True).click()
    invitation = Invitation.objects.get(event=event)
    assert (
        invitation.email,
        invitation.delegation,
        invitation.makes_focal_point,
        invitation.uses,
        invitation.created_by,
    ) == (FOCAL_EMAIL, delegation, True, 0, organizer)
    page.goto(f"{base_url}/admin/delegates/invitation/")
    page.get_by_role("row", name=re.compile(re.escape(FOCAL_EMAIL))).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label=t("Send the invitation email"))
    page.get_by_role("button", name=t("Run"), exact=True).click()
    expect(page.get_by_text(t("Invitation emails queued: %(count)d.") % {"count": 1})).to_be_visible()
    return delegation


def focal_point_signs_up_through_the_invitation(page, base_url: str, delegation, t, language: str) -> None:
    """Signed out, the invitee opens the emailed link, signs up, confirms, and accepts to register the
    delegation as its focal point: the code is kept throughout, and the delegation's page opens."""
    event = delegation.event
    invitation = only_email_to(FOCAL_EMAIL)
    stored = OutboxMessage.objects.get(to=FOCAL_EMAIL)
    assert (stored.status, stored.subject, stored.language) == (
        OutboxMessage.Status.SENT,
        invitation.subject,
        language,
    )
    with translation.override(language):  # the email is in the invitation's language
        assert gettext("Delegation: %(name)s") % {"name": delegation.name} in invitation.body
    link = path_in(invitation.body, rf"/events/{event.slug}/register/\?invitation=[\w-]+")
    page.goto(f"{base_url}{link}")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.locator("main a[href*='/accounts/signup/']").first.click()
    page.get_by_label(label(t("Email"))).fill(FOCAL_EMAIL)
    page.get_by_label(label(t("Password"))).fill(NEW_PASSWORD)
    page.get_by_label(label(t("Password (again)"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign Up")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Verify Your Email Address"))
    [confirmation] = [
        sent for sent in mail.outbox if sent.to == [FOCAL_EMAIL] and "confirm-email" in sent.body
    ]
    page.goto(re.search(r"http\S+/accounts/confirm-email/\S+/", confirmation.body).group(0))
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page).to_have_url(f"{base_url}{link}")  # back on the invitation's page, the code kept
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register your delegation"))
    expect(page.locator("input[name=invitation]")).to_have_value(link.rsplit("=", 1)[1])
    page.get_by_role("button", name=t("Accept and register the delegation")).click()
    expect(page).to_have_url(f"{base_url}/me/delegations/{delegation.pk}/")


def member_sets_a_password_and_consents(page, base_url: str, t, email: str) -> None:
    """The member's email: set a password, sign in, confirm the details, consent."""
    message = only_email_to(email)
    page.goto(f"{base_url}{path_in(message.body, r'/accounts/password/reset/key/\S+/')}")
    page.get_by_label(label(t("New Password"))).fill(NEW_PASSWORD)
    page.get_by_label(label(t("New Password (again)"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Change Password")).click()
    expect(page.get_by_text(t("Your password is now changed."))).to_be_visible()
    me = path_in(message.body, r"/me/")
    page.goto(f"{base_url}{me}")
    page.get_by_label(label(t("Email"))).fill(email)
    page.get_by_label(label(t("Password"))).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign In")).click()
    # The set-password link proved the address: no second confirmation email is asked for.
    expect(page).to_have_url(f"{base_url}{me}")
    assert [sent for sent in mail.outbox if sent.to == [email] and "confirm-email" in sent.body] == []
    page.get_by_role("link", name=t("Confirm now")).click()
    page.get_by_label(t("My details are correct, and I accept the privacy notice.")).check()
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page.get_by_text(t("Thank you: your registration is confirmed."))).to_be_visible()


@pytest.mark.parametrize(("language", "browser_locale"), [("en", "en-GB"), ("ru", "ru-RU")])
def test_organizer_invites_a_focal_point_who_registers_the_delegation_within_its_quota(
    live_server, new_context, language, browser_locale
):
    """Issue 11's journey: a delegation of 3 seats and its focal point's invitation made in the admin;
    the focal point signs up through it, adds 3 members, is refused a 4th, replaces one; a member
    consents from the email; staff export the delegation and print its badges. Wholly in Russian too.

    The edition needs no approval, so the members added are approved (and badged) at once."""
    t = in_language(language)
    base = live_server.url
    event = open_event(access=Event.Access.INVITATION, requires_approval=False)
    organizer_page = new_context(locale=browser_locale).new_page()
    delegation = organizer_creates_and_invites(organizer_page, base, event, t, language)
    with translation.override(language):
        delegation_name = str(delegation.name)

    page = new_context(locale=browser_locale).new_page()
    focal_point_signs_up_through_the_invitation(page, base, delegation, t, language)
    focal_point = EmailAddress.objects.get(email=FOCAL_EMAIL, verified=True).user
    assert list(delegation.focal_points.all()) == [focal_point]
    assert Invitation.objects.get(event=event).uses == 1

    page.goto(f"{base}/me/")
    page.get_by_role("link", name=delegation_name).click()
    expect(page).to_have_url(f"{base}/me/delegations/{delegation.pk}/")
    for person in MEMBERS:
        add_member_in_person(page, t, person)
        expect(page).to_have_url(f"{base}/me/delegations/{delegation.pk}/")
        expect(page.get_by_role("row", name=re.compile(re.escape(person[0])))).to_be_visible()
    members = list(delegation.members.order_by("pk"))
    assert [(m.user.email, m.mode, m.status, m.is_consent_pending) for m in members] == [
        (person[0], "in_person", "approved", True) for person in MEMBERS
    ]
    assert [m.user.profile.name_native for m in members] == ["Нурлан Садыков", "Дана Омарова", "Ерлан Абенов"]

    add_member_in_person(page, t, ONE_TOO_MANY)
    with translation.override(language):
        full = gettext("The delegation “%(name)s” has used all %(quota)d of its seats (%(mode)s).") % {
            "name": delegation_name,
            "quota": 3,
            "mode": AttendanceMode.IN_PERSON.label,
        }
    expect(page.get_by_text(full).first).to_be_visible()
    expect(page.get_by_label(label(t("Email")))).to_have_value(ONE_TOO_MANY[0])  # the form kept
    assert delegation.members.count() == 3
    assert not EmailAddress.objects.filter(email=ONE_TOO_MANY[0]).exists()
    assert not Registration.objects.filter(user__email=ONE_TOO_MANY[0]).exists()

    page.goto(f"{base}/me/delegations/{delegation.pk}/")
    leaving = members[2]
    page.locator(f"#member-{leaving.pk}").get_by_role("link", name=t("Replace")).click()
    fill_person(page, t, SUCCESSOR)
    page.get_by_role("button", name=t("Replace the member")).click()
    expect(page).to_have_url(f"{base}/me/delegations/{delegation.pk}/")
    successor = Registration.objects.get(user__email=SUCCESSOR[0])
    leaving.refresh_from_db()
    assert (leaving.status, successor.status, successor.mode, successor.delegation) == (
        "cancelled",
        "approved",
        "in_person",
        delegation,
    )
    for person in (*MEMBERS, SUCCESSOR):  # each new member is written to, in the language chosen for them
        assert OutboxMessage.objects.get(to=person[0], kind="imported").language == language
    replaced = OutboxMessage.objects.get(to=MEMBERS[2][0], kind="registration_cancelled")
    assert (replaced.status, replaced.language) == (OutboxMessage.Status.SENT, language)
    expect(page.locator(f"#member-{successor.pk}")).to_contain_text("Timur Zhakupov")
    expect(page.locator(f"#member-{successor.pk}")).to_contain_text("Тимур Жакупов")
    expect(page.locator(".quotas")).to_contain_text(
        with_language(
            language,
            "%(mode)s: %(used)s of %(quota)s seats used",
            mode=AttendanceMode.IN_PERSON.label,
            used=3,
            quota=3,
        )
    )

    nurlan = members[0]
    expect(page.locator(f"#member-{nurlan.pk} .consent-pending")).to_have_text(t("Consent pending"))
    member_sets_a_password_and_consents(new_context(locale=browser_locale).new_page(), base, t, MEMBERS[0][0])
    nurlan.refresh_from_db()
    assert not nurlan.is_consent_pending
    page.reload()
    expect(page.locator(f"#member-{nurlan.pk} .consent-pending")).to_have_count(0)
    expect(page.locator(f"#member-{successor.pk} .consent-pending")).to_have_text(t("Consent pending"))

    staff_exports_the_delegation_and_prints_its_badges(
        new_context(locale=browser_locale).new_page(), base, event, delegation, t, language
    )


def with_language(language: str, message: str, **values) -> str:
    """A message of ours with its placeholders filled, in a language."""
    with translation.override(language):
        return gettext(message) % {key: str(value) for key, value in values.items()}


def staff_exports_the_delegation_and_prints_its_badges(page, base_url: str, event, delegation, t, language):
    """Registration staff filter the list by the delegation, export it as CSV and print its badges."""
    staff, secret = with_totp(REGISTRATION_STAFF)
    sign_in_in_language(page, base_url, staff.email, f"/staff/{event.slug}/registrations/", t, secret=secret)
    filters = page.get_by_role("form", name=t("Filter registrations"))
    filters.get_by_label(label(t("Delegation"))).select_option(str(delegation.pk))
    filters.get_by_label(label(t("Status"))).select_option("approved")  # not the replaced member
    filters.get_by_role("button", name=t("Filter"), exact=True).click()
    active = list(delegation.members.exclude(status="cancelled").select_related("user__profile"))
    with translation.override(language):
        counted = ngettext("%(counter)s registration.", "%(counter)s registrations.", 3) % {"counter": 3}
        delegation_name = str(delegation.name)
    expect(page.get_by_role("status")).to_have_text(counted)
    with page.expect_download() as download_info:
        page.get_by_role("button", name=t("Download CSV")).click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[-1] == t("Delegation")
    assert sorted((row[0], row[1], row[12], row[-1]) for row in rows) == sorted(
        (r.user.profile.family_name_latin, r.user.profile.given_name_latin, r.user.email, delegation_name)
        for r in active
    )
    assert len(rows) == 3

    # The sheet is a POST of the list's form (its filters, CSRF token), as journey 4 prints it.
    print_button = page.get_by_role("button", name=t("Print badges (approved, in person)"))
    sheet = page.request.post(
        f"{base_url}{print_button.get_attribute('formaction')}",
        form=print_button.evaluate("button => Object.fromEntries(new FormData(button.form))"),
    )
    assert sheet.headers["content-type"] == "application/pdf"
    assert len(pypdfium2.PdfDocument(sheet.body())) == 1  # four badges to a page
    assert sorted(code.text for code, _page in qr_codes(sheet.body())) == sorted(
        r.badge_token for r in active
    )
