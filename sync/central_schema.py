"""SQL schema of the central store database, its connection settings and row mapping.

The statements stay within SQL that PostgreSQL also runs, apart from BLOB
(BYTEA there). They use no SQLite-only types and no ROWID. Every insert
that may repeat relies on a UNIQUE constraint with ON CONFLICT instead of
a check followed by an insert.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sync.errors import NotFound
from sync.impact import ActionCounts, ImpactRow

SCHEMA_VERSION = 1

STATEMENTS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS store_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    # A laptop profile's signing key. key_id is the SHA-256 of the raw key.
    """
    CREATE TABLE IF NOT EXISTS devices (
        key_id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        public_key BLOB NOT NULL,
        profile_id TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        device_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
        registered_at TEXT NOT NULL,
        approved_at TEXT,
        revoked_at TEXT
    )
    """,
    # One row per accepted bundle. UNIQUE (signer, sequence) is the replay
    # check: a second bundle with a used sequence cannot be inserted.
    """
    CREATE TABLE IF NOT EXISTS bundles (
        bundle_id TEXT PRIMARY KEY,
        signer TEXT NOT NULL REFERENCES devices (key_id),
        sequence BIGINT NOT NULL,
        device_id TEXT NOT NULL,
        profile_id TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        receipt BLOB,
        UNIQUE (signer, sequence)
    )
    """,
    # Sealed record versions: ciphertext only, never plaintext.
    """
    CREATE TABLE IF NOT EXISTS records (
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        schema_version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
        PRIMARY KEY (record_id, version)
    )
    """,
    # The anonymised impact log. Booleans are 0 or 1 and barriers are codes
    # separated by single spaces, so that any SQL engine reads them alike.
    """
    CREATE TABLE IF NOT EXISTS impact_log (
        impact_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        pseudonym TEXT NOT NULL,
        school_urn TEXT NOT NULL,
        year_group TEXT NOT NULL,
        month TEXT NOT NULL,
        mode TEXT NOT NULL,
        attended INTEGER NOT NULL CHECK (attended IN (0, 1)),
        views_captured INTEGER NOT NULL CHECK (views_captured IN (0, 1)),
        barriers TEXT NOT NULL,
        actions_parent_carer INTEGER NOT NULL,
        actions_pupil INTEGER NOT NULL,
        actions_school INTEGER NOT NULL,
        actions_agency INTEGER NOT NULL,
        next_step TEXT NOT NULL,
        attendance_before_permille INTEGER,
        persistent_before INTEGER NOT NULL CHECK (persistent_before IN (0, 1)),
        severe_before INTEGER NOT NULL CHECK (severe_before IN (0, 1)),
        attendance_after_permille INTEGER,
        review_outcome TEXT,
        row_sha256 TEXT NOT NULL,
        bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
        PRIMARY KEY (impact_id, version)
    )
    """,
    # Items kept aside from an accepted bundle, with their ciphertext, so
    # that nothing is lost and nothing already stored is overwritten.
    """
    CREATE TABLE IF NOT EXISTS quarantine (
        bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
        item_type TEXT NOT NULL,
        item_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        quarantined_at TEXT NOT NULL,
        PRIMARY KEY (bundle_id, item_type, item_id, version)
    )
    """,
    # Whole bundles that failed a check. Nothing from them was stored; the
    # file stays where it was found so it can be ingested again once fixed.
    """
    CREATE TABLE IF NOT EXISTS rejected_bundles (
        bundle_id TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        attempts INTEGER NOT NULL
    )
    """,
)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create any missing table and record the schema version, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in STATEMENTS:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO store_meta (name, value) VALUES ('schema_version', ?) ON CONFLICT (name) DO NOTHING",
            (str(SCHEMA_VERSION),),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


IMPACT_COLUMNS = (
    "impact_id, version, pseudonym, school_urn, year_group, month, mode, attended, views_captured, barriers,"
    " actions_parent_carer, actions_pupil, actions_school, actions_agency, next_step, attendance_before_permille,"
    " persistent_before, severe_before, attendance_after_permille, review_outcome"
)


def impact_row_from_sql(row: tuple[Any, ...]) -> ImpactRow:
    """Build an ``ImpactRow`` from a row selected with ``IMPACT_COLUMNS``."""
    (impact_id, version, pseudonym, school_urn, year_group, month, mode, attended, views_captured, barriers,
     parent_carer, pupil, school, agency, next_step, before, persistent, severe, after, outcome) = row
    return ImpactRow(
        impact_id=impact_id, version=version, pseudonym=pseudonym, school_urn=school_urn, year_group=year_group,
        month=month, mode=mode, attended=bool(attended), views_captured=bool(views_captured),
        barriers=tuple(str(barriers).split()),
        actions=ActionCounts(parent_carer=parent_carer, pupil=pupil, school=school, agency=agency),
        next_step=next_step, attendance_before_permille=before, persistent_before=bool(persistent),
        severe_before=bool(severe), attendance_after_permille=after, review_outcome=outcome,
    )


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Open the central database, creating missing tables; with ``create`` false the file must exist."""
    if not create and not path.exists():
        raise NotFound(f"The central database {path} is missing. Restore it from backup; "
                       "do not create a new one in an existing store.")
    # isolation_level=None: transactions are opened explicitly with BEGIN IMMEDIATE.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    # A receipt is written only after the commit that it reports, so the
    # commit must be durable: WAL with synchronous FULL fsyncs every commit.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    create_schema(conn)
    return conn
