"""The outbox: every email is a row written in the same transaction as the change it reports.

The delivery step sends what is due and marks it sent once the server accepted it; a failure keeps
the message queued with back-off and records the error, so a mail-server outage loses nothing.
Secrets do not stay: a message carrying a sign-in, verification or password link loses its text as
soon as it is sent, and the sweep deletes old messages (`purge_old`)."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from events.typography import nest_quotes

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def retry_delays() -> list[datetime.timedelta]:
    """Waits before each retry: 1, 5, 15, 60 minutes, then hourly for a day (FORUM_MAIL_RETRY_MINUTES)."""
    return [datetime.timedelta(minutes=minutes) for minutes in settings.FORUM_MAIL_RETRY_MINUTES]


def render_text(name: str, context: dict) -> str:
    """A plain-text part of an email (its subject, its text body): never HTML-escaped, so a title
    such as "Women's & Youth Forum" reads as typed, whatever the template forgets to say."""
    return get_template(name).template.render(Context(context, autoescape=False))


def queue_email(
    *, to: str, template: str, context: dict, language: str, kind: str = "", has_secret_link: bool = False
) -> OutboxMessage:
    """Render `delegates/email/<template>` in `language` and keep it for delivery after commit."""
    with translation.override(language):
        # A title the translation quotes may hold quotes itself: «…„…“», not «…«…»».
        subject = nest_quotes(render_text(f"delegates/email/{template}_subject.txt", context).strip())
        body_text = nest_quotes(render_text(f"delegates/email/{template}.txt", context))
        body_html = nest_quotes(render_to_string(f"delegates/email/{template}.html", context))
    domain = settings.FORUM_UID_DOMAIN
    message = OutboxMessage.objects.create(
        to=to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        language=language,
        kind=kind or template,
        has_secret_link=has_secret_link,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(schedule_delivery)
    return message


def queue_prepared_email(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
    has_secret_link: bool = False,
) -> None:
    """Keep an already rendered email (allauth's messages, in the active language) for delivery after commit."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    OutboxMessage.objects.create(
        to=to,
        subject=" ".join(nest_quotes(subject, language).split()),
        body_text=nest_quotes(body_text, language),
        body_html=nest_quotes(body_html, language),
        message_id=f"<{uuid.uuid4().hex}@{settings.FORUM_UID_DOMAIN}>",
        language=language,
        kind=kind,
        has_secret_link=has_secret_link,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(schedule_delivery)


def schedule_delivery(run_after: datetime.datetime | None = None) -> None:
    """Queue the delivery step as a background task (at `run_after` where the backend can defer)."""
    from .tasks import deliver_outbox

    task = deliver_outbox
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the worker's periodic run or `manage.py deliver_outbox` retries it
        task = task.using(run_after=run_after)
    try:
        task.enqueue()
    except Exception:  # the rows stay queued; a later run sends them
        logger.exception("Could not queue the outbox delivery task")


def _claim(message_id: int, now: datetime.datetime) -> datetime.datetime | None:
    """Lease one due message to this worker; return the lease, or None when another worker has it.

    The lease runs from the moment of the claim (not the start of the batch), and the lease
    time doubles as the claim's token: the outcome is written only while it is unchanged."""
    lease = max(now, timezone.now()) + datetime.timedelta(seconds=settings.FORUM_MAIL_LEASE_SECONDS)
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=lease)
    return lease if claimed else None


def _as_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The Django email for an outbox row, with its stable Message-ID."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message.message_id},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _record_failure(
    message: OutboxMessage, lease: datetime.datetime, error: Exception, now: datetime.datetime
) -> None:
    """Keep the message queued for the next attempt, or give up when the schedule is spent."""
    delays = retry_delays()
    attempts = message.attempts + 1
    gave_up = attempts > len(delays)
    OutboxMessage.objects.filter(pk=message.pk, next_attempt_at=lease).update(
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        status=OutboxMessage.Status.FAILED if gave_up else OutboxMessage.Status.QUEUED,
        next_attempt_at=None if gave_up else now + delays[attempts - 1],
    )


def _record_sent(message: OutboxMessage, lease: datetime.datetime) -> None:
    """The server accepted the message (unless a resend re-queued it meanwhile, which then stands).

    A secret link is erased with it: the person has it now, and a copy here only helps a thief."""
    erased = {"body_text": "", "body_html": ""} if message.has_secret_link else {}
    OutboxMessage.objects.filter(pk=message.pk, next_attempt_at=lease).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        attempts=message.attempts + 1,
        last_error="",
        next_attempt_at=None,
        **erased,
    )


def deliver_due(*, limit: int = 500, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every due message once; return how many were sent and how many failed.

    Each message is claimed by a short conditional update and sent outside any transaction, so
    no lock is held while the mail server answers (or does not)."""
    sent = failed = 0
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)
    backend = mail.mailers.default
    for message in due.order_by("next_attempt_at", "pk")[:limit]:
        lease = _claim(message.pk, now)
        if lease is None:
            continue
        try:
            backend.send_messages([_as_email(message)])
        except Exception as error:  # any server or network failure: retry later
            _record_failure(message, lease, error, now)
            failed += 1
            continue
        _record_sent(message, lease)
        sent += 1
    _schedule_next_retry()
    return {"sent": sent, "failed": failed}


def _schedule_next_retry() -> None:
    """Ask the worker to come back when the next queued message is due (once per minute slot)."""
    upcoming = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED, next_attempt_at__gt=timezone.now())
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if upcoming is None:
        return
    slot = upcoming.replace(second=0, microsecond=0)
    wait = max(int((upcoming - timezone.now()).total_seconds()) + 120, 60)
    # Without this, every delivery run during an outage would add one more deferred task.
    if cache.add(f"outbox:retry-scheduled:{slot.isoformat()}", True, timeout=wait):
        schedule_delivery(run_after=upcoming)


def resend(message: OutboxMessage) -> bool:
    """Queue a sent or failed message again, now (organizers' "resend"); False when its text was erased."""
    if message.is_erased:
        return False
    message.status = OutboxMessage.Status.QUEUED
    message.next_attempt_at = timezone.now()
    message.attempts = 0
    message.save(update_fields=["status", "next_attempt_at", "attempts"])
    transaction.on_commit(schedule_delivery)
    return True


def purge_old(*, now: datetime.datetime | None = None) -> int:
    """Delete messages sent more than FORUM_OUTBOX_RETENTION_DAYS ago, and given-up ones after
    FORUM_OUTBOX_FAILED_RETENTION_DAYS; return how many were deleted. Queued ones always stay."""
    now = now or timezone.now()
    sent_before = now - datetime.timedelta(days=settings.FORUM_OUTBOX_RETENTION_DAYS)
    failed_before = now - datetime.timedelta(days=settings.FORUM_OUTBOX_FAILED_RETENTION_DAYS)
    Status = OutboxMessage.Status
    deleted, _by_model = OutboxMessage.objects.filter(
        Q(status=Status.SENT, sent_at__lt=sent_before) | Q(status=Status.FAILED, created_at__lt=failed_before)
    ).delete()
    return deleted
