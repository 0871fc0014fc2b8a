"""The organizers' admin for delegations: list with members against quotas, search, validation,
the edition's page, cloning, and who may do what."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.models import Delegation
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.models import Event

from .factories import (
    DelegationFactory,
    EventFactory,
    ProfileFactory,
    RegistrationFactory,
    UserFactory,
    staff_member,
)

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:delegates_delegation_changelist")


@pytest.fixture
def organizer(client):
    """An organizer signed in to the admin."""
    user = staff_member(ORGANIZERS)
    client.force_login(user)
    return user


def _members(delegation, mode, statuses):
    """Registrations of the delegation's edition in this mode, one per status."""
    return [
        RegistrationFactory(event=delegation.event, delegation=delegation, mode=mode, status=status)
        for status in statuses
    ]


def _form(**values):
    """The add form as an organizer fills it in."""
    data = {
        "name_en": "Kazakhstan",
        "name_ru": "Казахстан",
        "name_zh_hans": "哈萨克斯坦",
        "kind": "government",
        "country": "KZ",
        "protocol_order": "2",
        "quota_in_person": "15",
        "quota_online": "5",
        "notes": "",
    }
    return {**data, **values}


def test_the_list_shows_members_against_each_quota(client, organizer):
    delegation = DelegationFactory(quota_in_person=15, quota_online=None)
    _members(delegation, "in_person", ["approved", "pending", "waitlisted", "cancelled", "rejected"])
    _members(delegation, "online", ["approved", "approved"])
    delegation.focal_points.add(UserFactory(email="focal@example.org"))

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    row = response.content.decode()
    assert "3 / 15" in row  # cancelled and rejected members hold no place in the quota
    assert ">2<" in row  # online: no quota, just the count
    assert "focal@example.org" in row


def test_the_list_costs_the_same_queries_for_one_or_many_delegations(client, organizer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    event = EventFactory()
    first = DelegationFactory(event=event)
    _members(first, "in_person", ["approved"])
    first.focal_points.add(UserFactory())
    one = queries()
    for _index in range(4):
        more = DelegationFactory(event=event)
        _members(more, "online", ["approved", "pending"])
        more.focal_points.add(UserFactory(), UserFactory())

    assert queries() == one


@pytest.mark.parametrize(
    ("term", "found"),
    [("Каз", {"Kazakhstan"}), ("哈萨克", {"Kazakhstan"}), ("kaza", {"Kazakhstan"}), ("UZ", {"Uzbekistan"})],
)
def test_search_finds_a_name_in_any_language_and_a_country(client, organizer, term, found):
    event = EventFactory()
    DelegationFactory(event=event, name_en="Kazakhstan", name_ru="Казахстан", name_zh_hans="哈萨克斯坦")
    DelegationFactory(event=event, name_en="Uzbekistan", country="UZ")

    response = client.get(CHANGELIST, {"q": term})

    assert {d.name_en for d in response.context["cl"].result_list} == found


def test_search_finds_a_country_by_its_name(client, organizer):
    DelegationFactory(name_en="Ministry delegation", country="TJ")
    DelegationFactory(name_en="Other", country="KZ")

    response = client.get(CHANGELIST, {"q": "tajik"})

    assert [d.name_en for d in response.context["cl"].result_list] == ["Ministry delegation"]


def test_an_organizer_adds_a_delegation_with_names_in_three_languages(client, organizer):
    event = EventFactory()
    focal_point = UserFactory()

    response = client.post(
        reverse("admin:delegates_delegation_add"), _form(event=event.pk, focal_points=[focal_point.pk])
    )

    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.name_ru, delegation.name_zh_hans, delegation.quota_in_person) == (
        "Казахстан",
        "哈萨克斯坦",
        15,
    )
    assert list(delegation.focal_points.all()) == [focal_point]


def test_a_government_without_a_country_is_refused(client, organizer):
    event = EventFactory()

    response = client.post(reverse("admin:delegates_delegation_add"), _form(event=event.pk, country=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["country"] == [
        "A government's delegation needs a country."
    ]
    assert not Delegation.objects.exists()


def test_an_international_organization_needs_no_country(client, organizer):
    event = EventFactory()

    response = client.post(
        reverse("admin:delegates_delegation_add"),
        _form(event=event.pk, country="", kind="international", name_en="International organizations"),
    )

    assert response.status_code == 302
    assert Delegation.objects.get().kind == "international"


def test_the_head_is_chosen_among_the_delegations_members(client, organizer):
    delegation = DelegationFactory()
    member = RegistrationFactory(event=delegation.event, delegation=delegation, user=ProfileFactory().user)
    stranger = RegistrationFactory(event=delegation.event)
    url = reverse("admin:delegates_delegation_change", args=[delegation.pk])

    offered = client.get(url).context["adminform"].form.fields["head"].queryset
    refused = client.post(url, _form(head=stranger.pk))
    accepted = client.post(url, _form(head=member.pk))

    assert list(offered) == [member]
    assert "head" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    delegation.refresh_from_db()
    assert delegation.head == member


def test_the_model_refuses_a_head_from_another_delegation():
    delegation = DelegationFactory()
    other = DelegationFactory(event=delegation.event)
    delegation.head = RegistrationFactory(event=delegation.event, delegation=other)

    with pytest.raises(ValidationError) as refused:
        delegation.full_clean()

    assert refused.value.message_dict["head"] == ["The head of delegation must be one of its members."]


def test_an_organizer_looks_focal_points_up_by_email(client, organizer):
    UserFactory(email="focal.kz@example.org")

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "delegates",
            "model_name": "delegation",
            "field_name": "focal_points",
            "term": "focal.kz",
        },
    )

    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["focal.kz@example.org"]


def test_account_lookups_for_other_fields_stay_closed_to_organizers(client, organizer):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "delegates", "model_name": "registration", "field_name": "user", "term": "a"},
    )

    assert response.status_code == 403


def test_the_editions_page_lists_its_delegations_against_quotas(client, organizer):
    delegation = DelegationFactory(name_en="Kyrgyzstan", quota_in_person=4, quota_online=2)
    _members(delegation, "online", ["approved"])
    DelegationFactory(name_en="Elsewhere")

    response = client.get(reverse("admin:events_event_change", args=[delegation.event.pk]))

    page = response.content.decode()
    assert reverse("admin:delegates_delegation_change", args=[delegation.pk]) in page
    assert "Kyrgyzstan</a>: 0 / 4 · 1 / 2" in page
    assert "Elsewhere" not in page
    assert f"?event__id__exact={delegation.event.pk}" in page


def test_cloning_an_edition_copies_its_delegations_without_members(client):
    client.force_login(staff_member(ORGANIZERS))
    source = EventFactory(start_on=datetime.date(2031, 10, 20), end_on=datetime.date(2031, 10, 22))
    focal_point = UserFactory()
    delegation = DelegationFactory(
        event=source, name_en="China", name_ru="Китай", country="CN", protocol_order=1, quota_in_person=20
    )
    delegation.focal_points.add(focal_point)
    member = RegistrationFactory(event=source, delegation=delegation)
    Delegation.objects.filter(pk=delegation.pk).update(head=member)

    client.post(
        reverse("admin:events_event_changelist"),
        {
            "action": "clone_selected",
            "_selected_action": [source.pk],
            "apply": "1",
            "start_on": "2032-10-20",
            "edition_number": "9",
            "slug": "ninth",
        },
    )

    copy = Event.objects.get(slug="ninth").delegations.get()
    assert copy.pk != delegation.pk
    assert (copy.name_ru, copy.country.code, copy.protocol_order, copy.quota_in_person) == (
        "Китай",
        "CN",
        1,
        20,
    )
    assert list(copy.focal_points.all()) == [focal_point]
    assert copy.head is None
    assert not copy.members.exists()
    assert Delegation.objects.get(pk=delegation.pk).members.get() == member


@pytest.mark.parametrize(
    "codename", ["add_delegation", "change_delegation", "add_invitation", "change_invitation"]
)
def test_organizers_hold_the_delegation_and_invitation_permissions(codename):
    assert Group.objects.get(name=ORGANIZERS).permissions.filter(codename=codename).exists()
    assert not Group.objects.get(name=REGISTRATION_STAFF).permissions.filter(codename=codename).exists()


def test_registration_staff_cannot_open_the_delegations(client):
    client.force_login(staff_member(REGISTRATION_STAFF))

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize("focal_point", ["\x00", "abc", "\u0b72\u247b", "12345678901234567890123"])
def test_a_focal_point_that_cannot_be_an_account_is_a_form_error(client, organizer, focal_point):
    event = EventFactory()

    response = client.post(
        reverse("admin:delegates_delegation_add"), _form(event=event.pk, focal_points=[focal_point])
    )

    assert response.status_code == 200
    assert "focal_points" in response.context["adminform"].form.errors
    assert not Delegation.objects.exists()


def test_a_cancelled_member_cannot_be_the_head(client, organizer):
    delegation = DelegationFactory()
    member = RegistrationFactory(event=delegation.event, delegation=delegation, user=ProfileFactory().user)
    cancelled = RegistrationFactory(
        event=delegation.event, delegation=delegation, user=ProfileFactory().user, status="cancelled"
    )
    url = reverse("admin:delegates_delegation_change", args=[delegation.pk])

    offered = client.get(url).context["adminform"].form.fields["head"].queryset
    refused = client.post(url, _form(head=cancelled.pk))
    delegation.head = cancelled
    with pytest.raises(ValidationError) as model_refusal:
        delegation.full_clean()

    assert list(offered) == [member]
    assert "head" in refused.context["adminform"].form.errors
    assert model_refusal.value.message_dict["head"] == [
        "The head of delegation cannot be a cancelled or rejected member."
    ]
    assert Delegation.objects.get().head is None
