import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from delegates.models import new_badge_token, new_invitation_code
from events.models import Event, ordinal

from .factories import EventFactory, ExhibitFactory, SubForumFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_sub_forum_ending_before_it_starts_is_refused_by_the_database():
    sub_forum = SubForumFactory()
    sub_forum.ends_at = sub_forum.starts_at - datetime.timedelta(minutes=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        sub_forum.save()


def test_sub_forum_slug_is_unique_per_edition_only():
    first = SubForumFactory(slug="beidou")
    SubForumFactory(slug="beidou")  # another edition may reuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        SubForumFactory(event=first.event, slug="beidou")


def test_exhibit_slug_is_unique_per_edition():
    exhibit = ExhibitFactory(slug="bds")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExhibitFactory(event=exhibit.event, slug="bds")


def test_negative_capacity_is_refused_by_the_database():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(in_person_capacity=-1)
    sub_forum = SubForumFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(sub_forum).objects.filter(pk=sub_forum.pk).update(in_person_capacity=-5)


def test_edition_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(start_on=datetime.date(2031, 10, 17), end_on=datetime.date(2031, 10, 15))


def test_registration_window_must_close_after_it_opens():
    opens = datetime.datetime(2031, 9, 1, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(registration_opens_at=opens, registration_closes_at=opens)


def test_sub_forum_outside_its_edition_days_is_invalid():
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    sub_forum = SubForumFactory.build(
        event=event,
        starts_at=datetime.datetime(2031, 10, 18, 0, 30, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 18, 2, 0, tzinfo=SHANGHAI),
    )
    with pytest.raises(ValidationError) as error:
        sub_forum.full_clean()
    assert "between" in str(error.value)


def test_sub_forum_on_the_last_evening_in_local_time_is_valid():
    # 23:00 to 23:59 on the last day in Lanzhou is 15:00 UTC: inside the edition.
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    sub_forum = SubForumFactory.build(
        event=event,
        starts_at=datetime.datetime(2031, 10, 17, 23, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2031, 10, 17, 23, 59, tzinfo=SHANGHAI),
    )
    sub_forum.full_clean()


def test_unknown_time_zone_is_invalid():
    event = EventFactory.build(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time_zone" in error.value.message_dict


def test_published_hides_drafts():
    draft = EventFactory(status=Event.Status.DRAFT)
    published = EventFactory(status=Event.Status.PUBLISHED)
    archived = EventFactory(status=Event.Status.ARCHIVED)
    assert set(Event.objects.published()) == {published, archived}
    assert draft not in Event.objects.published()


def test_upcoming_lists_editions_not_yet_over_soonest_first():
    today = datetime.date(2031, 6, 1)
    EventFactory(start_on=datetime.date(2031, 5, 1), end_on=datetime.date(2031, 5, 3))
    later = EventFactory(start_on=datetime.date(2032, 5, 1), end_on=datetime.date(2032, 5, 3))
    running = EventFactory(start_on=datetime.date(2031, 5, 30), end_on=datetime.date(2031, 6, 1))
    sooner = EventFactory(start_on=datetime.date(2031, 9, 1), end_on=datetime.date(2031, 9, 3))
    assert list(Event.objects.upcoming(today)) == [running, sooner, later]


def test_current_is_next_upcoming_published_else_latest():
    today = datetime.date(2031, 6, 1)
    past = EventFactory(start_on=datetime.date(2030, 5, 1), end_on=datetime.date(2030, 5, 3))
    older = EventFactory(start_on=datetime.date(2029, 5, 1), end_on=datetime.date(2029, 5, 3))
    assert Event.objects.current(today) == past
    EventFactory(
        status=Event.Status.DRAFT, start_on=datetime.date(2031, 7, 1), end_on=datetime.date(2031, 7, 2)
    )
    assert Event.objects.current(today) == past
    upcoming = EventFactory(start_on=datetime.date(2031, 9, 1), end_on=datetime.date(2031, 9, 3))
    assert Event.objects.current(today) == upcoming
    assert older != Event.objects.current(today)


def test_registration_state_follows_the_window():
    event = EventFactory(
        registration_opens_at=datetime.datetime(2031, 8, 1, tzinfo=datetime.UTC),
        registration_closes_at=datetime.datetime(2031, 10, 1, tzinfo=datetime.UTC),
    )
    assert event.registration_state(datetime.datetime(2031, 7, 1, tzinfo=datetime.UTC)) == "not_yet"
    assert event.registration_state(datetime.datetime(2031, 9, 1, tzinfo=datetime.UTC)) == "open"
    assert event.registration_state(datetime.datetime(2031, 10, 2, tzinfo=datetime.UTC)) == "closed"
    assert event.registration_state(datetime.datetime(2031, 10, 18, tzinfo=datetime.UTC)) == "past"


def test_travel_window_defaults_to_three_days_either_side():
    event = EventFactory(start_on=datetime.date(2031, 10, 15), end_on=datetime.date(2031, 10, 17))
    assert event.travel_window() == (datetime.date(2031, 10, 12), datetime.date(2031, 10, 20))


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (8, "8th"), (11, "11th"), (12, "12th"), (22, "22nd")],
)
def test_ordinal(number, expected):
    assert ordinal(number) == expected


def test_invitation_codes_and_badge_tokens_never_start_like_a_spreadsheet_formula():
    """A leading "-" would be quoted in every export (formula guard) and copied with its quote."""
    tokens = [make() for make in (new_invitation_code, new_badge_token) for _ in range(2000)]

    assert not [token for token in tokens if not token[0].isalnum()]
    assert min(len(token) for token in tokens) == 32  # still 192 bits
