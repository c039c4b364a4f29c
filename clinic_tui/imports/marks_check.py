"""Collect checked marks and find repeats, conflicts and marks outside a pupil's enrolment."""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import compress, count, islice, repeat
from operator import and_, eq, rshift

from clinic_tui.imports.issues import ErrorKind, IssueLog, WarningKind
from clinic_tui.imports.mark_table import CODE_LIST, SESSIONS, MarkTable
from clinic_tui.imports.rows import CellFailed, RowReader, parse_upn
from clinic_tui.imports.source import Cell, Row
from clinic_tui.imports.values import InvalidValue, show

EnrolmentDates = tuple[dt.date | None, dt.date | None]

# Each mark is kept as one integer, its slot: the pupil's key, then the day
# (the ordinal of every date Python can represent, up to 31/12/9999, is below
# 2**22), then one bit for the session. Slots sort by UPN, date and session
# because pupil keys are ranks of the known UPNs in sorted order.
_DAY_BITS = 22
_DAY_MASK = (1 << _DAY_BITS) - 1
_PUPIL_SHIFT = _DAY_BITS + 1

_NO_DATE_BEFORE = 0
_NO_DATE_AFTER = dt.date.max.toordinal()

# Invalid UPN cells whose error is kept to record again. Without a limit, a
# file with a different bad UPN on every row would keep an error per row.
# Cells past the limit are checked again on each row.
_MAX_INVALID_CACHED = 4096


class MarkCollector:
    """Checked marks of one file, kept in arrays until ``finish`` sorts and checks them."""

    def __init__(
        self, known: Mapping[str, EnrolmentDates], cells: RowReader, warnings: IssueLog, errors: IssueLog,
    ) -> None:
        self._known = known
        self._cells = cells
        self._warnings = warnings
        self._errors = errors

        self._known_upns = sorted(known)
        self._rank_of_upn = {upn: rank for rank, upn in enumerate(self._known_upns)}

        # UPN cells of known pupils already checked, with the pupil's key.
        # Cells differing only in case or spaces share a key. The row readers
        # look cells up here directly, so it contains valid cells only.
        self.pupil_of_cell: dict[Cell, int] = {}
        self._invalid_upns: dict[Cell, InvalidValue] = {}
        self._enrolment: dict[int, tuple[int, int]] = {}

        self._slots = array("Q")
        self._codes = array("B")
        self._lines = array("I")
        self._columns = array("H")

    def pupil_index(self, row: Row, cell: Cell) -> int:
        """Return the key of the pupil whose UPN is in ``cell``.

        Records an error and raises CellFailed for a blank or invalid UPN and
        for a pupil missing from the known pupils.
        """
        found = self.pupil_of_cell.get(cell)
        if found is not None:
            return found

        invalid = self._invalid_upns.get(cell)
        if invalid is None:
            checked = self._check_pupil(cell)
            if isinstance(checked, int):
                self.pupil_of_cell[cell] = checked
                return checked
            invalid = checked
            if len(self._invalid_upns) < _MAX_INVALID_CACHED:
                self._invalid_upns[cell] = invalid

        self._cells.error_at(row, self._cells.index["upn"], invalid.kind, show(cell), invalid.problem, invalid.action)
        raise CellFailed

    def _check_pupil(self, cell: Cell) -> int | InvalidValue:
        try:
            upn, _ = parse_upn(cell)
        except InvalidValue as invalid:
            return invalid

        dates = self._known.get(upn)
        if dates is None:
            return InvalidValue(
                ErrorKind.UNKNOWN_PUPIL, "this UPN is not on the pupil list",
                "Import an up-to-date pupil list that includes this pupil first, "
                "or remove the pupil's marks from this file.",
            )

        pupil = self._rank_of_upn[upn]
        admission, leaving = dates
        self._enrolment[pupil] = (
            admission.toordinal() if admission else _NO_DATE_BEFORE,
            leaving.toordinal() if leaving else _NO_DATE_AFTER,
        )
        return pupil

    def add(self, pupil: int, day: int, session: int, code: int, line: int, column: int) -> None:
        """Store one checked mark, given its day as ``date.toordinal()``, with the line and column it came from."""
        self._slots.append(pupil << _PUPIL_SHIFT | day << 1 | session)
        self._codes.append(code)
        self._lines.append(line)
        self._columns.append(column)

    def finish(self) -> tuple[MarkTable, int]:
        """Return the marks sorted by UPN, date and session, and the number of exact repeats dropped.

        Records an error for each pair of different marks for one pupil,
        date and session, and warnings for repeated marks, weekend marks
        and marks outside the pupil's admission and leaving dates. Issues
        are recorded in the sorted order of their marks.
        """
        slots = self._slots

        # The sort is stable, so marks for the same session stay in file
        # order and the first of them is the one imported. The sort and the
        # maps below run in C, so Python code runs only for marks with an issue.
        order = sorted(range(len(slots)), key=slots.__getitem__)
        ordered = array("Q", map(slots.__getitem__, order))
        days = array("I", map(and_, map(rshift, ordered, repeat(1)), repeat(_DAY_MASK)))

        # Positions whose slot equals the one before: later marks for a session.
        repeats = set(compress(count(1), map(eq, islice(ordered, 1, None), ordered)))
        flagged = self._weekend_positions(days) | self._outside_enrolment_positions(ordered)

        removed = 0
        for position in sorted(repeats | flagged):
            if position in repeats:
                first = position - 1
                while first in repeats:
                    first -= 1
                removed += self._repeat(order[first], order[position])
            else:
                self._check_dates(order[position])

        if repeats:
            unique = [position for position in range(len(order)) if position not in repeats]
            order = [order[position] for position in unique]
            ordered = array("Q", map(ordered.__getitem__, unique))
            days = array("I", map(days.__getitem__, unique))

        seen = sorted(self._enrolment)
        index_of_pupil = {pupil: index for index, pupil in enumerate(seen)}
        table = MarkTable(
            [self._known_upns[pupil] for pupil in seen],
            array("I", map(index_of_pupil.__getitem__, map(rshift, ordered, repeat(_PUPIL_SHIFT)))),
            days,
            array("B", map(and_, ordered, repeat(1))),
            array("B", map(self._codes.__getitem__, order)),
        )
        return table, removed

    def _weekend_positions(self, days: array) -> set[int]:
        """Return the positions in ``days`` that fall on a Saturday or Sunday."""
        # Ordinal 1, 1 January of year 1, is a Monday.
        weekend = {day for day in set(days) if (day - 1) % 7 >= 5}
        if not weekend:
            return set()
        return set(compress(count(), map(weekend.__contains__, days)))

    def _outside_enrolment_positions(self, ordered: array) -> set[int]:
        """Return the positions in the sorted slots ``ordered`` of marks before admission or after leaving."""
        positions: set[int] = set()
        for pupil, (admission, leaving) in self._enrolment.items():
            # A pupil's marks are one run of the sorted slots, so the marks on
            # either side of a date are found by bisection.
            first = pupil << _PUPIL_SHIFT
            after_last = (pupil + 1) << _PUPIL_SHIFT
            if admission > _NO_DATE_BEFORE:
                positions.update(_between(ordered, first, first | admission << 1))
            if leaving < _NO_DATE_AFTER:
                positions.update(_between(ordered, first | (leaving + 1) << 1, after_last))
        return positions

    def _repeat(self, first: int, index: int) -> int:
        """Record mark ``index`` as a repeat of mark ``first``, and return 1 for an exact repeat or else 0."""
        slot = self._slots[index]
        date = dt.date.fromordinal(slot >> 1 & _DAY_MASK)
        session = SESSIONS[slot & 1].value
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
        slot = self._slots[index]
        day = slot >> 1 & _DAY_MASK
        date = dt.date.fromordinal(day)
        admission, leaving = self._enrolment[slot >> _PUPIL_SHIFT]
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


def _between(ordered: array, low: int, high: int) -> Iterable[int]:
    """Return the positions of the sorted ``ordered`` whose values are at least ``low`` and below ``high``."""
    return range(bisect_left(ordered, low), bisect_left(ordered, high))
