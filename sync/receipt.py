"""Receipts: the central store's signed statement of what it stored from a bundle.

Layout, like a bundle without sealed items:

    "clinic-day receipt v1\\n"
    body length (4 bytes, big-endian)
    body: canonical JSON
    Ed25519 signature (64 bytes) over "clinic-day receipt signature v1\\n" + body

A record version counts as synced only when a receipt that passes
``verify_receipt`` lists its hash as stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.bundle import IMPACT, MAX_ITEMS, MAX_SEQUENCE, MAX_VERSION, RECORD, Bundle, BundleRef, ItemKey
from sync.encoding import Fields, dumps_canonical, frame_signed, loads_strict, magic_line, split_signed
from sync.errors import FormatError, ReceiptRejected
from sync.keys import ed25519_verifies

MAGIC_PREFIX = b"clinic-day receipt v"
FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"clinic-day receipt signature v1\n"
RECEIPT_SUFFIX = ".clinicreceipt"
MAX_BODY_SIZE = 64 * 1024 * 1024
MAX_REASON_LENGTH = 500

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_CODE = re.compile(r"[a-z][a-z_]{0,39}")
_BODY_KEYS = {"format_version", "organisation_id", "bundle_id", "signer", "device_id", "profile_id", "sequence",
              "ingested_at", "stored", "quarantined"}


@dataclass(frozen=True)
class QuarantinedItem:
    """A sealed item the central store kept aside instead of storing, with a stable code and a reason."""

    key: ItemKey
    sha256: str
    code: str
    reason: str


@dataclass(frozen=True)
class Receipt:
    """A parsed receipt. ``parse`` checks the layout; ``verify_receipt`` checks the signature."""

    data: bytes
    body: bytes
    signature: bytes
    organisation_id: str
    bundle_id: str
    signer: str
    device_id: str
    profile_id: str
    sequence: int
    ingested_at: str
    stored: tuple[tuple[ItemKey, str], ...]
    quarantined: tuple[QuarantinedItem, ...]

    @property
    def file_name(self) -> str:
        return self.bundle_id + RECEIPT_SUFFIX

    @classmethod
    def parse(cls, data: bytes, *, source: str | Path = "receipt") -> Receipt:
        """Parse receipt bytes; raise ``FormatError`` naming the field at fault."""
        body, signature, end = split_signed(
            data, magic_prefix=MAGIC_PREFIX, version=FORMAT_VERSION, description="receipt", source=source,
            max_body=MAX_BODY_SIZE,
        )
        if end != len(data):
            raise FormatError(f"{source}: the receipt has {len(data) - end} unexpected bytes after its signature.",
                              source=source, offset=end)

        fields = Fields(loads_strict(body, description="receipt body", source=source, canonical=True),
                        f"{source}: receipt", source)
        fields.expect_keys(_BODY_KEYS)
        fields.integer("format_version", FORMAT_VERSION, FORMAT_VERSION)

        stored = []
        for position, raw in enumerate(fields.array("stored", max_items=MAX_ITEMS), start=1):
            entry = _entry_fields(raw, f"{source}: receipt stored entry {position}", source)
            entry.expect_keys({"type", "id", "version", "sha256"})
            stored.append((_item_key(entry), entry.sha256("sha256")))

        quarantined = []
        for position, raw in enumerate(fields.array("quarantined", max_items=MAX_ITEMS), start=1):
            entry = _entry_fields(raw, f"{source}: receipt quarantined entry {position}", source)
            entry.expect_keys({"type", "id", "version", "sha256", "code", "reason"})
            quarantined.append(QuarantinedItem(
                key=_item_key(entry),
                sha256=entry.sha256("sha256"),
                code=entry.string("code", pattern=_CODE, max_length=40),
                reason=entry.string("reason", max_length=MAX_REASON_LENGTH),
            ))

        return cls(
            data=data,
            body=body,
            signature=signature,
            organisation_id=fields.uuid("organisation_id"),
            bundle_id=fields.sha256("bundle_id"),
            signer=fields.sha256("signer"),
            device_id=fields.uuid("device_id"),
            profile_id=fields.uuid("profile_id"),
            sequence=fields.integer("sequence", 1, MAX_SEQUENCE),
            ingested_at=fields.string("ingested_at", pattern=_TIMESTAMP, max_length=20),
            stored=tuple(stored),
            quarantined=tuple(quarantined),
        )


def _entry_fields(raw: Any, where: str, source: str | Path) -> Fields:
    if not isinstance(raw, dict):
        raise FormatError(f"{where} must be an object.", source=source)
    return Fields(raw, where, source)


def _item_key(entry: Fields) -> ItemKey:
    item_type = entry.string("type", max_length=10)
    if item_type not in (RECORD, IMPACT):
        raise entry.fail(f"field 'type' must be {RECORD!r} or {IMPACT!r}.")
    return ItemKey(item_type, entry.uuid("id"), entry.integer("version", 1, MAX_VERSION))


def make_receipt(
    bundle: Bundle,
    *,
    stored: list[tuple[ItemKey, str]],
    quarantined: list[QuarantinedItem],
    ingested_at: str,
    signing_key: ed25519.Ed25519PrivateKey,
) -> Receipt:
    """Build and sign the receipt for ``bundle``; ``ingested_at`` is UTC as YYYY-MM-DDTHH:MM:SSZ."""

    def key_json(key: ItemKey, sha256: str) -> dict[str, Any]:
        return {"type": key.item_type, "id": key.item_id, "version": key.version, "sha256": sha256}

    body = dumps_canonical({
        "format_version": FORMAT_VERSION,
        "organisation_id": bundle.organisation_id,
        "bundle_id": bundle.bundle_id,
        "signer": bundle.signer,
        "device_id": bundle.device_id,
        "profile_id": bundle.profile_id,
        "sequence": bundle.sequence,
        "ingested_at": ingested_at,
        "stored": [key_json(key, sha256) for key, sha256 in stored],
        "quarantined": [
            {**key_json(item.key, item.sha256), "code": item.code, "reason": item.reason[:MAX_REASON_LENGTH]}
            for item in quarantined
        ],
    })
    signature = signing_key.sign(SIGNATURE_CONTEXT + body)
    return Receipt.parse(frame_signed(magic_line(MAGIC_PREFIX, FORMAT_VERSION), body, signature),
                         source="new receipt")


def verify_receipt(
    receipt: Receipt | bytes,
    central_receipt_public_key: bytes | ed25519.Ed25519PublicKey,
    bundle: Bundle | BundleRef,
) -> Receipt:
    """Check that ``receipt`` is signed by the central store and accounts for exactly ``bundle``.

    Every item of the bundle must appear once, as stored or quarantined,
    with the hash the bundle lists. Returns the parsed receipt; raises
    ``ReceiptRejected`` saying which check failed.
    """
    if isinstance(receipt, bytes):
        try:
            receipt = Receipt.parse(receipt)
        except FormatError as error:
            raise ReceiptRejected(f"The receipt is damaged: {error}") from error

    public_raw = (central_receipt_public_key.public_bytes_raw()
                  if isinstance(central_receipt_public_key, ed25519.Ed25519PublicKey)
                  else central_receipt_public_key)
    if not ed25519_verifies(public_raw, receipt.signature, SIGNATURE_CONTEXT + receipt.body):
        raise ReceiptRejected(
            f"The receipt for bundle {receipt.bundle_id} is not signed by this organisation's central store key. "
            "Do not treat its records as synced; ask the administrator where it came from."
        )

    ref = bundle.ref if isinstance(bundle, Bundle) else bundle
    if receipt.bundle_id != ref.bundle_id:
        raise ReceiptRejected(f"The receipt is for bundle {receipt.bundle_id}, not bundle {ref.bundle_id}.")
    for name in ("organisation_id", "signer", "device_id", "profile_id", "sequence"):
        if getattr(receipt, name) != getattr(ref, name):
            raise ReceiptRejected(
                f"The receipt for bundle {ref.bundle_id} gives {name} {getattr(receipt, name)!r}, "
                f"but the bundle has {getattr(ref, name)!r}."
            )

    expected = dict(ref.items)
    listed = list(receipt.stored) + [(item.key, item.sha256) for item in receipt.quarantined]
    seen: set[ItemKey] = set()
    for key, sha256 in listed:
        if key in seen:
            raise ReceiptRejected(f"The receipt for bundle {ref.bundle_id} lists {key.item_type} {key.item_id} "
                                  f"version {key.version} twice.")
        seen.add(key)
        if expected.get(key) != sha256:
            raise ReceiptRejected(f"The receipt for bundle {ref.bundle_id} lists {key.item_type} {key.item_id} "
                                  f"version {key.version} with a hash the bundle does not have.")
    missing = [key for key in expected if key not in seen]
    if missing:
        key = missing[0]
        raise ReceiptRejected(f"The receipt for bundle {ref.bundle_id} does not account for {key.item_type} "
                              f"{key.item_id} version {key.version} ({len(missing)} items in all).")
    return receipt
