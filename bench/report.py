"""Benchmark the impact report over a million impact rows against the same SQL in ``sqlite3``.

Run from the repository root with ``python -m bench.report`` (or
``python bench/report.py``). It creates a central store in a temporary
folder, inserts synthetic impact rows straight into its database (about
a third of them later versions written by reviews), then times, in turn:

- the report: open the store, run the report's SQL, apply disclosure
  control and render the HTML file, in this process;
- the baseline: the ``sqlite3`` command-line program running the very
  same statements (``command_line_script``) on the same database file.

It prints the median elapsed and CPU time of each and their ratios. The
target is an elapsed ratio of at most 2. Both are measured in the same
run on the same file, so the ratio stays comparable across machines even
where the absolute times do not. The CPU ratio is the steadier of the two on a
busy machine. Needs the ``sqlite3`` program on the PATH.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file, this folder comes first on sys.path and bench/sync.py
    # would shadow the ``sync`` package the report is built on.
    bench_folder = Path(__file__).resolve().parent
    sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != bench_folder]

from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402

from sync import CentralStore, init_central, make_registration  # noqa: E402
from sync.impact import BARRIER_CODES, MODES, NEXT_STEP_CODES  # noqa: E402
from sync.report import ReportScope, build_report, render_html  # noqa: E402
from sync.report.queries import Filters, command_line_script  # noqa: E402

PASSPHRASE = "benchmark passphrase, not secret"
BUNDLE_ID = "0" * 64
TARGET_RATIO = 2.0

_COLUMNS = ("impact_id, version, pseudonym, school_urn, year_group, month, mode, attended, views_captured, barriers,"
            " actions_parent_carer, actions_pupil, actions_school, actions_agency, next_step,"
            " attendance_before_permille, persistent_before, severe_before, attendance_after_permille,"
            " review_outcome, row_sha256, bundle_id")


def _rows(total: int, schools: int, seed: int) -> Iterator[tuple]:
    """Yield ``total`` synthetic impact log rows: version 1 rows, and a version 2 for about half of them."""
    rng = random.Random(seed)
    urns = [f"{100000 + 37 * index:06d}" for index in range(schools)]
    barriers = list(BARRIER_CODES)
    steps = list(NEXT_STEP_CODES)
    pupils = max(1, total * 2 // 5)
    written = 0
    while written < total:
        before = rng.randint(450, 980)
        attended = rng.random() < 0.85
        first = (
            str(uuid.UUID(int=rng.getrandbits(128), version=4)), 1,
            hashlib.sha256(str(rng.randrange(pupils)).encode()).hexdigest(),
            rng.choice(urns), str(rng.randint(1, 11)), f"{rng.choice((2024, 2025))}-{rng.randint(1, 12):02d}",
            rng.choice(MODES), int(attended), int(attended and rng.random() < 0.7),
            " ".join(sorted(rng.sample(barriers, rng.choice((0, 1, 1, 2, 2, 3))))),
            rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 3), rng.randint(0, 1), rng.choice(steps),
            before, int(before <= 900), int(before <= 500), None, None, "1" * 64, BUNDLE_ID,
        )
        yield first
        written += 1
        if written < total and rng.random() < 0.5:
            after = max(0, min(1000, before + rng.randint(-80, 160)))
            # A move of one percentage point or more counts as improved or declined, as on the laptop.
            outcome = "no_change"
            if after - before >= 10:
                outcome = "improved"
            elif before - after >= 10:
                outcome = "declined"
            yield first[:1] + (2,) + first[2:18] + (after, outcome, "2" * 64, BUNDLE_ID)
            written += 1


def make_store(folder: Path, rows: int, schools: int, seed: int) -> Path:
    """Create a central store in ``folder`` and insert ``rows`` impact log rows; return the store folder."""
    store = init_central(folder, PASSPHRASE, "Benchmark Attendance Service")
    signer = ed25519.Ed25519PrivateKey.generate()
    registration = make_registration(signer, organisation_id=store.organisation_id, profile_id=str(uuid.uuid4()),
                                     profile_name="Benchmark laptop", device_id=str(uuid.uuid4()))
    device = store.approve(store.register(registration).fingerprint)
    store.close()

    # The rows go straight into the database: sealing and ingesting a million
    # rows would measure the sync code, not the report.
    conn = sqlite3.connect(folder / "central.sqlite", isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO bundles (bundle_id, signer, sequence, device_id, profile_id, ingested_at)"
                 " VALUES (?, ?, 1, ?, ?, '2026-01-01T00:00:00Z')",
                 (BUNDLE_ID, device.key_id, device.device_id, device.profile_id))
    conn.executemany(f"INSERT INTO impact_log ({_COLUMNS}) VALUES ({', '.join('?' * 22)})",
                     _rows(rows, schools, seed))
    conn.execute("COMMIT")
    # Fold the write-ahead log into the file, so both sides read the same pages.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return folder


@dataclass(frozen=True)
class Timing:
    """Elapsed (wall clock) and CPU seconds of one run."""

    wall: float
    cpu: float


def time_report(folder: Path) -> tuple[Timing, int]:
    """Time opening the store and building and rendering the HTML report; return the timing and its size."""
    start, start_cpu = time.perf_counter(), time.process_time()
    with CentralStore.open(folder) as store:
        html = render_html(build_report(store, ReportScope()))
    return Timing(time.perf_counter() - start, time.process_time() - start_cpu), len(html)


def time_sqlite3(program: str, folder: Path, script: str) -> Timing:
    """Time the sqlite3 program running the report's statements on the store's database."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([program, "-batch", str(folder / "central.sqlite")], input=script, text=True,
                   stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def _summary(name: str, timings: list[Timing]) -> tuple[float, float]:
    wall = statistics.median(timing.wall for timing in timings)
    cpu = statistics.median(timing.cpu for timing in timings)
    runs = ", ".join(f"{timing.wall:.2f}" for timing in timings)
    print(f"{name}: median {wall:.2f} s elapsed ({runs}), {cpu:.2f} s CPU")
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="impact log rows to insert (default 1,000,000)")
    parser.add_argument("--schools", type=int, default=120, help="schools the rows are spread over (default 120)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side, after one warm-up (default 3)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the synthetic rows (default 2026)")
    arguments = parser.parse_args(argv)

    program = shutil.which("sqlite3")
    if program is None:
        print("The sqlite3 command-line program is not on the PATH. Install it (on Debian: apt-get install "
              "sqlite3) and run the benchmark again.", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="clinic-report-bench-") as temporary:
        folder = Path(temporary) / "central"
        start = time.perf_counter()
        make_store(folder, arguments.rows, arguments.schools, arguments.seed)
        print(f"Inserted {arguments.rows:,} impact rows over {arguments.schools} schools in "
              f"{time.perf_counter() - start:.1f} s ({(folder / 'central.sqlite').stat().st_size / 2**20:.0f} MiB).")

        script = command_line_script(Filters())
        # One untimed run of each warms the operating system's file cache for both.
        _, html_size = time_report(folder)
        time_sqlite3(program, folder, script)

        report_times, baseline_times = [], []
        for _ in range(arguments.runs):
            # Alternating the two spreads any background load over both sides.
            report_times.append(time_report(folder)[0])
            baseline_times.append(time_sqlite3(program, folder, script))

    sqlite_version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout.split()[0]
    report_wall, report_cpu = _summary(f"Impact report, HTML ({html_size / 1024:.0f} KiB)", report_times)
    baseline_wall, baseline_cpu = _summary(f"sqlite3 {sqlite_version}, same statements", baseline_times)
    ratio = report_wall / baseline_wall
    print(f"Ratio, elapsed: {ratio:.2f} (target at most {TARGET_RATIO:g}): "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    # CPU time moves far less than elapsed time when other programs share the machine.
    print(f"Ratio, CPU: {report_cpu / baseline_cpu:.2f}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
