"""The laptop outbox: which record versions and impact rows are sealed, sent and acknowledged.

Each item moves pending -> sealed -> sent -> acknowledged, or to
quarantined when the central store's receipt kept it aside. Each move is
one transaction in the laptop vault's database, through the connection the
vault passes in. The outbox stores only ids, versions, states, hashes,
bundle ids, receipts and times: never plaintext.

A bundle moves sealed -> sent -> acknowledged, or sealed -> abandoned when
its file was never completely written (its items go back to pending).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.bundle import BUNDLE_SUFFIX, IMPACT, RECORD, Bundle, BundleRef, ItemKey, RecordVersion, build_bundle, write_bundle
from sync.encoding import sha256_hex
from sync.enrolment import Enrolment
from sync.errors import FormatError, InvalidInput, ReceiptRejected
from sync.fsio import LOCAL_FS, FileSystem, remove_stale_temp_files, storage_error
from sync.impact import ImpactRow
from sync.outbox_schema import (
    OUTBOX_SCHEMA,
    OUTBOX_STATEMENTS,
    ensure_schema,
    is_frozen,
    purgeable,
    timestamp,
    transaction,
    utc_now,
)
from sync.receipt import Receipt, verify_receipt

__all__ = [
    "OUTBOX_SCHEMA",
    "OUTBOX_STATEMENTS",
    "AppliedReceipt",
    "Loader",
    "Outbox",
    "ensure_schema",
    "is_frozen",
    "purgeable",
    "transaction",
]

# Returns the plaintext item for a key; the vault provides it.
Loader = Callable[[ItemKey], "RecordVersion | ImpactRow"]

@dataclass(frozen=True)
class AppliedReceipt:
    """Changes that applying one receipt made to the outbox."""

    bundle_id: str
    acknowledged: tuple[ItemKey, ...]
    quarantined: tuple[tuple[ItemKey, str, str], ...]
    already_applied: bool = False


class Outbox:
    """The outbox of one laptop profile, on the vault's connection."""

    def __init__(self, conn: sqlite3.Connection, *, profile_id: str, fs: FileSystem = LOCAL_FS,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.conn = conn
        self.profile_id = profile_id
        self.fs = fs
        self.clock = clock

    # Queue

    def enqueue(self, key: ItemKey) -> None:
        """Queue an item version for sealing; queueing it again changes nothing."""
        if key.item_type not in (RECORD, IMPACT):
            raise InvalidInput(f"item_type must be {RECORD!r} or {IMPACT!r}, not {key.item_type!r}.")
        with transaction(self.conn) as conn:
            conn.execute(
                "INSERT INTO sync_outbox_items (item_type, item_id, version, state, queued_at)"
                " VALUES (?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
                (key.item_type, key.item_id, key.version, timestamp(self.clock())),
            )

    def enqueue_record(self, record_id: str, version: int) -> None:
        self.enqueue(ItemKey(RECORD, record_id, version))

    def enqueue_impact(self, impact_id: str, version: int) -> None:
        self.enqueue(ItemKey(IMPACT, impact_id, version))

    def state(self, key: ItemKey) -> str | None:
        row = self.conn.execute(
            "SELECT state FROM sync_outbox_items WHERE item_type = ? AND item_id = ? AND version = ?", tuple(key)
        ).fetchone()
        return row[0] if row else None

    def items(self, state: str) -> list[ItemKey]:
        rows = self.conn.execute(
            "SELECT item_type, item_id, version FROM sync_outbox_items WHERE state = ?"
            " ORDER BY queued_at, item_type, item_id, version",
            (state,),
        )
        return [ItemKey(*row) for row in rows]

    def is_frozen(self, record_id: str) -> bool:
        return is_frozen(self.conn, record_id)

    def purgeable(self, now: datetime, keep_days: int) -> list[tuple[str, int]]:
        return purgeable(self.conn, now, keep_days)

    def quarantined(self) -> list[tuple[ItemKey, str, str]]:
        """Return (item, code, reason) for every item the central store kept aside."""
        rows = self.conn.execute(
            "SELECT item_type, item_id, version, reason_code, reason FROM sync_outbox_items"
            " WHERE state = 'quarantined' ORDER BY item_type, item_id, version"
        )
        return [(ItemKey(t, i, v), code, reason) for t, i, v, code, reason in rows]

    def requeue(self, key: ItemKey) -> None:
        """Move a quarantined item back to pending, to be sealed again in a new bundle."""
        with transaction(self.conn) as conn:
            changed = conn.execute(
                "UPDATE sync_outbox_items SET state = 'pending', bundle_id = NULL, sha256 = NULL"
                " WHERE item_type = ? AND item_id = ? AND version = ? AND state = 'quarantined'",
                tuple(key),
            ).rowcount
        if not changed:
            raise InvalidInput(f"{key.item_type} {key.item_id} version {key.version} is not quarantined.")

    # Bundles

    def seal(
        self,
        load: Loader,
        *,
        signer: ed25519.Ed25519PrivateKey,
        device_id: str,
        enrolment: Enrolment,
        bundle_dir: Path,
        limit: int = 500,
    ) -> Bundle | None:
        """Seal up to ``limit`` pending items into a new bundle and write it to ``bundle_dir``.

        ``load`` returns the plaintext item for a key. The sequence number,
        the bundle and the items' new state are committed in one
        transaction before the file is written, so a sequence is never
        used twice. If the write fails, ``recover`` later abandons the
        bundle and puts its items back to pending. Returns None when
        nothing is pending. Raises ``InvalidInput`` if the connection is in
        a transaction, because the sequence must be committed before the
        file exists.
        """
        if self.conn.in_transaction:
            raise InvalidInput("Sealing needs its own transaction: commit or roll back the vault's open "
                               "transaction first.")
        with transaction(self.conn) as conn:
            keys = [ItemKey(*row) for row in conn.execute(
                "SELECT item_type, item_id, version FROM sync_outbox_items WHERE state = 'pending'"
                " ORDER BY queued_at, item_type, item_id, version LIMIT ?", (limit,))]
            if not keys:
                return None

            records: list[RecordVersion] = []
            impact_rows: list[ImpactRow] = []
            for key in keys:
                item = load(key)
                if isinstance(item, RecordVersion) and key == ItemKey(RECORD, item.record_id, item.version):
                    records.append(item)
                elif isinstance(item, ImpactRow) and key == ItemKey(IMPACT, item.impact_id, item.version):
                    impact_rows.append(item)
                else:
                    raise InvalidInput(f"The loader returned something other than {key.item_type} {key.item_id} "
                                       f"version {key.version}; it must return exactly the item asked for.")

            conn.execute(
                "INSERT INTO sync_outbox_sequence (profile_id, last_sequence) VALUES (?, 1)"
                " ON CONFLICT (profile_id) DO UPDATE SET last_sequence = sync_outbox_sequence.last_sequence + 1",
                (self.profile_id,),
            )
            (sequence,) = conn.execute("SELECT last_sequence FROM sync_outbox_sequence WHERE profile_id = ?",
                                       (self.profile_id,)).fetchone()
            bundle = build_bundle(records, impact_rows, signer=signer, device_id=device_id,
                                  profile_id=self.profile_id, enrolment=enrolment, sequence=sequence)

            conn.execute(
                "INSERT INTO sync_outbox_bundles (bundle_id, profile_id, sequence, organisation_id, signer,"
                " device_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'sealed', ?)",
                (bundle.bundle_id, self.profile_id, sequence, bundle.organisation_id, bundle.signer, device_id,
                 timestamp(self.clock())),
            )
            for entry in bundle.entries:
                conn.execute(
                    "INSERT INTO sync_outbox_bundle_items (bundle_id, item_type, item_id, version, sha256)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (bundle.bundle_id, *entry.key, entry.sha256),
                )
                conn.execute(
                    "UPDATE sync_outbox_items SET state = 'sealed', bundle_id = ?, sha256 = ?, reason_code = NULL,"
                    " reason = NULL WHERE item_type = ? AND item_id = ? AND version = ?",
                    (bundle.bundle_id, entry.sha256, *entry.key),
                )

        write_bundle(bundle, bundle_dir, fs=self.fs)
        return bundle

    def recover(self, bundle_dir: Path) -> list[str]:
        """Abandon sealed bundles whose file is missing or incomplete, and remove leftover temporary files.

        Their items go back to pending, to be sealed again under a new
        sequence. Call it before sending. Returns the abandoned bundle ids.
        """
        remove_stale_temp_files(self.fs, bundle_dir)
        abandoned = []
        for bundle_id in self.bundles("sealed"):
            path = bundle_dir / f"{bundle_id}{BUNDLE_SUFFIX}"
            try:
                intact = path.exists() and sha256_hex(self.fs.read_bytes(path)) == bundle_id
            except OSError as error:
                raise storage_error(error, "read the bundle file", path) from error
            if intact:
                continue

            with transaction(self.conn) as conn:
                conn.execute("UPDATE sync_outbox_bundles SET state = 'abandoned' WHERE bundle_id = ?", (bundle_id,))
                conn.execute(
                    "UPDATE sync_outbox_items SET state = 'pending', bundle_id = NULL, sha256 = NULL"
                    " WHERE bundle_id = ? AND state = 'sealed'",
                    (bundle_id,),
                )
            abandoned.append(bundle_id)
        return abandoned

    def bundles(self, state: str) -> list[str]:
        """Return the ids of this profile's bundles in ``state``, oldest sequence first."""
        rows = self.conn.execute(
            "SELECT bundle_id FROM sync_outbox_bundles WHERE profile_id = ? AND state = ? ORDER BY sequence",
            (self.profile_id, state),
        )
        return [bundle_id for (bundle_id,) in rows]

    def awaiting_receipt(self) -> list[str]:
        return self.bundles("sealed") + self.bundles("sent")

    def mark_sent(self, bundle_id: str) -> None:
        """Record that the transport accepted the bundle."""
        now = timestamp(self.clock())
        with transaction(self.conn) as conn:
            conn.execute("UPDATE sync_outbox_bundles SET state = 'sent', sent_at = ? WHERE bundle_id = ?"
                         " AND state = 'sealed'", (now, bundle_id))
            conn.execute("UPDATE sync_outbox_items SET state = 'sent' WHERE bundle_id = ? AND state = 'sealed'",
                         (bundle_id,))

    def bundle_ref(self, bundle_id: str) -> BundleRef:
        """Return what the outbox recorded of a bundle, for ``verify_receipt``."""
        row = self.conn.execute(
            "SELECT organisation_id, signer, device_id, profile_id, sequence FROM sync_outbox_bundles"
            " WHERE bundle_id = ?", (bundle_id,)
        ).fetchone()
        if row is None:
            raise ReceiptRejected(f"The receipt is for bundle {bundle_id}, which this laptop profile did not make.")
        items = self.conn.execute(
            "SELECT item_type, item_id, version, sha256 FROM sync_outbox_bundle_items WHERE bundle_id = ?",
            (bundle_id,),
        )
        organisation_id, signer, device_id, profile_id, sequence = row
        return BundleRef(bundle_id=bundle_id, organisation_id=organisation_id, signer=signer, device_id=device_id,
                         profile_id=profile_id, sequence=sequence,
                         items=tuple((ItemKey(t, i, v), sha256) for t, i, v, sha256 in items))

    def apply_receipt(self, data: bytes, receipt_public: bytes) -> AppliedReceipt:
        """Verify a receipt and mark the items it lists as acknowledged or quarantined.

        Raises ``ReceiptRejected`` if the receipt is damaged, not signed by
        ``receipt_public``, or not an exact account of the bundle. Applying
        the same receipt again changes nothing.
        """
        try:
            receipt = Receipt.parse(data)
        except FormatError as error:
            raise ReceiptRejected(f"The receipt is damaged: {error}") from error

        ref = self.bundle_ref(receipt.bundle_id)
        verify_receipt(receipt, receipt_public, ref)
        (state,) = self.conn.execute("SELECT state FROM sync_outbox_bundles WHERE bundle_id = ?",
                                     (receipt.bundle_id,)).fetchone()
        if state == "acknowledged":
            return AppliedReceipt(receipt.bundle_id, (), (), already_applied=True)
        if state == "abandoned":
            raise ReceiptRejected(
                f"The receipt is for bundle {receipt.bundle_id}, which this laptop abandoned because its file was "
                "never completely written. Its items were sealed again; ask the administrator to check for "
                "duplicate copies."
            )

        now = timestamp(self.clock())
        with transaction(self.conn) as conn:
            for key, _sha256 in receipt.stored:
                conn.execute(
                    "UPDATE sync_outbox_items SET state = 'acknowledged', acknowledged_at = ?, reason_code = NULL,"
                    " reason = NULL WHERE item_type = ? AND item_id = ? AND version = ? AND bundle_id = ?",
                    (now, *key, receipt.bundle_id),
                )
            for item in receipt.quarantined:
                conn.execute(
                    "UPDATE sync_outbox_items SET state = 'quarantined', reason_code = ?, reason = ?"
                    " WHERE item_type = ? AND item_id = ? AND version = ? AND bundle_id = ?",
                    (item.code, item.reason, *item.key, receipt.bundle_id),
                )
            conn.execute(
                "UPDATE sync_outbox_bundles SET state = 'acknowledged', acknowledged_at = ?, receipt = ?"
                " WHERE bundle_id = ?",
                (now, receipt.data, receipt.bundle_id),
            )
        return AppliedReceipt(
            bundle_id=receipt.bundle_id,
            acknowledged=tuple(key for key, _ in receipt.stored),
            quarantined=tuple((item.key, item.code, item.reason) for item in receipt.quarantined),
        )

    def files_to_remove(self) -> list[str]:
        """Return acknowledged bundles whose files (local and on the transport) are not yet removed."""
        rows = self.conn.execute(
            "SELECT bundle_id FROM sync_outbox_bundles WHERE profile_id = ? AND state = 'acknowledged'"
            " AND files_removed_at IS NULL ORDER BY sequence",
            (self.profile_id,),
        )
        return [bundle_id for (bundle_id,) in rows]

    def mark_files_removed(self, bundle_id: str) -> None:
        with transaction(self.conn) as conn:
            conn.execute("UPDATE sync_outbox_bundles SET files_removed_at = ? WHERE bundle_id = ?",
                         (timestamp(self.clock()), bundle_id))

