"""The outbox: written with the change, delivered once the server accepts it, retried on failure."""

import datetime
import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from delegates import services
from delegates.models import OutboxMessage
from delegates.outbox import _claim, _record_sent, deliver_due, resend

from .factories import EventFactory, ProfileFactory, registration_data

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
