"""The one place that says who may use the staff area, export, read passports and check people in."""

from django.http import Http404


def can_use_staff_area(user) -> bool:
    """Registration staff and Organizers (and superusers); everyone else sees 404."""
    return user.is_active and user.is_staff and user.has_perm("delegates.view_registration")


def can_export(user) -> bool:
    """Whether the user may download attendee lists."""
    return can_use_staff_area(user) and user.has_perm("delegates.export_registration")


def can_see_passports(user) -> bool:
    """Only Organizers read passport data (for visa letters)."""
    return can_use_staff_area(user) and user.has_perm("delegates.view_passport")


def can_check_in(user) -> bool:
    """Whether the user may admit people at the desk."""
    return can_use_staff_area(user) and user.has_perm("delegates.add_checkin")


def can_import(user) -> bool:
    """Organizers import delegation lists (they may create accounts this way)."""
    return can_use_staff_area(user) and user.has_perm("delegates.add_registration")


def require(allowed: bool) -> None:
    """Answer 404, never 403: the staff area does not exist for those who may not use it."""
    if not allowed:
        raise Http404
