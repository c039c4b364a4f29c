"""Stream the rows of a CSV or XLSX export, keeping each row's line number.

Neither reader loads the whole file into memory. CSV is decoded through a
buffered text stream, and XLSX is opened in openpyxl's read-only mode, which
parses the worksheet XML as rows are requested.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from clinic_tui.imports.issues import ErrorKind

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

# A cell value as the file stores it. CSV cells are always str. XLSX cells
# keep openpyxl's types, so a date cell arrives as datetime and a number
# formatted as General arrives as int or float.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None

# Called with the amount read so far and the total (bytes for CSV, rows for
# XLSX). The total is None when a workbook does not record its size.
ProgressCallback = Callable[[int, int | None], None]

EXCEL_1900_EPOCH = dt.datetime(1899, 12, 30)

_READ_CHUNK = 1 << 16
_XLSX_PROGRESS_EVERY = 1000

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls and other compound files
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_SAVE_AS_CSV_UTF8 = 'Open it in Excel and save it again as "CSV UTF-8 (Comma delimited)".'


class UnreadableFile(Exception):
    """A file that cannot be read as a table at all."""

    def __init__(
        self,
        problem: str,
        action: str,
        line: int | None = None,
        value: str = "",
        kind: ErrorKind = ErrorKind.UNREADABLE_FILE,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.action = action
        self.line = line
        self.value = value
        self.kind = kind


class Row(NamedTuple):
    """One non-blank row of a table with its line number in the file.

    ``cells`` is the list the csv module returns for a CSV file and a tuple
    for XLSX. Rows are named tuples, which are cheaper to build than
    dataclass instances, because a whole-school marks file has over half a
    million of them.
    """

    line: int
    cells: Sequence[Cell]


@dataclass
class Table:
    """An open CSV or XLSX file: its header row and an iterator over the rows below it."""

    name: str
    format: str
    encoding: str | None
    header: tuple[str, ...]
    header_line: int
    rows: Iterator[Row]
    epoch: dt.datetime = EXCEL_1900_EPOCH


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of the zero-based column ``index`` ("A", "B", ... "AA")."""
    return get_column_letter(index + 1)


def is_blank(cell: Cell) -> bool:
    """Return whether ``cell`` contains nothing but whitespace."""
    if cell is None:
        return True
    return isinstance(cell, str) and not cell.strip()


@contextmanager
def open_table(path: str | os.PathLike[str], progress: ProgressCallback | None = None) -> Iterator[Table]:
    """Open a CSV or XLSX file and yield its header and rows.

    The format comes from the file's first bytes, not its name, so an XLSX
    saved with a .csv name still opens. Raises UnreadableFile when the file is
    not a table this module can read or has no non-blank row.
    """
    path = Path(path)
    with path.open("rb") as probe:
        magic = probe.read(4)

    if magic == _OLE2_MAGIC:
        raise UnreadableFile(
            "the file is an Excel 97-2003 workbook (.xls), which cannot be read",
            "Open it in Excel and save it as an Excel Workbook (.xlsx) or as CSV UTF-8.",
        )

    if magic == _ZIP_MAGIC:
        with _open_xlsx(path, progress) as table:
            yield table
    else:
        with _open_csv(path, progress) as table:
            yield table


def _with_header(
    name: str,
    file_format: str,
    encoding: str | None,
    rows: Iterator[Row],
    epoch: dt.datetime = EXCEL_1900_EPOCH,
) -> Table:
    """Take the first non-blank row of ``rows`` as the header."""
    for row in rows:
        header = tuple("" if cell is None else str(cell).strip() for cell in row.cells)
        return Table(name, file_format, encoding, header, row.line, rows, epoch)

    raise UnreadableFile(
        "the file has no header row because every row is blank",
        "Export the file again from the MIS, with column headers in the first row.",
        kind=ErrorKind.NO_HEADER,
    )


# CSV ----------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Binary file wrapper that calls a progress callback with the bytes read so far."""

    def __init__(self, file: BinaryIO, total: int, progress: ProgressCallback | None) -> None:
        self._file = file
        self._total = total
        self._progress = progress
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._file.readinto(buffer)
        self._done += count
        if self._progress is not None:
            self._progress(self._done, self._total)
        return count


@contextmanager
def _open_csv(path: Path, progress: ProgressCallback | None) -> Iterator[Table]:
    encoding = detect_encoding(path)
    total = path.stat().st_size

    with path.open("rb") as raw:
        counting = _CountingReader(raw, total, progress)
        buffered = io.BufferedReader(counting, buffer_size=_READ_CHUNK)

        # newline="" hands CR, LF and CRLF to the csv module unchanged, which
        # is what it needs to keep line breaks inside quoted cells.
        text = io.TextIOWrapper(buffered, encoding=encoding, newline="")
        yield _with_header(path.name, "CSV", encoding, _csv_rows(text))


def _csv_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    reader = csv.reader(text, strict=False)
    next_line = 1

    # The csv module raises csv.Error only from its own iteration, so the
    # whole loop can sit in one try statement.
    try:
        for cells in reader:
            # A quoted cell can span several physical lines. Reports name the
            # line on which the record starts, where a user would look for it.
            line = next_line
            next_line = reader.line_num + 1

            # The joined cells are blank exactly when every cell is blank, and
            # one join is cheaper than a test per cell.
            if "".join(cells).strip():
                yield Row(line, cells)
    except csv.Error as error:
        raise UnreadableFile(
            f"the CSV text cannot be split into cells ({error})",
            "Check that quotation marks on this line are paired, or export the file again.",
            line=reader.line_num,
        ) from error


def detect_encoding(path: Path) -> str:
    """Return "utf-8-sig", "utf-8" or "cp1252" for a CSV file, reading it in chunks.

    Strict UTF-8 is tried first because Windows-1252 decodes almost any byte
    sequence without complaint. Raises UnreadableFile for UTF-16 text, for a
    byte that is invalid in both encodings, and for a file that mixes UTF-8
    text with Windows-1252 bytes, which would otherwise import garbled names.
    """
    with path.open("rb") as file:
        start = file.read(4)
        if start.startswith(_UTF16_BOMS):
            raise UnreadableFile(
                "the file is saved as UTF-16 (Excel's Unicode Text), which this import does not read",
                _SAVE_AS_CSV_UTF8,
            )

        file.seek(0)
        bad_offset = _first_invalid(file, "utf-8")

    if bad_offset is None:
        return "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"

    with path.open("rb") as file:
        head = file.read(bad_offset)
        if any(byte >= 0x80 for byte in head):
            # Valid UTF-8 accented text came before the first invalid byte.
            raise UnreadableFile(
                "the file mixes UTF-8 and Windows-1252 text",
                _SAVE_AS_CSV_UTF8,
                line=head.count(b"\n") + 1,
                value=_byte_at(path, bad_offset),
            )

        file.seek(0)
        bad_cp1252 = _first_invalid(file, "cp1252")

    if bad_cp1252 is not None:
        with path.open("rb") as file:
            line = file.read(bad_cp1252).count(b"\n") + 1
        raise UnreadableFile(
            "the file is neither UTF-8 nor Windows-1252 text",
            _SAVE_AS_CSV_UTF8,
            line=line,
            value=_byte_at(path, bad_cp1252),
        )

    return "cp1252"


def _first_invalid(file: BinaryIO, encoding: str) -> int | None:
    """Return the offset of the first byte that ``encoding`` rejects, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0

    while True:
        chunk = file.read(_READ_CHUNK)
        final = not chunk

        # The decoder may hold the start of a multi-byte sequence from the
        # previous chunk, and an error offset counts from the start of it.
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=final)
        except UnicodeDecodeError as error:
            return offset - pending + error.start
        if final:
            return None
        offset += len(chunk)


def _byte_at(path: Path, offset: int) -> str:
    with path.open("rb") as file:
        file.seek(offset)
        return f"byte 0x{file.read(1).hex().upper()}"


# XLSX ---------------------------------------------------------------------


@contextmanager
def _open_xlsx(path: Path, progress: ProgressCallback | None) -> Iterator[Table]:
    # openpyxl rejects a path whose name does not end in .xlsx or .xlsm, but
    # not an open file, so a workbook saved under another name still opens.
    with path.open("rb") as file:
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
            raise UnreadableFile(
                f"the file is not a valid Excel workbook ({error})",
                "Open it in Excel and save it again as an Excel Workbook (.xlsx) or as CSV UTF-8.",
            ) from error

        try:
            sheet = workbook.worksheets[0]
            total = sheet.max_row
            rows = _xlsx_rows(sheet, total, progress)
            yield _with_header(path.name, "XLSX", None, rows, workbook.epoch)
        finally:
            workbook.close()


def _xlsx_rows(sheet: ReadOnlyWorksheet, total: int | None, progress: ProgressCallback | None) -> Iterator[Row]:
    # Read-only worksheets (openpyxl 3.1) yield every row from row 1, with
    # empty rows filled in, so counting from 1 gives the row number Excel shows.
    line = 0
    for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if progress is not None and line % _XLSX_PROGRESS_EVERY == 0:
            progress(line, total)
        if not all(is_blank(cell) for cell in cells):
            yield Row(line, tuple(cells))

    if progress is not None:
        progress(line, total if total is not None else line)
