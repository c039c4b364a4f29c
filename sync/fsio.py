"""File operations behind one small seam, and atomic writes built on it.

Every file the sync package reads or writes goes through a ``FileSystem``.
The default, ``LOCAL_FS``, calls ``os`` directly. Tests pass a subclass
that fails a chosen operation (disk full, permission denied, a crash) to
check that each failure leaves no half-written file and a clear message.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from sync.errors import StorageError

FILE_MODE = 0o600
FOLDER_MODE = 0o700

# Temporary files start with a dot and end with this suffix so that readers
# listing a folder skip them, and a later clean-up can find leftovers.
TEMP_SUFFIX = ".tmp"


class FileSystem:
    """The file operations the sync package performs, one method each.

    Each method raises ``OSError`` on failure. ``atomic_write`` and the
    readers below turn that into a ``StorageError`` with advice.
    """

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def open_new(self, path: Path, mode: int) -> int:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)

    def write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def rename(self, source: Path, target: Path) -> None:
        os.replace(source, target)

    def fsync_dir(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def mkdir(self, path: Path, mode: int) -> None:
        path.mkdir(mode=mode, parents=True, exist_ok=True)

    def unlink(self, path: Path) -> None:
        path.unlink(missing_ok=True)


LOCAL_FS = FileSystem()


def storage_error(error: OSError, action: str, path: Path) -> StorageError:
    """Wrap ``error`` in a ``StorageError`` whose message states what failed and what to do next.

    ``action`` completes the sentence "Could not ... PATH", for example
    "read the bundle file".
    """
    reason = error.strerror or str(error)
    reading = action.startswith("read")
    if error.errno == errno.ENOSPC:
        advice = "Free some space on that drive, then try again."
    elif error.errno in (errno.EACCES, errno.EPERM) and reading:
        advice = "Check that this user may read the file, then try again."
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = (
            "Check that the folder is writable by this user and, for a USB stick, "
            "that it is not write-protected, then try again."
        )
    elif error.errno == errno.ENOENT:
        advice = "Check that the file or folder exists and that the drive is still connected."
    else:
        advice = "Check the drive and try again."
    wrapped = StorageError(error.errno, f"Could not {action} {path}: {reason}. {advice}")
    wrapped.filename = str(path)
    return wrapped


def read_file(fs: FileSystem, path: Path, description: str) -> bytes:
    """Read the whole file at ``path``; ``description`` names it in an error."""
    try:
        return fs.read_bytes(path)
    except OSError as error:
        raise storage_error(error, f"read the {description}", path) from error


def ensure_folder(fs: FileSystem, path: Path) -> None:
    """Create ``path`` and its parents with mode 0700 if missing."""
    try:
        fs.mkdir(path, FOLDER_MODE)
    except OSError as error:
        raise storage_error(error, "create the folder", path) from error


def atomic_write(fs: FileSystem, path: Path, data: bytes, *, description: str, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one.

    The steps are: write a temporary file in the same folder, fsync it,
    rename it over ``path``, then fsync the folder so the rename survives a
    power cut. On an ``OSError`` the temporary file is removed and a
    ``StorageError`` naming ``description`` and ``path`` is raised.
    """
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
    step = "create"
    fd: int | None = None
    try:
        fd = fs.open_new(temp, mode)

        step = "write"
        fs.write(fd, data)

        step = "fsync"
        fs.fsync(fd)
        fs.close(fd)
        fd = None

        step = "rename"
        fs.rename(temp, path)

        step = "folder fsync"
        fs.fsync_dir(path.parent)
    except OSError as error:
        _discard_temp(fs, fd, temp)
        raise storage_error(error, f"write ({step} step) the {description}", path) from error


def _discard_temp(fs: FileSystem, fd: int | None, temp: Path) -> None:
    # Best effort: the original error is the one worth reporting.
    try:
        if fd is not None:
            fs.close(fd)
    except OSError:
        pass
    try:
        fs.unlink(temp)
    except OSError:
        pass


def remove_stale_temp_files(fs: FileSystem, folder: Path) -> int:
    """Delete temporary files that an interrupted ``atomic_write`` left in ``folder``.

    Call it only where one process owns the folder, because it would also
    remove the temporary file of a write still under way. Returns the
    number removed.
    """
    if not folder.is_dir():
        return 0

    removed = 0
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
            try:
                fs.unlink(entry)
            except OSError as error:
                raise storage_error(error, "remove the leftover temporary file", entry) from error
            removed += 1
    return removed
