import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_x(client):
    print(settings.SESSION_ENGINE, settings.CACHES, settings.DATABASES)
