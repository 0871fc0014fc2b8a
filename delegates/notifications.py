"""The emails a delegate receives when their registration changes, or when someone else registers
them (an import, a focal point), in their preferred language."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse

from .models import Registration, User
from .outbox import queue_email
from .selectors import waitlist_position


def delegate_language(registration: Registration) -> str:
    """The language the delegate asked for, else the site's default."""
    profile = getattr(registration.user, "profile", None)
    return profile.preferred_language if profile else settings.LANGUAGE_CODE


def notify(registration: Registration, kind: str, **extra) -> None:
    """Queue the email of one registration event: received, approved, waitlisted, promoted, ..."""
    context = {
        "kind": kind,
        "registration": registration,
        "event": registration.event,
        "profile": getattr(registration.user, "profile", None),
        "me_url": settings.FORUM_SITE_URL + reverse("delegates:me"),
        "position": waitlist_position(registration) if kind == "waitlisted" else None,
        **extra,
    }
    queue_email(
        to=registration.user.email,
        template="registration",
        context=context,
        language=delegate_language(registration),
        kind=f"registration_{kind}",
    )


def new_account_link(user: User) -> str:
    """A link for an imported person to set their password (allauth's reset link)."""
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return settings.FORUM_SITE_URL + path


def welcome(event, user, created: bool) -> None:
    """Email the person: set a password (new accounts), confirm the details and consent."""
    context = {
        "event": event,
        "profile": user.profile,
        "password_url": new_account_link(user) if created else "",
        "me_url": settings.FORUM_SITE_URL + reverse("delegates:me"),
    }
    queue_email(
        to=user.email,
        template="imported",
        context=context,
        language=user.profile.preferred_language,
        kind="imported",
        has_secret_link=created,  # a new account's set-password link
    )
