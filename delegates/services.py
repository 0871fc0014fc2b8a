"""Every state change of a registration: the only code that writes registration state.

Capacity (DESIGN.md): a registration holds its edition seat (for its attendance mode) while it is
pending or approved; only then does it hold sub-forum seats, each confirmed or waitlisted on its
own. Each function locks the capacity rows it counts (the edition row, then the sub-forum rows in
id order; `select_for_update` on PostgreSQL, immediate transactions on SQLite), re-counts, writes,
promotes whoever a released seat lets in, records an audit entry and queues its emails, all in one
transaction."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import AttendanceMode, Event, SubForum
from events.timezones import zone_label

from . import notifications, permissions, rules
from .locks import counted as _counted
from .locks import lock_capacity as _lock
from .locks import lock_rows as _lock_rows
from .models import (
    AuditEntry,
    CheckIn,
    Delegation,
    Invitation,
    Profile,
    Registration,
    SubForumSeat,
    User,
    new_badge_token,
)
from .notifications import notify
from .rules import Busy as Busy  # callers catch it from here (a RegistrationError: "try again")
from .rules import RegistrationDetails, RegistrationError

Status = Registration.Status
SeatState = SubForumSeat.State


# --- locking and counting -------------------------------------------------------------------


def edition_capacity(event: Event, mode: str) -> int | None:
    """Seats of the edition for an attendance mode; None means unlimited."""
    return event.in_person_capacity if mode == AttendanceMode.IN_PERSON else event.online_capacity


def _edition_seat_free(event: Event, mode: str, exclude: Registration | None = None) -> bool:
    """Whether one more registration of this mode may hold an edition seat."""
    capacity = edition_capacity(event, mode)
    if capacity is None:
        return True
    held = Registration.objects.filter(event=event, mode=mode).holding_seat()
    if exclude is not None:
        held = held.exclude(pk=exclude.pk)
    return held.count() < capacity


def _nobody_waiting(event: Event, mode: str, exclude: Registration | None = None) -> bool:
    """Whether the edition's line for this mode is empty (a newcomer never passes people in line)."""
    line = Registration.objects.filter(event=event, mode=mode, status=Status.WAITLISTED)
    if exclude is not None:
        line = line.exclude(pk=exclude.pk)
    return not line.exists()


def _sub_forum_seat_free(sub_forum: SubForum) -> bool:
    """Whether one more in-person delegate fits in the sub-forum's room."""
    if sub_forum.in_person_capacity is None:
        return True
    confirmed = SubForumSeat.objects.filter(
        sub_forum=sub_forum, state=SeatState.CONFIRMED, registration__mode=AttendanceMode.IN_PERSON
    ).count()
    return confirmed < sub_forum.in_person_capacity


# --- seats ----------------------------------------------------------------------------------


def _take_sub_forum_seats(registration: Registration, now: datetime.datetime) -> None:
    """A registration that holds its edition seat asks for each chosen sub-forum's seat now."""
    online = registration.mode == AttendanceMode.ONLINE
    seats = registration.seats.filter(state=SeatState.RELEASED).select_related("sub_forum")
    for seat in seats.order_by("sub_forum_id"):
        waiting = SubForumSeat.objects.filter(sub_forum=seat.sub_forum, state=SeatState.WAITLISTED).exists()
        free = online or (_sub_forum_seat_free(seat.sub_forum) and not waiting)
        _counted()
        seat.state = SeatState.CONFIRMED if free else SeatState.WAITLISTED
        seat.requested_at = now
        seat.save(update_fields=["state", "requested_at"])


def _release_sub_forum_seats(registration: Registration, seats=None) -> list[SubForum]:
    """Give up sub-forum seats; return the sub-forums whose line may move."""
    seats = list((seats if seats is not None else registration.seats.all()).select_related("sub_forum"))
    freed = [seat.sub_forum for seat in seats if seat.state == SeatState.CONFIRMED]
    SubForumSeat.objects.filter(pk__in=[seat.pk for seat in seats]).update(state=SeatState.RELEASED)
    return freed


def _fill_sub_forum(sub_forum: SubForum, actor: User | None) -> None:
    """Confirm the first waitlisted in-person seats while the room has space."""
    line = SubForumSeat.objects.filter(sub_forum=sub_forum, state=SeatState.WAITLISTED).order_by(
        "requested_at", "pk"
    )
    while _sub_forum_seat_free(sub_forum):
        seat = line.select_related("registration__user", "registration__event").first()
        if seat is None:
            return
        seat.state = SeatState.CONFIRMED
        seat.save(update_fields=["state"])
        _audit("sub_forum_seat_confirmed", seat.registration, actor, sub_forum=sub_forum.pk)
        notify(seat.registration, "seat_confirmed", sub_forum=sub_forum)


def _fill_edition(event: Event, mode: str, actor: User | None, exclude: Registration | None = None) -> None:
    """Promote the first in line while the edition has a free seat for this mode."""
    while _edition_seat_free(event, mode):
        line = Registration.objects.filter(event=event, mode=mode).waitlisted()
        if exclude is not None:
            line = line.exclude(pk=exclude.pk)
        registration = line.select_related("user", "event").first()
        if registration is None:
            return
        _promote(registration, actor, timezone.now())


def _promote(registration: Registration, actor: User | None, now: datetime.datetime) -> None:
    """Give a waitlisted registration its edition seat, then its sub-forum seats."""
    registration.status = Status.PENDING if registration.event.requires_approval else Status.APPROVED
    registration.save(update_fields=["status", "updated_at"])
    _take_sub_forum_seats(registration, now)
    _audit("promoted", registration, actor, status=registration.status)
    notify(registration, "promoted")


def _release_and_refill(registration: Registration, actor: User | None, mode: str | None = None) -> None:
    """Free every seat the registration held and let the next people in."""
    freed = _release_sub_forum_seats(registration)
    for sub_forum in freed:  # those already in a sub-forum's line come before anyone promoted now
        _fill_sub_forum(sub_forum, actor)
    _fill_edition(registration.event, mode or registration.mode, actor, exclude=registration)


def _audit(action: str, registration: Registration, actor: User | None, **data) -> None:
    """Record who did what to a registration."""
    AuditEntry.objects.create(
        action=action, registration=registration, event_id=registration.event_id, actor=actor, data=data
    )


# --- the state changes ----------------------------------------------------------------------


def _apply_details(registration: Registration, details: RegistrationDetails) -> None:
    """Copy the details; passport data is kept only with a visa letter request, travel only in person."""
    for name in RegistrationDetails.field_names():
        setattr(registration, name, getattr(details, name))
    if not registration.wants_visa_letter:
        registration.passport_number = ""
        registration.passport_nationality = ""
        registration.passport_birth_date = None
        registration.passport_expires_on = None
    if registration.mode == AttendanceMode.ONLINE:
        registration.arrival_at = registration.departure_at = None
        registration.flight = ""
        registration.needs_accommodation = False


def _enforce_rules(
    event: Event,
    user: User,
    details: RegistrationDetails,
    sub_forums: Iterable[SubForum],
    *,
    self_service: bool,
    now: datetime.datetime,
) -> None:
    """Raise RegistrationError unless the registration satisfies every rule (delegates/rules.py)."""
    rules.enforce(
        event=event,
        profile=Profile.objects.filter(user=user).first(),
        details=details,
        sub_forums=sub_forums,
        self_service=self_service,
        now=now,
    )


def _set_sub_forums(
    registration: Registration, sub_forums: Iterable[SubForum], now: datetime.datetime
) -> list:
    """Record the chosen sub-forums; return the sub-forums whose confirmed seat was given up."""
    chosen = {sub_forum.pk for sub_forum in sub_forums}
    dropped = registration.seats.exclude(sub_forum_id__in=chosen)
    freed = _release_sub_forum_seats(registration, dropped)
    dropped.delete()
    existing = set(registration.seats.values_list("sub_forum_id", flat=True))
    SubForumSeat.objects.bulk_create(
        SubForumSeat(registration=registration, sub_forum_id=pk, requested_at=now)
        for pk in sorted(chosen - existing)
    )
    return freed


@transaction.atomic
def submit_registration(
    *,
    event: Event,
    user: User,
    details: RegistrationDetails,
    sub_forums: list[SubForum],
    now: datetime.datetime | None = None,
    imported: bool = False,
    invitation: Invitation | None = None,
    delegation: Delegation | None = None,
) -> Registration:
    """Register a delegate: a seat if one is free (pending or approved), else the waiting list.

    Registering again after cancelling brings the same row back at the end of the line. Organizers'
    imports (`imported`) may come outside the window, without travel dates or consent (the
    delegate confirms later); the import sends its own invitation. On an edition by invitation a
    delegate's own registration needs a valid `invitation`, which is used once and, when it names
    a delegation and a category, gives them; a delegation's quota per mode is never exceeded."""
    return _register(
        event=event,
        user=user,
        details=details,
        sub_forums=sub_forums,
        now=now,
        imported=imported,
        invitation=invitation,
        delegation=delegation,
        actor=user,
        action="imported" if imported else "submitted",
    )


def _register(
    *,
    event: Event,
    user: User,
    details: RegistrationDetails,
    sub_forums: list[SubForum],
    now: datetime.datetime | None,
    imported: bool,
    invitation: Invitation | None,
    delegation: Delegation | None,
    actor: User | None,
    action: str,
) -> Registration:
    """submit_registration's work, inside the caller's transaction, recorded as `action` by `actor`."""
    held = _lock_rows(
        event, [sub_forum.pk for sub_forum in sub_forums], invitation=invitation, delegation=delegation
    )
    event, invitation, delegation = held.event, held.invitation, held.delegation
    # The line is ordered by this moment, so it is read once the locks are held: seats are
    # handed out in lock order, and the waiting list must follow the same order.
    now = now or timezone.now()
    registration = Registration.objects.filter(event=event, user=user).first()
    returning = rules.returning_with(registration, invitation)
    if invitation is not None or not imported:  # organizers' imports need no invitation
        _raise_first(
            rules.check_invitation(
                event=event, invitation=invitation, email=user.email, now=now, returning=returning
            )
        )
    if invitation is not None and invitation.category:
        details = details.replace(category=invitation.category)
    if delegation is not None and delegation.event_id != event.pk:
        raise RegistrationError(
            "delegation_of_other_edition", _("This delegation belongs to another edition.")
        )
    _enforce_rules(event, user, details, sub_forums, self_service=not imported, now=now)
    if registration is not None and registration.status not in (Status.CANCELLED, Status.REJECTED):
        raise RegistrationError("already_registered", _("You are already registered for this edition."))
    if registration is not None and registration.status == Status.REJECTED:
        raise RegistrationError("rejected", _("Your registration for this edition was declined."))
    _raise_first(rules.check_quota(delegation=delegation, mode=details.mode))
    registration = registration or Registration(event=event, user=user)
    _apply_details(registration, details)
    registration.delegation = delegation
    registration.invitation = invitation
    seat_free = _edition_seat_free(event, registration.mode) and _nobody_waiting(
        event, registration.mode, registration
    )
    _counted()
    if seat_free:
        registration.status = Status.PENDING if event.requires_approval else Status.APPROVED
    else:
        registration.status = Status.WAITLISTED
    registration.seat_requested_at = now
    registration.consented_at = now if registration.consent_version else None
    registration.rejection_reason = ""
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as error:  # the same person submitting twice at once without locks
        raise RegistrationError(
            "already_registered", _("You are already registered for this edition.")
        ) from error
    if invitation is not None and not returning:
        _use_invitation(invitation)
    _set_sub_forums(registration, sub_forums, now)
    if registration.holds_seat:
        _take_sub_forum_seats(registration, now)
    _audit(
        action,
        registration,
        actor,
        status=registration.status,
        mode=registration.mode,
        delegation=registration.delegation_id,
        invitation=registration.invitation_id,
    )
    if imported:
        return registration
    notify(
        registration,
        {Status.PENDING: "received", Status.APPROVED: "approved"}.get(registration.status, "waitlisted"),
    )
    return registration


def _raise_first(violations: list[rules.Violation]) -> None:
    """Refuse with the first violation (and all of them), if any."""
    if violations:
        first = violations[0]
        raise RegistrationError(first.code, first.message, first.field, violations)


def _use_invitation(invitation: Invitation) -> None:
    """Count one use of an invitation whose row this transaction holds locked."""
    # F() adds in the database, so no use is lost even where the row is not locked (the test
    # seam); the check constraint (uses <= max_uses) is the last guard against one too many.
    Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    invitation.refresh_from_db(fields=["uses"])


# --- delegations -----------------------------------------------------------------------------


def _may_manage(actor: User, delegation: Delegation) -> None:
    """Only the delegation's focal points and organizers add or replace its members."""
    if not (permissions.is_focal_point(actor, delegation) or permissions.can_edit_for_delegate(actor)):
        raise RegistrationError("not_focal_point", _("You do not manage this delegation."))


def _window_for(actor: User, event: Event, now: datetime.datetime) -> None:
    """A focal point (not an organizer) changes the delegation's members only while registration is open."""
    if not permissions.can_edit_for_delegate(actor) and not event.is_registration_open(now):
        raise RegistrationError("registration_closed", _("Registration for this edition is not open."))


def _person(email: str, profile: Profile) -> tuple[User, bool]:
    """The account with this email (created, without a usable password, if new) and whether it is new.

    A person who keeps a profile already keeps it; a new one gets the profile given."""
    from allauth.account.models import EmailAddress

    user = User.objects.filter(email__iexact=email.strip()).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email.strip())  # no usable password until they set one
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    if not Profile.objects.filter(user=user).exists():
        profile.pk = None
        profile.user = user
        try:
            profile.full_clean()
        except ValidationError as error:  # the caller's form checks first; this keeps bad rows out
            raise RegistrationError("profile_incomplete", _profile_errors(error)) from error
        profile.save()
    user.refresh_from_db()
    return user, created


def _profile_errors(error: ValidationError) -> str:
    """A profile's errors, each after the name of its field."""
    fields = {field.name: field.verbose_name for field in Profile._meta.fields}
    return " ".join(
        f"{fields.get(name, '')}: {' '.join(messages)}".lstrip(": ")
        for name, messages in error.message_dict.items()
    )


def _welcome(event: Event, user: User, created: bool) -> None:
    """The importer's email: set a password (if new), check the details and give consent."""
    # Imported lazily: the importer calls these services, and its email is the one to reuse.
    notifications.welcome(event, user, created)


@transaction.atomic
def add_delegation_member(
    *,
    delegation: Delegation,
    actor: User,
    email: str,
    profile: Profile,
    details: RegistrationDetails,
    sub_forums: list[SubForum],
    now: datetime.datetime | None = None,
) -> Registration:
    """A focal point (or an organizer) registers a person in the delegation, within its quota.

    The person gets an account if new (no usable password), the `profile` given if they have none,
    and a registration as the importer makes it: consent pending, no travel dates needed; then
    the importer's email, in their language, to set a password and confirm."""
    _may_manage(actor, delegation)
    _window_for(actor, delegation.event, now or timezone.now())
    user, created = _person(email, profile)
    registration = _register(
        event=delegation.event,
        user=user,
        details=details.replace(consent_version=""),  # the member gives consent, not the focal point
        sub_forums=sub_forums,
        now=now,  # None: the moment the locks are held, which orders the waiting list
        imported=True,
        invitation=None,
        delegation=delegation,
        actor=actor,
        action="member_added",
    )
    _welcome(registration.event, user, created)
    return registration


@transaction.atomic
def replace_delegation_member(
    *,
    registration: Registration,
    actor: User,
    email: str,
    profile: Profile,
    now: datetime.datetime | None = None,
) -> Registration:
    """Give a member's place to another person in one transaction: same delegation, mode, category,
    sub-forums, edition seat or place in line and sub-forum seats; the old registration is
    cancelled without anyone being promoted in between. Both people are emailed."""
    delegation = registration.delegation
    if delegation is None:
        raise RegistrationError("not_a_member", _("This registration belongs to no delegation."))
    _may_manage(actor, delegation)
    seat_ids = list(registration.seats.values_list("sub_forum_id", flat=True))
    held = _lock_rows(registration.event, seat_ids, delegation=delegation)
    delegation = held.delegation  # its head as stored now
    now = now or timezone.now()
    _window_for(actor, held.event, now)
    registration.refresh_from_db()
    if not registration.is_active or registration.delegation_id != delegation.pk:
        raise RegistrationError("not_active", _("This registration is no longer active."))
    user, created = _person(email, profile)
    successor = _successor(registration, user, now)
    old_seats = list(registration.seats.order_by("sub_forum_id"))
    SubForumSeat.objects.bulk_create(
        SubForumSeat(
            registration=successor,
            sub_forum_id=seat.sub_forum_id,
            state=seat.state,
            requested_at=seat.requested_at,
        )
        for seat in old_seats
    )
    registration.seats.update(state=SeatState.RELEASED)  # taken over, so nobody is promoted
    registration.status = Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    if delegation.head_id == registration.pk:  # the replacement heads the delegation in turn
        Delegation.objects.filter(pk=delegation.pk).update(head=successor)
    _audit("member_replaced", registration, actor, successor=successor.pk, by_delegate=False)
    _audit("member_replacing", successor, actor, predecessor=registration.pk, status=successor.status)
    notify(registration, "cancelled", reason=REPLACED_REASON)
    _welcome(successor.event, user, created)
    return successor


REPLACED_REASON = _("Your delegation has given your place to another member.")


def _successor(registration: Registration, user: User, now: datetime.datetime) -> Registration:
    """The new person's registration, in the old one's place (their own cancelled row is reused)."""
    event = registration.event
    details = RegistrationDetails(
        category=registration.category,
        mode=registration.mode,
        interpretation_language=registration.interpretation_language,
    )
    sub_forums = list(registration.sub_forums.order_by("pk"))
    _enforce_rules(event, user, details, sub_forums, self_service=False, now=now)
    successor = Registration.objects.filter(event=event, user=user).first()
    if successor is not None and successor.status == Status.REJECTED:
        raise RegistrationError("rejected", _("This person's registration for this edition was declined."))
    if successor is not None and successor.is_active:
        raise RegistrationError(
            "already_registered", _("This person is already registered for this edition.")
        )
    successor = successor or Registration(event=event, user=user)
    _apply_details(successor, details)
    successor.delegation_id = registration.delegation_id
    successor.invitation = None
    successor.status = registration.status
    successor.seat_requested_at = registration.seat_requested_at  # the same place in line
    successor.consented_at = None
    successor.rejection_reason = ""
    successor.save()
    successor.seats.all().delete()  # a reused row's old choices; the old member's seats follow
    return successor


def _changed_fields(registration: Registration, details: RegistrationDetails, sub_forums) -> list[str]:
    """The names of the details and of the sub-forum choice that an edit changes (for audit and email)."""
    before = RegistrationDetails.of(registration)
    changed = [name for name in details.field_names() if getattr(before, name) != getattr(details, name)]
    if {sf.pk for sf in sub_forums} != set(registration.seats.values_list("sub_forum_id", flat=True)):
        changed.append("sub_forums")
    return changed


@transaction.atomic
def edit_registration(
    *,
    registration: Registration,
    details: RegistrationDetails,
    sub_forums: list[SubForum],
    actor: User,
    now: datetime.datetime | None = None,
) -> Registration:
    """Change a registration's details and sub-forums; a change of mode is a switch (see switch_mode).

    The delegate edits while registration is open; organizers also after it closed, and the
    delegate is then told by email what changed."""
    held = _lock_rows(
        registration.event,
        [*registration.seats.values_list("sub_forum_id", flat=True), *(sf.pk for sf in sub_forums)],
        delegation=registration.delegation,
    )
    event = held.event
    now = now or timezone.now()  # after the locks, like submit_registration
    registration.refresh_from_db()
    registration.event = event
    if registration.status in (Status.CANCELLED, Status.REJECTED):
        raise RegistrationError("not_active", _("This registration is no longer active."))
    self_service = actor == registration.user
    _enforce_rules(event, registration.user, details, sub_forums, self_service=self_service, now=now)
    changed = _changed_fields(registration, details, sub_forums)
    if details.mode != registration.mode:  # the other mode's quota must have room for one more
        _raise_first(rules.check_quota(delegation=held.delegation, mode=details.mode, exclude=registration))
        _switch_mode(registration, details.mode, actor, now)
    _apply_details(registration, details)
    if registration.consent_version and registration.consented_at is None:
        registration.consented_at = now  # an imported delegate accepted the notice on the form
    registration.save()
    freed = _set_sub_forums(registration, sub_forums, now)
    if registration.holds_seat:
        _take_sub_forum_seats(registration, now)
    for sub_forum in freed:
        _fill_sub_forum(sub_forum, actor)
    _audit("edited", registration, actor, mode=registration.mode, changed=changed)
    if not self_service and changed:
        notify(registration, "changed", changed=[_field_label(name) for name in changed])
    return registration


def _field_label(name: str) -> str:
    """A registration field's name as the delegate reads it."""
    if name == "sub_forums":
        return _("sub-forums")
    return Registration._meta.get_field(name).verbose_name


def _switch_mode(registration: Registration, new_mode: str, actor: User, now: datetime.datetime) -> None:
    """Release the old mode's seats (the line moves) and ask for a seat of the new mode.

    The new seat is asked for now: it waits for approval again where approval is needed, or
    joins the end of the new mode's line."""
    event = registration.event
    old_mode = registration.mode
    was_holding = registration.holds_seat
    freed = _release_sub_forum_seats(registration)
    registration.mode = new_mode
    if _edition_seat_free(event, new_mode, exclude=registration) and _nobody_waiting(
        event, new_mode, registration
    ):
        registration.status = Status.PENDING if event.requires_approval else Status.APPROVED
    else:
        registration.status = Status.WAITLISTED
    registration.seat_requested_at = now
    registration.save()
    for sub_forum in freed:
        _fill_sub_forum(sub_forum, actor)
    if was_holding:
        _fill_edition(event, old_mode, actor, exclude=registration)
    _audit("mode_switched", registration, actor, old=old_mode, new=new_mode, status=registration.status)
    if registration.status == Status.WAITLISTED:
        notify(registration, "waitlisted")


@transaction.atomic
def switch_mode(*, registration: Registration, mode: str, actor: User, now=None, **changes) -> Registration:
    """Move a registration between in person and online; sub-forums the new mode lacks are dropped.

    `changes` are other details the new mode needs (a delegate going in person gives travel dates)."""
    offered = [sub_forum for sub_forum in registration.sub_forums.all() if sub_forum.offers(mode)]
    details = RegistrationDetails.of(registration).replace(mode=mode, **changes)
    return edit_registration(
        registration=registration, details=details, sub_forums=offered, actor=actor, now=now
    )


def _transition(registration: Registration, allowed: tuple, code: str) -> None:
    """Lock the edition and check the registration is in one of the allowed states."""
    event = _lock(registration.event, registration.seats.values_list("sub_forum_id", flat=True))
    registration.refresh_from_db()
    registration.event = event
    if registration.status not in allowed:
        raise RegistrationError(
            code,
            _("This registration is %(status)s and cannot be changed this way.")
            % {"status": registration.get_status_display().lower()},
        )


@transaction.atomic
def approve_registration(*, registration: Registration, actor: User) -> Registration:
    """Approve a pending registration (it already holds its seat)."""
    _transition(registration, (Status.PENDING,), "not_pending")
    registration.status = Status.APPROVED
    registration.save(update_fields=["status", "updated_at"])
    _audit("approved", registration, actor)
    notify(registration, "approved")
    return registration


@transaction.atomic
def reject_registration(*, registration: Registration, actor: User, reason: str) -> Registration:
    """Decline a registration with a reason; its seats go to the next in line."""
    _transition(registration, (Status.PENDING, Status.APPROVED, Status.WAITLISTED), "not_rejectable")
    registration.status = Status.REJECTED
    registration.rejection_reason = reason
    registration.save(update_fields=["status", "rejection_reason", "updated_at"])
    _release_and_refill(registration, actor)
    _audit("rejected", registration, actor, reason=reason)
    notify(registration, "rejected")
    return registration


@transaction.atomic
def waitlist_registration(*, registration: Registration, actor: User, now=None) -> Registration:
    """Move a pending or approved registration to the end of the waiting list; the line moves."""
    _transition(registration, (Status.PENDING, Status.APPROVED), "not_waitlistable")
    registration.status = Status.WAITLISTED
    registration.seat_requested_at = now or timezone.now()
    registration.save(update_fields=["status", "seat_requested_at", "updated_at"])
    _release_and_refill(registration, actor)
    _audit("waitlisted", registration, actor)
    notify(registration, "waitlisted")
    return registration


@transaction.atomic
def promote_registration(*, registration: Registration, actor: User) -> Registration:
    """Give a waitlisted registration a seat now, if the edition has one free."""
    _transition(registration, (Status.WAITLISTED,), "not_waitlisted")
    if not _edition_seat_free(registration.event, registration.mode):
        raise RegistrationError("edition_full", _("The edition has no free seat for this attendance mode."))
    _counted()
    _promote(registration, actor, timezone.now())
    return registration


@transaction.atomic
def cancel_registration(
    *, registration: Registration, actor: User | None, reason: str = "", now=None, notify_delegate=True
) -> Registration:
    """Cancel a registration; its seats go to the next in line.

    The delegate cancels while registration is open; organizers and staff at any time, with a
    reason the delegate is told."""
    _transition(registration, (Status.PENDING, Status.APPROVED, Status.WAITLISTED), "not_cancellable")
    if actor == registration.user and not registration.event.is_registration_open(now):
        raise RegistrationError("registration_closed", _("Registration has closed; write to the organizers."))
    registration.status = Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    _release_and_refill(registration, actor)
    _audit("cancelled", registration, actor, reason=reason, by_delegate=actor == registration.user)
    if notify_delegate:
        by_focal_point = bool(
            actor is not None
            and registration.delegation_id
            and permissions.is_focal_point(actor, registration.delegation)
        )
        notify(registration, "cancelled", reason=reason, by_focal_point=by_focal_point)
    return registration


@transaction.atomic
def refill(*, event: Event, actor: User) -> None:
    """After capacities changed: confirm waiting sub-forum seats and promote from the lines while seats are free."""
    event = _lock(event, event.sub_forums.values_list("pk", flat=True))
    for sub_forum in event.sub_forums.order_by("pk"):
        _fill_sub_forum(sub_forum, actor)
    for mode in AttendanceMode.values:
        _fill_edition(event, mode, actor)


def record_passport_view(*, registration: Registration, actor: User) -> None:
    """Passport data was shown to someone: keep who and when."""
    _audit("passport_viewed", registration, actor)


def record_export(
    *, event: Event, actor: User, file_format: str, filters: dict, columns: list[str], rows: int
) -> None:
    """An attendee list left the system: keep who, when, which edition, filters, columns, rows, format."""
    AuditEntry.objects.create(
        action="export",
        event=event,
        actor=actor,
        data={"format": file_format, "filters": filters, "columns": columns, "rows": rows},
    )


@transaction.atomic
def reissue_badge(*, registration: Registration, actor: User) -> Registration:
    """Give the registration a new badge token; the old badge is refused at the desk from now on."""
    registration.badge_token = new_badge_token()
    registration.save(update_fields=["badge_token", "updated_at"])
    _audit("badge_reissued", registration, actor)
    if registration.holds_seat and registration.mode == AttendanceMode.IN_PERSON:
        notify(registration, "badge_reissued")
    return registration


def record_badges_printed(*, event: Event, actor: User, count: int, filters: dict) -> None:
    """A sheet of badges was printed."""
    AuditEntry.objects.create(
        action="badges_printed", event=event, actor=actor, data={"count": count, "filters": filters}
    )


@dataclass(frozen=True)
class CheckInOutcome:
    """What the desk shows after a scan: admitted or not, why, and who."""

    admitted: bool
    code: str
    message: str
    registration: Registration | None = None


REFUSALS = {
    Status.PENDING: ("not_approved", _("Not approved yet: send them to the registration desk.")),
    Status.WAITLISTED: ("waitlisted", _("On the waiting list: no seat at this edition.")),
    Status.REJECTED: ("rejected", _("This registration was rejected.")),
    Status.CANCELLED: ("cancelled", _("This registration was cancelled.")),
}


@transaction.atomic
def check_in(
    *,
    event: Event,
    actor: User,
    token: str = "",
    registration_id: int | None = None,
    sub_forum: SubForum | None = None,
) -> CheckInOutcome:
    """Admit a person once, at the venue entrance (no sub-forum) or at a sub-forum, or say why not."""
    registrations = event.registrations.select_related("user__profile", "delegation")
    if token:
        registration = registrations.filter(badge_token=token.strip()).first()
    else:
        registration = registrations.filter(pk=registration_id).first()
    if registration is None:
        return CheckInOutcome(
            False, "unknown", _("Unknown badge: not of this edition, or replaced by a new one.")
        )
    if registration.status in REFUSALS:
        code, message = REFUSALS[registration.status]
        return CheckInOutcome(False, code, message, registration)
    if registration.mode != AttendanceMode.IN_PERSON:
        return CheckInOutcome(False, "online", _("Registered to attend online, not in person."), registration)
    if (
        sub_forum is not None
        and not registration.seats.filter(sub_forum=sub_forum, state=SeatState.CONFIRMED).exists()
    ):
        return CheckInOutcome(False, "no_seat", _("No confirmed seat in this sub-forum."), registration)
    try:
        with transaction.atomic():
            CheckIn.objects.create(registration=registration, sub_forum=sub_forum, checked_in_by=actor)
    except IntegrityError:  # admitted already, perhaps a moment ago at another scanner
        earlier = CheckIn.objects.select_related("checked_in_by").get(
            registration=registration, sub_forum=sub_forum
        )
        local = timezone.localtime(earlier.checked_in_at, event.tz).strftime("%Y-%m-%d %H:%M")
        moment = f"{local} ({zone_label(event.time_zone, earlier.checked_in_at)})"
        who = earlier.checked_in_by.email if earlier.checked_in_by else "?"
        return CheckInOutcome(
            False,
            "already",
            _("Already admitted at %(time)s by %(who)s.") % {"time": moment, "who": who},
            registration,
        )
    _audit("checked_in", registration, actor, sub_forum=sub_forum.pk if sub_forum else None)
    return CheckInOutcome(True, "admitted", _("Admitted."), registration)


@transaction.atomic
def undo_check_in(*, registration: Registration, actor: User, sub_forum: SubForum | None = None) -> bool:
    """Take back a check-in made by mistake (the badge is admitted again); False if there was none."""
    check = registration.check_ins.filter(sub_forum=sub_forum).first()
    if check is None:
        return False
    _audit(
        "check_in_undone",
        registration,
        actor,
        sub_forum=sub_forum.pk if sub_forum else None,
        checked_in_at=check.checked_in_at.isoformat(),
    )
    check.delete()
    return True


@transaction.atomic
def erase_account(*, user: User, actor: User | None) -> int:
    """Delete an account and its personal data; its registrations are cancelled first, so the line moves.

    Every active registration goes through cancel_registration (seats released, the first in line
    promoted) in this one transaction; then the account, its profile, registrations and check-ins
    are deleted. The audit trail keeps its entries, no longer linked to the person. Returns how many
    registrations were cancelled."""
    active = list(
        user.registrations.exclude(status__in=(Status.CANCELLED, Status.REJECTED))
        .select_related("event")
        .order_by("event_id")  # one order of edition locks, like every other change
    )
    for registration in active:
        cancel_registration(
            registration=registration, actor=actor, reason="account_erased", notify_delegate=False
        )
    AuditEntry.objects.create(action="account_erased", actor=actor, data={"cancelled": len(active)})
    user.delete()
    return len(active)


@transaction.atomic
def give_consent(*, registration: Registration, version: str, actor: User) -> Registration:
    """An imported delegate confirmed their details and accepted the privacy notice."""
    registration.consent_version = version
    registration.consented_at = timezone.now()
    registration.save(update_fields=["consent_version", "consented_at", "updated_at"])
    _audit("consent_given", registration, actor, version=version)
    return registration


def record_import(*, event: Event, actor: User, counts: dict) -> None:
    """A delegation list was imported."""
    AuditEntry.objects.create(action="import", event=event, actor=actor, data=counts)
