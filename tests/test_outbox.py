"""The outbox: written with the change, delivered once the server accepts it, retried on failure."""

import datetime
import email
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from delegates import services
from delegates.models import OutboxMessage
from delegates.outbox import _claim, _record_sent, deliver_due, resend

from .factories import EventFactory, ProfileFactory, registration_data, superuser

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port():
    """A TCP port on loopback nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    """Mail goes to a real SMTP server on loopback (started by the test)."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    return port


@pytest.fixture
def event():
    now = datetime.datetime.now(datetime.UTC)
    return EventFactory(
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=1),
    )


def register(event, count):
    """`count` delegates register (online); each change queues one email."""
    for _ in range(count):
        services.submit_registration(
            event=event, user=ProfileFactory().user, details=registration_data(), sub_forums=[]
        )


def test_delivery_sends_due_messages_once_with_their_message_id(event):
    register(event, 2)
    assert mail.outbox == []
    assert deliver_due() == {"sent": 2, "failed": 0}
    assert deliver_due() == {"sent": 0, "failed": 0}
    ids = set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert {message.extra_headers["Message-ID"] for message in mail.outbox} == ids
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
    html = mail.outbox[0].alternatives[0]
    assert html.mimetype == "text/html" and "<html" in html.content


def test_a_refused_connection_keeps_the_message_with_back_off(event, smtp_settings, settings):
    settings.FORUM_MAIL_RETRY_MINUTES = [1, 5]
    register(event, 1)
    start = timezone.now()
    assert deliver_due(now=start) == {"sent": 0, "failed": 1}
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at == start + datetime.timedelta(minutes=1)
    assert "Connection refused" in message.last_error or "ConnectionRefusedError" in message.last_error
    assert deliver_due(now=start + datetime.timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # not due yet
    deliver_due(now=start + datetime.timedelta(minutes=1))
    message.refresh_from_db()
    assert message.next_attempt_at == start + datetime.timedelta(minutes=1 + 5)
    deliver_due(now=start + datetime.timedelta(minutes=6))
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 3, None)


def test_mail_server_outage_loses_nothing_and_doubles_nothing(event, smtp_settings):
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    server.start()
    register(event, 2)
    assert deliver_due() == {"sent": 2, "failed": 0}
    server.stop()

    register(event, 3)  # the server is down
    start = timezone.now()
    assert deliver_due(now=start) == {"sent": 0, "failed": 3}
    queued = OutboxMessage.objects.filter(status="queued")
    assert queued.count() == 3
    assert all(m.last_error and m.next_attempt_at == start + datetime.timedelta(minutes=1) for m in queued)

    server = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    server.start()
    try:
        assert deliver_due(now=start + datetime.timedelta(minutes=1)) == {"sent": 3, "failed": 0}
        assert deliver_due(now=start + datetime.timedelta(hours=2)) == {"sent": 0, "failed": 0}
    finally:
        server.stop()
    received = [message["Message-ID"] for message in inbox.messages]
    assert sorted(received) == sorted(OutboxMessage.objects.values_list("message_id", flat=True))
    assert len(received) == len(set(received)) == 5
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_resend_queues_a_sent_message_again(event):
    register(event, 1)
    deliver_due()
    message = OutboxMessage.objects.get()
    resend(message)
    assert deliver_due() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]


def test_after_commit_the_delivery_task_sends(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(event, 1)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_a_message_is_leased_to_one_worker_at_a_time(event):
    register(event, 1)
    message = OutboxMessage.objects.get()
    now = timezone.now()
    lease = _claim(message.pk, now)
    assert lease is not None
    assert _claim(message.pk, now) is None  # a second worker skips it
    assert _claim(message.pk, lease) is not None  # the lease ran out: the message is due again


def test_a_resend_during_a_send_is_not_lost(event):
    register(event, 1)
    message = OutboxMessage.objects.get()
    lease = _claim(message.pk, timezone.now())
    resend(message)  # an organizer asks for it again while it is being sent
    _record_sent(message, lease)
    assert OutboxMessage.objects.get().status == "queued"


def test_an_outage_schedules_one_retry_task_however_often_delivery_runs(event, smtp_settings, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    register(event, 3)
    start = timezone.now()
    for _ in range(5):
        deliver_due(now=start)
    deferred = DBTaskResult.objects.filter(task_path="delegates.tasks.deliver_outbox").exclude(
        run_after__year=9999
    )
    assert deferred.count() == 1
    assert deferred.get().run_after == start + datetime.timedelta(minutes=1)


def ask_for_a_password_reset(client, email_address="delegate@example.org"):
    """A verified delegate asks for a reset link (an account email, written by the allauth adapter)."""
    user = ProfileFactory(user__email=email_address).user
    EmailAddress.objects.create(user=user, email=email_address, verified=True, primary=True)
    client.post(reverse("account_reset_password"), {"email": email_address})
    return OutboxMessage.objects.get(to=email_address)


def test_an_account_email_loses_its_text_once_sent_and_other_emails_keep_theirs(client, event):
    reset = ask_for_a_password_reset(client)
    register(event, 1)
    registration = OutboxMessage.objects.exclude(pk=reset.pk).get()
    assert "/accounts/password/reset/key/" in reset.body_text

    assert deliver_due() == {"sent": 2, "failed": 0}

    sent = {message.to[0]: message for message in mail.outbox}
    assert "/accounts/password/reset/key/" in sent["delegate@example.org"].body
    reset.refresh_from_db()
    registration.refresh_from_db()
    assert (reset.status, reset.body_text, reset.body_html) == ("sent", "", "")
    assert reset.subject == sent["delegate@example.org"].subject  # what was sent, to whom, stays
    assert registration.body_text != "" and registration.body_html != ""


def test_an_account_email_keeps_its_text_while_it_waits_for_a_retry(client, smtp_settings):
    reset = ask_for_a_password_reset(client)
    assert deliver_due() == {"sent": 0, "failed": 1}  # nobody listens on the SMTP port
    reset.refresh_from_db()
    assert reset.status == "queued"
    assert "/accounts/password/reset/key/" in reset.body_text


def test_an_erased_account_email_is_not_sent_again_empty(client, event):
    reset = ask_for_a_password_reset(client)
    register(event, 1)
    deliver_due()
    client.force_login(superuser())

    response = client.post(
        reverse("admin:delegates_outboxmessage_changelist"),
        {
            "action": "resend_selected",
            "_selected_action": list(OutboxMessage.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Messages queued again: 1." in page
    assert "Not sent again: 1 account emails, whose links were erased once sent." in page
    reset.refresh_from_db()
    assert reset.status == "sent"
    assert deliver_due() == {"sent": 1, "failed": 0}
    assert [message.to for message in mail.outbox[2:]] == [
        [OutboxMessage.objects.exclude(pk=reset.pk).get().to]
    ]


def test_the_sweep_deletes_old_messages_and_keeps_failed_ones_longer(event, settings):
    settings.FORUM_OUTBOX_RETENTION_DAYS = 30
    settings.FORUM_OUTBOX_FAILED_RETENTION_DAYS = 90
    register(event, 6)
    deliver_due()
    now = timezone.now()
    rows = list(OutboxMessage.objects.order_by("pk"))
    ages = {
        "sent 31 days ago": ("sent", 31),
        "sent 29 days ago": ("sent", 29),
        "failed 89 days ago": ("failed", 89),
        "failed 91 days ago": ("failed", 91),
        "queued 200 days ago": ("queued", 200),
        "sent today": ("sent", 0),
    }
    for message, (label, (status, days)) in zip(rows, ages.items(), strict=True):
        when = now - datetime.timedelta(days=days)
        OutboxMessage.objects.filter(pk=message.pk).update(
            subject=label, status=status, created_at=when, sent_at=when if status == "sent" else None
        )
    out = io.StringIO()

    call_command("deliver_outbox", stdout=out)

    assert set(OutboxMessage.objects.values_list("subject", flat=True)) == {
        "sent 29 days ago",
        "failed 89 days ago",
        "queued 200 days ago",
        "sent today",
    }
    assert "deleted 2 old messages" in out.getvalue()


def test_an_imported_persons_set_password_link_is_erased_once_sent(client):
    from delegates.roles import ORGANIZERS

    from . import test_import as imports
    from .factories import SubForumFactory, open_event, staff_member

    event = open_event()
    for slug in ("beidou-cooperation", "green-development"):  # the sub-forums the example row picks
        SubForumFactory(event=event, slug=slug)
    ProfileFactory(user__email=imports.person(1)["email"])  # already has an account: no link for them
    client.force_login(staff_member(ORGANIZERS))
    imports.upload(client, imports.csv_file([imports.person(0), imports.person(1)]))
    imports.confirm(client)

    assert deliver_due() == {"sent": 2, "failed": 0}

    bodies = dict(OutboxMessage.objects.filter(kind="imported").values_list("to", "body_text"))
    assert bodies[imports.person(0)["email"]] == ""
    assert "/me/" in bodies[imports.person(1)["email"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body + mail.outbox[1].body


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru"])
def test_every_email_kind_reads_a_title_with_an_apostrophe_and_an_ampersand_as_typed(language):
    from delegates import invitations
    from delegates.models import Delegation, Invitation

    from .test_delegations import new_profile

    now = datetime.datetime.now(datetime.UTC)
    event = EventFactory(
        series_name="Women's & Youth Forum",
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=1),
    )
    delegate = ProfileFactory(preferred_language=language).user
    registration = services.submit_registration(
        event=event, user=delegate, details=registration_data(), sub_forums=[]
    )  # received
    services.approve_registration(registration=registration, actor=None)  # approved
    services.cancel_registration(
        registration=registration, actor=superuser(), reason="R&D's call"
    )  # cancelled
    delegation = Delegation.objects.create(event=event, name_en="Kazakhstan", country="KZ")
    invitation = Invitation.objects.create(event=event, email="focal@example.org", language=language)
    invitations.send_invitation(invitation=invitation, actor=None)  # invitation
    services.add_delegation_member(  # imported: a new member's welcome
        delegation=delegation,
        actor=superuser(),
        email="member@example.org",
        profile=new_profile(preferred_language=language),
        details=registration_data(),
        sub_forums=[],
    )

    messages = list(OutboxMessage.objects.all())
    assert {message.kind for message in messages} >= {
        "registration_received",
        "registration_approved",
        "registration_cancelled",
        "invitation",
        "imported",
    }
    for message in messages:
        for text in (message.subject, message.body_text):
            assert "&#x27;" not in text and "&#39;" not in text and "&amp;" not in text, (message.kind, text)
        assert "Women's & Youth Forum" in message.subject, message.kind


def test_allauth_emails_in_russian_do_not_nest_the_same_quotation_marks(client):
    password = "a-Long-passphrase-2026"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": password, "password2": password},
        headers={"accept-language": "ru"},
    )
    message = OutboxMessage.objects.get(to="new@example.org")
    # allauth's "Thank you for using «%(site_name)s»" around the forum's name, itself quoted.
    assert "«Форум сотрудничества „Китай — Центральная Азия“" in message.body_text
    assert "«Китай — Центральная Азия»»" not in message.body_text
