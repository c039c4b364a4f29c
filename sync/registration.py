"""Registrations: how a laptop profile introduces its signing key to the central store.

A registration is a small JSON file with the profile's Ed25519 public key
and ids, signed by that key to show that the laptop has the private key. The
central store accepts it as pending; an administrator approves it after
reading the fingerprint aloud with the officer, because the file itself
could have been swapped on its way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.encoding import Fields, b64encode, dumps_canonical, loads_strict, require_uuid
from sync.errors import FormatError, InvalidInput
from sync.keys import ED25519_SIZE, ed25519_public_raw, ed25519_verifies, fingerprint, key_id

FORMAT = "clinic-day registration"
FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"clinic-day registration v1\n"
MAX_PROFILE_NAME = 80


@dataclass(frozen=True)
class Registration:
    """A laptop profile's signing key and ids, as the central store records them."""

    organisation_id: str
    profile_id: str
    profile_name: str
    device_id: str
    signing_public: bytes
    signature: bytes

    @property
    def key_id(self) -> str:
        return key_id(self.signing_public)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public)

    def body(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "organisation_id": self.organisation_id,
            "profile_id": self.profile_id,
            "profile_name": self.profile_name,
            "device_id": self.device_id,
            "signing_public": b64encode(self.signing_public),
        }

    def to_bytes(self) -> bytes:
        """Encode the registration as the JSON file a laptop hands to the central store."""
        document = {"registration": self.body(), "signature": b64encode(self.signature)}
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str | Path = "registration") -> Registration:
        """Parse a registration file and check its self-signature.

        Raises ``FormatError`` naming the file and field for anything wrong.
        """
        outer = Fields(loads_strict(data, description="registration file", source=source), str(source), source)
        outer.expect_keys({"registration", "signature"})
        signature = outer.base64("signature", size=64)

        fields = outer.child("registration")
        fields.expect_keys({"format", "format_version", "organisation_id", "profile_id", "profile_name",
                            "device_id", "signing_public"})
        fields.constant("format", FORMAT)
        fields.integer("format_version", FORMAT_VERSION, FORMAT_VERSION)
        registration = cls(
            organisation_id=fields.uuid("organisation_id"),
            profile_id=fields.uuid("profile_id"),
            profile_name=fields.string("profile_name", max_length=MAX_PROFILE_NAME),
            device_id=fields.uuid("device_id"),
            signing_public=fields.base64("signing_public", size=ED25519_SIZE),
            signature=signature,
        )
        try:
            _check_profile_name(registration.profile_name)
        except InvalidInput as error:
            raise FormatError(f"{source}: {error}", source=source) from None

        if not ed25519_verifies(registration.signing_public, signature, _signed_message(registration.body())):
            raise FormatError(
                f"{source}: the registration signature does not match its key. The file was changed "
                "after the laptop made it; make a new registration on the laptop.",
                source=source,
            )
        return registration


def make_registration(
    signer: ed25519.Ed25519PrivateKey,
    *,
    organisation_id: str,
    profile_id: str,
    profile_name: str,
    device_id: str,
) -> Registration:
    """Build and sign the registration of a laptop profile's signing key."""
    for name, value in (("organisation_id", organisation_id), ("profile_id", profile_id), ("device_id", device_id)):
        require_uuid(value, lambda message, name=name: InvalidInput(f"Registration: {name} {message}"))
    _check_profile_name(profile_name)

    unsigned = Registration(
        organisation_id=organisation_id,
        profile_id=profile_id,
        profile_name=profile_name,
        device_id=device_id,
        signing_public=ed25519_public_raw(signer),
        signature=b"",
    )
    signature = signer.sign(_signed_message(unsigned.body()))
    return Registration(**{**unsigned.__dict__, "signature": signature})


def _signed_message(body: dict[str, object]) -> bytes:
    return SIGNATURE_CONTEXT + dumps_canonical(body)


def _check_profile_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_PROFILE_NAME or not name.isprintable():
        raise InvalidInput(
            f"A profile name must be 1 to {MAX_PROFILE_NAME} printable characters with no line breaks; "
            f"got {len(name)} characters."
        )
