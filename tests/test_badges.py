"""Badges: the PDF carries the names in both scripts and a QR code with the token alone."""

import ctypes
import datetime
import re

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from delegates import services
from delegates.models import AuditEntry, Registration
from delegates.roles import REGISTRATION_STAFF

from .factories import ProfileFactory, UserFactory, open_event, registration_data, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return open_event()


def approved(event, mode="in_person", **profile):
    """An approved registration of a delegate with this profile."""
    user = ProfileFactory(**profile).user
    data = registration_data(mode=mode)
    if mode == "in_person":
        start = datetime.datetime.combine(event.start_on, datetime.time(9), tzinfo=event.tz)
        data = data.replace(arrival_at=start, departure_at=start + datetime.timedelta(days=2))
    registration = services.submit_registration(event=event, user=user, details=data, sub_forums=[])
    return services.approve_registration(registration=registration, actor=UserFactory(is_staff=True))


def pdf_pages(pdf: bytes):
    """The PDF's pages as images."""
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=3).to_pil() for page in document]


def qr_codes(pdf: bytes) -> list[str]:
    """The text of every QR code drawn in the PDF."""
    return [result.text for page in pdf_pages(pdf) for result in zxingcpp.read_barcodes(page)]


def fonts_of(pdf: bytes, characters: str) -> set[str]:
    """The embedded fonts the PDF draws these characters with."""
    page_text = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    found = set()
    for index in range(pypdfium2.raw.FPDFText_CountChars(page_text)):
        if chr(pypdfium2.raw.FPDFText_GetUnicode(page_text, index)) in characters:
            name = ctypes.create_string_buffer(256)
            pypdfium2.raw.FPDFText_GetFontInfo(page_text, index, name, 256, ctypes.byref(ctypes.c_int()))
            found.add(name.value.decode().split("+")[-1])
    return found


def pdf_text(pdf: bytes) -> str:
    """The text layer of the PDF."""
    document = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in document)


def test_delegate_downloads_a_badge_whose_qr_is_the_token_alone(client, event):
    registration = approved(
        event,
        given_name_latin="Wei",
        family_name_latin="Zhang",
        given_name_native="伟",
        family_name_native="张",
    )
    client.force_login(registration.user)
    response = client.get(reverse("delegates:badge", args=["forum"]))
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert qr_codes(pdf) == [registration.badge_token]
    text = pdf_text(pdf)
    assert "张伟" in text and "Wei Zhang" in text and "Ministry of Foreign Affairs" in text
    assert fonts_of(pdf, "张伟") == {"Noto-Sans-CJK-SC-Bold"}  # a real CJK font, not empty boxes


def test_badge_tokens_are_random_unique_and_long_enough(event):
    tokens = {approved(event).badge_token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token) for token in tokens)  # >= 128 bits


def test_only_approved_in_person_delegates_get_a_badge(client, event):
    pending = services.submit_registration(
        event=event, user=ProfileFactory().user, details=registration_data(mode="online"), sub_forums=[]
    )
    client.force_login(pending.user)
    assert client.get(reverse("delegates:badge", args=["forum"])).status_code == 404
    online = approved(event, mode="online")
    client.force_login(online.user)
    assert client.get(reverse("delegates:badge", args=["forum"])).status_code == 404
    client.force_login(ProfileFactory().user)
    assert client.get(reverse("delegates:badge", args=["forum"])).status_code == 404


def test_staff_print_a_sheet_of_the_filtered_list(client, event):
    kazakh = [approved(event, country="KZ", given_name_latin=f"Aigerim{n}") for n in range(5)]
    approved(event, country="CN")
    staff = staff_member(REGISTRATION_STAFF)
    client.force_login(staff)
    response = client.post(reverse("staff:badges", args=["forum"]), {"country": "KZ"})
    pdf = response.content
    assert len(pdf_pages(pdf)) == 2  # four badges to an A4 page
    assert sorted(qr_codes(pdf)) == sorted(r.badge_token for r in kazakh)
    entry = AuditEntry.objects.get(action="badges_printed")
    assert (entry.actor, entry.data) == (staff, {"count": 5, "filters": {"country": "KZ"}})


def test_reissuing_a_badge_changes_its_token(event):
    registration = approved(event)
    old = registration.badge_token
    services.reissue_badge(registration=registration, actor=UserFactory(is_staff=True))
    assert Registration.objects.get().badge_token not in ("", old)
