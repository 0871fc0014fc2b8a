"""`{% edition_to_register as edition %}`: the edition a signed-out visitor was registering for.

The register link of an edition (and an invitation's link) sends a signed-out visitor to the sign-in
page with `next=/events/<slug>/register/...`; the sign-in and sign-up pages then name that edition.
Only a path on this site that resolves to a public edition's register page counts; anything else
gives None, and nothing of `next` is shown."""

from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from events.models import Event

register = template.Library()
MAX_NEXT_LENGTH = 2000


@register.simple_tag(takes_context=True)
def edition_to_register(context):
    """The public edition whose register page `next` leads to, or None."""
    request = context.get("request")
    if request is None:
        return None
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return edition_behind(next_url)


def edition_behind(next_url: str):
    """The public edition of a local register path such as "/events/<slug>/register/?invitation=…"."""
    if not next_url or len(next_url) > MAX_NEXT_LENGTH:
        return None
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None, require_https=False):
        return None
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except (Resolver404, ValueError):
        return None
    if match.view_name != "delegates:register":
        return None
    return Event.objects.published().filter(slug=match.kwargs["event_slug"]).first()
