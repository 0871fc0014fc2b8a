"""Load-test the public pages of forum_site against PostgreSQL and gunicorn, on 127.0.0.1 only.

Run from the project root:  .venv/bin/python bench/pages.py [--seconds 10] [--clients 16]

It builds a throw-away database (forum_site_bench), loads the demo plus generated volume on the
sample edition, starts gunicorn, measures throughput and latency per page, counts SQL queries per
page with Django's test client, prints a table and verdicts, then stops gunicorn and drops the
database. The exit code is 0 whenever the figures were produced: this is a measurement, not a test.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

from common import (
    EVENT_SLUG,
    HOST,
    REQUEST_TIMEOUT,
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
    run_interruptible,
    setup_django,
    start_gunicorn,
    step,
    stop_process,
    wait_until_healthy,
)

SCRIPT = str(Path(__file__).resolve())
DB_NAME = "forum_site_bench"
SUB_FORUM_TARGET = 50
EXHIBIT_TARGET = 500
SPEAKERS_PER_SUB_FORUM = 2
MIN_SHARE_OF_HEALTHZ = 25.0
MAX_QUERIES = 10
COUNTRY_CODES = ["CN", "KZ", "KG", "TJ", "TM", "UZ"]


# --- database -------------------------------------------------------------------------------


def prepare_database(env: dict[str, str]) -> dict[str, str]:
    """Create, migrate and fill the bench database; return the slugs the URLs need."""
    create_demo_database(DB_NAME, env)
    return step("generate volume", lambda: django_step(SCRIPT, "volume", env=env, timeout=600))


# --- in-Django steps (run in a subprocess with the bench environment) ------------------------


def generate_volume() -> dict[str, str]:
    """Fill the sample edition up to the target numbers of sub-forums and exhibits."""
    from django.db import transaction

    from events.models import Event

    rng = random.Random(20251129)
    event = Event.objects.get(slug=EVENT_SLUG)
    with transaction.atomic():
        add_sub_forums(event, rng)
        add_exhibits(event, rng)
    return pick_slugs(event)


def session_slots(event, count: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """`count` 45-minute slots spread over the edition's days, 08:00 to 19:45 local time."""
    days = (event.end_on - event.start_on).days + 1
    slots = []
    for index in range(count):
        day = event.start_on + datetime.timedelta(days=index % days)
        minutes = 8 * 60 + (index // days) * 60 % (12 * 60)
        starts = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), tzinfo=event.tz)
        slots.append((starts, starts + datetime.timedelta(minutes=45)))
    return slots


def add_sub_forums(event, rng: random.Random) -> None:
    """Add sub-forums, each with two speakers' appearances, until the edition has the target number."""
    from events.models import Appearance, Organization, Speaker, SubForum

    existing = event.sub_forums.count()
    missing = max(0, SUB_FORUM_TARGET - existing)
    organizations = list(Organization.objects.all())
    kinds = [SubForum.Kind.SUB_FORUM, SubForum.Kind.SIDE_EVENT, SubForum.Kind.PLENARY]
    roles = [Appearance.Role.MODERATOR, Appearance.Role.PANELIST, Appearance.Role.KEYNOTE]
    for number, (starts, ends) in enumerate(session_slots(event, missing), start=1):
        sub_forum = SubForum(
            event=event,
            kind=rng.choice(kinds),
            title=f"Bench session {number}: cooperation track {number % 7 + 1}",
            slug=f"bench-session-{number:03d}",
            summary="Generated for the page benchmark. " * 4,
            starts_at=starts,
            ends_at=ends,
            room=f"Room {number % 9 + 1}",
            modes=rng.choice(list(SubForum.Modes)),
            interpretation_languages="Chinese, Russian, English",
            order=existing + number,
        )
        sub_forum.full_clean()
        sub_forum.save()
        for seat in range(SPEAKERS_PER_SUB_FORUM):
            speaker = Speaker.objects.create(
                name_latin=f"Bench Speaker {number:03d}-{seat + 1}",
                honorific=rng.choice(["", "he", "dr", "prof", "mr", "ms"]),
                position="Generated position for the benchmark",
                organization=rng.choice(organizations),
                country=rng.choice(COUNTRY_CODES),
                protocol_rank=rng.randint(1, 200),
            )
            Appearance.objects.create(sub_forum=sub_forum, speaker=speaker, role=roles[seat], order=seat)


def add_exhibits(event, rng: random.Random) -> None:
    """Add exhibits with sectors and countries served until the edition has the target number."""
    from events.models import Exhibit, Organization, Sector

    existing = event.exhibits.count()
    organizations = list(Organization.objects.all())
    sectors = list(Sector.objects.all())
    exhibits = []
    for number in range(1, max(0, EXHIBIT_TARGET - existing) + 1):
        countries = sorted(rng.sample(COUNTRY_CODES, rng.randint(1, 4)))
        exhibits.append(
            Exhibit(
                event=event,
                exhibitor=rng.choice(organizations),
                title=f"Bench exhibit {number:03d}",
                slug=f"bench-exhibit-{number:03d}",
                summary="A generated stand for the page benchmark, about connectivity and trade. " * 2,
                countries_served=countries,
                hall=str(number % 5 + 1),
                booth=f"B{number:03d}",
                is_featured=number % 50 == 0,
            )
        )
    Exhibit.objects.bulk_create(exhibits)
    links = [
        Exhibit.sectors.through(exhibit_id=exhibit.pk, sector_id=sector.pk)
        for exhibit in exhibits
        for sector in rng.sample(sectors, rng.randint(1, 3))
    ]
    Exhibit.sectors.through.objects.bulk_create(links)


def pick_slugs(event) -> dict[str, str]:
    """One sub-forum, one exhibit and one sector (with a KZ exhibit) to put in the URLs."""
    sub_forum = event.sub_forums.order_by("starts_at", "pk").first()
    exhibit = event.exhibits.order_by("slug").first()
    sector = next(
        sector.slug
        for exhibit in event.exhibits.prefetch_related("sectors").order_by("slug")
        if "KZ" in exhibit.countries_served
        for sector in exhibit.sectors.all()
    )
    return {
        "sub_forum": sub_forum.slug,
        "exhibit": exhibit.slug,
        "sector": sector,
        "sub_forums": str(event.sub_forums.count()),
        "exhibits": str(event.exhibits.count()),
    }


def count_queries(paths: list[str]) -> dict[str, dict[str, int]]:
    """SQL queries of a cold (cache cleared) and a warm request to each path, via the test client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False, HTTP_HOST=HOST)
    counts = {}
    for path in paths:
        client.get(path)  # warm-up: imports, URL resolver, templates, database connection
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            cold_status = client.get(path).status_code
        with CaptureQueriesContext(connection) as warm:
            warm_status = client.get(path).status_code
        counts[path] = {
            "cold": len(cold.captured_queries),
            "warm": len(warm.captured_queries),
            "status": cold_status if cold_status != 200 else warm_status,
        }
    return counts


def run_django_step(name: str, paths: list[str]) -> None:
    """Entry point of the in-Django subprocess: print the step's result as one JSON line."""
    setup_django()
    result = generate_volume() if name == "volume" else count_queries(paths)
    print(json.dumps(result))


# --- load -------------------------------------------------------------------------------------


class Tally:
    """Latencies, errors and body size gathered by the client threads of one run."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.body_bytes = 0

    def add(self, latencies: list[float], errors: int, body_bytes: int) -> None:
        """Merge one thread's results."""
        with self.lock:
            self.latencies.extend(latencies)
            self.errors += errors
            self.body_bytes = max(self.body_bytes, body_bytes)


def client_loop(port: int, path: str, deadline: float, tally: Tally) -> None:
    """Send GETs back to back on one (keep-alive when the server allows) connection until the deadline."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    latencies: list[float] = []
    errors = body_bytes = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body_bytes = len(response.read())
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        latencies.append(time.perf_counter() - started)
        errors += not ok
    connection.close()
    tally.add(latencies, errors, body_bytes)


def load(port: int, path: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """Run `clients` threads against one path for `seconds`; return their tally and the elapsed time."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=client_loop, args=(port, path, deadline, tally), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    return tally, time.monotonic() - started


def measure(port: int, path: str, args: argparse.Namespace) -> dict[str, float]:
    """Warm a path up, then load it and summarize requests/s, p50, p99 and errors."""
    load(port, path, args.clients, args.warmup)
    tally, elapsed = load(port, path, args.clients, args.seconds)
    return {
        "rps": len(tally.latencies) / elapsed,
        "p50": percentile(tally.latencies, 50) * 1000,
        "p99": percentile(tally.latencies, 99) * 1000,
        "requests": len(tally.latencies),
        "errors": tally.errors,
        "kib": tally.body_bytes / 1024,
    }


# --- report -----------------------------------------------------------------------------------


def bench_paths(slugs: dict[str, str]) -> list[str]:
    """The URLs to measure, /healthz first."""
    event = f"/events/{EVENT_SLUG}"
    return [
        "/healthz",
        "/",
        "/events/",
        f"{event}/",
        f"{event}/programme/",
        f"{event}/programme.ics",
        f"{event}/sub-forums/{slugs['sub_forum']}/",
        f"{event}/speakers/",
        f"{event}/exhibits/",
        f"{event}/exhibits/?sector={slugs['sector']}&country=KZ",
        f"{event}/exhibits/{slugs['exhibit']}/",
        f"{event}/documents/",
    ]


def print_table(results: dict[str, dict], queries: dict[str, dict], baseline: float) -> None:
    """Print one row per URL: throughput, latency, errors, size, share of /healthz, queries."""
    width = max(len(path) for path in results)
    header = (
        f"{'URL':<{width}}  {'req/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}  {'KiB':>5}  "
        f"{'% healthz':>9}  {'SQL cold':>8}  {'SQL warm':>8}"
    )
    print(header)
    print("-" * len(header))
    for path, row in results.items():
        counted = queries.get(path, {})
        print(
            f"{path:<{width}}  {row['rps']:>7.1f}  {row['p50']:>7.1f}  {row['p99']:>7.1f}  "
            f"{row['errors']:>6}  {row['kib']:>5.1f}  {100 * row['rps'] / baseline:>8.1f}%  "
            f"{counted.get('cold', '?'):>8}  {counted.get('warm', '?'):>8}"
        )


def print_verdicts(results: dict[str, dict], queries: dict[str, dict], baseline: float) -> int:
    """Print PASS/FAIL per public page against both targets; return the number of failing pages."""
    failing = 0
    print(
        f"\nTargets per public page: >= {MIN_SHARE_OF_HEALTHZ:.0f}% of /healthz throughput "
        f"({baseline:.1f} req/s), <= {MAX_QUERIES} SQL queries on a cold request (cache cleared), no errors."
    )
    for path, row in results.items():
        if path == "/healthz":
            continue
        share = 100 * row["rps"] / baseline
        cold = queries.get(path, {}).get("cold", 10**6)
        problems = []
        if share < MIN_SHARE_OF_HEALTHZ:
            problems.append(f"throughput {share:.1f}% < {MIN_SHARE_OF_HEALTHZ:.0f}%")
        if cold > MAX_QUERIES:
            problems.append(f"{cold} queries > {MAX_QUERIES}")
        if row["errors"]:
            problems.append(f"{row['errors']} errors")
        failing += bool(problems)
        verdict = "FAIL" if problems else "PASS"
        detail = "; ".join(problems) if problems else f"throughput {share:.1f}%, {cold} queries"
        print(f"  {verdict}  {path}  ({detail})")
    print(f"{failing} of {len(results) - 1} public pages miss a target.")
    return failing


# --- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per URL (default 10)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default 16)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per URL (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop forum_site_bench at the end")
    parser.add_argument("--step", choices=["volume", "queries"], help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 0 <= args.warmup <= 60 or args.clients < 1 or args.workers < 1:
        parser.error("need 0 < --seconds <= 600, 0 <= --warmup <= 60, --clients >= 1, --workers >= 1")
    return args


def measure_all(port: int, paths: list[str], args: argparse.Namespace) -> tuple[dict[str, dict], float]:
    """Load every path in turn; /healthz is measured first and last, its mean is the baseline."""
    print(
        f"\nLoad: {args.clients} client threads x {args.seconds:g} s per URL after {args.warmup:g} s "
        f"warm-up; gunicorn sync worker class, {args.workers} workers; {os.cpu_count()} CPU cores "
        f"shared by the client threads, gunicorn and PostgreSQL. Load average before: {load_average()}.\n"
    )
    results = {path: measure(port, path, args) for path in paths}
    healthz_again = measure(port, "/healthz", args)
    baseline = (results["/healthz"]["rps"] + healthz_again["rps"]) / 2 or 1.0
    print(
        f"/healthz: {results['/healthz']['rps']:.1f} req/s first, {healthz_again['rps']:.1f} req/s last; "
        f"baseline {baseline:.1f}. Load average after: {load_average()}.\n"
    )
    return results, baseline


def benchmark(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Prepare, serve, load, count and report; always stop gunicorn and drop the database."""
    process = None
    log = open_log("bench-gunicorn-")
    print(f"forum_site page benchmark at {git_revision()}")
    try:
        slugs = prepare_database(env)
        print(f"  sample edition: {slugs['sub_forums']} sub-forums, {slugs['exhibits']} exhibits")
        paths = bench_paths(slugs)
        queries = step("count queries", lambda: django_step(SCRIPT, "queries", *paths, env=env, timeout=300))
        for path, counted in queries.items():
            if counted["status"] != 200:
                print(f"  note: {path} answered {counted['status']} to the test client")
        port = free_port()
        process = start_gunicorn(env, port, log, workers=args.workers)
        step(f"start gunicorn (pid {process.pid}, port {port})", lambda: wait_until_healthy(process, port))
        results, baseline = measure_all(port, paths, args)
        print_table(results, queries, baseline)
        print_verdicts(results, queries, baseline)
    finally:
        handle_signals(during_cleanup=True)
        stop_process(process)
        if exited_abnormally(process):
            close_log(log, keep=True, note=f"gunicorn exited with {process.returncode}; log kept at")
        else:
            close_log(log, keep=False)
        if not args.keep_db:
            drop_database(DB_NAME)


def main() -> int:
    """Parse options and run either the benchmark or one in-Django step."""
    args = parse_args()
    if args.step:
        run_django_step(args.step, args.paths)
        return 0
    return run_interruptible(lambda: benchmark(args, bench_env(DB_NAME)), "bench")


if __name__ == "__main__":
    sys.exit(main())
