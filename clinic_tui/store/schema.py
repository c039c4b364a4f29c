"""Vault schema and its migrations.

Each migration runs once, in order, inside one transaction, and is recorded
in ``schema_migration`` and in ``PRAGMA user_version``. Migrations only add;
a released migration is never edited, so every vault reaches the same schema.

Columns holding names, contacts, UPNs, notes, views or actions are BLOBs
encrypted by ``FieldCipher``; no index covers a plaintext identifier.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _v1_foundation(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE key_slot (
            kind TEXT PRIMARY KEY CHECK (kind IN ('passphrase', 'recovery')),
            params TEXT NOT NULL,
            salt BLOB,
            nonce BLOB,
            wrapped BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            profile TEXT NOT NULL,
            action TEXT NOT NULL,
            record_id TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        CREATE TABLE pupil (
            id TEXT PRIMARY KEY,
            upn_index TEXT NOT NULL UNIQUE,
            identity BLOB NOT NULL,
            details BLOB NOT NULL,
            contacts BLOB NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE mark (
            pupil_id TEXT NOT NULL REFERENCES pupil(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            session TEXT NOT NULL CHECK (session IN ('AM', 'PM')),
            code TEXT NOT NULL,
            PRIMARY KEY (pupil_id, date, session)
        ) WITHOUT ROWID;
        CREATE TABLE note (
            id TEXT PRIMARY KEY,
            pupil_id TEXT REFERENCES pupil(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            author TEXT NOT NULL,
            body BLOB NOT NULL
        );
        CREATE INDEX note_by_pupil ON note (pupil_id, created_at);
        """
    )


def _v2_days_and_records(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE clinic_day (
            id TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            body BLOB NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX clinic_day_by_date ON clinic_day (date);

        CREATE TABLE record (
            id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            kind TEXT NOT NULL CHECK (kind IN ('meeting', 'review')),
            day_id TEXT REFERENCES clinic_day(id),
            slot_id TEXT,
            state TEXT NOT NULL CHECK (state IN ('draft', 'finalised')),
            body BLOB NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finalised_at TEXT,
            PRIMARY KEY (id, version)
        );
        CREATE INDEX record_by_slot ON record (slot_id);
        CREATE INDEX record_by_day ON record (day_id);

        -- A finalised version is evidence: it is never rewritten. A change
        -- after finalising is stored as the next version, with an addendum.
        CREATE TRIGGER record_finalised_is_locked BEFORE UPDATE ON record
        WHEN OLD.state = 'finalised'
        BEGIN SELECT RAISE(ABORT, 'a finalised record cannot be changed; add an addendum'); END;
        """,
    )


def _v3_sync(conn: sqlite3.Connection) -> None:
    # Imported here because the sync package loads HPKE and Ed25519, which
    # listing profiles at start-up does not need.
    from sync.outbox_schema import ensure_schema

    ensure_schema(conn)
    run_script(
        conn,
        """
        -- The profile's enrolment with one central store. ``enrolment`` (which
        -- holds the pseudonymisation key) and ``signing_key`` (the raw Ed25519
        -- private key) are encrypted with the vault's field cipher.
        CREATE TABLE sync_enrolment (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            organisation_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            enrolment BLOB NOT NULL,
            signing_key BLOB NOT NULL,
            enrolled_at TEXT NOT NULL,
            last_sync_at TEXT
        );

        -- The facts of each impact row version, computed when its record was
        -- finalised or its slot marked did-not-attend. ``body`` is encrypted
        -- and holds no pseudonym: that needs the enrolment's key, so it is
        -- computed when the row is sealed.
        CREATE TABLE sync_impact (
            impact_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            source TEXT NOT NULL CHECK (source IN ('record', 'did_not_attend')),
            source_id TEXT NOT NULL,
            source_version INTEGER NOT NULL,
            pupil_id TEXT NOT NULL,
            body BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (impact_id, version)
        );
        CREATE INDEX sync_impact_by_source ON sync_impact (source_id, pupil_id);
        """,
    )


def _v4_invitations_and_contacts(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        -- An invitation holds who decided, their role, the reason and notes,
        -- so its ``body`` is encrypted. ``status`` and ``slot_id`` stay in
        -- plaintext so that open invitations are found without decrypting.
        CREATE TABLE invitation (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('decided', 'scheduled', 'declined', 'withdrawn')),
            slot_id TEXT,
            body BLOB NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE invitation_pupil (
            invitation_id TEXT NOT NULL REFERENCES invitation(id) ON DELETE CASCADE,
            pupil_id TEXT NOT NULL REFERENCES pupil(id) ON DELETE CASCADE,
            PRIMARY KEY (invitation_id, pupil_id)
        ) WITHOUT ROWID;
        CREATE INDEX invitation_pupil_by_pupil ON invitation_pupil (pupil_id);

        -- The contact log. ``body`` (kind, outcome, author and notes) is
        -- encrypted; ``at`` is the contact's UTC time, written so that text
        -- order is time order. An entry is evidence for the chronology, so
        -- it is never rewritten.
        CREATE TABLE contact_log (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            body BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX contact_log_by_time ON contact_log (at);
        CREATE TRIGGER contact_log_no_update BEFORE UPDATE ON contact_log
        BEGIN SELECT RAISE(ABORT, 'a contact log entry cannot be changed; log a new contact instead'); END;
        CREATE TABLE contact_pupil (
            contact_id TEXT NOT NULL REFERENCES contact_log(id) ON DELETE CASCADE,
            pupil_id TEXT NOT NULL REFERENCES pupil(id) ON DELETE CASCADE,
            PRIMARY KEY (contact_id, pupil_id)
        ) WITHOUT ROWID;
        CREATE INDEX contact_pupil_by_pupil ON contact_pupil (pupil_id);
        """,
    )


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` inside the caller's transaction.

    ``executescript`` would commit first, so a failed migration could leave
    half a schema behind; this keeps a migration all-or-nothing.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "profile metadata, key slots, audit log, pupils, marks, notes", _v1_foundation),
    Migration(2, "clinic days and meeting records", _v2_days_and_records),
    Migration(3, "sync outbox, enrolment and impact rows", _v3_sync),
    Migration(4, "invitations with their decisions, and the contact log", _v4_invitations_and_contacts),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


class SchemaTooNew(RuntimeError):
    """A vault written by a newer version of the app."""


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply every migration newer than the vault's version; return those applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so that the
    explicit BEGIN and COMMIT here are the only transaction boundaries.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    newest = migrations[-1].version
    if current > newest:
        raise SchemaTooNew(
            f"this vault has schema version {current}, but this version of clinic day "
            f"knows up to {newest}. Install the newer version of clinic day to open it."
        )

    applied = []
    for migration in migrations:
        if migration.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            conn.execute(
                "INSERT INTO schema_migration (version, description, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.description, _now()),
            )
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(migration.version)
    return applied


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
