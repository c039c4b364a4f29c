"""Recognise the columns of an MIS export by their headers.

Headers are compared after ``normalise_header``, which ignores case, spaces
and punctuation, so "Date of Birth", "DATE_OF_BIRTH" and "date-of-birth" are
the same header. A mapping file names the column for a field when an export
uses a header that no synonym here covers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clinic_tui.imports.issues import ErrorKind, Issue
from clinic_tui.imports.source import column_letter

_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def normalise_header(text: str) -> str:
    """Return ``text`` in lower case with everything but letters and digits removed."""
    return _NOT_ALPHANUMERIC.sub("", text.lower())


@dataclass(frozen=True)
class Field:
    """A value the import understands, with the header names that carry it.

    ``name`` is the key used in mapping files and in ``Column.field``.
    ``synonyms`` are normalised headers, most specific first: when two
    columns match one field, the column with the earlier synonym is used.
    """

    name: str
    label: str
    synonyms: tuple[str, ...]


def _field(name: str, label: str, *other_headers: str) -> Field:
    # dict.fromkeys drops headers that normalise alike, such as Email and E-mail.
    synonyms = tuple(dict.fromkeys(normalise_header(header) for header in (label, *other_headers)))
    return Field(name, label, synonyms)


MAX_CONTACTS = 3

# (field suffix, label suffix, other header suffixes) for "Contact N ..." columns.
_CONTACT_PARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("name", "Name", ()),
    ("relationship", "Relationship", ()),
    ("telephone", "Telephone", ("Phone", "Telephone Number", "Phone Number")),
    ("email", "Email", ("Email Address", "E-mail")),
    ("parental_responsibility", "Parental Responsibility", ("PR",)),
    ("language", "Language", ()),
    ("interpreter", "Interpreter", ("Needs Interpreter", "Interpreter Needed")),
    ("literacy_support", "Literacy Support", ()),
)


def _contact_fields(number: int) -> tuple[Field, ...]:
    return tuple(
        _field(
            f"contact{number}_{suffix}",
            f"Contact {number} {label}",
            *(f"Contact {number} {other}" for other in others),
        )
        for suffix, label, others in _CONTACT_PARTS
    )


PUPIL_FIELDS: tuple[Field, ...] = (
    _field("upn", "UPN", "Unique Pupil Number"),
    _field("surname", "Legal Surname", "Surname", "Legal Last Name", "Last Name"),
    _field("forename", "Legal Forename", "Forename", "Legal First Name", "First Name"),
    _field("preferred_name", "Preferred Name", "Preferred Forename"),
    _field("date_of_birth", "Date of Birth", "DOB"),
    _field("gender", "Gender", "Sex"),
    _field("year_group", "Year Group", "NC Year", "Year", "National Curriculum Year"),
    _field("reg_group", "Reg Group", "Registration Form", "Registration Group", "Tutor Group"),
    _field("sen", "SEN Status", "SEN", "SEN Provision"),
    _field("fsm", "FSM", "Ever FSM 6", "FSM Eligible"),
    _field("eal", "EAL"),
    _field("first_language", "First Language"),
    _field("cin", "CIN", "Child in Need"),
    _field("cp_plan", "CP Plan", "Child Protection Plan"),
    _field("looked_after", "Looked After", "LAC", "In Care", "CLA", "Child Looked After"),
    _field("admission_date", "Admission Date", "Date of Admission"),
    _field("leaving_date", "Leaving Date", "Date of Leaving"),
    *(field for number in range(1, MAX_CONTACTS + 1) for field in _contact_fields(number)),
)

PUPIL_REQUIRED = ("upn", "surname", "forename")

DAYS = ("mon", "tue", "wed", "thu", "fri")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _grid_fields() -> tuple[Field, ...]:
    fields = []
    for day, day_name in zip(DAYS, _DAY_NAMES):
        for session in ("AM", "PM"):
            fields.append(_field(f"{day}_{session.lower()}", f"{day.title()} {session}", f"{day_name} {session}"))
    return tuple(fields)


GRID_DAY_FIELDS = _grid_fields()

MARK_FIELDS: tuple[Field, ...] = (
    _field("upn", "UPN", "Unique Pupil Number"),
    _field("date", "Date", "Attendance Date", "Session Date"),
    _field("session", "Session", "AM/PM", "AM or PM"),
    _field("mark", "Mark", "Attendance Mark", "Code", "Attendance Code"),
    _field("week_beginning", "Week Beginning", "Week Commencing", "Week Starting", "Week Beginning Date"),
    *GRID_DAY_FIELDS,
)

LONG_REQUIRED = ("upn", "date", "session", "mark")
GRID_REQUIRED = ("upn", "week_beginning", *(field.name for field in GRID_DAY_FIELDS))


@dataclass(frozen=True)
class Column:
    """One column of a file and what the import recognised it as."""

    index: int
    letter: str
    header: str
    field: str | None
    label: str | None
    note: str = ""

    @property
    def recognised_as(self) -> str:
        """Field label, or "ignored" with the reason, as a dry run shows it."""
        if self.field is None:
            return f"ignored ({self.note})" if self.note else "ignored"
        return f"{self.label} ({self.note})" if self.note else self.label or self.field

    def __str__(self) -> str:
        return f"{self.letter}  {self.header or '(blank header)'}  ->  {self.recognised_as}"


@dataclass(frozen=True)
class ColumnMatch:
    """The columns of a header row, the column index of each recognised field, and matching errors."""

    columns: list[Column]
    index: dict[str, int]
    issues: list[Issue]


def match_columns(
    header: Sequence[str],
    fields: Sequence[Field],
    mapped: Mapping[str, str],
    file: str,
    header_line: int,
) -> ColumnMatch:
    """Recognise each header cell as one of ``fields`` or as ignored.

    ``mapped`` maps field names to headers from a mapping file and wins over
    the synonyms. A mapped header that the file lacks, and two columns that
    match one field equally well, are errors.
    """
    by_name = {field.name: field for field in fields}
    normalised = [normalise_header(text) for text in header]
    issues: list[Issue] = []

    # The best candidate column per field: (rank, column index). Rank -1 marks
    # a column named in the mapping file.
    chosen: dict[str, tuple[int, int]] = {}
    mapped_columns: set[int] = set()

    for name, mapped_header in mapped.items():
        mapped_key = normalise_header(mapped_header)
        hits = [index for index, key in enumerate(normalised) if key == mapped_key]
        if not hits:
            issues.append(Issue(
                ErrorKind.MISSING_COLUMN, file, header_line, None, None, mapped_header,
                f"the mapping file maps {name} to this column, but the header row has no such column",
                "Correct the column name in the mapping file or in the file's header row.",
            ))
            continue

        if hits[0] in mapped_columns:
            issues.append(Issue(
                ErrorKind.DUPLICATE_COLUMN, file, header_line, header[hits[0]], column_letter(hits[0]), mapped_header,
                f"the mapping file maps more than one field to this column, the last being {name}",
                "Map each field to its own column in the mapping file.",
            ))
            continue

        chosen[name] = (-1, hits[0])
        mapped_columns.add(hits[0])
        issues.extend(_duplicates(hits, header, by_name[name], file, header_line))

    for field in fields:
        if field.name in mapped:
            continue
        ranked = [
            (field.synonyms.index(key), index)
            for index, key in enumerate(normalised)
            if key in field.synonyms and index not in mapped_columns
        ]
        if not ranked:
            continue
        best_rank = min(rank for rank, _ in ranked)
        best = [index for rank, index in ranked if rank == best_rank]
        chosen[field.name] = (best_rank, best[0])
        issues.extend(_duplicates(best, header, field, file, header_line))

    return ColumnMatch(
        _describe(header, chosen, by_name, normalised),
        {name: index for name, (_, index) in chosen.items()},
        issues,
    )


def _duplicates(hits: list[int], header: Sequence[str], field: Field, file: str, line: int) -> list[Issue]:
    if len(hits) < 2:
        return []
    letters = ", ".join(column_letter(index) for index in hits)
    return [Issue(
        ErrorKind.DUPLICATE_COLUMN, file, line, header[hits[1]], column_letter(hits[1]), header[hits[1]],
        f"columns {letters} all match {field.label}, so the import cannot tell which to use",
        "Delete or rename the extra columns, or name the right one in a mapping file.",
    )]


def _describe(
    header: Sequence[str],
    chosen: Mapping[str, tuple[int, int]],
    by_name: Mapping[str, Field],
    normalised: Sequence[str],
) -> list[Column]:
    field_at = {index: name for name, (_, index) in chosen.items()}
    columns = []

    for index, text in enumerate(header):
        letter = column_letter(index)
        name = field_at.get(index)

        if name is not None:
            note = "from the mapping file" if chosen[name][0] == -1 else ""
            columns.append(Column(index, letter, text, name, by_name[name].label, note))
            continue

        # Say why a column that looks like a known field was passed over.
        note = ""
        for field in by_name.values():
            if normalised[index] in field.synonyms and field.name in chosen:
                used = column_letter(chosen[field.name][1])
                note = f"{field.label} is read from column {used}"
                break
        columns.append(Column(index, letter, text, None, None, note))

    return columns


def missing_columns(
    required: Sequence[str], match: ColumnMatch, fields: Sequence[Field], file: str, header_line: int,
) -> list[Issue]:
    """Return a MISSING_COLUMN error for each required field that no column matched."""
    by_name = {field.name: field for field in fields}
    issues = []
    for name in required:
        if name in match.index:
            continue
        field = by_name[name]
        issues.append(Issue(
            ErrorKind.MISSING_COLUMN, file, header_line, None, None, "",
            f"the header row has no {field.label} column",
            f"Add a column headed {field.label!r}, or map your column to {name} in a mapping file.",
        ))
    return issues
