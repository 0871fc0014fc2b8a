"""Visa invitation letters: the template and its placeholders, the PDF with its QR code, the public
verification page, reissue and revocation, and who may download a letter."""

import datetime
import io

import pypdfium2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from delegates import letters, services
from delegates.models import AuditEntry, Delegation, LetterTemplate, VisaLetter
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from delegates.rules import RegistrationError

from .factories import (
    LetterTemplateFactory,
    ProfileFactory,
    UserFactory,
    open_event,
    registration_data,
    staff_member,
)
from .test_badges import pdf_text, qr_codes

pytestmark = pytest.mark.django_db

PASSPORT = "N98765432"


@pytest.fixture
def event():
    event = open_event()
    LetterTemplateFactory(event=event)
    return event


def approved(event, *, wants_visa_letter=True, mode="in_person", passport=PASSPORT, **profile):
    """An approved registration of a delegate with this profile, who asked (or not) for a visa letter."""
    user = ProfileFactory(**profile).user
    passport_data = {
        "wants_visa_letter": True,
        "passport_number": passport,
        "passport_nationality": "KZ",
        "passport_birth_date": datetime.date(1980, 5, 17),
        "passport_expires_on": event.end_on + datetime.timedelta(days=3 * 365),
    }
    data = registration_data(event, mode=mode, **(passport_data if wants_visa_letter else {}))
    registration = services.submit_registration(event=event, user=user, details=data, sub_forums=[])
    return services.approve_registration(registration=registration, actor=UserFactory(is_staff=True))


def verification_page(client, letter) -> str:
    """The verification page of the letter, as a consulate reads it."""
    response = client.get(reverse("delegates:letter_verify", args=[letter.token]))
    assert response.status_code == 200
    return response.content.decode()


def png(size=(40, 20)) -> SimpleUploadedFile:
    """A small PNG upload."""
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, format="PNG")
    return SimpleUploadedFile("head.png", out.getvalue(), content_type="image/png")


def test_delegate_downloads_a_letter_with_passport_name_number_and_edition_and_a_qr_of_its_page(
    client, event
):
    registration = approved(event, given_name_latin="Aibek", family_name_latin="Serikov")
    letter = letters.issue_letter(registration=registration, actor=staff_member(ORGANIZERS))
    client.force_login(registration.user)

    me = client.get(reverse("delegates:me")).content.decode()
    response = client.get(reverse("delegates:my_letter", args=[letter.reference]))

    assert reverse("delegates:my_letter", args=[letter.reference]) in me
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Aibek Serikov" in text and PASSPORT in text and event.title in text and letter.reference in text
    assert qr_codes(response.content) == [f"{settings.FORUM_SITE_URL}/letters/{letter.token}/"]
    assert len(pypdfium2.PdfDocument(response.content)) == 1
    width, height = pypdfium2.PdfDocument(response.content)[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    assert list(
        AuditEntry.objects.filter(registration=registration).values_list("action", flat=True)[:2]
    ) == [
        "visa_letter_downloaded",
        "visa_letter_issued",
    ]


def test_letter_is_in_the_delegates_preferred_language_or_the_one_the_organizer_chose(event):
    registration = approved(
        event, preferred_language="zh-hans", given_name_native="波", family_name_native="王"
    )
    chinese = letters.issue_letter(registration=registration, actor=None)
    russian = letters.issue_letter(registration=registration, actor=None, language="ru")

    assert chinese.language == "zh-hans" and "兹邀请王波" in pdf_text(letters.letter_pdf(chinese))
    assert russian.language == "ru" and "Приглашаем 王波" in pdf_text(letters.letter_pdf(russian))


def test_verification_shows_valid_then_revoked_after_reissue_and_never_the_passport(client, event):
    registration = approved(event, given_name_latin="Aibek", family_name_latin="Serikov")
    first = letters.issue_letter(registration=registration, actor=None)

    before = verification_page(client, first)
    second = letters.issue_letter(registration=registration, actor=None)
    after, current = verification_page(client, first), verification_page(client, second)

    assert "Valid:" in before and first.reference in before and "Aibek Serikov" in before
    assert event.title in before
    assert "Revoked:" in after and "Valid:" not in after
    assert "Valid:" in current and second.reference in current and second.reference != first.reference
    for page in (before, after, current):
        assert PASSPORT not in page and "1980" not in page and "Ministry" not in page
    assert list(registration.visa_letters.values_list("status", flat=True)) == ["issued", "revoked"]
    assert AuditEntry.objects.filter(action="visa_letter_verified").count() == 3


def test_verification_page_is_not_indexed_and_an_unknown_token_is_not_found(client, event):
    letter = letters.issue_letter(registration=approved(event), actor=None)

    response = client.get(reverse("delegates:letter_verify", args=[letter.token]))
    unknown = client.get(reverse("delegates:letter_verify", args=["A" * 32]))
    short = client.get(reverse("delegates:letter_verify", args=[letter.token[:-1]]))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert len(letter.token) == 32  # 192 random bits
    assert (unknown.status_code, short.status_code) == (404, 404)


def test_a_revoked_letter_is_no_longer_downloaded_by_its_holder(client, event):
    registration = approved(event)
    old = letters.issue_letter(registration=registration, actor=None)
    new = letters.issue_letter(registration=registration, actor=None)
    client.force_login(registration.user)

    assert client.get(reverse("delegates:my_letter", args=[old.reference])).status_code == 404
    assert client.get(reverse("delegates:my_letter", args=[new.reference])).status_code == 200


def test_another_delegate_and_staff_without_the_permission_get_404_on_the_letter(client, event):
    letter = letters.issue_letter(registration=approved(event), actor=None)
    mine = reverse("delegates:my_letter", args=[letter.reference])
    admin_pdf = reverse("admin:delegates_visaletter_pdf", args=[letter.pk])

    client.force_login(approved(event).user)
    other_delegate = client.get(mine).status_code
    client.force_login(staff_member(REGISTRATION_STAFF))
    staff = (client.get(mine).status_code, client.get(admin_pdf).status_code)
    client.force_login(staff_member(ORGANIZERS))
    organizer = client.get(admin_pdf)

    assert other_delegate == 404
    assert staff == (404, 404)
    assert organizer.status_code == 200 and PASSPORT in pdf_text(organizer.content)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"wants_visa_letter": False}, "letter_not_allowed"),
        ({"mode": "online"}, "letter_not_allowed"),
    ],
)
def test_letters_are_issued_only_for_approved_in_person_registrations_that_asked(event, change, code):
    registration = approved(event, **change)

    with pytest.raises(RegistrationError) as refused:
        letters.issue_letter(registration=registration, actor=None)

    assert refused.value.code == code
    assert not VisaLetter.objects.exists()


def test_a_pending_registration_or_an_edition_without_template_gets_no_letter(event):
    pending = approved(event)
    pending.status = "pending"
    pending.save()
    other = open_event(slug="other")
    without_template = approved(other)

    with pytest.raises(RegistrationError) as not_approved:
        letters.issue_letter(registration=pending, actor=None)
    with pytest.raises(RegistrationError) as no_template:
        letters.issue_letter(registration=without_template, actor=None)

    assert (not_approved.value.code, no_template.value.code) == ("letter_not_allowed", "no_letter_template")


def test_organizer_issues_letters_in_bulk_from_the_registration_list(client, event):
    asked = [approved(event), approved(event)]
    not_asked = approved(event, wants_visa_letter=False)
    client.force_login(staff_member(ORGANIZERS))

    response = client.post(
        reverse("admin:delegates_registration_changelist"),
        {"action": "issue_visa_letters", "_selected_action": [r.pk for r in [*asked, not_asked]]},
        follow=True,
    )

    page = response.content.decode()
    assert "2 visa letters issued." in page and not_asked.user.email in page
    assert set(VisaLetter.objects.values_list("registration", "status")) == {(r.pk, "issued") for r in asked}
    references = sorted(VisaLetter.objects.values_list("reference", flat=True))
    year = event.start_on.year
    assert references == [
        f"CCA{event.edition_number}-{year}-000001",
        f"CCA{event.edition_number}-{year}-000002",
    ]


def test_organizer_reissues_in_another_language_and_revokes_from_the_letter_list(client, event):
    letter = letters.issue_letter(registration=approved(event), actor=None)
    client.force_login(staff_member(ORGANIZERS))
    changelist = reverse("admin:delegates_visaletter_changelist")

    client.post(changelist, {"action": "reissue_in_russian", "_selected_action": [letter.pk]})
    reissued = VisaLetter.objects.get(status="issued")
    client.post(changelist, {"action": "revoke_selected", "_selected_action": [reissued.pk]})

    assert reissued.language == "ru" and reissued.pk != letter.pk
    assert set(VisaLetter.objects.values_list("status", flat=True)) == {"revoked"}


def template_form(event, **changes) -> dict:
    """The letter template's admin form, filled in."""
    return {
        "event": event.pk,
        "issuing_body": "Organizing Committee",
        "signatory_name": "Li Ming",
        "signatory_title": "Secretary-General",
        "body_en": "Dear consul, {name_latin} is invited {purpose}.",
        "body_zh_hans": "兹邀请{name_native}。",
        "body_ru": "Приглашаем {name_native}.",
        **changes,
    }


def test_template_refuses_an_unknown_placeholder_and_template_syntax(client):
    event = open_event()
    client.force_login(staff_member(ORGANIZERS))
    add = reverse("admin:delegates_lettertemplate_add")

    unknown = client.post(add, template_form(event, body_ru="Приглашаем {passport_numbr}."))
    django_syntax = client.post(add, template_form(event, body_en="{{ settings.SECRET_KEY }} {% debug %}"))

    assert "Unknown placeholder: {passport_numbr}" in unknown.content.decode()
    assert "Unknown placeholder" in django_syntax.content.decode()
    assert not LetterTemplate.objects.exists()


def test_template_pictures_are_reencoded_and_drawn_and_the_preview_uses_sample_data(client):
    event = open_event()
    client.force_login(staff_member(ORGANIZERS))

    not_a_picture = client.post(
        reverse("admin:delegates_lettertemplate_add"),
        template_form(event, letterhead=SimpleUploadedFile("x.png", b"<script>", content_type="image/png")),
    )
    client.post(reverse("admin:delegates_lettertemplate_add"), template_form(event, letterhead=png()))
    template = LetterTemplate.objects.get()
    preview = client.get(reverse("admin:delegates_lettertemplate_preview", args=[template.pk, "en"]))

    assert "Upload a valid image." in not_a_picture.content.decode()
    assert template.letterhead.name.endswith(".jpg")
    assert preview["Content-Type"] == "application/pdf"
    assert "Aigerim Nurlanova is invited to take part in the" in pdf_text(preview.content)
    page = pypdfium2.PdfDocument(preview.content)[0]
    assert len(list(page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]))) == 1  # the letterhead


def test_letter_text_is_escaped_not_interpreted(event):
    template = LetterTemplate.objects.get(event=event)
    template.body_en = "<b>{name_latin}</b> & co"
    template.save()
    letter = letters.issue_letter(registration=approved(event, given_name_latin="<i>Ann</i>"), actor=None)

    assert "<b><i>Ann</i> Delegate</b> & co" in pdf_text(letters.letter_pdf(letter))


@pytest.mark.parametrize("count", [1, 3])
def test_my_registrations_with_letters_queries_are_constant(client, django_assert_num_queries, count):
    user = ProfileFactory().user
    for number in range(count):
        event = open_event(slug=f"forum-{number}")
        LetterTemplateFactory(event=event)
        registration = approved(event)
        registration.user = user
        registration.save()
        letters.issue_letter(registration=registration, actor=None)
    client.force_login(user)

    with django_assert_num_queries(7):
        page = client.get(reverse("delegates:me")).content.decode()

    assert page.count("Download your visa letter (PDF)") == count


def test_organizer_emails_letters_in_the_delegates_language_and_a_revoked_one_is_not_sent(
    client, event, mailoutbox, django_capture_on_commit_callbacks
):
    registration = approved(event, preferred_language="ru")
    revoked = letters.issue_letter(registration=registration, actor=None)
    letter = letters.issue_letter(registration=registration, actor=None)
    client.force_login(staff_member(ORGANIZERS))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:delegates_visaletter_changelist"),
            {"action": "send_selected", "_selected_action": [letter.pk, revoked.pk]},
            follow=True,
        )

    letter.refresh_from_db()
    assert (letter.status, letter.sent_at is not None) == ("sent", True)
    assert f"{revoked.reference}: A revoked letter cannot be sent." in response.content.decode()
    emails = [message for message in mailoutbox if "/me/letters/" in message.body]
    assert [message.to for message in emails] == [[registration.user.email]]
    assert emails[0].subject.startswith("Ваше визовое приглашение")
    assert f"{settings.FORUM_SITE_URL}/me/letters/{letter.reference}/" in emails[0].body
    assert PASSPORT not in emails[0].body and PASSPORT not in emails[0].alternatives[0][0]
    assert AuditEntry.objects.filter(action="visa_letter_sent").count() == 1


def test_a_quoted_title_in_a_russian_letter_nests_its_quotes(event):
    event.series_name_ru, event.edition_number = "Форум сотрудничества «Китай — Центральная Азия»", 1
    event.save()
    template = LetterTemplate.objects.get(event=event)
    template.body_ru = "Приглашаем {name_latin} {purpose}."
    template.save()
    letter = letters.issue_letter(
        registration=approved(event, given_name_latin="Ann"), actor=None, language="ru"
    )

    text = " ".join(pdf_text(letters.letter_pdf(letter)).split())

    assert "«1-й Форум сотрудничества „Китай — Центральная Азия“»" in text


def test_focal_point_of_the_delegation_downloads_a_members_letter_and_another_focal_point_gets_404(
    client, event
):
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ")
    other = Delegation.objects.create(event=event, name="Kyrgyzstan", country="KG")
    focal, other_focal = ProfileFactory().user, ProfileFactory().user
    delegation.focal_points.add(focal)
    other.focal_points.add(other_focal)
    member = approved(event, given_name_latin="Aibek", family_name_latin="Serikov")
    member.delegation = delegation
    member.save()
    letter = letters.issue_letter(registration=member, actor=None)
    url = reverse("delegates:my_letter", args=[letter.reference])

    client.force_login(focal)
    page = client.get(reverse("delegates:delegation", args=[delegation.pk])).content.decode()
    mine = client.get(url)
    client.force_login(other_focal)
    theirs = client.get(url)

    assert url in page
    assert mine.status_code == 200 and "Aibek Serikov" in pdf_text(mine.content)
    assert theirs.status_code == 404
    assert AuditEntry.objects.filter(action="visa_letter_downloaded", actor=focal).count() == 1


def test_a_cancelled_registrations_letter_shows_revoked_and_is_no_longer_downloaded(client, event):
    registration = approved(event)
    letter = letters.issue_letter(registration=registration, actor=None)

    services.cancel_registration(registration=registration, actor=registration.user)
    client.force_login(registration.user)

    assert "Revoked:" in verification_page(client, letter)
    assert client.get(reverse("delegates:my_letter", args=[letter.reference])).status_code == 404
