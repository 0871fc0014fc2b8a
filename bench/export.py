"""Time the attendee-list exports of forum_site against PostgreSQL's own COPY, on 127.0.0.1 only.

Run from the project root:  .venv/bin/python bench/export.py [--rows 100000] [--runs 2]

It builds a throw-away database (forum_site_export) with the demo and `--rows` registrations for the
sample edition (written with COPY: users, profiles, registrations, sub-forum seats, entrance
check-ins) and a signed-in Registration staff session. It times `psql \\copy` of the same columns,
then, for each format on freshly started gunicorn (gthread) workers, downloads the default-column
CSV or XLSX export over HTTP, timing it and sampling the serving worker's resident memory every
50 ms. It checks the row counts of both files, prints a table and PASS/FAIL per target, stops
gunicorn and drops the database. The exit code is 0 whenever the figures were produced: this is a
measurement, not a test.
"""

import argparse
import concurrent.futures
import contextlib
import csv
import datetime
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
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
    fetch_status,
    free_port,
    git_revision,
    handle_signals,
    load_average,
    open_log,
    request,
    run,
    run_interruptible,
    setup_django,
    start_gunicorn,
    step,
    stop_process,
    wait_for_server,
)

SCRIPT = str(Path(__file__).resolve())
DB_NAME = "forum_site_export"
EXPORT_PATH = f"/staff/{EVENT_SLUG}/registrations/export"
# Exports are form POSTs: Django accepts a CSRF token equal to the cookie's secret (32 letters/digits).
CSRF_COOKIE = "csrftoken"
CSRF_SECRET = "benchOnlyCsrfSecret0123456789abc"
EMAIL_DOMAIN = "export.example.org"
STAFF_EMAIL = f"export-staff@{EMAIL_DOMAIN}"
MAX_CSV_RATIO = 5.0
MAX_CSV_GROWTH_MIB = 25.0
MAX_XLSX_SECONDS = 20.0
MAX_XLSX_GROWTH_MIB = 50.0
COPY_RUNS = 3
SAMPLE_SECONDS = 0.05
EXPORT_TIMEOUT = 600.0
WARMUP_ROUNDS = 10
WARMUP_CONCURRENCY = 8
WARMUP_MIN_TICKS = 3
READ_SIZE = 64 * 1024

# The default export columns, in order, that COPY_SQL reproduces (codes where the export shows labels).
COPY_COLUMNS = [
    "family_name_latin",
    "given_name_latin",
    "family_name_native",
    "given_name_native",
    "honorific",
    "position",
    "organization",
    "country",
    "category",
    "mode",
    "status",
    "sub_forums",
    "email",
    "phone",
    "arrival",
    "departure",
    "flight",
    "accommodation",
    "dietary",
    "interpretation",
    "checked_in",
]
# Seats and the entrance check-in are joined, not looked up per row: correlated subqueries make the
# same COPY about 2.5x slower (100,000 index probes each, and a plan costly enough to trigger JIT).
COPY_SQL = """
SELECT p.family_name_latin, p.given_name_latin, p.family_name_native, p.given_name_native,
  p.honorific, p.position, p.organization, p.country, r.category, r.mode, r.status,
  seats.sub_forums, u.email, p.phone,
  to_char(r.arrival_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD HH24:MI') AS arrival,
  to_char(r.departure_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD HH24:MI') AS departure,
  r.flight, CASE WHEN r.needs_accommodation THEN 'Yes' ELSE 'No' END AS accommodation,
  r.dietary_needs, r.interpretation_language,
  to_char(c.checked_in_at AT TIME ZONE e.time_zone, 'YYYY-MM-DD HH24:MI') AS checked_in
FROM delegates_registration r
  JOIN events_event e ON e.id = r.event_id
  JOIN delegates_user u ON u.id = r.user_id
  LEFT JOIN delegates_profile p ON p.user_id = u.id
  LEFT JOIN (
    SELECT s.registration_id,
      string_agg(f.title || ' (' || s.state || ')', '; ' ORDER BY f.starts_at, s.id) AS sub_forums
    FROM delegates_subforumseat s JOIN events_subforum f ON f.id = s.sub_forum_id
    GROUP BY s.registration_id
  ) seats ON seats.registration_id = r.id
  LEFT JOIN delegates_checkin c ON c.registration_id = r.id AND c.sub_forum_id IS NULL
WHERE e.slug = 'sample-edition'
ORDER BY r.created_at DESC, r.id DESC
"""

# Generated delegates: (Latin, native) names by country; countries without a native script get "".
CYRILLIC_FAMILY = [
    ("Bekova", "Бекова"),
    ("Nurlanov", "Нурланов"),
    ("Sadykov", "Садыков"),
    ("Ivanova", "Иванова"),
]
CYRILLIC_GIVEN = [("Aigerim", "Айгерим"), ("Timur", "Тимур"), ("Dilnoza", "Дильноза"), ("Askar", "Аскар")]
NAMES = {
    "CN": (
        [("Zhang", "张"), ("Wang", "王"), ("Li", "李"), ("Liu", "刘"), ("Chen", "陈"), ("Ouyang", "欧阳")],
        [("Wei", "伟"), ("Fang", "芳"), ("Min", "敏"), ("Jing", "静"), ("Xiaoling", "晓玲")],
    ),
    "KZ": (CYRILLIC_FAMILY, CYRILLIC_GIVEN),
    "KG": (CYRILLIC_FAMILY, CYRILLIC_GIVEN),
    "TJ": ([("Rahmonov", "Раҳмонов"), ("Saidzoda", "Саидзода")], [("Zohir", "Зоҳир"), ("Manizha", "Манижа")]),
    "RU": ([("Petrov", "Петров"), ("Smirnova", "Смирнова")], [("Olga", "Ольга"), ("Sergei", "Сергей")]),
    "UZ": ([("Aliyeva", ""), ("Karimov", "")], [("Dilnoza", ""), ("Jasur", "")]),
    "TM": ([("Berdiyev", ""), ("Orazova", "")], [("Maral", ""), ("Serdar", "")]),
    "OTHER": (
        [("Haddad", ""), ("Schneider", ""), ("Yilmaz", ""), ("Smith", "")],
        [("Omar", ""), ("Anna", "")],
    ),
}
COUNTRY_WEIGHTS = {
    "CN": 30,
    "KZ": 15,
    "KG": 8,
    "TJ": 8,
    "TM": 5,
    "UZ": 12,
    "RU": 10,
    "AE": 4,
    "DE": 4,
    "TR": 4,
}
PHONES = {
    "CN": "+86138{:08d}",
    "KZ": "+7701{:07d}",
    "KG": "+996555{:06d}",
    "TJ": "+992917{:06d}",
    "TM": "+99365{:06d}",
    "UZ": "+99890{:07d}",
    "RU": "+7916{:07d}",
    "AE": "+97150{:07d}",
    "DE": "+49151{:08d}",
    "TR": "+90532{:07d}",
}
LANGUAGE_BY_COUNTRY = {
    "CN": "zh-hans",
    "KZ": "ru",
    "KG": "ru",
    "TJ": "ru",
    "RU": "ru",
    "UZ": "ru",
    "TM": "ru",
}
ORGANIZATIONS = [
    "Ministry of Foreign Affairs",
    "Ministry of Commerce",
    "Chamber of Commerce and Industry",
    "National University",
    "Silk Road Fund",
    "Xinhua News Agency",
    "Central Asia Logistics Group",
    "Academy of Sciences",
]
POSITIONS = ["Minister", "Deputy Minister", "Counsellor", "Director", "Professor", "Correspondent", "Chair"]
HONORIFICS = ["", "", "he", "dr", "prof", "mr", "ms"]
DIETARY = ["", "", "", "", "Halal", "Vegetarian", "No pork", "Gluten-free"]
FLIGHTS = ["CZ 6901", "KC 891", "HY 9501", "MU 5573", "SU 206", "TK 350"]
STATUS_WEIGHTS = {"approved": 55, "pending": 25, "waitlisted": 10, "rejected": 5, "cancelled": 5}
SEAT_WEIGHTS = {"confirmed": 70, "waitlisted": 20, "released": 10}
SEAT_SHARE = 0.6
CHECK_IN_SHARE = 0.4


# --- database -------------------------------------------------------------------------------


def prepare_database(env: dict[str, str], args: argparse.Namespace) -> dict:
    """Create, migrate and fill the export database; return the staff session and what was seeded."""
    create_demo_database(DB_NAME, env, collectstatic=False)
    return step(
        f"seed {args.rows:,} registrations (COPY) and a staff session, VACUUM ANALYZE",
        lambda: django_step(SCRIPT, "seed", str(args.rows), env=env, timeout=900),
    )


# --- in-Django steps (run in a subprocess with the bench environment) ------------------------


def copy_rows(model, rows) -> int:
    """COPY rows (dicts by attname; missing columns take the field's default) into the model's table."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [row[field.attname] if field.attname in row else field.get_default() for field in fields]
            )
            count += 1
    return count


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    """One key of `weights`, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def local_moment(event, day: datetime.date, minutes: int) -> datetime.datetime:
    """`minutes` after midnight of `day` in the edition's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=event.tz) + datetime.timedelta(
        minutes=minutes
    )


def delegate_plan(event, number: int, rng: random.Random, now: datetime.datetime) -> dict:
    """The random choices for one generated delegate: profile, registration and travel."""
    country = pick(rng, COUNTRY_WEIGHTS)
    families, givens = NAMES.get(country, NAMES["OTHER"])
    (family, family_native), (given, given_native) = rng.choice(families), rng.choice(givens)
    opens = event.registration_opens_at or now - datetime.timedelta(days=30)
    created = opens + (now - opens) * rng.random()
    mode = "in_person" if rng.random() < 0.6 else "online"
    plan = {
        "email": f"delegate{number:06d}@{EMAIL_DOMAIN}",
        "country": country,
        "family": family,
        "given": given,
        "family_native": family_native,
        "given_native": given_native,
        "phone": PHONES[country].format(number),
        "language": LANGUAGE_BY_COUNTRY.get(country, "en"),
        "created": created,
        "mode": mode,
        "status": pick(rng, STATUS_WEIGHTS),
        "arrival": None,
        "departure": None,
    }
    if mode == "in_person":
        before = rng.randint(0, event.travel_days_before)
        after = rng.randint(1, max(1, event.travel_days_after))
        plan["arrival"] = local_moment(
            event, event.start_on - datetime.timedelta(days=before), rng.randint(360, 1439)
        )
        plan["departure"] = local_moment(
            event, event.end_on + datetime.timedelta(days=after), rng.randint(360, 1320)
        )
    return plan


def user_row(plan: dict) -> dict:
    """The account of a generated delegate (no usable password)."""
    return {
        "password": "!",
        "last_login": None,
        "is_superuser": False,
        "first_name": "",
        "last_name": "",
        "email": plan["email"],
        "is_staff": False,
        "is_active": True,
        "date_joined": plan["created"],
    }


def profile_row(plan: dict, user_id: int, rng: random.Random) -> dict:
    """The profile of a generated delegate, native names in Chinese or Cyrillic where the country has one."""
    return {
        "user_id": user_id,
        "honorific": rng.choice(HONORIFICS),
        "given_name_native": plan["given_native"],
        "family_name_native": plan["family_native"],
        "given_name_latin": plan["given"],
        "family_name_latin": plan["family"],
        "position": rng.choice(POSITIONS),
        "organization": f"{rng.choice(ORGANIZATIONS)} ({plan['country']})",
        "country": plan["country"],
        "phone": plan["phone"],
        "preferred_language": plan["language"],
        "updated_at": plan["created"],
    }


def registration_row(plan: dict, event_id: int, user_id: int, rng: random.Random) -> dict:
    """The registration of a generated delegate for the sample edition."""
    from delegates.forms import PRIVACY_NOTICE_VERSION
    from delegates.models import Registration, new_badge_token

    in_person = plan["mode"] == "in_person"
    return {
        "event_id": event_id,
        "user_id": user_id,
        "category": rng.choice(Registration.Category.values),
        "mode": plan["mode"],
        "status": plan["status"],
        "interpretation_language": plan["language"],
        "arrival_at": plan["arrival"],
        "departure_at": plan["departure"],
        "flight": rng.choice(FLIGHTS) if in_person else "",
        "needs_accommodation": in_person and rng.random() < 0.5,
        "dietary_needs": rng.choice(DIETARY),
        "accessibility_needs": "",
        "wants_visa_letter": False,
        "passport_number": "",
        "passport_nationality": "",
        "passport_birth_date": None,
        "passport_expires_on": None,
        "consent_version": PRIVACY_NOTICE_VERSION,
        "consented_at": plan["created"],
        "rejection_reason": "",
        "badge_token": new_badge_token(),
        "seat_requested_at": plan["created"],
        "created_at": plan["created"],
        "updated_at": plan["created"],
    }


def seat_rows(plan: dict, registration_id: int, sub_forum_ids: list[int], rng: random.Random) -> list[dict]:
    """One or two sub-forum seats for a share of the delegates."""
    if not sub_forum_ids or rng.random() >= SEAT_SHARE:
        return []
    chosen = rng.sample(sub_forum_ids, min(len(sub_forum_ids), rng.choice([1, 1, 2])))
    return [
        {
            "registration_id": registration_id,
            "sub_forum_id": sub_forum_id,
            "state": pick(rng, SEAT_WEIGHTS),
            "requested_at": plan["created"],
        }
        for sub_forum_id in chosen
    ]


def check_in_row(event, plan: dict, registration_id: int, staff_id: int, rng: random.Random) -> list[dict]:
    """An entrance check-in on the first morning for a share of the approved in-person delegates."""
    if plan["mode"] != "in_person" or plan["status"] != "approved" or rng.random() >= CHECK_IN_SHARE:
        return []
    return [
        {
            "registration_id": registration_id,
            "sub_forum_id": None,
            "checked_in_at": local_moment(event, event.start_on, rng.randint(480, 660)),
            "checked_in_by_id": staff_id,
        }
    ]


def staff_session() -> tuple[int, str]:
    """A Registration staff account with a verified email and TOTP set up, signed in without the login view."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group
    from django.test import Client

    from delegates.models import User
    from delegates.roles import REGISTRATION_STAFF

    staff = User.objects.create_user(email=STAFF_EMAIL, is_staff=True)
    staff.groups.add(Group.objects.get(name=REGISTRATION_STAFF))
    EmailAddress.objects.create(user=staff, email=STAFF_EMAIL, verified=True, primary=True)
    # Staff who read personal data must have two-factor set up before /staff/ answers them; no code is
    # ever asked for here (the session is made directly), so the secret is never used.
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "bench-only"})
    client = Client()
    client.force_login(staff)
    return staff.pk, client.cookies[SESSION_COOKIE].value


def seed(rows: int) -> dict:
    """Write `rows` delegates with COPY and the staff session, then VACUUM ANALYZE; return counts and the session."""
    from django.db import connection, transaction
    from django.utils import timezone

    from delegates import exports
    from delegates.models import CheckIn, Profile, Registration, SubForumSeat, User
    from events.models import Event

    rng = random.Random(20251201)
    event = Event.objects.get(slug=EVENT_SLUG)
    now = timezone.now()
    sub_forum_ids = list(event.sub_forums.order_by("starts_at", "pk").values_list("pk", flat=True))
    with transaction.atomic():
        staff_id, session = staff_session()
        plans = [delegate_plan(event, number, rng, now) for number in range(rows)]
        copy_rows(User, (user_row(plan) for plan in plans))
        user_ids = dict(User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").values_list("email", "pk"))
        copy_rows(Profile, (profile_row(plan, user_ids[plan["email"]], rng) for plan in plans))
        copy_rows(
            Registration, (registration_row(plan, event.pk, user_ids[plan["email"]], rng) for plan in plans)
        )
        registration_ids = dict(Registration.objects.filter(event=event).values_list("user_id", "pk"))
        linked = [(plan, registration_ids[user_ids[plan["email"]]]) for plan in plans]
        seats = copy_rows(
            SubForumSeat, (s for plan, pk in linked for s in seat_rows(plan, pk, sub_forum_ids, rng))
        )
        check_ins = copy_rows(
            CheckIn, (c for plan, pk in linked for c in check_in_row(event, plan, pk, staff_id, rng))
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "session": session,
        "registrations": Registration.objects.filter(event=event).count(),
        "in_person": sum(plan["mode"] == "in_person" for plan in plans),
        "seats": seats,
        "check_ins": check_ins,
        "sub_forums": len(sub_forum_ids),
        "default_columns": exports.DEFAULT_COLUMNS,
        "header": [str(exports.COLUMNS_BY_KEY[key].label) for key in exports.DEFAULT_COLUMNS],
    }


def run_django_step(name: str, values: list[str]) -> None:
    """Entry point of the in-Django subprocess: print the step's result as one JSON line."""
    setup_django()
    if name == "seed":
        print(json.dumps(seed(int(values[0]))))


# --- \copy ----------------------------------------------------------------------------------


def time_copy(env: dict[str, str]) -> tuple[float, int]:
    """Best wall time of COPY_RUNS `psql \\copy` runs of the export's columns to /dev/null, and its row count."""
    query = " ".join(COPY_SQL.split())
    command = [
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        HOST,
        "-U",
        "postgres",
        "-d",
        DB_NAME,
        "-c",
        f"\\copy ({query}) TO '/dev/null' WITH CSV HEADER",
    ]
    times, copied = [], 0
    for _ in range(COPY_RUNS):
        started = time.perf_counter()
        output = run(command, env=env, timeout=600)
        times.append(time.perf_counter() - started)
        found = re.search(r"COPY (\d+)", output)
        copied = int(found.group(1)) if found else 0
    return min(times), copied


# --- gunicorn ---------------------------------------------------------------------------------


def wait_until_ready(process: subprocess.Popen, port: int, workers: int) -> list[int]:
    """Poll /healthz until it answers 200 and all workers run, for at most STARTUP_TIMEOUT; return their pids."""

    def ready() -> list[int] | None:
        """The worker pids once all of them run and /healthz answers 200; None until then."""
        pids = worker_pids(process.pid)
        return pids if len(pids) == workers and fetch_status(port, "/healthz") == 200 else None

    return wait_for_server(process, ready, f"/healthz did not answer 200 with {workers} workers")


# --- worker processes (/proc) -----------------------------------------------------------------


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first); empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = proc_stat(int(entry.name))
            if len(fields) > 1 and int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time of a process, in clock ticks."""
    fields = proc_stat(pid)
    return int(fields[11]) + int(fields[12]) if len(fields) > 12 else 0


def status_kib(pid: int, key: str) -> int:
    """One memory line of /proc/<pid>/status (VmRSS, VmHWM) in KiB; 0 once the process is gone."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> bool:
    """Reset the kernel's peak RSS (VmHWM) of a process; False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class MemorySampler:
    """Peak RSS of each worker, read every SAMPLE_SECONDS in a thread while one request runs."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.before = {pid: status_kib(pid, "VmRSS") for pid in pids}
        self.peaks = dict(self.before)
        self.cpu_before = {pid: cpu_ticks(pid) for pid in pids}
        self.cpu: dict[int, int] = {}
        resets = [reset_peak(pid) for pid in pids]
        self.hwm_reset = all(resets)
        self.hwm: dict[int, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def __enter__(self) -> "MemorySampler":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.done.set()
        self.thread.join(timeout=5)
        self.sample()
        self.cpu = {pid: cpu_ticks(pid) - self.cpu_before[pid] for pid in self.pids}
        self.hwm = {pid: status_kib(pid, "VmHWM") for pid in self.pids}

    def loop(self) -> None:
        """Sample until the request is over."""
        while not self.done.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        """Read every worker's RSS once and keep the peaks."""
        for pid in self.pids:
            self.peaks[pid] = max(self.peaks[pid], status_kib(pid, "VmRSS"))

    def busiest(self) -> int:
        """The worker that used the most CPU during the request: the one that served it."""
        return max(self.pids, key=lambda pid: self.cpu.get(pid, 0))


# --- exports over HTTP ------------------------------------------------------------------------


def export_path(file_format: str) -> str:
    """The export URL of the sample edition."""
    return f"{EXPORT_PATH}.{file_format}"


def post_headers(session: str) -> dict[str, str]:
    """A form POST as the staff member: the session, and a CSRF cookie with the same token as header."""
    return {
        "Cookie": f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={CSRF_SECRET}",
        "X-CSRFToken": CSRF_SECRET,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def download(port: int, path: str, session: str, sink_path: Path, form: str = "") -> dict:
    """POST an export form as the staff member (default columns, no filters unless `form`), streaming
    the body to a file; time to first byte and in all."""
    connection = http.client.HTTPConnection(HOST, port, timeout=EXPORT_TIMEOUT)
    size = 0
    started = time.perf_counter()
    try:
        connection.request("POST", path, body=form, headers=post_headers(session))
        response = connection.getresponse()
        first_byte = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(
                f"POST {path} answered {response.status} (Location: {response.getheader('Location')})"
            )
        with sink_path.open("wb") as sink:
            while chunk := response.read(READ_SIZE):
                size += sink.write(chunk)
    finally:
        connection.close()
    return {"seconds": time.perf_counter() - started, "first_byte": first_byte, "bytes": size}


def measure_export(port: int, pids: list[int], file_format: str, session: str, sink_path: Path) -> dict:
    """One export download while the workers' memory is sampled; the serving worker's growth."""
    with MemorySampler(pids) as sampler:
        result = download(port, export_path(file_format), session, sink_path)
    worker = sampler.busiest()
    result.update(
        {
            "worker": worker,
            "before_mib": sampler.before[worker] / 1024,
            "peak_mib": sampler.peaks[worker] / 1024,
            "growth_mib": (sampler.peaks[worker] - sampler.before[worker]) / 1024,
            "hwm_growth_mib": (sampler.hwm[worker] - sampler.before[worker]) / 1024
            if sampler.hwm_reset
            else None,
            "cpu_seconds": sampler.cpu[worker] / os.sysconf("SC_CLK_TCK"),
        }
    )
    return result


def warm_up(port: int, pids: list[int], session: str) -> int:
    """Empty exports of both formats, a few at once, until every worker has served some (bounded rounds)."""
    empty = "q=no-such-delegate-zz"
    paths = [export_path(file_format) for file_format in ("csv", "xlsx")] * (WARMUP_CONCURRENCY // 2)
    start = {pid: cpu_ticks(pid) for pid in pids}
    with concurrent.futures.ThreadPoolExecutor(max_workers=WARMUP_CONCURRENCY) as pool:
        for rounds in range(1, WARMUP_ROUNDS + 1):
            statuses = list(
                pool.map(
                    lambda path: request(port, "POST", path, headers=post_headers(session), body=empty)[0],
                    paths,
                )
            )
            if any(status != 200 for status in statuses):
                raise RuntimeError(
                    f"warm-up exports answered {sorted(set(statuses))}: is the staff session valid?"
                )
            if rounds >= 2 and all(cpu_ticks(pid) - start[pid] >= WARMUP_MIN_TICKS for pid in pids):
                return rounds
    return WARMUP_ROUNDS


# --- validation -------------------------------------------------------------------------------


def csv_rows(path: Path) -> tuple[int, list[str]]:
    """Rows of a CSV export (header included) read with the csv module, and its header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        return 1 + sum(1 for _ in reader) if header else 0, header


def xlsx_rows(path: Path) -> tuple[int, list[str]]:
    """Rows of an XLSX export (header included) read with openpyxl in read-only mode, and its header."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook.active.iter_rows(values_only=True)
        header = [cell or "" for cell in next(rows, ())]
        return 1 + sum(1 for _ in rows) if header else 0, header
    finally:
        workbook.close()


# --- report -----------------------------------------------------------------------------------


def print_run(file_format: str, number: int, result: dict) -> None:
    """One line per download: time, first byte, size, serving worker, its memory."""
    hwm = result["hwm_growth_mib"]
    kernel_peak = f"; VmHWM +{hwm:.1f}" if hwm is not None else ""
    print(
        f"  {file_format.upper():<4} run {number}: {result['seconds']:6.2f} s (first byte {result['first_byte']:5.2f} s), "
        f"{result['bytes'] / 2**20:6.1f} MiB, worker {result['worker']} CPU {result['cpu_seconds']:5.2f} s, "
        f"RSS {result['before_mib']:.1f} -> peak {result['peak_mib']:.1f} MiB (+{result['growth_mib']:.1f}{kernel_peak})"
    )


def summarize(runs: list[dict]) -> dict:
    """Best time and largest memory growth of a format's runs."""
    best = min(runs, key=lambda result: result["seconds"])
    return {
        "seconds": best["seconds"],
        "first_byte": best["first_byte"],
        "growth_mib": max(result["growth_mib"] for result in runs),
        "bytes": best["bytes"],
    }


def print_table(copy_seconds: float, copied: int, results: dict[str, dict], expected: int) -> None:
    """Print \\copy, CSV and XLSX side by side: time, ratio to \\copy, memory growth, rows."""
    header = f"{'':<16}  {'time s':>8}  {'x \\copy':>8}  {'mem growth MiB':>14}  {'data rows':>10}  {'size MiB':>8}"
    print(header)
    print("-" * len(header))
    print(f"{'psql \\copy':<16}  {copy_seconds:>8.2f}  {1:>8.1f}  {'-':>14}  {copied:>10,}  {'-':>8}")
    for file_format, label in (("csv", "CSV export"), ("xlsx", "XLSX export")):
        row = results[file_format]
        ratio = row["seconds"] / copy_seconds if copy_seconds else float("inf")
        print(
            f"{label:<16}  {row['seconds']:>8.2f}  {ratio:>8.1f}  {row['growth_mib']:>14.1f}  "
            f"{row['rows'] - 1:>10,}  {row['bytes'] / 2**20:>8.1f}"
        )
    print(f"(expected {expected:,} data rows: the edition's registrations; each file also has a header row)")


def print_verdicts(copy_seconds: float, results: dict[str, dict], expected: int) -> int:
    """Print PASS/FAIL per target; return the number of targets missed."""
    csv_result, xlsx_result = results["csv"], results["xlsx"]
    ratio = csv_result["seconds"] / copy_seconds if copy_seconds else float("inf")
    checks = [
        (f"CSV time <= {MAX_CSV_RATIO:g}x \\copy", ratio <= MAX_CSV_RATIO, f"{ratio:.1f}x"),
        (
            f"CSV memory growth <= {MAX_CSV_GROWTH_MIB:g} MiB",
            csv_result["growth_mib"] <= MAX_CSV_GROWTH_MIB,
            f"{csv_result['growth_mib']:.1f} MiB",
        ),
        (f"CSV has {expected + 1:,} rows", csv_result["rows"] == expected + 1, f"{csv_result['rows']:,}"),
        (
            f"XLSX time <= {MAX_XLSX_SECONDS:g} s",
            xlsx_result["seconds"] <= MAX_XLSX_SECONDS,
            f"{xlsx_result['seconds']:.1f} s",
        ),
        (
            f"XLSX memory growth <= {MAX_XLSX_GROWTH_MIB:g} MiB",
            xlsx_result["growth_mib"] <= MAX_XLSX_GROWTH_MIB,
            f"{xlsx_result['growth_mib']:.1f} MiB",
        ),
        (f"XLSX has {expected + 1:,} rows", xlsx_result["rows"] == expected + 1, f"{xlsx_result['rows']:,}"),
    ]
    print("\nTargets:")
    for label, ok, measured in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}  ({measured})")
    missed = sum(not ok for _, ok, _ in checks)
    print(f"VERDICT: {'PASS' if not missed else f'FAIL ({missed} of {len(checks)} targets missed)'}")
    return missed


# --- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="registrations to seed (default 100000)")
    parser.add_argument("--runs", type=int, default=2, help="downloads per format (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--keep-db", action="store_true", help=f"do not drop {DB_NAME} at the end")
    parser.add_argument("--step", choices=["seed"], help=argparse.SUPPRESS)
    parser.add_argument("values", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.rows <= 1_000_000 or not 1 <= args.runs <= 10 or args.workers < 1 or args.threads < 1:
        parser.error("need 1 <= --rows <= 1000000, 1 <= --runs <= 10, --workers >= 1, --threads >= 1")
    return args


def format_phase(
    file_format: str,
    env: dict[str, str],
    args: argparse.Namespace,
    seeded: dict,
    sinks: Path,
    log,
    processes: list[subprocess.Popen],
) -> dict:
    """Fresh gunicorn workers, warmed up, serve one format `--runs` times; then the file is read back."""
    port = free_port()
    process = start_gunicorn(env, port, log, workers=args.workers, threads=args.threads, max_requests=0)
    processes.append(process)
    sink = sinks / f"export.{file_format}"
    runs = []
    try:
        pids = step(
            f"start gunicorn for the {file_format.upper()} (pid {process.pid}, port {port})",
            lambda: wait_until_ready(process, port, args.workers),
        )
        rounds = step("warm up the workers (empty exports)", lambda: warm_up(port, pids, seeded["session"]))
        print(
            f"  gthread {args.workers} workers x {args.threads} threads (pids {', '.join(map(str, pids))}, "
            f"warmed in {rounds} rounds); load average before: {load_average()}"
        )
        for number in range(1, args.runs + 1):
            runs.append(measure_export(port, pids, file_format, seeded["session"], sink))
            print_run(file_format, number, runs[-1])
        print(f"  load average after: {load_average()}")
    finally:
        stop_process(process)
    result = summarize(runs)
    reader = csv_rows if file_format == "csv" else xlsx_rows
    result["rows"], header = step(f"read the {file_format.upper()} back (not timed)", lambda: reader(sink))
    if [str(cell) for cell in header] != seeded["header"]:
        print(f"  note: the {file_format.upper()} header is not the default columns' labels: {header}")
    return result


def benchmark(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Seed, time \\copy, serve, download, check and report; always stop gunicorn and drop the database."""
    failed = True
    log = open_log("export-gunicorn-")
    processes: list[subprocess.Popen] = []
    sinks = tempfile.TemporaryDirectory(prefix="export-bench-")
    print(
        f"forum_site export benchmark at {git_revision()}; {os.cpu_count()} CPU cores, load {load_average()}"
    )
    try:
        seeded = prepare_database(env, args)
        print(
            f"  {seeded['registrations']:,} registrations on {EVENT_SLUG} ({seeded['in_person']:,} in person), "
            f"{seeded['seats']:,} sub-forum seats over {seeded['sub_forums']} sub-forums, "
            f"{seeded['check_ins']:,} entrance check-ins"
        )
        if seeded["default_columns"] != COPY_COLUMNS:
            print(f"  note: the default export columns changed; \\copy still reads {COPY_COLUMNS}")
        copy_seconds, copied = step(f"psql \\copy, best of {COPY_RUNS}", lambda: time_copy(env))
        print(
            f"\nExports: default columns, no filters, {args.runs} downloads per format one at a time, "
            f"each format on fresh gunicorn workers; RSS sampled every {SAMPLE_SECONDS * 1000:.0f} ms."
        )
        results = {
            file_format: format_phase(file_format, env, args, seeded, Path(sinks.name), log, processes)
            for file_format in ("csv", "xlsx")
        }
        print()
        print_table(copy_seconds, copied, results, seeded["registrations"])
        print_verdicts(copy_seconds, results, seeded["registrations"])
        failed = False
    finally:
        handle_signals(during_cleanup=True)
        for process in processes:
            stop_process(process)
        sinks.cleanup()
        close_log(
            log, keep=any(exited_abnormally(process) for process in processes) or (failed and bool(processes))
        )
        if not args.keep_db:
            drop_database(DB_NAME)


def main() -> int:
    """Parse options and run either the benchmark or one in-Django step."""
    args = parse_args()
    if args.step:
        run_django_step(args.step, args.values)
        return 0
    return run_interruptible(lambda: benchmark(args, bench_env(DB_NAME, dummy_tasks=True)), "export")


if __name__ == "__main__":
    sys.exit(main())
