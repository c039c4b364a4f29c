"""Whole-school marks import, against the sqlite3 command line's `.import` of the same CSV.

A synthetic school of 1,500 pupils with a full year of marks (about 380
sessions each, about 570,000 marks) is written as a long-layout CSV. The
clinic side runs in a fresh process: unlock the vault, read and check every
mark, store them (one transaction, changed marks audited) and compute every
pupil's measures. The baseline is `sqlite3 DB ".import --csv FILE marks"`
into a plain table, timed in the same run. Peak memory is the clinic
process's maximum resident set size.

Usage: python bench/import.py [--pupils N] [--runs N]
Needs the `sqlite3` command line on PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

start = time.perf_counter()
result, outcome = attendance.import_marks_file(Path(marks))
assert outcome is not None, result.report()
stored = time.perf_counter()
rows = attendance.rows(refresh=True)
measured = time.perf_counter()
vault.close()
print(json.dumps({
    "read_and_store": stored - start,
    "measures": measured - stored,
    "total": measured - start,
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


def time_sqlite(folder: Path, marks_csv: Path) -> float:
    database = folder / f"plain-{time.monotonic_ns()}.db"
    start = time.perf_counter()
    subprocess.run(["sqlite3", str(database), f".import --csv {marks_csv} marks"], check=True)
    return time.perf_counter() - start


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

    total = statistics.median(run["total"] for run in clinic_runs)
    baseline = statistics.median(sqlite_runs)
    print(f"marks file:                 {clinic_runs[0]['marks']:,} marks, {clinic_runs[0]['pupils']:,} pupils, {size_mb:.1f} MB")
    print(f"clinic read, check, store:  median {statistics.median(r['read_and_store'] for r in clinic_runs):.2f} s")
    print(f"clinic measures, all pupils: median {statistics.median(r['measures'] for r in clinic_runs):.2f} s")
    print(f"clinic total:               median {total:.2f} s")
    print(f"sqlite3 .import:            median {baseline:.2f} s")
    print(f"ratio (target <= 2):        {total / baseline:.2f}")
    print(f"peak memory (target < 300 MB): {max(r['peak_rss_mb'] for r in clinic_runs):.0f} MB")


if __name__ == "__main__":
    main()
