"""The protocol list: an edition's delegations in protocol order, each with its head first and then
its members by honorific rank and Latin name, as a staff page, an XLSX file and a printable PDF.

Protocol order is the number organizers set; ties go by the country's name in the reader's language
(a delegation without a country, such as an international organization, by its own name), so the
same edition lists Kazakhstan before China in Russian and after it in English. Only registrations
that hold their edition seat are listed: approved ones, and pending ones, which are expected to
come and need a place in the plan (their status is shown)."""

import tempfile
from collections import defaultdict
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from weasyprint import HTML

from events.models import Event, Honorific

from . import exports
from .models import Delegation, Registration

# H.E., Dr, Prof., Mr, Ms, then no honorific.
HONORIFIC_RANK = {
    code: rank
    for rank, code in enumerate(
        [Honorific.HE, Honorific.DR, Honorific.PROF, Honorific.MR, Honorific.MS, Honorific.NONE]
    )
}
# What an audit entry records of a protocol export: the delegation and each member cell.
COLUMN_KEYS = [
    "delegation",
    "role",
    "honorific",
    "name_latin",
    "name_native",
    "position",
    "organization",
    "mode",
    "status",
]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def delegation_sort_key(delegation: Delegation) -> tuple:
    """Protocol order, then the country's name in the active language (else the delegation's name)."""
    tie = str(countries.name(delegation.country)) if delegation.country else delegation.name
    return (delegation.protocol_order, tie.casefold(), delegation.pk)


def ordered_delegations(event: Event) -> list[Delegation]:
    """The edition's delegations in protocol order, in one query."""
    return sorted(event.delegations.all(), key=delegation_sort_key)


@dataclass(frozen=True)
class Member:
    """One line of the protocol list."""

    registration: Registration
    is_head: bool

    @property
    def profile(self):
        """The member's profile (None for an account that never gave one)."""
        return getattr(self.registration.user, "profile", None)

    def cells(self) -> list[str]:
        """The member's cells in the order of `member_header()`."""
        profile = self.profile
        registration = self.registration
        return [
            _("Head of delegation") if self.is_head else "",
            profile.get_honorific_display() if profile and profile.honorific else "",
            profile.name_latin if profile else registration.user.email,
            profile.name_native if profile else "",
            profile.position if profile else "",
            profile.organization if profile else "",
            str(registration.get_mode_display()),
            str(registration.get_status_display()),
        ]


@dataclass(frozen=True)
class Entry:
    """A delegation and its seat-holding members in protocol order."""

    delegation: Delegation
    members: list[Member]

    @property
    def country_name(self) -> str:
        """The delegation's country in the active language, or nothing."""
        return str(countries.name(self.delegation.country)) if self.delegation.country else ""


def member_header() -> list[str]:
    """The column headings of a member line, in the active language."""
    return [
        _("Role"),
        _("Honorific"),
        _("Name (Latin letters)"),
        _("Name (native script)"),
        _("Position"),
        _("Organization"),
        _("Attendance"),
        _("Status"),
    ]


def _member_sort_key(member: Member) -> tuple:
    """Head first, then honorific rank, then family and given name in Latin letters."""
    profile = member.profile
    honorific = profile.honorific if profile else ""
    family = profile.family_name_latin if profile else member.registration.user.email
    given = profile.given_name_latin if profile else ""
    return (
        not member.is_head,
        HONORIFIC_RANK.get(honorific, len(HONORIFIC_RANK)),
        family.casefold(),
        given.casefold(),
        member.registration.pk,
    )


def protocol_list(event: Event) -> list[Entry]:
    """Every delegation of the edition in protocol order with its members in order, in two queries."""
    delegations = ordered_delegations(event)
    found = defaultdict(list)
    seat_holders = (
        event.registrations.holding_seat()
        .filter(delegation__isnull=False)
        .select_related("user__profile")
        .order_by("pk")
    )
    for registration in seat_holders:
        found[registration.delegation_id].append(registration)
    return [
        Entry(
            delegation,
            sorted(
                (
                    Member(registration, registration.pk == delegation.head_id)
                    for registration in found[delegation.pk]
                ),
                key=_member_sort_key,
            ),
        )
        for delegation in delegations
    ]


def member_count(entries: list[Entry]) -> int:
    """How many people the list names."""
    return sum(len(entry.members) for entry in entries)


def protocol_xlsx(event: Event, entries: list[Entry]):
    """A temporary XLSX file: per delegation a heading row, then its members numbered; all text cells."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it after sending)
    workbook = exports.text_workbook(handle)
    sheet = workbook.add_worksheet(_("Protocol list")[:31])
    bold = workbook.add_format({"bold": True})
    for index, width in enumerate([6, 18, 10, 28, 24, 30, 30, 12, 16]):
        sheet.set_column(index, index, width)
    sheet.write_string(0, 0, f"{_('Protocol list')}: {event.title}", bold)
    sheet.write_row(1, 0, ["№", *member_header()], bold)
    row = 2
    for entry in entries:
        heading = entry.delegation.name
        if entry.country_name and entry.country_name != heading:
            heading = f"{heading} ({entry.country_name})"
        sheet.write_string(row, 0, heading, bold)
        row += 1
        for number, member in enumerate(entry.members, start=1):
            sheet.write_string(row, 0, str(number))
            for index, cell in enumerate(member.cells(), start=1):
                sheet.write_string(row, index, cell)
            row += 1
    sheet.freeze_panes(2, 0)
    workbook.close()
    handle.seek(0)
    return handle


def protocol_pdf(event: Event, entries: list[Entry]) -> bytes:
    """The printable protocol list in the active language, with the badges' fonts."""
    html = render_to_string(
        "staff/protocol_pdf.html",
        {
            "event": event,
            "entries": entries,
            "header": member_header(),
            "generated_at": timezone.localtime(timezone.now(), event.tz),
        },
    )
    return HTML(string=html).write_pdf()
