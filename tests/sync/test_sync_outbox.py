"""The laptop outbox state machine on a real SQLite vault file."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from sync import (
    OUTBOX_SCHEMA,
    DirectTransport,
    InvalidInput,
    ItemKey,
    ReceiptRejected,
    ensure_schema,
    ingest_bundle,
    is_frozen,
    purgeable,
    sync_once,
)
from sync.bundle import BUNDLE_SUFFIX
from sync.receipt import make_receipt

TABLES = ["sync_outbox_bundle_items", "sync_outbox_bundles", "sync_outbox_items", "sync_outbox_sequence"]


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for (name,) in rows]


def test_schema_script_and_function_agree(tmp_path):
    by_script = sqlite3.connect(tmp_path / "a.sqlite")
    by_script.executescript(OUTBOX_SCHEMA)
    by_function = sqlite3.connect(tmp_path / "b.sqlite")
    ensure_schema(by_function)
    ensure_schema(by_function)

    assert _tables(by_script) == _tables(by_function) == TABLES


def test_states_move_through_a_sync(laptop, central):
    record = laptop.add_record()
    key = ItemKey("record", record.record_id, 1)
    assert laptop.outbox.state(key) == "pending"
    assert not laptop.outbox.is_frozen(record.record_id)

    bundle = laptop.seal()
    assert laptop.outbox.state(key) == "sealed"
    assert is_frozen(laptop.conn, record.record_id)
    assert (laptop.bundle_dir / bundle.file_name).exists()

    laptop.outbox.mark_sent(bundle.bundle_id)
    assert laptop.outbox.state(key) == "sent"
    assert laptop.outbox.is_frozen(record.record_id)

    receipt = ingest_bundle(central, laptop.bundle_dir / bundle.file_name)
    applied = laptop.outbox.apply_receipt(receipt.data, laptop.template.enrolment.receipt_public)
    assert applied.acknowledged == (key,)
    assert laptop.outbox.state(key) == "acknowledged"
    assert not laptop.outbox.is_frozen(record.record_id)


def test_enqueue_twice_keeps_one_item(laptop):
    record = laptop.add_record()
    laptop.outbox.enqueue_record(record.record_id, 1)

    assert laptop.outbox.items("pending") == [ItemKey("record", record.record_id, 1)]


def test_sequence_grows_and_is_never_reused(laptop):
    laptop.add_record()
    first = laptop.seal()
    (laptop.bundle_dir / first.file_name).unlink()
    assert laptop.outbox.recover(laptop.bundle_dir) == [first.bundle_id]

    second = laptop.seal()

    assert (first.sequence, second.sequence) == (1, 2)
    assert {entry.key for entry in second.entries} == {entry.key for entry in first.entries}
    assert laptop.outbox.bundles("abandoned") == [first.bundle_id]


def test_recover_keeps_intact_bundle(laptop):
    laptop.add_record()
    bundle = laptop.seal()
    (laptop.bundle_dir / f".{bundle.file_name}.123abc.tmp").write_bytes(b"left by a crash")

    assert laptop.outbox.recover(laptop.bundle_dir) == []
    assert [p.name for p in laptop.bundle_dir.iterdir()] == [bundle.file_name]


def test_recover_abandons_damaged_file(laptop):
    laptop.add_record()
    bundle = laptop.seal()
    path = laptop.bundle_dir / bundle.file_name
    path.write_bytes(path.read_bytes()[:-1])

    assert laptop.outbox.recover(laptop.bundle_dir) == [bundle.bundle_id]
    assert len(laptop.outbox.items("pending")) == 1


def test_loader_must_return_asked_item(laptop):
    laptop.add_record()
    other = laptop.add_record()

    with pytest.raises(InvalidInput, match="must return exactly the item asked for"):
        laptop.outbox.seal(lambda key: other, signer=laptop.template.signer, device_id=laptop.template.device_id,
                           enrolment=laptop.template.enrolment, bundle_dir=laptop.bundle_dir)

    assert len(laptop.outbox.items("pending")) == 2
    assert laptop.outbox.bundles("sealed") == []


def test_enqueue_joins_callers_transaction(laptop):
    laptop.conn.execute("CREATE TABLE meetings (id TEXT)")
    laptop.conn.commit()
    laptop.conn.execute("INSERT INTO meetings VALUES ('m1')")
    assert laptop.conn.in_transaction

    laptop.outbox.enqueue_record("6f1c8d0e-8c1a-4a53-9a1e-2f4f5b0c9d11", 1)
    laptop.conn.rollback()

    assert laptop.outbox.items("pending") == []


def test_receipt_from_wrong_key_changes_nothing(laptop, central):
    laptop.add_record()
    bundle = laptop.seal()
    receipt = ingest_bundle(central, laptop.bundle_dir / bundle.file_name)
    forged = make_receipt(bundle, stored=list(receipt.stored), quarantined=[], ingested_at=receipt.ingested_at,
                          signing_key=ed25519.Ed25519PrivateKey.generate())

    with pytest.raises(ReceiptRejected, match="not signed by this organisation's central store key"):
        laptop.outbox.apply_receipt(forged.data, laptop.template.enrolment.receipt_public)

    assert laptop.outbox.items("acknowledged") == []
    assert laptop.outbox.bundles("sealed") == [bundle.bundle_id]


def test_receipt_applied_twice_is_harmless(laptop, central):
    laptop.add_record()
    bundle = laptop.seal()
    receipt = ingest_bundle(central, laptop.bundle_dir / bundle.file_name)
    public = laptop.template.enrolment.receipt_public

    laptop.outbox.apply_receipt(receipt.data, public)
    again = laptop.outbox.apply_receipt(receipt.data, public)

    assert again.already_applied
    assert len(laptop.outbox.items("acknowledged")) == 1


def test_receipt_for_unknown_bundle(laptop, central):
    laptop.add_record()
    bundle = laptop.seal()
    receipt = ingest_bundle(central, laptop.bundle_dir / bundle.file_name)
    laptop.conn.execute("DELETE FROM sync_outbox_bundle_items")
    laptop.conn.execute("DELETE FROM sync_outbox_bundles")
    laptop.conn.commit()

    with pytest.raises(ReceiptRejected, match="which this laptop profile did not make"):
        laptop.outbox.apply_receipt(receipt.data, laptop.template.enrolment.receipt_public)


def test_quarantined_item_requeued(laptop, central):
    record = laptop.add_record()
    first = laptop.seal()
    ingest_bundle(central, laptop.bundle_dir / first.file_name)
    # The same version sealed again (as after restoring the vault from an old backup) clashes.
    laptop.conn.execute("UPDATE sync_outbox_items SET state = 'pending'")
    laptop.conn.commit()
    second = laptop.seal()
    receipt = ingest_bundle(central, laptop.bundle_dir / second.file_name)

    laptop.outbox.apply_receipt(receipt.data, laptop.template.enrolment.receipt_public)

    key = ItemKey("record", record.record_id, 1)
    ((quarantined_key, code, reason),) = laptop.outbox.quarantined()
    assert (quarantined_key, code) == (key, "conflict")
    assert "already stored" in reason
    assert not laptop.outbox.is_frozen(record.record_id)
    laptop.outbox.requeue(key)
    assert laptop.outbox.state(key) == "pending"
    with pytest.raises(InvalidInput, match="is not quarantined"):
        laptop.outbox.requeue(key)


def test_purgeable_only_old_acknowledged(laptop, central):
    synced = laptop.add_record()
    laptop.sync(DirectTransport(central))
    laptop.add_record()
    laptop.seal()
    laptop.add_record()
    # Make every timestamp old, so only the state decides.
    laptop.conn.execute("UPDATE sync_outbox_items SET queued_at = '2000-01-01T00:00:00Z'")
    laptop.conn.commit()
    now = datetime.now(timezone.utc)

    assert purgeable(laptop.conn, now, 30) == []
    assert purgeable(laptop.conn, now + timedelta(days=31), 30) == [(synced.record_id, 1)]
    assert laptop.outbox.purgeable(now + timedelta(days=31), 30) == [(synced.record_id, 1)]
    assert sorted(laptop.outbox.items("pending") + laptop.outbox.items("sealed")) != []
    with pytest.raises(InvalidInput, match="keep_days"):
        purgeable(laptop.conn, now, -1)


def test_sync_splits_into_bundles_of_limit(laptop, central):
    for _ in range(5):
        laptop.add_record()

    result = sync_once(laptop.outbox, DirectTransport(central), load=laptop.load, signer=laptop.template.signer,
                       device_id=laptop.template.device_id, enrolment=laptop.template.enrolment,
                       bundle_dir=laptop.bundle_dir, limit=2)

    assert len(result.sealed) == 3
    assert len(result.acknowledged) == 5
    assert [p for p in laptop.bundle_dir.iterdir() if p.name.endswith(BUNDLE_SUFFIX)] == []


def test_seal_rejects_open_transaction(laptop):
    laptop.add_record()
    laptop.conn.execute("CREATE TABLE meetings (id TEXT)")
    laptop.conn.commit()
    laptop.conn.execute("INSERT INTO meetings VALUES ('m1')")
    assert laptop.conn.in_transaction

    with pytest.raises(InvalidInput, match="Sealing needs its own transaction"):
        laptop.seal()

    laptop.conn.rollback()
    assert laptop.seal() is not None
