"""What every template may ask: the user's permissions by name, and where two-factor setup leads back to."""

from .middleware import return_to
from .permissions import allows


class UserPermissions:
    """What templates read as `may.<name>` (e.g. `{% if may.import %}`), each asked on first use."""

    def __init__(self, user):
        self.user = user
        self.answers = {}

    def __getitem__(self, permission: str) -> bool:
        if permission not in self.answers:
            self.answers[permission] = allows(self.user, permission)
        return self.answers[permission]


def permissions(request) -> dict:
    """`may`: the signed-in user's permissions, named as in delegates.permissions.PERMISSIONS."""
    return {"may": UserPermissions(request.user)}


def staff_mfa(request) -> dict:
    """`mfa_return_to`: the staff page to go back to once two-factor authentication is set up."""
    # A callable, which templates call only where they use it: most pages never touch the session.
    return {"mfa_return_to": lambda: return_to(request)}
