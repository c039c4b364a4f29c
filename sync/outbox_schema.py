"""Tables of the laptop outbox and the queries that need only a connection.

The vault's migrations run ``ensure_schema`` (or ``OUTBOX_SCHEMA``) on the
vault database. The tables hold ids, versions, states, hashes, bundle ids,
receipts and times, never plaintext.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sync.bundle import RECORD
from sync.errors import InvalidInput

OUTBOX_STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS sync_outbox_items (
        item_type TEXT NOT NULL CHECK (item_type IN ('record', 'impact')),
        item_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sealed', 'sent', 'acknowledged', 'quarantined')),
        bundle_id TEXT,
        sha256 TEXT,
        reason_code TEXT,
        reason TEXT,
        queued_at TEXT NOT NULL,
        acknowledged_at TEXT,
        PRIMARY KEY (item_type, item_id, version)
    )
    """,
    "CREATE INDEX IF NOT EXISTS sync_outbox_items_state ON sync_outbox_items (state, queued_at)",
    "CREATE INDEX IF NOT EXISTS sync_outbox_items_id ON sync_outbox_items (item_id)",
    """
    CREATE TABLE IF NOT EXISTS sync_outbox_bundles (
        bundle_id TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        organisation_id TEXT NOT NULL,
        signer TEXT NOT NULL,
        device_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('sealed', 'sent', 'acknowledged', 'abandoned')),
        created_at TEXT NOT NULL,
        sent_at TEXT,
        acknowledged_at TEXT,
        files_removed_at TEXT,
        receipt BLOB,
        UNIQUE (profile_id, sequence)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sync_outbox_bundle_items (
        bundle_id TEXT NOT NULL REFERENCES sync_outbox_bundles (bundle_id),
        item_type TEXT NOT NULL,
        item_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (bundle_id, item_type, item_id, version)
    )
    """,
    # The last sequence number used per profile. It only grows, so a
    # sequence is never reused even when its bundle is abandoned.
    """
    CREATE TABLE IF NOT EXISTS sync_outbox_sequence (
        profile_id TEXT PRIMARY KEY,
        last_sequence INTEGER NOT NULL
    )
    """,
)

OUTBOX_SCHEMA = ";\n".join(statement.strip() for statement in OUTBOX_STATEMENTS) + ";\n"

def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """Return ``moment`` in UTC as YYYY-MM-DDTHH:MM:SSZ, which sorts in time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one transaction, or inside the caller's if one is open.

    Joining lets the vault save a record and enqueue it atomically; the
    caller then commits both.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the outbox tables if missing (the vault's migrations call this)."""
    with transaction(conn):
        for statement in OUTBOX_STATEMENTS:
            conn.execute(statement)


def is_frozen(conn: sqlite3.Connection, record_id: str) -> bool:
    """Return whether a version of the record is in a bundle that has no receipt yet."""
    row = conn.execute(
        "SELECT 1 FROM sync_outbox_items WHERE item_type = 'record' AND item_id = ? AND state IN ('sealed', 'sent')"
        " LIMIT 1",
        (record_id,),
    ).fetchone()
    return row is not None


def purgeable(conn: sqlite3.Connection, now: datetime, keep_days: int, *, item_type: str = RECORD
              ) -> list[tuple[str, int]]:
    """Return (id, version) of items acknowledged by a verified receipt more than ``keep_days`` ago.

    Only acknowledged items qualify, and an item becomes acknowledged only
    in ``Outbox.apply_receipt`` after ``verify_receipt`` passes, so nothing
    unsynced is ever returned.
    """
    if keep_days < 0:
        raise InvalidInput(f"keep_days must be 0 or more, not {keep_days}.")
    cutoff = timestamp(now - timedelta(days=keep_days))
    rows = conn.execute(
        "SELECT item_id, version FROM sync_outbox_items WHERE item_type = ? AND state = 'acknowledged'"
        " AND acknowledged_at < ? ORDER BY item_id, version",
        (item_type, cutoff),
    )
    return [(item_id, version) for item_id, version in rows]
