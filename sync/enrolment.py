"""Enrolment files: what a laptop needs from the central store, under a one-time code.

The file carries the recipient public key, the receipt verification key,
the organisation's name and id and the pseudonymisation key. The last is a
secret, so the file is encrypted under a key derived with Argon2id from a
random enrolment code that the administrator reads to the officer once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sync.encoding import Fields, b64encode, dumps_canonical, loads_strict
from sync.errors import InvalidInput
from sync.fsio import LOCAL_FS, FileSystem, atomic_write, read_file
from sync.impact import PSEUDONYMISATION_KEY_SIZE
from sync.keys import ED25519_SIZE, RECIPIENT_PUBLIC_SIZE, key_id, load_recipient_public
from sync.passphrase import open_with_secret, seal_with_secret

FILE_FORMAT = "clinic-day enrolment"
CENTRAL_FORMAT_VERSION = 1

# No 0/O, 1/I/L or U/V pairs to confuse when read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_GROUPS = 6
CODE_GROUP_SIZE = 4


@dataclass(frozen=True)
class Enrolment:
    """The central store's public material and the pseudonymisation key, as a laptop stores them.

    ``pseudonymisation_key`` is secret: keep it only in the vault's
    encrypted columns.
    """

    organisation_id: str
    organisation_name: str
    recipient_public: bytes
    receipt_public: bytes
    pseudonymisation_key: bytes
    central_format_version: int = CENTRAL_FORMAT_VERSION

    @property
    def recipient_key_id(self) -> str:
        return key_id(self.recipient_public)

    def to_bytes(self) -> bytes:
        """Encode as canonical JSON, for the vault to store encrypted."""
        return dumps_canonical(
            {
                "central_format_version": self.central_format_version,
                "organisation_id": self.organisation_id,
                "organisation_name": self.organisation_name,
                "recipient_public": b64encode(self.recipient_public),
                "receipt_public": b64encode(self.receipt_public),
                "pseudonymisation_key": b64encode(self.pseudonymisation_key),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str | Path = "enrolment") -> Enrolment:
        """Parse bytes made by ``to_bytes`` and check every field."""
        fields = Fields(loads_strict(data, description="enrolment", source=source), str(source), source)
        fields.expect_keys({"central_format_version", "organisation_id", "organisation_name",
                            "recipient_public", "receipt_public", "pseudonymisation_key"})
        enrolment = cls(
            organisation_id=fields.uuid("organisation_id"),
            organisation_name=fields.string("organisation_name", max_length=200),
            recipient_public=fields.base64("recipient_public", size=RECIPIENT_PUBLIC_SIZE),
            receipt_public=fields.base64("receipt_public", size=ED25519_SIZE),
            pseudonymisation_key=fields.base64("pseudonymisation_key", size=PSEUDONYMISATION_KEY_SIZE),
            central_format_version=fields.integer("central_format_version", CENTRAL_FORMAT_VERSION,
                                                  CENTRAL_FORMAT_VERSION),
        )
        try:
            load_recipient_public(enrolment.recipient_public)
        except InvalidInput as error:
            raise fields.fail(str(error)) from None
        return enrolment


def new_enrolment_code() -> str:
    """Return a random code of 6 groups of 4 characters, about 116 bits."""
    characters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_SIZE))
    return "-".join(
        characters[i : i + CODE_GROUP_SIZE] for i in range(0, len(characters), CODE_GROUP_SIZE)
    )


def normalise_code(code: str) -> str:
    """Return ``code`` in its printed form, accepting any case, spaces and hyphens.

    Raises ``InvalidInput`` naming the first character that cannot be part
    of a code.
    """
    compact = "".join(ch for ch in code.upper() if ch not in " -")
    for position, ch in enumerate(compact, start=1):
        if ch not in CODE_ALPHABET:
            raise InvalidInput(
                f"Character {position} of the enrolment code, {ch!r}, is not used in codes. Codes use the "
                f"letters and digits {CODE_ALPHABET}; check the code with the administrator."
            )
    expected = CODE_GROUPS * CODE_GROUP_SIZE
    if len(compact) != expected:
        raise InvalidInput(
            f"The enrolment code has {len(compact)} letters and digits; it should have {expected} "
            f"({CODE_GROUPS} groups of {CODE_GROUP_SIZE})."
        )
    return "-".join(compact[i : i + CODE_GROUP_SIZE] for i in range(0, expected, CODE_GROUP_SIZE))


def write_enrolment(path: Path, enrolment: Enrolment, *, fs: FileSystem = LOCAL_FS) -> str:
    """Write ``enrolment`` to ``path`` encrypted under a new code, and return the code.

    The code is not stored anywhere: show it to the administrator once.
    """
    code = new_enrolment_code()
    contents = seal_with_secret(enrolment.to_bytes(), code, file_format=FILE_FORMAT)
    atomic_write(fs, path, contents, description="enrolment file")
    return code


def read_enrolment(path: Path, code: str, *, fs: FileSystem = LOCAL_FS) -> Enrolment:
    """Decrypt and check the enrolment file at ``path`` with its code.

    Raises ``WrongSecret`` if the code does not open the file.
    """
    contents = read_file(fs, path, "enrolment file")
    plaintext = open_with_secret(
        contents, normalise_code(code), file_format=FILE_FORMAT, source=path, secret_name="enrolment code"
    )
    return Enrolment.from_bytes(plaintext, source=path)
