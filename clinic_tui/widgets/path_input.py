"""A file path Input that suggests completions from the disk and checks that the file exists."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Suggest the first file or folder, in name order, whose name starts with the typed text.

    Folders are suggested with a trailing separator so the next name can be
    typed at once. Hidden entries are offered only once a dot is typed.
    """

    def __init__(self) -> None:
        # No cache, because files appear and disappear while the screen is open.
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        folder, prefix = os.path.split(os.path.expanduser(value))
        try:
            entries = sorted(os.scandir(folder or "."), key=lambda entry: entry.name)
        except OSError:
            return None

        for entry in entries:
            if not entry.name.startswith(prefix) or entry.name == prefix:
                continue
            if entry.name.startswith(".") and not prefix.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            completion = entry.name[len(prefix):] + (os.sep if is_folder else "")
            return value + completion
        return None


@dataclass(frozen=True)
class PathCheck:
    """The outcome of checking a typed path: the file when usable, and a message either way."""

    path: Path | None
    message: str

    @property
    def ok(self) -> bool:
        return self.path is not None


def check_file(value: str, *, description: str = "file", optional: bool = False) -> PathCheck:
    """Check that ``value`` names a readable file, with the next step in the message when it does not.

    ``description`` names the file in messages. An empty value is accepted
    when ``optional``, with ``path`` None and an empty message.
    """
    text = value.strip()
    if not text:
        if optional:
            return PathCheck(None, "")
        return PathCheck(None, f"Type the path of the {description}.")

    path = Path(os.path.expanduser(text))
    if path.is_dir():
        return PathCheck(None, f"{path} is a folder. Add the name of the {description} after it.")
    if not path.exists():
        return PathCheck(None, f"No file at {path}. Check the folder and the name; → accepts a suggested path.")
    if not os.access(path, os.R_OK):
        return PathCheck(None, f"{path} cannot be read with your permissions. Copy it somewhere you can read, then try again.")
    return PathCheck(path.resolve(), f"Found {path.name}, {_size(path.stat().st_size)}.")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class PathInput(Input):
    """An Input for a file path with completion: → accepts the suggested rest of the path."""

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, suggester=PathSuggester())
