"""A version number for the public programme, bumped on every change, that keys cached fragments."""

from django.core.cache import cache

VERSION_KEY = "events:content-version"


def content_version():
    """The current programme version; cached fragments keyed on it go stale when it moves."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version(**kwargs):
    """Invalidate every cached fragment of the public programme."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
