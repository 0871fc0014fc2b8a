"""Short, ordered, bounded locks on the rows that capacity is counted against.

Always in one order (the edition, then the invitation being used, then the delegation whose quota
is counted, then the sub-forums by id), only inside a transaction, and on
PostgreSQL never waiting longer than FORUM_LOCK_TIMEOUT_SECONDS: past that the change is refused
with `Busy` (the page says "try again"; other clients get 503 with Retry-After), never a 500.
On SQLite the immediate transaction already serialises writers (its own busy timeout applies).

The one test seam: `overbooking_control()` switches the locks off and runs a callback between
counting and writing, which lets the concurrency tests prove they can see overbooking."""

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection
from django.http import JsonResponse
from django.shortcuts import render

from events.models import Event, SubForum

from .models import Delegation, Invitation
from .rules import Busy

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires


class _Seam:
    """Test-only behaviour; production never changes it (see `overbooking_control`)."""

    locking: bool = True
    after_count: Callable[[], None] | None = None


_seam = _Seam()


@contextlib.contextmanager
def overbooking_control(after_count: Callable[[], None]) -> Iterator[None]:
    """For tests: no row locks, and `after_count` between each count and its write (restored after)."""
    _seam.locking, _seam.after_count = False, after_count
    try:
        yield
    finally:
        _seam.locking, _seam.after_count = True, None


def counted() -> None:
    """The point between counting seats and writing (does nothing outside `overbooking_control`)."""
    if _seam.after_count is not None:
        _seam.after_count()


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether a database error says a lock could not be had in time (PostgreSQL or SQLite)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE or "database is locked" in str(error)


def _set_lock_timeout() -> None:
    """Bound every lock wait of the current transaction (PostgreSQL; SQLite has its busy timeout)."""
    if connection.vendor == "postgresql":
        milliseconds = int(settings.FORUM_LOCK_TIMEOUT_SECONDS * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])


@dataclass(frozen=True)
class Held:
    """The rows a change holds, as stored now (read after the locks were granted)."""

    event: Event
    invitation: Invitation | None = None
    delegation: Delegation | None = None


def lock_capacity(event: Event, sub_forum_ids: Iterable[int] = ()) -> Event:
    """Lock the edition row, then the sub-forum rows in id order; return the edition as stored now.

    Capacities and the approval flag are read from the returned row, never from an object loaded
    before the lock, so an organizer's change that committed meanwhile is seen."""
    return lock_rows(event, sub_forum_ids).event


def lock_rows(
    event: Event,
    sub_forum_ids: Iterable[int] = (),
    *,
    invitation: Invitation | None = None,
    delegation: Delegation | None = None,
) -> Held:
    """Lock the edition, the invitation, the delegation (the invitation's, if it names one), then the
    sub-forums by id; return the rows as stored now, so uses and quotas are counted on fresh rows."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_capacity() must run inside transaction.atomic().")
    locking = _seam.locking
    ids = sorted(set(sub_forum_ids))
    if locking:
        _set_lock_timeout()
    try:
        fresh = _fetch(Event, event.pk, locking)
        if invitation is not None:
            invitation = _fetch(Invitation, invitation.pk, locking)
            if invitation.delegation_id is not None:
                delegation = invitation.delegation
        if delegation is not None:
            delegation = _fetch(Delegation, delegation.pk, locking)
        if ids and locking:
            list(SubForum.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    except OperationalError as error:
        if is_lock_timeout(error):
            raise Busy from error
        raise
    return Held(fresh, invitation, delegation)


def _fetch(model, pk: int, locking: bool):
    """One row as stored now, locked unless the test seam switched locking off."""
    manager = model.objects.select_for_update() if locking else model.objects
    return manager.get(pk=pk)


class BusyMiddleware:
    """Answers a change refused as Busy (or a lock wait that timed out) with 503 and Retry-After.

    People get a page that says to try again; scripts (the desk, any JSON client) get JSON."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Turn Busy into a friendly 503; leave every other error alone."""
        if isinstance(exception, OperationalError) and is_lock_timeout(exception):
            exception = Busy()
        if not isinstance(exception, Busy):
            return None
        if "text/html" in request.headers.get("Accept", "text/html"):
            response = render(request, "busy.html", {"message": exception.message}, status=503)
        else:
            response = JsonResponse({"error": exception.code, "message": str(exception.message)}, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
