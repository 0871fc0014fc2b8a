import datetime
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from events.models import Event, Exhibit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def row_counts():
    """Rows in every table of the programme."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("events").get_models()}


def test_demo_loads_the_8th_edition_as_the_seed_describes_it():
    call_command("load_forum_demo", today=TODAY, stdout=None)
    eighth = Event.objects.get(slug="8th-lanzhou-2021")
    assert eighth.title == "8th China–Central Asia Cooperation Forum"
    assert eighth.theme == (
        "Strengthen Solidarity and Cooperation for Building a Community of Security and Development"
    )
    assert (eighth.start_on, eighth.end_on) == (datetime.date(2021, 10, 15), datetime.date(2021, 10, 17))
    assert eighth.time_zone == "Asia/Shanghai"
    assert eighth.is_public and not eighth.is_sample
    assert {(role.organization.name, role.role) for role in eighth.roles.all()} == {
        (
            "Good-Neighborliness, Friendship and Cooperation Committee of the Shanghai Cooperation Organization",
            "host",
        ),
        ("People's Government of Gansu Province", "host"),
        ("People's Government of Lanzhou Municipality", "organiser"),
        ("Foreign Affairs Office of the Gansu Provincial Government", "organiser"),
    }
    assert [sf.title for sf in eighth.sub_forums.filter(kind="sub_forum").order_by("order")] == [
        "Women's Development Forum",
        "China–Central Asia BeiDou (BDS) Cooperation Forum",
        "Green Development Forum",
        "Modern Commerce and Logistics Forum",
    ]
    assert set(eighth.sub_forums.filter(kind="ceremony").values_list("title", flat=True)) == {
        "Opening ceremony",
        "Closing ceremony",
    }
    speakers = {a.speaker.name_latin for sf in eighth.sub_forums.all() for a in sf.appearances.all()}
    assert speakers == {"Vladimir Norov", "Alikhan Smailov", "Saidzoda Zohir"}
    beidou = eighth.exhibits.get(slug="beidou-navigation-satellite-system")
    assert {country.code for country in beidou.countries_served} == {"CN", "KZ", "KG", "TJ", "TM", "UZ"}
    assert "satellite-navigation" in set(beidou.sectors.values_list("slug", flat=True))
    assert eighth.documents.filter(kind="outcome", title__icontains="joint initiative").exists()
    assert eighth.media_contact_name == "Liu Gehua"


def test_demo_sample_edition_is_upcoming_open_and_labelled():
    call_command("load_forum_demo", today=TODAY, stdout=None)
    sample = Event.objects.get(slug="sample-edition")
    assert sample.is_sample
    assert sample.status == Event.Status.PUBLISHED
    assert sample.start_on == TODAY + datetime.timedelta(days=91)
    open_moment = datetime.datetime.combine(TODAY, datetime.time(12, 0), tzinfo=sample.tz)
    assert sample.is_registration_open(open_moment)
    assert sample.sub_forums.count() == 6
    assert Exhibit.objects.filter(event=sample).count() == 5
    assert Event.objects.current(TODAY) == sample


def test_demo_loaded_twice_changes_nothing():
    call_command("load_forum_demo", today=TODAY, stdout=None)
    first = row_counts()

    def dates():
        return list(Event.objects.values_list("slug", "start_on", "updated_at").order_by("slug"))

    first_dates = dates()
    call_command("load_forum_demo", today=TODAY + datetime.timedelta(days=30), stdout=None)
    assert row_counts() == first
    assert dates() == first_dates


def test_demo_visitor_finds_beidou_by_sector_and_kazakhstan(client):
    call_command("load_forum_demo", today=TODAY, stdout=None)
    response = client.get(
        reverse("events:exhibits", args=["8th-lanzhou-2021"]),
        {"sector": "satellite-navigation", "country": "KZ"},
    )
    titles = re.findall(r'class="exhibit-title" href="[^"]+">([^<]+)</a>', response.content.decode())
    assert titles == ["China&#x27;s BeiDou Navigation Satellite System (BDS)"]


def test_demo_accounts_are_created_in_their_groups(capsys):
    call_command("create_demo_accounts")
    output = capsys.readouterr().out
    from delegates.models import User

    organizer = User.objects.get(email="organizer@example.org")
    staff = User.objects.get(email="staff@example.org")
    assert organizer.is_staff and not organizer.is_superuser
    assert [group.name for group in organizer.groups.all()] == ["Organizers"]
    assert [group.name for group in staff.groups.all()] == ["Registration staff"]
    password = output.split("organizer@example.org")[1].split("password:")[1].split()[0]
    assert organizer.check_password(password)


def test_sample_delegates_are_loaded_once_and_approved():
    from delegates.models import Registration

    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    call_command("load_demo_delegates", stdout=None)
    registrations = Registration.objects.filter(event__slug="sample-edition")
    assert registrations.count() == 10
    assert set(registrations.values_list("status", flat=True)) == {"approved"}
    kazakh_beidou = registrations.filter(
        user__profile__country="KZ", mode="in_person", seats__sub_forum__slug="beidou-cooperation"
    )
    assert kazakh_beidou.count() == 2


def test_the_8th_forum_and_the_sample_edition_get_their_delegations_once():
    from delegates.models import Delegation

    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    call_command("load_demo_delegates", stdout=None)

    for slug in ("8th-lanzhou-2021", "sample-edition"):
        delegations = Delegation.objects.filter(event__slug=slug).order_by("protocol_order")
        assert [(d.name_en, d.kind, d.country.code or "") for d in delegations] == [
            ("China", "government", "CN"),
            ("Kazakhstan", "government", "KZ"),
            ("Kyrgyzstan", "government", "KG"),
            ("Tajikistan", "government", "TJ"),
            ("Turkmenistan", "government", "TM"),
            ("Uzbekistan", "government", "UZ"),
            ("International organizations", "international", ""),
        ]
        assert all(d.name_ru and d.name_zh_hans and d.notes.startswith("Sample data") for d in delegations)
    kazakhstan = Delegation.objects.get(event__slug="sample-edition", name_en="Kazakhstan")
    assert (kazakhstan.name_ru, kazakhstan.name_zh_hans, kazakhstan.quota_in_person) == (
        "Казахстан",
        "哈萨克斯坦",
        15,
    )
    assert kazakhstan.members.count() == 2  # the two sample government delegates from Kazakhstan


def test_demo_accounts_make_the_sample_edition_by_invitation_and_print_its_links(client, capsys):
    from delegates.invitations import invitation_link
    from delegates.models import Invitation, User

    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    call_command("create_demo_accounts")
    first = capsys.readouterr().out
    call_command("create_demo_accounts")
    second = capsys.readouterr().out

    sample = Event.objects.get(slug="sample-edition")
    assert sample.access == Event.Access.INVITATION
    focal_point = User.objects.get(email="focal.point@example.org")
    assert [d.name_en for d in focal_point.focal_point_of.all()] == ["Kazakhstan"]
    password = first.split("focal.point@example.org")[1].split("password:")[1].split()[0]
    assert focal_point.check_password(password) is False  # reset on the second run
    invitations = Invitation.objects.filter(event=sample)
    assert invitations.count() == 3  # the second run reuses the valid codes
    for invitation in invitations:
        assert invitation_link(invitation) in first
        assert invitation_link(invitation) in second
    kazakh = invitations.get(delegation__name_en="Kazakhstan")
    assert (kazakh.category, kazakh.max_uses) == ("government", 5)
    new_password = second.split("focal.point@example.org")[1].split("password:")[1].split()[0]
    assert client.login(email="focal.point@example.org", password=new_password)
