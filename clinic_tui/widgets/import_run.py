"""One import in a worker thread: its progress messages, its result and the sentences that report it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual.message import Message
from textual.message_pump import MessagePump

from clinic_tui.imports import ImportResult, MappingFileError, UnreadableFile
from clinic_tui.services.attendance import StoreOutcome

log = logging.getLogger(__name__)

ImportKind = Literal["pupils", "marks"]

# Reading the file fills the progress bar to this percentage; checking the
# rows, storing them and recomputing the measures fill the rest.
READ_SHARE = 90

# XLSX files are zip archives. The reader tells CSV from XLSX by these first
# bytes too, so the progress unit matches what the reader counts.
_ZIP_MAGIC = b"PK\x03\x04"


class ImportProgress(Message):
    """Progress of an import, posted from the worker thread. ``percent`` is None when the total is unknown."""

    def __init__(self, percent: int | None, label: str) -> None:
        super().__init__()
        self.percent = percent
        self.label = label


@dataclass(frozen=True)
class ImportDone:
    """The import worker's result: the reader's result and what was stored, or None if nothing was."""

    kind: ImportKind
    result: ImportResult
    outcome: StoreOutcome | None


class ProgressRelay:
    """The reader's progress callback: turns (done, total) into ImportProgress messages, one per change.

    Textual's ``post_message`` is safe to call from another thread, so the
    reader can call this from the worker.
    """

    def __init__(self, target: MessagePump, path: Path) -> None:
        self._target = target
        self._unit = _progress_unit(path)
        self._last: tuple[int | None, str] | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            percent = min(READ_SHARE, done * READ_SHARE // total)
            label = f"Reading: {done * 100 // total}% of the {self._unit}"
        else:
            # A workbook that does not record its size gives no total.
            percent = None
            label = f"Reading: {done:,} {self._unit} so far"
        if (percent, label) != self._last:
            self._last = (percent, label)
            self._target.post_message(ImportProgress(percent, label))


def _progress_unit(path: Path) -> str:
    """Name what the reader counts: the rows of a workbook or the bytes of a CSV file."""
    with path.open("rb") as probe:
        return "rows" if probe.read(4) == _ZIP_MAGIC else "file"


def stored_sentence(kind: ImportKind, outcome: StoreOutcome) -> str:
    """Describe what a successful import stored."""
    if kind == "marks":
        return (
            f"Imported: {outcome.marks_written:,} marks stored, "
            f"{outcome.marks_changed:,} of them replacing a different earlier mark."
        )
    return f"Imported: {outcome.created:,} new pupils, {outcome.updated:,} updated."


def rejected_sentence(result: ImportResult) -> str:
    """Report that a file with errors was not imported and where its errors are listed."""
    count = result.errors.total
    return (
        f"Not imported: {count:,} {'error' if count == 1 else 'errors'} in {result.file}. "
        "Nothing from the file was stored. Each error below names its line and column."
    )


def failure_sentence(run: str, file_name: str, error: BaseException | None, *, stored: bool) -> str:
    """Explain why a dry run or import stopped with an exception, and what to do next.

    ``run`` is "dry run" or "import". ``stored`` is True when the import had
    already stored the file, which happens before the measures are
    recomputed. An error the reader or the user can fix is explained; any
    other is logged with its traceback.
    """
    if run == "dry run":
        outcome = "A dry run stores nothing."
    elif stored:
        outcome = "The file was stored, but the pupil list may show old measures until you press F5 there."
    else:
        # Storing runs in one transaction, so an error before it ends leaves the vault as it was.
        outcome = "Nothing from the file was stored."

    if isinstance(error, MappingFileError):
        return f"The mapping file cannot be used: {error} {outcome}"
    if isinstance(error, UnreadableFile):
        line = f", line {error.line}" if error.line is not None else ""
        value = f" ({error.value})" if error.value else ""
        return f"{file_name}{line}{value} cannot be read: {error.problem}. {error.action}"
    if isinstance(error, OSError):
        return (
            f"{error.filename or file_name} cannot be opened ({error.strerror or error}). "
            f"Check that it exists and that you can read it, then try again. {outcome}"
        )

    # The file name stays out of the log, because users may name files after pupils.
    log.error("%s failed", run, exc_info=error)
    name = type(error).__name__ if error is not None else "unknown error"
    return f"The {run} stopped with an unexpected error ({name}). {outcome} The log file has the details."
