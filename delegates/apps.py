from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")

    def ready(self):
        from allauth.account.signals import password_reset
        from django.contrib.auth.signals import user_logged_in

        from events.services import event_cloned

        from . import checks  # noqa: F401 (registers the system checks)
        from .adapters import verify_address_on_password_reset
        from .invitations import copy_delegations
        from .middleware import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="delegates.note_sign_in")
        event_cloned.connect(copy_delegations, dispatch_uid="delegates.copy_delegations")
        password_reset.connect(verify_address_on_password_reset, dispatch_uid="delegates.verify_on_reset")
