"""The check-in desk: admit once, refuse with the reason, count as people come in."""

import datetime

import pytest
from django.urls import reverse

from delegates import services
from delegates.models import AuditEntry, CheckIn
from delegates.roles import REGISTRATION_STAFF

from .concurrency import run_together
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
    return open_event()


def registered(event, *, mode="in_person", approve=True, sub_forums=()):
    """A delegate's registration, approved unless told otherwise."""
    data = registration_data(mode=mode)
    if mode == "in_person":
        start = datetime.datetime.combine(event.start_on, datetime.time(9), tzinfo=event.tz)
        data = data.replace(arrival_at=start, departure_at=start + datetime.timedelta(days=2))
    registration = services.submit_registration(
        event=event,
        user=ProfileFactory(given_name_latin="Aigerim").user,
        details=data,
        sub_forums=list(sub_forums),
    )
    if approve:
        services.approve_registration(registration=registration, actor=UserFactory(is_staff=True))
    return registration


def scan(client, token="", point="", registration=""):
    """Post a scan as the desk's script does and return the JSON answer."""
    response = client.post(
        reverse("staff:check_in", args=["forum"]),
        {"token": token, "point": point, "registration": registration},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    return response.json()


def test_a_badge_is_admitted_once_and_the_second_scan_says_when_and_by_whom(client, event):
    registration = registered(event)
    registered(event)
    staff = staff_member(REGISTRATION_STAFF)
    client.force_login(staff)
    first = scan(client, registration.badge_token)
    assert (first["admitted"], first["code"], first["counts"]) == (
        True,
        "admitted",
        {"admitted": 1, "expected": 2},
    )
    assert first["person"]["name_latin"].startswith("Aigerim")
    second = scan(client, registration.badge_token)
    assert (second["admitted"], second["code"]) == (False, "already")
    assert staff.email in second["message"] and "Already admitted at" in second["message"]
    assert f"({event.time_zone}, UTC" in second["message"]  # the time says in which zone it is
    assert second["counts"] == {"admitted": 1, "expected": 2}
    assert CheckIn.objects.count() == 1
    assert AuditEntry.objects.filter(action="checked_in", actor=staff).count() == 1


def test_refusals_say_why(client, event):
    pending = registered(event, approve=False)
    online = registered(event, mode="online")
    cancelled = registered(event)
    services.cancel_registration(registration=cancelled, actor=UserFactory(is_staff=True))
    rejected = registered(event)
    services.reject_registration(registration=rejected, actor=UserFactory(is_staff=True), reason="No.")
    reissued = registered(event)
    old_token = reissued.badge_token
    services.reissue_badge(registration=reissued, actor=UserFactory(is_staff=True))
    event.in_person_capacity = event.registrations.filter(
        mode="in_person", status__in=["pending", "approved"]
    ).count()
    event.save()
    waitlisted = registered(event, approve=False)
    client.force_login(staff_member(REGISTRATION_STAFF))
    codes = {
        name: scan(client, token)["code"]
        for name, token in [
            ("pending", pending.badge_token),
            ("waitlisted", waitlisted.badge_token),
            ("online", online.badge_token),
            ("cancelled", cancelled.badge_token),
            ("rejected", rejected.badge_token),
            ("reissued", old_token),
            ("unknown", "not-a-token"),
        ]
    }
    assert codes == {
        "pending": "not_approved",
        "waitlisted": "waitlisted",
        "online": "online",
        "cancelled": "cancelled",
        "rejected": "rejected",
        "reissued": "unknown",
        "unknown": "unknown",
    }
    assert CheckIn.objects.count() == 0
    assert scan(client, reissued.badge_token)["admitted"] is True


def test_sub_forum_check_in_needs_a_confirmed_seat_and_is_separate_from_the_entrance(client, event):
    room = SubForumFactory(event=event, title="BeiDou")
    seated = registered(event, sub_forums=[room])
    elsewhere = registered(event)
    client.force_login(staff_member(REGISTRATION_STAFF))
    assert scan(client, seated.badge_token)["admitted"] is True
    answer = scan(client, seated.badge_token, point=room.pk)
    assert (answer["admitted"], answer["counts"]) == (True, {"admitted": 1, "expected": 1})
    assert scan(client, elsewhere.badge_token, point=room.pk)["code"] == "no_seat"
    assert set(CheckIn.objects.values_list("registration", "sub_forum")) == {
        (seated.pk, None),
        (seated.pk, room.pk),
    }


def test_admit_by_name_search_without_javascript(client, event):
    registration = registered(event)
    client.force_login(staff_member(REGISTRATION_STAFF))
    page = client.get(reverse("staff:check_in", args=["forum"]), {"q": "aigerim"}).content.decode()
    assert f'name="registration" value="{registration.pk}"' in page
    response = client.post(reverse("staff:check_in", args=["forum"]), {"registration": registration.pk})
    assert "Admitted" in response.content.decode()
    assert CheckIn.objects.get().registration == registration


def test_the_desk_is_404_for_delegates(client, event):
    client.force_login(ProfileFactory().user)
    assert client.get(reverse("staff:check_in", args=["forum"])).status_code == 404
    assert client.post(reverse("staff:check_in", args=["forum"]), {"token": "x"}).status_code == 404
    assert client.get(reverse("staff:check_in_counts", args=["forum"])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_scans_of_one_badge_admit_once(event):
    registration = registered(event)
    staff = staff_member(REGISTRATION_STAFF)
    outcomes = []

    def job():
        outcomes.append(services.check_in(event=event, actor=staff, token=registration.badge_token))

    errors = run_together([job] * 20, threads=20)

    assert errors == []
    assert sorted(outcome.code for outcome in outcomes) == ["admitted"] + ["already"] * 19
    assert CheckIn.objects.count() == 1


def test_desk_counts_follow_admissions_and_seats(client, event):
    room = SubForumFactory(event=event, in_person_capacity=1)
    seated = registered(event, sub_forums=[room])
    waiting = registered(event, sub_forums=[room])  # approved, but its room seat waits
    client.force_login(staff_member(REGISTRATION_STAFF))
    counts_url = reverse("staff:check_in_counts", args=["forum"])
    assert client.get(counts_url).json() == {"admitted": 0, "expected": 2}
    assert client.get(counts_url, {"point": room.pk}).json() == {"admitted": 0, "expected": 1}
    scan(client, seated.badge_token)
    scan(client, waiting.badge_token)
    scan(client, seated.badge_token, point=room.pk)
    assert client.get(counts_url).json() == {"admitted": 2, "expected": 2}
    assert client.get(counts_url, {"point": room.pk}).json() == {"admitted": 1, "expected": 1}


DESK_VERDICTS = {
    "en": [
        "Admitted.",
        "Already admitted at",
        "Refused: Not approved yet: send them to the registration desk.",
    ],
    "ru": [
        "Допущен(а).",
        "Уже допущен(а) в",
        "Отказано в допуске: Регистрация ещё не одобрена: направьте участника на стойку регистрации.",
    ],
    "zh-hans": ["已准入。", "已于", "不予准入：报名尚未获批：请引导其前往报名处。"],
}


def desk_verdict(response) -> str:
    """The verdict line the desk's page shows after a scan without JavaScript."""
    page = response.content.decode()
    return page.split('<p class="fs-4 fw-bold mb-1">', 1)[1].split("</p>", 1)[0].strip()


@pytest.mark.parametrize("language", sorted(DESK_VERDICTS))
def test_the_desk_says_its_verdict_once_in_each_language(client, event, language):
    admitted, already, not_approved = DESK_VERDICTS[language]
    registration = registered(event)
    pending = registered(event, approve=False)
    client.force_login(staff_member(REGISTRATION_STAFF))
    client.cookies["django_language"] = language
    url = reverse("staff:check_in", args=["forum"])
    assert desk_verdict(client.post(url, {"token": registration.badge_token})) == admitted
    again = desk_verdict(client.post(url, {"token": registration.badge_token}))
    assert again.startswith(already)  # not "Refused: Already admitted"
    assert desk_verdict(client.post(url, {"token": pending.badge_token})) == not_approved
    assert scan(client, pending.badge_token)["verdict"] == not_approved  # what the desk's script shows
