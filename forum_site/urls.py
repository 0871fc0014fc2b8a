from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from delegates.views import set_language

from .views import healthz

# The admin signs in through allauth, with its rate limits and two-factor authentication.
admin.site.login = secure_admin_login(admin.site.login)
# The admin's header and its pages' titles carry the forum's name, in the organizer's language.
admin.site.site_header = admin.site.site_title = _("China–Central Asia Cooperation Forum")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("staff/", include("delegates.staff_urls")),
    path("", include("delegates.urls")),
    path("", include("events.urls")),
]

# Uploaded pictures in development; in production the proxy serves MEDIA_ROOT (see the README).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
