"""Show how the import recognises the columns of a file without reading its rows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from clinic_tui.imports.headers import MARK_FIELDS, PUPIL_FIELDS, Column, match_columns
from clinic_tui.imports.mapping import HeaderMapping, resolve_mapping
from clinic_tui.imports.source import open_table


def describe_columns(
    path: str | os.PathLike[str],
    kind: Literal["pupils", "marks"],
    mapping: HeaderMapping | str | os.PathLike[str] | None = None,
) -> list[Column]:
    """Read the header row of a pupil list or marks file and return what each column is recognised as.

    Columns that match no field are returned with ``field`` None, and
    ``str(column)`` gives a line such as "C  DOB  ->  Date of Birth" for a
    dry run. Raises UnreadableFile when the file has no readable header row.
    """
    headers = resolve_mapping(mapping)
    fields, mapped = (PUPIL_FIELDS, headers.pupils) if kind == "pupils" else (MARK_FIELDS, headers.marks)

    with open_table(Path(path)) as table:
        return match_columns(table.header, fields, mapped, table.name, table.header_line).columns
