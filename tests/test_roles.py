import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from delegates.models import AuditEntry, ExportPreset
from delegates.permissions import PERMISSIONS, allows, needs_two_factor_setup, permission_required
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import EventFactory, ProfileFactory, UserFactory, staff_member, superuser

pytestmark = pytest.mark.django_db

PROGRAMME_MODELS = [
    "organization",
    "event",
    "eventrole",
    "subforum",
    "speaker",
    "appearance",
    "sector",
    "exhibit",
    "document",
]


def _permissions(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _staff_in(group_name):
    return staff_member(group_name)


def test_roles_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) == {ORGANIZERS, REGISTRATION_STAFF}


def test_roles_organizers_edit_programme_and_registrations_but_not_accounts():
    assert _permissions(ORGANIZERS) == {
        *(
            f"events.{action}_{model}"
            for model in PROGRAMME_MODELS
            for action in ("add", "change", "delete", "view")
        ),
        *(
            f"delegates.{action}_{model}"
            for model in (
                "profile",
                "registration",
                "subforumseat",
                "delegation",
                "invitation",
                "lettertemplate",
                "visaletter",
            )
            for action in ("add", "change", "delete", "view")
        ),
        "delegates.view_outboxmessage",
        "delegates.change_outboxmessage",
        "delegates.view_auditentry",
        "delegates.view_passport",
        "delegates.export_registration",
        "delegates.check_in_registration",
        "delegates.view_checkin",
        "delegates.add_checkin",
        "delegates.delete_checkin",
        "delegates.view_exportpreset",
    }


def test_roles_registration_staff_view_export_check_in_and_never_passports():
    assert _permissions(REGISTRATION_STAFF) == {
        *(f"events.view_{model}" for model in PROGRAMME_MODELS),
        "delegates.view_profile",
        "delegates.view_registration",
        "delegates.view_subforumseat",
        "delegates.export_registration",
        "delegates.check_in_registration",
        "delegates.view_checkin",
        "delegates.add_checkin",
    }


def test_roles_registration_staff_see_editions_but_cannot_add_one(client):
    event = EventFactory()
    client.force_login(_staff_in(REGISTRATION_STAFF))

    changelist = client.get(reverse("admin:events_event_changelist"))
    add = client.get(reverse("admin:events_event_add"))

    assert changelist.status_code == 200
    assert [row.pk for row in changelist.context["cl"].result_list] == [event.pk]
    assert event.title in changelist.content.decode()
    assert reverse("admin:events_event_add") not in changelist.content.decode()
    assert add.status_code == 403


def test_roles_organizers_can_open_the_add_edition_page(client):
    client.force_login(_staff_in(ORGANIZERS))

    response = client.get(reverse("admin:events_event_add"))

    assert response.status_code == 200
    assert {
        "series_name_en",
        "series_name_zh_hans",
        "series_name_ru",
        "edition_number",
        "slug",
        "start_on",
        "end_on",
    } <= set(response.context["adminform"].form.fields)


@pytest.mark.parametrize("group_name", [ORGANIZERS, REGISTRATION_STAFF])
def test_roles_staff_cannot_open_the_user_list(client, group_name):
    UserFactory(email="delegate@example.org")
    client.force_login(_staff_in(group_name))

    response = client.get(reverse("admin:delegates_user_changelist"))

    assert response.status_code == 403
    assert b"delegate@example.org" not in response.content


def _account(role: str, *, with_totp: bool = True):
    """An account of each kind the permission spine tells apart."""
    if role == "delegate":
        return ProfileFactory().user
    if role == "staff flag only":  # is_staff without a role: the admin lets it in, the staff area does not
        return UserFactory(is_staff=True)
    if role == "superuser":
        return superuser(with_totp=with_totp)
    return staff_member(role, with_totp=with_totp)


EVERY_PERMISSION = set(PERMISSIONS)


@pytest.mark.parametrize(
    ("role", "permissions"),
    [
        ("delegate", set()),
        ("staff flag only", set()),
        (REGISTRATION_STAFF, {"staff_area", "export", "check_in", "act_at_desk"}),
        (ORGANIZERS, EVERY_PERMISSION),
        ("superuser", EVERY_PERMISSION),
    ],
)
def test_roles_spine_grants_each_role_exactly_its_permissions(role, permissions):
    user = _account(role)

    assert {name for name in PERMISSIONS if allows(user, name)} == permissions


def test_roles_spine_names_every_permission_the_views_and_templates_use():
    assert set(PERMISSIONS) == {
        "staff_area",
        "export",
        "see_passports",
        "check_in",
        "import",
        "edit_for_delegate",
        "act_at_desk",
    }


def test_roles_spine_refuses_an_unknown_permission_name_when_a_view_declares_it():
    with pytest.raises(ImproperlyConfigured, match="'exprot'"):
        permission_required("exprot")


@pytest.mark.parametrize(
    ("role", "with_totp", "needs_setup"),
    [
        ("delegate", False, False),
        ("staff flag only", False, False),
        (REGISTRATION_STAFF, False, True),
        (ORGANIZERS, False, True),
        ("superuser", False, True),
        (REGISTRATION_STAFF, True, False),
        (ORGANIZERS, True, False),
        ("superuser", True, False),
    ],
)
def test_roles_everyone_who_reads_personal_data_needs_two_factor(settings, role, with_totp, needs_setup):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    user = _account(role, with_totp=with_totp)

    assert needs_two_factor_setup(user) is needs_setup


def test_roles_the_demo_setting_turns_two_factor_off_for_everyone(settings):
    settings.FORUM_STAFF_MFA_REQUIRED = False

    assert [
        needs_two_factor_setup(_account(role, with_totp=False)) for role in (REGISTRATION_STAFF, ORGANIZERS)
    ] == [
        False,
        False,
    ]


def _staff_link(client, user) -> bool:
    """Whether the site header offers this account the staff area."""
    client.force_login(user)
    return f'href="{reverse("staff:home")}"' in client.get(reverse("events:list")).content.decode()


def test_roles_header_offers_the_staff_area_only_to_those_it_answers(client):
    EventFactory()
    # One after the other, so a cached header made for one kind of account would show to the next.
    offered = {
        role: _staff_link(client, _account(role))
        for role in (REGISTRATION_STAFF, "staff flag only", "delegate", ORGANIZERS)
    }

    assert offered == {
        REGISTRATION_STAFF: True,
        "staff flag only": False,
        "delegate": False,
        ORGANIZERS: True,
    }
    assert client.get(reverse("staff:home")).status_code == 200  # the organizer, last signed in
    client.force_login(_account("staff flag only"))
    assert client.get(reverse("staff:home")).status_code == 404


@pytest.mark.parametrize(("role", "links_import"), [(REGISTRATION_STAFF, False), (ORGANIZERS, True)])
def test_roles_staff_pages_link_the_import_only_for_organizers(client, role, links_import):
    event = EventFactory()
    client.force_login(_account(role))
    import_url = reverse("staff:import", args=[event.slug])

    pages = [reverse("staff:home"), reverse("staff:registrations", args=[event.slug])]

    assert [import_url in client.get(page).content.decode() for page in pages] == [links_import] * 2


def _signed_in_without_totp(client, group_name: str, *, with_recovery_codes: bool = False):
    """A staff member with a verified address who signs in with the password (no TOTP yet)."""
    user = staff_member(group_name, with_totp=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if with_recovery_codes:
        RecoveryCodes.activate(user)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    return user


def _enrol_totp(client):
    """Set up TOTP on allauth's own pages (the password again, then the code an app would show)."""
    activate = reverse("mfa_activate_totp")
    reauthenticated = client.post(
        f"{reverse('account_reauthenticate')}?next={activate}", {"password": "correct horse battery staple"}
    )
    assert reauthenticated["Location"] == activate
    secret = client.get(activate).context["form"].secret
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:  # only the current period's code is accepted
        time.sleep(2)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // period))
    return client.post(reverse("mfa_activate_totp"), {"code": code})


def test_roles_staff_without_totp_set_it_up_see_their_recovery_codes_then_get_their_export(client, settings):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    event = EventFactory()
    user = _signed_in_without_totp(client, REGISTRATION_STAFF)
    # Exports are POSTs from the list: the list is where the staff member is sent back to.
    wanted = f"{reverse('staff:registrations', args=[event.slug])}?status=approved"

    turned_away = client.get(wanted)
    activated = _enrol_totp(client)
    codes_page = client.get(activated["Location"]).content.decode()
    back = client.post(reverse("staff:export_csv", args=[event.slug]), {"status": "approved"})

    assert turned_away["Location"] == reverse("mfa_activate_totp")
    assert activated["Location"] == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    assert 'id="recovery_codes"' in codes_page
    assert f'<a class="btn btn-primary" href="{wanted}">' in codes_page
    assert (back.status_code, back["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert list(AuditEntry.objects.values_list("action", "actor")) == [("export", user.pk)]
    # Arrived: the link back is not offered again.
    assert wanted not in client.get(reverse("mfa_view_recovery_codes")).content.decode()


def test_roles_organizers_with_recovery_codes_already_go_straight_back_after_setting_up_totp(
    client, settings
):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    event = EventFactory()
    _signed_in_without_totp(client, ORGANIZERS, with_recovery_codes=True)
    import_page = reverse("staff:import", args=[event.slug])

    turned_away = client.get(import_page)
    activated = _enrol_totp(client)

    assert turned_away["Location"] == reverse("mfa_activate_totp")
    assert activated["Location"] == import_page
    assert client.get(import_page).status_code == 200


@pytest.mark.parametrize(
    ("referer", "back_to"),
    [
        (
            "http://testserver/staff/{slug}/registrations/?status=approved",
            "/staff/{slug}/registrations/?status=approved",
        ),
        ("https://elsewhere.example.org/staff/", "/staff/"),
        ("", "/staff/"),
    ],
)
def test_roles_a_turned_away_form_comes_back_to_the_page_it_was_on(client, settings, referer, back_to):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    event = EventFactory()
    _signed_in_without_totp(client, ORGANIZERS, with_recovery_codes=True)

    turned_away = client.post(
        reverse("staff:save_preset", args=[event.slug]),
        {"name": "Mine"},
        headers={"referer": referer.format(slug=event.slug)} if referer else {},
    )
    activated = _enrol_totp(client)

    assert turned_away["Location"] == reverse("mfa_activate_totp")
    assert activated["Location"] == back_to.format(slug=event.slug)
    assert not ExportPreset.objects.exists()  # the form turned away saved nothing


@pytest.mark.parametrize(
    ("required", "said"),
    [
        (True, "Staff must set up two-factor authentication (TOTP) before /staff/ and /admin/."),
        (False, "Two-factor authentication is NOT required of staff in this local demo"),
    ],
)
def test_roles_demo_accounts_say_whether_two_factor_is_required(settings, capsys, required, said):
    settings.FORUM_STAFF_MFA_REQUIRED = required

    call_command("create_demo_accounts")

    assert said in capsys.readouterr().out
