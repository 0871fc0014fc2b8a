"""Settings for the test suite: the production settings with test-only defaults."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("FORUM_DATA_KEYS", "dGVzdHMtb25seS1wYXNzcG9ydC1kYXRhLWtleS0zMmI=")  # not secret
os.environ.setdefault("FORUM_MAIL_CONSOLE", "true")  # Django's test runner swaps in locmem anyway
# Tests render pages without running collectstatic first.
os.environ.setdefault("DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
# The test client speaks plain HTTP; production redirects it to HTTPS.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only

# Background tasks run at once (after commit), so tests see delivered mail in mail.outbox.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Files the tests upload or the demo draws (pictures, letterheads) go to a folder of this run, never
# into the project's media/.
MEDIA_ROOT = tempfile.mkdtemp(prefix="forum_site_test_media_")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
