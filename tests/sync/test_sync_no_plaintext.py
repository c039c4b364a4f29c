"""No planted name or note reaches any file: central folder, USB stick or the laptop outbox tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync import FolderTransport, ingest_transport_folder

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def _needles(kit) -> list[tuple[str, bytes]]:
    needles = []
    for text in (kit.PLANTED_NAME, kit.PLANTED_NOTE, "Quillfeather", "Hollowbrook"):
        for encoding in ENCODINGS:
            needles.append((f"{text!r} in {encoding}", text.encode(encoding)))
    return needles


def _files(*folders: Path) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())


def _findings(kit, files: list[Path]) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes()
        for label, needle in _needles(kit):
            if needle in data:
                found.append(f"{label} found in {path}")
    return found


def test_scan_finds_planted_text(kit, tmp_path):
    # The scan itself must be able to fail.
    plain = tmp_path / "plain.txt"
    plain.write_bytes(kit.PLANTED_NOTE.encode("utf-16-le"))

    findings = _findings(kit, [plain])

    assert f"{kit.PLANTED_NOTE!r} in utf-16-le found in {plain}" in findings
    assert f"{kit.PLANTED_NOTE!r} in utf-8 found in {plain}" not in findings


@pytest.mark.parametrize("stage", ["stick holds bundles and receipts", "after receipts applied"])
def test_no_plaintext_in_any_file(kit, laptop, central, tmp_path, stage):
    for _ in range(3):
        laptop.add_record()
    utf16 = f'{{"pupil": "{kit.PLANTED_NAME}", "note": "{kit.PLANTED_NOTE}"}}'
    record = laptop.add_record(utf16, encoding="utf-16")
    laptop.add_impact_row()
    stick = tmp_path / "stick"
    transport = FolderTransport(stick)

    laptop.sync(transport)
    ingest_transport_folder(central, stick)
    if stage == "after receipts applied":
        laptop.sync(transport)
    central.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    laptop.conn.commit()

    files = _files(central.path, stick, laptop.folder)
    names = {path.name for path in files}
    assert {"central.sqlite", "central.sqlite-wal", "central-keys.json", "vault.sqlite"} <= names
    if stage == "stick holds bundles and receipts":
        assert any(name.endswith(".clinicbundle") for name in names)
        assert any(name.endswith(".clinicreceipt") for name in names)
    assert _findings(kit, files) == []
    assert central.open_record(record.record_id).decode("utf-16") == utf16
