"""The emails a delegate receives when their registration changes, in their preferred language."""

from django.conf import settings
from django.urls import reverse

from .models import Registration
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
