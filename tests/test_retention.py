"""Retention of personal data: the daily purge blanks an edition's passport data, then anonymises its
delegates, leaving no copy anywhere in the database and the dashboard's totals as they were."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from delegates import drafts, invitations, letters, retention, selectors, services
from delegates.models import AuditEntry, ExportPreset, OutboxMessage, Profile, Registration, VisaLetter

from .admin_forms import edition_form
from .factories import (
    LetterTemplateFactory,
    ProfileFactory,
    SubForumFactory,
    open_event,
    registration_data,
    staff_member,
)

pytestmark = pytest.mark.django_db

PEOPLE = [
    # email, Latin given and family names, native given and family names, passport number
    ("zhanibek.tursunbayev@example.kz", "Zhanibek", "Tursunbayev", "Жанибек", "Турсунбаев", "N70112233"),
    ("wang.fang@example.cn", "Fang", "Wang", "芳", "王", "E98765432"),
    ("dilnoza.karimova@example.uz", "Dilnoza", "Karimova", "", "", "FA4455667"),
]


def database_text() -> str:
    """Every value of every column of every table, as stored (raw SQL: encrypted columns stay ciphertext),
    and every session's decoded contents (stored signed and encoded), lower-cased."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    chunks.append(str(value))
    for session in Session.objects.all():
        chunks.append(json.dumps(session.get_decoded(), ensure_ascii=False, default=str))
    return "\n".join(chunks).lower()


def drafts_of(event) -> list[str]:
    """The session keys that hold a draft of this edition (a refused form, an import preview)."""
    return [
        key for session in Session.objects.all() for key in drafts.of_edition(session.get_decoded(), event.pk)
    ]


def secrets_of(people=PEOPLE) -> list[str]:
    """The passport numbers, emails and names a purge must leave nowhere."""
    found = []
    for email, given, family, given_native, family_native, number in people:
        names = [given, family, given_native, family_native]
        found += [
            number,
            email,
            *[name for name in names if len(name) > 1],
        ]  # 王 or 芳 alone: any Chinese text
    return [text.lower() for text in found]


def end_edition(event, *, days_ago: int) -> None:
    """Move the edition into the past: its last day was `days_ago` days ago (in its own time zone)."""
    today = timezone.now().astimezone(event.tz).date()
    length = event.end_on - event.start_on
    end_on = today - datetime.timedelta(days=days_ago)
    type(event).objects.filter(pk=event.pk).update(start_on=end_on - length, end_on=end_on)
    event.refresh_from_db()


@pytest.fixture
def edition(client):
    """An edition with three in-person delegates who asked for a visa letter, one approved, with the traces
    real use leaves: emails in the outbox, audit entries, a refused form in a session, an email address
    record, an invitation for one of them, a staff list preset searching a name, an admin log line."""
    event = open_event(in_person_capacity=2)
    hall = SubForumFactory(event=event, slug="hall", modes="both", in_person_capacity=1)
    organizer = staff_member("Organizers")
    registrations = []
    for email, given, family, given_native, family_native, number in PEOPLE:
        user = ProfileFactory(
            user__email=email,
            given_name_latin=given,
            family_name_latin=family,
            given_name_native=given_native,
            family_name_native=family_native,
        ).user
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        details = registration_data(
            event,
            mode="in_person",
            wants_visa_letter=True,
            passport_number=number,
            passport_nationality="KZ",
            passport_birth_date=datetime.date(1980, 5, 4),
            passport_expires_on=event.end_on + datetime.timedelta(days=400),
            flight="KC 891",
            dietary_needs="Halal",
        )
        registrations.append(
            services.submit_registration(event=event, user=user, details=details, sub_forums=[hall])
        )
    services.approve_registration(registration=registrations[0], actor=organizer)
    invitations.create_invitations(
        event=event, actor=organizer, email=PEOPLE[2][0], note="For Dilnoza Karimova"
    )
    ExportPreset.objects.create(
        owner=organizer, event=event, name="Kazakhs", query="q=Zhanibek+Tursunbayev&mode=in_person"
    )
    LogEntry.objects.create(
        user=organizer,
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registrations[0].pk),
        object_repr=str(registrations[0]),
        action_flag=CHANGE,
        change_message="[]",
    )
    seat = registrations[1].seats.get()
    LogEntry.objects.create(
        user=organizer,
        content_type=ContentType.objects.get_for_model(type(hall)),
        object_id=str(hall.pk),
        object_repr=str(hall),
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "sub-forum seat", "object": str(seat)}}]),
    )
    client.force_login(registrations[0].user)
    refused = {"category": "government", "mode": "in_person", "wants_visa_letter": "on", "consent": "on"}
    refused.update(passport_number=PEOPLE[0][5], passport_nationality="KZ", passport_birth_date="1800-01-01")
    client.post(reverse("delegates:register", args=[event.slug]), refused)
    return event


def test_every_trace_is_there_before_the_purge(edition):
    """The control: each email and name is in the database before the purge, and each passport number
    (stored encrypted, the registration's is not in the raw text: it is read through the model)."""
    text = database_text()
    numbers = [number.lower() for *_rest, number in PEOPLE]
    assert [secret for secret in secrets_of() if secret not in text and secret not in numbers] == []
    assert [r.passport_number for r in edition.registrations.order_by("pk")] == [
        number for *_r, number in PEOPLE
    ]
    # The refused form waits in the session, its passport number encrypted (read only with the key).
    assert drafts_of(edition) == [drafts.registration_form(edition.pk)]


def test_after_both_periods_nothing_personal_is_left_and_the_totals_stay(edition):
    earlier = open_event(slug="earlier")  # an edition whose audit trail names one of the delegates
    invitations.create_invitations(event=earlier, actor=None, email=PEOPLE[1][0])
    end_edition(earlier, days_ago=500)
    invitee = "aslan.invitee@example.kg"  # invited, never registered: in the audit trail and the outbox
    invitations.create_invitations(event=edition, actor=None, email=invitee)
    OutboxMessage.objects.create(
        to=invitee, subject="Invitation", body_text="Welcome", message_id="<i@example>"
    )
    end_edition(edition, days_ago=400)
    assert invitee in database_text()
    totals = selectors.dashboard(edition)
    seats = list(edition.sub_forums.get().seats.values_list("registration", "state").order_by("pk"))
    done = retention.purge()
    assert [(result.event, result.passports, result.registrations, result.accounts) for result in done] == [
        (earlier, 0, 0, 0),
        (edition, 3, 3, 3),
    ]
    assert [r.passport_number for r in edition.registrations.all()] == ["", "", ""]
    text = database_text()
    assert [secret for secret in [*secrets_of(), invitee] if secret in text] == []
    assert selectors.dashboard(edition) == totals
    assert [session.get_decoded().get("_auth_user_id") for session in Session.objects.all()] == []
    registration = edition.registrations.select_related("user__profile").order_by("pk").first()
    assert (
        registration.status,
        registration.mode,
        registration.category,
        registration.user.profile.country,
    ) == (
        "approved",
        "in_person",
        "government",
        "KZ",
    )
    assert (registration.user.is_active, registration.user.has_usable_password()) == (False, False)
    assert list(edition.sub_forums.get().seats.values_list("registration", "state").order_by("pk")) == seats


def test_after_the_passport_period_only_passport_data_goes(edition):
    end_edition(edition, days_ago=31)
    retention.purge()
    assert drafts_of(edition) == []  # the refused form's encrypted passport number went with it
    text = database_text()
    assert [number.lower() for *_rest, number in PEOPLE if number.lower() in text] == []
    assert [
        (r.passport_number, r.passport_nationality, r.passport_birth_date, r.passport_expires_on, r.flight)
        for r in edition.registrations.order_by("pk")
    ] == [("", "", None, None, "KC 891")] * 3
    assert sorted(Profile.objects.values_list("family_name_latin", flat=True)) == [
        "Karimova",
        "Tursunbayev",
        "Wang",
    ]
    assert PEOPLE[0][0] in text


def test_ends_means_the_last_day_in_the_editions_own_time_zone(edition):
    edition.end_on = datetime.date(2026, 3, 31)
    edition.start_on = datetime.date(2026, 3, 30)
    edition.save()
    # Shanghai is UTC+8: 30 days after 31 March end at midnight of 1 May there, 16:00 UTC on 30 April.
    due = datetime.datetime(2026, 4, 30, 16, tzinfo=datetime.UTC)
    assert retention.purge(now=due - datetime.timedelta(seconds=1)) == []
    assert [result.passports for result in retention.purge(now=due)] == [3]


def test_the_command_prints_audits_and_a_second_run_changes_nothing(edition):
    end_edition(edition, days_ago=400)
    out = _run_command()
    assert out == (
        f"purged {edition.slug}: passport data of 3 registrations, 3 registrations anonymised, "
        f"3 accounts anonymised, {_traces(edition)} copies erased elsewhere\n"
    )
    entry = AuditEntry.objects.get(action="personal_data_purged")
    assert (entry.event, entry.actor, sorted(entry.data)) == (
        edition,
        None,
        ["accounts", "passports", "registrations", "traces"],
    )
    before = database_text()
    assert _run_command() == "nothing to purge\n"
    assert database_text() == before


def test_a_dry_run_says_what_would_go_and_changes_nothing(edition):
    end_edition(edition, days_ago=400)
    before = database_text()
    out = _run_command("--dry-run")
    assert out.startswith(
        f"would purge {edition.slug}: passport data of 3 registrations, 3 registrations anonymised"
    )
    assert database_text() == before
    assert not AuditEntry.objects.filter(action="personal_data_purged").exists()


def test_an_account_still_needed_elsewhere_is_kept(edition):
    """A delegate registered for a later edition, and a staff member, keep their accounts."""
    later = open_event(slug="later")
    tursunbayev = Profile.objects.get(family_name_latin="Tursunbayev").user
    services.submit_registration(event=later, user=tursunbayev, details=registration_data(), sub_forums=[])
    wang = Profile.objects.get(family_name_latin="Wang").user
    wang.groups.add(*staff_member("Registration staff").groups.all())
    end_edition(edition, days_ago=400)
    assert [result.accounts for result in retention.purge()] == [1]
    assert sorted(
        Profile.objects.exclude(family_name_latin="").values_list("family_name_latin", flat=True)
    ) == [
        "Tursunbayev",
        "Wang",
    ]
    kept = edition.registrations.get(user=tursunbayev)
    assert (kept.passport_number, kept.flight, kept.dietary_needs) == ("", "", "")
    assert OutboxMessage.objects.filter(to=PEOPLE[0][0]).exists()


def test_personal_data_is_kept_at_least_as_long_as_passport_data(edition):
    edition.passport_retention_days, edition.personal_data_retention_days = 60, 30
    with pytest.raises(ValidationError) as error:
        edition.full_clean()
    assert error.value.message_dict["personal_data_retention_days"] == [
        "Keep personal data at least as long as passport data (60 days)."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        edition.save()


def _run_command(*args) -> str:
    """The command's output."""
    import io

    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def _traces(event) -> int:
    """The copies the purge reported erasing, from its audit entry."""
    return AuditEntry.objects.get(action="personal_data_purged", event=event).data["traces"]


def test_organizers_set_the_periods_in_the_admin_and_are_told_in_their_language(client, edition):
    client.force_login(staff_member("Organizers"))
    client.cookies["django_language"] = "ru"
    url = reverse("admin:events_event_change", args=[edition.pk])
    page = client.get(url).content.decode()
    assert "Хранение персональных данных" in page
    data = edition_form(client, edition, passport_retention_days="60", personal_data_retention_days="30")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "personal_data_retention_days": [
            "Персональные данные должны храниться не меньше, чем паспортные (60 дн.)."
        ]
    }
    data.update(passport_retention_days="14", personal_data_retention_days="90")
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert (edition.passport_retention_days, edition.personal_data_retention_days) == (14, 90)


def test_the_passport_stage_revokes_the_editions_visa_letters(client, edition):
    LetterTemplateFactory(event=edition)
    registration = edition.registrations.get(status=Registration.Status.APPROVED)
    letter = letters.issue_letter(registration=registration, actor=None)
    end_edition(edition, days_ago=31)

    retention.purge()

    letter.refresh_from_db()
    assert letter.status == VisaLetter.Status.REVOKED
    client.force_login(registration.user)
    assert client.get(reverse("delegates:my_letter", args=[letter.reference])).status_code == 404
    assert (
        "Revoked: this letter is no longer valid" in client.get(f"/letters/{letter.token}/").content.decode()
    )
