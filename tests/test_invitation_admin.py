"""Invitations, the organizers' side: the service (bulk codes, revoking, the email in the invitee's
language, links) and the admin (list, filters, bulk page, actions, exports)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from delegates import invitations
from delegates.models import AuditEntry, Invitation, OutboxMessage
from delegates.roles import ORGANIZERS

from .factories import DelegationFactory, EventFactory, InvitationFactory, staff_member

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:delegates_invitation_changelist")
BULK = reverse("admin:delegates_invitation_bulk")


@pytest.fixture
def organizer(client):
    """An organizer signed in to the admin."""
    user = staff_member(ORGANIZERS)
    client.force_login(user)
    return user


def _action(client, action, invitations_):
    """Run a list action on these invitations."""
    return client.post(CHANGELIST, {"action": action, "_selected_action": [i.pk for i in invitations_]})


# --- the service ----------------------------------------------------------------------------


def test_create_invitations_makes_distinct_long_codes_for_a_delegation():
    delegation = DelegationFactory()

    made = invitations.create_invitations(
        event=delegation.event, actor=None, count=20, delegation=delegation, category="government"
    )

    assert Invitation.objects.filter(delegation=delegation, max_uses=1, category="government").count() == 20
    assert len({invitation.code for invitation in made}) == 20
    assert all(len(invitation.code) >= 32 for invitation in made)  # 192 bits in URL-safe base64
    assert AuditEntry.objects.get(action="invitations_created").data["count"] == 20


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"count": 0}, "Make between 1 and 500 invitations at once."),
        ({"count": 501}, "Make between 1 and 500 invitations at once."),
        (
            {"count": 2, "email": "a@example.org"},
            "An invitation for one email address is made one at a time.",
        ),
        ({"max_uses": 0}, "An invitation can be used at least once."),
    ],
)
def test_create_invitations_refuses_what_cannot_be(arguments, message):
    with pytest.raises(invitations.InvitationError) as refused:
        invitations.create_invitations(event=EventFactory(), actor=None, **arguments)

    assert refused.value.message == message
    assert not Invitation.objects.exists()


def test_create_invitations_refuses_a_delegation_of_another_edition():
    with pytest.raises(invitations.InvitationError):
        invitations.create_invitations(event=EventFactory(), actor=None, delegation=DelegationFactory())

    assert not Invitation.objects.exists()


def test_the_link_opens_the_register_page_with_the_code(settings):
    settings.FORUM_SITE_URL = "https://forum.example.org"
    invitation = InvitationFactory(event=EventFactory(slug="eighth"))

    assert invitations.invitation_link(invitation) == (
        f"https://forum.example.org/events/eighth/register/?invitation={invitation.code}"
    )


def test_revoking_twice_revokes_once():
    invitation = InvitationFactory()

    assert invitations.revoke_invitation(invitation=invitation, actor=None) is True
    assert invitations.revoke_invitation(invitation=invitation, actor=None) is False
    assert Invitation.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="invitation_revoked").count() == 1


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("en", "Your invitation to the", "Delegation: Kazakhstan"),
        ("ru", "Ваше приглашение на", "Делегация: Казахстан"),
        ("zh-hans", "邀请", "代表团：哈萨克斯坦"),
    ],
)
def test_the_invitation_email_is_in_the_invitations_language(language, subject, line):
    delegation = DelegationFactory(name_en="Kazakhstan", name_ru="Казахстан", name_zh_hans="哈萨克斯坦")
    invitation = InvitationFactory(
        event=delegation.event, delegation=delegation, email="focal@example.org", language=language
    )

    invitations.send_invitation(invitation=invitation, actor=None)

    message = OutboxMessage.objects.get()
    assert (message.to, message.language, message.kind) == ("focal@example.org", language, "invitation")
    assert subject in message.subject
    assert line in message.body_text
    assert invitations.invitation_link(invitation) in message.body_text
    assert invitations.invitation_link(invitation) in message.body_html
    assert message.has_secret_link


def test_an_unbound_invitation_is_sent_to_the_address_given():
    invitation = InvitationFactory()

    invitations.send_invitation(invitation=invitation, actor=None, email="someone@example.org")

    assert OutboxMessage.objects.get().to == "someone@example.org"
    assert AuditEntry.objects.get(action="invitation_sent").data["to"] == "someone@example.org"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "This invitation is not bound to an email address: give one."),
        (
            {"revoked_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
            "Only a valid invitation can be sent.",
        ),
        ({"uses": 1}, "Only a valid invitation can be sent."),
    ],
)
def test_an_invitation_that_cannot_be_sent_is_not(values, message):
    invitation = InvitationFactory(**values)

    with pytest.raises(invitations.InvitationError) as refused:
        invitations.send_invitation(
            invitation=invitation, actor=None, email="" if not values else "a@example.org"
        )

    assert refused.value.message == message
    assert not OutboxMessage.objects.exists()


# --- the admin ------------------------------------------------------------------------------


def test_the_list_shows_each_invitations_use_and_state(client, organizer):
    now = timezone.now()
    InvitationFactory(email="valid@example.org", max_uses=3, uses=1)
    InvitationFactory(email="spent@example.org", uses=1)
    InvitationFactory(email="late@example.org", expires_at=now - datetime.timedelta(days=1))
    InvitationFactory(email="gone@example.org", revoked_at=now)

    page = client.get(CHANGELIST).content.decode()

    assert "1 / 3" in page
    for state in ("Valid", "Used up", "Expired", "Revoked"):
        assert f">{state}<" in page


@pytest.mark.parametrize(
    ("state", "emails"),
    [
        ("valid", {"valid@example.org"}),
        ("used_up", {"spent@example.org"}),
        ("expired", {"late@example.org"}),
        ("revoked", {"gone@example.org"}),
    ],
)
def test_the_state_filter(client, organizer, state, emails):
    now = timezone.now()
    InvitationFactory(email="valid@example.org")
    InvitationFactory(email="spent@example.org", uses=1)
    InvitationFactory(email="late@example.org", expires_at=now - datetime.timedelta(days=1))
    InvitationFactory(email="gone@example.org", revoked_at=now, uses=1)

    response = client.get(CHANGELIST, {"state": state})

    assert {i.email for i in response.context["cl"].result_list} == emails


def test_an_unknown_state_is_the_admins_invalid_lookup(client, organizer):
    response = client.get(CHANGELIST, {"state": "nonsense"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_bulk_page_makes_codes_for_a_delegation(client, organizer):
    delegation = DelegationFactory()

    form = client.get(BULK, {"delegation": delegation.pk}).context["form"]
    response = client.post(
        BULK,
        {
            "event": delegation.event.pk,
            "delegation": delegation.pk,
            "count": "20",
            "max_uses": "1",
            "category": "government",
            "language": "ru",
            "expires_at": "",
            "note": "MFA",
        },
    )

    assert form.initial["delegation"] == delegation
    assert response.status_code == 302
    assert Invitation.objects.filter(delegation=delegation, language="ru", created_by=organizer).count() == 20
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["20 invitations created."]


@pytest.mark.parametrize(("count", "field"), [("0", "count"), ("501", "count"), ("x", "count")])
def test_the_bulk_page_refuses_bad_numbers(client, organizer, count, field):
    event = EventFactory()

    response = client.post(BULK, {"event": event.pk, "count": count, "max_uses": "1", "language": "en"})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_the_bulk_page_refuses_a_delegation_of_another_edition(client, organizer):
    response = client.post(
        BULK,
        {
            "event": EventFactory().pk,
            "delegation": DelegationFactory().pk,
            "count": "2",
            "max_uses": "1",
            "language": "en",
        },
    )

    assert response.context["form"].errors["delegation"] == ["Choose a delegation of this edition."]
    assert not Invitation.objects.exists()


def test_the_bulk_page_ignores_a_delegation_id_that_is_not_a_number(client, organizer):
    assert client.get(BULK, {"delegation": "1x"}).status_code == 200


def test_the_add_form_records_who_made_an_invitation(client, organizer):
    event = EventFactory()

    response = client.post(
        reverse("admin:delegates_invitation_add"),
        {
            "event": event.pk,
            "email": "focal@example.org",
            "language": "zh-hans",
            "max_uses": "1",
            "category": "",
        },
    )

    assert response.status_code == 302
    assert Invitation.objects.get().created_by == organizer
    assert AuditEntry.objects.get(action="invitations_created").data == {
        "count": 1,
        "delegation": None,
        "email": "focal@example.org",
    }


def test_max_uses_cannot_drop_below_the_uses_had(client, organizer):
    invitation = InvitationFactory(max_uses=3, uses=2)

    response = client.post(
        reverse("admin:delegates_invitation_change", args=[invitation.pk]),
        {"event": invitation.event.pk, "language": "en", "max_uses": "1", "category": ""},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["max_uses"] == [
        "This invitation has been used 2 times already."
    ]
    assert Invitation.objects.get().max_uses == 3


def test_the_revoke_action(client, organizer):
    chosen, other = InvitationFactory(), InvitationFactory()

    _action(client, "revoke_selected", [chosen])

    assert Invitation.objects.get(pk=chosen.pk).revoked_at is not None
    assert Invitation.objects.get(pk=other.pk).revoked_at is None


def test_the_send_action_emails_bound_invitations_and_names_the_others(client, organizer):
    bound = InvitationFactory(email="focal@example.org")
    unbound = InvitationFactory()

    response = _action(client, "send_selected", [bound, unbound])

    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["focal@example.org"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Invitation emails queued: 1.",
        f"…{unbound.code[-6:]}: This invitation is not bound to an email address: give one.",
    ]


def test_the_csv_export_has_links_and_guards_formulas(client, organizer):
    delegation = DelegationFactory(name_en="=HYPERLINK(1)")
    invitation = InvitationFactory(event=delegation.event, delegation=delegation, note="+cmd")

    response = _action(client, "export_selected_csv", [invitation])

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == invitations.invitation_link(invitation)
    assert rows[1][1] == invitation.code
    assert "'=HYPERLINK(1)" in rows[1]
    assert "'+cmd" in rows[1]
    assert AuditEntry.objects.get(action="invitations_exported").data == {"format": "csv", "rows": 1}


def test_the_export_says_which_invitations_make_a_focal_point(client, organizer):
    delegation = DelegationFactory()
    focal = InvitationFactory(event=delegation.event, delegation=delegation, makes_focal_point=True)
    member = InvitationFactory(event=delegation.event, delegation=delegation)

    response = _action(client, "export_selected_csv", [focal, member])

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = "makes its holder a focal point of the delegation"
    assert {row["code"]: row[column] for row in rows} == {focal.code: "Yes", member.code: "No"}


def test_the_xlsx_export_has_links_as_text(client, organizer):
    invitations_ = [InvitationFactory(), InvitationFactory()]

    response = _action(client, "export_selected_xlsx", invitations_)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    links = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert links == {invitations.invitation_link(i) for i in invitations_}


def test_the_bulk_expiry_is_the_editions_local_time(client, organizer):
    event = EventFactory(time_zone="Asia/Almaty")

    client.post(
        BULK,
        {
            "event": event.pk,
            "count": "1",
            "max_uses": "1",
            "language": "en",
            "expires_at": "2031-05-01 18:00",
        },
    )

    expires = Invitation.objects.get().expires_at
    assert expires.astimezone(event.tz).replace(tzinfo=None) == datetime.datetime(2031, 5, 1, 18, 0)


def test_the_bulk_note_refuses_invisible_characters(client, organizer):
    event = EventFactory()

    response = client.post(
        BULK, {"event": event.pk, "count": "1", "max_uses": "1", "language": "en", "note": "MFA\u202egnp.exe"}
    )

    assert "note" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_russian_invitation_never_ends_a_date_with_two_full_stops():
    import datetime

    from django.utils import timezone

    invitation = InvitationFactory(
        email="focal@example.org",
        language="ru",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )

    invitations.send_invitation(invitation=invitation, actor=None)

    body = OutboxMessage.objects.get().body_text
    assert "г." in body  # Russian dates end with "г." (year) ...
    assert "г.." not in body  # ... which a sentence's own full stop must not follow
