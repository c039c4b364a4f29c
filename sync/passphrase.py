"""Files encrypted under a key derived from a passphrase or a one-time code.

The key is derived with Argon2id (RFC 9106) and the file encrypted with
AES-256-GCM. The file is JSON so an administrator can see what it is:

    {"format": "...", "format_version": 1,
     "kdf": {"algorithm": "argon2id", "memory_kib": 65536, "iterations": 3,
             "lanes": 4, "salt": "<base64>"},
     "cipher": "aes-256-gcm", "nonce": "<base64>", "ciphertext": "<base64>"}

Every field except ``ciphertext`` is bound as associated data, so a changed
parameter or format name makes decryption fail instead of being used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from sync.encoding import Fields, b64encode, dumps_canonical, loads_strict
from sync.errors import InvalidInput, WrongSecret

# RFC 9106, section 4, second recommended option: 64 MiB, 3 passes, 4 lanes.
# One derivation took 0.15 s on the 2-core development VM.
DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_ITERATIONS = 3
DEFAULT_LANES = 4

# Bounds accepted when reading a file. The lower memory bound keeps an
# edited file from weakening the derivation, the upper bounds keep a
# damaged one from exhausting memory or time.
MIN_MEMORY_KIB = 64 * 1024
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 16
MAX_LANES = 16

SALT_SIZE = 16
NONCE_SIZE = 12
KEY_SIZE = 32
FORMAT_VERSION = 1


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters; ``memory_kib`` is in kibibytes."""

    salt: bytes
    memory_kib: int = DEFAULT_MEMORY_KIB
    iterations: int = DEFAULT_ITERATIONS
    lanes: int = DEFAULT_LANES

    def derive(self, secret: str) -> bytes:
        kdf = Argon2id(
            salt=self.salt,
            length=KEY_SIZE,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(secret.encode("utf-8"))

    def to_json(self) -> dict[str, object]:
        return {
            "algorithm": "argon2id",
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "lanes": self.lanes,
            "salt": b64encode(self.salt),
        }


def seal_with_secret(plaintext: bytes, secret: str, *, file_format: str) -> bytes:
    """Encrypt ``plaintext`` under ``secret`` and return the file contents.

    Before returning, the result is decrypted again from its own bytes with
    a fresh derivation, so a file that could not be opened is never written.
    """
    params = KdfParams(salt=os.urandom(SALT_SIZE))
    nonce = os.urandom(NONCE_SIZE)
    header: dict[str, object] = {
        "format": file_format,
        "format_version": FORMAT_VERSION,
        "kdf": params.to_json(),
        "cipher": "aes-256-gcm",
        "nonce": b64encode(nonce),
    }
    ciphertext = AESGCM(params.derive(secret)).encrypt(nonce, plaintext, dumps_canonical(header))
    document = json.dumps({**header, "ciphertext": b64encode(ciphertext)}, indent=2, sort_keys=True) + "\n"
    contents = document.encode("ascii")

    if open_with_secret(contents, secret, file_format=file_format, source="(new file)") != plaintext:
        raise RuntimeError("a freshly encrypted key file did not decrypt to its plaintext")
    return contents


def open_with_secret(
    contents: bytes, secret: str, *, file_format: str, source: str | Path, secret_name: str = "passphrase"
) -> bytes:
    """Decrypt a file made by ``seal_with_secret``.

    Raises ``FormatError`` for a damaged or foreign file and ``WrongSecret``
    when ``secret`` does not open it.
    """
    fields = Fields(loads_strict(contents, description=f"{file_format} file", source=source), str(source), source)
    fields.expect_keys({"format", "format_version", "kdf", "cipher", "nonce", "ciphertext"})
    fields.constant("format", file_format)
    fields.integer("format_version", FORMAT_VERSION, FORMAT_VERSION)
    fields.constant("cipher", "aes-256-gcm")
    nonce = fields.base64("nonce", size=NONCE_SIZE)
    ciphertext = fields.base64("ciphertext", max_size=1 << 20)

    kdf = fields.child("kdf")
    kdf.expect_keys({"algorithm", "memory_kib", "iterations", "lanes", "salt"})
    kdf.constant("algorithm", "argon2id")
    params = KdfParams(
        salt=kdf.base64("salt", size=SALT_SIZE),
        memory_kib=kdf.integer("memory_kib", MIN_MEMORY_KIB, MAX_MEMORY_KIB),
        iterations=kdf.integer("iterations", 1, MAX_ITERATIONS),
        lanes=kdf.integer("lanes", 1, MAX_LANES),
    )

    header = {key: value for key, value in fields.obj.items() if key != "ciphertext"}
    try:
        return AESGCM(params.derive(secret)).decrypt(nonce, ciphertext, dumps_canonical(header))
    except InvalidTag:
        raise WrongSecret(
            f"The {secret_name} does not open {source}. Check the {secret_name} and try again; "
            "if it is right, the file is damaged."
        ) from None


def check_passphrase(passphrase: str, *, minimum: int = 12) -> None:
    """Raise ``InvalidInput`` unless ``passphrase`` has at least ``minimum`` characters."""
    if len(passphrase.strip()) < minimum:
        raise InvalidInput(
            f"The central passphrase must have at least {minimum} characters (it has "
            f"{len(passphrase.strip())}). Choose a longer one, for example four unrelated words."
        )
