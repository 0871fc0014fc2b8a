"""WSGI entry point, used by gunicorn (`gunicorn forum_site.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum_site.settings")

application = get_wsgi_application()
