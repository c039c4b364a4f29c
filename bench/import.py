"""Whole-school marks import, against the sqlite3 command line's `.import` of the same CSV.

A synthetic school of 1,500 pupils with a full year of marks (about 380
sessions each, about 570,000 marks) is written as a long-layout CSV. The
clinic side runs in a fresh process: unlock the vault, read and check every
mark, store them (one transaction, changed marks audited) and compute every
pupil's measures. The baseline is `sqlite3 DB ".import --csv FILE marks"`
into a plain table, timed in the same run. Peak memory is the clinic
process's maximum resident set size.

The ratio uses wall-clock time. CPU time is printed as well, because on a
machine shared with other work the wall-clock times of both sides vary far
more than their CPU times.

Usage: python bench/import.py [--pupils N] [--runs N]
Needs the `sqlite3` command line on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark passphrase"
REFERENCE = dt.date(2026, 7, 20)

CHILD = """
import json, resource, sys, time
from pathlib import Path
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
import datetime as dt

home, marks, passphrase = sys.argv[1:4]
workspace = Workspace.open(home)
vault = workspace.profiles.unlock("bench", passphrase)
clock = ManualClock(dt.datetime(2026, 7, 20, 12, tzinfo=LOCAL_ZONE))
attendance = Session(workspace, vault, clock).attendance

start, start_cpu = time.perf_counter(), time.process_time()
result, outcome = attendance.import_marks_file(Path(marks))
assert outcome is not None, result.report()
stored, stored_cpu = time.perf_counter(), time.process_time()
rows = attendance.rows(refresh=True)
measured, measured_cpu = time.perf_counter(), time.process_time()
vault.close()
print(json.dumps({
    "read_and_store": stored - start,
    "measures": measured - stored,
    "total": measured - start,
    "read_and_store_cpu": stored_cpu - start_cpu,
    "measures_cpu": measured_cpu - stored_cpu,
    "total_cpu": measured_cpu - start_cpu,
    "marks": outcome.marks_written,
    "pupils": len(rows),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def prepare(folder: Path, pupils: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    from clinic_tui.domain.demo_school import generate_school
    from clinic_tui.imports.export import write_marks_csv, write_pupils_csv

    school = generate_school(REFERENCE, pupils=pupils)
    pupils_csv, marks_csv = folder / "pupils.csv", folder / "marks.csv"
    write_pupils_csv(school.pupils, pupils_csv)
    write_marks_csv(school.all_marks(), marks_csv)
    return pupils_csv, marks_csv


def clinic(*args: str, home: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "clinic_tui", "--home", str(home), *args],
        input=PASSPHRASE + "\n", text=True, check=True, capture_output=True,
    )


def fresh_profile(folder: Path, pupils_csv: Path) -> Path:
    home = folder / f"home-{time.monotonic_ns()}"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[security]\nkdf_target_ms = 50\n")
    clinic("profile", "create", "bench", home=home)
    clinic("import", "pupils", str(pupils_csv), "--profile", "bench", home=home)
    return home


def time_sqlite(folder: Path, marks_csv: Path) -> tuple[float, float]:
    """Return the wall-clock and CPU seconds of one `.import` into a new database."""
    database = folder / f"plain-{time.monotonic_ns()}.db"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(database), f".import --csv {marks_csv} marks"], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        sys.exit("the sqlite3 command line is not installed; install it (Debian: apt-get install sqlite3)")

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        pupils_csv, marks_csv = prepare(folder, args.pupils)
        size_mb = marks_csv.stat().st_size / 1e6

        clinic_runs, sqlite_runs = [], []
        for _ in range(args.runs):
            home = fresh_profile(folder, pupils_csv)
            output = subprocess.run(
                [sys.executable, "-c", CHILD, str(home), str(marks_csv), PASSPHRASE],
                check=True, capture_output=True, text=True, cwd=ROOT,
            ).stdout
            clinic_runs.append(json.loads(output))
            sqlite_runs.append(time_sqlite(folder, marks_csv))

    def median(key: str) -> float:
        return statistics.median(run[key] for run in clinic_runs)

    total, total_cpu = median("total"), median("total_cpu")
    baseline = statistics.median(wall for wall, _ in sqlite_runs)
    baseline_cpu = statistics.median(cpu for _, cpu in sqlite_runs)
    print(f"marks file:                 {clinic_runs[0]['marks']:,} marks, {clinic_runs[0]['pupils']:,} pupils, {size_mb:.1f} MB")
    print(f"clinic read, check, store:  median {median('read_and_store'):.2f} s (CPU {median('read_and_store_cpu'):.2f} s)")
    print(f"clinic measures, all pupils: median {median('measures'):.2f} s (CPU {median('measures_cpu'):.2f} s)")
    print(f"clinic total:               median {total:.2f} s (CPU {total_cpu:.2f} s)")
    print(f"sqlite3 .import:            median {baseline:.2f} s (CPU {baseline_cpu:.2f} s)")
    print(f"ratio (target <= 2):        {total / baseline:.2f} (CPU {total_cpu / baseline_cpu:.2f})")
    print(f"peak memory (target < 300 MB): {max(r['peak_rss_mb'] for r in clinic_runs):.0f} MB")


if __name__ == "__main__":
    main()
