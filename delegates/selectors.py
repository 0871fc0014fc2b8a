"""Page-shaped reads of registrations, always scoped through their owner or edition."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from events.models import Event

from .models import Registration, SubForumSeat, User


def _ahead(queryset: QuerySet, moment_field: str, moment, pk: int) -> int:
    """How many rows of the queryset come before (moment, pk) in line."""
    return queryset.filter(
        Q(**{f"{moment_field}__lt": moment}) | Q(**{moment_field: moment, "pk__lt": pk})
    ).count()


def waitlist_position(registration: Registration) -> int | None:
    """The registration's rank on the edition's waiting list (1, 2, 3 ...), or None."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    line = Registration.objects.filter(
        event_id=registration.event_id, mode=registration.mode, status=Registration.Status.WAITLISTED
    )
    return _ahead(line, "seat_requested_at", registration.seat_requested_at, registration.pk) + 1


def seat_position(seat: SubForumSeat) -> int | None:
    """The seat's rank on its sub-forum's waiting list, or None when it is not waiting."""
    if seat.state != SubForumSeat.State.WAITLISTED:
        return None
    line = SubForumSeat.objects.filter(sub_forum_id=seat.sub_forum_id, state=SubForumSeat.State.WAITLISTED)
    return _ahead(line, "requested_at", seat.requested_at, seat.pk) + 1


def my_registrations(user: User) -> list[Registration]:
    """A delegate's registrations with their editions and seats, positions computed."""
    seats = SubForumSeat.objects.select_related("sub_forum").order_by("sub_forum__starts_at", "pk")
    registrations = list(
        user.registrations.select_related("event")
        .prefetch_related(Prefetch("seats", queryset=seats))
        .order_by("-event__start_on", "-pk")
    )
    for registration in registrations:
        registration.position = waitlist_position(registration)
        for seat in registration.seats.all():
            seat.position = seat_position(seat)
    return registrations


def own_registration(user: User, event: Event) -> Registration:
    """The signed-in delegate's registration for this edition, else 404."""
    return get_object_or_404(user.registrations.select_related("event"), event=event)


def find_own_registration(user: User, event: Event) -> Registration | None:
    """The delegate's registration for this edition, if any."""
    return user.registrations.filter(event=event).first()
