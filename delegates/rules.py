"""Every rule a registration must satisfy, in one place: the services call `enforce` inside their
transaction, the import preview calls `check` row by row, and forms only map the coded violations
onto their fields.

Who asks matters for three rules only: the registration window, travel dates being given, and
consent are the delegate's own duties (`self_service`); organizers acting for a delegate (an
import, an edit after registration closed) are not held to them. Every other rule holds for
everyone."""

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import AttendanceMode, Event, SubForum
from events.timezones import zone_label
from events.typography import nest_quotes

from .models import Delegation, Invitation, Profile, Registration

PASSPORT_NUMBER = RegexValidator(
    r"^[A-Z0-9]{5,20}$", _("Use 5 to 20 Latin capital letters and digits, without spaces.")
)
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
PASSPORT_FIELDS = ("passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on")
PASSPORT_VALID_AFTER_EVENT = datetime.timedelta(days=183)


@dataclass(frozen=True, kw_only=True)
class RegistrationDetails:
    """What a delegate (or an organizer for them) tells about one registration; the services' input."""

    category: str
    mode: str
    interpretation_language: str = "en"
    arrival_at: datetime.datetime | None = None
    departure_at: datetime.datetime | None = None
    flight: str = ""
    needs_accommodation: bool = False
    dietary_needs: str = ""
    accessibility_needs: str = ""
    wants_visa_letter: bool = False
    passport_number: str = ""
    passport_nationality: str = ""
    passport_birth_date: datetime.date | None = None
    passport_expires_on: datetime.date | None = None
    consent_version: str = ""

    @classmethod
    def of(cls, registration: Registration) -> "RegistrationDetails":
        """The details a registration holds now (to change some of them with `dataclasses.replace`)."""
        values = {name: getattr(registration, name) for name in cls.field_names()}
        return cls(**{**values, "passport_nationality": str(registration.passport_nationality or "")})

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The registration fields these details set."""
        return tuple(field.name for field in dataclasses.fields(cls))

    def replace(self, **changes) -> "RegistrationDetails":
        """A copy with some details changed."""
        return dataclasses.replace(self, **changes)


def _nested_text(message) -> str:
    """The message with quotes inside quotes in the reader's inner marks (a quoted title in «…»)."""
    return nest_quotes(str(message))


# Read when shown, in the reader's language, like the lazy message it wraps.
nested = lazy(_nested_text, str)


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code, the field it concerns (None for the whole registration), a message."""

    code: str
    message: str
    field: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "message", nested(self.message))


class RegistrationError(Exception):
    """A state change that is not allowed; `code` is stable, `message` is for people.

    `violations` lists every broken rule when there are several (the first gives code and field)."""

    def __init__(self, code: str, message: str, field: str | None = None, violations: Iterable = ()):
        super().__init__(message)
        self.code = code
        self.message = nested(message)
        self.field = field
        self.violations = list(violations) or [Violation(code, message, field)]


class Busy(RegistrationError):
    """Someone else holds the rows this change must lock, longer than the lock timeout: try again."""

    def __init__(self):
        super().__init__("busy", _("Many people are registering right now. Please try again in a moment."))


def _window(event: Event, now: datetime.datetime) -> list[Violation]:
    """A delegate registers or changes their registration only while registration is open."""
    if event.is_registration_open(now):
        return []
    return [Violation("registration_closed", _("Registration for this edition is not open."))]


def _profile(profile: Profile | None) -> list[Violation]:
    """The organizers must know who registers: names as in the passport, and the country."""
    if profile is None or not (profile.given_name_latin and profile.family_name_latin and profile.country):
        return [Violation("profile_incomplete", _("Please tell us who you are first."))]
    return []


def _consent(details: RegistrationDetails) -> list[Violation]:
    """A delegate accepts the privacy notice when registering."""
    if details.consent_version:
        return []
    return [Violation("consent_missing", _("Accept the privacy notice to register."), "consent_version")]


def _choices(event: Event, details: RegistrationDetails) -> list[Violation]:
    """Category, attendance mode and interpretation language are among those offered."""
    violations = []
    if details.mode not in AttendanceMode.values:
        violations.append(Violation("mode_not_offered", _("Choose how you will attend."), "mode"))
    if details.category not in Registration.Category.values:
        violations.append(Violation("category_unknown", _("Choose a category."), "category"))
    if details.interpretation_language not in dict(settings.LANGUAGES):
        violations.append(
            Violation(
                "language_unknown", _("Choose one of the working languages."), "interpretation_language"
            )
        )
    return violations


def _travel(event: Event, details: RegistrationDetails, *, dates_required: bool) -> list[Violation]:
    """In person: arrival and departure within the travel window, departure after arrival."""
    if details.mode != AttendanceMode.IN_PERSON:
        return []
    violations = []
    first, last = event.travel_window()
    for name in ("arrival_at", "departure_at"):
        moment = getattr(details, name)
        if moment is None:
            if dates_required:
                violations.append(
                    Violation("travel_dates_missing", _("Give your travel dates to attend in person."), name)
                )
        elif not first <= moment.astimezone(event.tz).date() <= last:
            violations.append(
                Violation(
                    "outside_travel_window",
                    _("Choose a day between %(first)s and %(last)s.")
                    % {"first": date_format(first, "DATE_FORMAT"), "last": date_format(last, "DATE_FORMAT")},
                    name,
                )
            )
    if details.arrival_at and details.departure_at and details.departure_at <= details.arrival_at:
        violations.append(
            Violation("departure_before_arrival", _("Departure must be after arrival."), "departure_at")
        )
    return violations


def _passport(event: Event, details: RegistrationDetails, today: datetime.date) -> list[Violation]:
    """A visa letter needs the passport: a well-formed number, a real birth date, valid long enough."""
    if not details.wants_visa_letter:
        return []
    violations = [
        Violation("passport_missing", _("Needed for the visa invitation letter."), name)
        for name in PASSPORT_FIELDS
        if not getattr(details, name)
    ]
    number = details.passport_number
    if number and PASSPORT_NUMBER.regex.fullmatch(number) is None:
        violations.append(Violation("passport_number_invalid", PASSPORT_NUMBER.message, "passport_number"))
    if details.passport_nationality and details.passport_nationality not in dict(countries):
        violations.append(
            Violation("nationality_unknown", _("Choose the nationality in the list."), "passport_nationality")
        )
    valid_until = event.end_on + PASSPORT_VALID_AFTER_EVENT
    if details.passport_expires_on and details.passport_expires_on < valid_until:
        violations.append(
            Violation(
                "passport_expires_too_soon",
                _("The passport must be valid at least six months after the forum (until %(date)s or later).")
                % {"date": valid_until},
                "passport_expires_on",
            )
        )
    birth = details.passport_birth_date
    if birth and not EARLIEST_BIRTH_DATE <= birth < today:
        violations.append(
            Violation(
                "birth_date_invalid",
                _("Enter your date of birth as in your passport."),
                "passport_birth_date",
            )
        )
    return violations


NOT_OFFERED = {
    AttendanceMode.IN_PERSON: _("“%(title)s” cannot be attended in person."),
    AttendanceMode.ONLINE: _("“%(title)s” is not streamed online."),
}


def _sub_forums(event: Event, mode: str, sub_forums: Iterable[SubForum]) -> list[Violation]:
    """Each chosen sub-forum belongs to this edition and can be attended in the chosen mode."""
    violations = []
    for sub_forum in sub_forums:
        if sub_forum.event_id != event.pk:
            violations.append(
                Violation("sub_forum_of_other_edition", _("Choose sub-forums of this edition."), "sub_forums")
            )
        elif mode in AttendanceMode.values and not sub_forum.offers(mode):
            message = NOT_OFFERED[mode] % {"title": sub_forum.title}
            violations.append(Violation("sub_forum_mode_not_offered", message, "sub_forums"))
    return violations


def _overlaps(mode: str, sub_forums: Iterable[SubForum]) -> list[Violation]:
    """In person, a delegate is in one room at a time: no two chosen sessions may overlap (online may)."""
    if mode != AttendanceMode.IN_PERSON:
        return []
    chosen = sorted(sub_forums, key=lambda sub_forum: (sub_forum.starts_at, sub_forum.pk or 0))
    violations = []
    for index, first in enumerate(chosen):
        for second in chosen[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            message = _(
                "“%(first)s” and “%(second)s” take place at the same time: choose one of them to attend "
                "in person (online, sessions at the same time may all be chosen)."
            ) % {"first": first.title, "second": second.title}
            violations.append(Violation("sub_forums_overlap", message, "sub_forums"))
    return violations


INVITATION_MESSAGES = {
    "invitation_required": _(
        "Registration for this edition is by invitation only. Open the invitation link you received."
    ),
    "invitation_unknown": _(
        "This invitation code is not valid for this edition. Check the link you received."
    ),
    "invitation_revoked": _("This invitation was withdrawn by the organizers."),
    "invitation_used_up": _("This invitation has already been used as many times as it allows."),
    "invitation_other_email": _(
        "This invitation is for another email address. Sign in with the address it was sent to."
    ),
}


def _expired(event: Event, expires_at: datetime.datetime) -> Violation:
    """An expired invitation, with the moment it expired in the edition's time, zone named."""
    message = _("This invitation expired on %(when)s (%(zone)s). Ask the organizers for a new one.") % {
        "when": date_format(timezone.localtime(expires_at, event.tz), "DATETIME_FORMAT"),
        "zone": zone_label(event.time_zone, expires_at),
    }
    return Violation("invitation_expired", message, "invitation")


def invitation_violation(code: str) -> Violation:
    """The violation of an invitation rule, by its code (one of INVITATION_MESSAGES)."""
    return Violation(code, INVITATION_MESSAGES[code], "invitation")


def returning_with(registration: Registration | None, invitation: Invitation | None) -> bool:
    """Whether a cancelled registration comes back with the invitation it used (which it holds a use of)."""
    return (
        invitation is not None
        and registration is not None
        and registration.status == Registration.Status.CANCELLED
        and registration.invitation_id == invitation.pk
    )


def check_invitation(
    *,
    event: Event,
    invitation: Invitation | None,
    email: str,
    now: datetime.datetime | None = None,
    returning: bool = False,
) -> list[Violation]:
    """Whether this invitation lets the account with this email register for the edition.

    None for an edition by invitation is `invitation_required`; an open edition needs none, but a
    code given there is still checked (it may carry a delegation and a category). A delegate
    `returning` to the invitation of their cancelled registration already holds one of its uses."""
    if invitation is None:
        if event.access == Event.Access.INVITATION:
            return [invitation_violation("invitation_required")]
        return []
    now = now or timezone.now()
    if invitation.event_id != event.pk:  # a code of another edition is, for this one, no code at all
        code = "invitation_unknown"
    elif invitation.revoked_at is not None and invitation.revoked_at <= now:
        code = "invitation_revoked"
    elif invitation.expires_at is not None and invitation.expires_at <= now:
        return [_expired(event, invitation.expires_at)]
    elif invitation.uses >= invitation.max_uses and not returning:
        code = "invitation_used_up"
    elif invitation.email and invitation.email.casefold() != (email or "").casefold():
        code = "invitation_other_email"
    else:
        return []
    return [invitation_violation(code)]


def active_members(delegation: Delegation, mode: str):
    """The delegation's members that count against its quota for this mode.

    Waitlisted members count too: promotion from the edition's line does not look at quotas, so a
    quota that ignored them would be exceeded the day the line moves."""
    return delegation.members.filter(
        mode=mode, status__in=(*Registration.SEAT_HOLDING, Registration.Status.WAITLISTED)
    )


def check_quota(
    *, delegation: Delegation | None, mode: str, exclude: Registration | None = None
) -> list[Violation]:
    """One more member of this mode fits in the delegation's quota (call it with the delegation locked)."""
    if delegation is None or delegation.quota(mode) is None:
        return []
    members = active_members(delegation, mode)
    if exclude is not None and exclude.pk is not None:
        members = members.exclude(pk=exclude.pk)
    quota = delegation.quota(mode)
    if members.count() < quota:
        return []
    label = AttendanceMode(mode).label if mode in AttendanceMode.values else mode
    message = _("The delegation “%(name)s” has used all %(quota)d of its seats (%(mode)s).") % {
        "name": delegation.name,
        "quota": quota,
        "mode": label,
    }
    return [Violation("delegation_quota_full", message, "mode")]


def check(
    *,
    event: Event,
    profile: Profile | None,
    details: RegistrationDetails,
    sub_forums: Iterable[SubForum],
    self_service: bool,
    now: datetime.datetime | None = None,
) -> list[Violation]:
    """Every rule the registration breaks, in the order a form shows them (none: it may be saved)."""
    now = now or timezone.now()
    violations = []
    if self_service:
        violations += _window(event, now) + _consent(details)
    violations += _profile(profile) + _choices(event, details)
    violations += _travel(event, details, dates_required=self_service)
    violations += _passport(event, details, timezone.localdate(now))
    violations += _sub_forums(event, details.mode, sub_forums) + _overlaps(details.mode, sub_forums)
    return violations


def enforce(**kwargs) -> None:
    """Raise RegistrationError (the first violation's code and field, and all of them) if a rule is broken."""
    violations = check(**kwargs)
    if violations:
        first = violations[0]
        raise RegistrationError(first.code, first.message, first.field, violations)
