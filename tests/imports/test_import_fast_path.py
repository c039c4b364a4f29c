"""The marks readers' fast path for cached cells against their detailed path, cell by cell.

Rows whose cells were all seen valid before skip parsing. These tests check
that such rows still give the same marks, errors and warnings as reading
every row in detail, which is what the readers do when nothing is cached.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_tui.domain.upn import make_upn
from clinic_tui.imports import ErrorKind, MarksImport, WarningKind, read_marks
from clinic_tui.imports import mark_rows

UPNS = [make_upn(801, 4000, 2019, serial) for serial in range(1, 6)]
WRONG_CHECK_LETTER = ("B" if UPNS[0][0] != "B" else "C") + UPNS[0][1:]

# UPNS[4] is left off the list, to give "pupil not on the pupil list".
KNOWN = {
    UPNS[0]: (None, None),
    UPNS[1]: (dt.date(2024, 9, 4), None),
    UPNS[2]: (dt.date(2020, 9, 1), dt.date(2024, 9, 5)),
    UPNS[3]: (None, None),
}

LONG_HEADER = ["UPN", "Date", "Session", "Mark"]
GRID_HEADER = ["UPN", "Week Beginning", "Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM", "Wed PM",
               "Thu AM", "Thu PM", "Fri AM", "Fri PM"]

UPN_CELLS = [UPNS[0], UPNS[1], UPNS[2], UPNS[4], UPNS[0].lower(), f" {UPNS[0][:5]} {UPNS[0][5:]} ",
             WRONG_CHECK_LETTER, ""]
# A Friday before the change of codes on 19 August 2024, the same later day
# written two ways, a Saturday, and dates that are not valid.
DATE_CELLS = ["16/08/2024", "02/09/2024", "2024-09-02", "07/09/2024", "31/09/2024", "02/09/24", ""]
SESSION_CELLS = ["AM", "pm", "", "EVE"]
# Valid codes, retired codes in both cases, the MIS placeholder and an unknown code.
MARK_CELLS = ["/", " l ", "h", "H", "-", "QQ", ""]
# Mondays either side of 19 August 2024, a Tuesday, and invalid weeks.
WEEK_CELLS = ["12/08/2024", "19/08/2024", "02/09/2024", "03/09/2024", "not a date", ""]
GRID_MARK_CELLS = ["", "", "", "/", "\\", "N", "h", "QQ"]

SHAPES = ["fits", "fits", "fits", "extra", "blank extra", "short"]


def _some(pool: Sequence[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), min_size=2, max_size=3, unique=True)


# Each file draws a few values per column and writes every combination of
# them twice, in two drawn orders, so that most rows meet cells that an
# earlier row left in the caches.
@st.composite
def long_rows(draw: st.DrawFn) -> list[list[str]]:
    upns, dates, sessions, marks = (draw(_some(pool)) for pool in (UPN_CELLS, DATE_CELLS, SESSION_CELLS, MARK_CELLS))
    combinations = [[upn, date, session, mark] for upn in upns for date in dates for session in sessions for mark in marks]
    rows = draw(st.permutations(combinations)) + draw(st.permutations(combinations))
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=len(rows), max_size=len(rows)))
    return [_shape(cells, shape) for cells, shape in zip(rows, shapes)]


@st.composite
def grid_rows(draw: st.DrawFn) -> list[list[str]]:
    upns, weeks = draw(_some(UPN_CELLS)), draw(_some(WEEK_CELLS))
    weeks_marks = draw(st.lists(st.lists(st.sampled_from(GRID_MARK_CELLS), min_size=10, max_size=10), min_size=2, max_size=3))
    combinations = [[upn, week, *marks] for upn in upns for week in weeks for marks in weeks_marks]
    return draw(st.permutations(combinations)) + draw(st.permutations(combinations))


def _shape(cells: list[str], shape: str) -> list[str]:
    if shape == "extra":
        return [*cells, "spilled value"]
    if shape == "blank extra":
        return [*cells, " "]
    if shape == "short":
        return cells[:-1]
    return cells


def _write(folder: Path, rows: Sequence[Sequence[str]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = folder / "marks.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _read_both_ways(rows: Sequence[Sequence[str]]) -> tuple[MarksImport, MarksImport]:
    """Read the rows with the readers' caches working, and again with every cache limited to nothing."""
    with tempfile.TemporaryDirectory() as name:
        path = _write(Path(name), rows)
        cached = read_marks(path, KNOWN)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(mark_rows, "_MAX_CACHED", 0)
            detailed = read_marks(path, KNOWN)
    return cached, detailed


def _assert_same(cached: MarksImport, detailed: MarksImport) -> None:
    assert cached.rows_read == detailed.rows_read
    assert [str(issue) for issue in cached.errors] == [str(issue) for issue in detailed.errors]
    assert cached.errors.counts == detailed.errors.counts
    assert [str(issue) for issue in cached.warnings] == [str(issue) for issue in detailed.warnings]
    assert cached.warnings.counts == detailed.warnings.counts
    assert cached.duplicates_removed == detailed.duplicates_removed
    assert list(cached.marks) == list(detailed.marks)
    assert cached.report(max_errors=1000) == detailed.report(max_errors=1000)


@settings(max_examples=100, deadline=None)
@given(body=long_rows())
def test_long_rows_fast_path_matches_detailed(body):
    cached, detailed = _read_both_ways([LONG_HEADER, *body])

    _assert_same(cached, detailed)


@settings(max_examples=100, deadline=None)
@given(body=grid_rows())
def test_grid_rows_fast_path_matches_detailed(body):
    cached, detailed = _read_both_ways([GRID_HEADER, *body])

    _assert_same(cached, detailed)


def test_cached_cells_checked_on_every_row(tmp_path):
    good = [UPNS[0], "02/09/2024", "AM", "/"]
    rows = [
        LONG_HEADER,
        good,
        [UPNS[0], "02/09/2024", "AM", "QQ"],
        [*good, "spilled value"],
        good[:3],
        [UPNS[4], "02/09/2024", "AM", "/"],
    ]

    result = read_marks(_write(tmp_path, rows), KNOWN)

    places = [(issue.kind, issue.line, issue.letter, issue.value) for issue in result.errors]
    assert places == [
        (ErrorKind.UNKNOWN_CODE, 3, "D", "QQ"),
        (ErrorKind.EXTRA_VALUES, 4, "E", "spilled value"),
        (ErrorKind.MISSING_VALUE, 5, "D", ""),
        (ErrorKind.UNKNOWN_PUPIL, 6, "A", UPNS[4]),
    ]
    assert result.rows_read == 5
    assert len(result.marks) == 0


def test_retired_code_cached_before_2024_rejected_after(tmp_path):
    # The first row puts "H" among the valid codes before 19 August 2024 and
    # the second caches a later date. The third has every cell cached, but
    # "H" only for dates before that day.
    rows = [LONG_HEADER, [UPNS[0], "16/08/2024", "AM", "H"], [UPNS[0], "02/09/2024", "PM", "/"],
            [UPNS[0], "02/09/2024", "AM", "H"]]

    result = read_marks(_write(tmp_path, rows), KNOWN)

    issues = result.errors.of_kind(ErrorKind.RETIRED_CODE)
    assert [(issue.line, issue.letter, issue.value) for issue in issues] == [(4, "D", "H")]
    assert "02/09/2024" in issues[0].problem
    assert result.errors.total == 1


def test_grid_cached_week_checks_new_codes(tmp_path):
    rows = [GRID_HEADER,
            [UPNS[0], "02/09/2024", "/", "\\", "", "", "", "", "", "", "", ""],
            [UPNS[3], "02/09/2024", "/", "\\", "ZZ", "", "", "", "", "", "", "L"]]

    result = read_marks(_write(tmp_path, rows), KNOWN)

    issues = list(result.errors)
    assert [(issue.line, issue.column, issue.letter, issue.value) for issue in issues] == [(3, "Tue AM", "E", "ZZ")]


def test_warnings_on_fast_path_rows(tmp_path):
    rows = [LONG_HEADER] + [[UPNS[1], f"{day:02d}/09/2024", session, "/"] for day in (2, 3, 4) for session in ("AM", "PM")]
    rows += [[UPNS[0], "07/09/2024", "AM", "/"], [UPNS[0], "07/09/2024", "AM", "/"]]

    result = read_marks(_write(tmp_path, rows), KNOWN)

    assert result.ok, result.report()
    assert result.warnings.counts == {
        WarningKind.BEFORE_ADMISSION: 4, WarningKind.WEEKEND_MARK: 1, WarningKind.DUPLICATE_ROW: 1,
    }
    assert [issue.line for issue in result.warnings.of_kind(WarningKind.BEFORE_ADMISSION)] == [2, 3, 4, 5]
    assert result.warnings.of_kind(WarningKind.DUPLICATE_ROW)[0].line == 9
    assert len(result.marks) == 7
    assert result.duplicates_removed == 1
