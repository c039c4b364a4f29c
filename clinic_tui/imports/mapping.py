"""Load a TOML header mapping file for exports whose column names the import does not know.

The file has a ``[pupils]`` table, a ``[marks]`` table or both, and each key
is a field name mapped to the header of the column that carries it::

    [pupils]
    upn = "Pupil Ref"
    surname = "Family Name"

    [marks]
    date = "Attendance Date"
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clinic_tui.imports.headers import MARK_FIELDS, PUPIL_FIELDS

SECTIONS: dict[str, tuple[str, ...]] = {
    "pupils": tuple(field.name for field in PUPIL_FIELDS),
    "marks": tuple(field.name for field in MARK_FIELDS),
}

# tomllib (Python 3.11) reports the position only inside its message, as
# "... (at line 3, column 9)".
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")


class MappingFileError(ValueError):
    """A mapping file that cannot be used, with the file, line and value at fault."""

    def __init__(self, file: str, line: int | None, value: str, problem: str, action: str) -> None:
        self.file = file
        self.line = line
        self.value = value
        self.problem = problem
        self.action = action
        place = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{place}: value {value!r}: {problem}. {action}")


@dataclass(frozen=True)
class HeaderMapping:
    """Column headers named by a mapping file, by section and field name."""

    pupils: Mapping[str, str] = field(default_factory=dict)
    marks: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        for section, entries in (("pupils", self.pupils), ("marks", self.marks)):
            unknown = sorted(set(entries) - set(SECTIONS[section]))
            if unknown:
                raise ValueError(
                    f"unknown {section} field {unknown[0]!r} in the header mapping. "
                    f"Use one of: {', '.join(SECTIONS[section])}"
                )


def load_mapping(path: str | os.PathLike[str]) -> HeaderMapping:
    """Read and check a mapping file.

    Raises MappingFileError for invalid TOML, an unknown section or field,
    and a value that is not a non-empty string.
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MappingFileError(
            path.name, raw[: error.start].count(b"\n") + 1, f"byte 0x{raw[error.start]:02X}",
            "the file is not UTF-8 text, which TOML requires", "Save the mapping file as UTF-8.",
        ) from error
    lines = text.splitlines()

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION.search(str(error))
        line = int(position.group(1)) if position else None
        line_text = lines[line - 1].strip() if line is not None and line <= len(lines) else ""
        problem = _TOML_POSITION.sub("", str(error)).strip()
        raise MappingFileError(
            path.name, line, line_text, f"the file is not valid TOML ({problem})",
            'Write each entry as field = "Column header", under [pupils] or [marks].',
        ) from error

    tables: dict[str, dict[str, str]] = {"pupils": {}, "marks": {}}

    for section, entries in document.items():
        if section not in SECTIONS:
            raise MappingFileError(
                path.name, _find_line(lines, None, section), section,
                "unknown section", "Use [pupils] or [marks].",
            )
        if not isinstance(entries, dict):
            raise MappingFileError(
                path.name, _find_line(lines, None, section), str(entries),
                f"{section} must be a table of field names", f"Write it as [{section}] followed by field = \"Column header\" lines.",
            )

        for name, header in entries.items():
            line = _find_line(lines, section, name)
            if name not in SECTIONS[section]:
                raise MappingFileError(
                    path.name, line, name, f"unknown field in [{section}]",
                    f"Use one of: {', '.join(SECTIONS[section])}.",
                )
            if not isinstance(header, str):
                raise MappingFileError(
                    path.name, line, str(header), f"the column for {name} is not a string",
                    f'Put the column header in double quotes, for example {name} = "Column header".',
                )
            if not header.strip():
                raise MappingFileError(
                    path.name, line, header, f"the column for {name} is empty",
                    "Write the header of the column exactly as it appears in the export.",
                )
            tables[section][name] = header

    return HeaderMapping(tables["pupils"], tables["marks"], path.name)


def resolve_mapping(mapping: HeaderMapping | str | os.PathLike[str] | None) -> HeaderMapping:
    """Return ``mapping`` itself, an empty mapping for None, or the mapping file loaded from a path."""
    if mapping is None:
        return HeaderMapping()
    if isinstance(mapping, HeaderMapping):
        return mapping
    return load_mapping(mapping)


def _find_line(lines: list[str], section: str | None, key: str) -> int | None:
    """Return the 1-based line that defines ``key`` in ``section``, or None if no simple line does.

    With ``section`` None, the line of the ``[key]`` table header is returned,
    or else a top-level ``key =`` line.
    """
    key_line = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    current: str | None = None

    for number, line in enumerate(lines, start=1):
        table = _TABLE_HEADER.match(line)
        if table:
            current = table.group(1).strip("\"'")
            if section is None and current == key:
                return number
            continue
        if current == section and key_line.match(line):
            return number

    return None
