"""The audit log: append-only, chained, and tamper-evident."""

from __future__ import annotations

import sqlite3

import pytest

from clinic_tui.store.pupils import PupilStore
from tests.conftest import PASSPHRASE, sample_pupil


@pytest.fixture
def vault_with_entries(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    store = PupilStore(vault)
    with vault.transaction():
        pupil_id, _ = store.upsert(sample_pupil())
        vault.audit.append("pupil.import", pupil_id)
    for text in ("first note", "second note", "third note"):
        store.add_note(pupil_id, text)
    path = vault.path
    vault.close()
    return workspace, path


def _raw(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    return conn


def test_chain_verifies(vault_with_entries):
    workspace, _ = vault_with_entries
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    checked, broken = vault.audit.verify()
    assert broken is None
    assert checked == 5
    assert [e.action for e in vault.audit.entries()][:2] == ["profile.create", "pupil.import"]
    vault.close()


def test_entries_hold_no_content(vault_with_entries):
    workspace, path = vault_with_entries
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    assert "first note" not in dump
    assert "Nguyễn" not in dump


def test_update_and_delete_rejected(vault_with_entries):
    workspace, _ = vault_with_entries
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        vault.conn.execute("UPDATE audit SET action = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        vault.conn.execute("DELETE FROM audit WHERE seq = 2")
    vault.close()


@pytest.mark.parametrize(
    ("tamper", "expected_seq", "reason"),
    [
        ("UPDATE audit SET action = 'note.delete' WHERE seq = 3", 3, "changed"),
        ("UPDATE audit SET at = '2020-01-01T00:00:00.000+00:00' WHERE seq = 4", 4, "changed"),
        ("DELETE FROM audit WHERE seq = 2", 2, "missing"),
        ("UPDATE audit SET prev_hash = hash WHERE seq = 5", 5, "does not link"),
    ],
)
def test_tampering_reports_first_broken_link(vault_with_entries, tamper, expected_seq, reason):
    workspace, path = vault_with_entries
    conn = _raw(path)
    conn.execute(tamper)
    conn.close()

    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    checked, broken = vault.audit.verify()
    vault.close()
    assert broken is not None
    assert broken.seq == expected_seq
    assert reason in broken.reason
    assert checked == expected_seq - 1
