"""What the benchmarks in bench/ share: the throw-away database, subprocesses, gunicorn, signals, timing.

Not a package: each script runs as `.venv/bin/python bench/<name>.py`, so Python puts bench/ first on
sys.path and `from common import ...` finds this file, in the script and in its in-Django subprocesses.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
EVENT_SLUG = "sample-edition"
SESSION_COOKIE = "sessionid"
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0


def bench_env(db_name: str, *, dummy_tasks: bool = False) -> dict[str, str]:
    """The environment every Django subprocess (manage.py, gunicorn, in-Django steps) runs with."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db_name}",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "FORUM_DATA_KEYS": "YmVuY2gtb25seS1wYXNzcG9ydC1kYXRhLWtleS0zMmI=",
            "DJANGO_DEBUG": "false",
            "FORUM_MAIL_CONSOLE": "true",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "forum_site.settings",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if dummy_tasks:
        env["FORUM_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    return env


# --- database and subprocesses ----------------------------------------------------------------


def admin_sql(statement: str) -> None:
    """Run one statement on the maintenance database in autocommit mode."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as connection:
        connection.execute(statement)


def create_database(db_name: str) -> None:
    """Drop the database if it exists and create it empty."""
    drop_database(db_name)
    admin_sql(f'CREATE DATABASE "{db_name}"')


def drop_database(db_name: str) -> None:
    """Drop the database, closing any connection still open to it."""
    admin_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def run(command: list[str], *, env: dict[str, str], timeout: float) -> str:
    """Run a subprocess from the project root and return its stdout, raising with its output on failure."""
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run a manage.py command; fail loudly with its output if it fails."""
    return run([str(PYTHON), "manage.py", *args], env=env, timeout=timeout)


def django_step(script: str, name: str, *extra: str, env: dict[str, str], timeout: float = 600) -> dict:
    """Run one in-Django step of `script` in a subprocess and return its JSON result (its last line)."""
    output = run([str(PYTHON), script, "--step", name, *extra], env=env, timeout=timeout)
    return json.loads(output.strip().splitlines()[-1])


def create_demo_database(db_name: str, env: dict[str, str], *, collectstatic: bool = True) -> None:
    """Create the database empty, migrate it, optionally collect static files, and load the demo."""
    create_database(db_name)
    step("migrate", lambda: manage("migrate", "--noinput", env=env))
    if collectstatic:
        step("collectstatic", lambda: manage("collectstatic", "--noinput", env=env))
    step("load_forum_demo", lambda: manage("load_forum_demo", env=env))


def setup_django() -> None:
    """Configure Django from the bench environment inside this process."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- gunicorn and HTTP ------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def open_log(prefix: str) -> IO[bytes]:
    """A temporary file for gunicorn's output, left in place when closed."""
    return tempfile.NamedTemporaryFile(prefix=prefix, suffix=".log", delete=False)


def start_gunicorn(
    env: dict[str, str],
    port: int,
    log: IO[bytes],
    *,
    workers: int,
    threads: int = 0,
    max_requests: int | None = None,
) -> subprocess.Popen:
    """Start gunicorn on 127.0.0.1:port (gthread workers when `threads`), logging to `log`."""
    command = [str(GUNICORN), "forum_site.wsgi", "-w", str(workers)]
    if threads:
        command += ["--threads", str(threads), "-k", "gthread"]
    if max_requests is not None:
        command += ["--max-requests", str(max_requests)]
    command += ["-b", f"{HOST}:{port}"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_server[T](process: subprocess.Popen, ready: Callable[[], T | None], failure: str) -> T:
    """Call `ready` every 0.2 s until it returns something, for at most STARTUP_TIMEOUT seconds."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode} during startup")
        with contextlib.suppress(OSError, http.client.HTTPException):
            result = ready()
            if result is not None:
                return result
        time.sleep(0.2)
    raise RuntimeError(f"{failure} within {STARTUP_TIMEOUT:.0f} s")


def wait_until_healthy(process: subprocess.Popen, port: int) -> None:
    """Poll /healthz until it answers 200, for at most STARTUP_TIMEOUT seconds."""
    wait_for_server(
        process,
        lambda: True if fetch_status(port, "/healthz") == 200 else None,
        "/healthz did not answer 200",
    )


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection, redirects not followed: status, headers and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def fetch_status(port: int, path: str, session: str | None = None) -> int:
    """The status code of one GET on a fresh connection (with a session cookie if given), the body dropped."""
    headers = {"Cookie": f"{SESSION_COOKIE}={session}"} if session else None
    return request(port, "GET", path, headers=headers)[0]


def stop_process(process: subprocess.Popen | None) -> None:
    """Stop gunicorn by its pid: TERM, then KILL if it is still running after 15 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def exited_abnormally(process: subprocess.Popen | None) -> bool:
    """Whether gunicorn has ended other than with code 0 or by our SIGTERM."""
    return process is not None and process.returncode not in (0, None, -signal.SIGTERM)


def close_log(log: IO[bytes], *, keep: bool, note: str = "gunicorn log kept at") -> None:
    """Close gunicorn's log; when `keep`, print `note` and its path, otherwise delete it."""
    log.close()
    if keep:
        print(f"{note} {log.name}")
    else:
        Path(log.name).unlink(missing_ok=True)


# --- signals ----------------------------------------------------------------------------------


def raise_on_term(signum, frame) -> None:
    """Turn SIGTERM into an exception so cleanup runs."""
    raise KeyboardInterrupt


def handle_signals(*, during_cleanup: bool) -> None:
    """Ctrl+C and SIGTERM interrupt the run (even if the parent shell ignored them); cleanup is not interrupted."""
    signal.signal(signal.SIGINT, signal.SIG_IGN if during_cleanup else signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_IGN if during_cleanup else raise_on_term)


def run_interruptible(benchmark: Callable[[], object], database: str) -> int:
    """Run the benchmark with Ctrl+C and SIGTERM armed; the exit code: 0, or 130 when interrupted."""
    handle_signals(during_cleanup=False)
    try:
        benchmark()
    except KeyboardInterrupt:
        print(f"\ninterrupted; gunicorn stopped and {database} database dropped")
        return 130
    return 0


# --- timing and the record --------------------------------------------------------------------


def step[T](label: str, action: Callable[[], T]) -> T:
    """Run one preparation step and report how long it took."""
    started = time.monotonic()
    print(f"- {label} ...", end="", flush=True)
    result = action()
    print(f" {time.monotonic() - started:.1f} s", flush=True)
    return result


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of a list (0 for an empty one)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(share / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def git_revision() -> str:
    """The checked-out commit, marked dirty when files outside bench/ changed (for the record)."""
    try:
        commit = run(["git", "rev-parse", "--short", "HEAD"], env=dict(os.environ), timeout=10).strip()
        dirty = run(
            ["git", "status", "--porcelain", "--", ".", ":!bench"], env=dict(os.environ), timeout=10
        ).strip()
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{commit}{' (dirty work tree)' if dirty else ''}"


def load_average() -> str:
    """The 1-minute load average, to judge how much other work shared the CPU."""
    return f"{os.getloadavg()[0]:.2f}"
