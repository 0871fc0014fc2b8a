"""Garbage at every URL and in every form, as every role: nothing may answer with a 5xx (issue 10).

The URLs are the access matrix's (every pattern of the resolver, filled from its world); the forms
and query names are read from the pages each role gets there (every `<form>`, every link's query),
so a new page or field is fuzzed without being listed here. Values are NUL, lone surrogates (sent
as the UTF-8 bytes a careless client would send, percent-encoded), huge and negative numbers,
non-ASCII digits, very long strings, impossible dates, or what the page itself offers.

Each target gets its own small Hypothesis run; each request runs in a savepoint that is rolled back (and
the client's cookies are put back), so a form that deletes or signs out does not change what the
next request sees. A failure names the request to replay it (see docs/testing.md).
"""

import copy
import dataclasses
import html.parser
import os
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from .test_access_matrix import CASES, ROLES, build_world, url_patterns

pytestmark = pytest.mark.django_db

# NUL in every field, then one mix of garbage: every role, every target, within a minute in all.
# FUZZ_EXAMPLES_PER_TARGET searches harder on a local run (still derandomized: the same on each run).
EXAMPLES_PER_TARGET = int(os.environ.get("FUZZ_EXAMPLES_PER_TARGET", "2"))
NAMES_ANY_PAGE_MAY_READ = ("q", "page", "next")
NASTY = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "²",
    "٣",
    "１",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "12345678901",
    "\u202eevil",
    "%",
    "../",
    " ",
    "x" * 5000,
    "٣" * 2000,
]
GARBAGE = st.one_of(
    st.sampled_from(NASTY),  # first: the simplest example is NASTY[0], NUL
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
    st.text(st.characters(exclude_categories=()), max_size=12),
)


@dataclasses.dataclass(frozen=True)
class Target:
    """One way to reach the code: a method, a URL, and the field names it reads with their offered values."""

    method: str
    url: str
    fields: tuple[tuple[str, tuple[str, ...]], ...]


class PageReader(html.parser.HTMLParser):
    """The forms of a page (method, action, fields and the values they offer) and its links' queries."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict]] = []
        self.links: list[str] = []
        self.fields: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name")
        if tag == "form":
            self.fields = {}
            self.forms.append(
                (attributes.get("method", "get").lower(), attributes.get("action", ""), self.fields)
            )
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif self.fields is not None and tag in {"input", "select", "textarea", "button"} and name:
            offered = self.fields.setdefault(name, [])
            if attributes.get("value"):
                offered.append(attributes["value"])
            self.select = name if tag == "select" else None
        elif tag == "option" and self.fields is not None and self.select:
            self.fields[self.select].append(attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        elif tag == "select":
            self.select = None


def encode(pairs: list[tuple[str, str]]) -> str:
    """A query or form body as a client sends it: UTF-8 bytes (lone surrogates too), percent-encoded."""
    return "&".join(
        f"{quote(name.encode('utf-8', 'surrogatepass'), safe='')}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in pairs
    )


def ask(client: Client, method: str, url: str, body: str = ""):
    """One request in a rolled-back savepoint; the response's whole body is read (a stream too)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method == "get":
            response = client.get(f"{url}{'&' if '?' in url else '?'}{body}" if body else url)
        else:
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        try:
            content = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as error:  # a file that breaks off mid-way is a server error too
            response.status_code, content = 500, repr(error).encode()
        transaction.set_rollback(True)
    client.cookies = cookies
    return response, content


def targets(client: Client, world) -> list[Target]:
    """Every GET URL of the matrix with the query names its page reads, and every form its pages hold."""
    found: dict[tuple[str, str], dict] = {}
    linked: dict[str, dict] = {}
    for key, _route in url_patterns():
        case = CASES.get(key)
        if case is None:
            continue
        url = case.url(world)
        found.setdefault((case.method, url), {name: [] for name in NAMES_ANY_PAGE_MAY_READ})
        response, content = ask(client, "get", url) if case.method == "get" else (None, b"")
        if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reader = PageReader()
        reader.feed(content.decode("utf-8", "replace"))
        for href in reader.links:
            link = urlsplit(urljoin(url, href))
            for name, value in parse_qsl(link.query, keep_blank_values=True):
                linked.setdefault(link.path, {}).setdefault(name, []).append(value)
        for method, action, fields in reader.forms:
            target = found.setdefault((method if method == "post" else "get", urljoin(url, action)), {})
            for name, offered in fields.items():
                target.setdefault(name, []).extend(offered)
    for (method, url), fields in found.items():
        if method == "get":  # the names and values other pages' links give this URL (exports' filters)
            for name, offered in linked.get(url, {}).items():
                fields.setdefault(name, []).extend(offered)
    return [
        Target(
            method,
            url,
            tuple((name, tuple(dict.fromkeys(offered))) for name, offered in sorted(fields.items())),
        )
        for (method, url), fields in sorted(found.items())
    ]


def values(target: Target):
    """For each field: garbage (once or repeated), a value the page offers, or nothing.

    Garbage comes first: Hypothesis starts from the simplest example, which is then NUL in every field."""
    fields = []
    for name, offered in target.fields:
        choices = [st.lists(GARBAGE, min_size=1, max_size=2), st.just([])]
        if offered:
            choices.append(st.sampled_from(offered).map(lambda value: [value]))
        fields.append(st.one_of(choices).map(lambda chosen, name=name: [(name, value) for value in chosen]))
    return st.tuples(*fields).map(lambda groups: [pair for group in groups for pair in group])


def server_errors(client: Client, role: str, target: Target) -> list[str]:
    """Hypothesis's examples for one target (NUL everywhere first, then a mix); the requests that got a 5xx."""
    errors = []

    @settings(
        max_examples=EXAMPLES_PER_TARGET,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],  # no shrinking: the message already names the request
        verbosity=Verbosity.quiet,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(values(target))
    def send(pairs):
        body = encode(pairs)
        response, _content = ask(client, target.method, target.url, body)
        if response.status_code >= 500:
            errors.append(f"{role}: {response.status_code} {target.method.upper()} {target.url} {body[:300]}")

    send()
    return errors


@pytest.mark.parametrize("role", ROLES)
def test_no_garbage_in_any_url_or_form_gives_a_server_error(role):
    world = build_world()
    client = Client(raise_request_exception=False)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    every_target = targets(client, world)

    errors = [error for target in every_target for error in server_errors(client, role, target)]

    assert len(every_target) > 150  # the whole site, not a few pages
    assert errors == [], "\n".join(errors)
