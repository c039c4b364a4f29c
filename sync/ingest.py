"""Ingest: verify bundles, store their ciphertext, append impact rows, sign receipts.

Checks run in the order listed in ``sync/FORMAT.md``. Every check on the
signer and the signature runs before anything is decrypted or stored, and
a bundle that fails any of them is rejected whole. Inside an accepted
bundle, an item that clashes with what is stored is quarantined on its
own, so one bad item never blocks the rest.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import hpke

from sync.bundle import BUNDLE_SUFFIX, RECORD, Bundle, ItemKey, ManifestEntry, parse_bundle
from sync.central import CentralStore, utc_timestamp
from sync.encoding import sha256_hex
from sync.errors import BundleRejected, FormatError, InvalidInput, StorageError
from sync.fsio import atomic_write, ensure_folder, read_file, storage_error
from sync.impact import ImpactRow
from sync.keys import OpenFailed, impact_info, open_sealed
from sync.receipt import QuarantinedItem, Receipt, make_receipt

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rejection:
    """A bundle file that was rejected whole (``code``) or could not be read (``code`` is "unreadable")."""

    path: Path
    code: str
    message: str


@dataclass
class FolderResult:
    """Outcome of ``ingest_folder`` for each bundle file it found."""

    receipts: list[tuple[Path, Receipt]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def quarantined(self) -> list[tuple[Path, QuarantinedItem]]:
        return [(path, item) for path, receipt in self.receipts for item in receipt.quarantined]

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.quarantined

    def summary(self) -> str:
        stored = sum(len(receipt.stored) for _, receipt in self.receipts)
        lines = [f"{len(self.receipts)} bundles accepted with {stored} items stored, "
                 f"{len(self.quarantined)} items quarantined, {len(self.rejected)} bundles rejected."]
        lines += [f"Quarantined {item.key.item_type} {item.key.item_id} version {item.key.version} "
                  f"from {path.name}: {item.reason}" for path, item in self.quarantined]
        lines += [f"Rejected {rejection.path.name} ({rejection.code}): {rejection.message}"
                  for rejection in self.rejected]
        return "\n".join(lines)


def ingest_bundle(
    store: CentralStore, path: Path | str, *, receipt_dir: Path | str | None = None, now: datetime | None = None
) -> Receipt:
    """Ingest one bundle file and write its signed receipt, returning the receipt.

    The receipt goes to ``receipt_dir`` (default: the bundle's folder) as
    ``<bundle id>.clinicreceipt``. Ingesting the same file again stores
    nothing and returns the same receipt. Raises ``BundleRejected`` when the
    bundle fails a check (nothing is stored, the rejection is recorded) and
    ``StorageError`` when a file cannot be read or written.
    """
    path = Path(path)
    receipt_folder = Path(receipt_dir) if receipt_dir is not None else path.parent
    store.private_keys("ingest bundles")

    data = read_file(store.fs, path, "bundle file")
    bundle_id = sha256_hex(data)

    # The very same bytes again: return the receipt already issued.
    stored_receipt = store.stored_receipt(bundle_id)
    if stored_receipt is not None:
        receipt = Receipt.parse(stored_receipt, source=f"stored receipt of {bundle_id}")
        _write_receipt(store, receipt_folder, receipt)
        return receipt

    try:
        bundle = _verified_bundle(store, data, path)
        receipt = _store_bundle(store, bundle, utc_timestamp(now))
    except BundleRejected as rejection:
        _record_rejection(store, bundle_id, path.name, rejection, utc_timestamp(now))
        log.warning("Rejected bundle %s (%s): %s", path.name, rejection.code, rejection)
        raise

    log.info("Ingested bundle %s from device %s: %d items stored, %d quarantined",
             bundle_id, bundle.device_id, len(receipt.stored), len(receipt.quarantined))
    _write_receipt(store, receipt_folder, receipt)
    return receipt


def ingest_folder(store: CentralStore, folder: Path | str, *, receipt_dir: Path | str | None = None) -> FolderResult:
    """Ingest every ``*.clinicbundle`` file in ``folder``, in name order.

    A bundle that is rejected or cannot be read is reported in the result
    and the next one is ingested all the same. Files whose names start
    with a dot (unfinished copies) are skipped.
    """
    folder = Path(folder)
    try:
        paths = sorted(entry for entry in folder.iterdir()
                       if entry.name.endswith(BUNDLE_SUFFIX) and not entry.name.startswith("."))
    except OSError as error:
        raise storage_error(error, "list the bundle folder", folder) from error

    result = FolderResult()
    for path in paths:
        try:
            result.receipts.append((path, ingest_bundle(store, path, receipt_dir=receipt_dir)))
        except BundleRejected as rejection:
            result.rejected.append(Rejection(path, rejection.code, str(rejection)))
        except StorageError as error:
            log.warning("Could not ingest %s: %s", path.name, error)
            result.rejected.append(Rejection(path, "unreadable", str(error)))
    return result


def _verified_bundle(store: CentralStore, data: bytes, path: Path) -> Bundle:
    """Return the parsed bundle once its layout, destination, signer, signature and hashes pass."""
    try:
        bundle = parse_bundle(data, source=path.name)
    except FormatError as error:
        raise BundleRejected("malformed", str(error), source=path) from error

    name = path.name
    if bundle.organisation_id != store.organisation_id:
        raise BundleRejected(
            "wrong_organisation",
            f"{name} is for organisation {bundle.organisation_id}, but this store belongs to "
            f"{store.organisation_name} ({store.organisation_id}). Ingest it at that organisation's store.",
            source=path,
        )
    if bundle.recipient != store.recipient_key_id:
        raise BundleRejected(
            "wrong_recipient",
            f"{name} is sealed to recipient key {bundle.recipient}, not this store's key {store.recipient_key_id}, "
            "so its records could never be opened here. Enrol the laptop again from this store.",
            source=path,
        )

    device = store.device_by_key_id(bundle.signer)
    if device is None:
        raise BundleRejected(
            "unknown_signer",
            f"{name} is signed by key {bundle.signer}, which is not registered here. Register the laptop "
            "profile and approve its fingerprint, then ingest the bundle again.",
            source=path,
        )
    if device.status == "pending":
        raise BundleRejected(
            "unapproved_signer",
            f"{name} is signed by device {device.fingerprint}, which is registered but not approved. Check the "
            "fingerprint with the officer, approve it, then ingest the bundle again.",
            source=path,
        )
    if device.status == "revoked":
        raise BundleRejected(
            "revoked_signer",
            f"{name} is signed by device {device.fingerprint}, which was revoked on {device.revoked_at}. "
            "Its bundles are not accepted.",
            source=path,
        )
    if (bundle.profile_id, bundle.device_id) != (device.profile_id, device.device_id):
        raise BundleRejected(
            "signer_mismatch",
            f"{name} names profile {bundle.profile_id} on device {bundle.device_id}, but its signing key "
            f"{device.fingerprint} is registered to profile {device.profile_id} on device {device.device_id}.",
            source=path,
        )
    if not bundle.signature_valid(device.public_key):
        raise BundleRejected(
            "bad_signature",
            f"The manifest signature of {name} does not verify: the file was changed after the laptop signed "
            "it. Copy the bundle again from the laptop.",
            source=path,
        )

    damaged = bundle.first_damaged_entry()
    if damaged is not None:
        position, entry = damaged
        raise BundleRejected(
            "damaged_item",
            f"Sealed item {position} of {name} ({entry.key.item_type} {entry.key.item_id} version "
            f"{entry.key.version}) does not match the SHA-256 in the signed manifest: the file was damaged, "
            "or items were reordered or removed. Copy the bundle again from the laptop.",
            source=path,
        )
    return bundle


def _store_bundle(store: CentralStore, bundle: Bundle, now: str) -> Receipt:
    """Store the items of a verified bundle and its signed receipt in one transaction."""
    private = store.private_keys("ingest bundles")
    stored: list[tuple[ItemKey, str]] = []
    quarantined: list[QuarantinedItem] = []

    with store.transaction() as conn:
        inserted = conn.execute(
            "INSERT INTO bundles (bundle_id, signer, sequence, device_id, profile_id, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (bundle.bundle_id, bundle.signer, bundle.sequence, bundle.device_id, bundle.profile_id, now),
        ).rowcount
        if inserted == 0:
            # Another ingest committed these bytes since the check above.
            existing = store.stored_receipt(bundle.bundle_id)
            if existing is not None:
                return Receipt.parse(existing)
            (other,) = conn.execute("SELECT bundle_id FROM bundles WHERE signer = ? AND sequence = ?",
                                    (bundle.signer, bundle.sequence)).fetchone()
            raise BundleRejected(
                "replayed_sequence",
                f"Bundle {bundle.bundle_id} reuses sequence {bundle.sequence} of this laptop profile, already "
                f"used by bundle {other}. A reused sequence means a replayed or altered copy; nothing was stored.",
            )

        for entry in bundle.entries:
            if entry.key.item_type == RECORD:
                outcome = _store_record(conn, bundle, entry, now)
            else:
                outcome = _store_impact_row(conn, bundle, entry, now, private.recipient)

            if outcome is None:
                stored.append((entry.key, entry.sha256))
            else:
                quarantined.append(outcome)

        receipt = make_receipt(bundle, stored=stored, quarantined=quarantined, ingested_at=now,
                               signing_key=private.receipt_signing)
        conn.execute("UPDATE bundles SET receipt = ? WHERE bundle_id = ?", (receipt.data, bundle.bundle_id))
    return receipt


def _store_record(conn: sqlite3.Connection, bundle: Bundle, entry: ManifestEntry, now: str) -> QuarantinedItem | None:
    """Store one sealed record version; return a quarantine entry if another ciphertext occupies its place."""
    key = entry.key
    inserted = conn.execute(
        "INSERT INTO records (record_id, version, schema_version, kind, sha256, ciphertext, bundle_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (record_id, version) DO NOTHING",
        (key.item_id, key.version, entry.schema_version, entry.kind, entry.sha256, bundle.blob(entry),
         bundle.bundle_id),
    ).rowcount
    if inserted:
        return None

    existing_sha256, existing_bundle = conn.execute(
        "SELECT sha256, bundle_id FROM records WHERE record_id = ? AND version = ?", (key.item_id, key.version)
    ).fetchone()
    if existing_sha256 == entry.sha256:
        return None  # the same ciphertext came in an earlier bundle: it is stored
    return _quarantine(
        conn, bundle, entry, "conflict", now,
        f"Record {key.item_id} version {key.version} is already stored from bundle {existing_bundle} with "
        "different contents. The stored copy is unchanged and this copy is kept in quarantine; compare the "
        "two with an authorised reader.",
    )


def _store_impact_row(
    conn: sqlite3.Connection,
    bundle: Bundle,
    entry: ManifestEntry,
    now: str,
    recipient: hpke.MLKEM768X25519PrivateKey,
) -> QuarantinedItem | None:
    """Open, validate and append one impact row; return a quarantine entry if any step fails."""
    key = entry.key
    label = f"Impact row {key.item_id} version {key.version}"
    try:
        plaintext = open_sealed(bundle.blob(entry), recipient, impact_info(bundle.organisation_id, key.item_id,
                                                                          key.version))
    except OpenFailed:
        return _quarantine(conn, bundle, entry, "impact_unreadable", now,
                           f"{label} does not open with this store's key: it was sealed to another key or "
                           "under other ids.")

    try:
        row = ImpactRow.from_bytes(plaintext, source=label)
    except InvalidInput as error:
        return _quarantine(conn, bundle, entry, "impact_invalid", now, str(error))
    except FormatError:
        # The parser's message could quote text from inside the row, so it is not repeated here.
        return _quarantine(conn, bundle, entry, "impact_invalid", now,
                           f"{label} is not a valid row object of impact row format version 1.")

    row_sha256 = sha256_hex(plaintext)
    inserted = conn.execute(
        "INSERT INTO impact_log (impact_id, version, pseudonym, school_urn, year_group, month, mode, attended,"
        " views_captured, barriers, actions_parent_carer, actions_pupil, actions_school, actions_agency,"
        " next_step, attendance_before_permille, persistent_before, severe_before, attendance_after_permille,"
        " review_outcome, row_sha256, bundle_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (impact_id, version) DO NOTHING",
        (row.impact_id, row.version, row.pseudonym, row.school_urn, row.year_group, row.month, row.mode,
         int(row.attended), int(row.views_captured), " ".join(row.barriers), row.actions.parent_carer,
         row.actions.pupil, row.actions.school, row.actions.agency, row.next_step,
         row.attendance_before_permille, int(row.persistent_before), int(row.severe_before),
         row.attendance_after_permille, row.review_outcome, row_sha256, bundle.bundle_id),
    ).rowcount
    if inserted:
        return None

    (existing_sha256,) = conn.execute(
        "SELECT row_sha256 FROM impact_log WHERE impact_id = ? AND version = ?", (key.item_id, key.version)
    ).fetchone()
    if existing_sha256 == row_sha256:
        return None  # the same row came in an earlier bundle
    return _quarantine(conn, bundle, entry, "impact_conflict", now,
                       f"{label} is already in the impact log with different values; the logged row is unchanged.")


def _quarantine(
    conn: sqlite3.Connection, bundle: Bundle, entry: ManifestEntry, code: str, now: str, reason: str
) -> QuarantinedItem:
    key = entry.key
    conn.execute(
        "INSERT INTO quarantine (bundle_id, item_type, item_id, version, sha256, code, reason, ciphertext,"
        " quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (bundle.bundle_id, key.item_type, key.item_id, key.version, entry.sha256, code, reason,
         bundle.blob(entry), now),
    )
    log.warning("Quarantined %s %s version %s from bundle %s (%s)", key.item_type, key.item_id, key.version,
                bundle.bundle_id, code)
    return QuarantinedItem(key=key, sha256=entry.sha256, code=code, reason=reason)


def _record_rejection(store: CentralStore, bundle_id: str, file_name: str, rejection: BundleRejected,
                      now: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO rejected_bundles (bundle_id, file_name, code, reason, first_seen, last_seen, attempts)"
            " VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (bundle_id) DO UPDATE SET code = excluded.code,"
            " reason = excluded.reason, last_seen = excluded.last_seen,"
            " attempts = rejected_bundles.attempts + 1",
            (bundle_id, file_name, rejection.code, str(rejection), now, now),
        )


def _write_receipt(store: CentralStore, folder: Path, receipt: Receipt) -> None:
    """Write the receipt file unless an identical one is already there."""
    path = folder / receipt.file_name
    if path.exists():
        try:
            if store.fs.read_bytes(path) == receipt.data:
                return
        except OSError:
            pass  # unreadable: write it again below
    ensure_folder(store.fs, folder)
    atomic_write(store.fs, path, receipt.data, description="receipt file")
