"""Key encodings, HPKE context binding, canonical JSON and manifest parsing."""

from __future__ import annotations

import json
import uuid

import pytest

from sync import FormatError, RecordVersion, build_bundle, parse_bundle
from sync.encoding import dumps_canonical, loads_strict
from sync.keys import (
    SUITE,
    OpenFailed,
    fingerprint,
    generate_recipient_key,
    load_recipient_private,
    normalise_fingerprint,
    open_sealed,
    record_info,
    seal,
)

ORG = "0b7c5d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"
RECORD = "5d3c1a1e-1111-4222-8333-444455556666"


@pytest.fixture(scope="module")
def recipient() -> tuple[bytes, bytes]:
    return generate_recipient_key()


def test_hybrid_key_sizes(recipient):
    private, public = recipient

    assert len(private) == 96
    assert len(public) == 1216


def test_sealed_size_is_enc_plus_tag(recipient):
    _, public = recipient

    sealed = seal(b"x" * 100, public, record_info(ORG, RECORD, 1, 1, "meeting"))

    assert len(sealed) == 1120 + 100 + 16


@pytest.mark.parametrize(
    "other_context",
    [
        (ORG, "5d3c1a1e-1111-4222-8333-444455556667", 1, 1, "meeting"),
        (ORG, RECORD, 2, 1, "meeting"),
        (ORG, RECORD, 1, 2, "meeting"),
        (ORG, RECORD, 1, 1, "plan"),
        ("0b7c5d1e-2f3a-4b5c-8d6e-7f8091a2b3c5", RECORD, 1, 1, "meeting"),
    ],
)
def test_context_bound_in_info(recipient, other_context):
    private, public = recipient
    sealed = seal(b"meeting record", public, record_info(ORG, RECORD, 1, 1, "meeting"))
    key = load_recipient_private(private)

    assert open_sealed(sealed, key, record_info(ORG, RECORD, 1, 1, "meeting")) == b"meeting record"
    with pytest.raises(OpenFailed):
        open_sealed(sealed, key, record_info(*other_context))


def test_other_recipient_cannot_open(recipient):
    _, public = recipient
    other_private, _ = generate_recipient_key()
    info = record_info(ORG, RECORD, 1, 1, "meeting")

    with pytest.raises(OpenFailed):
        open_sealed(seal(b"x", public, info), load_recipient_private(other_private), info)


def test_suite_is_hybrid_post_quantum(recipient):
    private, public = recipient
    info = b"check"

    assert SUITE.decrypt(seal(b"y", public, info), load_recipient_private(private), info=info) == b"y"


def test_fingerprint_groups():
    text = fingerprint(b"\x01" * 32)

    assert len(text) == 29
    assert text.count(" ") == 5
    assert normalise_fingerprint(text.lower().replace(" ", "-")) == text


def test_canonical_json_sorted_compact():
    assert dumps_canonical({"b": 1, "a": ["é"]}) == b'{"a":["\\u00e9"],"b":1}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"a":1,"a":2}', "duplicate key 'a'"),
        (b'{"a":1.5}', "non-integer number 1.5"),
        (b'{"a":NaN}', "constant NaN is not allowed"),
        (b'{"a":1', "not valid JSON at line 1, column 7"),
        (b'{"a":\n  [1,}', "not valid JSON at line 2, column 6"),
        (b"[1]", "must be a JSON object, not list"),
        (b'{"a":"\xff"}', "not valid UTF-8 \\(byte 6\\)"),
    ],
)
def test_strict_json_errors_name_place(text, message):
    with pytest.raises(FormatError, match=message):
        loads_strict(text, description="manifest", source="file.json")


def test_non_canonical_rejected():
    with pytest.raises(FormatError, match="not in canonical JSON form"):
        loads_strict(b'{"b": 1}', description="manifest", source="m", canonical=True)


def _bundle(template):
    record = RecordVersion(str(uuid.uuid4()), 1, 1, "meeting", b"text")
    return build_bundle([record], [], signer=template.signer, device_id=template.device_id,
                        profile_id=template.profile_id, enrolment=template.enrolment, sequence=1)


def test_manifest_unknown_field_rejected(template, kit):
    bundle = _bundle(template)
    forged = kit.forge_bundle(bundle, template.signer, manifest_changes={"created": "2025-03-01"})

    with pytest.raises(FormatError, match="manifest: unknown field 'created'.*newer version"):
        parse_bundle(forged, source="b.clinicbundle")


def test_manifest_entry_errors_name_entry(template, kit):
    bundle = _bundle(template)
    records = json.loads(bundle.manifest_bytes)["records"]
    records[0]["kind"] = "Meeting Notes"
    forged = kit.forge_bundle(bundle, template.signer, manifest_changes={"records": records})

    with pytest.raises(FormatError, match="b.clinicbundle: manifest records entry 1: field 'kind' has an invalid"):
        parse_bundle(forged, source="b.clinicbundle")


def test_manifest_repeated_item_rejected(template, kit):
    bundle = _bundle(template)
    records = json.loads(bundle.manifest_bytes)["records"]
    blob = bundle.blob(bundle.records[0])
    forged = kit.forge_bundle(bundle, template.signer, manifest_changes={"records": records * 2},
                              blobs=[blob, blob])

    with pytest.raises(FormatError, match="manifest records entry 2: repeats record"):
        parse_bundle(forged, source="b.clinicbundle")


def test_manifest_lists_no_plaintext_fields(template):
    bundle = _bundle(template)
    manifest = json.loads(bundle.manifest_bytes)

    assert set(manifest) == {"format_version", "organisation_id", "recipient", "signer", "device_id",
                             "profile_id", "sequence", "records", "impact"}
    assert set(manifest["records"][0]) == {"id", "version", "schema_version", "kind", "sha256", "size"}
