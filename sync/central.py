"""The central store: a folder with key files and a SQLite database of ciphertext.

Folder layout (folder mode 0700, files 0600):

    central.json        public material: organisation, public keys
    central-keys.json   private keys, encrypted under the central passphrase
    central.sqlite      devices, bundles, sealed records, impact log, quarantine
    inbox/, receipts/   used by the direct transport

``CentralStore.open`` loads only public material. Ingest, enrolment and
reading records need ``unlock``: ingest signs receipts with the receipt key
and opens impact rows with the recipient key, but never opens a record.
An unattended ingest may keep the store unlocked in memory.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.central_schema import IMPACT_COLUMNS, connect, impact_row_from_sql
from sync.encoding import Fields, loads_strict, require_uuid
from sync.enrolment import CENTRAL_FORMAT_VERSION, Enrolment, write_enrolment
from sync.errors import FormatError, InvalidInput, NotFound, StoreLocked
from sync.fsio import LOCAL_FS, FileSystem, read_file
from sync.impact import PSEUDONYMISATION_KEY_SIZE, ImpactRow
from sync.keys import (
    ED25519_SIZE,
    RECIPIENT_PRIVATE_SIZE,
    RECIPIENT_PUBLIC_SIZE,
    OpenFailed,
    key_id,
    load_recipient_private,
    normalise_fingerprint,
    open_sealed,
    record_info,
    recipient_public_from_private,
)
from sync.passphrase import open_with_secret
from sync.recovery import open_recovery
from sync.registration import Registration

log = logging.getLogger(__name__)

PUBLIC_FILE = "central.json"
KEY_FILE = "central-keys.json"
DATABASE_FILE = "central.sqlite"
INBOX = "inbox"
RECEIPTS = "receipts"

PUBLIC_FORMAT = "clinic-day central store"
KEY_FILE_FORMAT = "clinic-day central keys"
MAX_ORGANISATION_NAME = 120


def utc_timestamp(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) in UTC as YYYY-MM-DDTHH:MM:SSZ."""
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Device:
    """A registered laptop profile signing key and its approval status."""

    key_id: str
    fingerprint: str
    public_key: bytes
    profile_id: str
    profile_name: str
    device_id: str
    status: str
    registered_at: str
    approved_at: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class QuarantineEntry:
    """An item of an accepted bundle that was kept aside; ``code`` is listed in ``sync/FORMAT.md``."""

    bundle_id: str
    item_type: str
    item_id: str
    version: int
    sha256: str
    code: str
    reason: str
    quarantined_at: str


@dataclass(frozen=True)
class RejectedBundle:
    """A bundle file rejected whole; ``attempts`` counts the ingests that rejected it."""

    bundle_id: str
    file_name: str
    code: str
    reason: str
    first_seen: str
    last_seen: str
    attempts: int


@dataclass(frozen=True)
class PrivateKeys:
    """The central private keys, in memory once the store is unlocked."""

    recipient: hpke.MLKEM768X25519PrivateKey
    receipt_signing: ed25519.Ed25519PrivateKey
    pseudonymisation_key: bytes


class CentralStore:
    """An open central store folder. Create one with ``init_central`` or ``CentralStore.open``."""

    def __init__(
        self,
        path: Path,
        *,
        organisation_id: str,
        organisation_name: str,
        recipient_public: bytes,
        receipt_public: bytes,
        conn: sqlite3.Connection,
        fs: FileSystem,
        keys: PrivateKeys | None = None,
    ) -> None:
        self.path = path
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name
        self.recipient_public = recipient_public
        self.receipt_public = receipt_public
        self.recipient_key_id = key_id(recipient_public)
        self.conn = conn
        self.fs = fs
        self._keys = keys

    @classmethod
    def open(cls, path: Path | str, *, fs: FileSystem = LOCAL_FS) -> CentralStore:
        """Open the store at ``path`` with public material only."""
        path = Path(path)
        public_path = path / PUBLIC_FILE
        if not public_path.exists():
            raise NotFound(
                f"{path} is not a central store: {PUBLIC_FILE} is missing. If set-up was interrupted, "
                "delete the folder and create the store again."
            )
        fields = Fields(loads_strict(read_file(fs, public_path, "central store file"), description="central store file",
                                     source=public_path), str(public_path), public_path)
        fields.expect_keys({"format", "format_version", "organisation_id", "organisation_name",
                            "recipient_public", "receipt_public"})
        fields.constant("format", PUBLIC_FORMAT)
        fields.integer("format_version", CENTRAL_FORMAT_VERSION, CENTRAL_FORMAT_VERSION)
        return cls(
            path,
            organisation_id=fields.uuid("organisation_id"),
            organisation_name=fields.string("organisation_name", max_length=MAX_ORGANISATION_NAME),
            recipient_public=fields.base64("recipient_public", size=RECIPIENT_PUBLIC_SIZE),
            receipt_public=fields.base64("receipt_public", size=ED25519_SIZE),
            conn=connect(path / DATABASE_FILE, create=False),
            fs=fs,
        )

    def close(self) -> None:
        self.lock()
        self.conn.close()

    def __enter__(self) -> CentralStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Private keys

    def unlock(self, passphrase: str) -> None:
        """Decrypt the private keys with the central passphrase and keep them in memory.

        Raises ``WrongSecret`` if the passphrase is wrong, and ``FormatError``
        if the key file does not belong to this store's public keys.
        """
        key_path = self.path / KEY_FILE
        plaintext = open_with_secret(read_file(self.fs, key_path, "central key file"), passphrase,
                                     file_format=KEY_FILE_FORMAT, source=key_path, secret_name="central passphrase")
        fields = Fields(loads_strict(plaintext, description="central keys", source=key_path), str(key_path), key_path)
        fields.expect_keys({"organisation_id", "recipient_private", "receipt_signing", "pseudonymisation_key"})
        recipient_raw = fields.base64("recipient_private", size=RECIPIENT_PRIVATE_SIZE)
        signing = ed25519.Ed25519PrivateKey.from_private_bytes(fields.base64("receipt_signing", size=ED25519_SIZE))

        # A key file copied in from another store must not be used with this one.
        if (fields.uuid("organisation_id") != self.organisation_id
                or recipient_public_from_private(recipient_raw) != self.recipient_public
                or signing.public_key().public_bytes_raw() != self.receipt_public):
            raise FormatError(f"{key_path} contains the keys of another central store than {self.path / PUBLIC_FILE}.",
                              source=key_path)
        self._keys = PrivateKeys(
            recipient=load_recipient_private(recipient_raw),
            receipt_signing=signing,
            pseudonymisation_key=fields.base64("pseudonymisation_key", size=PSEUDONYMISATION_KEY_SIZE),
        )

    def unlock_from(self, source: CentralStore) -> None:
        """Unlock with the keys already unlocked in ``source``, without deriving them again.

        ``source`` must be an unlocked store with the same organisation and
        public keys, for example the store object of another thread, which
        needs its own SQLite connection.
        """
        same_store = (source.organisation_id, source.recipient_public, source.receipt_public) == (
            self.organisation_id, self.recipient_public, self.receipt_public)
        if not same_store:
            raise InvalidInput(f"{source.path} is another central store than {self.path}; its keys do not fit.")
        self._keys = source.private_keys("lend its keys")

    def lock(self) -> None:
        self._keys = None

    @property
    def is_unlocked(self) -> bool:
        return self._keys is not None

    def private_keys(self, action: str) -> PrivateKeys:
        """Return the unlocked keys, or raise ``StoreLocked`` naming ``action``."""
        if self._keys is None:
            raise StoreLocked(f"The central store is locked, so it cannot {action}. "
                              "Unlock it with the central passphrase, then try again.")
        return self._keys

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction, committed on success and rolled back on error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # Devices

    def register(self, registration: Registration) -> Device:
        """Record a laptop profile's signing key as pending approval and return it.

        Registering the same key again changes nothing and returns the
        existing device, whatever its status.
        """
        if registration.organisation_id != self.organisation_id:
            raise InvalidInput(
                f"The registration of profile {registration.profile_id} is for organisation "
                f"{registration.organisation_id}, not this store's ({self.organisation_id}). "
                "Enrol the laptop with this store's enrolment file, then register again."
            )
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO devices (key_id, fingerprint, public_key, profile_id, profile_name, device_id, status,"
                " registered_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (key_id) DO NOTHING",
                (registration.key_id, registration.fingerprint, registration.signing_public,
                 registration.profile_id, registration.profile_name, registration.device_id, utc_timestamp()),
            )
        log.info("Registered signing key %s for profile %s", registration.fingerprint, registration.profile_id)
        return self.device(registration.fingerprint)

    def devices(self) -> list[Device]:
        rows = self.conn.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices ORDER BY registered_at, key_id").fetchall()
        return [Device(*row) for row in rows]

    def device(self, fingerprint: str) -> Device:
        """Return the device with this fingerprint (any case, spaces or hyphens)."""
        grouped = normalise_fingerprint(fingerprint)
        row = self.conn.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE fingerprint = ?",
                                (grouped,)).fetchone()
        if row is None:
            raise NotFound(f"No registered device has fingerprint {grouped}. Check it with the officer, "
                           "or register the laptop's profile first.")
        return Device(*row)

    def device_by_key_id(self, signer: str) -> Device | None:
        row = self.conn.execute(f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE key_id = ?", (signer,)).fetchone()
        return Device(*row) if row else None

    def approve(self, fingerprint: str) -> Device:
        """Approve a pending device so that its bundles are accepted. Revoked devices stay revoked."""
        device = self.device(fingerprint)
        if device.status == "revoked":
            raise InvalidInput(f"Device {device.fingerprint} was revoked and cannot be approved again. "
                               "Make a new registration on the laptop and approve that.")
        with self.transaction() as conn:
            conn.execute("UPDATE devices SET status = 'approved', approved_at = ? WHERE key_id = ? AND status = 'pending'",
                         (utc_timestamp(), device.key_id))
        log.info("Approved signing key %s", device.fingerprint)
        return self.device(fingerprint)

    def revoke(self, fingerprint: str) -> Device:
        """Revoke a device: from now on every bundle it signed is rejected, including old ones."""
        device = self.device(fingerprint)
        with self.transaction() as conn:
            conn.execute("UPDATE devices SET status = 'revoked', revoked_at = ? WHERE key_id = ? AND status <> 'revoked'",
                         (utc_timestamp(), device.key_id))
        log.info("Revoked signing key %s", device.fingerprint)
        return self.device(fingerprint)

    # Enrolment and recovery

    def enrolment(self) -> Enrolment:
        keys = self.private_keys("make an enrolment file")
        return Enrolment(
            organisation_id=self.organisation_id,
            organisation_name=self.organisation_name,
            recipient_public=self.recipient_public,
            receipt_public=self.receipt_public,
            pseudonymisation_key=keys.pseudonymisation_key,
        )

    def enrolment_file(self, path: Path | str) -> str:
        """Write an enrolment file for a laptop and return its one-time code (shown once, never stored)."""
        return write_enrolment(Path(path), self.enrolment(), fs=self.fs)

    def open_recovery(self, blob: bytes, profile_id: str) -> bytes:
        """Open a laptop vault's data key sealed by ``seal_recovery`` for ``profile_id``."""
        keys = self.private_keys("open a recovery key")
        return open_recovery(blob, keys.recipient, profile_id=profile_id, organisation_id=self.organisation_id)

    # Reading

    def open_record(self, record_id: str, version: int | None = None) -> bytes:
        """Decrypt one stored record version (the latest if ``version`` is None) for an authorised reader."""
        keys = self.private_keys("open a record")
        require_uuid(record_id, lambda message: InvalidInput(f"record_id {message}"))
        query = "SELECT version, schema_version, kind, ciphertext FROM records WHERE record_id = ?"
        parameters: tuple[object, ...] = (record_id,)
        if version is None:
            query += " ORDER BY version DESC LIMIT 1"
        else:
            query += " AND version = ?"
            parameters += (version,)
        row = self.conn.execute(query, parameters).fetchone()
        if row is None:
            wanted = "version" if version is None else f"version {version}"
            raise NotFound(f"The central store has no {wanted} of record {record_id}.")

        stored_version, schema_version, kind, ciphertext = row
        info = record_info(self.organisation_id, record_id, stored_version, schema_version, kind)
        try:
            return open_sealed(ciphertext, keys.recipient, info)
        except OpenFailed:
            raise FormatError(f"Record {record_id} version {stored_version} does not open with this store's key: "
                              "it was sealed to another key or with other ids.") from None

    def record_versions(self, record_id: str) -> list[int]:
        rows = self.conn.execute("SELECT version FROM records WHERE record_id = ? ORDER BY version", (record_id,))
        return [version for (version,) in rows]

    def quarantined(self) -> list[QuarantineEntry]:
        """Return every quarantined item, oldest first, without its ciphertext."""
        rows = self.conn.execute(
            "SELECT bundle_id, item_type, item_id, version, sha256, code, reason, quarantined_at FROM quarantine"
            " ORDER BY quarantined_at, bundle_id, item_type, item_id, version"
        )
        return [QuarantineEntry(*row) for row in rows]

    def rejected_bundles(self) -> list[RejectedBundle]:
        """Return the bundles rejected whole and not accepted since, most recent first."""
        rows = self.conn.execute(
            "SELECT bundle_id, file_name, code, reason, first_seen, last_seen, attempts FROM rejected_bundles"
            " WHERE bundle_id NOT IN (SELECT bundle_id FROM bundles) ORDER BY last_seen DESC, bundle_id"
        )
        return [RejectedBundle(*row) for row in rows]

    def impact_log(self) -> list[ImpactRow]:
        """Return every impact row version in the log, ordered by row id and version."""
        rows = self.conn.execute(f"SELECT {IMPACT_COLUMNS} FROM impact_log ORDER BY impact_id, version")
        return [impact_row_from_sql(row) for row in rows]

    def stored_receipt(self, bundle_id: str) -> bytes | None:
        row = self.conn.execute("SELECT receipt FROM bundles WHERE bundle_id = ?", (bundle_id,)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None


_DEVICE_COLUMNS = ("key_id, fingerprint, public_key, profile_id, profile_name, device_id, status, registered_at,"
                   " approved_at, revoked_at")
