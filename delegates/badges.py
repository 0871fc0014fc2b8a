"""PDF badges: name in native script and in Latin letters, position, organization, country, the
delegation (named in the badge's language, else English), a colour band by category, and a QR code that carries only the badge token. WeasyPrint lays them
out four to an A4 page; Noto fonts (Debian's fonts-noto-core and fonts-noto-cjk) draw every script."""

import segno
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from events.models import Event

from .models import Registration

CATEGORY_COLOURS = {
    Registration.Category.GOVERNMENT: "#0b5563",
    Registration.Category.INTERNATIONAL: "#1d4e89",
    Registration.Category.BUSINESS: "#8a6d1d",
    Registration.Category.ACADEMIA: "#5b3f8c",
    Registration.Category.MEDIA: "#b3261e",
    Registration.Category.OBSERVER: "#4a5560",
    Registration.Category.SPEAKER: "#7a1f4f",
    Registration.Category.EXHIBITOR: "#2f6b2f",
}


def qr_svg(token: str) -> str:
    """An SVG QR code of the token alone (no personal data)."""
    return segno.make(token, error="m").svg_inline(scale=4, border=2)


def badge_pdf(event: Event, registrations) -> bytes:
    """One PDF with a badge for each registration (with profile and delegation), four to an A4 page."""
    badges = [
        {
            "registration": registration,
            "profile": registration.user.profile,
            "delegation": registration.delegation,
            "colour": CATEGORY_COLOURS[registration.category],
            "qr": qr_svg(registration.badge_token),
        }
        for registration in registrations
    ]
    with translation.override(translation.get_language()):
        html = render_to_string("delegates/badges.html", {"event": event, "badges": badges})
    return HTML(string=html).write_pdf()
