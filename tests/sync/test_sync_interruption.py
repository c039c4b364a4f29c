"""Interrupting a sync at any file operation, on either side, then retrying.

A crash is simulated by failing one numbered file operation (create,
write, fsync, rename, folder fsync, mkdir, unlink) with an exception no
handler catches, failing every later one too, and then dropping every
open connection, as a dead process would. The retry runs in "new
processes" with a healthy disk. Afterwards every record version and
impact row must be stored exactly once, none lost, and every receipt on
the laptop must verify and match the central store's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import (
    CentralStore,
    DirectTransport,
    FileSystem,
    FolderTransport,
    ImpactRow,
    ingest_transport_folder,
    verify_receipt,
)

# Numbered file operations in a clean run of ``_scenario`` with the default
# batches, per transport. test_enumeration_covers_every_operation checks them,
# so the enumeration below fails every operation, no more and no fewer.
OPERATIONS = {"direct": 44, "folder": 46}


def _pass(store: CentralStore, laptop, transport_kind: str, stick: Path, fs: FileSystem) -> None:
    """One sync round trip: the laptop syncs, the central store ingests, the laptop collects receipts."""
    if transport_kind == "direct":
        laptop.sync(DirectTransport(store))
    else:
        transport = FolderTransport(stick, fs=fs)
        laptop.sync(transport)
        ingest_transport_folder(store, stick)
        laptop.sync(transport)


def _scenario(kit, template, root: Path, transport_kind: str, fail_at: int | None,
              batches: tuple[int, ...] = (2, 1), impact_rows: int = 1) -> dict:
    """Run ``batches`` of new records through sync with operation ``fail_at`` crashing, then recover.

    Returns what the checks need.
    """
    central_path = template.copy_to(root / "central")
    stick = root / "stick"
    stick.mkdir()
    laptop = kit.Laptop(root / "laptop", template)
    faulty = kit.FaultyFS(fail_at=fail_at)
    crashed = False

    laptop.reopen(faulty)
    store = template.open_copy(central_path, fs=faulty)
    try:
        for batch, count in enumerate(batches):
            for _ in range(count):
                laptop.add_record()
            if batch == 0:
                for _ in range(impact_rows):
                    laptop.add_impact_row()
            _pass(store, laptop, transport_kind, stick, faulty)
    except kit.SimulatedCrash:
        crashed = True
    finally:
        store.conn.close()
        laptop.conn.close()
        faulty.close_leaked()

    # Restart both sides on a healthy disk. Items that were never queued
    # because of the crash are queued now, as the vault would on restart.
    healthy = FileSystem()
    laptop.reopen(healthy)
    for key in laptop.items:
        laptop.outbox.enqueue(key)
    store = template.open_copy(central_path, fs=healthy)
    for _ in range(3):
        _pass(store, laptop, transport_kind, stick, healthy)

    return {"store": store, "laptop": laptop, "crashed": crashed, "operations": faulty.count, "stick": stick,
            "central_path": central_path}


def _check_everything_synced_once(template, outcome: dict) -> None:
    store: CentralStore = outcome["store"]
    laptop = outcome["laptop"]
    records = {key: item for key, item in laptop.items.items() if key.item_type == "record"}
    impact = {key: item for key, item in laptop.items.items() if key.item_type == "impact"}

    # Every item acknowledged on the laptop, nothing left in another state.
    for state in ("pending", "sealed", "sent", "quarantined"):
        assert laptop.outbox.items(state) == [], state
    assert sorted(laptop.outbox.items("acknowledged")) == sorted(laptop.items)

    # Every record version stored exactly once and opening to its plaintext.
    rows = store.conn.execute("SELECT record_id, version, sha256 FROM records").fetchall()
    assert sorted((record_id, version) for record_id, version, _ in rows) == sorted(
        (key.item_id, key.version) for key in records)
    for key, record in records.items():
        assert store.open_record(key.item_id, key.version) == record.plaintext

    # Every impact row logged exactly once, with its values.
    assert sorted(store.impact_log(), key=lambda row: row.impact_id) == sorted(
        (item for item in impact.values() if isinstance(item, ImpactRow)), key=lambda row: row.impact_id)

    assert store.quarantined() == []
    assert store.rejected_bundles() == []

    # The hash the laptop recorded as acknowledged is the one the central store stored.
    stored_hashes = {(record_id, version): sha256 for record_id, version, sha256 in rows}
    for item_id, version, sha256 in laptop.conn.execute(
            "SELECT item_id, version, sha256 FROM sync_outbox_items WHERE item_type = 'record'"):
        assert stored_hashes[(item_id, version)] == sha256

    # Every receipt the laptop applied verifies and is the one the central store issued.
    for bundle_id, receipt in laptop.conn.execute(
            "SELECT bundle_id, receipt FROM sync_outbox_bundles WHERE state = 'acknowledged'"):
        verify_receipt(bytes(receipt), template.enrolment.receipt_public, laptop.outbox.bundle_ref(bundle_id))
        assert store.stored_receipt(bundle_id) == bytes(receipt)

    # No bundle or receipt file is left behind; only hidden temporary files from the crash may remain.
    folders = [laptop.bundle_dir, outcome["stick"] / "outgoing", outcome["stick"] / "receipts",
               outcome["central_path"] / "inbox", outcome["central_path"] / "receipts"]
    leftovers = [path.name for folder in folders if folder.exists() for path in folder.iterdir()
                 if not path.name.startswith(".")]
    assert leftovers == []
    assert [path.name for path in laptop.bundle_dir.iterdir()] == []


@pytest.mark.parametrize("transport_kind", ["direct", "folder"])
def test_enumeration_covers_every_operation(kit, template, tmp_path, transport_kind):
    outcome = _scenario(kit, template, tmp_path, transport_kind, fail_at=None)

    assert not outcome["crashed"]
    assert outcome["operations"] == OPERATIONS[transport_kind], (
        f"a clean run made {outcome['operations']} file operations; set OPERATIONS to that so the "
        "enumeration below fails each of them")
    _check_everything_synced_once(template, outcome)


@pytest.mark.parametrize(
    ("transport_kind", "fail_at"),
    [(kind, fail_at) for kind, count in OPERATIONS.items() for fail_at in range(1, count + 1)],
)
def test_crash_at_each_operation_then_retry(kit, template, tmp_path, transport_kind, fail_at):
    outcome = _scenario(kit, template, tmp_path, transport_kind, fail_at)

    assert outcome["crashed"]
    _check_everything_synced_once(template, outcome)
    outcome["store"].close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    transport_kind=st.sampled_from(["direct", "folder"]),
    batches=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=3).filter(any),
    impact_rows=st.integers(min_value=0, max_value=2),
    fail_at=st.integers(min_value=1, max_value=90),
)
def test_crash_anywhere_property(kit, template, tmp_path_factory, transport_kind, batches, impact_rows, fail_at):
    root = tmp_path_factory.mktemp("property")

    outcome = _scenario(kit, template, root, transport_kind, fail_at, tuple(batches), impact_rows)

    _check_everything_synced_once(template, outcome)
    outcome["store"].close()
