"""The audit log: an append-only, hash-chained record of who did what and when.

Each entry stores the profile, the action, the record id and the time, never
the content. Its hash is an HMAC-SHA256, under a subkey of the vault's data
key, over the previous entry's hash and this entry's fields. Triggers reject
UPDATE and DELETE; someone who bypasses them by editing the file cannot
rebuild a valid chain without the data key, so ``verify`` finds the first
entry that was changed, removed or inserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass
from typing import Callable

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    profile: str
    action: str
    record_id: str | None


@dataclass(frozen=True)
class ChainBreak:
    """The first entry whose link to the one before it does not verify."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def _entry_hash(key: bytes, prev_hash: str, entry: AuditEntry) -> str:
    body = json.dumps(
        [entry.seq, entry.at, entry.profile, entry.action, entry.record_id],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hmac.new(key, f"{prev_hash}\n{body}".encode("ascii"), hashlib.sha256).hexdigest()


class AuditLog:
    """Append to and verify the audit table of one vault."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        key: bytes,
        profile: str,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._conn = conn
        self._key = key
        self._profile = profile
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    def append(self, action: str, record_id: str | None = None) -> AuditEntry:
        """Add one entry. Call inside the transaction that makes the change."""
        last = self._conn.execute(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = self._clock().astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
        entry = AuditEntry(seq, at, self._profile, action, record_id)

        self._conn.execute(
            "INSERT INTO audit (seq, at, profile, action, record_id, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (seq, at, self._profile, action, record_id, prev_hash, _entry_hash(self._key, prev_hash, entry)),
        )
        return entry

    def entries(self) -> list[AuditEntry]:
        rows = self._conn.execute(
            "SELECT seq, at, profile, action, record_id FROM audit ORDER BY seq"
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def verify(self) -> tuple[int, ChainBreak | None]:
        """Check the whole chain; return the entries checked and the first break, if any."""
        expected_seq = 1
        prev_hash = GENESIS
        checked = 0
        rows = self._conn.execute(
            "SELECT seq, at, profile, action, record_id, prev_hash, hash FROM audit ORDER BY seq"
        )
        for seq, at, profile, action, record_id, stored_prev, stored_hash in rows:
            if seq != expected_seq:
                return checked, ChainBreak(
                    expected_seq, f"missing; the next entry present is {seq}"
                )
            if stored_prev != prev_hash:
                return checked, ChainBreak(seq, "does not link to the entry before it")
            entry = AuditEntry(seq, at, profile, action, record_id)
            if not hmac.compare_digest(_entry_hash(self._key, prev_hash, entry), stored_hash):
                return checked, ChainBreak(seq, "was changed after it was written")
            checked += 1
            expected_seq += 1
            prev_hash = stored_hash
        return checked, None
