"""Rushes of concurrent requests never overbook (PostgreSQL, real threads, own connections).

The control runs switch the service's locking off and force the count and the write apart with a
barrier (delegates.locks.overbooking_control, the one test seam): they must overbook, which
proves these tests can see overbooking."""

import datetime
import threading

import pytest

from delegates import locks, services
from delegates.models import Delegation, Invitation, Profile, Registration, SubForumSeat
from delegates.selectors import seat_position
from events.models import Event

from .concurrency import THREADS, run_together
from .factories import EventFactory, ProfileFactory, SubForumFactory, UserFactory, registration_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_event():
    """An edition with registration open now and unlimited edition seats."""
    now = datetime.datetime.now(datetime.UTC)
    return EventFactory(
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=1),
        start_on=(now + datetime.timedelta(days=30)).date(),
        end_on=(now + datetime.timedelta(days=32)).date(),
    )


@pytest.fixture(autouse=True)
def patient_locks(settings):
    """64 threads queue on one edition row on a 2-core machine: these tests count seats, so no
    request may give up waiting (the bounded wait has its own test in tests/test_locks.py)."""
    settings.FORUM_LOCK_TIMEOUT_SECONDS = 120


@pytest.fixture
def unlocked():
    """The control: no locks, and every thread counts before any thread writes."""
    barrier = threading.Barrier(THREADS, timeout=60)
    with locks.overbooking_control(after_count=barrier.wait):
        yield


def delegates(count):
    """Accounts with profiles, as registering delegates have."""
    return [profile.user for profile in ProfileFactory.create_batch(count)]


def submit_job(event, sub_forum, user):
    """One delegate submits an in-person registration (for the sub-forum, if one is given)."""
    return lambda: services.submit_registration(
        event=event,
        user=user,
        details=registration_data(event, mode="in_person"),
        sub_forums=[sub_forum] if sub_forum else [],
    )


def seat_states(sub_forum):
    """How many seats of each state the sub-forum has."""
    states = SubForumSeat.objects.filter(sub_forum=sub_forum).values_list("state", flat=True)
    return {state: list(states).count(state) for state in set(states)}


def test_rush_of_200_for_50_seats_gives_exactly_50_and_a_line_of_150(open_event):
    sub_forum = SubForumFactory(event=open_event, in_person_capacity=50)
    users = delegates(200)

    errors = run_together([submit_job(open_event, sub_forum, user) for user in users])

    assert errors == []
    assert Registration.objects.filter(event=open_event).count() == 200
    assert seat_states(sub_forum) == {"confirmed": 50, "waitlisted": 150}
    waiting = SubForumSeat.objects.filter(sub_forum=sub_forum, state="waitlisted")
    assert sorted(seat_position(seat) for seat in waiting) == list(range(1, 151))
    confirmed = SubForumSeat.objects.filter(sub_forum=sub_forum, state="confirmed")
    # Fair: everyone who got a seat asked before everyone who waits.
    assert max(seat.requested_at for seat in confirmed) < min(seat.requested_at for seat in waiting)


def test_control_without_locks_overbooks(open_event, unlocked):
    sub_forum = SubForumFactory(event=open_event, in_person_capacity=50)
    users = delegates(THREADS)

    errors = run_together([submit_job(open_event, sub_forum, user) for user in users])

    assert errors == []
    assert seat_states(sub_forum)["confirmed"] > 50


def test_edition_rush_never_exceeds_edition_capacity(open_event):
    # No sub-forum: only the edition row's lock stands between the requests.
    open_event.in_person_capacity = 30
    open_event.save()
    users = delegates(100)

    errors = run_together([submit_job(open_event, None, user) for user in users])

    assert errors == []
    statuses = list(Registration.objects.filter(event=open_event).values_list("status", flat=True))
    assert (statuses.count("pending"), statuses.count("waitlisted")) == (30, 70)


def test_one_delegate_submitting_twice_at_once_gets_one_registration(open_event):
    sub_forum = SubForumFactory(event=open_event)
    [user] = delegates(1)

    errors = run_together([submit_job(open_event, sub_forum, user) for _ in range(2)], threads=2)

    assert Registration.objects.filter(user=user).count() == 1
    assert [error.code for error in errors] == ["already_registered"]


def test_two_organizers_promoting_at_once_never_exceed_capacity(open_event):
    open_event.in_person_capacity = 1
    open_event.save()
    sub_forum = SubForumFactory(event=open_event)
    _holder, *waiting = [submit_job(open_event, sub_forum, user)() for user in delegates(3)]
    open_event.in_person_capacity = 2
    open_event.save()
    organizers = UserFactory.create_batch(2, is_staff=True)

    errors = run_together(
        [
            (lambda r=registration, o=organizer: services.promote_registration(registration=r, actor=o))
            for registration, organizer in zip(waiting, organizers, strict=True)
        ],
        threads=2,
    )

    assert Registration.objects.filter(event=open_event, status__in=["pending", "approved"]).count() == 2
    assert [error.code for error in errors] == ["edition_full"]


def test_control_without_locks_overbooks_the_edition(open_event, unlocked):
    open_event.in_person_capacity = 30
    open_event.save()
    users = delegates(THREADS)

    errors = run_together([submit_job(open_event, None, user) for user in users])

    assert errors == []
    assert Registration.objects.filter(event=open_event, status="pending").count() > 30


# --- issue 11: invitations and delegation quotas ------------------------------------------------


def test_ten_people_accepting_a_three_use_code_at_once_give_exactly_three(open_event):
    open_event.access = Event.Access.INVITATION
    open_event.save()
    invitation = Invitation.objects.create(event=open_event, max_uses=3)
    users = delegates(10)

    def accept(user):
        return lambda: services.submit_registration(
            event=open_event, user=user, details=registration_data(), sub_forums=[], invitation=invitation
        )

    errors = run_together([accept(user) for user in users], threads=10)

    assert sorted({error.code for error in errors}) == ["invitation_used_up"]
    assert len(errors) == 7
    assert Registration.objects.filter(event=open_event, invitation=invitation).count() == 3
    invitation.refresh_from_db()
    assert invitation.uses == 3


def _delegation(event, name, quota, focal_points):
    """A delegation with an in-person quota and its focal points."""
    delegation = Delegation.objects.create(event=event, name=name, quota_in_person=quota)
    delegation.focal_points.add(*focal_points)
    return delegation


def add_member_job(delegation, focal_point, email):
    """One focal point adds one in-person member."""
    profile = Profile(
        given_name_latin="Member",
        family_name_latin="Delegate",
        position="Expert",
        organization="Ministry",
        country="KZ",
        phone="+77012345678",
    )
    return lambda: services.add_delegation_member(
        delegation=delegation,
        actor=focal_point,
        email=email,
        profile=profile,
        details=registration_data(delegation.event, mode="in_person", consent_version=""),
        sub_forums=[],
    )


def test_focal_points_adding_at_once_never_exceed_quota_nor_capacity(open_event):
    open_event.in_person_capacity = 6
    open_event.save()
    focal_points = delegates(4)
    kazakhstan = _delegation(open_event, "Kazakhstan", 5, focal_points[:2])
    uzbekistan = _delegation(open_event, "Uzbekistan", 5, focal_points[2:])
    jobs = [
        add_member_job(
            delegation, delegation.focal_points.all()[number % 2], f"{delegation.pk}-{number}@gov.test"
        )
        for delegation in (kazakhstan, uzbekistan)
        for number in range(8)
    ]

    errors = run_together(jobs, threads=16)

    assert sorted(error.code for error in errors) == ["delegation_quota_full"] * 6
    for delegation in (kazakhstan, uzbekistan):
        assert delegation.members.filter(mode="in_person").count() == 5
    statuses = list(Registration.objects.filter(event=open_event).values_list("status", flat=True))
    assert (statuses.count("pending"), statuses.count("waitlisted")) == (6, 4)


def test_control_without_locks_exceeds_the_quota(open_event):
    focal_points = delegates(2)
    delegation = _delegation(open_event, "Kazakhstan", 3, focal_points)
    barrier = threading.Barrier(8, timeout=60)
    jobs = [
        add_member_job(delegation, focal_points[number % 2], f"m{number}@gov.test") for number in range(8)
    ]

    with locks.overbooking_control(after_count=barrier.wait):
        errors = run_together(jobs, threads=8)

    assert errors == []
    assert delegation.members.count() > 3
