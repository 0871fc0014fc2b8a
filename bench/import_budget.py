"""Time and measure the import of the audit's hostile XLSX (2.8 million shared strings in ~120 KB).

Run from the project root:  .venv/bin/python bench/import_budget.py [--strings 2800000]

It writes the file the tests refuse (tests/test_import.py builds it with zipfile), then reads it in
two fresh Django subprocesses, one at a time: once as the import read an XLSX before the content
budget (openpyxl's read-only workbook, the first rows of the first sheet), once through
`delegates.imports.read_table`, which now measures the workbook first. For each it prints the
seconds, the process's peak resident memory (`VmHWM`) and its growth over the resident memory just
before the read, and what came out (rows, or the message shown on the import page). No database is
used. The exit code is 0 whenever the figures were produced: this is a measurement, not a test.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from common import bench_env, django_step, git_revision, load_average, setup_django, step

SCRIPT = str(Path(__file__).resolve())
TIMEOUT = 600


def status_kib(key: str) -> int:
    """One memory figure of this process, in KiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def unguarded(body: bytes) -> str:
    """What the import did before the budget: open the workbook with openpyxl and read its first rows."""
    import openpyxl

    from delegates.imports import HEADER, MAX_ROWS

    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True).active
    sheet.reset_dimensions()
    rows = list(islice(sheet.iter_rows(max_col=len(HEADER) + 5, values_only=True), MAX_ROWS + 2))
    return f"{len(rows)} rows read"


def guarded(body: bytes) -> str:
    """What the import does now: read_table, which measures the workbook before openpyxl reads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from delegates.imports import ImportFileError, read_table

    try:
        return f"{len(read_table(SimpleUploadedFile('list.xlsx', body)))} rows read"
    except ImportFileError as error:
        return f"refused: {error}"


def measure(mode: str, path: str) -> dict:
    """Read the file one way in this (fresh) process: seconds, peak memory, and the outcome."""
    setup_django()
    body = Path(path).read_bytes()
    read = {"openpyxl": unguarded, "read_table": guarded}[mode]
    before = status_kib("VmRSS")
    started = time.perf_counter()
    outcome = read(body)
    seconds = time.perf_counter() - started
    peak = status_kib("VmHWM")
    return {
        "seconds": seconds,
        "peak_mib": peak / 1024,
        "growth_mib": (peak - before) / 1024,
        "outcome": outcome,
    }


def hostile_file(strings: int) -> bytes:
    """The test suite's shared-strings bomb, with `strings` filler strings."""
    setup_django()
    from tests.test_import import handmade_xlsx

    return handmade_xlsx(filler=strings)


def benchmark(args: argparse.Namespace) -> None:
    """Write the file, read it both ways in fresh subprocesses, print a table."""
    env = {**bench_env("forum_site_unused"), "DJANGO_DEBUG": "true"}  # no database is opened
    os.environ.update(env)  # this process builds the file with the tests' code
    print(f"forum_site import budget benchmark at {git_revision()}; load {load_average()}")
    with tempfile.TemporaryDirectory(prefix="import-bench-") as directory:
        path = Path(directory) / "hostile.xlsx"
        body = step(
            f"build the XLSX with {args.strings:,} shared strings", lambda: hostile_file(args.strings)
        )
        path.write_bytes(body)
        print(f"  {len(body) / 1024:.0f} KB zipped")
        results = {
            mode: step(
                f"read it: {mode}",
                lambda mode=mode: django_step(SCRIPT, mode, str(path), env=env, timeout=TIMEOUT),
            )
            for mode in ("openpyxl", "read_table")
        }
    print(f"\n{'reader':<12}  {'seconds':>8}  {'peak MiB':>9}  {'growth MiB':>10}  outcome")
    for mode, row in results.items():
        print(
            f"{mode:<12}  {row['seconds']:>8.2f}  {row['peak_mib']:>9.1f}  {row['growth_mib']:>10.1f}  {row['outcome']}"
        )


def main() -> int:
    """Parse options and run either the benchmark or one in-Django step."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--strings", type=int, default=2_800_000, help="filler shared strings (default 2800000)"
    )
    parser.add_argument("--step", choices=["openpyxl", "read_table"], help=argparse.SUPPRESS)
    parser.add_argument("values", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(measure(args.step, args.values[0])))
        return 0
    benchmark(args)
    return 0


if __name__ == "__main__":
    os.chdir(Path(SCRIPT).parent.parent)
    sys.exit(main())
