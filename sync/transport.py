"""Transports: how a bundle reaches the central store and its receipt comes back.

A transport has three operations, so that a network service can be added
later with the same shape:

- ``send(bundle_path)`` delivers a bundle file (sending it twice is safe);
- ``fetch_receipt(bundle_id)`` returns the receipt bytes, or None if there
  is no receipt yet;
- ``discard(bundle_id)`` removes the transport's copies once the laptop has
  applied the receipt.

``FolderTransport`` is a shared folder or USB stick: the laptop writes to
``outgoing/``, the central store reads it with ``ingest_transport_folder``
and writes to ``receipts/``. ``DirectTransport`` is for a process that has
the central store open and unlocked: sending ingests at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sync.bundle import BUNDLE_SUFFIX
from sync.central import INBOX, RECEIPTS, CentralStore
from sync.fsio import LOCAL_FS, FileSystem, atomic_write, ensure_folder, read_file, storage_error
from sync.ingest import FolderResult, ingest_bundle, ingest_folder
from sync.receipt import RECEIPT_SUFFIX

OUTGOING = "outgoing"


class Transport(Protocol):
    """Delivery of bundles to the central store and of receipts back."""

    def send(self, bundle_path: Path) -> None: ...

    def fetch_receipt(self, bundle_id: str) -> bytes | None: ...

    def discard(self, bundle_id: str) -> None: ...


def _copy(fs: FileSystem, source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically, skipping the write when ``target`` already matches."""
    data = read_file(fs, source, "bundle file")
    if target.exists():
        try:
            if fs.read_bytes(target) == data:
                return
        except OSError:
            pass  # unreadable copy: write it again below
    ensure_folder(fs, target.parent)
    atomic_write(fs, target, data, description="bundle copy")


def _read_optional(fs: FileSystem, path: Path) -> bytes | None:
    if not path.exists():
        return None
    return read_file(fs, path, "receipt file")


def _remove(fs: FileSystem, path: Path) -> None:
    try:
        fs.unlink(path)
    except OSError as error:
        raise storage_error(error, "remove", path) from error


class FolderTransport:
    """Laptop side of a shared folder or USB stick at ``root``."""

    def __init__(self, root: Path | str, *, fs: FileSystem = LOCAL_FS) -> None:
        self.root = Path(root)
        self.fs = fs

    def send(self, bundle_path: Path) -> None:
        _copy(self.fs, bundle_path, self.root / OUTGOING / bundle_path.name)

    def fetch_receipt(self, bundle_id: str) -> bytes | None:
        return _read_optional(self.fs, self.root / RECEIPTS / f"{bundle_id}{RECEIPT_SUFFIX}")

    def discard(self, bundle_id: str) -> None:
        _remove(self.fs, self.root / OUTGOING / f"{bundle_id}{BUNDLE_SUFFIX}")
        _remove(self.fs, self.root / RECEIPTS / f"{bundle_id}{RECEIPT_SUFFIX}")


def ingest_transport_folder(store: CentralStore, root: Path | str) -> FolderResult:
    """Central side of a ``FolderTransport``: ingest ``root/outgoing`` and write receipts to ``root/receipts``.

    A ``root`` without ``outgoing/`` has had nothing sent to it yet, which
    gives an empty result; a missing ``root`` raises ``StorageError``.
    """
    root = Path(root)
    if root.is_dir() and not (root / OUTGOING).exists():
        return FolderResult()
    return ingest_folder(store, root / OUTGOING, receipt_dir=root / RECEIPTS)


class DirectTransport:
    """Sends straight into an open, unlocked central store and ingests at once.

    ``send`` raises ``BundleRejected`` when the store rejects the bundle.
    """

    def __init__(self, store: CentralStore) -> None:
        self.store = store

    def send(self, bundle_path: Path) -> None:
        target = self.store.path / INBOX / bundle_path.name
        _copy(self.store.fs, bundle_path, target)
        ingest_bundle(self.store, target, receipt_dir=self.store.path / RECEIPTS)

    def fetch_receipt(self, bundle_id: str) -> bytes | None:
        return _read_optional(self.store.fs, self.store.path / RECEIPTS / f"{bundle_id}{RECEIPT_SUFFIX}")

    def discard(self, bundle_id: str) -> None:
        # The central database keeps the ciphertext and the receipt, so the file copies can go.
        _remove(self.store.fs, self.store.path / INBOX / f"{bundle_id}{BUNDLE_SUFFIX}")
        _remove(self.store.fs, self.store.path / RECEIPTS / f"{bundle_id}{RECEIPT_SUFFIX}")
