"""Field encryption and passphrase key derivation for the vault.

Each vault has one random 256-bit data key. Sensitive columns are encrypted
with AES-256-GCM under a subkey of it, with the table, row id and column as
associated data, so a ciphertext copied into another row or column fails to
decrypt instead of showing the wrong pupil's details.

Field ciphertext layout: ``version (1 byte, 0x01) || nonce (12) || ct+tag``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32
NONCE_BYTES = 12
FIELD_FORMAT = 1

# Argon2id floor: 64 MiB of memory. Only iterations are calibrated, upwards.
MIN_MEMORY_KIB = 64 * 1024
LANES = 4


class DecryptionFailed(Exception):
    """A ciphertext that does not open under this key and context."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored next to the salt in each key slot."""

    memory_kib: int = MIN_MEMORY_KIB
    iterations: int = 3
    lanes: int = LANES
    algorithm: str = "argon2id"

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, int | str]) -> KdfParams:
        params = cls(
            memory_kib=int(raw["memory_kib"]),
            iterations=int(raw["iterations"]),
            lanes=int(raw["lanes"]),
            algorithm=str(raw["algorithm"]),
        )
        if params.algorithm != "argon2id":
            raise ValueError(f"unsupported key derivation {params.algorithm!r}")
        return params


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Derive a 256-bit key-encryption key from a passphrase with Argon2id."""
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def calibrate(target_ms: int, memory_kib: int = MIN_MEMORY_KIB) -> KdfParams:
    """Return Argon2id parameters that take about ``target_ms`` on this machine.

    One timed derivation at 2 iterations gives the cost per iteration; the
    result never goes below 2 iterations or 64 MiB.
    """
    probe = KdfParams(memory_kib=max(memory_kib, MIN_MEMORY_KIB), iterations=2)
    start = time.perf_counter()
    derive_key("calibration", os.urandom(16), probe)
    per_iteration = (time.perf_counter() - start) / probe.iterations
    iterations = max(2, round(target_ms / 1000 / per_iteration))
    return KdfParams(memory_kib=probe.memory_kib, iterations=iterations)


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_BYTES)


def wrap_key(key_encryption_key: bytes, data_key: bytes, context: bytes) -> tuple[bytes, bytes]:
    """Encrypt the data key; return ``(nonce, wrapped)``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key_encryption_key).encrypt(nonce, data_key, context)


def unwrap_key(key_encryption_key: bytes, nonce: bytes, wrapped: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key_encryption_key).decrypt(nonce, wrapped, context)
    except InvalidTag:
        raise DecryptionFailed("the key slot does not open with this passphrase") from None


def subkey(data_key: bytes, purpose: str) -> bytes:
    """Derive an independent 256-bit key for one purpose (HKDF-SHA256, RFC 5869)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"clinic-day/{purpose}".encode()
    ).derive(data_key)


class FieldCipher:
    """Encrypt and decrypt single column values bound to their table, row and column."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(subkey(data_key, "fields/v1"))
        self._index_key = subkey(data_key, "blind-index/v1")

    @staticmethod
    def _context(table: str, row_id: str, column: str) -> bytes:
        return b"\x00".join(part.encode("utf-8") for part in (table, row_id, column))

    def encrypt(self, table: str, row_id: str, column: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, self._context(table, row_id, column))
        return bytes([FIELD_FORMAT]) + nonce + sealed

    def decrypt(self, table: str, row_id: str, column: str, blob: bytes) -> bytes:
        if not blob or blob[0] != FIELD_FORMAT:
            raise DecryptionFailed(f"{table}.{column} of row {row_id} has an unknown format")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, self._context(table, row_id, column))
        except InvalidTag:
            raise DecryptionFailed(
                f"{table}.{column} of row {row_id} does not decrypt with this vault's key"
            ) from None

    def blind_index(self, kind: str, value: str) -> str:
        """Return a keyed hash of ``value`` for exact-match look-ups.

        The index lets an import find an existing pupil by UPN without storing
        the UPN in plaintext; without the data key it reveals nothing.
        """
        digest = hmac.new(self._index_key, f"{kind}\x00{value}".encode(), hashlib.sha256)
        return digest.hexdigest()
