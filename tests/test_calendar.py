import datetime
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from .factories import AppearanceFactory, EventFactory, SubForumFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def fetch_calendar(client, slug):
    """GET the feed and parse it back."""
    response = client.get(reverse("events:programme_ics", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_calendar_has_one_event_per_sub_forum_in_the_editions_time_zone(client):
    event = EventFactory(slug="forum", venue="Expo Centre", city="Lanzhou")
    first = SubForumFactory(
        event=event,
        title="Opening ceremony",
        room="Main hall",
        starts_at=datetime.datetime(2031, 10, 15, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 15, 10, 30, tzinfo=SHANGHAI),
    )
    AppearanceFactory(sub_forum=first, speaker__name_latin="Vladimir Norov", role="keynote")
    second = SubForumFactory(
        event=event,
        title="Green Development Forum",
        starts_at=datetime.datetime(2031, 10, 16, 1, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 10, 16, 4, 0, tzinfo=datetime.UTC),
    )
    SubForumFactory(title="Other edition")

    calendar = fetch_calendar(client, "forum")
    entries = sorted(calendar.walk("VEVENT"), key=lambda entry: entry.decoded("dtstart"))

    assert [str(entry["summary"]) for entry in entries] == ["Opening ceremony", "Green Development Forum"]
    starts = [entry.decoded("dtstart") for entry in entries]
    assert starts == [
        datetime.datetime(2031, 10, 15, 9, 0, tzinfo=SHANGHAI),
        datetime.datetime(2031, 10, 16, 9, 0, tzinfo=SHANGHAI),
    ]
    assert [entry["dtstart"].params["TZID"] for entry in entries] == ["Asia/Shanghai", "Asia/Shanghai"]
    assert entries[0].decoded("dtend") == datetime.datetime(2031, 10, 15, 10, 30, tzinfo=SHANGHAI)
    assert str(entries[0]["location"]) == "Main hall, Expo Centre, Lanzhou"
    assert "Keynote: Vladimir Norov" in str(entries[0]["description"])
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert [str(entry["uid"]) for entry in entries] == [
        f"sub-forum-{first.pk}@forum-site.local",
        f"sub-forum-{second.pk}@forum-site.local",
    ]


def test_calendar_uids_are_stable_across_fetches_and_renames(client):
    event = EventFactory(slug="forum")
    sub_forum = SubForumFactory(event=event)
    before = [str(entry["uid"]) for entry in fetch_calendar(client, "forum").walk("VEVENT")]
    sub_forum.title = "Renamed"
    sub_forum.save()
    after = [str(entry["uid"]) for entry in fetch_calendar(client, "forum").walk("VEVENT")]
    assert before == after == [f"sub-forum-{sub_forum.pk}@forum-site.local"]


def test_calendar_says_when_a_time_or_a_speakers_session_is_sample(client):
    event = EventFactory(slug="forum")
    invented = SubForumFactory(event=event, title="Opening ceremony", is_sample=True)
    AppearanceFactory(
        sub_forum=invented, speaker__name_latin="Vladimir Norov", role="speaker", is_sample=True
    )
    SubForumFactory(event=event, title="Green Development Forum")

    entries = {str(entry["summary"]): entry for entry in fetch_calendar(client, "forum").walk("VEVENT")}
    chinese = client.get(
        reverse("events:programme_ics", args=["forum"]), headers={"accept-language": "zh-hans"}
    )

    assert str(entries["Opening ceremony"]["description"]).endswith(
        "Speaker: Vladimir Norov (sample)\n\nSample time and room, not the real programme."
    )
    assert "sample" not in str(entries["Green Development Forum"].get("description", "")).lower()
    descriptions = [
        str(entry.get("description", ""))
        for entry in icalendar.Calendar.from_ical(chinese.content).walk("VEVENT")
    ]
    assert "时间和会场为示例，并非真实议程。" in "".join(descriptions)


def test_calendar_of_a_sample_edition_says_so_in_every_entry(client):
    event = EventFactory(slug="forum", is_sample=True)
    SubForumFactory(event=event, title="Opening ceremony")

    (entry,) = fetch_calendar(client, "forum").walk("VEVENT")

    assert "Sample content: this edition is demonstration data, not a real forum." in str(
        entry["description"]
    )
