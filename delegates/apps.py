from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="delegates.note_sign_in")
