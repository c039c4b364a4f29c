"""Read a pupil list exported from the MIS into Pupil objects."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clinic_tui.domain.pupil import Contact, Pupil
from clinic_tui.imports.headers import MAX_CONTACTS, PUPIL_FIELDS, PUPIL_REQUIRED, match_columns, missing_columns
from clinic_tui.imports.issues import ErrorKind, WarningKind
from clinic_tui.imports.mapping import HeaderMapping, resolve_mapping
from clinic_tui.imports.result import ImportResult, plural
from clinic_tui.imports.rows import CellFailed, RowReader, parse_upn
from clinic_tui.imports.source import Cell, ProgressCallback, Row, UnreadableFile, open_table
from clinic_tui.imports.values import parse_bool, parse_date, parse_sen, parse_year_group, show, text

PUPIL_LAYOUT = "pupil list"

_CONTACT_TEXT = ("name", "relationship", "telephone", "email", "language")
_CONTACT_FLAGS = ("parental_responsibility", "interpreter", "literacy_support")


@dataclass
class PupilImport(ImportResult):
    """A read pupil list: the pupils, or none at all if the file has errors.

    ``temporary_upns`` contains the UPNs that are temporary, which the
    school should replace with the permanent UPN when it arrives.
    """

    pupils: list[Pupil] = field(default_factory=list)
    temporary_upns: frozenset[str] = frozenset()

    @property
    def rows(self) -> list[Pupil]:
        """The importable pupils in file order, or none when there are errors."""
        return self.pupils

    def _rows_summary(self) -> str:
        return plural(len(self.pupils), "pupil")


def read_pupils(
    path: str | os.PathLike[str],
    mapping: HeaderMapping | str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
) -> PupilImport:
    """Read and check a pupil list exported as CSV or XLSX.

    The result counts every error and warning and keeps the first ones for
    its report. It has no pupils if there is even one error. Raises
    MappingFileError for a bad mapping file and OSError if the file cannot
    be opened.
    """
    path = Path(path)
    headers = resolve_mapping(mapping)
    result = PupilImport(file=path.name, layout=PUPIL_LAYOUT)

    pupils: list[Pupil] = []
    first_seen: dict[str, tuple[int, Pupil]] = {}
    temporary: set[str] = set()

    try:
        with open_table(path, progress) as table:
            result.format, result.encoding = table.format, table.encoding

            match = match_columns(table.header, PUPIL_FIELDS, headers.pupils, table.name, table.header_line)
            result.columns = match.columns
            for issue in match.issues + missing_columns(
                PUPIL_REQUIRED, match, PUPIL_FIELDS, table.name, table.header_line,
            ):
                result.errors.add(issue)

            # Without its columns no row can be checked, so stop here.
            if result.errors:
                return result

            reader = _PupilReader(RowReader(table, match.index, result.errors), result)
            for row in table.rows:
                result.rows_read += 1
                parsed = reader.read(row)
                if parsed is None:
                    continue

                pupil, is_temporary = parsed
                if pupil.upn in first_seen:
                    reader.duplicate(row, pupil, *first_seen[pupil.upn])
                    continue

                first_seen[pupil.upn] = (row.line, pupil)
                pupils.append(pupil)
                if is_temporary:
                    reader.warn_temporary(row, pupil.upn)
                    temporary.add(pupil.upn)

    except UnreadableFile as error:
        result.record_unreadable(error)

    if not result.errors:
        result.pupils = pupils
        result.temporary_upns = frozenset(temporary)
    return result


def enrolment_dates(pupils: Iterable[Pupil]) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Return each pupil's admission and leaving dates by UPN, as ``read_marks`` takes them."""
    return {pupil.upn: (pupil.admission_date, pupil.leaving_date) for pupil in pupils}


class _PupilReader:
    """Turn rows into Pupil objects, recording errors and warnings in ``result``."""

    def __init__(self, cells: RowReader, result: PupilImport) -> None:
        self.cells = cells
        self.result = result

        def date(cell: Cell) -> dt.date | None:
            return parse_date(cell, cells.table.epoch)

        parsers: dict[str, Callable[[Cell], object]] = {
            "upn": parse_upn,
            "surname": text,
            "forename": text,
            "preferred_name": text,
            "date_of_birth": date,
            "gender": text,
            "year_group": parse_year_group,
            "reg_group": text,
            "sen": parse_sen,
            "fsm": parse_bool,
            "eal": parse_bool,
            "first_language": text,
            "cin": parse_bool,
            "cp_plan": parse_bool,
            "looked_after": parse_bool,
            "admission_date": date,
            "leaving_date": date,
        }
        # Fields without a column keep the Pupil defaults.
        self._parsers = {name: parser for name, parser in parsers.items() if name in cells.index}

    def read(self, row: Row) -> tuple[Pupil, bool] | None:
        """Return the pupil on ``row`` and whether the UPN is temporary, or None after recording errors."""
        cells = self.cells
        errors_before = self.result.errors.total
        values: dict[str, object] = {}

        cells.check_width(row)

        # Parse every cell before giving up on the row, so one pass reports
        # all of its errors.
        for name, parser in self._parsers.items():
            try:
                values[name] = cells.parse(row, name, parser)
            except CellFailed:
                pass

        for name in ("surname", "forename"):
            if values.get(name) == "":
                cells.error_at(
                    row, cells.index[name], ErrorKind.MISSING_VALUE, "",
                    f"the pupil's {name} is blank", "Fill it in in the MIS and export the file again.",
                )

        contacts = self._contacts(row)
        self._check_dates(row, values)

        if self.result.errors.total > errors_before:
            return None

        upn, is_temporary = values.pop("upn")  # type: ignore[misc]
        return Pupil(upn=upn, contacts=contacts, **values), is_temporary  # type: ignore[arg-type]

    def _contacts(self, row: Row) -> list[Contact]:
        contacts = []

        for number in range(1, MAX_CONTACTS + 1):
            prefix = f"contact{number}_"
            texts: dict[str, str] = {}
            flags: dict[str, bool] = {}
            for suffix in _CONTACT_TEXT:
                if prefix + suffix in self.cells.index:
                    try:
                        texts[suffix] = self.cells.parse(row, prefix + suffix, text)
                    except CellFailed:
                        texts[suffix] = ""
            for suffix in _CONTACT_FLAGS:
                if prefix + suffix in self.cells.index:
                    try:
                        flags[suffix] = self.cells.parse(row, prefix + suffix, parse_bool)
                    except CellFailed:
                        flags[suffix] = False

            # A contact exists when any of its text cells has a value. A "No"
            # in a flag column alone does not make a contact.
            if not any(texts.values()):
                continue

            if not texts.get("name"):
                self._warn_nameless_contact(row, number)

            contacts.append(Contact(
                name=texts.get("name", ""),
                relationship=texts.get("relationship", ""),
                telephone=texts.get("telephone", ""),
                email=texts.get("email", ""),
                parental_responsibility=flags.get("parental_responsibility", False),
                language=texts.get("language", ""),
                needs_interpreter=flags.get("interpreter", False),
                literacy_support=flags.get("literacy_support", False),
            ))

        return contacts

    def _check_dates(self, row: Row, values: dict[str, object]) -> None:
        admission = values.get("admission_date")
        leaving = values.get("leaving_date")
        if isinstance(admission, dt.date) and isinstance(leaving, dt.date) and leaving < admission:
            self.cells.error_at(
                row, self.cells.index["leaving_date"], ErrorKind.INVALID_DATE, f"{leaving:%d/%m/%Y}",
                f"the leaving date is before the admission date ({admission:%d/%m/%Y})",
                "Correct the admission or leaving date in the MIS and export the file again.",
            )

    def duplicate(self, row: Row, pupil: Pupil, first: int, earlier: Pupil) -> None:
        """Record a second row for the UPN of ``pupil``: a warning if it repeats line ``first``, else an error."""
        position = self.cells.index["upn"]

        if earlier == pupil:
            self.result.warnings.add(self.cells.issue_at(
                row.line, position, WarningKind.DUPLICATE_ROW, pupil.upn,
                f"this row repeats line {first}, so it is imported once", "No action is needed.",
            ))
            return

        self.cells.error_at(
            row, position, ErrorKind.DUPLICATE_PUPIL, pupil.upn,
            f"line {first} has the same UPN with different details",
            "Keep one row per pupil: correct the UPN of one of the two pupils in the MIS, "
            "or remove the extra row, and export the file again.",
        )

    def warn_temporary(self, row: Row, upn: str) -> None:
        self.result.warnings.add(self.cells.issue_at(
            row.line, self.cells.index["upn"], WarningKind.TEMPORARY_UPN, upn,
            "this is a temporary UPN",
            "Replace it with the pupil's permanent UPN in the MIS when the school receives it.",
        ))

    def _warn_nameless_contact(self, row: Row, number: int) -> None:
        position = self.cells.index.get(f"contact{number}_name")
        if position is None:
            # No name column at all: point at the first column of the contact.
            position = min(
                index for name, index in self.cells.index.items() if name.startswith(f"contact{number}_")
            )
        self.result.warnings.add(self.cells.issue_at(
            row.line, position, WarningKind.CONTACT_WITHOUT_NAME, show(self.cells.cell_at(row, position)),
            f"contact {number} has details but no name",
            "Add the contact's name in the MIS so officers know whom they are calling.",
        ))
