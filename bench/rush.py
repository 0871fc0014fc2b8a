"""Load-test the registration rush of forum_site over real HTTP, against PostgreSQL and gunicorn, on 127.0.0.1 only.

Run from the project root:  .venv/bin/python bench/rush.py [--users 200] [--capacity 50] [--clients 64]

It builds a throw-away database (forum_site_rush) with the demo, gives one sub-forum of the sample
edition a room of `--capacity` seats (the edition itself unlimited), creates `--users` delegates with
a verified email, a profile and a signed-in session, starts gunicorn (gthread workers), fetches each
delegate's registration form, then releases `--clients` threads at once to submit every in-person
registration for that sub-forum. It prints the submit latencies, then what the database holds:
registrations, confirmed and waitlisted seats, waiting-list positions and outbox rows, and a verdict.
It stops gunicorn and drops the database at the end. The exit code is 0 whenever the figures were
produced: this is a measurement, not a test.

Delegation mode:  .venv/bin/python bench/rush.py --delegations 6 [--members 30] [--quota 20]
[--capacity 100] [--clients 32]

Focal points registering their delegations' members all at once (issue 11). It builds the same
throw-away database, gives the sample edition `--capacity` in-person seats, creates `--delegations`
delegations with an in-person quota of `--quota` and two focal points each, then releases
`--clients` threads at once, each calling the member service (`add_delegation_member`, with its
own database connection) for `--members` new people per delegation, alternating its two focal
points. There is no focal point page to post to yet, so this mode calls the service the page will
call: it measures the locks, counts and writes, not HTTP. It prints the latencies, the refusals by
code, and what the database holds: members per delegation against the quota, seats against the
edition's capacity, the waiting list and the outbox, and a verdict.
"""

import argparse
import concurrent.futures
import datetime
import html
import http.client
import http.cookies
import json
import os
import queue
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from common import (
    EVENT_SLUG,
    HOST,
    SESSION_COOKIE,
    bench_env,
    close_log,
    create_demo_database,
    django_step,
    drop_database,
    exited_abnormally,
    free_port,
    git_revision,
    handle_signals,
    load_average,
    open_log,
    percentile,
    request,
    run_interruptible,
    setup_django,
    start_gunicorn,
    step,
    stop_process,
    wait_until_healthy,
)

SCRIPT = str(Path(__file__).resolve())
DB_NAME = "forum_site_rush"
REGISTER_PATH = f"/events/{EVENT_SLUG}/register/"
SUCCESS_PATH = "/me/"
EMAIL_DOMAIN = "rush.example.org"
CSRF_COOKIE = "csrftoken"
MAX_P99_SECONDS = 3.0
SUBMIT_TIMEOUT = 60.0
BARRIER_TIMEOUT = 30.0
FORM_FETCHERS = 8
ERROR_SAMPLES = 3
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_BLOCK = re.compile(
    r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)</(?:div|span|p)>', re.DOTALL
)


# --- database -------------------------------------------------------------------------------


def prepare_database(env: dict[str, str], args: argparse.Namespace, sessions_path: str) -> dict:
    """Create, migrate and fill the rush database; return the sub-forum and travel times to post."""
    create_demo_database(DB_NAME, env)
    return step(
        f"create {args.users} delegates with sessions",
        lambda: django_step(
            SCRIPT, "prepare", str(args.users), str(args.capacity), sessions_path, env=env, timeout=600
        ),
    )


# --- in-Django steps (run in a subprocess with the bench environment) ------------------------


def travel_times(event) -> tuple[str, str]:
    """Arrival the day before the first day at 14:00, departure the day after the last at 10:00 (local)."""
    arrival = datetime.datetime.combine(event.start_on - datetime.timedelta(days=1), datetime.time(14, 0))
    departure = datetime.datetime.combine(event.end_on + datetime.timedelta(days=1), datetime.time(10, 0))
    first, last = event.travel_window()
    if not (first <= arrival.date() and departure.date() <= last):
        raise RuntimeError(f"{arrival} .. {departure} is outside the travel window {first} .. {last}")
    return f"{arrival:%Y-%m-%dT%H:%M}", f"{departure:%Y-%m-%dT%H:%M}"


def prepare_rush(users: int, capacity: int, sessions_path: str) -> dict:
    """Open the edition without a limit, cap one sub-forum, create delegates and write their session ids."""
    from events.models import Event, SubForum

    event = Event.objects.get(slug=EVENT_SLUG)
    if not event.is_registration_open():
        raise RuntimeError(f"registration for {EVENT_SLUG} is not open ({event.registration_state()})")
    event.in_person_capacity = None
    event.access = Event.Access.OPEN  # the rush posts without invitation codes
    event.save()
    sub_forum = (
        event.sub_forums.filter(modes__in=[SubForum.Modes.IN_PERSON, SubForum.Modes.BOTH])
        .order_by("starts_at", "pk")
        .first()
    )
    sub_forum.in_person_capacity = capacity
    sub_forum.save()
    delegates = create_delegates(users)
    sessions = [signed_in_session(user) for user in delegates]
    Path(sessions_path).write_text(json.dumps(sessions))
    arrival, departure = travel_times(event)
    return {
        "sub_forum": sub_forum.pk,
        "sub_forum_title": sub_forum.title,
        "arrival": arrival,
        "departure": departure,
        "requires_approval": event.requires_approval,
    }


def create_delegates(count: int) -> list:
    """Accounts (no usable password) with a verified primary email and a complete profile."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from delegates.models import Profile, User

    with transaction.atomic():
        users = [User.objects.create_user(email=f"delegate{n:04d}@{EMAIL_DOMAIN}") for n in range(count)]
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        Profile.objects.bulk_create(
            Profile(
                user=user,
                given_name_latin="Rush",
                family_name_latin=f"Delegate {n:04d}",
                position="Counsellor",
                organization="Ministry of Foreign Affairs",
                country="KZ",
                phone="+77012345678",
                preferred_language="en",
            )
            for n, user in enumerate(users)
        )
    return users


def signed_in_session(user) -> str:
    """A database session signed in as `user`, made without the login view (no allauth rate limits)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[SESSION_COOKIE].value


def rush_figures(sub_forum_pk: int) -> dict:
    """What the database holds after the rush: registrations, seats, waiting-list positions, outbox."""
    from django.db.models import Count

    from delegates.models import AuditEntry, OutboxMessage, Registration, SubForumSeat
    from delegates.selectors import seat_position

    registrations = Registration.objects.filter(event__slug=EVENT_SLUG)
    seats = SubForumSeat.objects.filter(sub_forum_id=sub_forum_pk)
    confirmed = seats.filter(state=SubForumSeat.State.CONFIRMED)
    waitlisted = list(seats.filter(state=SubForumSeat.State.WAITLISTED))
    positions = sorted(seat_position(seat) for seat in waitlisted)
    last_confirmed = confirmed.order_by("-requested_at", "-pk").first()
    ahead_of_confirmed = (
        sum(
            (seat.requested_at, seat.pk) < (last_confirmed.requested_at, last_confirmed.pk)
            for seat in waitlisted
        )
        if last_confirmed
        else 0
    )
    by_status = dict(registrations.values_list("status").annotate(n=Count("pk")).order_by("status"))
    outbox = OutboxMessage.objects.filter(to__endswith=f"@{EMAIL_DOMAIN}")
    return {
        "registrations": registrations.count(),
        "by_status": by_status,
        "seats": seats.count(),
        "confirmed": confirmed.count(),
        "confirmed_in_person": confirmed.filter(registration__mode="in_person").count(),
        "waitlisted": len(waitlisted),
        "positions_exact": positions == list(range(1, len(positions) + 1)),
        "positions_distinct": len(set(positions)),
        "positions_min": positions[0] if positions else None,
        "positions_max": positions[-1] if positions else None,
        "waitlisted_requested_before_last_confirmed": ahead_of_confirmed,
        "outbox": outbox.count(),
        "outbox_by_kind": dict(outbox.values_list("kind").annotate(n=Count("pk")).order_by("kind")),
        "outbox_total": OutboxMessage.objects.count(),
        "audit_submitted": AuditEntry.objects.filter(
            action="submitted", registration__event__slug=EVENT_SLUG
        ).count(),
    }


def run_django_step(name: str, values: list[str]) -> None:
    """Entry point of the in-Django subprocess: print the step's result as one JSON line."""
    setup_django()
    if name == "prepare":
        users, capacity, sessions_path = values
        result = prepare_rush(int(users), int(capacity), sessions_path)
    elif name == "delegations":
        result = delegation_rush(*(int(value) for value in values))
    else:
        result = rush_figures(int(values[0]))
    print(json.dumps(result))


# --- delegation mode (in-Django: focal points calling the member service at once) -------------


def prepare_delegations(delegations: int, quota: int, capacity: int) -> list:
    """Cap the edition's in-person seats; create the delegations, each with two focal points."""
    from delegates.models import Delegation
    from events.models import Event

    event = Event.objects.get(slug=EVENT_SLUG)
    event.in_person_capacity = capacity
    event.save()
    focal_points = create_delegates(2 * delegations)
    created = []
    for number in range(delegations):
        delegation = Delegation.objects.create(
            event=event, name=f"Rush delegation {number:02d}", quota_in_person=quota
        )
        delegation.focal_points.add(*focal_points[2 * number : 2 * number + 2])
        created.append(delegation)
    return created


def member_job(delegation, focal_point, number: int, travel: dict):
    """One focal point adds one in-person member; returns (seconds, refusal code or "")."""
    from delegates import services
    from delegates.models import Profile
    from delegates.rules import RegistrationDetails

    def job() -> tuple[float, str]:
        profile = Profile(
            given_name_latin="Member",
            family_name_latin=f"{delegation.pk:02d}-{number:04d}",
            position="Expert",
            organization="Ministry of Foreign Affairs",
            country="KZ",
            phone="+77012345678",
            preferred_language="ru",
        )
        details = RegistrationDetails(category="government", mode="in_person", **travel)
        started = time.perf_counter()
        try:
            services.add_delegation_member(
                delegation=delegation,
                actor=focal_point,
                email=f"member-{delegation.pk}-{number:04d}@{EMAIL_DOMAIN}",
                profile=profile,
                details=details,
                sub_forums=[],
            )
            code = ""
        except services.RegistrationError as error:
            code = error.code
        return time.perf_counter() - started, code

    return job


def delegation_rush(delegations: int, members: int, quota: int, capacity: int, clients: int) -> dict:
    """Release `clients` threads on every delegation's new members; return latencies, refusals and figures."""
    from django.db import connection

    from events.models import Event

    event = Event.objects.get(slug=EVENT_SLUG)
    arrival = datetime.datetime.combine(
        event.start_on - datetime.timedelta(days=1), datetime.time(14), tzinfo=event.tz
    )
    travel = {"arrival_at": arrival, "departure_at": arrival + datetime.timedelta(days=4)}
    created = prepare_delegations(delegations, quota, capacity)
    jobs: queue.Queue = queue.Queue()
    for delegation in created:
        focal_points = list(delegation.focal_points.order_by("pk"))
        for number in range(members):
            jobs.put(member_job(delegation, focal_points[number % 2], number, travel))
    results: list[tuple[float, str]] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            while True:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = job()
                except Exception as error:  # anything but a coded refusal is a failure to report
                    with lock:
                        failures.append(f"{type(error).__name__}: {error}")
                    continue
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=BARRIER_TIMEOUT)
    started = time.monotonic()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {
        "latencies": [seconds for seconds, _code in results],
        "refusals": _count(code for _seconds, code in results if code),
        "failures": failures[:ERROR_SAMPLES],
        "failed": len(failures),
        "wall": wall,
        **delegation_figures(created),
    }


def _count(values) -> dict[str, int]:
    """How many times each value occurs."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def delegation_figures(created: list) -> dict:
    """Members per delegation against quota, seats against capacity, the line and the outbox."""
    from delegates.models import OutboxMessage, Registration
    from delegates.rules import active_members

    registrations = Registration.objects.filter(event__slug=EVENT_SLUG, delegation__in=created)
    return {
        "members": [active_members(delegation, "in_person").count() for delegation in created],
        "holding_seat": Registration.objects.filter(event__slug=EVENT_SLUG, mode="in_person")
        .holding_seat()
        .count(),
        "waitlisted": registrations.filter(status=Registration.Status.WAITLISTED).count(),
        "outbox": OutboxMessage.objects.filter(kind="imported", to__endswith=f"@{EMAIL_DOMAIN}").count(),
    }


def delegation_benchmark(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Create the database, run the focal points' rush in one Django process, report; drop the database."""
    print(f"forum_site delegation rush at {git_revision()}")
    try:
        create_demo_database(DB_NAME, env, collectstatic=False)
        print(
            f"\nDelegation rush: {args.delegations} delegations x {args.members} new in-person members "
            f"(quota {args.quota} each, edition capacity {args.capacity}), {args.clients} threads released "
            f"at once, each with its own PostgreSQL connection. Load average before: {load_average()}.\n"
        )
        values = [args.delegations, args.members, args.quota, args.capacity, args.clients]
        result = django_step(SCRIPT, "delegations", *map(str, values), env=env, timeout=args.timeout + 600)
        print_delegation_figures(result, args)
    finally:
        handle_signals(during_cleanup=True)
        if not args.keep_db:
            drop_database(DB_NAME)


def print_delegation_figures(result: dict, args: argparse.Namespace) -> None:
    """Print latencies, refusals, members against quotas, seats against capacity, and a verdict."""
    ms = [seconds * 1000 for seconds in result["latencies"]]
    accepted = args.delegations * min(args.members, args.quota)
    print(f"calls               {len(ms)} ({result['failed']} failed)")
    print(
        f"latency ms          p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  "
        f"p99 {percentile(ms, 99):.0f}  max {max(ms, default=0):.0f}"
    )
    print(f"wall time           {result['wall']:.2f} s ({len(ms) / result['wall']:.1f} calls/s)")
    print(f"refusals            {result['refusals'] or 'none'}")
    for failure in result["failures"]:
        print(f"  failure: {failure}")
    print(f"members             {result['members']} (quota {args.quota} each)")
    print(f"holding a seat      {result['holding_seat']} (capacity {args.capacity})")
    print(f"waitlisted          {result['waitlisted']}")
    print(f"outbox (welcome)    {result['outbox']}")
    problems = []
    if result["failed"]:
        problems.append(f"{result['failed']} failures")
    if max(result["members"], default=0) > args.quota or sum(result["members"]) != accepted:
        problems.append(f"members {result['members']} against quota {args.quota}")
    if result["holding_seat"] != min(accepted, args.capacity):
        problems.append(f"{result['holding_seat']} holding a seat")
    if result["outbox"] != accepted:
        problems.append(f"{result['outbox']} welcome emails != {accepted}")
    print(f"\nTargets: no failure, {accepted} members (at most {args.quota} per delegation), ")
    print(f"min(members, capacity) = {min(accepted, args.capacity)} holding a seat, one welcome email each.")
    print(f"VERDICT: {'FAIL (' + '; '.join(problems) + ')' if problems else 'PASS'}")


# --- HTTP -------------------------------------------------------------------------------------


def set_cookies(message: http.client.HTTPMessage) -> dict[str, str]:
    """The cookies a response sets, by name."""
    jar = http.cookies.SimpleCookie()
    for header in message.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def fetch_form(port: int, session: str) -> dict[str, str]:
    """GET the registration form as one delegate: the csrftoken cookie and the form's token."""
    status, message, body = request(
        port, "GET", REGISTER_PATH, headers={"Cookie": f"{SESSION_COOKIE}={session}"}
    )
    if status != 200:
        raise RuntimeError(f"GET {REGISTER_PATH} answered {status} (Location: {message.get('Location')})")
    cookie = set_cookies(message).get(CSRF_COOKIE)
    token = CSRF_INPUT.search(body.decode())
    if not cookie or not token:
        raise RuntimeError(f"GET {REGISTER_PATH} gave no {CSRF_COOKIE} cookie or no csrfmiddlewaretoken")
    return {"session": session, "csrf_cookie": cookie, "csrf_token": token.group(1)}


def fetch_forms(port: int, sessions: list[str]) -> list[dict[str, str]]:
    """Fetch every delegate's form before the rush (not timed), a few at a time; stop early on a failure."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=FORM_FETCHERS)
    try:
        return list(pool.map(lambda session: fetch_form(port, session), sessions))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def registration_body(delegate: dict[str, str], plan: dict) -> str:
    """The urlencoded form of an in-person government registration for the capped sub-forum."""
    return urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": delegate["csrf_token"],
            "category": "government",
            "mode": "in_person",
            "sub_forums": plan["sub_forum"],
            "interpretation_language": "en",
            "arrival_at": plan["arrival"],
            "departure_at": plan["departure"],
            "flight": "KC 891",
            "consent": "on",
        }
    )


def submit(port: int, delegate: dict[str, str], plan: dict) -> tuple[bool, str]:
    """POST one registration; success is a 302 to /me/. Returns (ok, what went wrong)."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://{HOST}:{port}{REGISTER_PATH}",
        "Cookie": f"{SESSION_COOKIE}={delegate['session']}; {CSRF_COOKIE}={delegate['csrf_cookie']}",
    }
    try:
        status, message, body = request(
            port,
            "POST",
            REGISTER_PATH,
            headers=headers,
            body=registration_body(delegate, plan),
            timeout=SUBMIT_TIMEOUT,
        )
    except (OSError, http.client.HTTPException) as error:
        return False, f"{type(error).__name__}: {error}"
    location = message.get("Location", "")
    if status == 302 and urllib.parse.urlsplit(location).path == SUCCESS_PATH:
        return True, ""
    return False, describe_failure(status, location, body)


def describe_failure(status: int, location: str, body: bytes) -> str:
    """A short account of a failed submit: status, redirect target, form errors or the start of the body."""
    text = body.decode(errors="replace")
    errors = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split()) for block in ERROR_BLOCK.findall(text)
    ]
    detail = (
        "; ".join(error for error in errors if error) or " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]
    )
    return f"HTTP {status}{f' -> {location}' if location else ''}: {detail}"


# --- the rush ---------------------------------------------------------------------------------


class Tally:
    """Submit latencies, errors and the first few failure descriptions of the rush."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.samples: list[str] = []

    def add(self, latency: float, ok: bool, failure: str) -> None:
        """Record one submit."""
        with self.lock:
            self.latencies.append(latency)
            if not ok:
                self.errors += 1
                if len(self.samples) < ERROR_SAMPLES:
                    self.samples.append(failure)


def submitter(
    port: int, plan: dict, barrier: threading.Barrier, jobs: queue.Queue, deadline: float, tally: Tally
) -> None:
    """Wait for the start signal, then POST registrations from the shared queue until it is empty."""
    try:
        barrier.wait(timeout=BARRIER_TIMEOUT)
    except threading.BrokenBarrierError:
        return
    while time.monotonic() < deadline:
        try:
            delegate = jobs.get_nowait()
        except queue.Empty:
            return
        started = time.perf_counter()
        ok, failure = submit(port, delegate, plan)
        tally.add(time.perf_counter() - started, ok, failure)


def rush(
    port: int, plan: dict, delegates: list[dict[str, str]], args: argparse.Namespace
) -> tuple[Tally, float, int]:
    """Release all client threads at once on the queue of registrations; return tally, wall time, unsent."""
    jobs: queue.Queue = queue.Queue()
    for delegate in delegates:
        jobs.put(delegate)
    tally = Tally()
    barrier = threading.Barrier(args.clients + 1)
    deadline = time.monotonic() + BARRIER_TIMEOUT + args.timeout
    threads = [
        threading.Thread(target=submitter, args=(port, plan, barrier, jobs, deadline, tally), daemon=True)
        for _ in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=BARRIER_TIMEOUT)
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + SUBMIT_TIMEOUT + 5)
    return tally, time.monotonic() - started, jobs.qsize()


# --- report -----------------------------------------------------------------------------------


def print_load(tally: Tally, wall: float, unsent: int) -> None:
    """Print requests, errors, latency percentiles and wall time of the rush."""
    ms = [latency * 1000 for latency in tally.latencies]
    print(f"requests sent       {len(ms)}" + (f"  ({unsent} never sent: time limit)" if unsent else ""))
    print(f"errors              {tally.errors}")
    print(
        f"submit latency ms   p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  "
        f"p99 {percentile(ms, 99):.0f}  max {max(ms, default=0):.0f}"
    )
    print(f"wall time           {wall:.2f} s ({len(ms) / wall if wall else 0:.1f} registrations/s)")
    for sample in tally.samples:
        print(f"  error: {sample}")


def print_figures(figures: dict, plan: dict) -> None:
    """Print what the database holds after the rush."""
    statuses = ", ".join(f"{status} {count}" for status, count in figures["by_status"].items()) or "none"
    kinds = ", ".join(f"{kind} {count}" for kind, count in figures["outbox_by_kind"].items()) or "none"
    print(f"\nregistrations       {figures['registrations']} ({statuses})")
    print(
        f"sub-forum seats     {figures['seats']} on “{plan['sub_forum_title']}” (capacity {plan['capacity']})"
    )
    print(f"  confirmed         {figures['confirmed']} (in person {figures['confirmed_in_person']})")
    print(f"  waitlisted        {figures['waitlisted']}")
    print(
        f"  positions         {'exactly 1..N' if figures['positions_exact'] else 'NOT 1..N'} "
        f"({figures['positions_distinct']} distinct, min {figures['positions_min']}, max {figures['positions_max']})"
    )
    print(
        f"  waitlisted seats requested before the last confirmed one: "
        f"{figures['waitlisted_requested_before_last_confirmed']}"
    )
    print(
        f"outbox rows         {figures['outbox']} for the delegates ({kinds}); {figures['outbox_total']} in all"
    )
    print(f"audit 'submitted'   {figures['audit_submitted']}")


def print_verdict(tally: Tally, unsent: int, figures: dict, args: argparse.Namespace) -> bool:
    """Print PASS/FAIL against the targets; return whether every target was met."""
    p99 = percentile(tally.latencies, 99)
    waiting = args.users - args.capacity
    problems = []
    if p99 >= MAX_P99_SECONDS:
        problems.append(f"p99 {p99 * 1000:.0f} ms >= {MAX_P99_SECONDS * 1000:.0f} ms")
    if tally.errors or unsent:
        problems.append(f"{tally.errors + unsent} errors")
    if figures["confirmed"] != args.capacity:
        problems.append(f"{figures['confirmed']} confirmed != {args.capacity}")
    if figures["waitlisted"] != waiting or not figures["positions_exact"]:
        problems.append(f"{figures['waitlisted']} waitlisted, positions exact: {figures['positions_exact']}")
    if figures["registrations"] != args.users:
        problems.append(f"{figures['registrations']} registrations != {args.users}")
    print(
        f"\nTargets: p99 < {MAX_P99_SECONDS:g} s, 0 errors, exactly {args.capacity} confirmed and {waiting} "
        f"waitlisted with positions 1..{waiting}, {args.users} registrations."
    )
    print(f"VERDICT: {'FAIL (' + '; '.join(problems) + ')' if problems else 'PASS'}")
    return not problems


# --- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200, help="delegates who register (default 200)")
    parser.add_argument(
        "--capacity", type=int, default=50, help="in-person seats of the sub-forum (default 50)"
    )
    parser.add_argument("--clients", type=int, default=64, help="concurrent client threads (default 64)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="time limit of the rush in s (default 300)"
    )
    parser.add_argument("--keep-db", action="store_true", help=f"do not drop {DB_NAME} at the end")
    parser.add_argument(
        "--delegations", type=int, default=0, help="delegation mode: this many delegations (default 0: off)"
    )
    parser.add_argument("--members", type=int, default=30, help="new members per delegation (default 30)")
    parser.add_argument("--quota", type=int, default=20, help="in-person quota per delegation (default 20)")
    parser.add_argument("--step", choices=["prepare", "figures", "delegations"], help=argparse.SUPPRESS)
    parser.add_argument("values", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if (
        not 1 <= args.users <= 5000
        or not 0 <= args.capacity <= args.users
        or not 1 <= args.clients <= 512
        or args.workers < 1
        or args.threads < 1
        or not 0 < args.timeout <= 3600
        or not 0 <= args.delegations <= 100
        or not 1 <= args.members <= 1000
        or args.quota < 0
    ):
        parser.error(
            "need 1 <= --users <= 5000, 0 <= --capacity <= --users, 1 <= --clients <= 512, "
            "--workers >= 1, --threads >= 1, 0 < --timeout <= 3600"
        )
    return args


def rush_phase(port: int, args: argparse.Namespace, plan: dict, sessions_path: str) -> tuple[Tally, int]:
    """Fetch every delegate's form, run the rush and print its figures; return the tally and unsent count."""
    sessions = json.loads(Path(sessions_path).read_text())
    delegates = step(f"fetch {len(sessions)} registration forms", lambda: fetch_forms(port, sessions))
    print(
        f"\nRush: {len(delegates)} in-person registrations for “{plan['sub_forum_title']}” "
        f"(capacity {args.capacity}), {args.clients} client threads released at once; gunicorn gthread, "
        f"{args.workers} workers x {args.threads} threads; {os.cpu_count()} CPU cores shared by clients, "
        f"gunicorn and PostgreSQL. Load average before: {load_average()}.\n"
    )
    tally, wall, unsent = rush(port, plan, delegates, args)
    print_load(tally, wall, unsent)
    print(f"load average after  {load_average()}")
    return tally, unsent


def benchmark(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Prepare, serve, rush and report; always stop gunicorn and drop the database."""
    process = None
    tally = None
    log = open_log("rush-gunicorn-")
    sessions = tempfile.NamedTemporaryFile(prefix="rush-sessions-", suffix=".json", delete=False)  # noqa: SIM115
    sessions.close()
    print(f"forum_site registration rush at {git_revision()}")
    try:
        plan = prepare_database(env, args, sessions.name)
        plan["capacity"] = args.capacity
        print(
            f"  sub-forum #{plan['sub_forum']} “{plan['sub_forum_title']}”, arrival {plan['arrival']}, "
            f"departure {plan['departure']} (local); approval required: {plan['requires_approval']}"
        )
        port = free_port()
        process = start_gunicorn(env, port, log, workers=args.workers, threads=args.threads)
        step(f"start gunicorn (pid {process.pid}, port {port})", lambda: wait_until_healthy(process, port))
        tally, unsent = rush_phase(port, args, plan, sessions.name)
        stop_process(process)
        figures = django_step(SCRIPT, "figures", str(plan["sub_forum"]), env=env, timeout=300)
        print_figures(figures, plan)
        print_verdict(tally, unsent, figures, args)
    finally:
        handle_signals(during_cleanup=True)
        stop_process(process)
        Path(sessions.name).unlink(missing_ok=True)
        close_log(log, keep=exited_abnormally(process) or (tally is not None and tally.errors > 0))
        if not args.keep_db:
            drop_database(DB_NAME)


def main() -> int:
    """Parse options and run either the rush or one in-Django step."""
    args = parse_args()
    if args.step:
        run_django_step(args.step, args.values)
        return 0
    if args.delegations:
        return run_interruptible(
            lambda: delegation_benchmark(args, bench_env(DB_NAME, dummy_tasks=True)), "delegation rush"
        )
    return run_interruptible(lambda: benchmark(args, bench_env(DB_NAME, dummy_tasks=True)), "rush")


if __name__ == "__main__":
    sys.exit(main())
