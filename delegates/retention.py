"""Retention of personal data: each edition's passport data, then its delegates' personal data, are
removed once the periods its organizers set (counted from its last day, in its own time zone) are over.

Passport stage (`Event.passport_retention_days`): every registration's passport number, nationality,
birth and expiry dates are blanked, and so is every copy of a passport number elsewhere: outbox texts,
audit details, sessions (refused forms and import previews keep what was typed).
Anonymisation stage (`Event.personal_data_retention_days`): every registration of the edition loses its
travel, needs and reasons, keeping what the totals count (category, mode, status, delegation, seats,
check-ins, the account's country); the edition's invitations lose their email and note. An account is
anonymised with it once none of its registrations is still within its period, and only if it holds no
staff role and is no focal point of an edition still within its period: its email, names, position,
organization and phone go, it can no longer sign in, and its email addresses, authenticators,
sessions, outbox messages, admin log titles and the audit details naming it go too.
Each stage's work is one transaction, audited without personal data; running it again changes nothing.
"""

import datetime
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import Event

from . import drafts
from .models import AuditEntry, ExportPreset, OutboxMessage, Profile, Registration, User, VisaLetter

ERASED = "[erased]"
ANONYMISED_DOMAIN = "anonymised.invalid"
PASSPORT_BLANK = {
    "passport_number": "",
    "passport_nationality": "",
    "passport_birth_date": None,
    "passport_expires_on": None,
}
TRAVEL_AND_NEEDS_BLANK = {
    "arrival_at": None,
    "departure_at": None,
    "flight": "",
    "needs_accommodation": False,
    "dietary_needs": "",
    "accessibility_needs": "",
    "rejection_reason": "",
}
PROFILE_BLANK = {
    "honorific": "",
    "given_name_native": "",
    "family_name_native": "",
    "given_name_latin": "",
    "family_name_latin": "",
    "position": "",
    "organization": "",
    "phone": "",
}


@dataclass
class EditionPurge:
    """What one run removed (or, in a dry run, would remove) for one edition."""

    event: Event
    passports: int = 0
    registrations: int = 0
    accounts: int = 0
    traces: int = 0

    def __bool__(self) -> bool:
        return bool(self.passports or self.registrations or self.accounts or self.traces)

    def counts(self) -> dict[str, int]:
        """The numbers, as the audit entry keeps them."""
        return {
            "passports": self.passports,
            "registrations": self.registrations,
            "accounts": self.accounts,
            "traces": self.traces,
        }


def passports_due(event: Event, now: datetime.datetime) -> bool:
    """The edition's passport data is kept no longer: its period after the last day is over."""
    return now >= event.ends_at() + datetime.timedelta(days=event.passport_retention_days)


def personal_data_due(event: Event, now: datetime.datetime) -> bool:
    """The edition's personal data is kept no longer: its longer period after the last day is over."""
    return now >= event.ends_at() + datetime.timedelta(days=event.personal_data_retention_days)


def is_anonymised(user: User) -> bool:
    """The account was anonymised by a purge."""
    return user.email.endswith("@" + ANONYMISED_DOMAIN)


def purge(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[EditionPurge]:
    """Remove what each edition's retention periods say must go; a dry run counts it and keeps it all."""
    now = now or timezone.now()
    if not dry_run:  # refused forms and import previews wait in sessions until they expire
        Session.objects.filter(expire_date__lt=timezone.now()).delete()
    done = []
    for event in Event.objects.order_by("end_on", "pk"):
        if not passports_due(event, now):
            continue
        with transaction.atomic():
            result = purge_edition(event=event, now=now)
            if dry_run:
                transaction.set_rollback(True)  # the same work, undone: the counts are exactly what would go
        if result:
            done.append(result)
    return done


def purge_edition(*, event: Event, now: datetime.datetime) -> EditionPurge:
    """Blank the edition's passport data and, when due, anonymise its delegates; audit what was done."""
    result = EditionPurge(event=event)
    registrations = list(event.registrations.select_related("user").order_by("pk"))
    numbers = [registration.passport_number for registration in registrations if registration.passport_number]
    result.passports = _blank(registrations, PASSPORT_BLANK)
    result.traces += _drop_drafts(event)
    result.traces += _revoke_letters(event, now)
    needles = set(numbers)
    if personal_data_due(event, now):
        result.registrations = _blank(registrations, TRAVEL_AND_NEEDS_BLANK)
        needles |= set(event.invitations.exclude(email="").values_list("email", flat=True))
        result.traces += _blank_invitations(event)
        accounts = [user for user in {r.user for r in registrations} if _may_anonymise(user, now)]
        for user in sorted(accounts, key=lambda user: user.pk):
            needles |= _anonymise_account(user)
        result.accounts = len(accounts)
        result.traces += _forget_accounts(accounts)
    result.traces += _scrub_traces(needles)
    if result:
        AuditEntry.objects.create(action="personal_data_purged", event=event, data=result.counts())
    return result


def _blank(registrations: list[Registration], blank: dict) -> int:
    """Set the registrations' fields to `blank` where they are not yet; how many changed."""
    changed = 0
    for registration in registrations:
        if all(getattr(registration, name) == value for name, value in blank.items()):
            continue
        for name, value in blank.items():
            setattr(registration, name, value)
        registration.save(update_fields=list(blank))
        changed += 1
    return changed


def _blank_invitations(event: Event) -> int:
    """The edition's invitations keep their counts, not whom they were for or the organizers' notes."""
    return event.invitations.filter(~Q(email="") | ~Q(note="")).update(email="", note="")


def _may_anonymise(user: User, now: datetime.datetime) -> bool:
    """No registration of the account is within its period, and it has no staff role or pending duty."""
    if is_anonymised(user) or user.is_staff or user.is_superuser or user.groups.exists():
        return False
    editions = Event.objects.filter(
        Q(registrations__user=user) | Q(delegations__focal_points=user)
    ).distinct()
    return all(personal_data_due(event, now) for event in editions)


def _anonymise_account(user: User) -> set[str]:
    """Replace the account's email and the profile's personal fields; returns the texts that named them."""
    needles = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        parts = [
            profile.given_name_latin,
            profile.family_name_latin,
            profile.given_name_native,
            profile.family_name_native,
        ]
        # The full names (王芳 too), and each name alone where it is long enough not to be any word.
        needles |= {
            profile.name_latin,
            profile.name_native,
            *[part for part in parts if len(part.strip()) >= 3],
        }
        for name, value in PROFILE_BLANK.items():
            setattr(profile, name, value)
        profile.save()
    user.email = f"anonymised-{user.pk}@{ANONYMISED_DOMAIN}"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return {needle.strip() for needle in needles if len(needle.strip()) >= 2}


def _forget_accounts(users: list[User]) -> int:
    """Remove what the anonymised accounts leave elsewhere: addresses, authenticators, mail, log titles."""
    if not users:
        return 0
    pks = [user.pk for user in users]
    removed = EmailAddress.objects.filter(user__in=pks).delete()[0]
    removed += Authenticator.objects.filter(user__in=pks).delete()[0]
    removed += Session.objects.filter(session_key__in=_session_keys_of(pks)).delete()[0]
    registrations = Registration.objects.filter(user__in=pks).values_list("pk", flat=True)
    titled = (
        Q(content_type=ContentType.objects.get_for_model(User), object_id__in=[str(pk) for pk in pks])
        | Q(
            content_type=ContentType.objects.get_for_model(Registration),
            object_id__in=[str(pk) for pk in registrations],
        )
        | Q(
            content_type=ContentType.objects.get_for_model(Profile),
            object_id__in=[
                str(pk) for pk in Profile.objects.filter(user__in=pks).values_list("pk", flat=True)
            ],
        )
    )
    removed += LogEntry.objects.filter(titled).exclude(object_repr=ERASED).update(object_repr=ERASED)
    return removed


def _session_keys_of(user_pks: list[int]) -> list[str]:
    """The sessions signed in as one of these accounts."""
    wanted = {str(pk) for pk in user_pks}
    return [
        session.pk
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") in wanted
    ]


def _scrub_traces(needles: set[str]) -> int:
    """Erase the texts (passport numbers, emails, names) wherever copies of them were kept."""
    if not needles:
        return 0
    pattern = re.compile(
        "|".join(re.escape(needle) for needle in sorted(needles, key=len, reverse=True)), re.I
    )
    return (
        _scrub_outbox(pattern)
        + _scrub_audit(pattern)
        + _scrub_admin_log(pattern)
        + _scrub_sessions(pattern)
        + _scrub_presets(pattern)
    )


def _scrub_outbox(pattern: re.Pattern) -> int:
    """Messages to or about the people lose their address, subject and text; the record of sending stays."""
    changed = 0
    for message in OutboxMessage.objects.only("to", "subject", "body_text", "body_html"):
        if not any(
            pattern.search(text)
            for text in (message.to, message.subject, message.body_text, message.body_html)
        ):
            continue
        message.to = f"{ERASED}@{ANONYMISED_DOMAIN}" if pattern.search(message.to) else message.to
        message.subject = pattern.sub(ERASED, message.subject)
        message.body_text = message.body_html = ""
        message.save(update_fields=["to", "subject", "body_text", "body_html"])
        changed += 1
    return changed


def _scrub_audit(pattern: re.Pattern) -> int:
    """Audit details that quote the texts keep their shape with the texts erased; the entries stay.

    Every edition's entries: an account is anonymised with its last edition, and earlier ones may name it."""
    found = [
        entry
        for entry in AuditEntry.objects.only("data").order_by("pk")
        if pattern.search(json.dumps(entry.data, ensure_ascii=False))
    ]
    for entry in found:
        entry.data = _erased(entry.data, pattern)
        entry.save(update_fields=["data"])
    return len(found)


def _scrub_admin_log(pattern: re.Pattern) -> int:
    """The admin's history keeps its lines; titles and messages (an added row's title) lose the texts."""
    found = [
        entry
        for entry in LogEntry.objects.only("object_repr", "change_message").order_by("pk")
        if pattern.search(entry.object_repr) or pattern.search(entry.change_message)
    ]
    for entry in found:
        entry.object_repr = pattern.sub(ERASED, entry.object_repr)
        entry.change_message = pattern.sub(ERASED, entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])
    return len(found)


def _erased(value, pattern: re.Pattern):
    """The JSON value with each string that contains one of the texts replaced by ERASED."""
    if isinstance(value, dict):
        return {_erased(key, pattern): _erased(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_erased(item, pattern) for item in value]
    if isinstance(value, str) and pattern.search(value):
        return ERASED
    return value


def _scrub_sessions(pattern: re.Pattern) -> int:
    """Session values that hold the texts (a refused form, an import preview) are dropped from the session."""
    changed = 0
    for session in Session.objects.all():
        data = session.get_decoded()
        kept = {
            key: value
            for key, value in data.items()
            if not pattern.search(json.dumps(value, default=str, ensure_ascii=False))
        }
        if kept != data:
            store = Session.get_session_store_class()()
            Session.objects.filter(pk=session.pk).update(session_data=store.encode(kept))
            changed += 1
    return changed


def _revoke_letters(event: Event, now: datetime.datetime) -> int:
    """Revoke the edition's visa letters: without the passport data they state, they would be drawn
    with blanks, and a consulate's check says "revoked" from now on."""
    return VisaLetter.objects.filter(registration__event=event, status__in=VisaLetter.VALID).update(
        status=VisaLetter.Status.REVOKED, revoked_at=now
    )


def _drop_drafts(event: Event) -> int:
    """Drop the edition's drafts (refused forms, import previews) from every session: they hold typed
    passport data, encrypted, which a text search cannot recognise."""
    changed = 0
    for session in Session.objects.all():
        data = session.get_decoded()
        drop = drafts.of_edition(data, event.pk)
        if drop:
            store = Session.get_session_store_class()()
            kept = {key: value for key, value in data.items() if key not in drop}
            Session.objects.filter(pk=session.pk).update(session_data=store.encode(kept))
            changed += 1
    return changed


def _scrub_presets(pattern: re.Pattern) -> int:
    """Saved list filters that search for one of the texts lose that search."""
    changed = 0
    for preset in ExportPreset.objects.all():
        pairs = parse_qsl(preset.query, keep_blank_values=True)
        kept = [(key, value) for key, value in pairs if not pattern.search(value)]
        if kept != pairs:
            preset.query = urlencode(kept)
            preset.save(update_fields=["query"])
            changed += 1
    return changed
