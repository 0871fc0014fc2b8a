import datetime
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from delegates.models import VisaLetter
from events.models import Event, Exhibit

from .test_badges import pdf_text, qr_codes

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
    beidou = (
        eighth.exhibits.get()
    )  # the seed's one themed exhibit; invented exhibits are the sample edition's
    assert beidou.slug == "beidou-navigation-satellite-system"
    assert list(beidou.sectors.values_list("slug", flat=True)) == ["satellite-navigation"]  # its subject
    # The seed does not say who exhibited, where, or for which countries: blank, not made up.
    assert (beidou.exhibitor, beidou.hall, beidou.booth, list(beidou.countries_served)) == (None, "", "", [])
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


def exhibit_titles(client, slug, **filters):
    """The exhibit titles an edition's exhibit list shows under these filters."""
    response = client.get(reverse("events:exhibits", args=[slug]), filters)
    return re.findall(r'class="exhibit-title" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_demo_visitor_finds_beidou_by_sector_and_sample_exhibits_by_country(client):
    call_command("load_forum_demo", today=TODAY, stdout=None)

    beidou = "China&#x27;s BeiDou Navigation Satellite System (BDS)"
    assert exhibit_titles(client, "8th-lanzhou-2021") == [beidou]  # no sample exhibit counted as the 8th's
    assert exhibit_titles(client, "8th-lanzhou-2021", sector="satellite-navigation") == [beidou]
    assert "1 exhibit found." in client.get(reverse("events:exhibits", args=["8th-lanzhou-2021"])).text
    assert exhibit_titles(client, "sample-edition", sector="logistics", country="KZ") == [
        beidou,
        "Lanzhou rail and logistics port (sample exhibit)",
        "Silk Road cross-border e-commerce (sample exhibit)",
    ]


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


SAMPLE_MARK = '<span class="badge text-bg-warning sample-mark">'


def test_the_8th_forums_invented_details_are_blank_or_marked_sample():
    call_command("load_forum_demo", today=TODAY, stdout=None)
    eighth = Event.objects.get(slug="8th-lanzhou-2021")

    sessions = list(eighth.sub_forums.all())
    assert len(sessions) == 6 and all(session.is_sample for session in sessions)  # invented times, marked
    assert {(s.room, s.in_person_capacity, s.interpretation_languages) for s in sessions} == {("", None, "")}
    appearances = [a for session in sessions for a in session.appearances.all()]
    # The seed does not say where the three spoke: the session is marked sample, the role is plain.
    assert {(a.role, a.is_sample) for a in appearances} == {("speaker", True)}
    assert not Exhibit.objects.filter(event=eighth, title__icontains="sample").exists()
    # The sample edition, cloned from the 8th, keeps the marks.
    sample = Event.objects.get(slug="sample-edition")
    assert {
        (s.is_sample, len([a for a in s.appearances.all() if a.is_sample])) for s in sample.sub_forums.all()
    } == {
        (True, 0),
        (True, 3),
    }


def test_pages_and_calendar_mark_the_8th_forums_invented_times_and_sessions(client):
    call_command("load_forum_demo", today=TODAY, stdout=None)
    slug = "8th-lanzhou-2021"

    programme = client.get(reverse("events:programme", args=[slug])).text
    home = client.get(reverse("events:detail", args=[slug])).text
    speakers = client.get(reverse("events:speakers", args=[slug])).text
    session = client.get(reverse("events:sub_forum", args=[slug, "opening-ceremony"])).text
    russian = client.get(reverse("events:programme", args=[slug]), headers={"accept-language": "ru"}).text
    calendar = client.get(reverse("events:programme_ics", args=[slug])).content.decode()

    # Six sessions' times, and the three speakers' appearance at the opening ceremony.
    assert programme.count(SAMPLE_MARK) == 6 + 3
    assert home.count(SAMPLE_MARK) == 6 + 3  # the programme list and the speaker cards
    assert speakers.count(SAMPLE_MARK) == 3
    assert session.count(SAMPLE_MARK) == 1 + 3  # the time (no room, no interpretation) and the speakers
    assert f"{SAMPLE_MARK}Пример</span>" in russian
    unfolded = calendar.replace("\r\n ", "")
    assert unfolded.count("Sample time and room\\, not the real programme.") == 6
    assert "Speaker: Владимир Норов (Vladimir Norov) (sample)" in unfolded


def test_the_sample_edition_has_no_place_in_the_series_nor_the_real_media_contact(client):
    call_command("load_forum_demo", today=TODAY, stdout=None)
    sample = Event.objects.get(slug="sample-edition")

    for language in ("en", "ru", "zh-hans"):
        page = client.get(
            reverse("events:detail", args=["sample-edition"]), headers={"accept-language": language}
        )
        text = page.text
        assert "十二" not in text and "12th" not in text and "12-й" not in text
        assert "Liu Gehua" not in text and "huanqiu" not in text.lower()
    with translation.override("en"):
        assert sample.title == "China–Central Asia Cooperation Forum: sample edition"
    with translation.override("zh-hans"):
        assert sample.title == "中国—中亚合作论坛（示例届次）"
    with translation.override("ru"):
        assert sample.title == "Форум сотрудничества «Китай — Центральная Азия» (демонстрационная версия)"
    assert (sample.media_contact_name, sample.media_contact_email) == (
        "Press office (sample)",
        "press@example.org",
    )


def test_the_8th_forum_reads_in_chinese_as_the_sources_say():
    call_command("load_forum_demo", today=TODAY, stdout=None)
    eighth = Event.objects.get(slug="8th-lanzhou-2021")

    with translation.override("zh-hans"):
        assert eighth.title == "第八届中国—中亚合作论坛"
    assert "应邀与会" not in eighth.description_zh_hans  # the envoys were invited; the source says no more
    assert "邀请了亚美尼亚和阿塞拜疆的使节" in eighth.description_zh_hans
    assert "были приглашены и дипломатические представители Армении и Азербайджана" in eighth.description_ru


def test_sample_delegates_names_and_organizations_are_right_and_marked():
    from delegates.models import Profile

    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    profiles = Profile.objects.filter(user__registrations__event__slug="sample-edition")

    chinese = {
        (p.family_name_native, p.family_name_latin, p.given_name_native, p.given_name_latin)
        for p in profiles.filter(country="CN")
    }
    assert chinese == {("张", "Zhang", "伟", "Wei"), ("李", "Li", "娜", "Na"), ("陈", "Chen", "杰", "Jie")}
    # No invented person is presented as working for a real institution.
    assert [p.organization for p in profiles if not p.organization.endswith("(sample)")] == []


def test_the_approved_online_sample_delegates_see_their_sample_stream_links(client):
    from delegates.models import User

    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    sample = Event.objects.get(slug="sample-edition")
    online = User.objects.filter(registrations__event=sample, registrations__mode="online")

    assert online.count() == 2
    for user in online:
        client.force_login(user)
        page = client.get(reverse("delegates:me")).text
        chosen = user.registrations.get().seats.values_list("sub_forum__slug", flat=True)
        assert list(chosen)  # each has sessions to follow
        for slug in chosen:
            assert f'href="https://stream.example.org/sample-edition/{slug}"' in page
        assert "have not yet set the stream link" not in page
    assert all(
        sub_forum.stream_url.startswith("https://stream.example.org/")
        for sub_forum in sample.sub_forums.all()
    )


def test_the_sample_edition_has_a_letter_template_and_a_sample_delegate_an_issued_letter(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_forum_demo", today=TODAY, stdout=None)
    call_command("load_demo_delegates", stdout=None)
    call_command("load_demo_delegates", stdout=None)  # twice: nothing more

    sample = Event.objects.get(is_sample=True)
    assert sample.letter_template.letterhead.name.endswith(".png")
    [letter] = VisaLetter.objects.all()
    holder = letter.registration
    assert (holder.event, holder.user.email, letter.status) == (
        sample,
        "aigerim.bekova@sample.example.org",
        "issued",
    )
    assert letter.reference.startswith("SAMPLE-")  # no place in the real series
    client.force_login(holder.user)
    text = pdf_text(client.get(reverse("delegates:my_letter", args=[letter.reference])).content)
    assert "N00000001" in text and "SAMPLE" in text.upper() and letter.reference in text
    assert qr_codes(client.get(reverse("delegates:my_letter", args=[letter.reference])).content) == [
        f"{settings.FORUM_SITE_URL}/letters/{letter.token}/"
    ]
    assert "Valid: this letter was issued" in client.get(f"/letters/{letter.token}/").content.decode()
