"""Type sizes and spacing shared by the PDF and DOCX writers, and the atomic file write.

Sizes follow the RNIB's Clear Print guidelines: body text of 12 point or
more (the RNIB suggests 14 to reach more readers with sight loss), left
aligned, with space between paragraphs. Large print uses 16 point body
text, the size usually given as the floor for large print, and wider
spacing between lines.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clinic_tui.documents.errors import OutputProblem


@dataclass(frozen=True)
class PrintStyle:
    """Sizes in points and spacing for one print size.

    ``line_spacing`` multiplies the type size to give the distance between
    lines. ``paragraph_gap`` is the space after a block, in points.
    """

    body: float
    heading1: float
    heading2: float
    footer: float
    line_spacing: float
    paragraph_gap: float
    margin_mm: float


STANDARD_PRINT = PrintStyle(
    body=12, heading1=16, heading2=13.5, footer=9, line_spacing=1.3, paragraph_gap=8, margin_mm=20
)
LARGE_PRINT = PrintStyle(
    body=16, heading1=22, heading2=19, footer=16, line_spacing=1.5, paragraph_gap=14, margin_mm=18
)


def print_style(large_print: bool) -> PrintStyle:
    return LARGE_PRINT if large_print else STANDARD_PRINT


def check_output_path(path: Path) -> Path:
    """Return ``path`` as a Path after checking that its folder exists and it is not a folder."""
    path = Path(path)
    if not path.parent.is_dir():
        raise OutputProblem(
            f"cannot write {path} because the folder {path.parent} does not exist. "
            "Create the folder or choose another one."
        )
    if path.is_dir():
        raise OutputProblem(f"cannot write {path} because it is a folder. Choose a file name.")
    return path


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it.

    A reader never sees a half-written file, and a failed write leaves any
    earlier file at ``path`` as it was. The file is readable by its owner
    only (the temporary file's mode), because letters and records carry
    personal data.
    """
    path = check_output_path(path)

    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputProblem(f"cannot write {path}: {error.strerror}. Check the folder is writable.") from None

    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputProblem(f"cannot write {path}: {error.strerror}. Check the disk has space.") from None

    return path
