"""The vault: one encrypted SQLite file per profile.

A vault file holds its own key slots. The passphrase slot wraps the random
data key under an Argon2id key; the recovery slot (filled in at enrolment)
holds the same data key sealed to the central store's recipient key. Changing
the passphrase rewrites only the passphrase slot, never the data.

SQLite settings, and why:
- WAL journal, so a crash mid-write leaves the last committed state;
- ``secure_delete=ON``, so deleted or overwritten values are zeroed on disk;
- ``temp_store=MEMORY``, so sorts and temporary tables never reach a file;
- ``synchronous=FULL``, because a committed meeting record may be evidence;
- a TRUNCATE checkpoint on lock and close, so the WAL file does not keep
  old pages after the vault is closed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from clinic_tui.paths import PRIVATE_FILE_MODE, VAULT_FILE  # noqa: F401 (re-exported)
from clinic_tui.store import crypto, schema
from clinic_tui.store.audit import AuditLog
from clinic_tui.store.errors import VaultError, WrongPassphrase

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm", "-journal")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    _restrict_files(path)
    return conn


def _restrict_files(path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            os.chmod(candidate, PRIVATE_FILE_MODE)


def _slot_context(kind: str, profile_id: str) -> bytes:
    return f"clinic-day/key-slot/{kind}/{profile_id}".encode()


class Vault:
    """An unlocked vault: the open database and its field cipher."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        data_key: bytes,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.path = path
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self.clock = clock
        self._data_key: bytes | None = data_key
        self.cipher = crypto.FieldCipher(data_key)
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.profile_id: str = meta["profile_id"]
        self.profile_name: str = meta["profile_name"]
        self.device_id: str = meta["device_id"]
        self.audit = AuditLog(conn, crypto.subkey(data_key, "audit/v1"), self.profile_name, clock)

    @property
    def db(self) -> sqlite_utils.Database:
        """The vault's connection wrapped by sqlite-utils, made on first use."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- opening -------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        profile_name: str,
        kdf: crypto.KdfParams,
        device_id: str | None = None,
    ) -> None:
        """Create a new vault file at ``path`` and test that it unlocks.

        The caller creates the file in a staging folder and moves the folder
        into place only after this returns, so a failed creation never leaves
        a half-made profile behind.
        """
        if path.exists():
            raise VaultError(f"{path} already exists; choose another profile name.")
        conn = _connect(path)
        try:
            schema.migrate(conn)
            data_key = crypto.new_data_key()
            profile_id = str(uuid.uuid4())
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("profile_id", profile_id),
                    ("profile_name", profile_name),
                    ("device_id", device_id or str(uuid.uuid4())),
                    ("created_at", _utc_now().isoformat(timespec="seconds")),
                ],
            )
            _write_passphrase_slot(conn, profile_id, data_key, passphrase, kdf)
            AuditLog(conn, crypto.subkey(data_key, "audit/v1"), profile_name).append("profile.create")
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

        # Prove the passphrase opens what was written before anyone relies on it.
        cls.unlock(path, passphrase).close()

    @classmethod
    def unlock(cls, path: Path, passphrase: str, clock: Callable[[], dt.datetime] = _utc_now) -> Vault:
        """Open the vault at ``path`` with ``passphrase``; raise WrongPassphrase if it does not fit."""
        if not path.exists():
            raise VaultError(f"no vault at {path}; create the profile first with `clinic profile create`.")
        conn = _connect(path)
        try:
            schema.migrate(conn)
            profile_id = conn.execute("SELECT value FROM meta WHERE key = 'profile_id'").fetchone()[0]
            row = conn.execute(
                "SELECT params, salt, nonce, wrapped FROM key_slot WHERE kind = 'passphrase'"
            ).fetchone()
            if row is None:
                raise VaultError(f"{path} has no passphrase key slot; restore it from the central store.")
            params = crypto.KdfParams.from_dict(json.loads(row[0]))
            kek = crypto.derive_key(passphrase, row[1], params)
            try:
                data_key = crypto.unwrap_key(kek, row[2], row[3], _slot_context("passphrase", profile_id))
            except crypto.DecryptionFailed:
                raise WrongPassphrase("That passphrase does not unlock this profile.") from None
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, data_key, clock)

    # -- transactions and fields ---------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one IMMEDIATE transaction, or a savepoint when nested."""
        if self.conn.in_transaction:
            name = f"sp_{uuid.uuid4().hex}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
            return

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def seal_json(self, table: str, row_id: str, column: str, value: Any) -> bytes:
        """Encrypt a JSON-serialisable value for one column of one row."""
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.cipher.encrypt(table, row_id, column, plaintext)

    def open_json(self, table: str, row_id: str, column: str, blob: bytes) -> Any:
        return json.loads(self.cipher.decrypt(table, row_id, column, blob))

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- key slots -----------------------------------------------------

    def change_passphrase(self, new_passphrase: str, kdf: crypto.KdfParams) -> None:
        """Re-wrap the data key under a new passphrase; the data is not re-encrypted."""
        with self.transaction():
            _write_passphrase_slot(self.conn, self.profile_id, self._key(), new_passphrase, kdf)
            self.audit.append("profile.passphrase_change")
        self.checkpoint()

    def data_key_for_recovery(self) -> bytes:
        """Return the data key, for sealing a recovery copy to the central store."""
        return self._key()

    def set_recovery_slot(self, sealed: bytes, params: dict[str, Any]) -> None:
        """Store the data key sealed to the central recipient key (made by sync)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO key_slot (kind, params, salt, nonce, wrapped, created_at) "
                "VALUES ('recovery', ?, NULL, NULL, ?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET params = excluded.params, "
                "wrapped = excluded.wrapped, created_at = excluded.created_at",
                (json.dumps(params), sealed, _utc_now().isoformat(timespec="seconds")),
            )
            self.audit.append("profile.recovery_slot")

    def recovery_slot(self) -> tuple[bytes, dict[str, Any]] | None:
        row = self.conn.execute("SELECT wrapped, params FROM key_slot WHERE kind = 'recovery'").fetchone()
        return (row[0], json.loads(row[1])) if row else None

    @classmethod
    def locked_recovery_slot(cls, path: Path) -> tuple[str, bytes, dict[str, Any]] | None:
        """Return the profile id, sealed data key and parameters of a locked vault's recovery slot.

        The slot and the profile id are stored in plaintext, so this needs no
        passphrase. Returns None when the profile was never enrolled.
        """
        if not path.exists():
            raise VaultError(f"no vault at {path}; check the profile name with `clinic profile list`.")
        conn = _connect(path)
        try:
            schema.migrate(conn)
            profile_id = conn.execute("SELECT value FROM meta WHERE key = 'profile_id'").fetchone()[0]
            row = conn.execute("SELECT wrapped, params FROM key_slot WHERE kind = 'recovery'").fetchone()
        finally:
            conn.close()
        return (profile_id, row[0], json.loads(row[1])) if row else None

    @classmethod
    def reset_passphrase(
        cls,
        path: Path,
        data_key: bytes,
        new_passphrase: str,
        kdf: crypto.KdfParams,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> Vault:
        """Open the vault with a data key recovered through the central store and set a new passphrase.

        Only the passphrase slot is rewritten; the data is not re-encrypted.
        Raises ``VaultError`` when the key does not open this vault, which the
        first audit entry shows because its HMAC key is derived from the data
        key. Returns the unlocked vault.
        """
        conn = _connect(path)
        try:
            schema.migrate(conn)
            vault = cls(path, conn, data_key, clock)
            checked, broken = vault.audit.verify()
        except BaseException:
            conn.close()
            raise
        if checked == 0 and broken is not None:
            vault.close()
            raise VaultError(
                f"the recovered key does not open {path}: it belongs to another vault. "
                "Check that the profile name matches the officer's profile."
            )

        with vault.transaction():
            _write_passphrase_slot(conn, vault.profile_id, data_key, new_passphrase, kdf)
            vault.audit.append("profile.passphrase_recover")
        vault.checkpoint()
        return vault

    def _key(self) -> bytes:
        if self._data_key is None:
            raise VaultError("the vault is locked; unlock it again to continue.")
        return self._data_key

    # -- closing -------------------------------------------------------

    def checkpoint(self) -> None:
        """Copy the WAL into the main file and truncate the WAL to zero bytes."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Checkpoint, close the connection and drop the key references.

        NOTE: Python cannot wipe immutable ``bytes``; dropping every reference
        lets the memory be reused, which is the best this runtime offers.
        """
        if self._data_key is None:
            return
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.checkpoint()
        finally:
            self.conn.close()
            self._data_key = None
            self.cipher = None  # type: ignore[assignment]
            self.audit = None  # type: ignore[assignment]
            log.info("vault closed profile_id=%s", self.profile_id)

    @property
    def is_open(self) -> bool:
        return self._data_key is not None


def _write_passphrase_slot(
    conn: sqlite3.Connection, profile_id: str, data_key: bytes, passphrase: str, kdf: crypto.KdfParams
) -> None:
    salt = os.urandom(16)
    kek = crypto.derive_key(passphrase, salt, kdf)
    nonce, wrapped = crypto.wrap_key(kek, data_key, _slot_context("passphrase", profile_id))
    conn.execute(
        "INSERT INTO key_slot (kind, params, salt, nonce, wrapped, created_at) "
        "VALUES ('passphrase', ?, ?, ?, ?, ?) "
        "ON CONFLICT (kind) DO UPDATE SET params = excluded.params, salt = excluded.salt, "
        "nonce = excluded.nonce, wrapped = excluded.wrapped, created_at = excluded.created_at",
        (json.dumps(kdf.to_dict()), salt, nonce, wrapped, _utc_now().isoformat(timespec="seconds")),
    )
