"""Checks made once every mark is read: repeats, conflicts and enrolment dates, and the order of their issues."""

from __future__ import annotations

import datetime as dt

from clinic_tui.domain.upn import make_upn
from clinic_tui.imports import ErrorKind, WarningKind, read_marks

LONG_HEADER = ["UPN", "Date", "Session", "Mark"]

FIRST, SECOND, THIRD = sorted(make_upn(801, 4000, 2019, serial) for serial in range(1, 4))


def test_repeats_name_first_line_of_session(write_csv):
    rows = [LONG_HEADER, [FIRST, "02/09/2024", "AM", "/"], [FIRST, "02/09/2024", "AM", "/"],
            [FIRST, "2024-09-02", "am", "/"], [FIRST, "02/09/2024", "AM", "N"], [FIRST, "02/09/2024", "PM", "/"]]

    result = read_marks(write_csv("marks.csv", rows), {FIRST})

    repeats = result.warnings.of_kind(WarningKind.DUPLICATE_ROW)
    assert [(issue.line, issue.value) for issue in repeats] == [(3, "/"), (4, "/")]
    assert all("on line 2" in issue.problem for issue in repeats)
    conflict = result.errors.of_kind(ErrorKind.CONFLICTING_MARKS)
    assert [(issue.line, issue.value) for issue in conflict] == [(5, "N")]
    assert "line 2 gives '/'" in conflict[0].problem
    assert result.errors.total == 1


def test_enrolment_warnings_at_exact_bounds(write_csv):
    # SECOND is admitted on Wednesday 4/9 and leaves on Thursday 12/9. FIRST
    # and THIRD sort either side of SECOND and have marks on the same days.
    known = {FIRST: (None, None), SECOND: (dt.date(2024, 9, 4), dt.date(2024, 9, 12)), THIRD: (None, None)}
    days = ["03/09/2024", "04/09/2024", "12/09/2024", "13/09/2024"]
    rows = [LONG_HEADER] + [[upn, day, "AM", "/"] for upn in (THIRD, SECOND, FIRST) for day in days]

    result = read_marks(write_csv("marks.csv", rows), known)

    assert result.ok, result.report()
    before = result.warnings.of_kind(WarningKind.BEFORE_ADMISSION)
    after = result.warnings.of_kind(WarningKind.AFTER_LEAVING)
    assert [(issue.line, issue.value) for issue in before] == [(6, "/")]
    assert [(issue.line, issue.value) for issue in after] == [(9, "/")]
    assert "04/09/2024" in before[0].problem
    assert "12/09/2024" in after[0].problem
    assert result.warnings.total == 2
    assert len(result.marks) == 12


def test_kept_warnings_follow_upn_order(write_csv):
    # 300 weekend marks, more than the 200 issues a log keeps. Issues are
    # added in UPN order, so the kept ones and a report's examples are
    # FIRST's even though SECOND's rows come first in the file.
    saturdays = [dt.date(2024, 9, 7) + dt.timedelta(weeks=week) for week in range(75)]
    rows = [LONG_HEADER] + [
        [upn, f"{day:%d/%m/%Y}", session, "/"]
        for upn in (SECOND, FIRST) for day in saturdays for session in ("AM", "PM")
    ]

    result = read_marks(write_csv("marks.csv", rows), {FIRST, SECOND})

    assert result.ok, result.report()
    assert result.warnings.counts == {WarningKind.WEEKEND_MARK: 300}
    kept_lines = [issue.line for issue in result.warnings.of_kind(WarningKind.WEEKEND_MARK)]
    assert kept_lines == list(range(152, 302)) + list(range(2, 52))
    assert "for example marks.csv, line 152, column D (Mark)" in result.report()
