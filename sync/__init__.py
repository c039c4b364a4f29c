"""Sealing, signing, bundles, the outbox and the central store.

Laptop side: ``build_bundle`` / ``write_bundle``, the ``Outbox``, a
``Transport`` and ``sync_once``. Central side: ``init_central``,
``CentralStore``, ``ingest_bundle`` / ``ingest_folder``. Both sides:
``verify_receipt``. ``sync/FORMAT.md`` specifies every file format.
"""

from sync.bundle import Bundle, BundleRef, ItemKey, RecordVersion, build_bundle, parse_bundle, read_bundle, write_bundle
from sync.central import CentralStore, Device, QuarantineEntry, RejectedBundle
from sync.central_init import init_central
from sync.enrolment import Enrolment, read_enrolment, write_enrolment
from sync.errors import (
    BundleRejected,
    FormatError,
    InvalidInput,
    NotFound,
    ReceiptRejected,
    StorageError,
    StoreLocked,
    SyncError,
    WrongSecret,
)
from sync.fsio import LOCAL_FS, FileSystem
from sync.impact import ActionCounts, ImpactRow, pseudonymise
from sync.ingest import FolderResult, Rejection, ingest_bundle, ingest_folder
from sync.laptop import SyncReport, sync_once
from sync.outbox import OUTBOX_SCHEMA, AppliedReceipt, Outbox, ensure_schema, is_frozen, purgeable
from sync.receipt import QuarantinedItem, Receipt, verify_receipt
from sync.recovery import open_recovery, seal_recovery
from sync.registration import Registration, make_registration
from sync.transport import DirectTransport, FolderTransport, Transport, ingest_transport_folder

__all__ = [
    "LOCAL_FS",
    "OUTBOX_SCHEMA",
    "ActionCounts",
    "AppliedReceipt",
    "Bundle",
    "BundleRef",
    "BundleRejected",
    "CentralStore",
    "Device",
    "DirectTransport",
    "Enrolment",
    "FileSystem",
    "FolderResult",
    "FolderTransport",
    "FormatError",
    "ImpactRow",
    "InvalidInput",
    "ItemKey",
    "NotFound",
    "Outbox",
    "QuarantineEntry",
    "QuarantinedItem",
    "Receipt",
    "ReceiptRejected",
    "RecordVersion",
    "Registration",
    "RejectedBundle",
    "Rejection",
    "StorageError",
    "StoreLocked",
    "SyncError",
    "SyncReport",
    "Transport",
    "WrongSecret",
    "build_bundle",
    "ensure_schema",
    "ingest_bundle",
    "ingest_folder",
    "ingest_transport_folder",
    "init_central",
    "is_frozen",
    "make_registration",
    "open_recovery",
    "parse_bundle",
    "pseudonymise",
    "purgeable",
    "read_bundle",
    "read_enrolment",
    "seal_recovery",
    "sync_once",
    "verify_receipt",
    "write_bundle",
    "write_enrolment",
]
