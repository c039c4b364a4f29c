"""The dry run's verdict on an import's header row: the recognised columns and any required column missing."""

from __future__ import annotations

from collections.abc import Sequence

from clinic_tui.imports import Column
from clinic_tui.imports.headers import (
    GRID_REQUIRED,
    LONG_REQUIRED,
    MARK_FIELDS,
    PUPIL_FIELDS,
    PUPIL_REQUIRED,
    ColumnMatch,
    Field,
)
from clinic_tui.imports.marks import MarksLayout, detect_layout
from clinic_tui.widgets.import_run import ImportKind

_LAYOUT_WORDS = {MarksLayout.LONG: "one mark per row", MarksLayout.GRID: "a weekly grid"}


def dry_run_summary(kind: ImportKind, columns: Sequence[Column], file_name: str) -> tuple[bool, str]:
    """Return whether the header row has every required column, and a sentence saying so.

    The layout of a marks file is chosen by the same rule as the import
    itself (``detect_layout``), so the dry run and the import agree.
    """
    index = {column.field: column.index for column in columns if column.field is not None}
    recognised = len(index)
    ignored = len(columns) - recognised
    counts = f"{file_name}: {recognised} of {len(columns)} columns recognised, {ignored} ignored."

    if kind == "pupils":
        missing = [name for name in PUPIL_REQUIRED if name not in index]
        return _verdict(counts, "a pupil list", missing, PUPIL_FIELDS)

    layout = detect_layout(ColumnMatch(list(columns), index, []))
    if layout is None:
        return False, (
            f"{counts} The columns match neither marks layout. Export one mark per row "
            "(UPN, Date, Session, Mark) or a weekly grid (UPN, Week Beginning, Mon AM to Fri PM), "
            "or name the columns in a mapping file."
        )
    required = LONG_REQUIRED if layout is MarksLayout.LONG else GRID_REQUIRED
    missing = [name for name in required if name not in index]
    return _verdict(counts, f"marks as {_LAYOUT_WORDS[layout]}", missing, MARK_FIELDS)


def _verdict(counts: str, contents: str, missing: list[str], fields: Sequence[Field]) -> tuple[bool, str]:
    if not missing:
        return True, f"{counts} Every column {contents} needs is there. A dry run stores nothing."
    labels = {field.name: field.label for field in fields}
    named = ", ".join(labels[name] for name in missing)
    return False, (
        f"{counts} Missing for {contents}: {named}. Add these columns to the export, "
        "or name your columns for them in a mapping file."
    )
