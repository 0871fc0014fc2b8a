"""Development mail (`make run`): the console prints each email decoded, every link whole."""

import re

import pytest
from django.test import Client

from delegates import services
from delegates.models import OutboxMessage
from delegates.outbox import deliver_due

from .factories import ProfileFactory, open_event, registration_data
from .test_outbox import ask_for_a_password_reset
from .test_settings import read_settings

pytestmark = pytest.mark.django_db


def printed_on_the_console(settings, capsys) -> str:
    """Deliver the outbox through the mailer `make run` has (DJANGO_DEBUG=true); what it printed."""
    backend = read_settings({"DJANGO_DEBUG": "true"}, "s.MAILERS['default']['BACKEND']").stdout.strip()
    settings.MAILERS = {"default": {"BACKEND": backend}}
    capsys.readouterr()
    deliver_due()
    return capsys.readouterr().out


def test_the_console_prints_emails_decoded_with_their_links_whole(settings, capsys):
    client = Client()
    client.cookies["django_language"] = "ru"
    reset = ask_for_a_password_reset(client, "delegate@example.org")
    link = re.search(r"http\S+/accounts/password/reset/key/\S+", reset.body_text).group()
    event = open_event()
    services.submit_registration(
        event=event,
        user=ProfileFactory(preferred_language="ru").user,
        details=registration_data(),
        sub_forums=[],
    )
    registration_email = OutboxMessage.objects.exclude(pk=reset.pk).get()

    printed = printed_on_the_console(settings, capsys)

    assert len(link) > 76 and link in printed.splitlines()  # a whole line, so a terminal makes it a link
    assert f"Subject: {reset.subject}" in printed and f"Subject: {registration_email.subject}" in printed
    assert registration_email.body_text.strip() in printed  # the site's own email, in Russian, as written
    assert re.search(r"[а-я]{4}", printed) and "base64" not in printed and "=\n" not in printed
    assert "To: delegate@example.org" in printed and "Also sent as: text/html" in printed
