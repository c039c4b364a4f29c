"""The outcome of reading one export: what was recognised, errors, warnings and a printable report."""

from __future__ import annotations

from dataclasses import dataclass, field

from clinic_tui.imports.headers import Column
from clinic_tui.imports.issues import Issue, IssueLog
from clinic_tui.imports.source import UnreadableFile

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 with byte order mark",
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
}

DEFAULT_REPORT_ERRORS = 50


@dataclass
class ImportResult:
    """Common part of a pupil or marks import.

    ``rows_read`` counts the non-blank rows below the header. ``encoding`` is
    the text encoding of a CSV file and None for XLSX. When ``errors`` is not
    empty the subclass returns no rows, so a caller cannot store part of a
    file by mistake.
    """

    file: str
    format: str = ""
    encoding: str | None = None
    layout: str = ""
    columns: list[Column] = field(default_factory=list)
    errors: IssueLog = field(default_factory=IssueLog)
    warnings: IssueLog = field(default_factory=IssueLog)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """Whether the file has no errors, so its rows can be stored."""
        return not self.errors

    def report(self, max_errors: int = DEFAULT_REPORT_ERRORS, examples_per_warning: int = 3) -> str:
        """Render the result as plain text for a terminal or a log file.

        At most ``max_errors`` errors are listed, followed by the number left
        out and the count of each kind. Warnings are counted by kind with a
        few examples each.
        """
        lines = [self._summary_line()]

        if self.errors:
            pronoun = "it" if self.errors.total == 1 else "them"
            lines.append(
                f"Not imported: {plural(self.errors.total, 'error')}. "
                f"Correct {pronoun} in the MIS or in the file, then import the file again. "
                "Nothing from the file is imported until then."
            )
            lines.append("")
            lines.append("Errors:")
            listed = list(self.errors)[:max_errors]
            lines.extend(f"  {issue}" for issue in listed)
            if self.errors.total > len(listed):
                lines.append(f"  ... and {plural(self.errors.total - len(listed), 'more error')}.")
            lines.append("")
            lines.append("Errors by kind:")
            lines.extend(f"  {kind.value}: {count}" for kind, count in self.errors.counts.items())
        else:
            lines.append(f"Ready to import: {self._rows_summary()}.")

        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            for kind, count in self.warnings.counts.items():
                lines.append(f"  {kind.value}: {count}")
                for issue in self.warnings.of_kind(kind)[:examples_per_warning]:
                    lines.append(f"    for example {issue}")

        return "\n".join(lines)

    def raise_if_failed(self) -> None:
        """Raise ImportFailed carrying this result if it has any error."""
        if self.errors:
            raise ImportFailed(self)

    def _summary_line(self) -> str:
        details = [self.format] if self.format else []
        if self.encoding:
            details.append(ENCODING_NAMES.get(self.encoding, self.encoding))
        described = f"{self.file} ({', '.join(details)})" if details else self.file
        layout = f", {self.layout}" if self.layout else ""
        return f"{described}{layout}: {plural(self.rows_read, 'row')} read."

    def _rows_summary(self) -> str:
        return plural(self.rows_read, "row")

    def record_unreadable(self, error: UnreadableFile) -> None:
        """Record a file that could not be read as a table as an error of the whole file."""
        self.errors.add(Issue(
            error.kind, self.file, error.line, None, None, error.value, error.problem, error.action,
        ))


class ImportFailed(Exception):
    """An import stopped by errors in the file. ``result`` has the errors, their counts and the report."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(result.report())
        self.result = result


def plural(count: int, noun: str) -> str:
    """Return ``count`` with thousands separators and ``noun``, adding s unless the count is 1."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
