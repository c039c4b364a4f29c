"""The vault: key slots, field encryption, isolation between profiles."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from clinic_tui.store.crypto import DecryptionFailed
from clinic_tui.store.profiles import ProfileError, TooManyAttempts
from clinic_tui.store.pupils import PupilStore
from clinic_tui.store.schema import SCHEMA_VERSION
from clinic_tui.store.vault import Vault, WrongPassphrase
from tests.conftest import PASSPHRASE, sample_pupil


def test_round_trip_pupil_and_note(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    store = PupilStore(vault)
    with vault.transaction():
        pupil_id, created = store.upsert(sample_pupil())
    note_id = store.add_note(pupil_id, "Mum says the bus is late every Monday.")
    vault.close()

    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    store = PupilStore(vault)
    assert created
    assert store.get(pupil_id) == sample_pupil()
    assert store.notes_for(pupil_id)[0][0] == note_id
    assert store.notes_for(pupil_id)[0][2] == "Mum says the bus is late every Monday."
    assert store.id_for_upn("a823456789012") == pupil_id
    vault.close()


def test_upsert_same_upn_updates_in_place(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    store = PupilStore(vault)
    with vault.transaction():
        first_id, _ = store.upsert(sample_pupil())
        second_id, created = store.upsert(sample_pupil(forename="Zoe"))
    assert second_id == first_id
    assert not created
    assert store.count() == 1
    assert store.get(first_id).forename == "Zoe"
    vault.close()


def test_wrong_passphrase_rejected(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    with pytest.raises(WrongPassphrase, match="does not unlock"):
        workspace.profiles.unlock("alice", "not the right passphrase")


def test_repeated_failures_make_unlock_wait(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            workspace.profiles.unlock("alice", "not the right passphrase")
    with pytest.raises(TooManyAttempts) as raised:
        workspace.profiles.unlock("alice", PASSPHRASE)
    assert raised.value.wait_seconds > 0
    assert "Wait" in str(raised.value)


def test_passphrase_change_keeps_data(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    with vault.transaction():
        pupil_id, _ = PupilStore(vault).upsert(sample_pupil())
    vault.close()
    before = _encrypted_identity(workspace, "alice", pupil_id)

    workspace.profiles.change_passphrase("alice", PASSPHRASE, "a brand new passphrase")

    with pytest.raises(WrongPassphrase):
        workspace.profiles.unlock("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", "a brand new passphrase")
    assert PupilStore(vault).get(pupil_id).surname == "Nguyễn"
    vault.close()
    assert _encrypted_identity(workspace, "alice", pupil_id) == before, "data must not be re-encrypted"


def _encrypted_identity(workspace, profile: str, pupil_id: str) -> bytes:
    path = workspace.profiles.get(profile).vault_path
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT identity FROM pupil WHERE id = ?", (pupil_id,)).fetchone()[0]


def test_other_profile_cannot_read_records(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    workspace.profiles.create("bob", "bob's own passphrase")
    alice = workspace.profiles.unlock("alice", PASSPHRASE)
    with alice.transaction():
        pupil_id, _ = PupilStore(alice).upsert(sample_pupil())
    alice.close()
    blob = _encrypted_identity(workspace, "alice", pupil_id)

    # Bob has Alice's file in hand: his passphrase does not open it ...
    with pytest.raises(WrongPassphrase):
        Vault.unlock(workspace.profiles.get("alice").vault_path, "bob's own passphrase")

    # ... and his unlocked vault's key does not open her ciphertext.
    bob = workspace.profiles.unlock("bob", "bob's own passphrase")
    with pytest.raises(DecryptionFailed):
        bob.open_json("pupil", pupil_id, "identity", blob)
    bob.close()


def test_ciphertext_bound_to_row_and_column(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    blob = vault.seal_json("pupil", "row-1", "identity", {"surname": "Smith"})
    assert vault.open_json("pupil", "row-1", "identity", blob) == {"surname": "Smith"}
    with pytest.raises(DecryptionFailed):
        vault.open_json("pupil", "row-2", "identity", blob)
    with pytest.raises(DecryptionFailed):
        vault.open_json("pupil", "row-1", "contacts", blob)
    with pytest.raises(DecryptionFailed):
        vault.open_json("note", "row-1", "identity", blob)
    vault.close()


def test_no_plaintext_identifier_indexed(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    with vault.transaction():
        PupilStore(vault).upsert(sample_pupil())
    index_value = vault.conn.execute("SELECT upn_index FROM pupil").fetchone()[0]
    assert "A823456789012" not in index_value
    assert len(index_value) == 64
    vault.close()


def test_pragmas_and_schema_version(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    conn = vault.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    recorded = conn.execute("SELECT max(version) FROM schema_migration").fetchone()[0]
    assert recorded == SCHEMA_VERSION
    vault.close()


def test_file_and_folder_modes(workspace):
    info = workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    with vault.transaction():
        PupilStore(vault).upsert(sample_pupil())
    assert stat.S_IMODE(os.stat(info.folder).st_mode) == 0o700
    for child in info.folder.iterdir():
        assert stat.S_IMODE(os.stat(child).st_mode) == 0o600, child.name
    vault.close()


def test_close_truncates_wal(workspace):
    info = workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    with vault.transaction():
        PupilStore(vault).upsert(sample_pupil())
    vault.close()
    wal = info.folder / "vault.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_profile_name_and_passphrase_rules(workspace):
    with pytest.raises(ProfileError, match="not a valid profile name"):
        workspace.profiles.create("Bad Name", PASSPHRASE)
    with pytest.raises(ProfileError, match="at least 12"):
        workspace.profiles.create("alice", "short")
    assert workspace.profiles.list() == []


def test_duplicate_profile_rejected(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    with pytest.raises(ProfileError, match="already exists"):
        workspace.profiles.create("alice", PASSPHRASE)


def test_failed_create_leaves_no_folder(workspace, monkeypatch):
    def broken_unlock(*args, **kwargs):
        raise WrongPassphrase("simulated unlock failure")

    monkeypatch.setattr(Vault, "unlock", broken_unlock)
    with pytest.raises(WrongPassphrase):
        workspace.profiles.create("alice", PASSPHRASE)
    assert list(workspace.locations.profiles_dir.iterdir()) == []
