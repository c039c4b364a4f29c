"""Exceptions raised by the sync package.

Every message names what failed, on which file or value, and what to do
next. Messages never contain record plaintext, names, notes or keys.
"""

from __future__ import annotations

from pathlib import Path


class SyncError(Exception):
    """Base class of every error the sync package raises."""


class InvalidInput(SyncError, ValueError):
    """An argument from the caller is invalid (an impact row field, a name, a key)."""


class FormatError(SyncError):
    """A file or byte string is not in the format it claims to be.

    ``source`` is the file (or a description of the bytes) and ``offset`` the
    byte position of the fault when one is known.
    """

    def __init__(self, message: str, *, source: str | Path = "", offset: int | None = None) -> None:
        super().__init__(message)
        self.source = str(source)
        self.offset = offset


class StorageError(SyncError, OSError):
    """Reading, writing, syncing or renaming a file failed.

    ``errno`` and ``filename`` come from the underlying ``OSError``.
    """

    def __str__(self) -> str:
        # OSError would prefix "[Errno N]" and append the file name, which the message already has.
        return self.strerror or super().__str__()


class WrongSecret(SyncError):
    """A passphrase or enrolment code does not open the file it was given for."""


class StoreLocked(SyncError):
    """An operation needs the central private keys but the store is not unlocked."""


class NotFound(SyncError, LookupError):
    """A record, device, bundle or receipt is not in the store."""


class BundleRejected(SyncError):
    """The central store rejected a whole bundle and stored nothing from it.

    ``code`` is one of the stable codes listed in ``sync/FORMAT.md`` (for
    example ``bad_signature`` or ``replayed_sequence``). The message
    states what to do next.
    """

    def __init__(self, code: str, message: str, *, source: str | Path = "") -> None:
        super().__init__(message)
        self.code = code
        self.source = str(source)


class ReceiptRejected(SyncError):
    """A receipt failed verification: wrong signer, another bundle, or malformed."""


def short_value(value: object, limit: int = 40) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters for an error message.

    Use it only for values that cannot be personal data: ids, versions,
    hashes, sizes and format fields. A rejected free-text value may be a
    name, so messages describe it (type, length) instead of quoting it.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 3] + "..."
