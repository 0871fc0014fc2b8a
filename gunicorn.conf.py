"""gunicorn's settings for forum_site, read from the working directory (`gunicorn forum_site.wsgi`).

gunicorn 27 writes `Server: gunicorn` on every response and has no setting to leave it out; the
name and version of the server only help an attacker pick an exploit. The response's default
headers are therefore filtered here. tests/test_http_security.py starts a real gunicorn and fails
if an upgrade brings the header back.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server_header(response) -> list[str]:
    """gunicorn's status line and default headers, less the Server header."""
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_header
