"""Public pages keep a constant number of queries whatever the number of items (cold cache)."""

import datetime

import pytest
from django.urls import reverse

from delegates.roles import REGISTRATION_STAFF

from .factories import (
    AppearanceFactory,
    DelegationFactory,
    DocumentFactory,
    EventFactory,
    EventRoleFactory,
    ExhibitFactory,
    ProfileFactory,
    RegistrationFactory,
    SectorFactory,
    SubForumFactory,
    open_event,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def build():
    """An edition with `count` of each kind of item, speakers on every sub-forum."""

    def make(count):
        event = EventFactory(slug="forum")
        sector = SectorFactory(slug="health", name="Health")
        for _ in range(count):
            EventRoleFactory(event=event)
            sub_forum = SubForumFactory(event=event)
            AppearanceFactory(sub_forum=sub_forum)
            AppearanceFactory(sub_forum=sub_forum, role="moderator")
            ExhibitFactory(event=event, sectors=[sector], is_featured=True)
            DocumentFactory(event=event)
        return event

    return make


@pytest.mark.parametrize("count", [1, 3])
def test_programme_queries_are_constant(client, build, django_assert_num_queries, count):
    build(count)
    with django_assert_num_queries(3):
        response = client.get(reverse("events:programme", args=["forum"]))
    assert len([sf for _, day in response.context["days"]() for sf in day]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_speakers_queries_are_constant(client, build, django_assert_num_queries, count):
    build(count)
    with django_assert_num_queries(3):
        response = client.get(reverse("events:speakers", args=["forum"]))
    assert len(response.context["speakers"]) == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_exhibits_queries_are_constant(client, build, django_assert_num_queries, count):
    build(count)
    with django_assert_num_queries(6):
        response = client.get(
            reverse("events:exhibits", args=["forum"]), {"sector": "health", "country": "CN"}
        )
    assert response.content.decode().count('class="exhibit-title"') == count


@pytest.mark.parametrize("count", [1, 3])
def test_edition_home_queries_are_constant(client, build, django_assert_num_queries, count):
    build(count)
    with django_assert_num_queries(7):
        response = client.get(reverse("events:detail", args=["forum"]))
    assert len(response.context["sub_forums"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_queries_are_constant(client, build, django_assert_num_queries, count):
    build(count)
    with django_assert_num_queries(3):
        response = client.get(reverse("events:programme_ics", args=["forum"]))
    assert response.content.count(b"BEGIN:VEVENT") == count


@pytest.mark.parametrize("count", [1, 3])
def test_edition_list_queries_are_constant(client, django_assert_num_queries, count):
    for number in range(count):
        EventFactory(
            slug=f"edition-{number}", start_on=datetime.date(2099, 5, 1), end_on=datetime.date(2099, 5, 3)
        )
    with django_assert_num_queries(2):
        response = client.get(reverse("events:list"))
    assert len(response.context["upcoming"]) == count


def test_cached_pages_skip_their_queries_until_the_programme_changes(
    client, build, django_assert_num_queries
):
    build(3)
    urls = [
        reverse(name, args=["forum"]) for name in ["events:detail", "events:programme", "events:speakers"]
    ]
    for url in urls:
        client.get(url)
    with django_assert_num_queries(3):  # one lookup of the edition per page, nothing else
        for url in urls:
            client.get(url)


def test_exhibit_page_reads_its_sectors_only_until_cached(client, django_assert_num_queries):
    event = EventFactory(slug="forum")
    exhibit = ExhibitFactory(event=event, sectors=[SectorFactory(), SectorFactory()])
    url = reverse("events:exhibit", args=["forum", exhibit.slug])

    with django_assert_num_queries(3):  # the edition, the exhibit with its exhibitor, its sectors
        assert len(client.get(url).context["sectors"]) == 2
    with django_assert_num_queries(2):  # cached: the sectors are not read again
        client.get(url)


@pytest.fixture
def delegations():
    """An open edition with `count` delegations of `count` approved in-person members each, and one
    person of no delegation; the staff member looking is signed in by the test."""

    def make(count):
        event = open_event()
        for number in range(count):
            delegation = DelegationFactory(event=event, protocol_order=number)
            for _ in range(count):
                user = ProfileFactory(honorific="he").user
                RegistrationFactory(
                    event=event, user=user, delegation=delegation, status="approved", mode="in_person"
                )
            delegation.head = delegation.members.first()
            delegation.save()
        RegistrationFactory(event=event, user=ProfileFactory().user, status="approved", mode="in_person")
        return event

    return make


@pytest.mark.parametrize("count", [1, 3])
def test_staff_list_by_delegation_queries_are_constant(client, delegations, django_assert_num_queries, count):
    delegations(count)
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(14):
        response = client.get(reverse("staff:registrations", args=["forum"]), {"sort": "delegation"})
    assert len(response.context["page_obj"]) == count * count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_by_delegation_queries_are_constant(client, delegations, django_assert_num_queries, count):
    delegations(count)
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(16):
        response = client.get(reverse("staff:dashboard", args=["forum"]))
    assert len(response.context["by_delegation"]) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_protocol_list_queries_are_constant(client, delegations, django_assert_num_queries, count):
    delegations(count)
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(8):
        response = client.get(reverse("staff:protocol", args=["forum"]))
    assert sum(len(entry.members) for entry in response.context["entries"]) == count * count
    with django_assert_num_queries(9):
        client.post(reverse("staff:protocol_xlsx", args=["forum"]))


@pytest.mark.parametrize("count", [1, 3])
def test_desk_search_with_delegations_queries_are_constant(
    client, delegations, django_assert_num_queries, count
):
    delegations(count)
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(10):
        response = client.get(reverse("staff:check_in", args=["forum"]), {"q": "Delegate"})
    assert len(response.context["results"]) == count * count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_delegation_page_queries_are_constant(client, django_assert_num_queries, count):
    from delegates import services
    from delegates.models import Delegation

    from .factories import ProfileFactory, open_event, registration_data

    event = open_event(requires_approval=False)
    sub_forums = [SubForumFactory(event=event, in_person_capacity=1) for _ in range(2)]
    focal_point = ProfileFactory().user
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ")
    delegation.focal_points.add(focal_point)
    for number in range(count):
        member = services.add_delegation_member(
            delegation=delegation,
            actor=focal_point,
            email=f"member{number}@mfa.kz",
            profile=ProfileFactory.build(user=None),
            details=registration_data(event, mode="in_person", consent_version=""),
            sub_forums=sub_forums,
        )
        services.check_in(event=event, actor=focal_point, registration_id=member.pk)
    client.force_login(focal_point)
    with django_assert_num_queries(8):  # 7, and the members' visa letters
        response = client.get(reverse("delegates:delegation", args=[delegation.pk]))
    assert len(response.context["members"]) == count
    assert response.content.decode().count("Checked in ") == count
