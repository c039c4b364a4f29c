"""Creating, opening and unlocking a central store; enrolment, registration and devices."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from sync import (
    CentralStore,
    FormatError,
    InvalidInput,
    NotFound,
    Registration,
    StoreLocked,
    WrongSecret,
    init_central,
    make_registration,
    open_recovery,
    read_enrolment,
    seal_recovery,
)
from sync.enrolment import CODE_ALPHABET, normalise_code

PASSPHRASE = "correct horse battery staple"


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.fixture(scope="module")
def fresh_store(tmp_path_factory) -> CentralStore:
    """A store made by init_central in this module (not a copy of the session template)."""
    return init_central(tmp_path_factory.mktemp("fresh") / "central", PASSPHRASE, "Eastmoor Attendance Service")


def test_init_creates_private_files(fresh_store):
    folder = fresh_store.path

    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("central.sqlite-")) == [
        "central-keys.json", "central.json", "central.sqlite"]
    assert _mode(folder) == "0o700"
    for path in folder.iterdir():
        assert _mode(path) == "0o600", path.name


def test_key_file_records_argon2id_params(fresh_store):
    document = json.loads((fresh_store.path / "central-keys.json").read_text())

    assert document["kdf"]["algorithm"] == "argon2id"
    assert document["kdf"]["memory_kib"] >= 64 * 1024
    assert document["kdf"]["iterations"] >= 1
    assert len(document["kdf"]["salt"]) >= 20
    assert document["cipher"] == "aes-256-gcm"
    assert "recipient_private" not in document


def test_public_file_has_public_material_only(fresh_store):
    document = json.loads((fresh_store.path / "central.json").read_text())

    assert set(document) == {"format", "format_version", "organisation_id", "organisation_name",
                             "recipient_public", "receipt_public"}
    assert document["organisation_name"] == "Eastmoor Attendance Service"
    assert str(uuid.UUID(document["organisation_id"])) == document["organisation_id"]


def test_init_rejects_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("x")

    with pytest.raises(InvalidInput, match="is not an empty folder"):
        init_central(tmp_path, PASSPHRASE, "Eastmoor")

    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_rejects_short_passphrase(tmp_path):
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        init_central(tmp_path / "c", "short", "Eastmoor")

    assert not (tmp_path / "c").exists()


def test_open_is_locked_until_unlock(fresh_store):
    store = CentralStore.open(fresh_store.path)

    assert not store.is_unlocked
    with pytest.raises(StoreLocked, match="cannot open a record"):
        store.open_record(str(uuid.uuid4()))

    store.unlock(PASSPHRASE)
    assert store.is_unlocked
    assert store.enrolment().organisation_id == fresh_store.organisation_id
    store.close()


def test_unlock_wrong_passphrase(fresh_store):
    store = CentralStore.open(fresh_store.path)

    with pytest.raises(WrongSecret, match="The central passphrase does not open .*central-keys.json"):
        store.unlock("correct horse battery stable")

    assert not store.is_unlocked
    store.close()


def test_unlock_rejects_key_file_of_other_store(fresh_store, template, tmp_path):
    copy = template.copy_to(tmp_path / "copy")
    (copy / "central-keys.json").write_bytes((fresh_store.path / "central-keys.json").read_bytes())
    store = CentralStore.open(copy)

    with pytest.raises(FormatError, match="contains the keys of another central store"):
        store.unlock(PASSPHRASE)
    store.close()


def test_open_incomplete_store(tmp_path):
    (tmp_path / "central-keys.json").write_text("{}")

    with pytest.raises(NotFound, match="central.json is missing"):
        CentralStore.open(tmp_path)


def test_enrolment_file_round_trip(fresh_store, tmp_path):
    path = tmp_path / "enrol.json"

    code = fresh_store.enrolment_file(path)

    assert len(code) == 29
    assert all(ch in CODE_ALPHABET for ch in code.replace("-", ""))
    enrolment = read_enrolment(path, code.lower().replace("-", " "))
    assert enrolment == fresh_store.enrolment()
    assert _mode(path) == "0o600"
    assert enrolment.pseudonymisation_key not in path.read_bytes()


def test_enrolment_wrong_code(fresh_store, tmp_path):
    path = tmp_path / "enrol.json"
    code = fresh_store.enrolment_file(path)
    wrong = ("B" if code[0] != "B" else "C") + code[1:]

    with pytest.raises(WrongSecret, match="The enrolment code does not open"):
        read_enrolment(path, wrong)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ABCD-EFGH-JKMN-PQRS-TWXY-Z23O", "Character 24 of the enrolment code, 'O'"),
        ("ABCD-EFGH", "has 8 letters and digits; it should have 24"),
    ],
)
def test_enrolment_code_checked_before_decrypting(code, message):
    with pytest.raises(InvalidInput, match=message):
        normalise_code(code)


def test_enrolment_file_damaged(fresh_store, tmp_path):
    path = tmp_path / "enrol.json"
    code = fresh_store.enrolment_file(path)
    document = json.loads(path.read_text())
    document["kdf"]["memory_kib"] = 1024
    path.write_text(json.dumps(document))

    with pytest.raises(FormatError, match="field 'memory_kib' is 1024, outside 65536 to 1048576"):
        read_enrolment(path, code)


def _registration(store: CentralStore, name: str = "EWO laptop 7") -> tuple[ed25519.Ed25519PrivateKey, Registration]:
    signer = ed25519.Ed25519PrivateKey.generate()
    return signer, make_registration(signer, organisation_id=store.organisation_id, profile_id=str(uuid.uuid4()),
                                     profile_name=name, device_id=str(uuid.uuid4()))


def test_registration_file_round_trip(central, tmp_path):
    _, registration = _registration(central)
    path = tmp_path / "registration.json"
    path.write_bytes(registration.to_bytes())

    parsed = Registration.from_bytes(path.read_bytes(), source=path)

    assert parsed == registration
    assert len(parsed.fingerprint.split()) == 6


def test_registration_tampered_rejected(central, tmp_path):
    _, registration = _registration(central)
    document = json.loads(registration.to_bytes())
    document["registration"]["profile_name"] = "Someone else"

    with pytest.raises(FormatError, match="signature does not match its key"):
        Registration.from_bytes(json.dumps(document).encode(), source="reg.json")


def test_registration_for_other_organisation(central, other_template):
    signer = ed25519.Ed25519PrivateKey.generate()
    registration = make_registration(signer, organisation_id=other_template.enrolment.organisation_id,
                                     profile_id=str(uuid.uuid4()), profile_name="x", device_id=str(uuid.uuid4()))

    with pytest.raises(InvalidInput, match="is for organisation"):
        central.register(registration)


def test_register_approve_revoke(central):
    _, registration = _registration(central)

    device = central.register(registration)
    assert device.status == "pending"
    assert central.register(registration) == device

    approved = central.approve(device.fingerprint.replace(" ", "-").lower())
    assert approved.status == "approved"
    assert approved.approved_at is not None

    revoked = central.revoke(device.fingerprint)
    assert revoked.status == "revoked"
    with pytest.raises(InvalidInput, match="was revoked and cannot be approved again"):
        central.approve(device.fingerprint)
    assert [d.status for d in central.devices()] == ["approved", "revoked"]


def test_approve_unknown_fingerprint(central):
    with pytest.raises(NotFound, match="No registered device has fingerprint 0000 1111"):
        central.approve("0000 1111 2222 3333 4444 5555")
    with pytest.raises(InvalidInput, match="24 hexadecimal digits"):
        central.approve("12345")


def test_profile_name_checked(central):
    signer = ed25519.Ed25519PrivateKey.generate()

    with pytest.raises(InvalidInput, match="no line breaks"):
        make_registration(signer, organisation_id=central.organisation_id, profile_id=str(uuid.uuid4()),
                          profile_name="two\nlines", device_id=str(uuid.uuid4()))


def test_recovery_key_round_trip(central):
    profile_id = str(uuid.uuid4())
    data_key = os.urandom(32)

    blob = seal_recovery(data_key, central.recipient_public, profile_id=profile_id,
                         organisation_id=central.organisation_id)

    assert central.open_recovery(blob, profile_id) == data_key
    assert data_key not in blob


def test_recovery_bound_to_profile(central):
    blob = seal_recovery(os.urandom(32), central.recipient_public, profile_id=str(uuid.uuid4()),
                         organisation_id=central.organisation_id)

    with pytest.raises(FormatError, match="sealed for another profile"):
        central.open_recovery(blob, str(uuid.uuid4()))


def test_recovery_needs_unlocked_store(central):
    blob = seal_recovery(os.urandom(32), central.recipient_public, profile_id=str(uuid.uuid4()),
                         organisation_id=central.organisation_id)
    central.lock()

    with pytest.raises(StoreLocked):
        central.open_recovery(blob, str(uuid.uuid4()))


def test_recovery_with_private_key_directly(central):
    profile_id = str(uuid.uuid4())
    blob = seal_recovery(b"k" * 32, central.recipient_public, profile_id=profile_id,
                         organisation_id=central.organisation_id)

    opened = open_recovery(blob, central.private_keys("test").recipient, profile_id=profile_id,
                           organisation_id=central.organisation_id)

    assert opened == b"k" * 32


def test_open_record_not_found(central):
    record_id = str(uuid.uuid4())

    with pytest.raises(NotFound, match=f"has no version of record {record_id}"):
        central.open_record(record_id)
    with pytest.raises(NotFound, match=f"has no version 3 of record {record_id}"):
        central.open_record(record_id, 3)


def test_unlock_from_other_store_rejected(central, other_template):
    with pytest.raises(InvalidInput, match="another central store"):
        central.unlock_from(other_template.keys)
