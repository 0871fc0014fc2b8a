"""Editions by invitation: the register page and the services accept a valid code only, say which
rule a refused code breaks, use the code exactly once per registration, and limit guessing."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from delegates import services
from delegates.models import AuditEntry, Delegation, Invitation, OutboxMessage, Registration
from delegates.rules import RegistrationError
from events.models import Event

from .factories import ProfileFactory, SubForumFactory, open_event, registration_data

pytestmark = pytest.mark.django_db

NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def event():
    """An edition by invitation, open for registration, with one hybrid sub-forum."""
    event = open_event(access=Event.Access.INVITATION)
    SubForumFactory(event=event, slug="hybrid", modes="both")
    return event


@pytest.fixture
def delegate(client):
    """A signed-in delegate with a profile."""
    user = ProfileFactory(user__email="aigerim@example.kz").user
    client.force_login(user)
    return user


def invite(event, **values) -> Invitation:
    """An invitation to the edition (single use, no binding, unless told otherwise)."""
    return Invitation.objects.create(event=event, **values)


def register_url(code: str | None = None) -> str:
    url = reverse("delegates:register", args=["forum"])
    return f"{url}?invitation={code}" if code is not None else url


def online_post(**extra) -> dict:
    """A complete online registration as the browser posts it."""
    return {
        "category": "government",
        "mode": "online",
        "interpretation_language": "en",
        "consent": "on",
        **extra,
    }


def test_page_without_code_says_by_invitation_and_offers_no_form(client, event, delegate):
    response = client.get(register_url())
    assert response.status_code == 403
    content = response.content.decode()
    assert "by invitation only" in content
    assert "<form" not in content.split("<main", 1)[-1].split("</main>")[0]
    assert 'name="mode"' not in content


def test_direct_post_without_code_is_refused_and_writes_nothing(client, event, delegate):
    response = client.post(register_url(), online_post())
    assert response.status_code == 403
    assert "by invitation only" in response.content.decode()
    assert not Registration.objects.exists()


def test_valid_code_shows_the_form_and_keeps_the_code(client, event, delegate):
    invitation = invite(event)
    response = client.get(register_url(invitation.code))
    assert response.status_code == 200
    assert f'name="invitation" value="{invitation.code}"' in response.content.decode()


def test_valid_code_registers_and_records_invitation_delegation_and_category(client, event, delegate):
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ")
    invitation = invite(event, delegation=delegation, category="academia", max_uses=5)
    response = client.post(register_url(), online_post(invitation=invitation.code, category="government"))
    assert response.status_code == 302
    registration = Registration.objects.get(user=delegate)
    assert registration.invitation == invitation
    assert registration.delegation == delegation
    assert registration.category == "academia"  # the invitation's, whatever was posted
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert AuditEntry.objects.get(action="submitted").data["invitation"] == invitation.pk


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"revoked_at": NOW - datetime.timedelta(minutes=1)}, "withdrawn by the organizers"),
        ({"expires_at": NOW - datetime.timedelta(minutes=1)}, "This invitation expired on"),
        ({"max_uses": 2, "uses": 2}, "already been used as many times"),
        ({"email": "someone.else@example.kz"}, "for another email address"),
    ],
)
def test_refused_code_says_which_rule_on_page_and_post(client, event, delegate, values, message):
    invitation = invite(event, **values)
    page = client.get(register_url(invitation.code))
    post = client.post(register_url(), online_post(invitation=invitation.code))
    assert page.status_code == post.status_code == 403
    assert message in page.content.decode()
    assert message in post.content.decode()
    assert not Registration.objects.exists()


def test_code_bound_to_the_delegates_email_is_accepted_whatever_the_case(client, event, delegate):
    invitation = invite(event, email="Aigerim@Example.KZ")
    response = client.post(register_url(), online_post(invitation=invitation.code))
    assert response.status_code == 302
    assert Registration.objects.get(user=delegate).invitation == invitation


def test_unknown_code_and_code_of_another_edition_are_unknown(client, event, delegate):
    other = invite(open_event(slug="other", access=Event.Access.INVITATION))
    for code in ["not-a-code", other.code]:
        response = client.get(register_url(code))
        assert response.status_code == 403
        assert "not valid for this edition" in response.content.decode()


def test_guessing_is_limited_to_20_wrong_codes_then_429(client, event, delegate):
    invitation = invite(event)
    for attempt in range(20):
        assert client.get(register_url(f"guess-{attempt}")).status_code == 403
    response = client.get(register_url(invitation.code))  # even a right code waits now
    assert response.status_code == 429
    assert "Too many wrong invitation codes" in response.content.decode()
    assert client.post(register_url(), online_post(invitation=invitation.code)).status_code == 429
    assert not Registration.objects.exists()


def test_one_accounts_wrong_codes_do_not_lock_out_a_colleague_at_the_same_address(client, event, delegate):
    invitation = invite(event)
    for attempt in range(20):
        client.get(register_url(f"guess-{attempt}"))
    assert client.get(register_url(invitation.code)).status_code == 429
    colleague = Client()  # same address (the test client's 127.0.0.1), another account
    colleague.force_login(ProfileFactory(user__email="colleague@example.kz").user)

    assert colleague.get(register_url(invitation.code)).status_code == 200


def test_an_address_is_limited_to_200_wrong_codes_across_accounts(client, event):
    invitation = invite(event)
    for account in range(10):
        guesser = Client()
        guesser.force_login(ProfileFactory(user__email=f"guesser{account}@example.kz").user)
        for attempt in range(20):
            guesser.get(register_url(f"guess-{account}-{attempt}"))
    newcomer = Client()
    newcomer.force_login(ProfileFactory(user__email="newcomer@example.kz").user)

    assert newcomer.get(register_url(invitation.code)).status_code == 429


def test_anonymous_visitor_keeps_the_code_through_sign_in(client, event):
    invitation = invite(event)
    response = client.get(register_url(invitation.code))
    assert response.status_code == 302
    assert "invitation%3D" + invitation.code in response["Location"]


def test_delegate_without_profile_keeps_the_code_through_the_profile_page(client, event):
    user = ProfileFactory().user
    user.profile.delete()
    client.force_login(user)
    invitation = invite(event)
    response = client.get(register_url(invitation.code))
    assert response.status_code == 302
    assert "invitation%3D" + invitation.code in response["Location"]


def test_open_edition_needs_no_code(client, delegate):
    open_event()
    response = client.post(register_url(), online_post())
    assert response.status_code == 302
    assert Registration.objects.get(user=delegate).invitation is None


def test_registered_delegate_edits_without_code(client, event, delegate):
    invitation = invite(event)
    client.post(register_url(), online_post(invitation=invitation.code))
    response = client.get(register_url())
    assert response.status_code == 200
    assert 'name="mode"' in response.content.decode()


def test_service_refuses_without_invitation_on_edition_by_invitation(event, delegate):
    with pytest.raises(RegistrationError) as refused:
        services.submit_registration(event=event, user=delegate, details=registration_data(), sub_forums=[])
    assert refused.value.code == "invitation_required"
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"revoked_at": NOW}, "invitation_revoked"),
        ({"expires_at": NOW - datetime.timedelta(seconds=1)}, "invitation_expired"),
        ({"max_uses": 1, "uses": 1}, "invitation_used_up"),
        ({"email": "other@example.kz"}, "invitation_other_email"),
    ],
)
def test_service_refuses_each_bad_invitation_with_its_code(event, delegate, values, code):
    invitation = invite(event, **values)
    with pytest.raises(RegistrationError) as refused:
        services.submit_registration(
            event=event, user=delegate, details=registration_data(), sub_forums=[], invitation=invitation
        )
    assert refused.value.code == code
    invitation.refresh_from_db()
    assert invitation.uses == values.get("uses", 0)


def test_service_refuses_invitation_of_another_edition_as_unknown(event, delegate):
    other = invite(open_event(slug="other"))
    with pytest.raises(RegistrationError) as refused:
        services.submit_registration(
            event=event, user=delegate, details=registration_data(), sub_forums=[], invitation=other
        )
    assert refused.value.code == "invitation_unknown"


def test_single_use_code_serves_one_person_only(event, delegate):
    invitation = invite(event)
    services.submit_registration(
        event=event, user=delegate, details=registration_data(), sub_forums=[], invitation=invitation
    )
    second = ProfileFactory().user
    with pytest.raises(RegistrationError) as refused:
        services.submit_registration(
            event=event, user=second, details=registration_data(), sub_forums=[], invitation=invitation
        )
    assert refused.value.code == "invitation_used_up"
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_refused_registration_does_not_use_the_code(event, delegate):
    invitation = invite(event)
    with pytest.raises(RegistrationError):
        services.submit_registration(
            event=event,
            user=delegate,
            details=registration_data(consent_version=""),
            sub_forums=[],
            invitation=invitation,
        )
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_new_account_signs_up_through_the_invitation_and_comes_back_to_it(client, event):
    invitation = invite(event)
    target = register_url(invitation.code)
    login = client.get(target)["Location"]
    assert login.startswith(reverse("account_login"))
    password = "a-Long-passphrase-2026"
    client.post(
        f"{reverse('account_signup')}?next={quote(target)}",
        {"email": "new.delegate@example.kz", "password1": password, "password2": password, "next": target},
    )
    message = OutboxMessage.objects.get(to="new.delegate@example.kz")
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body_text).group(0)
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize(
    ("language", "required", "used_up"),
    [
        ("ru", "только по приглашениям", "уже использовано"),
        ("zh-hans", "仅凭邀请注册", "使用次数已用完"),
    ],
)
def test_refusals_are_in_the_readers_language(client, event, delegate, language, required, used_up):
    invitation = invite(event, uses=1)
    assert required in client.get(register_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    page = client.get(register_url(invitation.code), HTTP_ACCEPT_LANGUAGE=language)
    assert used_up in page.content.decode()


def test_a_delegate_who_cancelled_registers_again_with_the_same_invitation_without_a_new_use(
    client, event, delegate
):
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ")
    invitation = invite(event, delegation=delegation, category="academia")
    assert client.post(register_url(), online_post(invitation=invitation.code)).status_code == 302
    client.post(reverse("delegates:cancel", args=["forum"]), {})
    me = client.get(reverse("delegates:me")).content.decode()
    again = re.search(r'href="([^"]+)">Register again<', me).group(1)

    page = client.get(again)  # the link of /me/, without the code
    assert page.status_code == 200
    assert f'name="invitation" value="{invitation.code}"' in page.content.decode()
    response = client.post(again, online_post(invitation=invitation.code))

    assert response.status_code == 302
    registration = Registration.objects.get(user=delegate)
    assert registration.status != Registration.Status.CANCELLED
    assert (registration.invitation, registration.delegation) == (invitation, delegation)
    invitation.refresh_from_db()
    assert invitation.uses == 1  # the delegate's one use, not two
    # Someone else still cannot use the single-use code.
    with pytest.raises(RegistrationError) as refused:
        services.submit_registration(
            event=event,
            user=ProfileFactory().user,
            details=registration_data(),
            sub_forums=[],
            invitation=invitation,
        )
    assert refused.value.code == "invitation_used_up"


def test_a_revoked_invitation_does_not_bring_a_cancelled_delegate_back(client, event, delegate):
    invitation = invite(event)
    client.post(register_url(), online_post(invitation=invitation.code))
    client.post(reverse("delegates:cancel", args=["forum"]), {})
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=NOW)

    response = client.get(register_url())

    assert response.status_code == 403
    assert "withdrawn by the organizers" in response.content.decode()
