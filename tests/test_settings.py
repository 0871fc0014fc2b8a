"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A Fernet key for the settings that production requires (tests only, not secret).
DATA_KEY = "dGVzdHMtb25seS1wYXNzcG9ydC1kYXRhLWtleS0zMmI="


def read_settings(env, expression):
    """Import the real settings in a fresh interpreter with `env` (and a data key unless it says
    otherwise) and print `expression`."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "FORUM_", "SMTP_", "CACHE_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"from forum_site import settings as s; print({expression})"],
        cwd=ROOT,
        env={**clean, "FORUM_DATA_KEYS": DATA_KEY, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    result = read_settings({"DJANGO_DEBUG": "false"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_settings_have_a_development_key_only_when_debugging():
    result = read_settings({"DJANGO_DEBUG": "true"}, "s.SECRET_KEY")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("insecure-development-key")


def test_settings_read_database_cache_and_hosts_from_the_environment():
    result = read_settings(
        {
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://forum:pw@db.internal:5432/forum",
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "DJANGO_ALLOWED_HOSTS": "forum.example.org,www.forum.example.org",
            "SMTP_HOST": "mail.example.org",
        },
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CACHES['default']['BACKEND'], "
        "s.ALLOWED_HOSTS, s.DEBUG",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.db.backends.postgresql db.internal django.core.cache.backends.redis.RedisCache "
        "['forum.example.org', 'www.forum.example.org'] False"
    )


def test_settings_refuse_production_without_a_mail_server():
    result = read_settings({"DJANGO_SECRET_KEY": "x" * 50}, "s.MAILERS")
    assert result.returncode != 0
    assert "Set SMTP_HOST" in result.stderr


def test_settings_use_smtp_mailer_when_a_host_is_given_and_console_otherwise():
    console = read_settings({"DJANGO_DEBUG": "true"}, "s.MAILERS['default']['BACKEND']")
    assert console.stdout.strip() == "delegates.dev_mail.ReadableConsoleBackend"  # decoded: test_dev_mail.py
    asked = read_settings(
        {"DJANGO_SECRET_KEY": "x" * 50, "FORUM_MAIL_CONSOLE": "true"}, "s.MAILERS['default']['BACKEND']"
    )
    assert asked.stdout.strip() == "django.core.mail.backends.console.EmailBackend"  # never in production
    smtp = read_settings(
        {"DJANGO_DEBUG": "true", "SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525"},
        "s.MAILERS['default']['BACKEND'], s.MAILERS['default']['OPTIONS']['port']",
    )
    assert smtp.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend 2525"


def test_settings_languages_and_time_zone():
    result = read_settings(
        {"DJANGO_DEBUG": "true"}, "[code for code, _ in s.LANGUAGES], s.TIME_ZONE, s.USE_TZ"
    )
    assert result.stdout.strip() == "['en', 'zh-hans', 'ru'] UTC True"


def test_commands_that_sign_nothing_run_without_a_secret_key():
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "FORUM_", "SMTP_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_settings_require_two_factor_for_staff_unless_the_environment_turns_it_off():
    default = read_settings({"DJANGO_DEBUG": "true"}, "s.FORUM_STAFF_MFA_REQUIRED")
    demo = read_settings(
        {"DJANGO_DEBUG": "true", "FORUM_STAFF_MFA_REQUIRED": "false"}, "s.FORUM_STAFF_MFA_REQUIRED"
    )
    assert [default.stdout.strip(), demo.stdout.strip()] == ["True", "False"]


def test_the_demo_turns_two_factor_off():
    makefile = (ROOT / "Makefile").read_text()
    assert "DEMO_ENV := DJANGO_DEBUG=true FORUM_STAFF_MFA_REQUIRED=false\n" in makefile


# The README's production environment (its "Deploying" section), with throw-away values.
PRODUCTION = {
    "DJANGO_SECRET_KEY": "production-like-secret-" + "q7Zr-" * 10,
    "FORUM_DATA_KEYS": DATA_KEY,
    "DATABASE_URL": "postgres://forum:pw@db.internal:5432/forum",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "DJANGO_ALLOWED_HOSTS": "forum.example.org",
    "SMTP_HOST": "mail.example.org",
    "FORUM_TRUSTED_PROXY_COUNT": "1",
}


def test_check_deploy_with_the_production_environment_prints_no_warning():
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "FORUM_", "SMTP_", "CACHE_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "forum_site.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_sends_hsts_with_subdomains_and_preload_and_redirects_to_https():
    result = read_settings(
        PRODUCTION,
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT",
    )
    assert result.stdout.strip() == "31536000 True True True"
    shorter = read_settings(
        {**PRODUCTION, "DJANGO_HSTS_SECONDS": "3600", "DJANGO_HSTS_PRELOAD": "false"},
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD",
    )
    assert shorter.stdout.strip() == "3600 False"


def test_the_proxy_is_trusted_only_when_the_setting_says_how_many_there_are():
    expression = "s.ALLAUTH_TRUSTED_PROXY_COUNT, s.SECURE_PROXY_SSL_HEADER"
    without = {key: value for key, value in PRODUCTION.items() if key != "FORUM_TRUSTED_PROXY_COUNT"}
    direct = read_settings(without, expression)
    behind_one = read_settings(PRODUCTION, expression)
    assert direct.stdout.strip() == "0 None"
    assert behind_one.stdout.strip() == "1 ('HTTP_X_FORWARDED_PROTO', 'https')"
