"""Every registration rule holds at the services, whoever calls them: each violating input gets its
coded error and writes nothing; the importer reports the same rules row by row."""

import datetime

import pytest
from django.utils import translation

from delegates import services
from delegates.imports import check_rows
from delegates.models import Registration

from .factories import EventFactory, ProfileFactory, SubForumFactory, UserFactory, registration_data

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2027, 2, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def event():
    """An edition from 2027-03-01 to 03-03 whose registration is open at NOW."""
    return EventFactory(
        start_on=datetime.date(2027, 3, 1),
        end_on=datetime.date(2027, 3, 3),
        registration_opens_at=NOW - datetime.timedelta(days=30),
        registration_closes_at=NOW + datetime.timedelta(days=20),
    )


def moment(event, day: datetime.date, hour=12):
    """A local time of the edition."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=event.tz)


def visa(event, **overrides):
    """Details asking for a visa letter with a passport that satisfies every rule."""
    values = {
        "wants_visa_letter": True,
        "passport_number": "N1234567",
        "passport_nationality": "KZ",
        "passport_birth_date": datetime.date(1980, 5, 1),
        "passport_expires_on": event.end_on + datetime.timedelta(days=400),
    }
    return {**values, **overrides}


def refused(event, *, user=None, sub_forums=(), now=NOW, imported=False, **details):
    """Submit through the service; return the error's code and field (and check nothing was written)."""
    before = Registration.objects.count()
    with pytest.raises(services.RegistrationError) as error:
        services.submit_registration(
            event=event,
            user=user or ProfileFactory().user,
            details=registration_data(event, **details),
            sub_forums=list(sub_forums),
            now=now,
            imported=imported,
        )
    assert Registration.objects.count() == before
    return error.value.code, error.value.field


@pytest.mark.parametrize(
    ("details", "code", "field"),
    [
        ({"mode": "by_pigeon"}, "mode_not_offered", "mode"),
        ({"category": "royalty"}, "category_unknown", "category"),
        ({"interpretation_language": "fr"}, "language_unknown", "interpretation_language"),
        ({"consent_version": ""}, "consent_missing", "consent_version"),
        ({"mode": "in_person", "arrival_at": None}, "travel_dates_missing", "arrival_at"),
    ],
)
def test_each_choice_and_duty_is_enforced_by_the_service(event, details, code, field):
    assert refused(event, **details) == (code, field)


def test_registration_outside_the_window_is_refused(event):
    assert refused(event, now=NOW + datetime.timedelta(days=21)) == ("registration_closed", None)


def test_an_account_without_profile_cannot_register(event):
    assert refused(event, user=UserFactory()) == ("profile_incomplete", None)


def test_an_incomplete_profile_cannot_register(event):
    user = ProfileFactory(family_name_latin="").user
    assert refused(event, user=user) == ("profile_incomplete", None)


@pytest.mark.parametrize(
    ("day", "field"),
    [
        (datetime.date(2027, 2, 25), "arrival_at"),  # the window opens three days before, on 02-26
        (datetime.date(2027, 3, 7), "departure_at"),  # and closes three days after, on 03-06
    ],
)
def test_travel_outside_the_window_is_refused(event, day, field):
    times = {
        "arrival_at": moment(event, datetime.date(2027, 2, 28)),
        "departure_at": moment(event, event.end_on),
    }
    times[field] = moment(event, day)
    assert refused(event, mode="in_person", **times) == ("outside_travel_window", field)


def test_departure_before_arrival_is_refused(event):
    assert refused(
        event,
        mode="in_person",
        arrival_at=moment(event, event.start_on, 18),
        departure_at=moment(event, event.start_on, 9),
    ) == ("departure_before_arrival", "departure_at")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"passport_number": ""}, "passport_missing", "passport_number"),
        ({"passport_number": "n 123"}, "passport_number_invalid", "passport_number"),
        ({"passport_nationality": "XX"}, "nationality_unknown", "passport_nationality"),
        ({"passport_birth_date": datetime.date(1890, 1, 1)}, "birth_date_invalid", "passport_birth_date"),
        (
            {"passport_expires_on": datetime.date(2027, 6, 1)},
            "passport_expires_too_soon",
            "passport_expires_on",
        ),
    ],
)
def test_each_passport_rule_is_enforced_by_the_service(event, overrides, code, field):
    assert refused(event, **visa(event, **overrides)) == (code, field)


def test_a_passport_valid_six_months_after_the_forum_is_accepted(event):
    registration = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(event, **visa(event, passport_expires_on=datetime.date(2027, 9, 2))),
        sub_forums=[],
        now=NOW,
    )
    assert Registration.objects.get(pk=registration.pk).passport_number == "N1234567"


def test_a_sub_forum_of_another_edition_is_refused(event):
    elsewhere = SubForumFactory(event=EventFactory())
    assert refused(event, sub_forums=[elsewhere]) == ("sub_forum_of_other_edition", "sub_forums")


@pytest.mark.parametrize(("mode", "offered"), [("online", "in_person"), ("in_person", "online")])
def test_a_sub_forum_that_does_not_offer_the_mode_is_refused(event, mode, offered):
    sub_forum = SubForumFactory(event=event, modes=offered)
    assert refused(event, mode=mode, sub_forums=[sub_forum]) == ("sub_forum_mode_not_offered", "sub_forums")


def test_every_broken_rule_is_reported_at_once(event):
    with pytest.raises(services.RegistrationError) as error:
        services.submit_registration(
            event=event,
            user=ProfileFactory().user,
            details=registration_data(
                mode="in_person", consent_version="", **visa(event, passport_number="")
            ),
            sub_forums=[],
            now=NOW,
        )
    assert [(v.code, v.field) for v in error.value.violations] == [
        ("consent_missing", "consent_version"),
        ("travel_dates_missing", "arrival_at"),
        ("travel_dates_missing", "departure_at"),
        ("passport_missing", "passport_number"),
    ]


def test_an_import_skips_only_the_delegates_own_duties(event):
    """Organizers import outside the window, without travel dates or consent; every other rule holds."""
    later = NOW + datetime.timedelta(days=21)
    registration = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(mode="in_person", consent_version=""),
        sub_forums=[],
        now=later,
        imported=True,
    )
    assert (registration.status, registration.consent_version) == ("pending", "")
    code = refused(event, imported=True, now=later, consent_version="", **visa(event, passport_number="x"))
    assert code == ("passport_number_invalid", "passport_number")


def test_an_edit_is_held_to_the_same_rules(event):
    registration = services.submit_registration(
        event=event, user=ProfileFactory().user, details=registration_data(event), sub_forums=[], now=NOW
    )
    elsewhere = SubForumFactory(event=EventFactory())
    with pytest.raises(services.RegistrationError) as error:
        services.edit_registration(
            registration=registration,
            details=registration_data(event),
            sub_forums=[elsewhere],
            actor=registration.user,
            now=NOW,
        )
    assert error.value.code == "sub_forum_of_other_edition"
    assert list(registration.seats.all()) == []


def import_row(event, **values):
    """One row of a delegation list, as read from the file."""
    row = {
        "email": "aigerim@mfa.example.kz",
        "given_name_latin": "Aigerim",
        "family_name_latin": "Nurlanova",
        "given_name_native": "",
        "family_name_native": "",
        "honorific": "",
        "position": "Counsellor",
        "organization": "Ministry of Foreign Affairs",
        "country": "KZ",
        "phone": "+7 701 234 5678",
        "preferred_language": "ru",
        "category": "government",
        "mode": "online",
        "sub_forums": "",
        "interpretation_language": "ru",
        "passport_number": "",
        "passport_nationality": "",
        "passport_birth_date": "",
        "passport_expires_on": "",
    }
    return {**row, **values}


def test_the_importer_reports_a_sub_forum_of_another_edition_on_its_row(event):
    SubForumFactory(event=EventFactory(), slug="elsewhere")
    [row] = check_rows(event, [import_row(event, sub_forums="elsewhere")])
    assert [(error.column, error.message) for error in row.errors] == [
        ("sub_forums", "Not sub-forums of this edition: elsewhere.")
    ]


def test_the_importer_reports_a_passport_expiring_too_soon_on_its_row(event):
    rows = check_rows(
        event,
        [
            import_row(
                event,
                passport_number="n 1234567",
                passport_nationality="Kazakhstan",
                passport_birth_date="1980-05-01",
                passport_expires_on="2027-06-01",
            ),
            import_row(
                event,
                email="ok@mfa.example.kz",
                passport_number="N7654321",
                passport_nationality="KZ",
                passport_birth_date="1980-05-01 00:00:00",
                passport_expires_on="2030-01-01",
            ),
        ],
    )
    assert [[(error.column, str(error.message)) for error in row.errors] for row in rows] == [
        [
            (
                "passport_expires_on",
                "The passport must be valid at least six months after the forum (until 2027-09-02 or later).",
            )
        ],
        [],
    ]


def test_the_importer_reports_a_sub_forum_without_the_rows_mode(event):
    SubForumFactory(event=event, slug="room-only", modes="in_person", title="Room only")
    [row] = check_rows(event, [import_row(event, sub_forums="room-only")])
    assert [(error.column, str(error.message)) for error in row.errors] == [
        ("sub_forums", "“Room only” is not streamed online.")
    ]


def session(event, title: str, start: int, end: int, **values):
    """A session of the edition's first day, from `start` to `end` o'clock local time."""
    day = event.start_on
    return SubForumFactory(
        event=event,
        title=title,
        starts_at=moment(event, day, start),
        ends_at=moment(event, day, end),
        **values,
    )


def test_two_sessions_at_the_same_time_are_refused_in_person(event):
    beidou = session(event, "BeiDou", 14, 17)
    green = session(event, "Green", 16, 18)
    with pytest.raises(services.RegistrationError) as error:
        services.submit_registration(
            event=event,
            user=ProfileFactory().user,
            details=registration_data(event, mode="in_person"),
            sub_forums=[green, beidou],
            now=NOW,
        )
    assert [(v.code, v.field, str(v.message)) for v in error.value.violations] == [
        (
            "sub_forums_overlap",
            "sub_forums",
            "“BeiDou” and “Green” take place at the same time: choose one of them to attend in person "
            "(online, sessions at the same time may all be chosen).",
        )
    ]
    assert Registration.objects.count() == 0


def test_sessions_at_the_same_time_may_all_be_followed_online_and_back_to_back_in_person(event):
    beidou = session(event, "BeiDou", 14, 17)
    green = session(event, "Green", 16, 18)
    closing = session(event, "Closing", 18, 19)
    online = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(),
        sub_forums=[beidou, green],
        now=NOW,
    )
    in_person = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(event, mode="in_person"),
        sub_forums=[green, closing],  # one ends as the other starts
        now=NOW,
    )
    assert set(online.sub_forums.all()) == {beidou, green}
    assert set(in_person.sub_forums.all()) == {green, closing}


def test_switching_to_in_person_with_overlapping_sessions_is_refused(event):
    beidou = session(event, "BeiDou", 14, 17)
    green = session(event, "Green", 16, 18)
    registration = services.submit_registration(
        event=event,
        user=ProfileFactory().user,
        details=registration_data(),
        sub_forums=[beidou, green],
        now=NOW,
    )
    arrival = moment(event, event.start_on - datetime.timedelta(days=1))
    with pytest.raises(services.RegistrationError) as error:
        services.switch_mode(
            registration=registration,
            mode="in_person",
            actor=registration.user,
            now=NOW,
            arrival_at=arrival,
            departure_at=arrival + datetime.timedelta(days=4),
        )
    assert error.value.code == "sub_forums_overlap"
    assert Registration.objects.get().mode == "online"


def test_the_importer_reports_overlapping_sessions_in_person_on_its_row(event):
    session(event, "BeiDou", 14, 17, slug="beidou")
    session(event, "Green", 16, 18, slug="green")
    [row] = check_rows(event, [import_row(event, mode="in_person", sub_forums="beidou; green")])
    assert [(error.column, str(error.message)) for error in row.errors] == [
        (
            "sub_forums",
            "“BeiDou” and “Green” take place at the same time: choose one of them to attend in person "
            "(online, sessions at the same time may all be chosen).",
        )
    ]


def test_a_refusal_naming_quoted_titles_nests_their_quotes_in_russian(event):
    women = session(event, "Women", 14, 17, title_ru="Форум по вопросам развития женщин")
    beidou = session(event, "BeiDou", 16, 18, title_ru="Форум «Китай — Центральная Азия» по БДС")
    with translation.override("ru"), pytest.raises(services.RegistrationError) as error:
        services.submit_registration(
            event=event,
            user=ProfileFactory().user,
            details=registration_data(event, mode="in_person"),
            sub_forums=[women, beidou],
            now=NOW,
        )
    with translation.override("ru"):
        message = str(error.value.violations[0].message)
    assert "«Форум „Китай — Центральная Азия“ по БДС»" in message
    assert "»»" not in message
