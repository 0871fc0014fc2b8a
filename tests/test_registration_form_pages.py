"""The registration form as a delegate meets it: refused forms come back by GET (post/redirect/get), a
form sent again changes nothing, registering again starts from the cancelled registration, sub-forums
say when and where they are (and may not overlap in person), and times and examples are unambiguous."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from delegates.models import Invitation, Registration
from events.models import Event

from .factories import ProfileFactory, SubForumFactory, UserFactory, open_event

pytestmark = pytest.mark.django_db
SHANGHAI_LABEL = "Asia/Shanghai, UTC+8"


@pytest.fixture
def event():
    """An edition open for registration, with two sessions at the same time and one after them."""
    event = open_event()
    day = event.start_on
    for slug, title, start, end, room in [
        ("beidou", "BeiDou cooperation", 14, 17, "Hall B"),
        ("green", "Green development", 16, 18, "Hall A"),
        ("closing", "Closing ceremony", 18, 19, "Main hall"),
    ]:
        SubForumFactory(
            event=event,
            slug=slug,
            title=title,
            room=room,
            starts_at=datetime.datetime.combine(day, datetime.time(start), tzinfo=event.tz),
            ends_at=datetime.datetime.combine(day, datetime.time(end), tzinfo=event.tz),
        )
    return event


@pytest.fixture
def delegate(client):
    """A signed-in delegate with a profile."""
    user = ProfileFactory().user
    client.force_login(user)
    return user


def url(event):
    return reverse("delegates:register", args=[event.slug])


def pks(event, *slugs):
    return [event.sub_forums.get(slug=slug).pk for slug in slugs]


def in_person(event, **overrides):
    """A complete in-person registration as the browser posts it."""
    data = {
        "category": "government",
        "mode": "in_person",
        "sub_forums": pks(event, "beidou", "closing"),
        "interpretation_language": "ru",
        "arrival_at": f"{event.start_on - datetime.timedelta(days=1):%Y-%m-%d}T14:30",
        "departure_at": f"{event.end_on + datetime.timedelta(days=1):%Y-%m-%d}T09:00",
        "flight": "KC 891",
        "needs_accommodation": "on",
        "dietary_needs": "Halal",
        "consent": "on",
    }
    return {**data, **overrides}


def version_of(page: str) -> str:
    """The hidden field saying what the form was opened on."""
    return re.search(r'name="version" value="([^"]*)"', page).group(1)


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- item 2: post/redirect/get, and a form sent again --------------------------------------------


def test_a_refused_form_comes_back_by_get_once_with_what_was_typed(client, event, delegate):
    response = client.post(url(event), in_person(event, arrival_at="", flight="KC 891"))

    assert (response.status_code, response["Location"]) == (303, url(event))
    page = client.get(url(event))
    assert "no-store" in page["Cache-Control"]  # Back asks the server again, never a stale copy
    content = page.content.decode()
    assert "Give your travel dates to attend in person." in content
    assert 'name="flight" value="KC 891"' in content
    assert Registration.objects.count() == 0
    again = client.get(url(event)).content.decode()  # the errors show once, then a fresh form
    assert "Give your travel dates to attend in person." not in again
    assert 'name="flight" value="KC 891"' not in again


def test_a_form_refused_by_the_rules_shows_their_messages_after_the_redirect(client, event, delegate):
    data = in_person(event, sub_forums=pks(event, "beidou", "green"))

    page = client.post(url(event), data, follow=True)

    assert page.redirect_chain == [(url(event), 303)]
    assert page.context["form"].errors["sub_forums"] == [
        "“BeiDou cooperation” and “Green development” take place at the same time: choose one of them to "
        "attend in person (online, sessions at the same time may all be chosen)."
    ]
    content = page.content.decode()
    assert re.search(rf'value="{pks(event, "green")[0]}"[^>]*checked', content)
    assert Registration.objects.count() == 0


def test_the_same_form_sent_twice_registers_once_and_says_so(
    client, event, delegate, mailoutbox, django_capture_on_commit_callbacks
):
    version = version_of(client.get(url(event)).content.decode())
    data = in_person(event, version=version)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(event), data)
        second = client.post(url(event), {**data, "flight": "HY 777"})  # Back, a change, and send again

    assert first["Location"] == second["Location"] == reverse("delegates:me")
    assert told(second)[-1] == "This form was already sent: here is your registration."
    assert list(Registration.objects.values_list("flight", flat=True)) == ["KC 891"]
    assert [message.subject for message in mailoutbox] == [mailoutbox[0].subject]  # one acknowledgement


def test_an_edit_form_opened_before_another_change_saves_nothing(client, event, delegate):
    client.post(url(event), in_person(event))
    old_tab = version_of(client.get(url(event)).content.decode())
    new_tab = version_of(client.get(url(event)).content.decode())
    client.post(url(event), in_person(event, version=new_tab, flight="HY 777"))

    response = client.post(url(event), in_person(event, version=old_tab, flight="CZ 6001"))

    assert (response.status_code, response["Location"]) == (303, url(event))
    assert told(response)[-1].startswith("Your registration changed after this form was opened")
    assert list(Registration.objects.values_list("flight", flat=True)) == ["HY 777"]
    assert 'name="flight" value="HY 777"' in client.get(url(event)).content.decode()


# --- item 3: registering again after cancelling ------------------------------------------------


def test_registering_again_starts_from_the_cancelled_registration_and_keeps_the_passport(
    client, event, delegate
):
    expires = event.end_on + datetime.timedelta(days=400)
    passport = {
        "wants_visa_letter": "on",
        "passport_number": "N12345678",
        "passport_nationality": "KZ",
        "passport_birth_date": "1980-05-04",
        "passport_expires_on": f"{expires:%Y-%m-%d}",
    }
    client.post(url(event), in_person(event, category="academia", accessibility_needs="Ramp", **passport))
    client.post(reverse("delegates:cancel", args=[event.slug]))
    assert Registration.objects.get().status == "cancelled"

    content = client.get(url(event)).content.decode()

    assert "You cancelled your registration before" in content
    assert re.search(r'<option value="academia" selected>', content)
    assert re.search(r'name="mode" value="in_person"[^>]*checked', content)
    checked = set(re.findall(r'name="sub_forums" value="(\d+)"[^>]*checked', content))
    assert checked == {str(pk) for pk in pks(event, "beidou", "closing")}
    assert re.search(r'name="interpretation_language"[\s\S]*?<option value="ru" selected>', content)
    for value in ("KC 891", "Halal", "Ramp", f"{event.start_on - datetime.timedelta(days=1):%Y-%m-%d}T14:30"):
        assert f'value="{value}"' in content or f">{value}</textarea>" in content, value
    assert re.search(r'name="wants_visa_letter"[^>]*checked', content)
    assert "N12345678" not in content and "1980-05-04" not in content
    assert "Stored as •••••••78. Leave the passport fields blank to keep them" in content
    assert 'name="consent"' in content and not re.search(r'name="consent"[^>]*checked', content)

    blank = dict.fromkeys(passport, "") | {"wants_visa_letter": "on"}
    response = client.post(url(event), in_person(event, category="academia", **blank))

    assert response["Location"] == reverse("delegates:me")
    registration = Registration.objects.get()
    assert (registration.status, registration.category, registration.passport_number) == (
        "pending",
        "academia",
        "N12345678",
    )
    assert (registration.passport_birth_date, registration.passport_expires_on) == (
        datetime.date(1980, 5, 4),
        expires,
    )


def test_a_first_registration_starts_empty(client, event, delegate):
    content = client.get(url(event)).content.decode()
    assert "You cancelled your registration before" not in content
    assert 'name="flight"' in content and 'name="flight" value=' not in content


# --- item 4: when and where each sub-forum is ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label"),
    [
        (
            "en",
            "BeiDou cooperation · Wed, June 2, 14:00–17:00 (Asia/Shanghai, UTC+8) · Hall B · In person and online",
        ),
        (
            "ru",
            "BeiDou cooperation · Ср, 2 июня, 14:00–17:00 (Asia/Shanghai, UTC+8) · Hall B · Очно и онлайн",
        ),
        (
            "zh-hans",
            "BeiDou cooperation · 6月2日（星期三） 14:00–17:00（Asia/Shanghai, UTC+8） · Hall B · 线下和线上参会",
        ),
    ],
)
def test_sub_forum_choices_say_day_time_zone_and_room(client, delegate, language, label):
    event = open_event(start_on=datetime.date(2027, 6, 2), end_on=datetime.date(2027, 6, 4))  # a Wednesday
    SubForumFactory(
        event=event,
        title="BeiDou cooperation",
        room="Hall B",
        starts_at=datetime.datetime(2027, 6, 2, 6, tzinfo=datetime.UTC),  # 14:00 in Shanghai
        ends_at=datetime.datetime(2027, 6, 2, 9, tzinfo=datetime.UTC),
    )

    page = client.get(url(event), headers={"accept-language": language})

    assert [choice.choice_label for choice in page.context["form"]["sub_forums"]] == [label]
    assert label in page.content.decode()


def test_the_form_says_online_delegates_may_choose_sessions_at_the_same_time(client, event, delegate):
    content = client.get(url(event)).content.decode()
    assert (
        "In person you can be in one session at a time; online you may choose sessions held at the same time."
        in content
    )


def test_sessions_at_the_same_time_may_be_chosen_online(client, event, delegate):
    data = in_person(event, mode="online", sub_forums=pks(event, "beidou", "green"))
    assert client.post(url(event), data)["Location"] == reverse("delegates:me")
    assert set(Registration.objects.get().sub_forums.values_list("slug", flat=True)) == {"beidou", "green"}


# --- item 11: zones, dates, examples, language, one-step cancel -------------------------------


def test_the_chinese_form_offers_chinese_interpretation_first(client, event, delegate):
    content = client.get(url(event), headers={"accept-language": "zh-hans"}).content.decode()
    assert re.search(r'name="interpretation_language"[\s\S]*?<option value="zh-hans" selected>', content)


def test_travel_help_gives_days_in_words_and_the_zone(client, event, delegate):
    first, last = event.travel_window()
    help_text = client.get(url(event)).context["form"].fields["arrival_at"].help_text

    assert help_text == (
        f"Local time ({SHANGHAI_LABEL}): a day from {date_format(first, 'DATE_FORMAT')} to "
        f"{date_format(last, 'DATE_FORMAT')}, and the hour. Pick both in the field."
    )
    assert f"{first:%Y-%m-%d}" not in help_text


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_the_phone_error_gives_the_help_texts_example(client, language):
    client.force_login(UserFactory())
    client.cookies["django_language"] = language
    response = client.post(
        reverse("delegates:profile"),
        {
            "given_name_latin": "A",
            "family_name_latin": "B",
            "position": "P",
            "organization": "O",
            "country": "KZ",
        }
        | {"phone": "12"},
    )
    form = response.context["form"]
    [error] = form.errors["phone"]
    example = re.compile(r"\+\d[\d ]*\d")
    assert example.findall(str(form.fields["phone"].help_text)) == example.findall(error)
    assert len(example.findall(error)) == 1


def test_an_expired_invitation_says_when_with_the_editions_zone(client, delegate):
    event = open_event(access=Event.Access.INVITATION)
    expired = datetime.datetime.combine(
        event.start_on - datetime.timedelta(days=70), datetime.time(18), event.tz
    )
    invitation = Invitation.objects.create(event=event, code="x" * 32, expires_at=expired)

    page = client.get(f"{url(event)}?invitation={invitation.code}")

    assert page.status_code == 403
    when = date_format(expired, "DATETIME_FORMAT")
    assert f"This invitation expired on {when} ({SHANGHAI_LABEL})." in page.content.decode()


def test_the_closed_page_says_when_registration_closed_with_the_zone(client, event, delegate):
    event.registration_closes_at = datetime.datetime.now(datetime.UTC).replace(
        microsecond=0
    ) - datetime.timedelta(hours=1)
    event.save()

    when = date_format(timezone.localtime(event.registration_closes_at, event.tz), "DATETIME_FORMAT")
    content = client.get(url(event)).content.decode()
    assert f"Registration closed on {when} ({SHANGHAI_LABEL})." in content


def test_a_refused_form_with_an_invitation_comes_back_to_the_invitations_page(client, delegate):
    event = open_event(access=Event.Access.INVITATION)
    invitation = Invitation.objects.create(event=event, code="y" * 32)
    data = {
        "category": "government",
        "mode": "online",
        "interpretation_language": "en",
        "invitation": "y" * 32,
    }

    response = client.post(url(event), data)  # no consent

    assert response["Location"] == f"{url(event)}?invitation={invitation.code}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'name="invitation" value="{invitation.code}"' in page.content.decode()
    assert "consent" in page.context["form"].errors
    invitation.refresh_from_db()
    assert (invitation.uses, Registration.objects.count()) == (0, 0)


def test_the_russian_travel_help_has_no_doubled_period(client, event, delegate):
    client.cookies["django_language"] = "ru"
    help_text = str(client.get(url(event)).context["form"].fields["arrival_at"].help_text)

    assert "г." in help_text  # Russian dates end with an abbreviation's period…
    assert ".." not in help_text  # …which the sentence does not double
