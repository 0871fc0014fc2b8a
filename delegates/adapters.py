"""allauth hooks: its emails go through the outbox like every other message, under the forum's name
in the reader's language; confirming an address says so once; client addresses behind the proxies
never fail a sign-in."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from .outbox import queue_prepared_email

logger = logging.getLogger(__name__)
EMAIL_CONFIRMED = "account/messages/email_confirmed.txt"
LOGGED_IN = "account/messages/logged_in.txt"


def forum_name() -> str:
    """The forum's name in the active language (FORUM_SITE_NAME, translated when the catalogues know it)."""
    return gettext(settings.FORUM_SITE_NAME)


class AccountAdapter(DefaultAccountAdapter):
    """Keeps allauth's emails (verification, password reset...) in the outbox for delivery."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message and queue it instead of sending it inline."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        site = get_current_site(request)
        site.name = forum_name()  # "Hello from <the forum>", not from a host name
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
        )
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        text = message.body if message.content_subtype == "plain" else ""
        queue_prepared_email(
            to=email,
            subject=message.subject,
            body_text=text or html,
            body_html=html,
            kind=template_prefix.rsplit("/", 1)[-1],
            # Verification, sign-in code and password links: erased once sent (delegates/outbox.py).
            has_secret_link=True,
        )

    def format_email_subject(self, subject: str) -> str:
        """The subject after the forum's name in the reader's language: "[中国—中亚合作论坛] …"."""
        return f"[{forum_name()}] {subject}"

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        """allauth's message, except around a confirmation: "You have confirmed…" waits until we know
        whether the same click signs the person in (`post_login`), and "Successfully signed in" is
        then not added: one message, not a stack."""
        if message_template == EMAIL_CONFIRMED:
            request.forum_confirmation_message = (level, message_template, message_context)
            return
        if message_template == LOGGED_IN and getattr(request, "forum_confirmed_on_login", False):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def post_login(self, request, user, **kwargs):
        """After a confirmation that signs in: "You have confirmed…" when the person lands on their
        page; nothing when they return to the page they came from (it says what comes next)."""
        held = getattr(request, "forum_confirmation_message", None)
        if held is not None:
            del request.forum_confirmation_message
            request.forum_confirmed_on_login = True
            if not kwargs.get("redirect_url"):
                super().add_message(request, *held)
        return super().post_login(request, user, **kwargs)

    def get_email_verification_redirect_url(self, email_address):
        """Where a confirmation that did not sign anyone in goes, with its "You have confirmed…"."""
        held = getattr(self.request, "forum_confirmation_message", None)
        if held is not None:
            del self.request.forum_confirmation_message
            super().add_message(self.request, *held)
        return super().get_email_verification_redirect_url(email_address)

    def get_client_ip(self, request) -> str:
        """The client's address for rate limits: from X-Forwarded-For behind FORUM_TRUSTED_PROXY_COUNT proxies."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # Fewer addresses than trusted proxies: the request went around one of them (or the
            # count is wrong). Count it under the address that reached us instead of failing.
            logger.warning("X-Forwarded-For holds fewer addresses than FORUM_TRUSTED_PROXY_COUNT")
            return request.META["REMOTE_ADDR"]


def verify_address_on_password_reset(sender, request, user, **kwargs) -> None:
    """A password set from an emailed link proves the address (allauth's password_reset signal).

    Imported people and members added by a focal point get a set-password link instead of a
    verification email; without this, their first sign-in asked them to verify the address again.
    Only an account with one address is verified: with a second (a pending change) the link may
    have gone to that one, which would otherwise vouch for the first."""
    addresses = list(EmailAddress.objects.filter(user=user))
    if len(addresses) == 1 and addresses[0].email.lower() == user.email.lower() and not addresses[0].verified:
        addresses[0].verified = True
        addresses[0].save(update_fields=["verified"])
