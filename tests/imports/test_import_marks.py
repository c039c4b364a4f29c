"""Reading marks files in the long and weekly grid layouts: layouts, errors and warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_tui.domain.pupil import Mark, Session
from clinic_tui.imports import ErrorKind, ImportFailed, MarksLayout, WarningKind, read_marks

LONG_HEADER = ["UPN", "Date", "Session", "Mark"]
GRID_HEADER = ["UPN", "Week Beginning", "Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM", "Wed PM",
               "Thu AM", "Thu PM", "Fri AM", "Fri PM"]

MONDAY = dt.date(2024, 9, 2)


@pytest.fixture
def known(upns):
    """Three pupils on the list: one with no dates, one admitted 4/9/2024, one who left on 5/9/2024."""
    return {
        upns[0]: (None, None),
        upns[1]: (dt.date(2024, 9, 4), None),
        upns[2]: (dt.date(2020, 9, 1), dt.date(2024, 9, 5)),
    }


def long_rows(upns):
    return [
        LONG_HEADER,
        [upns[0], "02/09/2024", "AM", "/"],
        [upns[0], "02/09/2024", "PM", "\\"],
        [upns[0], "03/09/2024", "AM", "n"],
        [upns[0], "06/09/2024", "PM", "L"],
        [upns[1], "04/09/2024", "AM", "M"],
        [upns[1], "04/09/2024", "PM", "I"],
    ]


def grid_rows(upns):
    return [
        GRID_HEADER,
        [upns[1], "02/09/2024", "", "", "", "", "M", "I", "", "", "", ""],
        [upns[0], "02/09/2024", "/", "\\", "N", "", "", "", "", "", "", "L"],
    ]


def test_long_and_grid_give_identical_marks(write_csv, write_xlsx, upns, known):
    long_csv = write_csv("long.csv", long_rows(upns))
    grid_csv = write_csv("grid.csv", grid_rows(upns))
    grid_xlsx = write_xlsx("grid.xlsx", [grid_rows(upns)[0]] + [[r[0], MONDAY, *r[2:]] for r in grid_rows(upns)[1:]])

    results = [read_marks(path, known) for path in (long_csv, grid_csv, grid_xlsx)]

    for result in results:
        assert result.ok, result.report()
    assert [result.layout for result in results] == [MarksLayout.LONG, MarksLayout.GRID, MarksLayout.GRID]
    assert list(results[0].marks) == list(results[1].marks) == list(results[2].marks)
    expected = [
        Mark(upns[0], dt.date(2024, 9, 2), Session.AM, "/"),
        Mark(upns[0], dt.date(2024, 9, 2), Session.PM, "\\"),
        Mark(upns[0], dt.date(2024, 9, 3), Session.AM, "N"),
        Mark(upns[0], dt.date(2024, 9, 6), Session.PM, "L"),
        Mark(upns[1], dt.date(2024, 9, 4), Session.AM, "M"),
        Mark(upns[1], dt.date(2024, 9, 4), Session.PM, "I"),
    ]
    assert list(results[0].marks) == sorted(expected, key=lambda mark: (mark.upn, mark.date, mark.session.value))


def test_marks_sorted_by_upn_date_session(write_csv, upns, known):
    rows = [LONG_HEADER, [upns[1], "05/09/2024", "PM", "/"], [upns[0], "03/09/2024", "PM", "/"],
            [upns[1], "05/09/2024", "AM", "/"], [upns[0], "02/09/2024", "AM", "/"]]
    path = write_csv("marks.csv", rows)

    marks = list(read_marks(path, known).marks)

    keys = [(mark.upn, mark.date, mark.session.value) for mark in marks]
    assert keys == sorted(keys)
    assert len(marks) == 4


def test_header_variants_and_session_forms(write_csv, upns, known):
    rows = [["Unique Pupil Number", "Attendance Date", "AM/PM", "Attendance Code"],
            [upns[0], "2024-09-02", "am", "/"], [upns[0], "2024-09-02", "P.M.", "/"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert [mark.session for mark in result.marks] == [Session.AM, Session.PM]


def test_grid_header_with_full_day_names(write_csv, upns, known):
    header = ["UPN", "Week Commencing"] + [f"{day} {s}" for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday") for s in ("AM", "PM")]
    path = write_csv("grid.csv", [header, [upns[0], "02/09/2024", "/", "/", "", "", "", "", "", "", "", ""]])

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert result.layout is MarksLayout.GRID
    assert len(result.marks) == 2


def test_xlsx_long_with_serial_and_text_dates(write_xlsx, upns, known):
    rows = [LONG_HEADER, [upns[0], dt.datetime(2024, 9, 2), "AM", "/"], [upns[0], 45537, "PM", "/"],
            [upns[0], "45538", "AM", "/"]]
    path = write_xlsx("marks.xlsx", rows)

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert [mark.date for mark in result.marks] == [dt.date(2024, 9, 2), dt.date(2024, 9, 2), dt.date(2024, 9, 3)]


def test_unknown_code(write_csv, upns, known, single):
    rows = long_rows(upns) + [[upns[0], "05/09/2024", "AM", "QQ"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    issue = single(result, ErrorKind.UNKNOWN_CODE)
    assert (issue.file, issue.line, issue.column, issue.letter, issue.value) == ("marks.csv", 8, "Mark", "D", "QQ")
    assert issue.action
    assert len(result.marks) == 0


def test_placeholder_mark_explained(write_csv, upns, known, single):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "05/09/2024", "AM", "-"]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.UNKNOWN_CODE)
    assert "register" in issue.problem


def test_retired_code_from_19_august_2024(write_csv, upns, known):
    rows = [LONG_HEADER, [upns[0], "16/08/2024", "AM", "H"], [upns[0], "19/08/2024", "AM", "H"],
            [upns[0], "20/09/2024", "PM", "h"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    issues = result.errors.of_kind(ErrorKind.RETIRED_CODE)
    assert [(issue.line, issue.letter, issue.value) for issue in issues] == [(3, "D", "H"), (4, "D", "h")]
    assert "19 August 2024" in issues[0].problem
    # Each message names the date of its own row.
    assert "19/08/2024" in issues[0].problem
    assert "20/09/2024" in issues[1].problem
    assert result.errors.total == 2
    assert len(result.marks) == 0


def test_retired_code_before_19_august_2024_accepted(write_csv, upns, known):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "16/07/2024", "AM", "h"]])

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert [mark.code for mark in result.marks] == ["H"]


def test_impossible_date(write_csv, upns, known, single):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "31/09/2024", "AM", "/"]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.INVALID_DATE)
    assert (issue.line, issue.column, issue.letter, issue.value) == (2, "Date", "B", "31/09/2024")
    assert len(result.marks) == 0


def test_bad_session(write_csv, upns, known, single):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "02/09/2024", "EVE", "/"]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.INVALID_SESSION)
    assert (issue.line, issue.column, issue.letter, issue.value) == (2, "Session", "C", "EVE")
    assert "AM or PM" in issue.action
    assert len(result.marks) == 0


@pytest.mark.parametrize(("blank", "letter"), [(1, "B"), (2, "C"), (3, "D")])
def test_blank_cells_in_long_layout(write_csv, upns, known, single, blank, letter):
    row = [upns[0], "02/09/2024", "AM", "/"]
    row[blank] = ""
    path = write_csv("marks.csv", [LONG_HEADER, row])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.MISSING_VALUE)
    assert (issue.line, issue.letter) == (2, letter)
    assert len(result.marks) == 0


@pytest.mark.parametrize("dropped", ["Session", "Mark"])
def test_missing_long_column(write_csv, upns, known, single, dropped):
    header = [name for name in LONG_HEADER if name != dropped]
    path = write_csv("marks.csv", [header, [upns[0], "02/09/2024", "/"]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.MISSING_COLUMN)
    assert issue.line == 1
    assert dropped in issue.problem
    assert len(result.marks) == 0


def test_missing_grid_column(write_csv, upns, known, single):
    header = [name for name in GRID_HEADER if name != "Thu PM"]
    path = write_csv("grid.csv", [header, [upns[0], "02/09/2024"] + ["/"] * 9])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.MISSING_COLUMN)
    assert "Thu PM" in issue.problem


@pytest.mark.parametrize(
    ("header", "fragment"),
    [(["UPN", "Attended"], "neither"), (["UPN", "Date", "Mark", "Week Beginning", "Mon AM"], "both")],
)
def test_layout_not_recognised(write_csv, upns, known, single, header, fragment):
    path = write_csv("marks.csv", [header, [upns[0]] + [""] * (len(header) - 1)])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.UNKNOWN_LAYOUT)
    assert fragment in issue.problem
    assert result.layout == ""


def test_invalid_upn_check_letter(write_csv, upns, known, single):
    wrong = ("B" if upns[0][0] != "B" else "C") + upns[0][1:]
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "02/09/2024", "AM", "/"], [wrong, "02/09/2024", "PM", "/"]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.INVALID_UPN)
    assert (issue.line, issue.column, issue.letter, issue.value) == (3, "UPN", "A", wrong)
    assert not result.errors.of_kind(ErrorKind.UNKNOWN_PUPIL)
    assert len(result.marks) == 0


def test_pupil_not_on_list(write_csv, upns, known):
    rows = [LONG_HEADER, [upns[5], "02/09/2024", "AM", "/"], [upns[5], "02/09/2024", "PM", "/"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    issues = result.errors.of_kind(ErrorKind.UNKNOWN_PUPIL)
    assert [(issue.line, issue.letter, issue.value) for issue in issues] == [(2, "A", upns[5]), (3, "A", upns[5])]
    assert "pupil list" in issues[0].action
    assert len(result.marks) == 0


def test_known_pupils_as_plain_set(write_csv, upns):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "02/09/2024", "AM", "/"]])

    result = read_marks(path, {upns[0]})

    assert result.ok, result.report()
    assert len(result.marks) == 1


def test_conflicting_marks(write_csv, upns, known, single):
    rows = [LONG_HEADER, [upns[0], "02/09/2024", "AM", "/"], [upns[0], "03/09/2024", "AM", "/"],
            [upns[0], "02/09/2024", "am", "N"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    issue = single(result, ErrorKind.CONFLICTING_MARKS)
    assert (issue.line, issue.column, issue.letter, issue.value) == (4, "Mark", "D", "N")
    assert "line 2" in issue.problem
    assert "'/'" in issue.problem
    assert len(result.marks) == 0


def test_conflicting_marks_in_grid(write_csv, upns, known, single):
    rows = [GRID_HEADER, [upns[0], "02/09/2024", "/", "", "", "", "", "", "", "", "", ""],
            [upns[0], "02/09/2024", "/", "", "", "", "N", "", "", "", "", ""],
            [upns[0], "02/09/2024", "", "", "", "", "O", "", "", "", "", ""]]
    path = write_csv("grid.csv", rows)

    result = read_marks(path, known)

    issue = single(result, ErrorKind.CONFLICTING_MARKS)
    assert (issue.line, issue.column, issue.letter, issue.value) == (4, "Wed AM", "G", "O")
    assert "line 3" in issue.problem


def test_same_mark_twice_imported_once(write_csv, upns, known, single):
    rows = [LONG_HEADER, [upns[0], "02/09/2024", "AM", "/"], [upns[0], "2024-09-02", "AM", "/"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert len(result.marks) == 1
    assert result.duplicates_removed == 1
    assert single(result, WarningKind.DUPLICATE_ROW).line == 3


def test_grid_week_must_start_on_monday(write_csv, upns, known, single):
    path = write_csv("grid.csv", [GRID_HEADER, [upns[0], "03/09/2024", "/", "/", "", "", "", "", "", "", "", ""]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.INVALID_DATE)
    assert (issue.line, issue.column, issue.letter, issue.value) == (2, "Week Beginning", "B", "03/09/2024")
    assert "Tuesday" in issue.problem
    assert len(result.marks) == 0


def test_grid_unknown_code_names_day_column(write_csv, upns, known, single):
    path = write_csv("grid.csv", [GRID_HEADER, [upns[0], "02/09/2024", "/", "/", "/", "/", "/", "/", "/", "ZZ", "", ""]])

    result = read_marks(path, known)

    issue = single(result, ErrorKind.UNKNOWN_CODE)
    assert (issue.line, issue.column, issue.letter, issue.value) == (2, "Thu PM", "J", "ZZ")


def test_weekend_marks_warned(write_csv, upns, known, single):
    path = write_csv("marks.csv", [LONG_HEADER, [upns[0], "06/09/2024", "PM", "/"], [upns[0], "07/09/2024", "AM", "/"]])

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert len(result.marks) == 2
    warning = single(result, WarningKind.WEEKEND_MARK)
    assert warning.line == 3
    assert "Saturday 07/09/2024" in warning.problem
    assert result.warnings.counts == {WarningKind.WEEKEND_MARK: 1}


def test_marks_outside_enrolment_warned(write_csv, upns, known):
    rows = [LONG_HEADER,
            [upns[1], "03/09/2024", "AM", "/"], [upns[1], "03/09/2024", "PM", "/"], [upns[1], "04/09/2024", "AM", "/"],
            [upns[2], "05/09/2024", "AM", "/"], [upns[2], "06/09/2024", "AM", "/"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    assert result.ok, result.report()
    assert len(result.marks) == 5
    assert result.warnings.counts == {WarningKind.BEFORE_ADMISSION: 2, WarningKind.AFTER_LEAVING: 1}
    before = result.warnings.of_kind(WarningKind.BEFORE_ADMISSION)
    assert [issue.line for issue in before] == [2, 3]
    after = result.warnings.of_kind(WarningKind.AFTER_LEAVING)[0]
    assert after.line == 6
    assert "05/09/2024" in after.problem
    report = result.report()
    assert "mark before the admission date: 2" in report
    assert "mark after the leaving date: 1" in report


def test_errors_collected_across_rows(write_csv, upns, known):
    rows = [LONG_HEADER, [upns[0], "31/02/2024", "AM", "/"], [upns[0], "02/09/2024", "XM", "/"],
            [upns[0], "02/09/2024", "AM", "QQ"], [upns[9], "02/09/2024", "AM", "/"]]
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)

    assert result.errors.counts == {
        ErrorKind.INVALID_DATE: 1, ErrorKind.INVALID_SESSION: 1, ErrorKind.UNKNOWN_CODE: 1, ErrorKind.UNKNOWN_PUPIL: 1,
    }
    assert [issue.line for issue in result.errors] == [2, 3, 4, 5]
    with pytest.raises(ImportFailed):
        result.raise_if_failed()


def test_error_report_capped_with_count(write_csv, upns, known):
    rows = [LONG_HEADER] + [[upns[0], f"{day:02d}/09/2024", "AM", "QQ"] for day in range(2, 30)] * 3
    path = write_csv("marks.csv", rows)

    result = read_marks(path, known)
    report = result.report()

    assert result.errors.total == 84
    assert report.count("marks.csv, line ") == 50
    assert "and 34 more errors" in report
    assert "unknown attendance code: 84" in report


def test_success_report_summarises_marks(write_csv, upns, known):
    path = write_csv("marks.csv", long_rows(upns))

    report = read_marks(path, known).report()

    assert "marks.csv (CSV, UTF-8), long layout: 6 rows read." in report
    assert "6 marks for 2 pupils from 02/09/2024 to 06/09/2024" in report
