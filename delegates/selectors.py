"""Page-shaped reads of registrations, always scoped through their owner or edition."""

from collections import Counter

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from events.models import AttendanceMode, Event

from .models import CheckIn, Registration, SubForumSeat, User, VisaLetter
from .protocol import ordered_delegations


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


def _count_ahead(queryset: QuerySet, group_field: str, moment_field: str) -> Coalesce:
    """A subquery: how many rows of the same group are ahead of the outer row in line."""
    ahead = (
        queryset.filter(**{group_field: OuterRef(group_field)})
        .filter(
            Q(**{f"{moment_field}__lt": OuterRef(moment_field)})
            | Q(**{moment_field: OuterRef(moment_field), "pk__lt": OuterRef("pk")})
        )
        .order_by()
        .values(group_field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(ahead), 0)


def with_positions(registrations: QuerySet) -> list[Registration]:
    """The registrations with their sub-forum seats, each (registration and seat) with `position` in
    its waiting line (None unless waiting): 2 queries, plus whatever the queryset prefetches."""
    waiting_seats = SubForumSeat.objects.filter(state=SubForumSeat.State.WAITLISTED)
    seats = (
        SubForumSeat.objects.select_related("sub_forum")
        .annotate(ahead=_count_ahead(waiting_seats, "sub_forum", "requested_at"))
        .order_by("sub_forum__starts_at", "pk")
    )
    waiting = Registration.objects.filter(status=Registration.Status.WAITLISTED, mode=OuterRef("mode"))
    rows = list(
        registrations.annotate(ahead=_count_ahead(waiting, "event", "seat_requested_at")).prefetch_related(
            Prefetch("seats", queryset=seats)
        )
    )
    for registration in rows:
        registration.position = (
            registration.ahead + 1 if registration.status == Registration.Status.WAITLISTED else None
        )
        for seat in registration.seats.all():
            seat.position = seat.ahead + 1 if seat.state == SubForumSeat.State.WAITLISTED else None
    return rows


def my_registrations(user: User) -> list[Registration]:
    """A delegate's registrations with editions, seats, waiting-list positions and valid visa letters,
    in 3 queries."""
    valid_letters = VisaLetter.objects.filter(status__in=VisaLetter.VALID)
    return with_positions(
        user.registrations.select_related("event", "delegation")
        .prefetch_related(Prefetch("visa_letters", queryset=valid_letters, to_attr="valid_letters"))
        .order_by("-event__start_on", "-pk")
    )


def delegation_members(delegation) -> list[Registration]:
    """A delegation's members with profiles, seats, waiting-list positions, entrance check-ins and valid
    visa letters, in 5 queries."""
    entrance = CheckIn.objects.filter(sub_forum__isnull=True).order_by("checked_in_at", "pk")
    valid_letters = VisaLetter.objects.filter(status__in=VisaLetter.VALID)
    return with_positions(
        delegation.members.select_related("user__profile")
        .prefetch_related(
            Prefetch("check_ins", queryset=entrance, to_attr="entrance_check_ins"),
            Prefetch("visa_letters", queryset=valid_letters, to_attr="valid_letters"),
        )
        .order_by("user__profile__family_name_latin", "user__profile__given_name_latin", "pk")
    )


def own_registration(user: User, event: Event) -> Registration:
    """The signed-in delegate's registration for this edition, else 404."""
    return get_object_or_404(user.registrations.select_related("event"), event=event)


def find_own_registration(user: User, event: Event) -> Registration | None:
    """The delegate's registration for this edition, if any."""
    return user.registrations.filter(event=event).first()


def seat_summary(event: Event) -> list[tuple[str, int, str, str]]:
    """Seats held against capacity and waiting-list length, per mode and per sub-forum."""
    counts = event.registrations.aggregate(
        in_person=Count("pk", filter=Q(mode="in_person", status__in=Registration.SEAT_HOLDING)),
        in_person_waiting=Count("pk", filter=Q(mode="in_person", status=Registration.Status.WAITLISTED)),
        online=Count("pk", filter=Q(mode="online", status__in=Registration.SEAT_HOLDING)),
        online_waiting=Count("pk", filter=Q(mode="online", status=Registration.Status.WAITLISTED)),
    )
    unlimited = "∞"
    rows = [
        (
            _("In person"),
            counts["in_person"],
            str(event.in_person_capacity) if event.in_person_capacity is not None else unlimited,
            _("%(count)d waiting") % {"count": counts["in_person_waiting"]},
        ),
        (
            _("Online"),
            counts["online"],
            str(event.online_capacity) if event.online_capacity is not None else unlimited,
            _("%(count)d waiting") % {"count": counts["online_waiting"]},
        ),
    ]
    sub_forums = event.sub_forums.annotate(
        confirmed=Count(
            "seats",
            filter=Q(seats__state=SubForumSeat.State.CONFIRMED, seats__registration__mode="in_person"),
        ),
        waiting=Count("seats", filter=Q(seats__state=SubForumSeat.State.WAITLISTED)),
    )
    for sub_forum in sub_forums:
        capacity = (
            str(sub_forum.in_person_capacity) if sub_forum.in_person_capacity is not None else unlimited
        )
        rows.append(
            (
                sub_forum.title,
                sub_forum.confirmed,
                capacity,
                _("%(count)d waiting") % {"count": sub_forum.waiting},
            )
        )
    return rows


def badge_holders(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Who gets a badge: approved in-person delegates with a profile, by family name."""
    return (
        queryset.filter(status=Registration.Status.APPROVED, mode="in_person", user__profile__isnull=False)
        .select_related("user__profile", "delegation")
        .order_by("user__profile__family_name_latin", "user__profile__given_name_latin", "pk")
    )


def desk_counts(event: Event, sub_forum=None) -> dict[str, int]:
    """Admitted so far and expected at the entrance (no sub-forum) or at one sub-forum."""
    admitted = CheckIn.objects.filter(registration__event=event, sub_forum=sub_forum).count()
    approved = event.registrations.filter(status=Registration.Status.APPROVED, mode="in_person")
    if sub_forum is not None:
        approved = approved.filter(seats__sub_forum=sub_forum, seats__state=SubForumSeat.State.CONFIRMED)
    return {"admitted": admitted, "expected": approved.count()}


def desk_search(event: Event, text: str, limit: int = 20) -> list[Registration]:
    """Registrations whose name (either script), organization or email matches every word, for the desk."""
    queryset = event.registrations.matching(text, words=5).select_related("user__profile", "delegation")
    return list(queryset.order_by("user__profile__family_name_latin", "pk")[:limit])


def _bars(rows: list[tuple[str, int]]) -> list[dict]:
    """Rows with their share of the largest, for the dashboard's bars."""
    top = max((count for _, count in rows), default=0) or 1
    return [{"label": label, "count": count, "percent": round(100 * count / top)} for label, count in rows]


def _counts_by(queryset: QuerySet, field: str, labels: dict) -> list[dict]:
    """Counts of a choice field, in the choices' order, as bars."""
    found = dict(queryset.order_by().values_list(field).annotate(total=Count("pk")))
    return _bars([(str(label), found.get(value, 0)) for value, label in labels.items()])


def _quota(value: int | None) -> str:
    """A quota as shown: its number, or ∞ when there is none."""
    return "∞" if value is None else str(value)


def delegation_seats(event: Event) -> list[dict]:
    """Per delegation in protocol order, then for registrations of no delegation: seats held per mode
    against the quotas, and how many wait; nothing when the edition has no delegation. Two queries."""
    delegations = ordered_delegations(event)
    if not delegations:
        return []
    counts = Counter()
    grouped = event.registrations.order_by().values_list("delegation_id", "mode", "status")
    for delegation_id, mode, status, total in grouped.annotate(total=Count("pk")):
        if status in Registration.SEAT_HOLDING:
            counts[delegation_id, mode] += total
        elif status == Registration.Status.WAITLISTED:
            counts[delegation_id, "waiting"] += total
    rows = [
        {
            "delegation": delegation,
            "label": delegation.name,
            "in_person": counts[delegation.pk, AttendanceMode.IN_PERSON],
            "quota_in_person": _quota(delegation.quota_in_person),
            "online": counts[delegation.pk, AttendanceMode.ONLINE],
            "quota_online": _quota(delegation.quota_online),
            # An organizer may lower a quota below the seats already held: the dashboard says so.
            "over_quota": any(
                quota is not None and counts[delegation.pk, mode] > quota
                for mode, quota in [
                    (AttendanceMode.IN_PERSON, delegation.quota_in_person),
                    (AttendanceMode.ONLINE, delegation.quota_online),
                ]
            ),
            "waiting": counts[delegation.pk, "waiting"],
        }
        for delegation in delegations
    ]
    rows.append(
        {
            "delegation": None,
            "label": _("No delegation"),
            "in_person": counts[None, AttendanceMode.IN_PERSON],
            "quota_in_person": "",
            "online": counts[None, AttendanceMode.ONLINE],
            "quota_online": "",
            "over_quota": False,
            "waiting": counts[None, "waiting"],
        }
    )
    return rows


def dashboard(event: Event, delegation_id: int | None = None) -> dict:
    """The edition's figures: registrations by status, mode, category and country; seats; check-ins by
    hour; those of one delegation when `delegation_id` names one of the edition's ("delegation" is
    then that delegation, None otherwise; seats and quotas stay the edition's)."""
    from django.db.models.functions import TruncHour
    from django_countries import countries

    by_delegation = delegation_seats(event)
    delegation = next(
        (
            row["delegation"]
            for row in by_delegation
            if row["delegation"] and row["delegation"].pk == delegation_id
        ),
        None,
    )
    registrations = event.registrations.all()
    check_ins = CheckIn.objects.filter(registration__event=event, sub_forum__isnull=True)
    if delegation is not None:
        registrations = registrations.filter(delegation=delegation)
        check_ins = check_ins.filter(registration__delegation=delegation)
    by_country = (
        registrations.order_by()
        .values_list("user__profile__country")
        .annotate(total=Count("pk"))
        .order_by("-total", "user__profile__country")
    )
    hours = (
        check_ins.annotate(hour=TruncHour("checked_in_at", tzinfo=event.tz))
        .order_by("hour")
        .values_list("hour")
        .annotate(total=Count("pk"))
    )
    return {
        "total": registrations.count(),
        "by_status": _counts_by(registrations, "status", dict(Registration.Status.choices)),
        "by_mode": _counts_by(registrations, "mode", {"in_person": _("In person"), "online": _("Online")}),
        "by_category": _counts_by(registrations, "category", dict(Registration.Category.choices)),
        "by_country": _bars(
            [(str(countries.name(code)) if code else "—", total) for code, total in by_country]
        ),
        "seats": seat_summary(event),
        "by_delegation": by_delegation,
        "delegation": delegation,
        "check_ins": _bars(
            [(hour.astimezone(event.tz).strftime("%Y-%m-%d %H:00"), total) for hour, total in hours]
        ),
    }
