"""The registration state machine, exactly as DESIGN.md's capacity table says."""

import datetime

import pytest

from delegates import services
from delegates.models import AuditEntry, OutboxMessage, Registration, SubForumSeat
from delegates.rules import RegistrationDetails
from delegates.selectors import seat_position, waitlist_position

from .factories import EventFactory, ProfileFactory, SubForumFactory, UserFactory, registration_data

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2031, 9, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def event():
    """An open edition: one in-person seat, unlimited online, approval required."""
    return EventFactory(
        in_person_capacity=1,
        registration_opens_at=NOW - datetime.timedelta(days=30),
        registration_closes_at=NOW + datetime.timedelta(days=30),
    )


def delegate(language="en"):
    """A delegate account with a profile."""
    return ProfileFactory(preferred_language=language).user


def submit(event, user=None, sub_forums=(), minutes=0, **data):
    """Submit through the service at NOW + minutes."""
    return services.submit_registration(
        event=event,
        user=user or delegate(),
        details=registration_data(event, **data),
        sub_forums=list(sub_forums),
        now=NOW + datetime.timedelta(minutes=minutes),
    )


def mails(kind):
    """Recipients of queued emails of one kind, in order."""
    return list(
        OutboxMessage.objects.filter(kind=f"registration_{kind}").order_by("pk").values_list("to", flat=True)
    )


def test_submit_with_a_free_seat_and_approval_is_pending_and_emails_received(event):
    registration = submit(event, mode="in_person")
    assert registration.status == Registration.Status.PENDING
    assert mails("received") == [registration.user.email]
    message = OutboxMessage.objects.get()
    assert "We received your registration for the" in message.subject
    assert message.message_id.startswith("<") and message.message_id.endswith("@forum-site.local>")
    assert "We received your registration" in message.body_text and "<html" in message.body_html
    assert list(AuditEntry.objects.values_list("action", "registration")) == [("submitted", registration.pk)]


def test_submit_without_approval_is_approved(event):
    event.requires_approval = False
    event.save()
    registration = submit(event, mode="in_person")
    assert registration.status == Registration.Status.APPROVED
    assert mails("approved") == [registration.user.email]


def test_submit_when_full_waitlists_in_order_with_ranks(event):
    first = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    third = submit(event, mode="in_person", minutes=2)
    assert [r.status for r in (first, second, third)] == ["pending", "waitlisted", "waitlisted"]
    assert [waitlist_position(r) for r in (first, second, third)] == [None, 1, 2]
    assert mails("waitlisted") == [second.user.email, third.user.email]
    assert "Your position: 2." in OutboxMessage.objects.filter(to=third.user.email).get().body_text


def test_online_seats_are_unlimited_without_online_capacity(event):
    submit(event, mode="in_person")
    online = [submit(event, mode="online", minutes=n) for n in range(3)]
    assert [r.status for r in online] == ["pending"] * 3


def test_cancel_releases_the_seat_and_promotes_the_first_in_line(event):
    holder = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    third = submit(event, mode="in_person", minutes=2)
    services.cancel_registration(registration=holder, actor=holder.user, now=NOW)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (holder.status, second.status, third.status) == ("cancelled", "pending", "waitlisted")
    assert waitlist_position(third) == 1
    assert mails("cancelled") == [holder.user.email]
    assert mails("promoted") == [second.user.email]
    audit = AuditEntry.objects.filter(action__in=["cancelled", "promoted"]).order_by("pk")
    assert list(audit.values_list("action", "registration")) == [
        ("promoted", second.pk),
        ("cancelled", holder.pk),
    ]


def test_promotion_chain_through_cancel_and_reject(event):
    admin = UserFactory(is_staff=True)
    holder = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    third = submit(event, mode="in_person", minutes=2)
    services.cancel_registration(registration=holder, actor=holder.user, now=NOW)
    second.refresh_from_db()
    services.reject_registration(registration=second, actor=admin, reason="Not an accredited delegate.")
    third.refresh_from_db()
    assert third.status == "pending"
    assert mails("promoted") == [second.user.email, third.user.email]
    rejection = OutboxMessage.objects.get(kind="registration_rejected")
    assert "Not an accredited delegate." in rejection.body_text
    assert AuditEntry.objects.get(action="rejected").data == {"reason": "Not an accredited delegate."}


def test_promoted_without_approval_flag_is_approved(event):
    event.requires_approval = False
    event.save()
    holder = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    services.cancel_registration(registration=holder, actor=holder.user, now=NOW)
    second.refresh_from_db()
    assert second.status == "approved"


def test_approve_pending_and_refuse_approving_twice(event):
    admin = UserFactory(is_staff=True)
    registration = submit(event, mode="in_person")
    services.approve_registration(registration=registration, actor=admin)
    assert Registration.objects.get().status == "approved"
    assert mails("approved") == [registration.user.email]
    assert AuditEntry.objects.filter(action="approved", actor=admin).count() == 1
    with pytest.raises(services.RegistrationError) as error:
        services.approve_registration(registration=registration, actor=admin)
    assert error.value.code == "not_pending"


def test_waitlist_moves_a_holder_to_the_end_and_lets_the_next_in(event):
    admin = UserFactory(is_staff=True)
    holder = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    services.waitlist_registration(registration=holder, actor=admin, now=NOW + datetime.timedelta(minutes=5))
    holder.refresh_from_db()
    second.refresh_from_db()
    assert (holder.status, second.status) == ("waitlisted", "pending")
    assert waitlist_position(holder) == 1


def test_promote_refuses_when_the_edition_is_full(event):
    admin = UserFactory(is_staff=True)
    submit(event, mode="in_person")
    waiting = submit(event, mode="in_person", minutes=1)
    with pytest.raises(services.RegistrationError) as error:
        services.promote_registration(registration=waiting, actor=admin)
    assert error.value.code == "edition_full"
    event.in_person_capacity = 2
    event.save()
    services.promote_registration(registration=waiting, actor=admin)
    assert Registration.objects.get(pk=waiting.pk).status == "pending"


def test_sub_forum_seats_confirm_or_wait_and_move_up_on_cancel(event):
    event.in_person_capacity = None
    event.save()
    room = SubForumFactory(event=event, in_person_capacity=1)
    first = submit(event, mode="in_person", sub_forums=[room])
    second = submit(event, mode="in_person", sub_forums=[room], minutes=1)
    online = submit(event, mode="online", sub_forums=[room], minutes=2)
    seats = {seat.registration_id: seat for seat in SubForumSeat.objects.all()}
    assert seats[first.pk].state == "confirmed"
    assert seats[second.pk].state == "waitlisted" and seat_position(seats[second.pk]) == 1
    assert seats[online.pk].state == "confirmed"  # online attendance takes no room seat
    services.cancel_registration(registration=first, actor=first.user, now=NOW)
    assert SubForumSeat.objects.get(registration=second).state == "confirmed"
    assert SubForumSeat.objects.get(registration=first).state == "released"
    assert mails("seat_confirmed") == [second.user.email]


def test_waitlisted_registration_holds_no_sub_forum_seat_until_promoted(event):
    room = SubForumFactory(event=event, in_person_capacity=5)
    holder = submit(event, mode="in_person", sub_forums=[room])
    waiting = submit(event, mode="in_person", sub_forums=[room], minutes=1)
    assert SubForumSeat.objects.get(registration=waiting).state == "released"
    services.cancel_registration(registration=holder, actor=holder.user, now=NOW)
    assert SubForumSeat.objects.get(registration=waiting).state == "confirmed"


def test_switch_to_online_releases_the_in_person_seat_and_promotes(event):
    holder = submit(event, mode="in_person")
    second = submit(event, mode="in_person", minutes=1)
    services.switch_mode(registration=holder, mode="online", actor=holder.user, now=NOW)
    holder.refresh_from_db()
    second.refresh_from_db()
    assert (holder.mode, holder.status) == ("online", "pending")
    assert second.status == "pending"
    assert holder.arrival_at is None


def test_switch_to_a_full_mode_waits(event):
    event.online_capacity = 1
    event.save()
    submit(event, mode="online")
    mover = submit(event, mode="in_person", minutes=1)
    services.switch_mode(
        registration=mover, mode="online", actor=mover.user, now=NOW + datetime.timedelta(minutes=9)
    )
    mover.refresh_from_db()
    assert (mover.mode, mover.status) == ("online", "waitlisted")
    assert waitlist_position(mover) == 1


def test_register_again_after_cancelling_returns_the_same_row_at_the_end_of_the_line(event):
    holder = submit(event, mode="in_person")
    user = holder.user
    services.cancel_registration(registration=holder, actor=user, now=NOW)
    other = submit(event, mode="in_person", minutes=1)
    again = submit(event, user=user, mode="in_person", minutes=2)
    assert again.pk == holder.pk
    assert again.status == "waitlisted"
    assert waitlist_position(again) == 1
    assert other.status == "pending"


def test_register_twice_is_refused(event):
    registration = submit(event)
    with pytest.raises(services.RegistrationError) as error:
        submit(event, user=registration.user)
    assert error.value.code == "already_registered"
    assert Registration.objects.count() == 1


def test_submit_outside_the_window_is_refused(event):
    with pytest.raises(services.RegistrationError) as error:
        services.submit_registration(
            event=event,
            user=delegate(),
            details=registration_data(),
            sub_forums=[],
            now=NOW + datetime.timedelta(days=31),
        )
    assert error.value.code == "registration_closed"
    assert Registration.objects.count() == 0


def test_passport_data_is_dropped_without_a_visa_request(event):
    registration = submit(event, passport_number="N1234567", wants_visa_letter=False)
    assert Registration.objects.get(pk=registration.pk).passport_number == ""


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("ru", "Мы получили вашу регистрацию", "Организационный комитет"),
        ("zh-hans", "我们已收到您参加", "组委会"),
        ("en", "We received your registration", "The organizing committee"),
    ],
)
def test_emails_use_the_delegates_preferred_language(event, language, subject, body):
    registration = submit(event, user=delegate(language))
    message = OutboxMessage.objects.get(to=registration.user.email)
    assert message.language == language
    assert subject in message.subject
    assert body in message.body_text and body in message.body_html


def test_a_newcomer_never_passes_people_waiting_for_the_edition(event):
    submit(event, mode="in_person")
    waiting = submit(event, mode="in_person", minutes=1)
    Event = type(event)
    Event.objects.filter(pk=event.pk).update(in_person_capacity=2)  # raised without a refill
    newcomer = submit(event, mode="in_person", minutes=2)
    assert newcomer.status == "waitlisted"
    assert (waitlist_position(waiting), waitlist_position(newcomer)) == (1, 2)


def test_refill_after_a_capacity_rise_promotes_the_line_in_order(event):
    admin = UserFactory(is_staff=True)
    submit(event, mode="in_person")
    first, second, third = (submit(event, mode="in_person", minutes=n) for n in (1, 2, 3))
    event.in_person_capacity = 3
    event.save()
    services.refill(event=event, actor=admin)
    statuses = [Registration.objects.get(pk=r.pk).status for r in (first, second, third)]
    assert statuses == ["pending", "pending", "waitlisted"]
    assert mails("promoted") == [first.user.email, second.user.email]


def test_a_promoted_registration_joins_the_end_of_a_sub_forum_line(event):
    event.in_person_capacity = 2
    event.save()
    room = SubForumFactory(event=event, in_person_capacity=1)
    a = submit(event, mode="in_person", sub_forums=[room])
    b = submit(event, mode="in_person", sub_forums=[room], minutes=1)
    c = submit(event, mode="in_person", sub_forums=[room], minutes=2)
    assert [r.status for r in (a, b, c)] == ["pending", "pending", "waitlisted"]
    services.cancel_registration(registration=a, actor=a.user, now=NOW)
    seats = {seat.registration_id: seat.state for seat in SubForumSeat.objects.filter(sub_forum=room)}
    assert seats[b.pk] == "confirmed"  # B was waiting for the room first
    assert seats[c.pk] == "waitlisted"  # C got the edition seat, then joined the room's line


def test_capacity_is_read_from_the_edition_as_stored_not_as_loaded(event):
    stale = type(event).objects.get(pk=event.pk)
    type(event).objects.filter(pk=event.pk).update(in_person_capacity=0)
    registration = submit(stale, mode="in_person")
    assert registration.status == "waitlisted"


def test_switching_to_in_person_needs_approval_again_and_drops_sessions_without_rooms(event):
    admin = UserFactory(is_staff=True)
    event.in_person_capacity = None
    event.save()
    stream = SubForumFactory(event=event, modes="online")
    hybrid = SubForumFactory(event=event, modes="both")
    registration = submit(event, mode="online", sub_forums=[stream, hybrid])
    services.approve_registration(registration=registration, actor=admin)
    travel = registration_data(event, mode="in_person")
    services.switch_mode(
        registration=registration,
        mode="in_person",
        actor=registration.user,
        now=NOW,
        arrival_at=travel.arrival_at,
        departure_at=travel.departure_at,
    )
    registration.refresh_from_db()
    assert (registration.mode, registration.status) == ("in_person", "pending")
    assert list(registration.seats.values_list("sub_forum", flat=True)) == [hybrid.pk]


def test_delegates_cannot_cancel_after_registration_closes_but_organizers_can(event):
    registration = submit(event)
    later = NOW + datetime.timedelta(days=31)
    with pytest.raises(services.RegistrationError) as error:
        services.cancel_registration(registration=registration, actor=registration.user, now=later)
    assert error.value.code == "registration_closed"
    services.cancel_registration(registration=registration, actor=UserFactory(is_staff=True), now=later)
    assert Registration.objects.get().status == "cancelled"


def test_sub_forum_line_moves_first_come_first_served(event):
    event.in_person_capacity = None
    event.save()
    room = SubForumFactory(event=event, in_person_capacity=1)
    holder = submit(event, mode="in_person", sub_forums=[room])
    first = submit(event, mode="in_person", sub_forums=[room], minutes=1)
    second = submit(event, mode="in_person", sub_forums=[room], minutes=2)
    services.cancel_registration(registration=holder, actor=holder.user, now=NOW)
    states = dict(SubForumSeat.objects.filter(sub_forum=room).values_list("registration", "state"))
    assert (states[first.pk], states[second.pk]) == ("confirmed", "waitlisted")
    assert seat_position(SubForumSeat.objects.get(registration=second)) == 1


def test_dropping_a_sub_forum_on_edit_lets_the_next_in(event):
    event.in_person_capacity = None
    event.save()
    room = SubForumFactory(event=event, in_person_capacity=1)
    holder = submit(event, mode="in_person", sub_forums=[room])
    waiting = submit(event, mode="in_person", sub_forums=[room], minutes=1)
    services.edit_registration(
        registration=holder, details=RegistrationDetails.of(holder), sub_forums=[], actor=holder.user, now=NOW
    )
    assert list(holder.seats.all()) == []
    assert SubForumSeat.objects.get(registration=waiting).state == "confirmed"
    assert mails("seat_confirmed") == [waiting.user.email]


def test_waitlisting_is_audited_and_emailed(event):
    admin = UserFactory(is_staff=True)
    registration = submit(event, mode="in_person")
    services.waitlist_registration(registration=registration, actor=admin, now=NOW)
    assert list(AuditEntry.objects.filter(action="waitlisted").values_list("actor", "registration")) == [
        (admin.pk, registration.pk)
    ]
    assert mails("waitlisted") == [registration.user.email]


@pytest.mark.parametrize(
    ("mode", "expected", "absent"),
    [
        ("in_person", "Please bring your passport", "stream links"),
        ("online", "stream links of your sub-forums", "Please bring your passport"),
    ],
)
def test_approved_email_says_what_to_bring_or_how_to_join(event, mode, expected, absent):
    event.in_person_capacity = None
    event.save()
    registration = submit(event, mode=mode)
    services.approve_registration(registration=registration, actor=UserFactory(is_staff=True))
    body = OutboxMessage.objects.get(kind="registration_approved").body_text
    assert expected in body and absent not in body
