"""Settings for forum_site, read from the environment (see the README's configuration table)."""

import secrets
import sys
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A development key exists only when debugging; production must bring its own.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# Commands that sign and send nothing (checks, migration files, catalogues, static files) run
# without a secret key or a mail server.
OFFLINE_COMMANDS = {"check", "makemigrations", "makemessages", "compilemessages", "collectstatic"}
OFFLINE_COMMAND = (
    Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] != [] and sys.argv[1] in OFFLINE_COMMANDS
)
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 (DEBUG only)
    elif OFFLINE_COMMAND:
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for local development).")

# Passport data is encrypted at rest with these Fernet keys (comma-separated): the first encrypts,
# every one decrypts, so a new key goes first and `manage.py rotate_data_key` moves the rows onto it.
FORUM_DATA_KEYS = env.list("FORUM_DATA_KEYS", default=[])
FORUM_DATA_KEYS_GIVEN = bool(FORUM_DATA_KEYS)  # `check --deploy` says so when it is not
if not FORUM_DATA_KEYS:
    if DEBUG:
        FORUM_DATA_KEYS = ["Zm9ydW0tc2l0ZS1kZXZlbG9wbWVudC1vbmx5LWtleSE="]  # DEBUG only, never for real data
    elif OFFLINE_COMMAND:
        FORUM_DATA_KEYS = [Fernet.generate_key().decode()]  # reads and writes no passport
    else:
        raise ImproperlyConfigured(
            "Set FORUM_DATA_KEYS to one or more Fernet keys (comma-separated) to encrypt passport data; "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
for _index, _key in enumerate(FORUM_DATA_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FORUM_DATA_KEYS: key {_index} is not a Fernet key (32 url-safe base64-encoded bytes)."
        ) from None

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, which it extends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "phonenumber_field",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "delegates",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "delegates.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "delegates.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "delegates.locks.BusyMiddleware",
    "delegates.middleware.StaffSessionMiddleware",
    "delegates.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "forum_site.urls"
WSGI_APPLICATION = "forum_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "delegates.context_processors.permissions",
                "delegates.context_processors.staff_mfa",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# No request waits longer than this for a row lock (PostgreSQL lock_timeout, for every statement;
# the seat-counting locks read it again each time); past it people are told the site is busy and
# to try again (503 with Retry-After, delegates.locks), never shown an error page.
FORUM_LOCK_TIMEOUT_SECONDS = env.float("FORUM_LOCK_TIMEOUT_SECONDS", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c lock_timeout={int(FORUM_LOCK_TIMEOUT_SECONDS * 1000)}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "delegates.User"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://forum-site")}
SESSION_ENGINE = env.str("DJANGO_SESSION_ENGINE", default="django.contrib.sessions.backends.db")

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "delegates:me"

# Accounts (django-allauth 65): email is the login, verified before use; allauth's rate limits
# (default ACCOUNT_RATE_LIMITS) apply, and enumeration is prevented. Its email subjects start with
# the forum's name in the reader's language ("[中国—中亚合作论坛] …", the adapter), not a prefix here.
ACCOUNT_ADAPTER = "delegates.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "forum_site"
# Everyone who can read delegates' personal data (Organizers, Registration staff, superusers) sets
# up TOTP before any page of /staff/ or /admin/ (delegates/middleware.py); the demo turns it off.
FORUM_STAFF_MFA_REQUIRED = env.bool("FORUM_STAFF_MFA_REQUIRED", default=True)
# The same accounts stay signed in this long after signing in (delegates: SESSION_COOKIE_AGE, two
# weeks); checked on every request, so a role granted during a session shortens it too.
FORUM_STAFF_SESSION_SECONDS = env.int("FORUM_STAFF_SESSION_SECONDS", default=8 * 60 * 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Programme content (titles, themes, summaries...) is entered per language; missing ones show English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# A request whose fields other than files exceed this is refused (400) before it reaches a form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files are not counted above: each kind has its cap, which its form checks with a clear message.
# The proxy's body limit (docs/deployment.md) must be above the largest of them.
FORUM_MAX_IMAGE_BYTES = env.int("FORUM_MAX_IMAGE_BYTES", default=10 * 1024 * 1024)
FORUM_MAX_DOCUMENT_BYTES = env.int("FORUM_MAX_DOCUMENT_BYTES", default=20 * 1024 * 1024)
FORUM_MAX_IMPORT_BYTES = env.int("FORUM_MAX_IMPORT_BYTES", default=5 * 1024 * 1024)

# Mail: Django 6.1 mailers. SMTP when SMTP_HOST is set; the console only when debugging or asked.
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="forum@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_HOST = env.str("SMTP_HOST", default="")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env.int("SMTP_PORT", default=587),
                "username": env.str("SMTP_USER", default=""),
                "password": env.str("SMTP_PASSWORD", default=""),
                "use_tls": env.bool("SMTP_STARTTLS", default=True),
                "timeout": env.int("SMTP_TIMEOUT", default=20),
            },
        }
    }
elif DEBUG:
    # Printed decoded, links whole (delegates/dev_mail.py): Django's console prints base64 and cut links.
    MAILERS = {"default": {"BACKEND": "delegates.dev_mail.ReadableConsoleBackend"}}
elif OFFLINE_COMMAND or env.bool("FORUM_MAIL_CONSOLE", default=False):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Production without a mail server would print delegates' emails to a log and lose them.
    raise ImproperlyConfigured("Set SMTP_HOST (or FORUM_MAIL_CONSOLE=true to print emails instead).")

PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Background work (Django's tasks framework): the database queue, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": env.str("FORUM_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Outbox retries: minutes to wait before each new attempt (1, 5, 15, 60, then hourly for a day).
FORUM_MAIL_RETRY_MINUTES = env.list("FORUM_MAIL_RETRY_MINUTES", cast=int, default=[1, 5, 15, 60] + [60] * 24)
# A worker that claimed a message but died is replaced after this many seconds.
FORUM_MAIL_LEASE_SECONDS = env.int("FORUM_MAIL_LEASE_SECONDS", default=300)
# The sweep deletes sent messages this many days after sending, and messages it gave up on this
# many days after they were written (long enough for organizers to see and resend them).
FORUM_OUTBOX_RETENTION_DAYS = env.int("FORUM_OUTBOX_RETENTION_DAYS", default=30)
FORUM_OUTBOX_FAILED_RETENTION_DAYS = env.int("FORUM_OUTBOX_FAILED_RETENTION_DAYS", default=90)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

COUNTRIES_FIRST = ["CN", "KZ", "KG", "TJ", "TM", "UZ"]
COUNTRIES_FIRST_REPEAT = True

# Security headers. The CSP allows only our own origin; inline scripts need the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Powerful browser features are off; the camera stays on for our own pages (the check-in desk's
# QR scanner). Passkeys would need publickey-credentials-get=(self).
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "bluetooth",
                "browsing-topics",
                "display-capture",
                "encrypted-media",
                "fullscreen",
                "geolocation",
                "gyroscope",
                "hid",
                "idle-detection",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "publickey-credentials-get",
                "screen-wake-lock",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
    ]
)
# How many proxies stand in front of the app servers (the README's deployment: 1). Each appends
# the address it saw to X-Forwarded-For, so the one this many places from the right is the client's:
# allauth's rate limits count per client, not per proxy. With 0, X-Forwarded-For is ignored (a
# client could write anything there). A trusted proxy also says whether the request came over
# HTTPS (X-Forwarded-Proto; it must overwrite what the client sent).
FORUM_TRUSTED_PROXY_COUNT = env.int("FORUM_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = FORUM_TRUSTED_PROXY_COUNT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if FORUM_TRUSTED_PROXY_COUNT else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers ask for the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
# Browsers remember to use HTTPS only for this long (a year, as the preload list asks), this host's
# subdomains included; set DJANGO_HSTS_SECONDS=0 to send none.
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

# The forum's name in account emails, and the public address of the site, for links in emails.
FORUM_SITE_NAME = env.str("FORUM_SITE_NAME", default="China–Central Asia Cooperation Forum")
FORUM_SITE_URL = env.str("FORUM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Stable calendar UIDs: <object>@FORUM_UID_DOMAIN, independent of the host a page was read on.
FORUM_UID_DOMAIN = env.str("FORUM_UID_DOMAIN", default="forum-site.local")
# Cached public page fragments live this long at most; any programme change invalidates them.
FORUM_PAGE_CACHE_SECONDS = env.int("FORUM_PAGE_CACHE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; keep their warnings only.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
