"""One place that decides whether an organizer may enter the admin without two-factor authentication."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import ORGANIZERS


def needs_mfa_setup(user) -> bool:
    """An organizer or superuser without an authenticator, when FORUM_ORGANIZER_MFA_REQUIRED is on."""
    if not settings.FORUM_ORGANIZER_MFA_REQUIRED or not user.is_authenticated:
        return False
    if not (user.is_superuser or user.groups.filter(name=ORGANIZERS).exists()):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class OrganizerMfaMiddleware:
    """Sends organizers without two-factor authentication to set it up before the admin."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix) and needs_mfa_setup(request.user):
            messages.warning(
                request, _("Organizers must set up two-factor authentication before using the admin.")
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
