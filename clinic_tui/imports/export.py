"""Write pupils and marks in the layouts the readers accept, as CSV or XLSX.

Reading a written file back gives the same pupils and marks, which the
round-trip tests rely on. CSV is written the way Excel on Windows saves it:
CRLF line endings and, by default, UTF-8 with a byte order mark.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.datetime import to_excel

from clinic_tui.domain.pupil import Mark, Pupil, SenStatus, Session
from clinic_tui.imports.headers import GRID_DAY_FIELDS, MARK_FIELDS, MAX_CONTACTS, PUPIL_FIELDS
from clinic_tui.imports.marks import MarksLayout

ExportCell = str | dt.date | None

_LABEL = {field.name: field.label for field in (*PUPIL_FIELDS, *MARK_FIELDS)}

_PUPIL_COLUMNS = (
    "upn", "surname", "forename", "preferred_name", "date_of_birth", "gender", "year_group", "reg_group",
    "sen", "fsm", "eal", "first_language", "cin", "cp_plan", "looked_after", "admission_date", "leaving_date",
)
_CONTACT_COLUMNS = (
    ("name", "name"),
    ("relationship", "relationship"),
    ("telephone", "telephone"),
    ("email", "email"),
    ("parental_responsibility", "parental_responsibility"),
    ("language", "language"),
    ("interpreter", "needs_interpreter"),
    ("literacy_support", "literacy_support"),
)

_DATE_FORMAT = "dd/mm/yyyy"


def pupil_table(pupils: Iterable[Pupil]) -> tuple[list[str], list[list[ExportCell]]]:
    """Return the header and rows of the pupil layout, with columns for as many contacts as any pupil has.

    Raises ValueError for a pupil with more contacts than the layout holds.
    """
    pupils = list(pupils)
    contact_count = max((len(pupil.contacts) for pupil in pupils), default=0)
    if contact_count > MAX_CONTACTS:
        crowded = next(pupil for pupil in pupils if len(pupil.contacts) > MAX_CONTACTS)
        raise ValueError(
            f"pupil {crowded.upn} has {len(crowded.contacts)} contacts, "
            f"but the pupil layout has columns for {MAX_CONTACTS}"
        )

    header = [_LABEL[name] for name in _PUPIL_COLUMNS]
    for number in range(1, contact_count + 1):
        header.extend(_LABEL[f"contact{number}_{suffix}"] for suffix, _ in _CONTACT_COLUMNS)

    rows = []
    for pupil in pupils:
        row = [_cell(getattr(pupil, name)) for name in _PUPIL_COLUMNS]
        for number in range(contact_count):
            contact = pupil.contacts[number] if number < len(pupil.contacts) else None
            row.extend(
                _cell(getattr(contact, attribute)) if contact else ""
                for _, attribute in _CONTACT_COLUMNS
            )
        rows.append(row)

    return header, rows


def mark_table(marks: Iterable[Mark], layout: MarksLayout) -> tuple[list[str], list[list[ExportCell]]]:
    """Return the header and rows of ``marks`` in the long or the weekly grid layout.

    Raises ValueError when a mark falls on a Saturday or Sunday, which the
    grid has no column for.
    """
    if layout is MarksLayout.LONG:
        header = [_LABEL[name] for name in ("upn", "date", "session", "mark")]
        return header, [[mark.upn, mark.date, mark.session.value, mark.code] for mark in marks]

    weeks: dict[tuple[str, dt.date], list[str]] = defaultdict(lambda: [""] * len(GRID_DAY_FIELDS))
    for mark in marks:
        weekday = mark.date.weekday()
        if weekday >= 5:
            raise ValueError(
                f"the mark for {mark.upn} on {mark.date:%A %d/%m/%Y} cannot go in the weekly grid, "
                "which has columns for Monday to Friday only"
            )
        monday = mark.date - dt.timedelta(days=weekday)
        slot = weekday * 2 + (0 if mark.session is Session.AM else 1)
        weeks[(mark.upn, monday)][slot] = mark.code

    header = [_LABEL["upn"], _LABEL["week_beginning"], *(field.label for field in GRID_DAY_FIELDS)]
    rows = [[upn, monday, *codes] for (upn, monday), codes in sorted(weeks.items())]
    return header, rows


def write_pupils_csv(
    pupils: Iterable[Pupil], path: str | os.PathLike[str], *, encoding: str = "utf-8-sig", line_ending: str = "\r\n",
) -> None:
    """Write ``pupils`` as CSV in the pupil layout, with dates as dd/mm/yyyy.

    ``encoding`` is "utf-8-sig" (Excel's "CSV UTF-8"), "utf-8" or "cp1252"
    (Excel's plain "CSV" on Windows in the UK). Raises ValueError for a value
    that the encoding cannot represent.
    """
    _write_csv(*pupil_table(pupils), Path(path), encoding, line_ending)


def write_pupils_xlsx(pupils: Iterable[Pupil], path: str | os.PathLike[str], *, serial_dates: bool = False) -> None:
    """Write ``pupils`` as an XLSX workbook in the pupil layout.

    Dates are Excel date cells, or plain serial numbers with ``serial_dates``,
    as some MIS exports write them.
    """
    _write_xlsx(*pupil_table(pupils), Path(path), serial_dates)


def write_marks_csv(
    marks: Iterable[Mark],
    path: str | os.PathLike[str],
    *,
    layout: MarksLayout = MarksLayout.LONG,
    encoding: str = "utf-8-sig",
    line_ending: str = "\r\n",
) -> None:
    """Write ``marks`` as CSV in the long or weekly grid layout, with dates as dd/mm/yyyy."""
    _write_csv(*mark_table(marks, layout), Path(path), encoding, line_ending)


def write_marks_xlsx(
    marks: Iterable[Mark],
    path: str | os.PathLike[str],
    *,
    layout: MarksLayout = MarksLayout.LONG,
    serial_dates: bool = False,
) -> None:
    """Write ``marks`` as an XLSX workbook in the long or weekly grid layout."""
    _write_xlsx(*mark_table(marks, layout), Path(path), serial_dates)


def _cell(value: object) -> ExportCell:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, SenStatus):
        return value.value
    if value is None or isinstance(value, dt.date):
        return value
    return str(value)


def _write_csv(
    header: Sequence[str], rows: Iterable[Sequence[ExportCell]], path: Path, encoding: str, line_ending: str,
) -> None:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, lineterminator=line_ending)
        writer.writerow(header)
        for line, row in enumerate(rows, start=2):
            texts = [_csv_text(cell) for cell in row]
            _check_encodable(texts, encoding, line)
            writer.writerow(texts)


def _csv_text(cell: ExportCell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return f"{cell:%d/%m/%Y}"
    return cell


def _check_encodable(texts: Sequence[str], encoding: str, line: int) -> None:
    for text in texts:
        try:
            text.encode(encoding)
        except UnicodeEncodeError as error:
            raise ValueError(
                f"line {line}: {text!r} contains {error.object[error.start]!r}, "
                f"which {encoding} cannot represent. Write the file as UTF-8"
            ) from error


def _write_xlsx(header: Sequence[str], rows: Iterable[Sequence[ExportCell]], path: Path, serial_dates: bool) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))

    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.date) and serial_dates:
                cells.append(int(to_excel(value)))
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = _DATE_FORMAT
            elif isinstance(value, str) and value.startswith("="):
                # openpyxl stores a string starting with "=" as a formula.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)

    workbook.save(path)
