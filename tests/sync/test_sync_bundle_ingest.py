"""Building bundles on a laptop and ingesting them into a real central store."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from sync import (
    BundleRejected,
    CentralStore,
    ReceiptRejected,
    RecordVersion,
    StoreLocked,
    build_bundle,
    ingest_bundle,
    read_bundle,
    verify_receipt,
    write_bundle,
)
from sync.receipt import Receipt, make_receipt


def _bundle(template, records, impact_rows=(), *, sequence=1, signer=None):
    return build_bundle(list(records), list(impact_rows), signer=signer or template.signer,
                        device_id=template.device_id, profile_id=template.profile_id,
                        enrolment=template.enrolment, sequence=sequence)


def _record(text: str = "note", version: int = 1, record_id: str | None = None) -> RecordVersion:
    return RecordVersion(record_id or str(uuid.uuid4()), version, 3, "meeting", text.encode())


def _count(store: CentralStore, table: str) -> int:
    return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_bundle_file_is_content_addressed(template, tmp_path):
    bundle = _bundle(template, [_record()])

    path = write_bundle(bundle, tmp_path)

    assert path.name == f"{bundle.bundle_id}.clinicbundle"
    assert read_bundle(path).data == bundle.data
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_ingest_stores_ciphertext_and_opens(template, central, tmp_path):
    records = [_record(f"meeting notes {i}") for i in range(3)]
    bundle = _bundle(template, records)
    path = write_bundle(bundle, tmp_path)

    receipt = ingest_bundle(central, path)

    assert [key.item_id for key, _ in receipt.stored] == [r.record_id for r in records]
    assert receipt.quarantined == ()
    for record in records:
        assert central.open_record(record.record_id) == record.plaintext
    stored = central.conn.execute("SELECT ciphertext FROM records").fetchall()
    assert all(record.plaintext not in bytes(row[0]) for record in records for row in stored)


def test_receipt_written_next_to_bundle(template, central, tmp_path):
    bundle = _bundle(template, [_record()])
    path = write_bundle(bundle, tmp_path)

    receipt = ingest_bundle(central, path)

    receipt_path = tmp_path / f"{bundle.bundle_id}.clinicreceipt"
    assert receipt_path.read_bytes() == receipt.data
    assert verify_receipt(receipt_path.read_bytes(), template.enrolment.receipt_public, bundle).bundle_id == \
        bundle.bundle_id


def test_receipt_written_to_receipt_dir(template, central, tmp_path):
    (tmp_path / "in").mkdir()
    path = write_bundle(_bundle(template, [_record()]), tmp_path / "in")

    receipt = ingest_bundle(central, path, receipt_dir=tmp_path / "out")

    assert (tmp_path / "out" / receipt.file_name).read_bytes() == receipt.data


def test_same_bundle_twice_same_receipt(template, central, tmp_path):
    path = write_bundle(_bundle(template, [_record(), _record()]), tmp_path)
    first = ingest_bundle(central, path)
    (tmp_path / first.file_name).unlink()
    counts = [_count(central, table) for table in ("records", "bundles", "quarantine", "rejected_bundles")]

    second = ingest_bundle(central, path)

    assert second.data == first.data
    assert (tmp_path / first.file_name).read_bytes() == first.data
    assert [_count(central, table) for table in ("records", "bundles", "quarantine", "rejected_bundles")] == counts


def test_replayed_sequence_rejected(template, central, tmp_path):
    ingest_bundle(central, write_bundle(_bundle(template, [_record()], sequence=4), tmp_path))
    replay = write_bundle(_bundle(template, [_record()], sequence=4), tmp_path)

    with pytest.raises(BundleRejected) as caught:
        ingest_bundle(central, replay)

    assert caught.value.code == "replayed_sequence"
    assert "sequence 4" in str(caught.value)
    assert _count(central, "records") == 1
    assert central.rejected_bundles()[0].code == "replayed_sequence"


def test_out_of_order_sequences_accepted(template, central, tmp_path):
    later = write_bundle(_bundle(template, [_record()], sequence=7), tmp_path)
    earlier = write_bundle(_bundle(template, [_record()], sequence=6), tmp_path)

    ingest_bundle(central, later)
    ingest_bundle(central, earlier)

    assert _count(central, "bundles") == 2


def test_conflicting_version_quarantined(template, central, tmp_path):
    record_id = str(uuid.uuid4())
    ingest_bundle(central, write_bundle(_bundle(template, [_record("first", record_id=record_id)], sequence=1),
                                        tmp_path))
    other = _record("other")
    clash = write_bundle(_bundle(template, [_record("second", record_id=record_id), other], sequence=2), tmp_path)

    receipt = ingest_bundle(central, clash)

    assert [key.item_id for key, _ in receipt.stored] == [other.record_id]
    assert [(item.key.item_id, item.code) for item in receipt.quarantined] == [(record_id, "conflict")]
    assert "already stored" in receipt.quarantined[0].reason
    assert central.open_record(record_id) == b"first"
    assert [entry.code for entry in central.quarantined()] == ["conflict"]
    assert verify_receipt(receipt, template.enrolment.receipt_public, read_bundle(clash))


def test_same_ciphertext_in_new_bundle_counts_stored(template, central, tmp_path, kit):
    # A laptop that sends the very same sealed record again, in a bundle with a new sequence.
    first = _bundle(template, [_record()], sequence=1)
    ingest_bundle(central, write_bundle(first, tmp_path))
    again = tmp_path / "again.clinicbundle"
    again.write_bytes(kit.forge_bundle(first, template.signer, manifest_changes={"sequence": 2}))

    receipt = ingest_bundle(central, again)

    assert receipt.stored == ((first.records[0].key, first.records[0].sha256),)
    assert receipt.quarantined == ()
    assert _count(central, "records") == 1
    assert _count(central, "bundles") == 2


def test_later_version_stored_beside_first(template, central, tmp_path):
    record_id = str(uuid.uuid4())
    ingest_bundle(central, write_bundle(_bundle(template, [_record("v1", 1, record_id)], sequence=1), tmp_path))
    ingest_bundle(central, write_bundle(_bundle(template, [_record("v2", 2, record_id)], sequence=2), tmp_path))

    assert central.record_versions(record_id) == [1, 2]
    assert central.open_record(record_id) == b"v2"
    assert central.open_record(record_id, 1) == b"v1"


def test_ingest_needs_unlocked_store(template, central, tmp_path):
    path = write_bundle(_bundle(template, [_record()]), tmp_path)
    central.lock()

    with pytest.raises(StoreLocked, match="Unlock it with the central passphrase"):
        ingest_bundle(central, path)


def test_receipt_from_other_key_rejected(template, other_template, central, tmp_path):
    bundle = _bundle(template, [_record()])
    receipt = ingest_bundle(central, write_bundle(bundle, tmp_path))
    other = CentralStore.open(other_template.path)
    other.unlock("correct horse battery staple")
    forged = make_receipt(bundle, stored=list(receipt.stored), quarantined=[], ingested_at=receipt.ingested_at,
                          signing_key=other.private_keys("test").receipt_signing)
    other.close()

    with pytest.raises(ReceiptRejected, match="not signed by this organisation's central store key"):
        verify_receipt(forged, template.enrolment.receipt_public, bundle)


def test_receipt_for_other_bundle_rejected(template, central, tmp_path):
    first = _bundle(template, [_record()], sequence=1)
    second = _bundle(template, [_record()], sequence=2)
    receipt = ingest_bundle(central, write_bundle(first, tmp_path))

    with pytest.raises(ReceiptRejected, match=f"for bundle {first.bundle_id}, not bundle {second.bundle_id}"):
        verify_receipt(receipt, template.enrolment.receipt_public, second)


def test_receipt_must_account_for_every_item(template, central, tmp_path):
    bundle = _bundle(template, [_record(), _record()])
    receipt = ingest_bundle(central, write_bundle(bundle, tmp_path))
    signing_key = central.private_keys("test").receipt_signing
    short = make_receipt(bundle, stored=list(receipt.stored[:1]), quarantined=[], ingested_at=receipt.ingested_at,
                         signing_key=signing_key)

    with pytest.raises(ReceiptRejected, match="does not account for record"):
        verify_receipt(short, template.enrolment.receipt_public, bundle)


@pytest.mark.parametrize("position", [0, 10, 30, 100, -70, -1])
def test_damaged_receipt_rejected(template, central, tmp_path, position):
    bundle = _bundle(template, [_record()])
    receipt = ingest_bundle(central, write_bundle(bundle, tmp_path))
    damaged = bytearray(receipt.data)
    damaged[position] ^= 0x01

    with pytest.raises(ReceiptRejected):
        verify_receipt(bytes(damaged), template.enrolment.receipt_public, bundle)


def test_receipt_parse_names_field(tmp_path):
    with pytest.raises(Exception, match="not a clinic day receipt"):
        Receipt.parse(b"hello", source=Path("x.clinicreceipt"))


def test_build_rejects_repeated_item(template):
    record = _record()

    with pytest.raises(ValueError, match="listed twice"):
        _bundle(template, [record, record])


def test_build_rejects_empty_bundle(template):
    with pytest.raises(ValueError, match="nothing to seal"):
        _bundle(template, [])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("record_id", "not-a-uuid", "is not a UUID"),
        ("record_id", "5D3C1A1E-1111-4222-8333-444455556666", "lower-case"),
        ("version", 0, "version must be"),
        ("schema_version", 70000, "schema_version must be"),
        ("kind", "Meeting Notes", "kind must be"),
    ],
)
def test_record_version_checks_fields(field, value, message):
    values = {"record_id": str(uuid.uuid4()), "version": 1, "schema_version": 1, "kind": "meeting",
              "plaintext": b"x"}
    values[field] = value

    with pytest.raises(ValueError, match=message):
        RecordVersion(**values)
