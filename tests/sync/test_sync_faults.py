"""Damaged, forged and misdirected bundles, and failing disks.

Each bad bundle must be rejected with a reason that names the fault, store
nothing, and leave the other bundles in a folder to be ingested.
"""

from __future__ import annotations

import errno
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from sync import (
    BundleRejected,
    CentralStore,
    RecordVersion,
    StorageError,
    build_bundle,
    ingest_bundle,
    ingest_folder,
    make_registration,
    write_bundle,
)

NOTHING_STORED_TABLES = ("records", "bundles", "quarantine", "impact_log")


def _bundle(template, count=2, *, sequence=1, signer=None, enrolment=None, profile_id=None, device_id=None):
    records = [RecordVersion(str(uuid.uuid4()), 1, 1, "meeting", f"record {i} of a bundle".encode())
               for i in range(count)]
    return build_bundle(records, [], signer=signer or template.signer,
                        device_id=device_id or template.device_id, profile_id=profile_id or template.profile_id,
                        enrolment=enrolment or template.enrolment, sequence=sequence)


def _stored_counts(store: CentralStore) -> list[int]:
    return [store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in NOTHING_STORED_TABLES]


def _reject(store: CentralStore, path: Path, data: bytes) -> BundleRejected:
    path.write_bytes(data)
    with pytest.raises(BundleRejected) as caught:
        ingest_bundle(store, path)
    return caught.value


def _header_end(bundle) -> int:
    return len(bundle.data) - sum(entry.size for entry in bundle.entries)


def test_truncated_bundle_rejected_everywhere(template, central, tmp_path):
    bundle = _bundle(template)
    header_end = _header_end(bundle)
    cuts = sorted({0, 1, 5, 20, 21, 24, 25, 100, header_end - 65, header_end - 1, header_end, header_end + 1,
                   header_end + 500, len(bundle.data) - 100, len(bundle.data) - 1})

    for cut in cuts:
        rejection = _reject(central, tmp_path / f"cut{cut}.clinicbundle", bundle.data[:cut])

        assert rejection.code == "malformed", cut
        if cut >= 25:
            assert "truncated" in str(rejection), (cut, str(rejection))
    assert _stored_counts(central) == [0, 0, 0, 0]


def test_truncated_message_names_file_and_fix(template, central, tmp_path):
    bundle = _bundle(template)

    rejection = _reject(central, tmp_path / "short.clinicbundle", bundle.data[:-10])

    assert str(rejection).startswith("short.clinicbundle: the bundle is truncated")
    assert f"it has {len(bundle.data) - 10} bytes" in str(rejection)
    assert "Copy the bundle again from the laptop" in str(rejection)


def test_flipped_bit_rejected_at_many_positions(template, central, tmp_path):
    bundle = _bundle(template)
    header_end = _header_end(bundle)
    # Every byte of the header, manifest and signature; every 23rd byte of the sealed items.
    positions = list(range(header_end)) + list(range(header_end, len(bundle.data), 23)) + [len(bundle.data) - 1]
    path = tmp_path / "flipped.clinicbundle"
    codes: set[str] = set()

    for position in positions:
        damaged = bytearray(bundle.data)
        damaged[position] ^= 1 << (position % 8)

        rejection = _reject(central, path, bytes(damaged))

        codes.add(rejection.code)
    assert _stored_counts(central) == [0, 0, 0, 0]
    assert {"malformed", "bad_signature", "damaged_item"} <= codes
    assert codes <= {"malformed", "bad_signature", "damaged_item", "unknown_signer", "wrong_organisation",
                     "wrong_recipient", "signer_mismatch"}

    intact = write_bundle(bundle, tmp_path)
    assert len(ingest_bundle(central, intact).stored) == 2


def test_flipped_bit_in_item_names_item(template, central, tmp_path):
    bundle = _bundle(template)
    damaged = bytearray(bundle.data)
    second = bundle.records[1]
    damaged[second.offset + 40] ^= 0x10

    rejection = _reject(central, tmp_path / "x.clinicbundle", bytes(damaged))

    assert rejection.code == "damaged_item"
    assert f"Sealed item 2 of x.clinicbundle (record {second.key.item_id} version 1)" in str(rejection)


def test_flipped_bit_in_manifest_fails_signature(template, central, tmp_path):
    bundle = _bundle(template)
    damaged = bytearray(bundle.data)
    # Sequence 1 becomes 3: still a valid manifest, but not the one that was signed.
    index = bundle.data.index(b'"sequence":1') + len(b'"sequence":')
    damaged[index] = ord("3")

    rejection = _reject(central, tmp_path / "x.clinicbundle", bytes(damaged))

    assert rejection.code == "bad_signature"
    assert "changed after the laptop signed it" in str(rejection)


def test_reordered_records_rejected(template, central, tmp_path):
    bundle = _bundle(template, 3)
    blobs = [bundle.blob(entry) for entry in bundle.entries]
    assert len({len(blob) for blob in blobs}) == 1
    header = bundle.data[: _header_end(bundle)]

    rejection = _reject(central, tmp_path / "swap.clinicbundle", header + blobs[1] + blobs[0] + blobs[2])

    assert rejection.code == "damaged_item"
    assert "reordered" in str(rejection)
    assert _stored_counts(central) == [0, 0, 0, 0]


def test_missing_record_rejected(template, central, tmp_path):
    bundle = _bundle(template, 3)
    blobs = [bundle.blob(entry) for entry in bundle.entries]
    header = bundle.data[: _header_end(bundle)]

    rejection = _reject(central, tmp_path / "gap.clinicbundle", header + blobs[0] + blobs[2])

    assert rejection.code == "malformed"
    assert "truncated" in str(rejection)


def test_trailing_bytes_rejected(template, central, tmp_path):
    bundle = _bundle(template)

    rejection = _reject(central, tmp_path / "long.clinicbundle", bundle.data + b"\0")

    assert rejection.code == "malformed"
    assert "1 unexpected bytes after its last sealed item" in str(rejection)


def test_newer_version_asks_for_update(template, central, tmp_path):
    bundle = _bundle(template)

    rejection = _reject(central, tmp_path / "v2.clinicbundle", bundle.data.replace(b"bundle v1\n", b"bundle v2\n", 1))

    assert "version 2 bundle" in str(rejection)
    assert "Update clinic day" in str(rejection)


def test_bundle_for_other_organisation_rejected(other_template, central, tmp_path):
    bundle = _bundle(other_template)

    rejection = _reject(central, tmp_path / "other.clinicbundle", bundle.data)

    assert rejection.code == "wrong_organisation"
    assert other_template.enrolment.organisation_id in str(rejection)
    assert "Northshire Education Welfare Service" in str(rejection)


def test_bundle_sealed_to_other_key_rejected(template, other_template, central, tmp_path, kit):
    # Our signer, our organisation id in the manifest, but sealed to another organisation's key.
    bundle = _bundle(template, enrolment=other_template.enrolment)
    forged = kit.forge_bundle(bundle, template.signer,
                              manifest_changes={"organisation_id": template.enrolment.organisation_id})

    rejection = _reject(central, tmp_path / "key.clinicbundle", forged)

    assert rejection.code == "wrong_recipient"
    assert "could never be opened here" in str(rejection)


def test_unknown_signer_rejected(template, central, tmp_path):
    stranger = ed25519.Ed25519PrivateKey.generate()

    rejection = _reject(central, tmp_path / "u.clinicbundle", _bundle(template, signer=stranger).data)

    assert rejection.code == "unknown_signer"
    assert "Register the laptop profile" in str(rejection)


def test_unapproved_signer_accepted_after_approval(template, central, tmp_path):
    signer = ed25519.Ed25519PrivateKey.generate()
    profile_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
    device = central.register(make_registration(signer, organisation_id=central.organisation_id,
                                                profile_id=profile_id, profile_name="EWO laptop 2",
                                                device_id=device_id))
    bundle = _bundle(template, signer=signer, profile_id=profile_id, device_id=device_id)
    path = tmp_path / bundle.file_name

    rejection = _reject(central, path, bundle.data)
    assert rejection.code == "unapproved_signer"
    assert device.fingerprint in str(rejection)

    central.approve(device.fingerprint)
    assert len(ingest_bundle(central, path).stored) == 2
    assert central.rejected_bundles() == []


def test_revoked_signer_rejected(template, central, tmp_path):
    central.revoke(central.devices()[0].fingerprint)

    rejection = _reject(central, tmp_path / "r.clinicbundle", _bundle(template).data)

    assert rejection.code == "revoked_signer"
    assert "was revoked on" in str(rejection)


def test_signer_with_other_profile_rejected(template, central, tmp_path):
    bundle = _bundle(template, profile_id=str(uuid.uuid4()))

    rejection = _reject(central, tmp_path / "p.clinicbundle", bundle.data)

    assert rejection.code == "signer_mismatch"


def test_folder_ingests_good_bundles_past_bad_ones(template, other_template, central, tmp_path, kit):
    folder = tmp_path / "stick"
    folder.mkdir()
    good = [_bundle(template, sequence=n) for n in (1, 2, 3)]
    for bundle in good:
        write_bundle(bundle, folder)
    truncated = _bundle(template, sequence=4)
    (folder / "a-truncated.clinicbundle").write_bytes(truncated.data[:-1])
    flipped = bytearray(_bundle(template, sequence=5).data)
    flipped[-30] ^= 4
    (folder / "b-flipped.clinicbundle").write_bytes(bytes(flipped))
    replay = _bundle(template, sequence=2)
    (folder / "zz-replay.clinicbundle").write_bytes(replay.data)
    write_bundle(_bundle(other_template, sequence=1), folder)
    write_bundle(_bundle(template, signer=ed25519.Ed25519PrivateKey.generate(), sequence=1), folder)
    (folder / ".unfinished.clinicbundle.abc.tmp").write_bytes(b"partial")

    result = ingest_folder(central, folder)

    assert sorted(path.name for path, _ in result.receipts) == sorted(bundle.file_name for bundle in good)
    assert sorted(rejection.code for rejection in result.rejected) == sorted(
        ["malformed", "damaged_item", "replayed_sequence", "wrong_organisation", "unknown_signer"])
    assert _stored_counts(central)[:2] == [6, 3]
    assert not result.ok
    assert "3 bundles accepted with 6 items stored, 0 items quarantined, 5 bundles rejected." in result.summary()
    assert len(central.rejected_bundles()) == 5


def test_rejections_counted_per_attempt(template, central, tmp_path):
    path = tmp_path / "t.clinicbundle"
    path.write_bytes(_bundle(template).data[:-3])

    for _ in range(3):
        with pytest.raises(BundleRejected):
            ingest_bundle(central, path)

    (rejected,) = central.rejected_bundles()
    assert rejected.attempts == 3
    assert rejected.file_name == "t.clinicbundle"


def test_disk_full_writing_receipt(template, central, tmp_path, kit):
    folder = tmp_path / "stick"
    folder.mkdir()
    path = write_bundle(_bundle(template), folder)
    central.fs = kit.FaultyFS(fail_at=1, mode=errno.ENOSPC, fail_ops=("write",))

    with pytest.raises(StorageError) as caught:
        ingest_bundle(central, path)

    message = str(caught.value)
    assert message.startswith("Could not write (write step) the receipt file ")
    assert "No space left on device" in message
    assert "Free some space on that drive" in message
    assert [p.name for p in folder.iterdir()] == [path.name]

    central.fs = kit.FaultyFS()
    receipt = ingest_bundle(central, path)
    assert (folder / receipt.file_name).read_bytes() == receipt.data
    assert len(receipt.stored) == 2


def test_unreadable_bundle_reported(template, central, tmp_path, kit):
    folder = tmp_path / "stick"
    folder.mkdir()
    write_bundle(_bundle(template), folder)
    central.fs = kit.FaultyFS(read_errno=errno.EACCES)

    result = ingest_folder(central, folder)

    (rejection,) = result.rejected
    assert rejection.code == "unreadable"
    assert "Permission denied" in rejection.message
    assert "Check that this user may read the file" in rejection.message
    assert central.rejected_bundles() == []


def test_read_only_stick_during_sync(laptop, central, tmp_path, kit):
    from sync import FolderTransport

    for _ in range(2):
        laptop.add_record()
    stick = tmp_path / "stick"
    transport = FolderTransport(stick, fs=kit.FaultyFS(fail_at=1, mode=errno.EROFS, fail_ops=("open_new",)))
    # The first numbered open is the copy onto the stick; the laptop's own bundle file uses laptop.fs.

    report = laptop.sync(transport)

    assert len(report.sealed) == 1
    assert report.sent == []
    (error,) = report.errors
    assert "Read-only file system" in error
    assert "not write-protected" in error
    assert laptop.outbox.bundles("sealed") == report.sealed

    retry = laptop.sync(FolderTransport(stick))
    assert retry.sent == report.sealed


def test_disk_full_sealing_on_laptop(laptop, kit):
    records = [laptop.add_record() for _ in range(2)]
    laptop.outbox.fs = kit.FaultyFS(fail_at=1, mode=errno.ENOSPC, fail_ops=("write",))

    with pytest.raises(StorageError, match="No space left on device"):
        laptop.seal()

    assert [p.name for p in laptop.bundle_dir.iterdir()] == []
    laptop.outbox.fs = kit.FaultyFS()
    abandoned = laptop.outbox.recover(laptop.bundle_dir)
    assert len(abandoned) == 1
    assert sorted(key.item_id for key in laptop.outbox.items("pending")) == sorted(r.record_id for r in records)
