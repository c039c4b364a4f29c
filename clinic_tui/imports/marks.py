"""Read attendance marks exported from the MIS, in the long or the weekly grid layout.

The long layout has one mark per row (UPN, Date, Session, Mark). The weekly
grid has one row per pupil and week (UPN, Week Beginning, then Mon AM to
Fri PM), where a blank cell means the pupil had no session then. The
layout is recognised from the header row.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NoReturn, TypeVar

from clinic_tui.domain.codes import CODES, CODES_2024_START, InvalidMark, lookup, normalise_mark
from clinic_tui.imports.headers import (
    GRID_DAY_FIELDS,
    GRID_REQUIRED,
    LONG_REQUIRED,
    MARK_FIELDS,
    ColumnMatch,
    match_columns,
    missing_columns,
)
from clinic_tui.imports.issues import ErrorKind, Issue
from clinic_tui.imports.mapping import HeaderMapping, resolve_mapping
from clinic_tui.imports.mark_table import CODE_INDEX, SESSIONS, MarkTable
from clinic_tui.imports.marks_check import EnrolmentDates, MarkCollector
from clinic_tui.imports.result import ImportResult, plural
from clinic_tui.imports.rows import CellFailed, RowReader
from clinic_tui.imports.source import Cell, ProgressCallback, Row, Table, UnreadableFile, is_blank, open_table
from clinic_tui.imports.values import DATE_ACTION, InvalidValue, parse_date, parse_session, show, text

_LONG_FIELDS = frozenset({"date", "session", "mark"})
_GRID_FIELDS = frozenset({"week_beginning", *(day.name for day in GRID_DAY_FIELDS)})

_PLACEHOLDER_MARK = "-"

T = TypeVar("T")


class MarksLayout(str, Enum):
    """Arrangement of the marks in a marks file. The value is the name a report shows."""

    LONG = "long layout"
    GRID = "weekly grid layout"

    def __str__(self) -> str:
        return self.value


@dataclass
class MarksImport(ImportResult):
    """A read marks file: its marks, or none at all if the file has errors.

    ``duplicates_removed`` counts marks that repeated an earlier row exactly
    and were imported once.
    """

    marks: MarkTable = field(default_factory=MarkTable.empty)
    duplicates_removed: int = 0

    @property
    def rows(self) -> MarkTable:
        """The importable marks in UPN, date and session order, or none when there are errors."""
        return self.marks

    def _rows_summary(self) -> str:
        summary = f"{plural(len(self.marks), 'mark')} for {plural(self.marks.pupil_count(), 'pupil')}"
        dates = self.marks.date_range()
        if dates is not None:
            summary += f" from {dates[0]:%d/%m/%Y} to {dates[1]:%d/%m/%Y}"
        return summary


def read_marks(
    path: str | os.PathLike[str],
    known_pupils: Mapping[str, EnrolmentDates] | Collection[str],
    mapping: HeaderMapping | str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> MarksImport:
    """Read and check a marks file exported as CSV or XLSX.

    ``known_pupils`` maps each UPN on the pupil list to its admission and
    leaving dates (see ``enrolment_dates``). A plain collection of UPNs is
    accepted too, and then no mark is checked against those dates.

    The result counts every error and warning and keeps the first ones for
    its report. It has no marks if there is even one error. Raises
    MappingFileError for a bad mapping file and OSError if the file cannot
    be opened.
    """
    path = Path(path)
    headers = resolve_mapping(mapping)
    if not isinstance(known_pupils, Mapping):
        known_pupils = dict.fromkeys(known_pupils, (None, None))

    result = MarksImport(file=path.name)
    collector: MarkCollector | None = None

    try:
        with open_table(path, progress) as table:
            result.format, result.encoding = table.format, table.encoding

            match = match_columns(table.header, MARK_FIELDS, headers.marks, table.name, table.header_line)
            result.columns = match.columns
            layout = _check_header(table, match, result)
            if layout is None or result.errors:
                return result
            result.layout = layout

            cells = RowReader(table, match.index, result.errors)
            collector = MarkCollector(known_pupils, cells, result.warnings, result.errors)
            read_row = _LongRows(cells, collector) if layout is MarksLayout.LONG else _GridRows(cells, collector)

            for row in table.rows:
                result.rows_read += 1
                if cells.check_width(row):
                    read_row(row)

    except UnreadableFile as error:
        result.record_unreadable(error)

    if collector is None:
        return result

    # Duplicates and conflicts are found only once every row is read, and
    # their errors count like any other.
    marks, result.duplicates_removed = collector.finish()
    if not result.errors:
        result.marks = marks
    return result


def detect_layout(match: ColumnMatch) -> MarksLayout | None:
    """Return the layout that the recognised columns point to, or None if they fit neither or both."""
    long_hits = _LONG_FIELDS & match.index.keys()
    grid_hits = _GRID_FIELDS & match.index.keys()
    if long_hits and not grid_hits:
        return MarksLayout.LONG
    if grid_hits and not long_hits:
        return MarksLayout.GRID
    return None


def _check_header(table: Table, match: ColumnMatch, result: MarksImport) -> MarksLayout | None:
    """Record header errors in ``result`` and return the layout, or None if it is not recognised."""
    for issue in match.issues:
        result.errors.add(issue)

    layout = detect_layout(match)
    if layout is None:
        both = (_LONG_FIELDS | _GRID_FIELDS) & match.index.keys()
        problem = (
            "the header row has columns of both layouts (Date, Session, Mark and Week Beginning, Mon AM ...)"
            if both
            else "the header row has neither Date, Session and Mark columns nor Week Beginning and Mon AM to Fri PM"
        )
        result.errors.add(Issue(
            ErrorKind.UNKNOWN_LAYOUT, table.name, table.header_line, None, None, "", problem,
            "Export marks either with one mark per row (UPN, Date, Session, Mark) or as a weekly grid "
            "(UPN, Week Beginning, Mon AM to Fri PM), or name the columns in a mapping file.",
        ))
        return None

    required = LONG_REQUIRED if layout is MarksLayout.LONG else GRID_REQUIRED
    for issue in missing_columns(required, match, MARK_FIELDS, table.name, table.header_line):
        result.errors.add(issue)
    return layout


class _MarkParser:
    """Shared cell checks for both layouts."""

    def __init__(self, cells: RowReader, collector: MarkCollector) -> None:
        self.cells = cells
        self.collector = collector
        # Code indexes of valid marks by (text as typed, whether the date is
        # on or after 19 August 2024). Errors are not cached because their
        # messages name the date.
        self._codes: dict[tuple[str, bool], int] = {}

    def pupil(self, row: Row) -> int:
        """Return the collector's index for the pupil on ``row``, or record why not and raise CellFailed."""
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
            raw = text(cell)
            key = (raw, date >= CODES_2024_START)
            index = self._codes.get(key)
            if index is None:
                index = self._codes[key] = _check_code(raw, date)
            return index
        except InvalidValue as invalid:
            self.cells.error_at(row, position, invalid.kind, show(cell), invalid.problem, invalid.action)
            raise CellFailed from invalid

    def _blank(self, row: Row, name: str, action: str) -> NoReturn:
        position = self.cells.index[name]
        label = self.cells.table.header[position]
        self.cells.error_at(row, position, ErrorKind.MISSING_VALUE, "", f"the {label} cell is blank", action)
        raise CellFailed


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


class _LongRows(_MarkParser):
    """Read rows of the long layout: UPN, Date, Session, Mark."""

    def __call__(self, row: Row) -> None:
        # Check every cell before giving up, so one pass reports all errors.
        pupil = _attempt(self.pupil, row)
        date = _attempt(self.required_date, row, "date")
        session = _attempt(self._session, row)
        code = _attempt(self._mark, row, date)

        if pupil is not None and date is not None and session is not None and code is not None:
            self.collector.add(pupil, date, session, code, row.line, self.cells.index["mark"])

    def _session(self, row: Row) -> int:
        if is_blank(self.cells.cell(row, "session")):
            self._blank(row, "session", "Enter AM or PM.")
        return SESSIONS.index(self.cells.parse(row, "session", parse_session))

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


class _GridRows(_MarkParser):
    """Read rows of the weekly grid: UPN, Week Beginning, then Mon AM to Fri PM."""

    def __call__(self, row: Row) -> None:
        cells = self.cells
        pupil: int | None = None
        monday: dt.date | None = None

        try:
            pupil = self.pupil(row)
        except CellFailed:
            pass
        try:
            monday = self._week(row)
        except CellFailed:
            return

        for offset, day_field in enumerate(GRID_DAY_FIELDS):
            position = cells.index[day_field.name]
            cell = cells.cell_at(row, position)
            if is_blank(cell):
                continue

            date = monday + dt.timedelta(days=offset // 2)
            try:
                code = self.code(row, position, cell, date)
            except CellFailed:
                continue
            if pupil is not None:
                self.collector.add(pupil, date, offset % 2, code, row.line, position)

    def _week(self, row: Row) -> dt.date:
        monday = self.required_date(row, "week_beginning")
        if monday.weekday() != 0:
            self.cells.error_at(
                row, self.cells.index["week_beginning"], ErrorKind.INVALID_DATE, f"{monday:%d/%m/%Y}",
                f"is a {monday:%A}, but the week must begin on a Monday",
                "Use the date of the Monday that starts the week, or export the marks one per row.",
            )
            raise CellFailed
        return monday
