"""Accounts (django-allauth): email login, mandatory verification, enumeration, rate limits, MFA."""

import re
import time
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format

from delegates.models import OutboxMessage, User
from delegates.outbox import deliver_due
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.models import Event

from .factories import UserFactory, open_event, staff_member, superuser

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-passphrase-2026"


def verified_user(email="delegate@example.org"):
    """An account whose email address is verified."""
    user = UserFactory(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signup_sends_a_verification_link_through_the_outbox_and_confirming_signs_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "aigerim@example.kz", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="aigerim@example.kz").exists()
    message = OutboxMessage.objects.get(to="aigerim@example.kz")
    assert "Hello from China–Central Asia Cooperation Forum!" in message.body_text
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body_text).group(0)
    assert deliver_due()["sent"] == 1 and len(mail.outbox) == 1
    assert client.get(reverse("delegates:me"))["Location"].startswith("/accounts/login/")
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="aigerim@example.kz").verified
    assert client.get(reverse("delegates:me")).status_code == 200


def test_login_is_refused_until_the_email_is_verified(client):
    UserFactory(email="new@example.org", password=PASSWORD)
    EmailAddress.objects.create(
        user=User.objects.get(), email="new@example.org", verified=False, primary=True
    )
    client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})
    assert client.get(reverse("delegates:me")).status_code == 302


def test_login_with_email(client):
    verified_user()
    response = client.post(reverse("account_login"), {"login": "delegate@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("delegates:me")


def test_password_reset_does_not_tell_whether_an_account_exists(client):
    verified_user()
    known = client.post(reverse("account_reset_password"), {"email": "delegate@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert OutboxMessage.objects.filter(to="delegate@example.org").count() == 1


def test_signup_with_a_taken_email_looks_the_same(client):
    verified_user()
    taken = client.post(
        reverse("account_signup"),
        {"email": "delegate@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    fresh = client.post(
        reverse("account_signup"),
        {"email": "fresh@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email="delegate@example.org").count() == 1


def test_failed_logins_are_rate_limited(client):
    verified_user()
    for _ in range(12):
        response = client.post(
            reverse("account_login"), {"login": "delegate@example.org", "password": "wrong"}
        )
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("group_name", [ORGANIZERS, REGISTRATION_STAFF])
def test_both_staff_roles_must_set_up_two_factor_before_the_admin(client, settings, group_name):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    client.force_login(staff_member(group_name, with_totp=False))
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_organizers_reach_the_admin_with_two_factor_set_up(client, settings):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    client.force_login(staff_member(ORGANIZERS, with_totp=True))
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_demo_setting_lets_organizers_in_without_two_factor(client, settings):
    settings.FORUM_STAFF_MFA_REQUIRED = False
    client.force_login(staff_member(ORGANIZERS, with_totp=False))
    assert client.get(reverse("admin:index")).status_code == 200


def test_account_pages_use_the_site_layout(client):
    content = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en">' in content
    assert '<main id="main"' in content
    assert re.search(r'class="[^"]*form-control[^"]*"', content)


def test_superusers_also_need_two_factor_for_the_admin(client, settings):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    client.force_login(superuser(with_totp=False))
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")
    client.force_login(superuser(with_totp=True))
    assert client.get(reverse("admin:index")).status_code == 200


def test_password_reset_links_are_not_shown_in_the_outbox_admin(client):
    verified_user()
    client.post(reverse("account_reset_password"), {"email": "delegate@example.org"})
    message = OutboxMessage.objects.get()
    assert "/accounts/password/reset/key/" in message.body_text
    client.force_login(superuser())
    page = client.get(reverse("admin:delegates_outboxmessage_change", args=[message.pk])).content.decode()
    assert "/accounts/password/reset/key/" not in page
    assert message.subject in page


def test_profile_next_must_stay_on_this_site(client):
    client.force_login(UserFactory())
    data = {
        "given_name_latin": "Aigerim",
        "family_name_latin": "Bekova",
        "position": "Counsellor",
        "organization": "MFA",
        "country": "KZ",
        "phone": "+77012345678",
        "preferred_language": "en",
    }
    response = client.post(reverse("delegates:profile") + "?next=https://evil.example.com/", data)
    assert response["Location"] == reverse("delegates:me")


def fail_logins(client, count: int, **request) -> None:
    """`count` failed sign-ins, each for a different address (only the per-client limit counts them)."""
    for number in range(count):
        client.post(
            reverse("account_login"), {"login": f"nobody{number}@example.org", "password": "wrong"}, **request
        )


def sign_in(client, **request):
    """The verified delegate signs in with the right password."""
    return client.post(
        reverse("account_login"), {"login": "delegate@example.org", "password": PASSWORD}, **request
    )


def test_without_a_trusted_proxy_a_client_cannot_escape_the_limit_through_x_forwarded_for(client):
    verified_user()
    for number in range(11):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{number}@example.org", "password": "wrong"},
            REMOTE_ADDR="198.51.100.9",
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
    response = sign_in(client, REMOTE_ADDR="198.51.100.9", headers={"X-Forwarded-For": "203.0.113.200"})
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_behind_a_trusted_proxy_failed_logins_from_one_client_do_not_block_another(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # what FORUM_TRUSTED_PROXY_COUNT=1 sets (tests/test_settings.py)
    verified_user()
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    fail_logins(client, 11, REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "203.0.113.5"})
    attacker = sign_in(client, REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "203.0.113.5"})
    # A client cannot pick its address either: the proxy appends the one it saw.
    spoofing = sign_in(client, REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"})
    delegate = sign_in(client, REMOTE_ADDR=proxy, headers={"X-Forwarded-For": "198.51.100.7"})

    assert "Too many failed login attempts" in attacker.content.decode()
    assert "Too many failed login attempts" in spoofing.content.decode()
    assert (delegate.status_code, delegate["Location"]) == (302, reverse("delegates:me"))


def test_a_request_that_came_through_fewer_proxies_than_trusted_can_still_sign_in(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    verified_user()
    response = sign_in(client, REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "198.51.100.7"})
    assert (response.status_code, response["Location"]) == (302, reverse("delegates:me"))


def test_staff_sessions_end_sooner_than_delegates(settings):
    settings.FORUM_STAFF_SESSION_SECONDS = 1
    staff, delegate = Client(), Client()
    staff.force_login(staff_member(REGISTRATION_STAFF))
    delegate.force_login(verified_user())
    assert staff.get(reverse("staff:home")).status_code == 200

    time.sleep(1.1)
    ended = staff.get(reverse("staff:home"), follow=True)

    assert ended.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "Your staff session has ended. Please sign in again." in ended.content.decode()
    assert not ended.wsgi_request.user.is_authenticated
    assert delegate.get(reverse("delegates:me")).status_code == 200


def test_a_staff_role_granted_during_a_session_shortens_it(client, settings):
    settings.FORUM_STAFF_SESSION_SECONDS = 1
    user = verified_user()
    client.force_login(user)
    time.sleep(1.1)
    assert client.get(reverse("delegates:me")).status_code == 200

    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=REGISTRATION_STAFF))

    assert client.get(reverse("delegates:me"))["Location"].startswith(reverse("account_login"))


def test_changing_the_password_ends_every_other_session(client):
    verified_user()
    sign_in(client)
    other = Client()
    sign_in(other)
    assert other.get(reverse("delegates:me")).status_code == 200

    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "an-Other-passphrase-27",
            "password2": "an-Other-passphrase-27",
        },
    )

    assert response.status_code == 302
    assert other.get(reverse("delegates:me"))["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("delegates:me")).status_code == 200  # the one who changed it goes on


def test_resetting_the_password_ends_every_session(client):
    verified_user()
    sign_in(client)
    stranger = Client()
    stranger.post(reverse("account_reset_password"), {"email": "delegate@example.org"})
    deliver_due()
    link = re.search(r"/accounts/password/reset/key/[\w-]+/", mail.outbox[-1].body).group(0)
    set_password = stranger.get(link)["Location"]
    response = stranger.post(
        set_password, {"password1": "an-Other-passphrase-27", "password2": "an-Other-passphrase-27"}
    )

    assert response.status_code == 302
    assert client.get(reverse("delegates:me"))["Location"].startswith(reverse("account_login"))


def test_a_password_reset_vouches_for_an_address_only_when_the_account_has_no_other(client):
    user = UserFactory(email="two.addresses@example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    EmailAddress.objects.create(user=user, email="pending.change@example.org", primary=False, verified=False)
    client.post(reverse("account_reset_password"), {"email": "pending.change@example.org"})
    deliver_due()
    link = re.search(r"/accounts/password/reset/key/[\w-]+/", mail.outbox[-1].body).group(0)
    set_password = client.get(link)["Location"]

    client.post(set_password, {"password1": "an-Other-passphrase-27", "password2": "an-Other-passphrase-27"})

    # The password was set, but the link went to the pending address: it proves nothing about the
    # primary one, which stays unverified.
    user.refresh_from_db()
    assert user.check_password("an-Other-passphrase-27")
    assert list(EmailAddress.objects.filter(user=user, verified=True)) == []


def alerts(response) -> list[str]:
    """The texts of the page's message alerts."""
    return [
        " ".join(text.split())
        for text in re.findall(r'<div class="alert[^"]*">(.*?)</div>', response.content.decode(), re.S)
    ]


def test_register_link_signed_out_leads_to_a_page_that_names_the_edition_and_offers_an_account(client):
    event = open_event(edition_number=8)
    response = client.get(f"/events/{event.slug}/register/?invitation=c0de-42", follow=True)
    assert response.redirect_chain == [
        ("/accounts/login/?next=/events/forum/register/%3Finvitation%3Dc0de-42", 302)
    ]
    page = " ".join(response.content.decode().split())
    assert "<h1>Register for the 8th China–Central Asia Cooperation Forum</h1>" in page
    assert f"{date_format(event.start_on)} – {date_format(event.end_on)} · Lanzhou" in page
    assert "To register, you need an account on this site: it keeps your registration" in page
    signup = "/accounts/signup/?next=%2Fevents%2Fforum%2Fregister%2F%3Finvitation%3Dc0de-42"
    assert f'<a class="btn btn-primary" href="{signup}">Create an account</a>' in page
    assert '<h2 class="h4 mt-4">Already have an account?</h2>' in page
    signup_page = " ".join(client.get(signup).content.decode().split())
    assert "<h1>Register for the 8th China–Central Asia Cooperation Forum</h1>" in signup_page
    assert (
        '<input type="hidden" name="next" value="/events/forum/register/?invitation=c0de-42">' in signup_page
    )


@pytest.mark.parametrize(
    "next_url",
    [
        "/events/no-such-edition/register/",
        "/events/draft/register/",
        "/events/forum/",
        "https://evil.example/events/forum/register/",
        "//evil.example/events/forum/register/",
        "/events/forum/register/\x00",
        "/%ZZ<script>",
    ],
)
def test_sign_in_and_sign_up_pages_stay_generic_unless_next_is_a_public_editions_register_page(
    client, next_url
):
    open_event()
    open_event(slug="draft", status=Event.Status.DRAFT)
    for path, heading in ((reverse("account_login"), "Sign In"), (reverse("account_signup"), "Sign Up")):
        response = client.get(path, {"next": next_url})
        page = response.content.decode()
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in page
        assert "Register for the" not in page
        assert not re.search(r'href="[^"]*evil\.example', page) and "<script>" not in page


def test_signup_says_the_same_true_thing_for_a_taken_and_a_new_address(client):
    verified_user()
    pages = []
    for email in ("delegate@example.org", "fresh@example.org"):
        response = Client().post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
            follow=True,
        )
        page = " ".join(response.content.decode().split()).replace(email, "EMAIL")
        pages.append(page[page.index("<main") : page.index("</main>")])
        assert alerts(response) == [f"We have sent a message to {email}."]
    assert pages[0] == pages[1]
    assert "Follow the link in the message we have sent to the address you gave." in pages[0]
    assert "Confirmation email sent" not in pages[0]
    # Both are true: the taken address is told an account exists (with a link to reset the password).
    assert sorted(OutboxMessage.objects.values_list("to", "kind")) == [
        ("delegate@example.org", "account_already_exists"),
        ("fresh@example.org", "email_confirmation_signup"),
    ]


def test_confirming_the_address_shows_one_message(client):
    client.post(
        reverse("account_signup"), {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    client.get(reverse("account_email_verification_sent"))  # the "message sent" alert is read there
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", OutboxMessage.objects.get().body_text).group(0)
    response = client.post(link, follow=True)
    assert response.redirect_chain == [(reverse("delegates:me"), 302)]
    assert alerts(response) == ["You have confirmed new@example.org."]
    assert response.context["user"].email == "new@example.org"  # signed in by the same click


def test_signing_in_still_says_so(client):
    verified_user()
    response = client.post(
        reverse("account_login"), {"login": "delegate@example.org", "password": PASSWORD}, follow=True
    )
    assert alerts(response) == ["Successfully signed in as delegate@example.org."]


def test_confirming_on_the_way_to_register_returns_to_the_edition_with_one_message(client):
    event = open_event()
    register = f"/events/{event.slug}/register/?invitation=c0de-42"
    client.post(
        f"{reverse('account_signup')}?next={quote(register)}",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD, "next": register},
    )
    client.get(reverse("account_email_verification_sent"))
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", OutboxMessage.objects.get().body_text).group(0)
    response = client.post(link, follow=True)
    assert [url for url, _status in response.redirect_chain] == [
        register,
        f"{reverse('delegates:profile')}?next={quote(register, safe='/')}",
    ]
    assert alerts(response) == ["Please tell us who you are first."]


def test_confirming_a_new_address_while_signed_in_still_says_so(client):
    user = verified_user()
    client.force_login(user)
    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.org"})
    link = re.search(
        r"/accounts/confirm-email/[^/\s]+/", OutboxMessage.objects.get(to="second@example.org").body_text
    ).group(0)
    response = client.post(link, follow=True)
    assert alerts(response)[-1] == "You have confirmed second@example.org."
