"""Bundles: sealed record versions and impact rows with a signed manifest.

Layout (all integers big-endian; ``sync/FORMAT.md`` has the full rules):

    "clinic-day bundle v1\\n"
    manifest length (4 bytes)
    manifest: canonical JSON
    Ed25519 signature (64 bytes) over "clinic-day bundle signature v1\\n" + manifest
    sealed records, then sealed impact rows, in manifest order, back to back

The manifest lists every sealed item's id, version, size and SHA-256, so
the signature covers every byte of the file. A bundle's id is the SHA-256
of the whole file, and its file name is that id plus ``.clinicbundle``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric import ed25519

from sync.encoding import (
    Fields,
    dumps_canonical,
    frame_signed,
    loads_strict,
    magic_line,
    require_uuid,
    sha256_hex,
    split_signed,
)
from sync.enrolment import Enrolment
from sync.errors import FormatError, InvalidInput
from sync.fsio import LOCAL_FS, FileSystem, atomic_write, ensure_folder, read_file
from sync.impact import ImpactRow
from sync.keys import ed25519_public_raw, ed25519_verifies, impact_info, key_id, record_info, seal

MAGIC_PREFIX = b"clinic-day bundle v"
FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"clinic-day bundle signature v1\n"
BUNDLE_SUFFIX = ".clinicbundle"

MAX_BUNDLE_SIZE = 256 * 1024 * 1024
MAX_MANIFEST_SIZE = 32 * 1024 * 1024
MAX_ITEMS = 100_000
MAX_ITEM_SIZE = 64 * 1024 * 1024
MAX_VERSION = 2**31 - 1
MAX_SCHEMA_VERSION = 65_535
MAX_SEQUENCE = 2**53

RECORD = "record"
IMPACT = "impact"

_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_RECORD_KEYS = {"id", "version", "schema_version", "kind", "sha256", "size"}
_IMPACT_KEYS = {"id", "version", "sha256", "size"}
_MANIFEST_KEYS = {"format_version", "organisation_id", "recipient", "signer", "device_id", "profile_id",
                  "sequence", "records", "impact"}


class ItemKey(NamedTuple):
    """Identity of one sealed item: ``item_type`` is "record" or "impact"."""

    item_type: str
    item_id: str
    version: int


@dataclass(frozen=True)
class RecordVersion:
    """One version of one record, in plaintext, as the vault hands it over for sealing.

    ``kind`` names the record type in lower case (for example "meeting").
    It is visible in the manifest, so it must be a generic type name.
    """

    record_id: str
    version: int
    schema_version: int
    kind: str
    plaintext: bytes

    def __post_init__(self) -> None:
        where = f"Record {self.record_id!r} version {self.version!r}"
        require_uuid(self.record_id, lambda message: InvalidInput(f"{where}: record_id {message}"))
        if type(self.version) is not int or not 1 <= self.version <= MAX_VERSION:
            raise InvalidInput(f"{where}: version must be a whole number from 1 to {MAX_VERSION}.")
        if type(self.schema_version) is not int or not 1 <= self.schema_version <= MAX_SCHEMA_VERSION:
            raise InvalidInput(f"{where}: schema_version must be a whole number from 1 to {MAX_SCHEMA_VERSION}; "
                               f"got {self.schema_version!r}.")
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise InvalidInput(f"{where}: kind must be 1 to 32 lower-case letters, digits or underscores, "
                               f"starting with a letter; got {self.kind!r}.")
        if not isinstance(self.plaintext, bytes) or len(self.plaintext) > MAX_ITEM_SIZE // 2:
            raise InvalidInput(f"{where}: plaintext must be bytes of at most {MAX_ITEM_SIZE // 2} bytes.")


@dataclass(frozen=True)
class ManifestEntry:
    """One sealed item as the manifest lists it; ``offset`` is its position in the file."""

    key: ItemKey
    sha256: str
    size: int
    offset: int
    schema_version: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class BundleRef:
    """The facts a laptop keeps about a bundle to verify its receipt."""

    bundle_id: str
    organisation_id: str
    signer: str
    device_id: str
    profile_id: str
    sequence: int
    items: tuple[tuple[ItemKey, str], ...]


@dataclass(frozen=True)
class Bundle:
    """A parsed bundle file. Parsing checks the layout, not the signature."""

    data: bytes
    bundle_id: str
    manifest_bytes: bytes
    signature: bytes
    organisation_id: str
    recipient: str
    signer: str
    device_id: str
    profile_id: str
    sequence: int
    records: tuple[ManifestEntry, ...]
    impact: tuple[ManifestEntry, ...]

    @property
    def file_name(self) -> str:
        return self.bundle_id + BUNDLE_SUFFIX

    @property
    def entries(self) -> tuple[ManifestEntry, ...]:
        return self.records + self.impact

    @property
    def ref(self) -> BundleRef:
        return BundleRef(
            bundle_id=self.bundle_id,
            organisation_id=self.organisation_id,
            signer=self.signer,
            device_id=self.device_id,
            profile_id=self.profile_id,
            sequence=self.sequence,
            items=tuple((entry.key, entry.sha256) for entry in self.entries),
        )

    def blob(self, entry: ManifestEntry) -> bytes:
        return self.data[entry.offset : entry.offset + entry.size]

    def signature_valid(self, signer_public: bytes) -> bool:
        """Return whether the manifest signature verifies under ``signer_public``."""
        return key_id(signer_public) == self.signer and ed25519_verifies(
            signer_public, self.signature, SIGNATURE_CONTEXT + self.manifest_bytes
        )

    def first_damaged_entry(self) -> tuple[int, ManifestEntry] | None:
        """Return the position and entry of the first sealed item whose SHA-256 is not as listed."""
        for position, entry in enumerate(self.entries, start=1):
            if sha256_hex(memoryview(self.data)[entry.offset : entry.offset + entry.size]) != entry.sha256:
                return position, entry
        return None


def build_bundle(
    records: list[RecordVersion],
    impact_rows: list[ImpactRow],
    *,
    signer: ed25519.Ed25519PrivateKey,
    device_id: str,
    profile_id: str,
    enrolment: Enrolment,
    sequence: int,
) -> Bundle:
    """Seal every record version and impact row to the central key and sign the manifest.

    Raises ``InvalidInput`` for an empty bundle, a repeated item, a bad id
    or a sequence outside 1 to 2**53.
    """
    for name, value in (("device_id", device_id), ("profile_id", profile_id)):
        require_uuid(value, lambda message, name=name: InvalidInput(f"Bundle: {name} {message}"))
    if type(sequence) is not int or not 1 <= sequence <= MAX_SEQUENCE:
        raise InvalidInput(f"Bundle: sequence must be a whole number from 1 to {MAX_SEQUENCE}; got {sequence!r}.")
    if not records and not impact_rows:
        raise InvalidInput("Bundle: there is nothing to seal; give at least one record version or impact row.")
    if len(records) + len(impact_rows) > MAX_ITEMS:
        raise InvalidInput(f"Bundle: at most {MAX_ITEMS} items fit in one bundle; split them.")
    _reject_repeats([(RECORD, r.record_id, r.version) for r in records]
                    + [(IMPACT, row.impact_id, row.version) for row in impact_rows])

    organisation = enrolment.organisation_id
    blobs: list[bytes] = []
    record_entries: list[dict[str, Any]] = []
    for record in records:
        info = record_info(organisation, record.record_id, record.version, record.schema_version, record.kind)
        blob = seal(record.plaintext, enrolment.recipient_public, info)
        blobs.append(blob)
        record_entries.append({"id": record.record_id, "version": record.version,
                               "schema_version": record.schema_version, "kind": record.kind,
                               "sha256": sha256_hex(blob), "size": len(blob)})

    impact_entries: list[dict[str, Any]] = []
    for row in impact_rows:
        blob = seal(row.to_bytes(), enrolment.recipient_public, impact_info(organisation, row.impact_id, row.version))
        blobs.append(blob)
        impact_entries.append({"id": row.impact_id, "version": row.version,
                               "sha256": sha256_hex(blob), "size": len(blob)})

    manifest = {
        "format_version": FORMAT_VERSION,
        "organisation_id": organisation,
        "recipient": enrolment.recipient_key_id,
        "signer": key_id(ed25519_public_raw(signer)),
        "device_id": device_id,
        "profile_id": profile_id,
        "sequence": sequence,
        "records": record_entries,
        "impact": impact_entries,
    }
    manifest_bytes = dumps_canonical(manifest)
    signature = signer.sign(SIGNATURE_CONTEXT + manifest_bytes)
    data = frame_signed(magic_line(MAGIC_PREFIX, FORMAT_VERSION), manifest_bytes, signature) + b"".join(blobs)

    # Parse what was built, so a bundle object always matches its bytes.
    return parse_bundle(data, source="new bundle")


def _reject_repeats(keys: list[tuple[str, str, int]]) -> None:
    seen: set[tuple[str, str, int]] = set()
    for key in keys:
        if key in seen:
            raise InvalidInput(f"Bundle: {key[0]} {key[1]} version {key[2]} is listed twice; seal each once.")
        seen.add(key)


def write_bundle(bundle: Bundle, folder: Path, *, fs: FileSystem = LOCAL_FS) -> Path:
    """Write ``bundle`` into ``folder`` (created if missing) under its content-addressed name, atomically."""
    ensure_folder(fs, folder)
    path = folder / bundle.file_name
    atomic_write(fs, path, bundle.data, description="bundle file")
    return path


def read_bundle(path: Path, *, fs: FileSystem = LOCAL_FS) -> Bundle:
    """Read and parse the bundle file at ``path`` (layout checks only, no signature check)."""
    return parse_bundle(read_file(fs, path, "bundle file"), source=path)


def parse_bundle(data: bytes, *, source: str | Path) -> Bundle:
    """Parse bundle bytes, checking the header, the manifest fields and the total length.

    Raises ``FormatError`` naming ``source``, the field or byte offset, and
    the value at fault. Signatures and item hashes are checked separately
    by the ingest, in the order ``sync/FORMAT.md`` gives.
    """
    if len(data) > MAX_BUNDLE_SIZE:
        raise FormatError(f"{source}: the bundle is {len(data)} bytes, more than the limit of {MAX_BUNDLE_SIZE}.",
                          source=source)
    manifest_bytes, signature, offset = split_signed(
        data, magic_prefix=MAGIC_PREFIX, version=FORMAT_VERSION, description="bundle", source=source,
        max_body=MAX_MANIFEST_SIZE,
    )

    fields = Fields(loads_strict(manifest_bytes, description="bundle manifest", source=source, canonical=True),
                    f"{source}: manifest", source)
    fields.expect_keys(_MANIFEST_KEYS)
    fields.integer("format_version", FORMAT_VERSION, FORMAT_VERSION)
    raw_records = fields.array("records", max_items=MAX_ITEMS)
    raw_impact = fields.array("impact", max_items=MAX_ITEMS)
    if not raw_records and not raw_impact:
        raise fields.fail("lists no records and no impact rows.")

    records, offset = _parse_entries(raw_records, RECORD, offset, source)
    impact, offset = _parse_entries(raw_impact, IMPACT, offset, source)

    if offset > len(data):
        raise FormatError(
            f"{source}: the bundle is truncated: it has {len(data)} bytes but its manifest lists sealed items "
            f"up to byte {offset}. Copy the bundle again from the laptop.",
            source=source, offset=len(data),
        )
    if offset < len(data):
        raise FormatError(
            f"{source}: the bundle has {len(data) - offset} unexpected bytes after its last sealed item "
            f"(from byte {offset}). Copy the bundle again from the laptop.",
            source=source, offset=offset,
        )

    return Bundle(
        data=data,
        bundle_id=sha256_hex(data),
        manifest_bytes=manifest_bytes,
        signature=signature,
        organisation_id=fields.uuid("organisation_id"),
        recipient=fields.sha256("recipient"),
        signer=fields.sha256("signer"),
        device_id=fields.uuid("device_id"),
        profile_id=fields.uuid("profile_id"),
        sequence=fields.integer("sequence", 1, MAX_SEQUENCE),
        records=records,
        impact=impact,
    )


def _parse_entries(
    raw_entries: list[Any], item_type: str, offset: int, source: str | Path
) -> tuple[tuple[ManifestEntry, ...], int]:
    label = "records" if item_type == RECORD else "impact"
    entries: list[ManifestEntry] = []
    seen: set[ItemKey] = set()

    for position, raw in enumerate(raw_entries, start=1):
        where = f"{source}: manifest {label} entry {position}"
        if not isinstance(raw, dict):
            raise FormatError(f"{where} must be an object.", source=source)
        fields = Fields(raw, where, source)
        fields.expect_keys(_RECORD_KEYS if item_type == RECORD else _IMPACT_KEYS)

        key = ItemKey(item_type, fields.uuid("id"), fields.integer("version", 1, MAX_VERSION))
        if key in seen:
            raise fields.fail(f"repeats {item_type} {key.item_id} version {key.version}.")
        seen.add(key)

        size = fields.integer("size", 1, MAX_ITEM_SIZE)
        entry = ManifestEntry(
            key=key,
            sha256=fields.sha256("sha256"),
            size=size,
            offset=offset,
            schema_version=fields.integer("schema_version", 1, MAX_SCHEMA_VERSION) if item_type == RECORD else None,
            kind=fields.string("kind", pattern=_KIND, max_length=32) if item_type == RECORD else None,
        )
        entries.append(entry)
        offset += size

    return tuple(entries), offset
