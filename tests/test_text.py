"""Names and free text cannot spoof: invisible characters that hide or reorder text are refused in
every form people type into, with a message that names the character."""

import datetime

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from delegates.models import Profile, Registration, User
from delegates.roles import ORGANIZERS
from events.text import hidden_character

from .factories import (
    EventFactory,
    ProfileFactory,
    SpeakerFactory,
    SubForumFactory,
    UserFactory,
    open_event,
    staff_member,
)
from .test_import import csv_file, person
from .test_on_behalf import NOW, edit_form, register
from .test_registration_pages import in_person_post

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Ali\u202egnp.exe" reads as "Aliexe.png"
ZWSP = "\u200b"  # ZERO WIDTH SPACE: two names that look the same but differ
NUL = "\x00"
SPOOFS = {"RLO": RLO, "ZWSP": ZWSP, "NUL": NUL}


def refusal(character: str) -> str:
    """The message a field shows for this character."""
    if character == NUL:
        return "Null characters are not allowed."
    names = {RLO: "U+202E RIGHT-TO-LEFT OVERRIDE", ZWSP: "U+200B ZERO WIDTH SPACE"}
    return (
        f"Remove the invisible character {names[character]}: it can hide or reorder what others read. "
        "Type the text again rather than pasting it."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Айгерим Бекова",
        "刘格华",
        "Aigerim-Zoë O'Neil",
        "عبد الله",
        "Non\u00a0breaking space",
        "मनोज\u200dकुमार",  # a joiner between Devanagari letters spells the name
        "مهر\u200cآوا",  # a non-joiner between Persian letters
        "क्\u200dष",  # a joiner after a combining mark (virama), before a letter
    ],
)
def test_plain_text_passes(text):
    assert hidden_character(text) == ""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Ali\u202egnp.exe", "\u202e"),
        ("\u202aLRE", "\u202a"),
        ("x\u2066isolate\u2069", "\u2066"),
        ("\u2069", "\u2069"),
        ("Zhang\u200bWei", "\u200b"),
        ("mark\u200e", "\u200e"),
        ("\u200fRLM", "\u200f"),
        ("\ufeffBOM", "\ufeff"),
        ("soft\u00adhyphen", "\u00ad"),
        ("word\u2060joiner", "\u2060"),
        ("line\u2028separator", "\u2028"),
        ("para\u2029separator", "\u2029"),
        ("bell\x07", "\x07"),
        ("escape\x1b[31m", "\x1b"),
        ("tab\tin a name", "\t"),
        ("new\nline", "\n"),
        ("\u200dAli", "\u200d"),  # a joiner at the start joins nothing
        ("Ali\u200d", "\u200d"),
        ("A \u200c B", "\u200c"),  # between spaces: only hiding something
        ("\U000e0041tag", "\U000e0041"),
    ],
)
def test_hidden_characters_are_found(text, found):
    assert hidden_character(text) == found


def test_multi_line_text_keeps_tabs_and_line_breaks_only():
    assert hidden_character("Line one\r\nLine two\twith a tab", multi_line=True) == ""
    assert hidden_character("Line one\n\u202eenil", multi_line=True) == "\u202e"
    assert hidden_character("Line\x0bvertical tab", multi_line=True) == "\x0b"


PROFILE = {
    "given_name_latin": "Aigerim",
    "family_name_latin": "Bekova",
    "given_name_native": "Айгерим",
    "family_name_native": "Бекова",
    "position": "Counsellor",
    "organization": "Ministry of Foreign Affairs",
    "country": "KZ",
    "phone": "+77012345678",
    "preferred_language": "en",
}


@pytest.mark.parametrize("spoof", SPOOFS)
@pytest.mark.parametrize("field", ["given_name_native", "family_name_native", "position", "organization"])
def test_profile_refuses_hidden_characters(client, field, spoof):
    client.force_login(UserFactory())
    character = SPOOFS[spoof]

    response = client.post(reverse("delegates:profile"), {**PROFILE, field: f"Ай{character}герим"})

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [refusal(character)]}
    assert Profile.objects.count() == 0


def test_profile_refuses_a_hidden_character_in_latin_names_too_with_that_message_alone(client):
    client.force_login(UserFactory())

    response = client.post(reverse("delegates:profile"), {**PROFILE, "family_name_latin": f"Bek{RLO}ova"})

    # The name is in Latin letters: only the invisible character is wrong, and only it is reported.
    assert response.context["form"].errors["family_name_latin"] == [refusal(RLO)]
    assert Profile.objects.count() == 0


def test_profile_keeps_a_name_spelled_with_a_joiner(client):
    client.force_login(user := UserFactory())

    response = client.post(reverse("delegates:profile"), {**PROFILE, "given_name_native": "مهر\u200cآوا"})

    assert response.status_code == 302
    assert Profile.objects.get(user=user).given_name_native == "مهر\u200cآوا"


@pytest.mark.parametrize("spoof", SPOOFS)
@pytest.mark.parametrize("field", ["flight", "dietary_needs", "accessibility_needs"])
def test_registration_form_refuses_hidden_characters(client, field, spoof):
    event = open_event()
    for slug, modes in [("room-only", "in_person"), ("hybrid", "both")]:
        SubForumFactory(event=event, slug=slug, modes=modes)
    client.force_login(ProfileFactory().user)
    character = SPOOFS[spoof]

    response = client.post(
        reverse("delegates:register", args=[event.slug]),
        in_person_post(event, **{field: f"Halal{character}x"}),
        follow=True,
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [refusal(character)]
    assert Registration.objects.count() == 0


@pytest.fixture
def closed_event():
    """An edition whose registration closed yesterday, as organizers edit it on a delegate's behalf."""
    return EventFactory(
        requires_approval=False,
        registration_opens_at=NOW - datetime.timedelta(days=30),
        registration_closes_at=NOW - datetime.timedelta(days=1),
        start_on=(NOW + datetime.timedelta(days=20)).date(),
        end_on=(NOW + datetime.timedelta(days=22)).date(),
    )


@pytest.mark.parametrize("spoof", SPOOFS)
def test_staff_edit_form_refuses_hidden_characters(client, closed_event, spoof):
    registration = register(closed_event)
    client.force_login(staff_member(ORGANIZERS))
    character = SPOOFS[spoof]
    url = reverse("staff:registration_edit", args=[closed_event.slug, registration.pk])

    response = client.post(url, edit_form(registration, flight=f"HY{character} 9"))

    assert response.context["form"].errors["flight"] == [refusal(character)]
    assert Registration.objects.get(pk=registration.pk).flight == registration.flight


def test_staff_cancel_reason_keeps_line_breaks_and_refuses_an_override(client, closed_event):
    registration = register(closed_event)
    client.force_login(staff_member(ORGANIZERS))
    url = reverse("staff:registration_cancel", args=[closed_event.slug, registration.pk])

    refused = client.post(url, {"reason": f"Replaced by{RLO} the deputy"})

    assert refusal(RLO) in refused.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "approved"
    assert client.post(url, {"reason": "Replaced\r\nby the deputy"}).status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


@pytest.mark.parametrize("spoof", SPOOFS)
def test_import_rows_with_hidden_characters_are_errors_and_nothing_is_written(client, spoof):
    event = open_event(slug="forum")
    SubForumFactory(event=event, slug="beidou-cooperation")
    SubForumFactory(event=event, slug="green-development")
    client.force_login(staff_member(ORGANIZERS))
    character = SPOOFS[spoof]
    rows = [
        person(1),
        person(2, given_name_native=f"Айгерим{character}"),
        person(3, organization=f"MFA{character}"),
    ]

    response = client.post(reverse("staff:import", args=["forum"]), {"file": csv_file(rows)})

    errors = {row.number: [str(error) for error in row.errors] for row in response.context["rows"]}
    assert errors == {
        2: [],
        3: [f"given_name_native: {refusal(character)}"],
        4: [f"organization: {refusal(character)}"],
    }
    response = client.post(reverse("staff:import", args=["forum"]), {"confirm": "1"})
    assert not User.objects.filter(email__startswith="delegate").exists()


def admin_change(client, model_admin_url: str, obj, **changes):
    """Send back an admin change form as it was shown, with `changes`."""
    url = reverse(model_admin_url, args=[obj.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and value != [] and not isinstance(value, FieldFile)
    }
    data = {name: value.pk if hasattr(value, "pk") else value for name, value in data.items()}
    return client.post(url, {**data, **changes})


@pytest.mark.parametrize("spoof", ["RLO", "ZWSP"])
def test_the_admin_refuses_hidden_characters_in_delegates_names_and_speakers_positions(client, spoof):
    client.force_login(staff_member(ORGANIZERS))
    character = SPOOFS[spoof]
    profile = ProfileFactory(given_name_native="Айгерим")
    speaker = SpeakerFactory(position="Minister")

    refused_profile = admin_change(
        client, "admin:delegates_profile_change", profile, given_name_native=f"Ай{character}герим"
    )
    refused_speaker = admin_change(
        client, "admin:events_speaker_change", speaker, position_en=f"Minister{character}"
    )

    assert refused_profile.context["adminform"].form.errors["given_name_native"] == [refusal(character)]
    assert refused_speaker.context["adminform"].form.errors["position_en"] == [refusal(character)]
    profile.refresh_from_db()
    speaker.refresh_from_db()
    assert (profile.given_name_native, speaker.position) == ("Айгерим", "Minister")


def test_the_admin_saves_plain_names_and_positions(client):
    client.force_login(staff_member(ORGANIZERS))
    profile = ProfileFactory(given_name_native="Айгерим")
    speaker = SpeakerFactory(position="Minister")

    saved_profile = admin_change(
        client, "admin:delegates_profile_change", profile, given_name_native="Айгуль"
    )
    saved_speaker = admin_change(client, "admin:events_speaker_change", speaker, position_en="Vice-Minister")

    assert (saved_profile.status_code, saved_speaker.status_code) == (302, 302)
    profile.refresh_from_db()
    speaker.refresh_from_db()
    assert (profile.given_name_native, speaker.position) == ("Айгуль", "Vice-Minister")
