"""Two-factor authentication before the staff area and the admin, for everyone who reads personal data.

Who must set it up is decided in delegates/permissions.py; this middleware only turns such an
account away from every URL under /staff/ and /admin/ (pages, exports, JSON alike), remembers
what it asked for, and sends it back there once TOTP is set up.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .permissions import needs_two_factor_setup

# The page a staff member asked for before being sent to set up TOTP.
RETURN_TO_SESSION_KEY = "delegates:after_mfa_setup"


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
