"""allauth hooks: its emails go through the outbox like every other message; client addresses
behind the proxies never fail a sign-in."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .outbox import queue_prepared_email

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Keeps allauth's emails (verification, password reset...) in the outbox for delivery."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message and queue it instead of sending it inline."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        site = get_current_site(request)
        site.name = settings.FORUM_SITE_NAME  # "Hello from <the forum>", not from a host name
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

    def get_client_ip(self, request) -> str:
        """The client's address for rate limits: from X-Forwarded-For behind FORUM_TRUSTED_PROXY_COUNT proxies."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # Fewer addresses than trusted proxies: the request went around one of them (or the
            # count is wrong). Count it under the address that reached us instead of failing.
            logger.warning("X-Forwarded-For holds fewer addresses than FORUM_TRUSTED_PROXY_COUNT")
            return request.META["REMOTE_ADDR"]
