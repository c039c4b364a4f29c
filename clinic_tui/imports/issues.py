"""Errors and warnings found while reading an MIS export, each tied to its place in the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

# Maximum length of a value in a message. Longer values are cut with an
# ellipsis so that one runaway cell cannot flood the report.
_MAX_SHOWN_VALUE = 60


class ErrorKind(str, Enum):
    """Problems that stop the whole file from being imported."""

    UNREADABLE_FILE = "unreadable file"
    NO_HEADER = "no header row"
    MISSING_COLUMN = "missing column"
    DUPLICATE_COLUMN = "duplicate column"
    UNKNOWN_LAYOUT = "marks layout not recognised"
    EXTRA_VALUES = "more values than headers"
    MISSING_VALUE = "missing value"
    INVALID_VALUE = "invalid value"
    INVALID_DATE = "invalid date"
    INVALID_UPN = "invalid UPN"
    DUPLICATE_PUPIL = "pupil listed twice"
    UNKNOWN_CODE = "unknown attendance code"
    RETIRED_CODE = "retired attendance code"
    INVALID_SESSION = "invalid session"
    UNKNOWN_PUPIL = "pupil not on the pupil list"
    CONFLICTING_MARKS = "conflicting marks"


class WarningKind(str, Enum):
    """Findings that the import accepts but the user should know about."""

    TEMPORARY_UPN = "temporary UPN"
    CONTACT_WITHOUT_NAME = "contact without a name"
    DUPLICATE_ROW = "same row twice"
    WEEKEND_MARK = "mark on a Saturday or Sunday"
    BEFORE_ADMISSION = "mark before the admission date"
    AFTER_LEAVING = "mark after the leaving date"


@dataclass(frozen=True)
class Issue:
    """One error or warning with the file, line, column and value it concerns.

    ``line`` is the physical line of a CSV file or the row number of a
    worksheet. ``column`` is the header text and ``letter`` the spreadsheet
    column letter. Any of the three is None when the issue concerns the
    whole file or a whole row.
    """

    kind: ErrorKind | WarningKind
    file: str
    line: int | None
    column: str | None
    letter: str | None
    value: str
    problem: str
    action: str

    @property
    def place(self) -> str:
        """Location as a reader of the file would look for it, such as "line 4, column C (DOB)"."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.letter is not None and self.column:
            parts.append(f"column {self.letter} ({self.column})")
        elif self.letter is not None:
            parts.append(f"column {self.letter}")
        elif self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value_part = f"value {shorten(self.value)!r}: " if self.value else ""
        return f"{self.place}: {value_part}{self.problem}. {self.action}"


def shorten(value: str) -> str:
    """Cut ``value`` to the length a report shows."""
    if len(value) <= _MAX_SHOWN_VALUE:
        return value
    return value[: _MAX_SHOWN_VALUE - 1] + "…"


class IssueLog:
    """Issues of one severity: every one counted by kind, the first ones kept.

    A 570,000-row file with a wrong column can produce an issue on every row,
    so only the first ``keep`` issues, plus the first ``keep_per_kind`` of
    each kind, are stored. Iterating yields the stored issues in file order.
    """

    def __init__(self, keep: int = 200, keep_per_kind: int = 5) -> None:
        self._keep = keep
        self._keep_per_kind = keep_per_kind
        self._kept: list[Issue] = []
        self._counts: Counter[ErrorKind | WarningKind] = Counter()

    def add(self, issue: Issue) -> None:
        """Count ``issue`` and store it if it is among the first of the log or of its kind."""
        self._counts[issue.kind] += 1

        if len(self._kept) < self._keep or self._counts[issue.kind] <= self._keep_per_kind:
            self._kept.append(issue)

    @property
    def total(self) -> int:
        """Number of issues added, stored or not."""
        return sum(self._counts.values())

    @property
    def counts(self) -> dict[ErrorKind | WarningKind, int]:
        """Number of issues added, by kind, most frequent first."""
        return dict(self._counts.most_common())

    def of_kind(self, kind: ErrorKind | WarningKind) -> list[Issue]:
        """Return the stored issues of ``kind``."""
        return [issue for issue in self._kept if issue.kind is kind]

    def __iter__(self) -> Iterator[Issue]:
        return iter(sorted(self._kept, key=_file_order))

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0


def _file_order(issue: Issue) -> tuple[int, int, str]:
    # Issues about the whole file (no line) come first. Column letters sort by
    # length first so that column AA follows column Z.
    letter = issue.letter or ""
    return (issue.line if issue.line is not None else 0, len(letter), letter)
