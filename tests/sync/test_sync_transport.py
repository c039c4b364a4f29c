"""Folder (USB stick or share) and direct transports, end to end."""

from __future__ import annotations

from sync import DirectTransport, FolderTransport, ingest_transport_folder
from sync.receipt import make_receipt


def _names(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_folder_transport_round_trip(laptop, central, tmp_path):
    records = [laptop.add_record() for _ in range(3)]
    row = laptop.add_impact_row()
    stick = tmp_path / "stick"
    transport = FolderTransport(stick)

    first = laptop.sync(transport)
    assert len(first.sent) == 1
    assert _names(stick / "outgoing") == [f"{first.sent[0]}.clinicbundle"]
    assert first.acknowledged == []
    assert all(laptop.outbox.is_frozen(record.record_id) for record in records)

    result = ingest_transport_folder(central, stick)
    assert result.ok
    assert _names(stick / "receipts") == [f"{first.sent[0]}.clinicreceipt"]

    second = laptop.sync(transport)
    assert len(second.acknowledged) == 4
    assert second.errors == []
    assert _names(stick / "outgoing") == _names(stick / "receipts") == []
    assert _names(laptop.bundle_dir) == []
    assert central.impact_log() == [row]
    assert not any(laptop.outbox.is_frozen(record.record_id) for record in records)


def test_folder_ingest_twice_is_harmless(laptop, central, tmp_path):
    laptop.add_record()
    stick = tmp_path / "stick"
    laptop.sync(FolderTransport(stick))

    first = ingest_transport_folder(central, stick)
    second = ingest_transport_folder(central, stick)

    assert [receipt.data for _, receipt in first.receipts] == [receipt.data for _, receipt in second.receipts]
    assert central.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 1


def test_forged_receipt_on_stick_refused(laptop, central, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    laptop.add_record()
    stick = tmp_path / "stick"
    transport = FolderTransport(stick)
    (bundle_id,) = laptop.sync(transport).sent
    real = ingest_transport_folder(central, stick).receipts[0][1]
    bundle = laptop.outbox.bundle_ref(bundle_id)
    forged = make_receipt(_BundleView(bundle), stored=list(real.stored), quarantined=[],
                          ingested_at=real.ingested_at, signing_key=ed25519.Ed25519PrivateKey.generate())
    (stick / "receipts" / real.file_name).write_bytes(forged.data)

    report = laptop.sync(transport)

    (error,) = report.errors
    assert "not signed by this organisation's central store key" in error
    assert laptop.outbox.items("acknowledged") == []
    assert laptop.outbox.bundles("sent") == [bundle_id]


class _BundleView:
    """The fields make_receipt reads, taken from a BundleRef."""

    def __init__(self, ref):
        self.bundle_id = ref.bundle_id
        self.organisation_id = ref.organisation_id
        self.signer = ref.signer
        self.device_id = ref.device_id
        self.profile_id = ref.profile_id
        self.sequence = ref.sequence


def test_direct_transport_acknowledges_at_once(laptop, central):
    for _ in range(2):
        laptop.add_record()

    report = laptop.sync(DirectTransport(central))

    assert len(report.acknowledged) == 2
    assert report.errors == []
    assert _names(central.path / "inbox") == _names(central.path / "receipts") == []


def test_direct_transport_reports_rejection(laptop, central):
    record = laptop.add_record()
    central.revoke(central.devices()[0].fingerprint)

    report = laptop.sync(DirectTransport(central))

    (error,) = report.errors
    assert "was revoked" in error
    assert report.sent == []
    assert laptop.outbox.is_frozen(record.record_id)
    assert [r.code for r in central.rejected_bundles()] == ["revoked_signer"]
