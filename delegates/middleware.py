"""Request-wide rules for staff and personal pages.

- Two-factor authentication before the staff area and the admin, for everyone who reads personal
  data: who must set it up is decided in delegates/permissions.py; StaffMfaMiddleware only turns
  such an account away from every URL under /staff/ and /admin/ (pages, exports, JSON alike),
  remembers what it asked for, and sends it back there once TOTP is set up.
- Staff sessions end FORUM_STAFF_SESSION_SECONDS after signing in (StaffSessionMiddleware).
- Nothing personal is kept by a browser or a proxy cache (PrivatePagesMiddleware).
- Browser features the site does not use are switched off (PermissionsPolicyMiddleware).
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .permissions import needs_two_factor_setup, reads_personal_data

# The page a staff member asked for before being sent to set up TOTP.
RETURN_TO_SESSION_KEY = "delegates:after_mfa_setup"
# When this session signed in (seconds since the epoch).
SIGNED_IN_AT_SESSION_KEY = "delegates:signed_in_at"
# Pages anyone may cache: the public programme site (the events app), the health check, the
# privacy notice, and only for visitors who are not signed in. Everything else is never stored.
PUBLIC_URL_NAMESPACES = frozenset({"events"})
PUBLIC_URL_NAMES = frozenset({"healthz", "privacy"})


def note_sign_in(sender, request, user, **kwargs) -> None:
    """Remember when this session signed in (user_logged_in), for StaffSessionMiddleware."""
    request.session[SIGNED_IN_AT_SESSION_KEY] = time.time()


class StaffSessionMiddleware:
    """Signs staff out FORUM_STAFF_SESSION_SECONDS after they signed in, whenever they got their role."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.too_old_for_staff(request) and reads_personal_data(request.user):
            logout(request)
            messages.info(request, _("Your staff session has ended. Please sign in again."))
        return self.get_response(request)

    @staticmethod
    def too_old_for_staff(request) -> bool:
        """A signed-in session older than a staff session may be (or from before sign-in times were kept)."""
        if not request.user.is_authenticated:
            return False
        signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY)
        if not isinstance(signed_in_at, (int, float)):
            return True
        return time.time() - signed_in_at >= settings.FORUM_STAFF_SESSION_SECONDS


def is_public(request) -> bool:
    """A page of the public site seen by a visitor who is not signed in."""
    match = request.resolver_match
    if match is None or request.user.is_authenticated:
        return False
    return match.namespace in PUBLIC_URL_NAMESPACES or match.view_name in PUBLIC_URL_NAMES


class PrivatePagesMiddleware:
    """Tells browsers and proxies never to store a response unless it is a public page (`is_public`).

    One rule for every page, file and JSON answer: a page added later is private until it is
    declared public here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_public(request):
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (settings.PERMISSIONS_POLICY) with every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def return_to(request) -> str | None:
    """Where to send this staff member once two-factor authentication is set up (a local path)."""
    target = request.session.get(RETURN_TO_SESSION_KEY)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


class StaffMfaMiddleware:
    """Sends staff without two-factor authentication to set it up, then back to the page they asked for."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.guarded = None

    def __call__(self, request):
        if self.guarded is None:
            self.guarded = (reverse("admin:index"), reverse("staff:home"))
            self.activate_path = reverse("mfa_activate_totp")
            self.overview_path = reverse("mfa_index")
        if request.path.startswith(self.guarded):
            if needs_two_factor_setup(request.user):
                return self.turn_away(request)
            request.session.pop(RETURN_TO_SESSION_KEY, None)  # arrived: the link back has served
        response = self.get_response(request)
        if request.path == self.activate_path and request.method == "POST":
            return self.back_after_setup(request, response)
        return response

    def turn_away(self, request):
        """Remember the page asked for and send the user to set up TOTP."""
        request.session[RETURN_TO_SESSION_KEY] = self.page_asked_for(request)
        messages.warning(
            request,
            _(
                "Set up two-factor authentication first: everyone who can read delegates' personal data needs it."
            ),
        )
        return redirect("mfa_activate_totp")

    def page_asked_for(self, request) -> str:
        """A GET's own URL; for a form sent (POST), the page the form was on, else the area's home."""
        if request.method == "GET":
            return request.get_full_path()
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(referer)
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
        return next(prefix for prefix in self.guarded if request.path.startswith(prefix))

    def back_after_setup(self, request, response):
        """Back to the page asked for once TOTP is set up (new recovery codes first: their page links back)."""
        target = return_to(request)
        activated = response.status_code == 302 and not needs_two_factor_setup(request.user)
        if target and activated and response["Location"] == self.overview_path:
            del request.session[RETURN_TO_SESSION_KEY]
            return HttpResponseRedirect(target)
        return response
