"""Fixtures for the MIS import tests: valid UPNs and writers for synthetic CSV and XLSX files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from clinic_tui.domain.upn import calc_check_letter, make_upn
from clinic_tui.imports import ErrorKind, ImportResult, Issue, WarningKind

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]


@pytest.fixture
def upns() -> list[str]:
    """Ten valid permanent UPNs from one synthetic school."""
    return [make_upn(801, 4000, 2019, serial) for serial in range(1, 11)]


@pytest.fixture
def temporary_upn() -> str:
    body = "80140001901C"
    return calc_check_letter(body) + body


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Return a function that writes rows as CSV text into ``tmp_path``."""

    def write(
        name: str,
        rows: Sequence[Sequence[str]],
        *,
        encoding: str = "utf-8",
        line_ending: str = "\r\n",
    ) -> Path:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator=line_ending).writerows(rows)
        path = tmp_path / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> WriteXlsx:
    """Return a function that writes rows into the first sheet of a workbook in ``tmp_path``.

    Values keep their Python type, so a date becomes an Excel date cell and
    an int a number cell. ``start_row`` leaves blank rows above the first row.
    """

    def write(name: str, rows: Sequence[Sequence[Any]], *, start_row: int = 1, date_format: str = "dd/mm/yyyy") -> Path:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row_offset, row in enumerate(rows):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=start_row + row_offset, column=column, value=value)
                if hasattr(value, "year"):
                    cell.number_format = date_format
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


def _single(result: ImportResult, kind: ErrorKind | WarningKind) -> Issue:
    log = result.errors if isinstance(kind, ErrorKind) else result.warnings
    found = log.of_kind(kind)
    assert len(found) == 1, f"expected one {kind.value}, got: {[str(issue) for issue in found]}\n{result.report()}"
    return found[0]


@pytest.fixture
def single() -> Callable[[ImportResult, ErrorKind | WarningKind], Issue]:
    """Return a function that gives the one issue of a kind in a result, failing if there are more or none."""
    return _single
