"""Staff act on a delegate's behalf through the services: organizers edit a registration (also after
registration closed), both roles cancel with a reason, undo a wrong check-in and reissue a badge;
each change is audited and the delegate is told by email in their language. Deleting an account
cancels its registrations first, so the line moves."""

import datetime

import pytest
from django.urls import reverse

from delegates import services
from delegates.models import AuditEntry, CheckIn, OutboxMessage, Registration, SubForumSeat, User
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import (
    EventFactory,
    ProfileFactory,
    SubForumFactory,
    registration_data,
    staff_member,
    superuser,
)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def closed_event():
    """An edition whose registration closed yesterday, with one in-person seat."""
    return EventFactory(
        in_person_capacity=1,
        requires_approval=False,
        registration_opens_at=NOW - datetime.timedelta(days=30),
        registration_closes_at=NOW - datetime.timedelta(days=1),
        start_on=(NOW + datetime.timedelta(days=20)).date(),
        end_on=(NOW + datetime.timedelta(days=22)).date(),
    )


def register(event, *, language="en", sub_forums=(), mode="in_person"):
    """A delegate's registration, made while registration was open."""
    user = ProfileFactory(preferred_language=language).user
    return services.submit_registration(
        event=event,
        user=user,
        details=registration_data(event, mode=mode),
        sub_forums=list(sub_forums),
        now=event.registration_opens_at + datetime.timedelta(days=1),
    )


def edit_form(registration, **changes):
    """The staff edit form as the organizer sends it back, with changes."""
    event = registration.event
    local = registration.arrival_at.astimezone(event.tz)
    data = {
        "category": registration.category,
        "mode": registration.mode,
        "interpretation_language": registration.interpretation_language,
        "arrival_at": f"{local:%Y-%m-%dT%H:%M}",
        "departure_at": f"{registration.departure_at.astimezone(event.tz):%Y-%m-%dT%H:%M}",
        "flight": registration.flight,
        "sub_forums": [seat.sub_forum_id for seat in registration.seats.all()],
    }
    return {**data, **changes}


def test_an_organizer_edits_a_delegates_arrival_after_registration_closed(client, closed_event):
    registration = register(closed_event, language="ru")
    organizer = staff_member(ORGANIZERS)
    client.force_login(organizer)
    new_arrival = closed_event.start_on - datetime.timedelta(days=2)
    url = reverse("staff:registration_edit", args=[closed_event.slug, registration.pk])

    response = client.post(
        url, edit_form(registration, arrival_at=f"{new_arrival:%Y-%m-%d}T08:15", flight="HY 9")
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.arrival_at.astimezone(closed_event.tz).strftime("%Y-%m-%d %H:%M") == (
        f"{new_arrival:%Y-%m-%d} 08:15"
    )
    assert registration.flight == "HY 9"
    entry = AuditEntry.objects.get(action="edited", registration=registration)
    assert (entry.actor, entry.data["changed"]) == (organizer, ["arrival_at", "flight"])
    mail = OutboxMessage.objects.get(kind="registration_changed")
    assert (mail.to, mail.language) == (registration.user.email, "ru")
    assert "Организаторы изменили вашу регистрацию" in mail.body_text
    assert "прибытие, рейс" in mail.body_text, mail.body_text


def test_the_edit_is_held_to_the_rules_and_keeps_what_was_typed(client, closed_event):
    registration = register(closed_event)
    client.force_login(staff_member(ORGANIZERS))
    url = reverse("staff:registration_edit", args=[closed_event.slug, registration.pk])
    too_early = closed_event.start_on - datetime.timedelta(days=10)

    response = client.post(
        url, edit_form(registration, arrival_at=f"{too_early:%Y-%m-%d}T08:15", flight="HY 9")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["arrival_at"][0].startswith("Choose a day between")
    assert response.context["form"]["flight"].value() == "HY 9"
    assert Registration.objects.get(pk=registration.pk).flight == registration.flight
    assert not OutboxMessage.objects.filter(kind="registration_changed").exists()


def test_an_organizer_cancels_with_a_reason_and_the_line_moves(client, closed_event):
    holder = register(closed_event, language="zh-hans")
    waiting = register(closed_event)
    assert (holder.status, waiting.status) == ("approved", "waitlisted")
    client.force_login(staff_member(ORGANIZERS))

    response = client.post(
        reverse("staff:registration_cancel", args=[closed_event.slug, holder.pk]),
        {"reason": "Replaced by the deputy minister"},
    )

    assert response.status_code == 302
    assert Registration.objects.get(pk=holder.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "approved"
    mail = OutboxMessage.objects.get(kind="registration_cancelled")
    assert (mail.to, mail.language) == (holder.user.email, "zh-hans")
    assert "组织方取消了您" in mail.body_text
    assert "Replaced by the deputy minister" in mail.body_text
    assert OutboxMessage.objects.filter(kind="registration_promoted", to=waiting.user.email).exists()
    assert AuditEntry.objects.get(action="cancelled", registration=holder).data["reason"] == (
        "Replaced by the deputy minister"
    )


def test_a_cancel_without_a_reason_is_refused_and_changes_nothing(client, closed_event):
    registration = register(closed_event)
    client.force_login(staff_member(REGISTRATION_STAFF))

    response = client.post(
        reverse("staff:registration_cancel", args=[closed_event.slug, registration.pk]), {}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "approved"


def test_staff_undo_a_wrong_check_in_and_the_badge_is_admitted_again(client, closed_event):
    registration = register(closed_event)
    staff = staff_member(REGISTRATION_STAFF)
    assert services.check_in(event=closed_event, actor=staff, token=registration.badge_token).admitted
    client.force_login(staff)

    response = client.post(
        reverse("staff:registration_undo_check_in", args=[closed_event.slug, registration.pk]), {"point": ""}
    )

    assert response.status_code == 302
    assert not CheckIn.objects.filter(registration=registration).exists()
    assert AuditEntry.objects.filter(
        action="check_in_undone", registration=registration, actor=staff
    ).exists()
    assert services.check_in(event=closed_event, actor=staff, token=registration.badge_token).admitted


def test_staff_reissue_a_badge_and_the_delegate_is_told(client, closed_event):
    registration = register(closed_event, language="ru")
    old_token = registration.badge_token
    client.force_login(staff_member(REGISTRATION_STAFF))

    response = client.post(
        reverse("staff:registration_reissue_badge", args=[closed_event.slug, registration.pk])
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.badge_token != old_token
    assert services.check_in(event=closed_event, actor=None, token=old_token).code == "unknown"
    mail = OutboxMessage.objects.get(kind="registration_badge_reissued")
    assert (mail.to, mail.language) == (registration.user.email, "ru")


def test_the_registration_page_offers_what_each_role_may_do(client, closed_event):
    registration = register(closed_event)
    url = reverse("staff:registration", args=[closed_event.slug, registration.pk])
    edit_url = reverse("staff:registration_edit", args=[closed_event.slug, registration.pk])

    client.force_login(staff_member(REGISTRATION_STAFF))
    page = client.get(url).content.decode()
    assert ("Reissue the badge" in page, "Cancel the registration" in page, edit_url in page) == (
        True,
        True,
        False,
    )
    assert client.get(edit_url).status_code == 404

    client.force_login(staff_member(ORGANIZERS))
    assert edit_url in client.get(url).content.decode()


def test_another_editions_registration_is_404_and_delegates_never_reach_these_pages(client, closed_event):
    registration = register(closed_event)
    other = EventFactory()
    client.force_login(staff_member(ORGANIZERS))
    assert client.get(reverse("staff:registration", args=[other.slug, registration.pk])).status_code == 404
    client.force_login(registration.user)
    for name in ("staff:registration", "staff:registration_edit"):
        assert client.get(reverse(name, args=[closed_event.slug, registration.pk])).status_code == 404
    response = client.post(
        reverse("staff:registration_cancel", args=[closed_event.slug, registration.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == "approved"


def delete_account_in_the_admin(client, user):
    """A superuser deletes the account on the admin's confirmation page."""
    client.force_login(superuser())
    response = client.post(reverse("admin:delegates_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302


def test_deleting_an_account_in_the_admin_releases_its_seat_to_the_first_in_line(client, closed_event):
    holder = register(closed_event)
    waiting = register(closed_event)

    delete_account_in_the_admin(client, holder.user)

    assert not User.objects.filter(pk=holder.user_id).exists()
    assert Registration.objects.get(pk=waiting.pk).status == "approved"
    entries = AuditEntry.objects.filter(action__in=["submitted", "cancelled", "account_erased"]).order_by(
        "pk"
    )
    assert [(entry.action, entry.registration_id, entry.actor_id) for entry in entries] == [
        ("submitted", None, None),  # the person's own entries stay, no longer linked to them
        ("submitted", waiting.pk, waiting.user_id),
        ("cancelled", None, entries[2].actor_id),
        ("account_erased", None, entries[3].actor_id),
    ]
    assert entries[3].data == {"cancelled": 1}
    assert not OutboxMessage.objects.filter(kind="registration_cancelled").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_an_account_that_holds_a_sub_forum_seat_promotes_the_first_in_line(client):
    event = EventFactory(
        requires_approval=False,
        registration_opens_at=NOW - datetime.timedelta(days=30),
        registration_closes_at=NOW + datetime.timedelta(days=1),
        start_on=(NOW + datetime.timedelta(days=20)).date(),
        end_on=(NOW + datetime.timedelta(days=22)).date(),
    )
    room = SubForumFactory(event=event, in_person_capacity=1, modes="in_person")
    holder = register(event, sub_forums=[room])
    waiting = register(event, sub_forums=[room])
    assert list(
        SubForumSeat.objects.filter(sub_forum=room).order_by("pk").values_list("state", flat=True)
    ) == [
        "confirmed",
        "waitlisted",
    ]

    delete_account_in_the_admin(client, holder.user)

    assert list(SubForumSeat.objects.filter(sub_forum=room).values_list("registration", "state")) == [
        (waiting.pk, "confirmed")
    ]
    assert OutboxMessage.objects.filter(kind="registration_seat_confirmed", to=waiting.user.email).exists()
