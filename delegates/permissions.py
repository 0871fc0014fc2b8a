"""The one place that decides who may do what in the staff area, the admin's delegate pages and the
templates, and who must set up two-factor authentication first.

Views declare what they need by name (`PermissionRequiredMixin.permission_required`, or the
`permission_required` decorator); templates ask the same names through `may` (the context
processor below); the admin calls the predicates. Anonymous visitors are sent to sign in; a
signed-in account without the permission gets 404, never 403: the page does not exist for it.
"""

from collections.abc import Callable
from functools import wraps

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from events.models import Event

from .models import Delegation


def is_focal_point(user, delegation) -> bool:
    """Whether the account registers this delegation's members (a focal point is not staff)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and delegation.pk
        and delegation.focal_points.filter(pk=user.pk).exists()
    )


def focal_delegations(user):
    """The delegations this account is a focal point of, in published or archived editions (a draft
    edition, such as a fresh clone, is the organizers' until published); none for anonymous or
    inactive accounts."""
    if not (user.is_authenticated and user.is_active):
        return Delegation.objects.none()
    return Delegation.objects.filter(focal_points=user).exclude(event__status=Event.Status.DRAFT)


def can_use_staff_area(user) -> bool:
    """Registration staff and Organizers (and superusers); everyone else sees 404."""
    # is_staff first: it costs no query, so delegates' pages never load permissions for it.
    return user.is_active and user.is_staff and user.has_perm("delegates.view_registration")


def can_export(user) -> bool:
    """Whether the user may download attendee lists."""
    return can_use_staff_area(user) and user.has_perm("delegates.export_registration")


def can_see_passports(user) -> bool:
    """Only Organizers (and superusers) read passport data (for visa letters)."""
    return can_use_staff_area(user) and user.has_perm("delegates.view_passport")


def can_check_in(user) -> bool:
    """Whether the user may admit people at the desk."""
    return can_use_staff_area(user) and user.has_perm("delegates.add_checkin")


def can_import(user) -> bool:
    """Organizers import delegation lists (they may create accounts this way)."""
    return can_use_staff_area(user) and user.has_perm("delegates.add_registration")


def can_edit_for_delegate(user) -> bool:
    """Organizers (and superusers) edit a delegate's registration for them, even after closing."""
    return can_use_staff_area(user) and user.has_perm("delegates.change_registration")


def can_act_at_desk(user) -> bool:
    """Both roles' desk actions for a delegate: undo a check-in, reissue a badge, cancel with a reason."""
    return can_use_staff_area(user) and user.has_perm("delegates.check_in_registration")


PERMISSIONS: dict[str, Callable[[object], bool]] = {
    "staff_area": can_use_staff_area,
    "export": can_export,
    "see_passports": can_see_passports,
    "check_in": can_check_in,
    "import": can_import,
    "edit_for_delegate": can_edit_for_delegate,
    "act_at_desk": can_act_at_desk,
}


def allows(user, permission: str) -> bool:
    """Whether the user has the named permission (a key of PERMISSIONS)."""
    return user.is_authenticated and PERMISSIONS[permission](user)


def require(allowed: bool) -> None:
    """Answer 404, never 403: the staff area does not exist for those who may not use it."""
    if not allowed:
        raise Http404


def reads_personal_data(user) -> bool:
    """Superusers and every staff account that may read registrations (both roles)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm("delegates.view_registration"))
    )


def needs_two_factor_setup(user) -> bool:
    """An account that reads personal data but has no TOTP authenticator, when FORUM_STAFF_MFA_REQUIRED is on."""
    if not settings.FORUM_STAFF_MFA_REQUIRED or not reads_personal_data(user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _known(permission: str) -> None:
    """A misspelt permission name fails when the view is declared, not on its first request."""
    if permission not in PERMISSIONS:
        raise ImproperlyConfigured(
            f"Unknown permission {permission!r}; see delegates.permissions.PERMISSIONS."
        )


def _checked(request, permission: str):
    """None when the request may go on; the sign-in redirect for anonymous visitors; else 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require(allows(request.user, permission))
    return None


def permission_required(permission: str):
    """Decorate a function view: sign in first, then the named permission or 404."""
    _known(permission)

    def decorator(view):
        @wraps(view)
        def checked_view(request, *args, **kwargs):
            return _checked(request, permission) or view(request, *args, **kwargs)

        return checked_view

    return decorator


class PermissionRequiredMixin:
    """A class-based view that declares the named permission it needs (`permission_required`)."""

    permission_required = "staff_area"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _known(cls.permission_required)

    def dispatch(self, request, *args, **kwargs):
        return _checked(request, self.permission_required) or super().dispatch(request, *args, **kwargs)
