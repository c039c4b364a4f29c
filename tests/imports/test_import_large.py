"""A year of marks for a large secondary school: 1,500 pupils, 190 days, two sessions."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_tui.domain.upn import make_upn

PUPILS = 1500
SCHOOL_DAYS = 190

# The whole import, storage included, must stay under 300 MB. Reading is
# allowed a third of that on top of the interpreter and its imports.
MAX_READ_GROWTH_MB = 100

_READ_SCRIPT = """
import json, resource, sys
from clinic_tui.imports import read_marks

known = json.loads(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
calls = []
result = read_marks(sys.argv[1], dict.fromkeys(known, (None, None)), progress=lambda done, total: calls.append((done, total)))
count = sum(1 for _ in result.marks)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "ok": result.ok, "marks": count, "rows": result.rows_read,
    "growth_mb": (after - before) / 1024, "progress_calls": len(calls), "last_progress": calls[-1],
}))
"""


def school_upns() -> list[str]:
    return [make_upn(801, 4000, 2019 + number // 1000, number % 1000) for number in range(PUPILS)]


def write_year_of_marks(path: Path, upns: list[str]) -> int:
    dates = []
    day = dt.date(2024, 9, 2)
    while len(dates) < SCHOOL_DAYS:
        if day.weekday() < 5:
            dates.append(f"{day:%d/%m/%Y}")
        day += dt.timedelta(days=1)

    codes = ("/", "/", "/", "N", "L", "I", "M")
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(["UPN", "Date", "Session", "Mark"])
        for day_number, date in enumerate(dates):
            for number, upn in enumerate(upns):
                code = codes[(number + day_number) % len(codes)]
                writer.writerow([upn, date, "AM", code])
                writer.writerow([upn, date, "PM", "\\" if code == "/" else code])
    return len(dates) * len(upns) * 2


@pytest.mark.slow
def test_570000_marks_read_with_modest_memory(tmp_path):
    upns = school_upns()
    path = tmp_path / "marks.csv"
    expected = write_year_of_marks(path, upns)

    # A fresh interpreter, so the peak resident size belongs to this read alone.
    completed = subprocess.run(
        [sys.executable, "-c", _READ_SCRIPT, str(path), json.dumps(upns)],
        capture_output=True, text=True, check=True,
    )
    outcome = json.loads(completed.stdout)

    assert expected == 570_000
    assert outcome["ok"] is True
    assert outcome["rows"] == expected
    assert outcome["marks"] == expected
    assert outcome["growth_mb"] < MAX_READ_GROWTH_MB, outcome
    assert outcome["progress_calls"] > 100
    assert outcome["last_progress"] == [path.stat().st_size, path.stat().st_size]
