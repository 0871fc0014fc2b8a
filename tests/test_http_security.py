"""HTTP headers a browser or proxy relies on: nothing personal is cached, browser features are fenced
off, and the production server does not name itself."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from . import test_access_matrix as matrix

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"

pytestmark = pytest.mark.django_db

world = matrix.world  # the access matrix's objects fill every URL below

# The public site, cacheable for visitors who are not signed in; every other page is private.
PUBLIC_KEYS = {"healthz", "privacy"} | {key for key in matrix.CASES if key.startswith("events:")}


def is_never_cached(response) -> bool:
    """Whether browsers and proxies are told not to keep the response."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize("role", matrix.ROLES)
def test_every_page_but_the_public_site_is_never_cached(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    keys = [key for key, _route in matrix.url_patterns() if key in matrix.CASES]
    cacheable = set()
    for key in keys:
        case = matrix.CASES[key]
        response = getattr(client, case.method)(case.url(world))
        if not is_never_cached(response):
            cacheable.add(key)

    expected = PUBLIC_KEYS if role == matrix.ANONYMOUS else set()
    assert len(keys) > 150  # every pattern of the project, staff files and JSON included
    assert cacheable == expected


def test_personal_files_are_never_cached(client, world):
    client.force_login(world.users[matrix.DELEGATE_A])
    badge = client.get(reverse("delegates:badge", args=[world.event.slug]))
    client.force_login(world.users[matrix.ORGANIZER])
    export = client.post(reverse("staff:export_csv", args=[world.event.slug]))
    sheet = client.post(reverse("staff:badges", args=[world.event.slug]))
    counts = client.get(reverse("staff:check_in_counts", args=[world.event.slug]))

    for response, content_type in [
        (badge, "application/pdf"),
        (export, "text/csv"),
        (sheet, "application/pdf"),
        (counts, "application/json"),
    ]:
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert "no-store" in response["Cache-Control"]


def test_a_public_page_for_a_signed_in_delegate_is_not_cached(client, world):
    client.force_login(world.users[matrix.DELEGATE_A])
    assert is_never_cached(client.get(reverse("events:list")))
    client.logout()
    assert not is_never_cached(client.get(reverse("events:list")))


def permissions_policy(response) -> dict[str, str]:
    """The Permissions-Policy header as {feature: allowlist}."""
    pairs = (item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    return dict(pairs)


def test_browser_features_are_off_but_the_camera_works_for_the_check_in_desk(client, world):
    client.force_login(world.users[matrix.STAFF])
    desk = client.get(reverse("staff:check_in", args=[world.event.slug]))
    home = client.get("/")

    assert desk.status_code == home.status_code == 200
    assert permissions_policy(desk) == permissions_policy(home)
    policy = permissions_policy(desk)
    assert policy["camera"] == "(self)"
    for feature in ("microphone", "geolocation", "payment", "usb", "display-capture"):
        assert policy[feature] == "()"
    assert {allowlist for feature, allowlist in policy.items() if feature != "camera"} == {"()"}


def free_port() -> int:
    """A TCP port on loopback nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """One GET to the server on loopback, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as the README runs it (production settings, the project's gunicorn.conf.py), on loopback."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "forum_site.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "gunicorn-test-only-" + "k" * 50,
        "FORUM_DATA_KEYS": "Z3VuaWNvcm4tdGVzdC1vbmx5LWRhdGEta2V5LTMyYnk=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "FORUM_MAIL_CONSOLE": "true",
        "FORUM_TRUSTED_PROXY_COUNT": "1",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(GUNICORN), "forum_site.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (
                    tmp_path / "gunicorn.log"
                ).read_text()
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_gunicorn_does_not_name_itself_and_sends_the_security_headers(gunicorn):
    health = get(gunicorn, "/healthz")
    # The proxy says the client came over HTTPS; a plain HTTP request is sent there instead.
    secure = get(gunicorn, "/healthz", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    plain = get(gunicorn, "/privacy/")

    assert health.status == secure.status == 200
    assert health.getheader("Server") is None
    assert secure.getheader("Server") is None
    assert "camera=(self)" in health.getheader("Permissions-Policy")
    assert secure.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert (plain.status, plain.getheader("Location")) == (301, f"https://127.0.0.1:{gunicorn}/privacy/")
    assert plain.getheader("Server") is None
