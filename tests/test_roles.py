import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import EventFactory, UserFactory, staff_member

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
            for model in ("profile", "registration", "subforumseat")
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
