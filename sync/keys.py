"""Key encodings, HPKE sealing with bound context, fingerprints.

The recipient key is hybrid: ML-KEM-768 with X25519, so a sealed record
stays confidential unless both are broken. That matters for records that
may be harvested now and attacked decades later.

Raw encodings:
- recipient public key: the 1,184-byte ML-KEM-768 public key, then the
  32-byte X25519 public key (1,216 bytes);
- recipient private key: the 64-byte ML-KEM-768 seed, then the 32-byte
  X25519 private key (96 bytes);
- Ed25519 keys: the 32-byte raw form from RFC 8032.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519, mlkem, x25519

from sync.errors import InvalidInput

SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

MLKEM_PUBLIC_SIZE = 1184
MLKEM_SEED_SIZE = 64
X25519_SIZE = 32
RECIPIENT_PUBLIC_SIZE = MLKEM_PUBLIC_SIZE + X25519_SIZE
RECIPIENT_PRIVATE_SIZE = MLKEM_SEED_SIZE + X25519_SIZE
ED25519_SIZE = 32

# Fingerprints show the first 12 bytes (96 bits) of the key's SHA-256, so
# making a second key with the same fingerprint takes about 2**96 hashes.
FINGERPRINT_BYTES = 12

# Each HPKE info string starts with a label naming the use, so a ciphertext
# made for one use (a record) can never be opened as another (a recovery key).
RECORD_LABEL = "clinic-day/record/v1"
IMPACT_LABEL = "clinic-day/impact/v1"
RECOVERY_LABEL = "clinic-day/recovery/v1"


class OpenFailed(Exception):
    """HPKE open failed: wrong key, wrong context, or damaged ciphertext."""


def generate_recipient_key() -> tuple[bytes, bytes]:
    """Generate a recipient key pair and return (private, public) raw bytes."""
    mlkem_key = mlkem.MLKEM768PrivateKey.generate()
    x25519_key = x25519.X25519PrivateKey.generate()
    private = mlkem_key.private_bytes_raw() + x25519_key.private_bytes_raw()
    public = mlkem_key.public_key().public_bytes_raw() + x25519_key.public_key().public_bytes_raw()
    return private, public


def load_recipient_private(raw: bytes) -> hpke.MLKEM768X25519PrivateKey:
    if len(raw) != RECIPIENT_PRIVATE_SIZE:
        raise InvalidInput(f"A recipient private key is {RECIPIENT_PRIVATE_SIZE} bytes, not {len(raw)}.")
    return hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:MLKEM_SEED_SIZE]),
        x25519.X25519PrivateKey.from_private_bytes(raw[MLKEM_SEED_SIZE:]),
    )


@lru_cache(maxsize=8)
def load_recipient_public(raw: bytes) -> hpke.MLKEM768X25519PublicKey:
    if len(raw) != RECIPIENT_PUBLIC_SIZE:
        raise InvalidInput(f"A recipient public key is {RECIPIENT_PUBLIC_SIZE} bytes, not {len(raw)}.")
    try:
        return hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(raw[:MLKEM_PUBLIC_SIZE]),
            x25519.X25519PublicKey.from_public_bytes(raw[MLKEM_PUBLIC_SIZE:]),
        )
    except ValueError as error:
        raise InvalidInput(f"The recipient public key is invalid: {error}.") from error


def recipient_public_from_private(raw: bytes) -> bytes:
    """Return the raw public key that belongs to a raw recipient private key."""
    mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(raw[:MLKEM_SEED_SIZE])
    x25519_key = x25519.X25519PrivateKey.from_private_bytes(raw[MLKEM_SEED_SIZE:])
    return mlkem_key.public_key().public_bytes_raw() + x25519_key.public_key().public_bytes_raw()


def key_id(public_raw: bytes) -> str:
    """Return the SHA-256 of a raw public key in lower-case hex: how formats refer to a key."""
    return hashlib.sha256(public_raw).hexdigest()


def fingerprint(public_raw: bytes) -> str:
    """Return a short fingerprint to read aloud, like ``3F2A 91BC 07DE 44A1 9C0B 7E55``."""
    digest = hashlib.sha256(public_raw).digest()[:FINGERPRINT_BYTES].hex().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def normalise_fingerprint(text: str) -> str:
    """Return ``text`` in the grouped upper-case form, accepting any case, spaces or hyphens.

    Raises ``InvalidInput`` if it is not 24 hexadecimal digits.
    """
    compact = "".join(ch for ch in text if ch not in " -").upper()
    if len(compact) != FINGERPRINT_BYTES * 2 or any(ch not in "0123456789ABCDEF" for ch in compact):
        raise InvalidInput(
            f"A fingerprint is {FINGERPRINT_BYTES * 2} hexadecimal digits, for example "
            f"'3F2A 91BC 07DE 44A1 9C0B 7E55'; got {text!r}."
        )
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def ed25519_public_raw(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey) else key
    return public.public_bytes_raw()


def load_ed25519_public(raw: bytes) -> ed25519.Ed25519PublicKey:
    if len(raw) != ED25519_SIZE:
        raise InvalidInput(f"An Ed25519 public key is {ED25519_SIZE} bytes, not {len(raw)}.")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def ed25519_verifies(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    try:
        load_ed25519_public(public_raw).verify(signature, message)
    except (InvalidSignature, InvalidInput):
        return False
    return True


def record_info(organisation_id: str, record_id: str, version: int, schema_version: int, kind: str) -> bytes:
    """Return the HPKE info for one record version.

    Fields are joined with ``|``, which none of them may contain, so the
    encoding is unambiguous. A ciphertext moved to another record id,
    version, schema version, kind or organisation fails to open.
    """
    return f"{RECORD_LABEL}|{organisation_id}|{record_id}|{version}|{schema_version}|{kind}".encode("ascii")


def impact_info(organisation_id: str, impact_id: str, version: int) -> bytes:
    return f"{IMPACT_LABEL}|{organisation_id}|{impact_id}|{version}".encode("ascii")


def recovery_info(organisation_id: str, profile_id: str) -> bytes:
    return f"{RECOVERY_LABEL}|{organisation_id}|{profile_id}".encode("ascii")


def seal(plaintext: bytes, recipient_public: bytes, info: bytes) -> bytes:
    """Seal ``plaintext`` to the recipient with HPKE base mode and ``info`` bound."""
    return SUITE.encrypt(plaintext, load_recipient_public(recipient_public), info=info)


def open_sealed(ciphertext: bytes, recipient_private: hpke.MLKEM768X25519PrivateKey, info: bytes) -> bytes:
    """Open an HPKE ciphertext; raise ``OpenFailed`` if the key, info or bytes are wrong."""
    try:
        return SUITE.decrypt(ciphertext, recipient_private, info=info)
    except (InvalidTag, ValueError) as error:
        raise OpenFailed(str(error) or type(error).__name__) from error
