"""Collect checked marks and find repeats, conflicts and marks outside a pupil's enrolment."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping

from clinic_tui.imports.issues import ErrorKind, IssueLog, WarningKind
from clinic_tui.imports.mark_table import CODE_LIST, SESSIONS, MarkTable
from clinic_tui.imports.rows import CellFailed, RowReader, parse_upn
from clinic_tui.imports.source import Cell, Row
from clinic_tui.imports.values import InvalidValue, show

EnrolmentDates = tuple[dt.date | None, dt.date | None]

# Bit layout of the sort key: the ordinal of every date Python can represent
# (up to 31/12/9999) is below 2**22, and the mark's position in the file
# takes the low 32 bits.
_DAY_BITS = 22
_ROW_BITS = 32
_ROW_MASK = (1 << _ROW_BITS) - 1

_NO_DATE_BEFORE = 0
_NO_DATE_AFTER = dt.date.max.toordinal()


class MarkCollector:
    """Checked marks of one file, kept in arrays until ``finish`` sorts and checks them."""

    def __init__(
        self, known: Mapping[str, EnrolmentDates], cells: RowReader, warnings: IssueLog, errors: IssueLog,
    ) -> None:
        self._known = known
        self._cells = cells
        self._warnings = warnings
        self._errors = errors

        self._upns: list[str] = []
        self._index_of_upn: dict[str, int] = {}
        # UPN cells already checked: the pupil index, or the error to record
        # again. Cells differing only in case or spaces share an index.
        self._pupil_of: dict[Cell, int | InvalidValue] = {}
        self._enrolment: list[tuple[int, int]] = []

        self._pupils = array("I")
        self._days = array("I")
        self._sessions = array("B")
        self._codes = array("B")
        self._lines = array("I")
        self._columns = array("H")

    def pupil_index(self, row: Row, cell: Cell) -> int:
        """Return the index of the pupil whose UPN is in ``cell``.

        Records an error and raises CellFailed for a blank or invalid UPN and
        for a pupil missing from the known pupils.
        """
        found = self._pupil_of.get(cell)
        if found is None:
            found = self._pupil_of[cell] = self._check_pupil(cell)

        if isinstance(found, InvalidValue):
            self._cells.error_at(row, self._cells.index["upn"], found.kind, show(cell), found.problem, found.action)
            raise CellFailed
        return found

    def _check_pupil(self, cell: Cell) -> int | InvalidValue:
        try:
            upn, _ = parse_upn(cell)
        except InvalidValue as invalid:
            return invalid

        if upn in self._index_of_upn:
            return self._index_of_upn[upn]

        dates = self._known.get(upn)
        if dates is None:
            return InvalidValue(
                ErrorKind.UNKNOWN_PUPIL, "this UPN is not on the pupil list",
                "Import an up-to-date pupil list that includes this pupil first, "
                "or remove the pupil's marks from this file.",
            )

        admission, leaving = dates
        self._enrolment.append((
            admission.toordinal() if admission else _NO_DATE_BEFORE,
            leaving.toordinal() if leaving else _NO_DATE_AFTER,
        ))
        self._upns.append(upn)
        self._index_of_upn[upn] = len(self._upns) - 1
        return len(self._upns) - 1

    def add(self, pupil: int, date: dt.date, session: int, code: int, line: int, column: int) -> None:
        """Store one checked mark with the line and column it came from."""
        self._pupils.append(pupil)
        self._days.append(date.toordinal())
        self._sessions.append(session)
        self._codes.append(code)
        self._lines.append(line)
        self._columns.append(column)

    def finish(self) -> tuple[MarkTable, int]:
        """Return the marks sorted by UPN, date and session, and the number of exact repeats dropped.

        Records an error for each pair of different marks for one pupil,
        date and session, and warnings for repeated marks, weekend marks
        and marks outside the pupil's admission and leaving dates.
        """
        rank = _ranks(self._upns)

        # One integer per mark takes about half the memory of a tuple per
        # mark. Each packs the pupil's rank, the day, the session and, in the
        # low bits, the mark's position in the file, so that marks for the
        # same session sort in file order.
        order = sorted(
            ((((rank[pupil] << _DAY_BITS | day) << 1 | session) << _ROW_BITS) | index)
            for index, (pupil, day, session) in enumerate(zip(self._pupils, self._days, self._sessions))
        )

        pupils, days, sessions, codes = array("I"), array("I"), array("B"), array("B")
        removed = 0
        previous_key = -1
        first = -1

        for packed in order:
            key = packed >> _ROW_BITS
            index = packed & _ROW_MASK

            if key == previous_key:
                removed += self._repeat(first, index)
                continue

            previous_key = key
            first = index
            pupils.append(rank[self._pupils[index]])
            days.append(self._days[index])
            sessions.append(self._sessions[index])
            codes.append(self._codes[index])
            self._check_dates(index)

        del order
        return MarkTable(sorted(self._upns), pupils, days, sessions, codes), removed

    def _repeat(self, first: int, index: int) -> int:
        """Record mark ``index`` as a repeat of mark ``first``, and return 1 for an exact repeat or else 0."""
        date = dt.date.fromordinal(self._days[index])
        session = SESSIONS[self._sessions[index]].value
        first_code = CODE_LIST[self._codes[first]]
        code = CODE_LIST[self._codes[index]]
        first_line = self._lines[first]

        if code == first_code:
            self._warnings.add(self._cells.issue_at(
                self._lines[index], self._columns[index], WarningKind.DUPLICATE_ROW, code,
                f"repeats the mark for {date:%d/%m/%Y} {session} on line {first_line}, so it is imported once",
                "No action is needed.",
            ))
            return 1

        self._errors.add(self._cells.issue_at(
            self._lines[index], self._columns[index], ErrorKind.CONFLICTING_MARKS, code,
            f"line {first_line} gives {first_code!r} for the same pupil on {date:%d/%m/%Y} {session}",
            "Keep one mark per pupil and session: correct the register in the MIS and export again.",
        ))
        return 0

    def _check_dates(self, index: int) -> None:
        day = self._days[index]
        date = dt.date.fromordinal(day)
        admission, leaving = self._enrolment[self._pupils[index]]
        line, column, code = self._lines[index], self._columns[index], CODE_LIST[self._codes[index]]

        if date.weekday() >= 5:
            self._warnings.add(self._cells.issue_at(
                line, column, WarningKind.WEEKEND_MARK, code, f"the mark is for {date:%A %d/%m/%Y}",
                "Check the date in the MIS. Marks on a Saturday or Sunday are rare but are imported.",
            ))
        if day < admission:
            self._warnings.add(self._cells.issue_at(
                line, column, WarningKind.BEFORE_ADMISSION, code,
                f"the mark is for {date:%d/%m/%Y}, before the pupil's admission on "
                f"{dt.date.fromordinal(admission):%d/%m/%Y}",
                "Check the admission date on the pupil list and the register in the MIS.",
            ))
        if day > leaving:
            self._warnings.add(self._cells.issue_at(
                line, column, WarningKind.AFTER_LEAVING, code,
                f"the mark is for {date:%d/%m/%Y}, after the pupil left on {dt.date.fromordinal(leaving):%d/%m/%Y}",
                "Check the leaving date on the pupil list and the register in the MIS.",
            ))


def _ranks(upns: list[str]) -> list[int]:
    """Return the position of each UPN in sorted order, indexed like ``upns``."""
    rank = [0] * len(upns)
    for position, index in enumerate(sorted(range(len(upns)), key=upns.__getitem__)):
        rank[index] = position
    return rank
