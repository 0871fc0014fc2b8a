"""Delegations: quotas per mode, members added and replaced by focal points through the services,
and who counts as a focal point."""

import datetime

import pytest

from delegates import permissions, services
from delegates.models import AuditEntry, Delegation, OutboxMessage, Profile, Registration, User
from delegates.rules import RegistrationError

from .factories import (
    ProfileFactory,
    SubForumFactory,
    UserFactory,
    open_event,
    registration_data,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """An edition open for registration, without approval, with a hybrid sub-forum of 10 seats in the room."""
    event = open_event(requires_approval=False)
    SubForumFactory(event=event, slug="hybrid", modes="both", in_person_capacity=10)
    return event


@pytest.fixture
def focal_point():
    return ProfileFactory(user__email="focal@mfa.kz").user


@pytest.fixture
def delegation(event, focal_point):
    """Kazakhstan: 3 seats in person, 1 online, one focal point."""
    delegation = Delegation.objects.create(
        event=event, name="Kazakhstan", country="KZ", quota_in_person=3, quota_online=1
    )
    delegation.focal_points.add(focal_point)
    return delegation


def new_profile(**values) -> Profile:
    """A member's profile as the focal point's form builds it (unsaved)."""
    return Profile(
        **{
            "given_name_latin": "Aizhan",
            "family_name_latin": "Nurlanova",
            "given_name_native": "Айжан",
            "family_name_native": "Нурланова",
            "honorific": "ms",
            "position": "Third Secretary",
            "organization": "Ministry of Foreign Affairs",
            "country": "KZ",
            "phone": "+77012345678",
            "preferred_language": "ru",
            **values,
        }
    )


def add(delegation, actor, email, mode="online", **details):
    """Add one member through the service."""
    return services.add_delegation_member(
        delegation=delegation,
        actor=actor,
        email=email,
        profile=new_profile(),
        details=registration_data(mode=mode, consent_version="", **details),
        sub_forums=list(delegation.event.sub_forums.all()),
    )


def test_add_member_creates_account_profile_registration_and_email(delegation, focal_point):
    registration = add(delegation, focal_point, "aizhan@mfa.kz")
    user = User.objects.get(email="aizhan@mfa.kz")
    assert not user.has_usable_password()
    assert user.profile.family_name_native == "Нурланова"
    assert user.profile.honorific == "ms"
    assert registration.delegation == delegation
    assert registration.is_consent_pending
    assert registration.status == Registration.Status.APPROVED
    assert registration.seats.get().state == "confirmed"
    message = OutboxMessage.objects.get(to="aizhan@mfa.kz")
    assert message.language == "ru"
    assert message.has_secret_link
    assert "/accounts/password/reset/key/" in message.body_text
    entry = AuditEntry.objects.get(action="member_added")
    assert entry.actor == focal_point
    assert entry.data["delegation"] == delegation.pk


def test_add_existing_account_keeps_its_profile_and_sends_no_password_link(delegation, focal_point):
    known = ProfileFactory(user__email="known@mfa.kz", given_name_latin="Daniyar").user
    add(delegation, focal_point, "KNOWN@mfa.kz")
    known.profile.refresh_from_db()
    assert known.profile.given_name_latin == "Daniyar"
    assert Registration.objects.get(user=known).delegation == delegation
    assert not OutboxMessage.objects.get(to="known@mfa.kz").has_secret_link


def test_add_member_with_visa_letter_keeps_passport(delegation, focal_point, event):
    registration = add(
        delegation,
        focal_point,
        "visa@mfa.kz",
        wants_visa_letter=True,
        passport_number="N1234567",
        passport_nationality="KZ",
        passport_birth_date=datetime.date(1985, 3, 1),
        passport_expires_on=event.end_on + datetime.timedelta(days=400),
    )
    registration.refresh_from_db()
    assert registration.passport_number == "N1234567"
    assert registration.passport_number_masked.endswith("67")


def test_quota_refuses_the_member_past_it_with_a_code(delegation, focal_point):
    add(delegation, focal_point, "one@mfa.kz", mode="online")
    with pytest.raises(RegistrationError) as refused:
        add(delegation, focal_point, "two@mfa.kz", mode="online")
    assert refused.value.code == "delegation_quota_full"
    assert "Kazakhstan" in refused.value.message
    assert delegation.members.count() == 1
    assert not User.objects.filter(email="two@mfa.kz").exists()  # nothing half-written


def test_quotas_are_per_mode(delegation, focal_point, event):
    add(delegation, focal_point, "online@mfa.kz", mode="online")
    for number in range(3):
        add(delegation, focal_point, f"room{number}@mfa.kz", mode="in_person", **_travel(event))
    with pytest.raises(RegistrationError) as refused:
        add(delegation, focal_point, "room4@mfa.kz", mode="in_person", **_travel(event))
    assert refused.value.code == "delegation_quota_full"
    assert delegation.members.filter(mode="in_person").count() == 3


def _travel(event) -> dict:
    arrival = datetime.datetime.combine(event.start_on, datetime.time(9), tzinfo=event.tz)
    return {"arrival_at": arrival, "departure_at": arrival + datetime.timedelta(days=2)}


def test_blank_quota_means_no_quota(delegation, focal_point):
    delegation.quota_online = None
    delegation.save()
    for number in range(3):
        add(delegation, focal_point, f"m{number}@mfa.kz")
    assert delegation.members.count() == 3


def test_waitlisted_members_count_against_the_quota(delegation, focal_point, event):
    event.online_capacity = 0
    event.save()
    first = add(delegation, focal_point, "line@mfa.kz")
    assert first.status == Registration.Status.WAITLISTED
    with pytest.raises(RegistrationError) as refused:
        add(delegation, focal_point, "next@mfa.kz")
    assert refused.value.code == "delegation_quota_full"


def test_cancelled_member_frees_the_quota(delegation, focal_point):
    first = add(delegation, focal_point, "one@mfa.kz")
    services.cancel_registration(registration=first, actor=focal_point)
    assert add(delegation, focal_point, "two@mfa.kz").status == Registration.Status.APPROVED


def test_invitation_of_a_delegation_respects_its_quota(delegation):
    invitation = delegation.invitations.create(event=delegation.event, max_uses=5)
    for number in range(2):
        user = ProfileFactory().user
        call = lambda user=user: services.submit_registration(  # noqa: E731
            event=delegation.event,
            user=user,
            details=registration_data(),
            sub_forums=[],
            invitation=invitation,
        )
        if number == 0:
            call()
        else:
            with pytest.raises(RegistrationError) as refused:
                call()
            assert refused.value.code == "delegation_quota_full"
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_switching_mode_into_a_full_quota_is_refused(delegation, focal_point, event):
    add(delegation, focal_point, "online@mfa.kz")
    room = add(delegation, focal_point, "room@mfa.kz", mode="in_person", **_travel(event))
    with pytest.raises(RegistrationError) as refused:
        services.switch_mode(registration=room, mode="online", actor=focal_point)
    assert refused.value.code == "delegation_quota_full"
    room.refresh_from_db()
    assert room.mode == "in_person"


def test_someone_else_may_not_add_members(delegation):
    stranger = ProfileFactory().user
    with pytest.raises(RegistrationError) as refused:
        add(delegation, stranger, "x@mfa.kz")
    assert refused.value.code == "not_focal_point"
    assert not User.objects.filter(email="x@mfa.kz").exists()


def test_focal_point_adds_only_while_registration_is_open_organizer_any_time(delegation, focal_point, event):
    event.registration_closes_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    event.save()
    with pytest.raises(RegistrationError) as refused:
        add(delegation, focal_point, "late@mfa.kz")
    assert refused.value.code == "registration_closed"
    organizer = staff_member("Organizers")
    assert add(delegation, organizer, "late@mfa.kz").delegation == delegation


def test_replace_passes_seat_and_sub_forum_seats_to_the_new_person(delegation, focal_point, event):
    event.in_person_capacity = 1
    event.save()
    old = add(delegation, focal_point, "old@mfa.kz", mode="in_person", **_travel(event))
    delegation.head = old
    delegation.save()
    waiting = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(event, mode="in_person"),
        sub_forums=[],
    )
    assert waiting.status == Registration.Status.WAITLISTED
    OutboxMessage.objects.all().delete()

    new = services.replace_delegation_member(
        registration=old,
        actor=focal_point,
        email="new@mfa.kz",
        profile=new_profile(preferred_language="zh-hans"),
    )

    old.refresh_from_db()
    waiting.refresh_from_db()
    assert old.status == Registration.Status.CANCELLED
    assert new.status == Registration.Status.APPROVED
    assert (new.mode, new.category, new.delegation) == ("in_person", old.category, delegation)
    assert new.is_consent_pending
    assert list(new.seats.values_list("sub_forum__slug", "state")) == [("hybrid", "confirmed")]
    assert waiting.status == Registration.Status.WAITLISTED  # nobody promoted in between
    assert Delegation.objects.get(pk=delegation.pk).head == new
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {"old@mfa.kz", "new@mfa.kz"}
    assert OutboxMessage.objects.get(to="new@mfa.kz").language == "zh-hans"
    assert AuditEntry.objects.get(action="member_replaced").data["successor"] == new.pk
    assert AuditEntry.objects.get(action="member_replacing").actor == focal_point


def test_replace_keeps_the_waitlisted_members_place_in_line(delegation, focal_point, event):
    event.online_capacity = 0
    event.save()
    delegation.quota_online = 5
    delegation.save()
    first = add(delegation, focal_point, "first@mfa.kz")
    second = add(delegation, focal_point, "second@mfa.kz")
    new = services.replace_delegation_member(
        registration=first, actor=focal_point, email="new@mfa.kz", profile=new_profile()
    )
    line = list(Registration.objects.waitlisted().values_list("user__email", flat=True))
    assert line == ["new@mfa.kz", "second@mfa.kz"]
    assert new.seat_requested_at == first.seat_requested_at
    second.refresh_from_db()
    assert second.status == Registration.Status.WAITLISTED


def test_replace_with_someone_already_registered_is_refused(delegation, focal_point):
    old = add(delegation, focal_point, "old@mfa.kz")
    other = ProfileFactory(user__email="busy@mfa.kz").user
    services.submit_registration(
        event=delegation.event, user=other, details=registration_data(), sub_forums=[]
    )
    with pytest.raises(RegistrationError) as refused:
        services.replace_delegation_member(
            registration=old, actor=focal_point, email="busy@mfa.kz", profile=new_profile()
        )
    assert refused.value.code == "already_registered"
    old.refresh_from_db()
    assert old.status == Registration.Status.APPROVED


def test_focal_point_predicates(delegation, focal_point, event):
    other = Delegation.objects.create(event=event, name="Uzbekistan", country="UZ")
    assert permissions.is_focal_point(focal_point, delegation)
    assert not permissions.is_focal_point(focal_point, other)
    assert list(permissions.focal_delegations(focal_point)) == [delegation]
    assert not permissions.can_use_staff_area(focal_point)
    assert not permissions.is_focal_point(UserFactory(), delegation)
    focal_point.is_active = False
    assert not permissions.is_focal_point(focal_point, delegation)
