"""Focal point invitations: the register link of such a code makes its holder a focal point of the
delegation (once, checked like any code, idempotent), organizers make and send them in the admin,
and concurrent acceptances never exceed the code's uses (PostgreSQL)."""

import datetime
import re
import threading
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from delegates import invitations, locks
from delegates.models import AuditEntry, Invitation, OutboxMessage, Registration
from delegates.roles import ORGANIZERS
from delegates.rules import RegistrationError
from events.models import Event

from .concurrency import run_together
from .factories import (
    DelegationFactory,
    ProfileFactory,
    RegistrationFactory,
    UserFactory,
    open_event,
    staff_member,
)

NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def delegation(db):
    """Kazakhstan's delegation (3 seats in person) of an edition by invitation, open for registration."""
    event = open_event(access=Event.Access.INVITATION)
    return DelegationFactory(
        event=event, name_en="Kazakhstan", name_ru="Казахстан", name_zh_hans="哈萨克斯坦", quota_in_person=3
    )


@pytest.fixture
def focal(client, db):
    """A signed-in account with a profile, not yet a focal point of anything."""
    user = ProfileFactory(user__email="daniyar@mfa.kz").user
    client.force_login(user)
    return user


def focal_invitation(delegation, **values) -> Invitation:
    """A single-use invitation that makes its holder a focal point of the delegation."""
    return Invitation.objects.create(
        event=delegation.event, delegation=delegation, makes_focal_point=True, **values
    )


def register_url(code: str) -> str:
    return f"{reverse('delegates:register', args=[Event.objects.get().slug])}?invitation={code}"


def delegation_url(delegation) -> str:
    return reverse("delegates:delegation", args=[delegation.pk])


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_link_offers_the_delegation_instead_of_the_registration_form(client, delegation, focal):
    invitation = focal_invitation(delegation)

    response = client.get(register_url(invitation.code))

    content = response.content.decode()
    assert response.status_code == 200
    assert "You are invited to register the delegation “Kazakhstan” for the" in content
    assert "as its focal point" in content
    assert f'name="invitation" value="{invitation.code}"' in content
    assert "csrfmiddlewaretoken" in content
    assert 'name="mode"' not in content
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert not delegation.focal_points.exists()


@pytest.mark.django_db
def test_accepting_makes_a_focal_point_uses_the_code_once_and_goes_to_the_delegation(
    client, delegation, focal
):
    invitation = focal_invitation(delegation)

    response = client.post(register_url(invitation.code), {"invitation": invitation.code})

    assert response.status_code == 302
    assert response["Location"] == delegation_url(delegation)
    assert list(delegation.focal_points.all()) == [focal]
    invitation.refresh_from_db()
    assert invitation.uses == 1
    entry = AuditEntry.objects.get(action="focal_point_added")
    assert (entry.actor, entry.event) == (focal, delegation.event)
    assert entry.data == {"delegation": delegation.pk, "invitation": invitation.pk, "user": focal.pk}
    assert not Registration.objects.exists()  # a focal point registers the members, not themself
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "You are now a focal point of the delegation “Kazakhstan”" in page.content.decode()


@pytest.mark.django_db
def test_the_hidden_field_alone_accepts_too(client, delegation, focal):
    invitation = focal_invitation(delegation)
    url = reverse("delegates:register", args=[delegation.event.slug])

    assert client.post(url, {"invitation": invitation.code}).status_code == 302
    assert delegation.focal_points.filter(pk=focal.pk).exists()


@pytest.mark.django_db
def test_an_account_without_a_profile_accepts_without_filling_one(client, delegation):
    user = UserFactory(email="new.focal@mfa.kz")
    client.force_login(user)
    invitation = focal_invitation(delegation)

    assert client.get(register_url(invitation.code)).status_code == 200
    assert client.post(register_url(invitation.code), {"invitation": invitation.code}).status_code == 302
    assert delegation.focal_points.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_accepting_needs_no_open_registration_window(client, delegation, focal):
    Event.objects.update(registration_opens_at=NOW + datetime.timedelta(days=5))
    invitation = focal_invitation(delegation)

    assert client.get(register_url(invitation.code)).status_code == 200
    assert client.post(register_url(invitation.code), {"invitation": invitation.code}).status_code == 302
    assert delegation.focal_points.filter(pk=focal.pk).exists()


@pytest.mark.django_db
def test_a_registered_delegate_is_offered_the_delegation_not_their_registration(client, delegation, focal):
    RegistrationFactory(event=delegation.event, user=focal)
    invitation = focal_invitation(delegation)

    page = client.get(register_url(invitation.code)).content.decode()

    assert "as its focal point" in page
    assert 'name="mode"' not in page


@pytest.mark.django_db
def test_a_registered_delegate_is_refused_a_used_up_code_like_anyone(client, delegation, focal):
    RegistrationFactory(event=delegation.event, user=focal)
    invitation = focal_invitation(delegation, uses=1)

    page = client.get(register_url(invitation.code))

    assert page.status_code == 403
    assert "already been used as many times" in page.content.decode()


@pytest.mark.django_db
def test_anonymous_visitor_keeps_the_code_through_sign_in(client, delegation):
    invitation = focal_invitation(delegation)

    response = client.get(register_url(invitation.code))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "invitation%3D" + invitation.code in response["Location"]
    assert client.post(register_url(invitation.code), {"invitation": invitation.code}).status_code == 302
    assert not delegation.focal_points.exists()


@pytest.mark.django_db
def test_a_new_account_signs_up_through_the_link_and_accepts(client, delegation):
    invitation = focal_invitation(delegation, email="new.focal@mfa.kz")
    target = register_url(invitation.code)
    password = "a-Long-passphrase-2026"
    client.post(
        f"{reverse('account_signup')}?next={quote(target)}",
        {"email": "new.focal@mfa.kz", "password1": password, "password2": password, "next": target},
    )
    message = OutboxMessage.objects.get(to="new.focal@mfa.kz")
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body_text).group(0)

    back = client.post(link)
    page = client.get(back["Location"])
    accepted = client.post(back["Location"], {"invitation": invitation.code})

    assert back["Location"] == target
    assert "as its focal point" in page.content.decode()
    assert accepted["Location"] == delegation_url(delegation)
    assert [user.email for user in delegation.focal_points.all()] == ["new.focal@mfa.kz"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"revoked_at": NOW - datetime.timedelta(minutes=1)}, "withdrawn by the organizers"),
        ({"expires_at": NOW - datetime.timedelta(minutes=1)}, "This invitation expired on"),
        ({"max_uses": 2, "uses": 2}, "already been used as many times"),
        ({"email": "someone.else@mfa.kz"}, "for another email address"),
    ],
)
def test_a_refused_code_says_which_rule_on_page_and_post(client, delegation, focal, values, message):
    invitation = focal_invitation(delegation, **values)
    uses = invitation.uses

    page = client.get(register_url(invitation.code))
    post = client.post(register_url(invitation.code), {"invitation": invitation.code})

    assert page.status_code == post.status_code == 403
    assert message in page.content.decode()
    assert message in post.content.decode()
    assert not delegation.focal_points.exists()
    invitation.refresh_from_db()
    assert invitation.uses == uses


@pytest.mark.django_db
def test_a_refusal_is_in_the_readers_language(client, delegation, focal):
    invitation = focal_invitation(delegation, uses=1)

    page = client.get(register_url(invitation.code), HTTP_ACCEPT_LANGUAGE="ru")

    assert page.status_code == 403
    assert "уже использовано" in page.content.decode()


@pytest.mark.django_db
def test_a_code_bound_to_the_accounts_email_is_accepted_whatever_the_case(client, delegation, focal):
    invitation = focal_invitation(delegation, email="Daniyar@MFA.kz")

    assert client.post(register_url(invitation.code), {"invitation": invitation.code}).status_code == 302
    assert delegation.focal_points.filter(pk=focal.pk).exists()


@pytest.mark.django_db
def test_guessing_is_limited_for_focal_point_codes_too(client, delegation, focal):
    invitation = focal_invitation(delegation)
    for attempt in range(20):
        assert client.get(register_url(f"guess-{attempt}")).status_code == 403

    page = client.get(register_url(invitation.code))
    post = client.post(register_url(invitation.code), {"invitation": invitation.code})

    assert page.status_code == post.status_code == 429
    assert not delegation.focal_points.exists()


@pytest.mark.django_db
def test_opening_the_link_again_goes_to_the_delegation_and_uses_nothing(client, delegation, focal):
    invitation = focal_invitation(delegation, max_uses=2)
    client.post(register_url(invitation.code), {"invitation": invitation.code})

    again = client.get(register_url(invitation.code))
    posted_again = client.post(register_url(invitation.code), {"invitation": invitation.code})

    assert again["Location"] == posted_again["Location"] == delegation_url(delegation)
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert AuditEntry.objects.filter(action="focal_point_added").count() == 1


@pytest.mark.django_db
def test_a_focal_point_still_registers_themself_with_an_ordinary_invitation(client, delegation, focal):
    delegation.focal_points.add(focal)
    ordinary = Invitation.objects.create(event=delegation.event)

    page = client.get(register_url(ordinary.code))

    assert page.status_code == 200
    assert 'name="mode"' in page.content.decode()


# --- the service ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_is_idempotent(delegation, focal):
    invitation = focal_invitation(delegation, max_uses=3)

    first = invitations.accept_focal_point_invitation(invitation=invitation, user=focal)
    second = invitations.accept_focal_point_invitation(invitation=invitation, user=focal)

    assert first == second == delegation
    assert list(delegation.focal_points.all()) == [focal]
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert AuditEntry.objects.filter(action="focal_point_added").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"revoked_at": NOW - datetime.timedelta(minutes=1)}, "invitation_revoked"),
        ({"expires_at": NOW - datetime.timedelta(minutes=1)}, "invitation_expired"),
        ({"uses": 1}, "invitation_used_up"),
        ({"email": "someone.else@mfa.kz"}, "invitation_other_email"),
    ],
)
def test_the_service_refuses_each_bad_code_with_its_code(delegation, focal, values, code):
    invitation = focal_invitation(delegation, **values)

    with pytest.raises(RegistrationError) as refused:
        invitations.accept_focal_point_invitation(invitation=invitation, user=focal)

    assert refused.value.code == code
    assert not delegation.focal_points.exists()
    assert not AuditEntry.objects.filter(action="focal_point_added").exists()


@pytest.mark.django_db
def test_the_service_checks_the_row_as_stored_not_as_loaded(delegation, focal):
    invitation = focal_invitation(delegation)
    Invitation.objects.filter(pk=invitation.pk).update(uses=1)  # someone accepted meanwhile

    with pytest.raises(RegistrationError) as refused:
        invitations.accept_focal_point_invitation(invitation=invitation, user=focal)

    assert refused.value.code == "invitation_used_up"


# --- organizers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_focal_point_invitation_needs_a_delegation(delegation):
    without = Invitation(event=delegation.event, makes_focal_point=True)

    with pytest.raises(ValidationError) as refused:
        without.full_clean()

    assert "makes_focal_point" in refused.value.message_dict
    Invitation(event=delegation.event, delegation=delegation, makes_focal_point=True).full_clean()
    with pytest.raises(invitations.InvitationError):
        invitations.create_invitations(event=delegation.event, actor=None, makes_focal_point=True)
    assert not Invitation.objects.exists()


@pytest.fixture
def organizer(client, db):
    """An organizer signed in to the admin."""
    user = staff_member(ORGANIZERS)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_admin_add_form_and_list_show_the_field_and_refuse_it_without_delegation(
    client, organizer, delegation
):
    add = reverse("admin:delegates_invitation_add")
    values = {"event": delegation.event.pk, "language": "en", "max_uses": "1", "makes_focal_point": "on"}

    refused = client.post(add, values)
    made = client.post(add, {**values, "delegation": delegation.pk})

    assert "Choose the delegation whose focal point this invitation makes." in refused.content.decode()
    assert made.status_code == 302
    assert Invitation.objects.get().makes_focal_point
    listing = client.get(reverse("admin:delegates_invitation_changelist")).content.decode()
    assert "makes its holder a focal point" in listing.lower()


@pytest.mark.django_db
def test_the_bulk_page_makes_focal_point_codes_for_a_delegation_only(client, organizer, delegation):
    bulk = reverse("admin:delegates_invitation_bulk")
    values = {"event": delegation.event.pk, "count": "2", "max_uses": "1", "language": "en"}

    refused = client.post(bulk, {**values, "makes_focal_point": "on"})
    made = client.post(bulk, {**values, "makes_focal_point": "on", "delegation": delegation.pk})

    assert refused.context["form"].errors["makes_focal_point"] == [
        "Choose the delegation whose focal point this invitation makes."
    ]
    assert made.status_code == 302
    assert Invitation.objects.filter(delegation=delegation, makes_focal_point=True).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "text_line", "link_text"),
    [
        (
            "en",
            "Register your delegation for the",
            "You are invited to register your delegation for the",
            "Register your delegation with",
        ),
        (
            "ru",
            "Зарегистрируйте свою делегацию на",
            "Приглашаем вас зарегистрировать свою делегацию",
            "Зарегистрировать делегацию",
        ),
        ("zh-hans", "为您的代表团报名参加", "为您的代表团报名参加", "通过专属链接为代表团报名"),
    ],
)
def test_the_email_asks_to_register_the_delegation(delegation, language, subject, text_line, link_text):
    invitation = focal_invitation(delegation, email="focal@mfa.kz", language=language)

    invitations.send_invitation(invitation=invitation, actor=None)

    message = OutboxMessage.objects.get()
    assert subject in message.subject
    assert text_line in message.body_text
    assert text_line in message.body_html
    assert link_text in message.body_html


@pytest.mark.django_db
def test_an_ordinary_invitation_email_asks_to_register(delegation):
    invitation = Invitation.objects.create(
        event=delegation.event, delegation=delegation, email="member@mfa.kz"
    )

    invitations.send_invitation(invitation=invitation, actor=None)

    message = OutboxMessage.objects.get()
    assert "You are invited to register for the" in message.body_text
    assert "register your delegation" not in message.body_text.lower()


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_accounts_accepting_a_two_use_code_at_once_give_exactly_two_focal_points(settings):
    settings.FORUM_LOCK_TIMEOUT_SECONDS = 120  # these threads count uses: none may give up waiting
    event = open_event(access=Event.Access.INVITATION)
    delegation = DelegationFactory(event=event)
    invitation = focal_invitation(delegation, max_uses=2)
    users = UserFactory.create_batch(10)

    def accept(user):
        return lambda: invitations.accept_focal_point_invitation(invitation=invitation, user=user)

    errors = run_together([accept(user) for user in users], threads=10)

    assert sorted({error.code for error in errors}) == ["invitation_used_up"]
    assert len(errors) == 8
    assert delegation.focal_points.count() == 2
    invitation.refresh_from_db()
    assert invitation.uses == 2
    assert AuditEntry.objects.filter(action="focal_point_added").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_control_without_locks_every_account_passes_the_check():
    event = open_event(access=Event.Access.INVITATION)
    delegation = DelegationFactory(event=event)
    invitation = focal_invitation(delegation, max_uses=2)
    users = UserFactory.create_batch(10)
    barrier = threading.Barrier(10, timeout=60)

    def accept(user):
        return lambda: invitations.accept_focal_point_invitation(invitation=invitation, user=user)

    with locks.overbooking_control(after_count=barrier.wait):
        errors = run_together([accept(user) for user in users], threads=10)

    # All ten read "1 use left or more" before anyone wrote: only the database's check constraint
    # stops the extra uses, as errors no one can show; the lock is what makes them coded refusals.
    assert len(errors) == 8
    assert not any(isinstance(error, RegistrationError) for error in errors)


@pytest.mark.django_db
def test_the_message_on_the_page_nests_a_quoted_name_in_russian(client, delegation, focal):
    delegation.name_ru = "Секретариат «Китай — Центральная Азия»"
    delegation.save()
    invitation = focal_invitation(delegation)
    client.cookies["django_language"] = "ru"

    page = client.post(register_url(invitation.code), {"invitation": invitation.code}, follow=True)

    text = page.content.decode()
    assert "делегации «Секретариат „Китай — Центральная Азия“»" in text
    assert "»»" not in text


@pytest.mark.django_db
def test_the_invitation_page_nests_a_quoted_name_in_russian(client, delegation, focal):
    delegation.name_ru = "Секретариат «Китай — Центральная Азия»"
    delegation.save()
    invitation = focal_invitation(delegation)
    client.cookies["django_language"] = "ru"

    text = client.get(register_url(invitation.code)).content.decode()

    assert "делегацию «Секретариат „Китай — Центральная Азия“»" in text
    assert "»»" not in text
