"""Recovery of a laptop vault's data key through the central store.

The vault seals its data key to the central recipient key. If the officer
forgets the vault passphrase, an administrator opens the sealed key with
the unlocked central store. The HPKE info binds the organisation and the
profile id, so a sealed key copied to another profile does not open.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hpke

from sync.encoding import require_uuid
from sync.errors import FormatError, InvalidInput
from sync.keys import OpenFailed, open_sealed, recovery_info, seal

# The blob starts with this line so a wrong file is reported as such,
# before any decryption is tried.
MAGIC = b"clinic-day recovery v1\n"
MIN_DATA_KEY = 16
MAX_DATA_KEY = 64


def seal_recovery(data_key: bytes, recipient_public: bytes, *, profile_id: str, organisation_id: str) -> bytes:
    """Seal a vault data key (16 to 64 bytes) to the central recipient key for one profile."""
    if not MIN_DATA_KEY <= len(data_key) <= MAX_DATA_KEY:
        raise InvalidInput(f"A vault data key is {MIN_DATA_KEY} to {MAX_DATA_KEY} bytes, not {len(data_key)}.")
    for name, value in (("profile_id", profile_id), ("organisation_id", organisation_id)):
        require_uuid(value, lambda message, name=name: InvalidInput(f"Recovery: {name} {message}"))
    return MAGIC + seal(data_key, recipient_public, recovery_info(organisation_id, profile_id))


def open_recovery(
    blob: bytes, recipient_private: hpke.MLKEM768X25519PrivateKey, *, profile_id: str, organisation_id: str
) -> bytes:
    """Open a blob made by ``seal_recovery``; raise ``FormatError`` if it is not for this profile and key."""
    if not blob.startswith(MAGIC):
        raise FormatError("The recovery blob does not start with the clinic day recovery header; "
                          "check that it was copied from the vault's recovery field.")
    try:
        return open_sealed(blob[len(MAGIC):], recipient_private, recovery_info(organisation_id, profile_id))
    except OpenFailed:
        raise FormatError(
            f"The recovery blob does not open for profile {profile_id}: it was sealed for another profile "
            "or organisation, or it is damaged."
        ) from None
