"""Read the recognised cells of a row and record an error for each cell that fails to parse."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from clinic_tui.domain import upn as upn_rules
from clinic_tui.imports.issues import ErrorKind, Issue, IssueLog, WarningKind
from clinic_tui.imports.source import Cell, Row, Table, column_letter, is_blank
from clinic_tui.imports.values import InvalidValue, show, text

T = TypeVar("T")

UPN_ACTION = "Check the UPN against the pupil's record in the MIS, correct it and export the file again."


class CellFailed(Exception):
    """Raised after a cell's error is recorded, so the caller drops that value but checks the rest of the row."""


class RowReader:
    """Cells of one table by field name, recording parse errors against their line and column."""

    def __init__(self, table: Table, index: Mapping[str, int], errors: IssueLog) -> None:
        self.table = table
        self.index = index
        self.errors = errors

    def cell(self, row: Row, name: str) -> Cell:
        """Return the cell of field ``name``, or None if the file has no such column or the row is short."""
        position = self.index.get(name)
        if position is None:
            return None
        return self.cell_at(row, position)

    @staticmethod
    def cell_at(row: Row, position: int) -> Cell:
        """Return the cell at column ``position``, or None if the row is shorter."""
        return row.cells[position] if position < len(row.cells) else None

    def parse(self, row: Row, name: str, parser: Callable[[Cell], T]) -> T:
        """Return ``parser`` applied to the cell of ``name``.

        Records an error and raises CellFailed when the parser raises
        InvalidValue, so the caller can still check the row's other cells.
        """
        cell = self.cell(row, name)
        try:
            return parser(cell)
        except InvalidValue as invalid:
            self.error_at(row, self.index[name], invalid.kind, show(cell), invalid.problem, invalid.action)
            raise CellFailed from invalid

    def error_at(self, row: Row, position: int, kind: ErrorKind, value: str, problem: str, action: str) -> None:
        """Record an error for the cell at column ``position`` of ``row``."""
        self.errors.add(self.issue_at(row.line, position, kind, value, problem, action))

    def issue_at(
        self, line: int, position: int, kind: ErrorKind | WarningKind, value: str, problem: str, action: str,
    ) -> Issue:
        """Build an issue for the cell at ``line`` and column ``position``."""
        header = self.table.header[position] if position < len(self.table.header) else ""
        return Issue(kind, self.table.name, line, header, column_letter(position), value, problem, action)

    def check_width(self, row: Row) -> bool:
        """Return whether ``row`` fits under the header, recording an error if it has values beyond it.

        Values past the last header usually mean an unquoted comma in a name
        or address that shifted the cells after it one column to the right.
        """
        width = len(self.table.header)
        extra = [position for position in range(width, len(row.cells)) if not is_blank(row.cells[position])]
        if not extra:
            return True

        self.error_at(
            row, extra[0], ErrorKind.EXTRA_VALUES, show(row.cells[extra[0]]),
            f"the row has values beyond the last of the {width} headed columns",
            "Check this row for a comma inside a value that should be in quotation marks, "
            "or export the file again from the MIS.",
        )
        return False


def parse_upn(cell: Cell) -> tuple[str, bool]:
    """Return the UPN in ``cell`` in upper case without spaces, and whether it is temporary.

    Raises InvalidValue for a blank cell and for a UPN that fails the
    Department for Education check-letter test.
    """
    value = text(cell)
    if not value:
        raise InvalidValue(ErrorKind.MISSING_VALUE, "the UPN is blank", UPN_ACTION)

    try:
        upn = upn_rules.validate(value)
    except ValueError as error:
        raise InvalidValue(ErrorKind.INVALID_UPN, str(error), UPN_ACTION) from error

    return upn, upn_rules.is_temporary(upn)
