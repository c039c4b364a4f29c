"""Read attendance marks exported from the MIS, in the long or the weekly grid layout.

The long layout has one mark per row (UPN, Date, Session, Mark). The weekly
grid has one row per pupil and week (UPN, Week Beginning, then Mon AM to
Fri PM), where a blank cell means the pupil had no session then. The
layout is recognised from the header row.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

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
from clinic_tui.imports.mark_rows import GridRows, LongRows
from clinic_tui.imports.mark_table import MarkTable
from clinic_tui.imports.marks_check import EnrolmentDates, MarkCollector
from clinic_tui.imports.result import ImportResult, plural
from clinic_tui.imports.rows import RowReader
from clinic_tui.imports.source import ProgressCallback, Table, UnreadableFile, open_table

_LONG_FIELDS = frozenset({"date", "session", "mark"})
_GRID_FIELDS = frozenset({"week_beginning", *(day.name for day in GRID_DAY_FIELDS)})


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
            reader = LongRows(cells, collector) if layout is MarksLayout.LONG else GridRows(cells, collector)
            try:
                reader.read(table.rows)
            finally:
                result.rows_read = reader.rows_read

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
