"""The staff dashboard: its figures equal counts made here, in a constant number of queries."""

import datetime

import pytest
from django.urls import reverse

from delegates import services
from delegates.models import CheckIn
from delegates.roles import REGISTRATION_STAFF

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
    return open_event(in_person_capacity=2)


def register(event, country, mode="in_person", sub_forums=()):
    data = registration_data(mode=mode, category="media" if country == "CN" else "government")
    if mode == "in_person":
        start = datetime.datetime.combine(event.start_on, datetime.time(9), tzinfo=event.tz)
        data = data.replace(arrival_at=start, departure_at=start + datetime.timedelta(days=2))
    user = ProfileFactory(country=country).user
    return services.submit_registration(event=event, user=user, details=data, sub_forums=list(sub_forums))


def rows(bars):
    return {row["label"]: row["count"] for row in bars if row["count"]}


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_figures_equal_the_counts(client, event, django_assert_num_queries, count):
    room = SubForumFactory(event=event, title="BeiDou", in_person_capacity=1)
    made = [register(event, "KZ", sub_forums=[room]) for _ in range(count)] + [
        register(event, "CN", mode="online")
    ]
    services.approve_registration(registration=made[0], actor=UserFactory(is_staff=True))
    CheckIn.objects.create(registration=made[0])
    client.force_login(staff_member(REGISTRATION_STAFF))
    with django_assert_num_queries(15):  # the edition's delegations are one of them
        context = client.get(reverse("staff:dashboard", args=["forum"])).context
    in_person_held = min(count, 2)
    assert context["total"] == count + 1
    assert rows(context["by_country"]) == {"Kazakhstan": count, "China": 1}
    assert rows(context["by_mode"]) == {"In person": count, "Online": 1}
    assert rows(context["by_category"]) == {"Government delegation": count, "Media": 1}
    expected_status = {
        "Approved": 1,
        "Pending approval": in_person_held,
        "On the waiting list": count - in_person_held,
    }
    assert rows(context["by_status"]) == {label: n for label, n in expected_status.items() if n}
    assert context["seats"][0][1:3] == (in_person_held, "2")
    assert context["seats"][2][:3] == ("BeiDou", 1, "1")
    assert sum(row["count"] for row in context["check_ins"]) == 1


def test_dashboard_is_404_for_delegates(client, event):
    client.force_login(ProfileFactory().user)
    assert client.get(reverse("staff:dashboard", args=["forum"])).status_code == 404
