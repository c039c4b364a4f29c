"""Import, summary and demo export through the command line, on real files and a real vault."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from clinic_tui.cli import main
from tests.conftest import PASSPHRASE

REFERENCE = "2026-03-10"


def _run(home, *args, input=None):
    return CliRunner().invoke(main, ["--home", str(home), *args], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    result = CliRunner().invoke(
        main, ["--home", str(folder / "home"), "demo", "export", str(folder), "--date", REFERENCE, "--pupils", "60"]
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def profile(clinic_home):
    assert _run(clinic_home, "profile", "create", "alice", input=PASSPHRASE + "\n").exit_code == 0
    return "alice"


def _import(home, kind, path, *extra):
    return _run(home, "import", kind, str(path), "--profile", "alice", *extra, input=PASSPHRASE + "\n")


def _counts(home):
    path = home / "data" / "profiles" / "alice" / "vault.db"
    with sqlite3.connect(path) as conn:
        return (
            conn.execute("SELECT count(*) FROM pupil").fetchone()[0],
            conn.execute("SELECT count(*) FROM mark").fetchone()[0],
        )


def test_demo_export_writes_every_format(exported):
    names = sorted(path.name for path in exported.iterdir() if path.is_file())
    assert names == ["marks-grid.csv", "marks-grid.xlsx", "marks-long.csv", "pupils.csv", "pupils.xlsx"]


def test_import_pupils_and_marks(clinic_home, profile, exported):
    pupils = _import(clinic_home, "pupils", exported / "pupils.csv")
    assert pupils.exit_code == 0, pupils.output
    assert "Stored 60 new and 0 updated pupils." in pupils.output

    marks = _import(clinic_home, "marks", exported / "marks-long.csv")
    assert marks.exit_code == 0, marks.output
    pupil_count, mark_count = _counts(clinic_home)
    assert pupil_count == 60
    assert mark_count > 60 * 2 * 100


def test_reimport_is_idempotent(clinic_home, profile, exported):
    _import(clinic_home, "pupils", exported / "pupils.csv")
    _import(clinic_home, "marks", exported / "marks-long.csv")
    before = _counts(clinic_home)

    again = _import(clinic_home, "marks", exported / "marks-grid.xlsx")
    assert again.exit_code == 0, again.output
    assert "0 replaced" in again.output
    assert _counts(clinic_home) == before
    repeat = _import(clinic_home, "pupils", exported / "pupils.xlsx")
    assert "Stored 0 new and 60 updated pupils." in repeat.output


def test_changed_mark_replaced_and_audited(clinic_home, profile, exported, tmp_path):
    _import(clinic_home, "pupils", exported / "pupils.csv")
    _import(clinic_home, "marks", exported / "marks-long.csv")

    lines = (exported / "marks-long.csv").read_text(encoding="utf-8-sig").splitlines()
    upn, date, session, code = lines[1].split(",")
    new_code = "O" if code != "O" else "N"
    changed = tmp_path / "changed.csv"
    changed.write_text("\n".join([lines[0], f"{upn},{date},{session},{new_code}"]) + "\n", encoding="utf-8")

    result = _import(clinic_home, "marks", changed)
    assert result.exit_code == 0, result.output
    assert "1 replaced" in result.output

    path = clinic_home / "data" / "profiles" / "alice" / "vault.db"
    with sqlite3.connect(path) as conn:
        actions = [row[0] for row in conn.execute("SELECT action FROM audit WHERE action = 'mark.change'")]
        stored = conn.execute("SELECT code FROM mark WHERE date = ? AND session = ?",
                              (f"{date[6:]}-{date[3:5]}-{date[:2]}", session)).fetchall()
    assert actions == ["mark.change"]
    assert (new_code,) in stored
    verified = _run(clinic_home, "audit", "verify", "--profile", "alice", input=PASSPHRASE + "\n")
    assert verified.exit_code == 0, verified.output


def test_bad_marks_file_imports_nothing(clinic_home, profile, exported, tmp_path):
    _import(clinic_home, "pupils", exported / "pupils.csv")
    lines = (exported / "marks-long.csv").read_text(encoding="utf-8-sig").splitlines()
    upn, date, session, _ = lines[3].split(",")
    lines[3] = f"{upn},{date},{session},H"  # retired code after 19 August 2024
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = _import(clinic_home, "marks", bad)
    assert result.exit_code == 1
    assert "bad.csv" in result.output
    assert "line 4" in result.output
    assert "'H'" in result.output or '"H"' in result.output
    assert _counts(clinic_home) == (60, 0)


def test_dry_run_stores_nothing(clinic_home, profile, exported):
    result = _import(clinic_home, "pupils", exported / "pupils.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "A  UPN  ->  UPN" in result.output
    assert "Dry run: nothing was stored." in result.output
    assert _counts(clinic_home) == (0, 0)


def test_summary_csv_and_json(clinic_home, profile, exported):
    _import(clinic_home, "pupils", exported / "pupils.csv")
    _import(clinic_home, "marks", exported / "marks-long.csv")

    as_csv = _run(clinic_home, "attendance", "summary", "--profile", "alice", "--as-of", REFERENCE,
                  input=PASSPHRASE + "\n")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert len(rows) == 60
    assert "forename" not in rows[0]
    assert all(int(row["possible_sessions"]) > 0 for row in rows)

    as_json = _run(clinic_home, "attendance", "summary", "--profile", "alice", "--as-of", REFERENCE,
                   "--format", "json", "--names", input=PASSPHRASE + "\n")
    records = json.loads(as_json.output)
    assert {record["upn"] for record in records} == {row["upn"] for row in rows}
    assert all(record["forename"] for record in records)
    by_upn = {row["upn"]: row for row in rows}
    for record in records:
        assert float(by_upn[record["upn"]]["attendance_rate"]) == record["attendance_rate"]


def test_reviews_lists_due_with_header(clinic_home):
    from clinic_tui.services.demo import seed_demo
    from clinic_tui.services.demo_reviews import seed_demo_reviews
    from tests.helpers import seeded_home

    shutil.rmtree(clinic_home)
    seeded_home(clinic_home, seed_demo, seed_demo_reviews)

    result = _run(clinic_home, "reviews", "--profile", "officer", "--as-of", "2026-03-10", input=PASSPHRASE + "\n")
    lines = result.output.strip().splitlines()

    assert result.exit_code == 0
    assert lines[0].split()[:3] == ["Due", "Review", "date"]
    assert [line.split()[0] for line in lines[1:]] == ["overdue", "today", "this"]
    assert all("not started" in line for line in lines[1:])
