"""Check the rows of a marks file in the long or the weekly grid layout.

Each reader has two paths. The fast path looks the cells of a row up in
caches of cells already found valid (UPN of a known pupil, date, session,
mark) and stores the mark without building an object per cell. A row with
any cell missing from the caches takes the detailed path, which parses each
cell, records an error naming the line, column and value of each bad cell,
and adds the cells it found valid to the caches. The caches hold valid cells
only, so both paths give the same marks and the same errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import NoReturn, TypeVar

from clinic_tui.domain.codes import CODES, CODES_2024_START, InvalidMark, lookup, normalise_mark
from clinic_tui.imports.headers import GRID_DAY_FIELDS
from clinic_tui.imports.issues import ErrorKind
from clinic_tui.imports.mark_table import CODE_INDEX, SESSIONS
from clinic_tui.imports.marks_check import MarkCollector
from clinic_tui.imports.rows import CellFailed, RowReader
from clinic_tui.imports.source import Cell, Row, is_blank
from clinic_tui.imports.values import DATE_ACTION, InvalidValue, parse_date, parse_session, show, text

_PLACEHOLDER_MARK = "-"

_FIRST_2024_DAY = CODES_2024_START.toordinal()

# Distinct cells kept per cache. A marks file repeats a few hundred dates and
# a few dozen codes, so the limit is reached only by a file that writes a
# different text on every row, such as a date with the time of day. Cells
# past the limit are still read correctly, by the detailed path.
_MAX_CACHED = 65_536

T = TypeVar("T")


class _MarkParser:
    """Cell checks and caches shared by both layouts."""

    def __init__(self, cells: RowReader, collector: MarkCollector) -> None:
        self.cells = cells
        self.collector = collector
        self.rows_read = 0

        # Code indexes of valid mark cells, one table for dates before
        # 19 August 2024 and one from then, because retired codes are valid
        # only before. Errors are not cached because their messages name the date.
        self._codes_before: dict[Cell, int] = {}
        self._codes_from: dict[Cell, int] = {}

    def read_detailed(self, row: Row) -> None:
        """Check ``row`` cell by cell, recording an error for each bad cell."""
        if self.cells.check_width(row):
            self._check_row(row)

    def _check_row(self, row: Row) -> None:
        raise NotImplementedError

    def codes_on(self, day: int) -> dict[Cell, int]:
        """Return the cache of valid mark cells for the day with ordinal ``day``."""
        return self._codes_from if day >= _FIRST_2024_DAY else self._codes_before

    def pupil(self, row: Row) -> int:
        """Return the collector's key for the pupil on ``row``, or record why not and raise CellFailed."""
        return self.collector.pupil_index(row, self.cells.cell(row, "upn"))

    def required_date(self, row: Row, name: str) -> dt.date:
        """Return the date in column ``name``, recording an error for a blank or invalid cell."""
        date = self.cells.parse(row, name, lambda cell: parse_date(cell, self.cells.table.epoch))
        if date is None:
            self._blank(row, name, DATE_ACTION)
        return date

    def code(self, row: Row, position: int, cell: Cell, date: dt.date) -> int:
        """Return the CODE_LIST index of the mark in ``cell``, or record an error and raise CellFailed."""
        try:
            index = _check_code(text(cell), date)
        except InvalidValue as invalid:
            self.cells.error_at(row, position, invalid.kind, show(cell), invalid.problem, invalid.action)
            raise CellFailed from invalid

        _remember(self.codes_on(date.toordinal()), cell, index)
        return index

    def _blank(self, row: Row, name: str, action: str) -> NoReturn:
        position = self.cells.index[name]
        label = self.cells.table.header[position]
        self.cells.error_at(row, position, ErrorKind.MISSING_VALUE, "", f"the {label} cell is blank", action)
        raise CellFailed


def _remember(cache: dict[Cell, T], cell: Cell, value: T) -> None:
    if len(cache) < _MAX_CACHED:
        cache[cell] = value


def _check_code(raw: str, date: dt.date) -> int:
    """Return the CODE_LIST index of mark ``raw`` on ``date``, or raise InvalidValue saying why it is not valid."""
    mark = normalise_mark(raw)
    try:
        code = lookup(mark, date)
    except InvalidMark as error:
        if mark in CODES:
            raise InvalidValue(
                ErrorKind.RETIRED_CODE, str(error),
                "Record this session with a code in use since 19 August 2024 in the MIS and export again.",
            ) from error
        if mark == _PLACEHOLDER_MARK:
            raise InvalidValue(
                ErrorKind.UNKNOWN_CODE, "is the MIS placeholder for a session whose register is not yet taken",
                "Take the register for this session in the MIS, or export only the dates already taken.",
            ) from error
        raise InvalidValue(
            ErrorKind.UNKNOWN_CODE, "is not an attendance code",
            "Correct the mark in the MIS register and export again. "
            "Codes in use are listed in the DfE guidance on school attendance.",
        ) from error
    return CODE_INDEX[code.code]


class LongRows(_MarkParser):
    """Read rows of the long layout: UPN, Date, Session, Mark."""

    def __init__(self, cells: RowReader, collector: MarkCollector) -> None:
        super().__init__(cells, collector)

        # Valid date cells with the day's ordinal and its cache of mark cells.
        self._dates: dict[Cell, tuple[int, dict[Cell, int]]] = {}
        self._sessions: dict[Cell, int] = {}

    def read(self, rows: Iterable[Row]) -> None:
        """Check every row and pass its valid marks to the collector, counting the rows in ``rows_read``."""
        index = self.cells.index
        positions = (index["upn"], index["date"], index["session"], index["mark"])
        pick = itemgetter(*positions)
        shortest = max(positions) + 1
        widest = len(self.cells.table.header)
        mark_position = index["mark"]

        # Local names, because this loop runs once for each of the half a
        # million rows of a whole-school file.
        pupils = self.collector.pupil_of_cell
        dates = self._dates
        sessions = self._sessions
        add = self.collector.add
        read_detailed = self.read_detailed

        count = 0
        try:
            for row in rows:
                count += 1
                line, cells = row

                # A row no wider than the header has no values past it, which
                # is all the width check looks for.
                if shortest <= len(cells) <= widest:
                    upn, date, session, mark = pick(cells)
                    pupil = pupils.get(upn)
                    dated = dates.get(date)
                    half = sessions.get(session)
                    if pupil is not None and dated is not None and half is not None:
                        day, codes = dated
                        code = codes.get(mark)
                        if code is not None:
                            add(pupil, day, half, code, line, mark_position)
                            continue

                read_detailed(row)
        finally:
            self.rows_read += count

    def _check_row(self, row: Row) -> None:
        # Check every cell before giving up, so one pass reports all errors.
        pupil = _attempt(self.pupil, row)
        date = _attempt(self._date, row)
        session = _attempt(self._session, row)
        code = _attempt(self._mark, row, date)

        if pupil is not None and date is not None and session is not None and code is not None:
            self.collector.add(pupil, date.toordinal(), session, code, row.line, self.cells.index["mark"])

    def _date(self, row: Row) -> dt.date:
        date = self.required_date(row, "date")
        day = date.toordinal()
        _remember(self._dates, self.cells.cell(row, "date"), (day, self.codes_on(day)))
        return date

    def _session(self, row: Row) -> int:
        cell = self.cells.cell(row, "session")
        if is_blank(cell):
            self._blank(row, "session", "Enter AM or PM.")

        session = SESSIONS.index(self.cells.parse(row, "session", parse_session))
        _remember(self._sessions, cell, session)
        return session

    def _mark(self, row: Row, date: dt.date | None) -> int:
        mark_cell = self.cells.cell(row, "mark")
        if is_blank(mark_cell):
            self._blank(row, "mark", "Enter the mark in the MIS register, or remove this row, and export again.")

        # A mark is checked against its date, because retired codes are valid
        # only before 19 August 2024. Without a valid date the date's own
        # error is already recorded.
        if date is None:
            raise CellFailed
        return self.code(row, self.cells.index["mark"], mark_cell, date)


def _attempt(step: Callable[..., T], *args: object) -> T | None:
    """Return ``step(*args)``, or None when the step recorded an error and raised CellFailed."""
    try:
        return step(*args)
    except CellFailed:
        return None


class GridRows(_MarkParser):
    """Read rows of the weekly grid: UPN, Week Beginning, then Mon AM to Fri PM."""

    def __init__(self, cells: RowReader, collector: MarkCollector) -> None:
        super().__init__(cells, collector)

        # Valid Week Beginning cells, all Mondays, with the Monday's ordinal.
        self._mondays: dict[Cell, int] = {}

        # (column position, days after Monday, session) of each day column.
        self._day_columns = tuple(
            (cells.index[day_field.name], offset // 2, offset % 2)
            for offset, day_field in enumerate(GRID_DAY_FIELDS)
        )

    def read(self, rows: Iterable[Row]) -> None:
        """Check every row and pass its valid marks to the collector, counting the rows in ``rows_read``."""
        index = self.cells.index
        upn_position = index["upn"]
        week_position = index["week_beginning"]
        shortest = max(upn_position, week_position, *(column[0] for column in self._day_columns)) + 1
        widest = len(self.cells.table.header)
        pupils = self.collector.pupil_of_cell
        mondays = self._mondays

        count = 0
        try:
            for row in rows:
                count += 1
                cells = row.cells
                if shortest <= len(cells) <= widest:
                    pupil = pupils.get(cells[upn_position])
                    monday = mondays.get(cells[week_position])
                    if pupil is not None and monday is not None:
                        self._read_week(row, pupil, monday)
                        continue

                self.read_detailed(row)
        finally:
            self.rows_read += count

    def _read_week(self, row: Row, pupil: int, monday: int) -> None:
        """Add the marks of a row whose UPN and week are known to be valid, checking uncached cells in detail."""
        line, cells = row
        add = self.collector.add

        for position, offset, session in self._day_columns:
            cell = cells[position]
            day = monday + offset
            code = self.codes_on(day).get(cell)
            if code is None:
                if is_blank(cell):
                    continue
                try:
                    code = self.code(row, position, cell, dt.date.fromordinal(day))
                except CellFailed:
                    continue
            add(pupil, day, session, code, line, position)

    def _check_row(self, row: Row) -> None:
        pupil: int | None = None
        try:
            pupil = self.pupil(row)
        except CellFailed:
            pass
        try:
            monday = self._week(row)
        except CellFailed:
            return

        for position, offset, session in self._day_columns:
            cell = self.cells.cell_at(row, position)
            if is_blank(cell):
                continue

            date = monday + dt.timedelta(days=offset)
            try:
                code = self.code(row, position, cell, date)
            except CellFailed:
                continue
            if pupil is not None:
                self.collector.add(pupil, date.toordinal(), session, code, row.line, position)

    def _week(self, row: Row) -> dt.date:
        monday = self.required_date(row, "week_beginning")
        if monday.weekday() != 0:
            self.cells.error_at(
                row, self.cells.index["week_beginning"], ErrorKind.INVALID_DATE, f"{monday:%d/%m/%Y}",
                f"is a {monday:%A}, but the week must begin on a Monday",
                "Use the date of the Monday that starts the week, or export the marks one per row.",
            )
            raise CellFailed

        _remember(self._mondays, self.cells.cell(row, "week_beginning"), monday.toordinal())
        return monday
