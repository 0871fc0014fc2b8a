"""The delegate pages: profile, registration form, /me/, cancellation, access rules."""

import datetime
import re

import pytest
from django.urls import reverse

from delegates import services
from delegates.models import Profile, Registration

from .factories import (
    EventFactory,
    ProfileFactory,
    SubForumFactory,
    UserFactory,
    open_event,
    registration_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """An edition open for registration, 60 days ahead, with an in-person-only, an online-only and a hybrid session."""
    event = open_event()
    for slug, modes in [("room-only", "in_person"), ("stream-only", "online"), ("hybrid", "both")]:
        SubForumFactory(event=event, slug=slug, title=slug.replace("-", " ").title(), modes=modes)
    return event


@pytest.fixture
def delegate(client):
    """A signed-in delegate with a profile."""
    user = ProfileFactory().user
    client.force_login(user)
    return user


def register_url():
    return reverse("delegates:register", args=["forum"])


def in_person_post(event, **overrides):
    """A complete in-person registration as the browser posts it (local times)."""
    arrival = event.start_on - datetime.timedelta(days=1)
    data = {
        "category": "government",
        "mode": "in_person",
        "sub_forums": [event.sub_forums.get(slug="room-only").pk, event.sub_forums.get(slug="hybrid").pk],
        "interpretation_language": "ru",
        "arrival_at": f"{arrival:%Y-%m-%d}T14:30",
        "departure_at": f"{event.end_on + datetime.timedelta(days=1):%Y-%m-%d}T09:00",
        "flight": "KC 891",
        "needs_accommodation": "on",
        "dietary_needs": "Halal",
        "accessibility_needs": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_sign_in(client, event):
    for url in [register_url(), reverse("delegates:me"), reverse("delegates:cancel", args=["forum"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_registration_asks_for_the_profile_first_and_returns(client, event):
    client.force_login(UserFactory())
    response = client.get(register_url())
    assert response["Location"] == f"{reverse('delegates:profile')}?next={register_url()}"
    response = client.post(
        response["Location"],
        {
            "given_name_latin": "Aigerim",
            "family_name_latin": "Bekova",
            "given_name_native": "Айгерим",
            "family_name_native": "Бекова",
            "position": "Counsellor",
            "organization": "Ministry of Foreign Affairs of Kazakhstan",
            "country": "KZ",
            "phone": "+7 701 234 5678",
            "preferred_language": "ru",
        },
    )
    assert response["Location"] == register_url()
    profile = Profile.objects.get()
    assert (profile.name_native, profile.phone.as_e164) == ("Айгерим Бекова", "+77012345678")


def test_profile_rejects_a_phone_without_country_code(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("delegates:profile"),
        {
            "given_name_latin": "A",
            "family_name_latin": "B",
            "position": "P",
            "organization": "O",
            "country": "KZ",
            "phone": "701 234",
        },
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert Profile.objects.count() == 0


def test_profile_lists_china_and_central_asia_first(client):
    client.force_login(UserFactory())
    content = client.get(reverse("delegates:profile")).content.decode()
    select = content[content.index('name="country"') :]
    codes = re.findall(r'<option value="([A-Z]{2})"', select)[:6]
    assert codes == ["CN", "KZ", "KG", "TJ", "TM", "UZ"]


def test_a_new_profile_prefers_the_language_the_delegate_reads_in(client):
    client.force_login(UserFactory())

    form = client.get(reverse("delegates:profile"), headers={"accept-language": "zh-hans"}).context["form"]

    assert form["preferred_language"].value() == "zh-hans"


def test_an_existing_profile_keeps_its_preferred_language_whatever_the_page_language(client):
    profile = ProfileFactory(preferred_language="ru")
    client.force_login(profile.user)

    form = client.get(reverse("delegates:profile"), headers={"accept-language": "en"}).context["form"]

    assert form["preferred_language"].value() == "ru"


def test_register_in_person_for_two_sub_forums(
    client, event, delegate, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(), in_person_post(event))
    assert response["Location"] == reverse("delegates:me")
    registration = Registration.objects.get()
    assert (registration.status, registration.mode, registration.flight) == ("pending", "in_person", "KC 891")
    assert registration.arrival_at.astimezone(event.tz).strftime("%H:%M") == "14:30"
    assert sorted(registration.seats.values_list("sub_forum__slug", "state")) == [
        ("hybrid", "confirmed"),
        ("room-only", "confirmed"),
    ]
    assert registration.consent_version == "2026-11"
    assert [message.to for message in mailoutbox] == [[delegate.email]]
    assert "We received your registration" in mailoutbox[0].subject
    me = client.get(reverse("delegates:me")).content.decode()
    assert "Pending approval" in me and "Room Only" in me and "Hybrid" in me


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"departure_at": "{arrival}"}, "departure_at", "Departure must be after arrival."),
        ({"arrival_at": "{too_early}"}, "arrival_at", "Choose a day between"),
        ({"departure_at": "{too_late}"}, "departure_at", "Choose a day between"),
        ({"arrival_at": ""}, "arrival_at", "Give your travel dates to attend in person."),
        ({"consent": ""}, "consent", "This field is required."),
        ({"sub_forums": ["{stream_only}"]}, "sub_forums", "cannot be attended in person"),
        ({"sub_forums": ["{other_edition}"]}, "sub_forums", "Select a valid choice."),
        (
            {
                "wants_visa_letter": "on",
                "passport_number": "N1",
                "passport_nationality": "KZ",
                "passport_birth_date": "1980-01-01",
                "passport_expires_on": "{soon}",
            },
            "passport_expires_on",
            "at least six months after the forum",
        ),
        ({"wants_visa_letter": "on"}, "passport_number", "Needed for the visa invitation letter."),
    ],
)
def test_each_rule_is_checked_and_every_value_is_kept(client, event, delegate, overrides, field, message):
    other = SubForumFactory()
    arrival = event.start_on - datetime.timedelta(days=1)
    values = {
        "{arrival}": f"{arrival:%Y-%m-%d}T14:30",
        "{too_early}": f"{event.start_on - datetime.timedelta(days=4):%Y-%m-%d}T10:00",
        "{too_late}": f"{event.end_on + datetime.timedelta(days=4):%Y-%m-%d}T10:00",
        "{stream_only}": event.sub_forums.get(slug="stream-only").pk,
        "{other_edition}": other.pk,
        "{soon}": f"{event.end_on + datetime.timedelta(days=30):%Y-%m-%d}",
    }
    data = in_person_post(event)
    for key, value in overrides.items():
        data[key] = [values.get(v, v) for v in value] if isinstance(value, list) else values.get(value, value)

    response = client.post(register_url(), data)

    assert (response.status_code, response["Location"]) == (303, register_url())  # post/redirect/get
    response = client.get(register_url())
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    content = response.content.decode()
    assert 'name="flight" value="KC 891"' in content
    assert 'name="dietary_needs" value="Halal"' in content
    assert re.search(r'name="mode" value="in_person"[^>]*checked', content)
    assert re.search(r'name="interpretation_language"[\s\S]*?<option value="ru" selected>', content)
    assert Registration.objects.count() == 0


def test_sub_forum_choices_follow_the_mode(client, event, delegate):
    data = in_person_post(event, mode="online", sub_forums=[event.sub_forums.get(slug="room-only").pk])
    response = client.post(register_url(), data, follow=True)
    assert "cannot be attended in person" not in str(response.context["form"].errors)
    assert "is not streamed online" in str(response.context["form"].errors["sub_forums"])
    content = client.get(register_url()).content.decode()
    modes = dict(re.findall(r'value="(\d+)"\s+id="[^"]+" data-modes="(\w+)"', content))
    assert sorted(modes.values()) == ["both", "in_person", "online"]


def test_online_registration_drops_travel_details(client, event, delegate):
    data = in_person_post(event, mode="online", sub_forums=[event.sub_forums.get(slug="hybrid").pk])
    client.post(register_url(), data)
    registration = Registration.objects.get()
    assert (registration.mode, registration.arrival_at, registration.flight) == ("online", None, "")


def test_passport_is_stored_and_shown_masked_to_the_delegate(client, event, delegate):
    data = in_person_post(
        event,
        wants_visa_letter="on",
        passport_number="N12345678",
        passport_nationality="KZ",
        passport_birth_date="1980-05-04",
        passport_expires_on=f"{event.end_on + datetime.timedelta(days=400):%Y-%m-%d}",
    )
    client.post(register_url(), data)
    assert Registration.objects.get().passport_number == "N12345678"
    me = client.get(reverse("delegates:me")).content.decode()
    assert "N12345678" not in me
    assert "•••••••78" in me


def test_edit_keeps_the_registration_and_changes_details(client, event, delegate):
    client.post(register_url(), in_person_post(event))
    form = client.get(register_url()).content.decode()
    assert 'value="KC 891"' in form
    client.post(register_url(), in_person_post(event, flight="HY 777"))
    assert list(Registration.objects.values_list("flight", flat=True)) == ["HY 777"]


def test_cancel_asks_once_then_cancels(client, event, delegate):
    client.post(register_url(), in_person_post(event))
    url = reverse("delegates:cancel", args=["forum"])
    page = client.get(url).content.decode()
    assert "Cancel your registration?" in page
    assert 'type="checkbox"' not in page  # one step: the page asks, its button confirms
    assert Registration.objects.get().status == "pending"
    assert client.post(url, {})["Location"] == reverse("delegates:me")
    assert Registration.objects.get().status == "cancelled"


def test_another_delegate_cannot_see_edit_or_cancel_my_registration(client, event):
    owner = ProfileFactory().user
    services.submit_registration(event=event, user=owner, details=registration_data(), sub_forums=[])
    intruder = ProfileFactory().user
    client.force_login(intruder)
    assert client.get(reverse("delegates:cancel", args=["forum"])).status_code == 404
    assert client.post(reverse("delegates:cancel", args=["forum"]), {"confirm": "on"}).status_code == 404
    assert owner.email not in client.get(reverse("delegates:me")).content.decode()
    form = client.get(register_url()).content.decode()
    assert "Your registration" not in form
    assert Registration.objects.get().status == "pending"


def test_stream_links_only_for_approved_online_delegates(client, event):
    hybrid = event.sub_forums.get(slug="hybrid")
    hybrid.stream_url = "https://stream.example.org/secret-hybrid"
    hybrid.save()
    organizer = UserFactory(is_staff=True)
    cases = {}
    for name, mode in [("online", "online"), ("in_person", "in_person")]:
        user = ProfileFactory().user
        data = registration_data(mode=mode)
        if mode == "in_person":
            start = datetime.datetime.combine(event.start_on, datetime.time(9), tzinfo=event.tz)
            data = data.replace(arrival_at=start, departure_at=start + datetime.timedelta(days=2))
        registration = services.submit_registration(event=event, user=user, details=data, sub_forums=[hybrid])
        cases[name] = (user, registration)
    online_user, online_registration = cases["online"]
    client.force_login(online_user)
    assert "secret-hybrid" not in client.get(reverse("delegates:me")).content.decode()
    services.approve_registration(registration=online_registration, actor=organizer)
    assert "secret-hybrid" in client.get(reverse("delegates:me")).content.decode()
    in_person_user, in_person_registration = cases["in_person"]
    services.approve_registration(registration=in_person_registration, actor=organizer)
    client.force_login(in_person_user)
    assert "secret-hybrid" not in client.get(reverse("delegates:me")).content.decode()


def test_registration_of_a_closed_edition_says_so(client, event, delegate):
    event.registration_closes_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    event.save()
    response = client.post(register_url(), in_person_post(event), follow=True)
    assert "Registration for this edition is closed." in response.content.decode()
    assert Registration.objects.count() == 0


def test_registration_of_a_draft_edition_is_404(client, event, delegate):
    event.status = "draft"
    event.save()
    assert client.get(register_url()).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_my_registrations_page_has_constant_queries_and_true_positions(
    client, django_assert_num_queries, count
):
    now = datetime.datetime.now(datetime.UTC)
    me = ProfileFactory().user
    for number in range(count):
        event = EventFactory(
            slug=f"edition-{number}",
            online_capacity=1,
            registration_opens_at=now - datetime.timedelta(days=1),
            registration_closes_at=now + datetime.timedelta(days=1),
        )
        room = SubForumFactory(event=event)
        for _ in range(number + 1):  # one takes the seat, `number` wait ahead of me
            services.submit_registration(
                event=event, user=ProfileFactory().user, details=registration_data(), sub_forums=[room]
            )
        services.submit_registration(event=event, user=me, details=registration_data(), sub_forums=[room])
    client.force_login(me)
    with django_assert_num_queries(7):  # 6th: the delegations the account is a focal point of; 7th: letters
        content = client.get(reverse("delegates:me")).content.decode()
    positions = sorted(int(n) for n in re.findall(r"You are number (\d+) on the waiting list", content))
    assert positions == list(range(1, count + 1))


def test_saving_an_unchanged_registration_keeps_its_local_times(client, event, delegate):
    client.post(register_url(), in_person_post(event))
    stored = Registration.objects.values_list("arrival_at", "departure_at").get()
    form = client.get(register_url()).content.decode()
    assert f'value="{event.start_on - datetime.timedelta(days=1):%Y-%m-%d}T14:30"' in form
    values = {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)" value="([^"]*)"', form)
        if name in ("arrival_at", "departure_at", "flight", "dietary_needs")
    }
    client.post(register_url(), in_person_post(event, **values))
    client.post(register_url(), in_person_post(event, **values))
    assert Registration.objects.values_list("arrival_at", "departure_at").get() == stored


def test_registration_page_of_a_closed_edition_shows_no_form(client, event, delegate):
    event.registration_closes_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    event.save()
    content = client.get(register_url()).content.decode()
    assert "Registration for this edition is closed." in content
    assert 'name="category"' not in content


@pytest.mark.parametrize("name", ["张伟", "Айгерим"])
def test_profile_latin_names_refuse_other_scripts(client, name):
    client.force_login(UserFactory())
    data = {
        "given_name_latin": name,
        "family_name_latin": "Bekova",
        "position": "Counsellor",
        "organization": "MFA",
        "country": "KZ",
        "phone": "+77012345678",
        "preferred_language": "en",
    }
    response = client.post(reverse("delegates:profile"), data)
    assert "Use Latin letters as in your passport" in str(response.context["form"].errors["given_name_latin"])
    assert Profile.objects.count() == 0
    data["given_name_latin"] = "Aigerim-Zoë O'Neil"
    assert client.post(reverse("delegates:profile"), data).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("passport_number", "Н1234567 <b>", "Use 5 to 20 Latin capital letters and digits"),
        ("passport_birth_date", "1800-01-01", "Enter your date of birth as in your passport."),
    ],
)
def test_passport_fields_are_checked(client, event, delegate, field, value, message):
    data = in_person_post(
        event,
        wants_visa_letter="on",
        passport_number="n 1234567",
        passport_nationality="KZ",
        passport_birth_date="1980-05-04",
        passport_expires_on=f"{event.end_on + datetime.timedelta(days=400):%Y-%m-%d}",
    )
    data[field] = value
    response = client.post(register_url(), data, follow=True)
    assert message in str(response.context["form"].errors[field])
    assert Registration.objects.count() == 0


def test_passport_number_is_normalised(client, event, delegate):
    data = in_person_post(
        event,
        wants_visa_letter="on",
        passport_number="n 1234567",
        passport_nationality="KZ",
        passport_birth_date="1980-05-04",
        passport_expires_on=f"{event.end_on + datetime.timedelta(days=400):%Y-%m-%d}",
    )
    client.post(register_url(), data)
    assert Registration.objects.get().passport_number == "N1234567"


def test_cancel_page_of_a_cancelled_registration_returns_to_my_page(client, event, delegate):
    client.post(register_url(), in_person_post(event))
    client.post(reverse("delegates:cancel", args=["forum"]), {"confirm": "on"})
    response = client.get(reverse("delegates:cancel", args=["forum"]))
    assert response["Location"] == reverse("delegates:me")


def test_the_edit_form_never_shows_the_stored_passport_and_keeps_it_when_left_blank(client, event, delegate):
    expires = f"{event.end_on + datetime.timedelta(days=400):%Y-%m-%d}"
    passport = {
        "wants_visa_letter": "on",
        "passport_number": "N12345678",
        "passport_nationality": "KZ",
        "passport_birth_date": "1980-05-04",
        "passport_expires_on": expires,
    }
    client.post(register_url(), in_person_post(event, **passport))
    form = client.get(register_url()).content.decode()
    assert "N12345678" not in form and "1980-05-04" not in form and expires not in form
    assert "•••••••78" in form
    blank = dict.fromkeys(
        ["passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on"], ""
    )
    client.post(register_url(), in_person_post(event, wants_visa_letter="on", flight="HY 1", **blank))
    registration = Registration.objects.get()
    assert (registration.flight, registration.passport_number) == ("HY 1", "N12345678")
    assert registration.passport_birth_date == datetime.date(1980, 5, 4)


def test_a_signed_in_delegates_language_choice_is_kept_for_their_emails(client, event, delegate):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/me/"})
    assert response["Location"] == "/me/"
    assert Profile.objects.get(user=delegate).preferred_language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get("/me/").content.decode()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/me/"})
    assert Profile.objects.get(user=delegate).preferred_language == "zh-hans"


def test_the_cancel_page_nests_the_editions_quotes_in_russian(client, event, delegate):
    client.post(register_url(), in_person_post(event))
    event.series_name_ru = "форум сотрудничества «Китай — Центральная Азия»"
    event.save()
    client.cookies["django_language"] = "ru"

    page = client.get(reverse("delegates:cancel", args=["forum"])).content.decode()

    assert "форум сотрудничества „Китай — Центральная Азия“»" in page
    assert "»»" not in page
