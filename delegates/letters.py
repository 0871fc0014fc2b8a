"""Visa invitation letters: issuing, revoking and reissuing them, and drawing them as A4 PDFs.

An edition's letter template holds the text in each language with `{placeholder}` marks (never
Django template syntax: organizers' text is data, escaped when drawn). A letter carries a reference
number and a QR code of its public verification page, `/letters/<token>/`, which shows whether it
is valid but no passport data. WeasyPrint draws it with the badges' Noto fonts."""

import base64
import datetime
import re
from types import SimpleNamespace

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from weasyprint import HTML

from events.models import AttendanceMode, Event
from events.typography import nest_quotes

from .models import AuditEntry, LetterTemplate, Registration, User, VisaLetter
from .outbox import queue_email
from .rules import RegistrationError

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = (
    "given_name_latin",
    "family_name_latin",
    "name_latin",
    "name_native",
    "passport_number",
    "nationality",
    "birth_date",
    "passport_expires_on",
    "edition",
    "start_on",
    "end_on",
    "city",
    "purpose",
    "reference",
    "issued_on",
)


def unknown_placeholders(text: str) -> list[str]:
    """The `{names}` in a letter text that are not placeholders, in order of appearance."""
    return [name for name in dict.fromkeys(PLACEHOLDER.findall(text)) if name not in PLACEHOLDERS]


def validate_letter_text(text: str) -> None:
    """Refuse a letter text with an unknown placeholder or an unpaired brace, naming what is wrong."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. Use only: %(known)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValidationError(
            _("A brace is not closed: write placeholders as {name}."), code="unpaired_brace"
        )


def fill(text: str, values: dict) -> str:
    """The letter text with each placeholder replaced by its value (plain text; escaped when drawn)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def may_have_letter(registration: Registration) -> bool:
    """Approved to attend in person, and asked for a visa letter."""
    return (
        registration.status == Registration.Status.APPROVED
        and registration.mode == AttendanceMode.IN_PERSON
        and registration.wants_visa_letter
    )


def _reference(event: Event) -> str:
    """The next reference number of the edition's letters: CCA8-2026-000123 (the event row is locked)."""
    count = VisaLetter.objects.filter(registration__event=event).count()
    series = (
        "SAMPLE" if event.is_sample else f"CCA{event.edition_number}"
    )  # a sample has no place in the series
    return f"{series}-{event.start_on.year}-{count + 1:06d}"


@transaction.atomic
def issue_letter(*, registration: Registration, actor: User | None, language: str = "") -> VisaLetter:
    """Issue a visa letter for the registration, in `language` or the delegate's preferred one;
    a letter issued before is revoked (a reissue)."""
    Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_related("event", "user__profile").get(pk=registration.pk)
    if not may_have_letter(registration):
        raise RegistrationError(
            "letter_not_allowed",
            gettext("Visa letters are issued only for approved in-person registrations that asked for one."),
        )
    if not LetterTemplate.objects.filter(event_id=registration.event_id).exists():
        raise RegistrationError(
            "no_letter_template", gettext("This edition has no visa letter template yet.")
        )
    now = timezone.now()
    previous = [letter.reference for letter in registration.visa_letters.filter(status__in=VisaLetter.VALID)]
    registration.visa_letters.filter(status__in=VisaLetter.VALID).update(
        status=VisaLetter.Status.REVOKED, revoked_at=now
    )
    letter = VisaLetter.objects.create(
        registration=registration,
        status=VisaLetter.Status.ISSUED,
        reference=_reference(registration.event),
        language=language or registration.user.profile.preferred_language,
        issued_at=now,
        issued_by=actor,
    )
    _audit("visa_letter_issued", letter, actor, revoked=previous)
    return letter


@transaction.atomic
def revoke_letter(*, letter: VisaLetter, actor: User | None) -> VisaLetter:
    """Revoke a letter: its verification page says so from now on."""
    if letter.is_valid:
        letter.status, letter.revoked_at = VisaLetter.Status.REVOKED, timezone.now()
        letter.save(update_fields=["status", "revoked_at"])
        _audit("visa_letter_revoked", letter, actor)
    return letter


@transaction.atomic
def send_letter(*, letter: VisaLetter, actor: User | None) -> VisaLetter:
    """Email the holder, in the letter's language, that their letter is ready, with the link to download
    it from their page (the PDF holds passport data: it is not kept in the outbox); mark it sent."""
    letter = (
        VisaLetter.objects.select_for_update()
        .select_related("registration__event", "registration__user")
        .get(pk=letter.pk)
    )
    if not letter.is_valid:
        raise RegistrationError("letter_revoked", gettext("A revoked letter cannot be sent."))
    registration = letter.registration
    queue_email(
        to=registration.user.email,
        template="visa_letter",
        context={
            "event": registration.event,
            "profile": registration.user.profile,
            "letter": letter,
            "link": settings.FORUM_SITE_URL + reverse("delegates:my_letter", args=[letter.reference]),
        },
        language=letter.language,
        kind="visa_letter",
    )
    letter.status, letter.sent_at = VisaLetter.Status.SENT, timezone.now()
    letter.save(update_fields=["status", "sent_at"])
    _audit("visa_letter_sent", letter, actor)
    return letter


def record_letter_read(*, letter: VisaLetter, actor: User | None, how: str) -> None:
    """A letter was downloaded (by its holder or an organizer) or its verification page was read."""
    _audit(f"visa_letter_{how}", letter, actor if actor and actor.is_authenticated else None)


def _audit(action: str, letter: VisaLetter, actor: User | None, **data) -> None:
    """Record what happened to a letter, by reference (never its passport data)."""
    AuditEntry.objects.create(
        action=action,
        registration_id=letter.registration_id,
        event_id=letter.registration.event_id,
        actor=actor,
        data={"reference": letter.reference, **data},
    )


def verification_url(letter: VisaLetter) -> str:
    """The absolute address of the letter's public verification page."""
    return settings.FORUM_SITE_URL + reverse("delegates:letter_verify", kwargs={"token": letter.token})


def _date(value: datetime.date | None) -> str:
    """A date as the active language writes it, or nothing."""
    return date_format(value, "DATE_FORMAT") if value else ""


def _values(registration, event: Event, reference: str, issued_on: datetime.date) -> dict:
    """Each placeholder's value for this registration, in the active language."""
    profile = registration.user.profile
    return {
        "given_name_latin": profile.given_name_latin,
        "family_name_latin": profile.family_name_latin,
        "name_latin": profile.name_latin,
        "name_native": profile.name_native or profile.name_latin,
        "passport_number": registration.passport_number,
        "nationality": registration.passport_nationality.name if registration.passport_nationality else "",
        "birth_date": _date(registration.passport_birth_date),
        "passport_expires_on": _date(registration.passport_expires_on),
        "edition": event.title,
        "start_on": _date(event.start_on),
        "end_on": _date(event.end_on),
        "city": event.city,
        # Translators: the purpose of the journey, as a visa invitation letter states it.
        "purpose": gettext("to take part in the %(edition)s") % {"edition": event.title},
        "reference": reference,
        "issued_on": _date(issued_on),
    }


def _data_uri(image) -> str:
    """A stored picture inlined as a data URI (whatever the storage), or nothing without one."""
    if not image:
        return ""
    with image.open("rb") as handle:
        content = handle.read()
    kind = "png" if content.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


def _pdf(template: LetterTemplate, registration, reference: str, issued_on, qr_target: str) -> bytes:
    """Draw one letter as an A4 PDF in the active language."""
    event = template.event
    values = _values(registration, event, reference, issued_on)
    # A title quoted by the purpose may hold quotes itself: «…„…“», not «…«…»».
    text = nest_quotes(fill(template.body_in(translation.get_language()), values))
    html = render_to_string(
        "letters/letter.html",
        {
            "template": template,
            "letterhead": _data_uri(template.letterhead),
            "signature": _data_uri(template.signature),
            "event": event,
            "reference": reference,
            "issued_on": issued_on,
            "paragraphs": [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()],
            "qr": segno.make(qr_target, error="m").svg_inline(scale=3, border=2),
        },
    )
    return HTML(string=html).write_pdf()


def letter_pdf(letter: VisaLetter) -> bytes:
    """The letter as an A4 PDF in its language."""
    registration = letter.registration
    template = LetterTemplate.objects.select_related("event").get(event_id=registration.event_id)
    with translation.override(letter.language):
        return _pdf(
            template, registration, letter.reference, letter.issued_at.date(), verification_url(letter)
        )


def preview_pdf(template: LetterTemplate, language: str) -> bytes:
    """The template drawn with sample data (no real delegate), for organizers to check it."""
    profile = SimpleNamespace(
        given_name_latin="Aigerim",
        family_name_latin="Nurlanova",
        name_latin="Aigerim Nurlanova",
        name_native="Айгерим Нурланова",
    )
    sample = SimpleNamespace(
        user=SimpleNamespace(profile=profile),
        passport_number="N12345678",
        passport_nationality=SimpleNamespace(name=countries.name("KZ")),
        passport_birth_date=datetime.date(1985, 3, 14),
        passport_expires_on=datetime.date(2031, 3, 13),
    )
    reference = f"CCA{template.event.edition_number}-{template.event.start_on.year}-000000"
    with translation.override(language):
        return _pdf(template, sample, reference, timezone.localdate(), settings.FORUM_SITE_URL + "/")
