"""A delegation's focal point at /me/delegations/<id>/: sees the members with their status, seats,
badges, check-ins and consent, and the quotas; adds, edits, replaces and cancels members through
the pages; never sees a passport again after entering it; and nobody else sees any of it."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from delegates import services
from delegates.models import CheckIn, Delegation, OutboxMessage, Registration, User
from delegates.rules import RegistrationDetails

from .factories import ProfileFactory, SubForumFactory, open_event, registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """An edition open for registration, without approval, with a sub-forum of one seat in the room."""
    event = open_event(requires_approval=False)
    SubForumFactory(event=event, slug="beidou", title="BeiDou", modes="both", in_person_capacity=1)
    return event


@pytest.fixture
def focal_point():
    return ProfileFactory(user__email="focal@mfa.kz").user


@pytest.fixture
def delegation(event, focal_point):
    """Kazakhstan: 2 seats in person, no quota online, one focal point."""
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ", quota_in_person=2)
    delegation.focal_points.add(focal_point)
    return delegation


def member_form(event, email, mode="in_person", **changes) -> dict:
    """The add-a-member form as the focal point fills it in (in person, arriving the day before)."""
    arrival = datetime.datetime.combine(event.start_on - datetime.timedelta(days=1), datetime.time(15))
    data = {
        "email": email,
        "honorific": "ms",
        "given_name_native": "Айжан",
        "family_name_native": "Нурланова",
        "given_name_latin": "Aizhan",
        "family_name_latin": "Nurlanova",
        "position": "Third Secretary",
        "organization": "Ministry of Foreign Affairs",
        "country": "KZ",
        "phone": "+77012345678",
        "preferred_language": "ru",
        "category": "government",
        "mode": mode,
        "interpretation_language": "ru",
        "sub_forums": [str(event.sub_forums.get().pk)],
        "arrival_at": arrival.strftime("%Y-%m-%dT%H:%M"),
        "departure_at": (arrival + datetime.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "flight": "KC 901",
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def add_member(delegation, focal_point, email, mode="online", language="en"):
    """A member added through the service (the page's own path is tested below)."""
    return services.add_delegation_member(
        delegation=delegation,
        actor=focal_point,
        email=email,
        profile=ProfileFactory.build(user=None, preferred_language=language, family_name_latin="Member"),
        details=RegistrationDetails(category="government", mode=mode, consent_version=""),
        sub_forums=[],
    )


def url(name, delegation, member=None):
    """A focal-point URL of this delegation (and member)."""
    args = [delegation.pk] if member is None else [delegation.pk, member.pk]
    return reverse(f"delegates:{name}", args=args)


def test_me_links_the_focal_point_to_their_delegation(client, delegation, focal_point):
    client.force_login(focal_point)
    page = client.get(reverse("delegates:me")).content.decode()
    assert f'href="/me/delegations/{delegation.pk}/"' in page
    assert "Kazakhstan" in page


def test_me_shows_no_delegation_block_to_a_member(client, delegation, focal_point):
    member = add_member(delegation, focal_point, "member@mfa.kz")
    client.force_login(member.user)
    page = client.get(reverse("delegates:me")).content.decode()
    assert "/me/delegations/" not in page
    # The member sees which delegation registered them.
    assert f"Delegation: {delegation.name}" in page


def test_page_lists_members_with_status_seats_badge_check_in_consent_and_quotas(
    client, delegation, focal_point, event
):
    sub_forum = event.sub_forums.get()
    first = services.add_delegation_member(
        delegation=delegation,
        actor=focal_point,
        email="first@mfa.kz",
        profile=ProfileFactory.build(user=None, given_name_latin="Alma", family_name_latin="First"),
        details=registration_data(event, mode="in_person", consent_version=""),
        sub_forums=[sub_forum],
    )
    second = services.add_delegation_member(
        delegation=delegation,
        actor=focal_point,
        email="second@mfa.kz",
        profile=ProfileFactory.build(user=None, given_name_latin="Bolat", family_name_latin="Second"),
        details=registration_data(event, mode="in_person", consent_version=""),
        sub_forums=[sub_forum],
    )
    services.give_consent(registration=second, version="2026-11", actor=second.user)
    services.check_in(event=event, actor=focal_point, registration_id=first.pk)
    client.force_login(focal_point)

    response = client.get(url("delegation", delegation))

    assert response.status_code == 200
    rows = {row.pk: row for row in response.context["members"]}
    assert set(rows) == {first.pk, second.pk}
    page = response.content.decode()
    assert "In person: 2 of 2 seats used" in page
    assert "Online: 0 registered (no quota)" in page
    first_row = page.split(f'id="member-{first.pk}"')[1].split("</tr>")[0]
    second_row = page.split(f'id="member-{second.pk}"')[1].split("</tr>")[0]
    assert "Approved" in first_row and "BeiDou" in first_row and "confirmed" in first_row
    assert "Consent pending" in first_row and "Badge issued" in first_row
    assert "Checked in" in first_row
    assert "waiting list, position 1" in second_row
    assert "Consent pending" not in second_row and "Not checked in" in second_row


def test_waiting_member_shows_position_on_the_edition_line(client, delegation, focal_point, event):
    event.online_capacity = 0
    event.save()
    waiting = add_member(delegation, focal_point, "waiting@mfa.kz", mode="online")
    client.force_login(focal_point)
    page = client.get(url("delegation", delegation)).content.decode()
    row = page.split(f'id="member-{waiting.pk}"')[1].split("</tr>")[0]
    assert "On the waiting list" in row and "position 1" in row


def test_add_member_through_the_page_registers_them_and_emails_them(client, delegation, focal_point, event):
    client.force_login(focal_point)

    response = client.post(url("delegation_member_add", delegation), member_form(event, "aizhan@mfa.kz"))

    assert response.status_code == 302
    assert response["Location"] == url("delegation", delegation)
    user = User.objects.get(email="aizhan@mfa.kz")
    assert not user.has_usable_password()
    assert (user.profile.given_name_native, user.profile.family_name_latin) == ("Айжан", "Nurlanova")
    registration = Registration.objects.get(user=user)
    assert registration.delegation == delegation
    assert (registration.mode, registration.status, registration.flight) == (
        "in_person",
        "approved",
        "KC 901",
    )
    assert registration.is_consent_pending
    assert [seat.state for seat in registration.seats.all()] == ["confirmed"]
    message = OutboxMessage.objects.get(to="aizhan@mfa.kz")
    assert message.language == "ru"
    assert "/accounts/password/reset/key/" in message.body_text
    page = client.get(url("delegation", delegation)).content.decode()
    assert "Consent pending" in page


def test_member_consents_and_the_page_stops_showing_consent_pending(client, delegation, focal_point, event):
    client.force_login(focal_point)
    client.post(url("delegation_member_add", delegation), member_form(event, "aizhan@mfa.kz"))
    member = User.objects.get(email="aizhan@mfa.kz")
    client.force_login(member)
    assert "Confirm now" in client.get(reverse("delegates:me")).content.decode()

    response = client.post(reverse("delegates:consent", args=[event.slug]), {"consent": "on"})

    assert response.status_code == 302
    assert not Registration.objects.get(user=member).is_consent_pending
    client.force_login(focal_point)
    assert "Consent pending" not in client.get(url("delegation", delegation)).content.decode()


def test_add_member_over_the_quota_is_refused_on_the_form_in_russian(client, delegation, focal_point, event):
    add_member(delegation, focal_point, "one@mfa.kz", mode="in_person")
    add_member(delegation, focal_point, "two@mfa.kz", mode="in_person")
    client.force_login(focal_point)
    client.cookies["django_language"] = "ru"

    response = client.post(url("delegation_member_add", delegation), member_form(event, "three@mfa.kz"))

    assert response.status_code == 200
    assert "заняла все свои места: 2" in response.content.decode()
    assert response.context["profile_form"]["email"].value() == "three@mfa.kz"
    assert not User.objects.filter(email="three@mfa.kz").exists()
    assert delegation.members.count() == 2


def test_add_member_with_errors_shows_them_and_writes_nothing(client, delegation, focal_point, event):
    client.force_login(focal_point)
    data = member_form(event, "not-an-email", given_name_latin="张伟", departure_at="2000-01-01T10:00")

    response = client.post(url("delegation_member_add", delegation), data)

    assert response.status_code == 200
    assert set(response.context["profile_form"].errors) == {"email", "given_name_latin"}
    assert Registration.objects.count() == 0
    assert User.objects.count() == 1


def test_add_member_refused_by_a_rule_keeps_the_account_unmade(client, delegation, focal_point, event):
    client.force_login(focal_point)
    data = member_form(event, "late@mfa.kz", arrival_at="2000-01-01T10:00")

    response = client.post(url("delegation_member_add", delegation), data)

    assert response.status_code == 200
    assert "arrival_at" in response.context["form"].errors
    assert not User.objects.filter(email="late@mfa.kz").exists()


def test_passport_entered_by_the_focal_point_is_then_shown_masked_only(
    client, delegation, focal_point, event
):
    client.force_login(focal_point)
    expires = event.end_on + datetime.timedelta(days=400)
    data = member_form(
        event,
        "visa@mfa.kz",
        wants_visa_letter="on",
        passport_number="N12345678",
        passport_nationality="KZ",
        passport_birth_date="1985-03-14",
        passport_expires_on=expires.isoformat(),
    )

    response = client.post(url("delegation_member_add", delegation), data)

    assert response.status_code == 302
    registration = Registration.objects.get(user__email="visa@mfa.kz")
    assert registration.passport_number == "N12345678"
    pages = [
        client.get(url("delegation", delegation)).content.decode(),
        client.get(url("delegation_member_edit", delegation, registration)).content.decode(),
        client.get(url("delegation_member_replace", delegation, registration)).content.decode(),
        client.get(url("delegation_member_cancel", delegation, registration)).content.decode(),
    ]
    assert "•••••••78" in pages[0]
    for page in pages:
        assert "N12345678" not in page
        assert "1985-03-14" not in page and "14.03.1985" not in page and "March 14, 1985" not in page


def test_edit_logistics_changes_them_and_tells_the_member(client, delegation, focal_point, event):
    member = add_member(delegation, focal_point, "member@mfa.kz", mode="in_person")
    OutboxMessage.objects.all().delete()
    client.force_login(focal_point)
    data = member_form(event, "ignored@example.org", flight="CZ 6001", dietary_needs="Halal")

    response = client.post(url("delegation_member_edit", delegation, member), data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.flight, member.dietary_needs, member.category) == ("CZ 6001", "Halal", "government")
    assert member.arrival_at is not None
    assert OutboxMessage.objects.filter(to="member@mfa.kz").count() == 1


def test_edit_logistics_outside_the_travel_window_is_refused_on_the_field(
    client, delegation, focal_point, event
):
    member = add_member(delegation, focal_point, "member@mfa.kz", mode="in_person")
    client.force_login(focal_point)

    response = client.post(
        url("delegation_member_edit", delegation, member),
        member_form(event, "", arrival_at="2000-01-01T10:00"),
    )

    assert response.status_code == 200
    assert "arrival_at" in response.context["form"].errors
    member.refresh_from_db()
    assert member.arrival_at is None


def test_edit_and_cancel_after_registration_closed_are_refused(client, delegation, focal_point, event):
    member = add_member(delegation, focal_point, "member@mfa.kz", mode="in_person")
    event.registration_closes_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    event.save()
    client.force_login(focal_point)

    edit = client.post(
        url("delegation_member_edit", delegation, member), member_form(event, "", flight="X 1")
    )
    cancel = client.post(url("delegation_member_cancel", delegation, member), {"confirm": "on"})
    add_page = client.get(url("delegation_member_add", delegation))

    assert [edit.status_code, cancel.status_code, add_page.status_code] == [302, 302, 302]
    member.refresh_from_db()
    assert (member.flight, member.status) == ("", "approved")
    page = client.get(url("delegation", delegation)).content.decode()
    assert "Add a member" not in page and "write to the organizers" in page


def test_replace_member_passes_the_seat_and_emails_both(client, delegation, focal_point, event):
    sub_forum = event.sub_forums.get()
    old = services.add_delegation_member(
        delegation=delegation,
        actor=focal_point,
        email="old@mfa.kz",
        profile=ProfileFactory.build(user=None),
        details=registration_data(event, mode="in_person", consent_version=""),
        sub_forums=[sub_forum],
    )
    OutboxMessage.objects.all().delete()
    client.force_login(focal_point)
    confirm = client.get(url("delegation_member_replace", delegation, old))
    assert confirm.status_code == 200

    response = client.post(
        url("delegation_member_replace", delegation, old), member_form(event, "new@mfa.kz")
    )

    assert response.status_code == 302
    old.refresh_from_db()
    new = Registration.objects.get(user__email="new@mfa.kz")
    assert old.status == "cancelled"
    assert (new.delegation, new.status, new.mode) == (delegation, "approved", "in_person")
    assert [(seat.sub_forum, seat.state) for seat in new.seats.all()] == [(sub_forum, "confirmed")]
    assert new.is_consent_pending
    assert {message.to for message in OutboxMessage.objects.all()} == {"old@mfa.kz", "new@mfa.kz"}


def test_replace_with_someone_already_registered_is_refused_on_the_form(
    client, delegation, focal_point, event
):
    old = add_member(delegation, focal_point, "old@mfa.kz")
    other = add_member(delegation, focal_point, "other@mfa.kz")
    client.force_login(focal_point)

    response = client.post(
        url("delegation_member_replace", delegation, old), member_form(event, "other@mfa.kz")
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.status, other.status) == ("approved", "approved")


def test_cancel_member_asks_once_then_cancels_and_tells_them_in_their_language(
    client, delegation, focal_point, event
):
    member = add_member(delegation, focal_point, "member@mfa.kz", language="ru")
    OutboxMessage.objects.all().delete()
    client.force_login(focal_point)
    confirm = client.get(url("delegation_member_cancel", delegation, member))
    assert confirm.status_code == 200
    assert 'type="checkbox"' not in confirm.content.decode()  # one step: the page asks, its button confirms
    member.refresh_from_db()
    assert member.status == "approved"

    response = client.post(url("delegation_member_cancel", delegation, member), {})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "cancelled"
    message = OutboxMessage.objects.get(to="member@mfa.kz")
    assert message.language == "ru"
    assert "Координатор вашей делегации отменил вашу регистрацию на " in message.body_text
    assert "Организаторы" not in message.body_text  # it was not the organizers


def test_cancel_frees_the_quota_for_a_new_member(client, delegation, focal_point, event):
    first = add_member(delegation, focal_point, "one@mfa.kz", mode="in_person")
    add_member(delegation, focal_point, "two@mfa.kz", mode="in_person")
    client.force_login(focal_point)
    client.post(url("delegation_member_cancel", delegation, first), {"confirm": "on"})

    response = client.post(url("delegation_member_add", delegation), member_form(event, "three@mfa.kz"))

    assert response.status_code == 302
    assert delegation.members.filter(status="approved").count() == 2


@pytest.fixture
def other_delegation(event):
    """Kyrgyzstan, with its own focal point and one member."""
    other = Delegation.objects.create(event=event, name="Kyrgyzstan", country="KG")
    focal = ProfileFactory(user__email="focal@mfa.kg").user
    other.focal_points.add(focal)
    add_member(other, focal, "member@mfa.kg")
    return other


def member_urls(delegation, member) -> list[str]:
    """Every focal-point page of this delegation and member."""
    return [
        url("delegation", delegation),
        url("delegation_member_add", delegation),
        *(url(name, delegation, member) for name in ("delegation_member_edit", "delegation_member_replace")),
        url("delegation_member_cancel", delegation, member),
    ]


def test_focal_point_of_a_gets_404_on_every_page_and_member_of_b(
    client, delegation, focal_point, other_delegation
):
    own = add_member(delegation, focal_point, "own@mfa.kz")
    theirs = other_delegation.members.get()
    client.force_login(focal_point)
    b_pages = member_urls(other_delegation, theirs)
    b_member_in_a = [
        url(name, delegation, theirs)
        for name in ("delegation_member_edit", "delegation_member_replace", "delegation_member_cancel")
    ]

    answers = {path: client.get(path).status_code for path in b_pages + b_member_in_a}
    posts = {path: client.post(path, {"confirm": "on"}).status_code for path in b_pages + b_member_in_a}

    assert set(answers.values()) == {404}
    assert set(posts.values()) == {404}
    theirs.refresh_from_db()
    assert theirs.status == "approved"
    assert {client.get(path).status_code for path in member_urls(delegation, own)} == {200}


def test_member_and_staff_get_404_on_the_delegation_pages(client, delegation, focal_point):
    from delegates.roles import ORGANIZERS

    from .factories import staff_member

    member = add_member(delegation, focal_point, "member@mfa.kz")
    for account in (member.user, staff_member(ORGANIZERS)):
        client.force_login(account)
        assert {client.get(path).status_code for path in member_urls(delegation, member)} == {404}
    client.force_login(member.user)
    registrations = client.get(reverse("delegates:me")).context["registrations"]
    assert registrations == [member]
    client.force_login(focal_point)
    assert {client.get(path).status_code for path in member_urls(delegation, member)} == {200}


def test_anonymous_visitor_is_sent_to_sign_in(client, delegation):
    response = client.get(url("delegation", delegation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_huge_ids_are_404(client, delegation, focal_point):
    client.force_login(focal_point)
    huge = "9" * 30
    assert client.get(f"/me/delegations/{delegation.pk}/").status_code == 200
    assert client.get(f"/me/delegations/{huge}/").status_code == 404
    assert client.get(f"/me/delegations/{delegation.pk}/members/{huge}/edit/").status_code == 404


def test_entrance_check_in_only_counts_at_the_door(client, delegation, focal_point, event):
    member = add_member(delegation, focal_point, "member@mfa.kz", mode="in_person")
    CheckIn.objects.create(registration=member, sub_forum=event.sub_forums.get(), checked_in_by=focal_point)
    client.force_login(focal_point)
    page = client.get(url("delegation", delegation)).content.decode()
    assert "Not checked in" in page


def test_adding_someone_already_registered_says_so_about_them(client, delegation, focal_point, event):
    registered = ProfileFactory(user__email="known@mfa.kz").user
    services.submit_registration(event=event, user=registered, details=registration_data(), sub_forums=[])
    client.force_login(focal_point)

    response = client.post(url("delegation_member_add", delegation), member_form(event, "known@mfa.kz"))

    assert response.status_code == 200
    assert response.context["profile_form"].errors["email"] == [
        "This person is already registered for this edition."
    ]
    assert Registration.objects.get(user=registered).delegation is None


def test_a_draft_editions_delegation_is_hidden_from_its_focal_point(client, delegation, focal_point, event):
    event.status = event.Status.DRAFT  # e.g. a fresh clone, copied with its focal points
    event.save()
    client.force_login(focal_point)

    assert "/me/delegations/" not in client.get(reverse("delegates:me")).content.decode()
    assert client.get(url("delegation", delegation)).status_code == 404


def test_a_member_who_sets_a_password_from_the_email_signs_in_without_verifying_the_address_again(
    client, delegation, focal_point, event
):
    from allauth.account.models import EmailAddress
    from django.core import mail

    from delegates.outbox import deliver_due

    client.force_login(focal_point)
    client.post(url("delegation_member_add", delegation), member_form(event, "aizhan@mfa.kz"))
    deliver_due()
    link = re.search(r"/accounts/password/reset/key/[\w-]+/", mail.outbox[-1].body).group(0)
    member = Client()
    set_password = member.get(link)["Location"]
    member.post(set_password, {"password1": "Steppe-Wind-2031", "password2": "Steppe-Wind-2031"})

    signed_in = member.post(
        reverse("account_login"), {"login": "aizhan@mfa.kz", "password": "Steppe-Wind-2031"}, follow=True
    )

    assert EmailAddress.objects.get(email="aizhan@mfa.kz").verified
    assert signed_in.redirect_chain[-1][0] == reverse("delegates:me")  # not "verify your email"
