"""Planted names and notes never reach the disk in plaintext.

A child process writes, locks, writes again and is killed with SIGKILL while
it holds the vault open, so the WAL and shared-memory files are left as a
crash leaves them. Every file under the profile folder is then searched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import PASSPHRASE

PLANTED_NAME = "Xanthippe Quarrington-Vel"
PLANTED_NOTE = "Confided that her uncle Bartholomew keeps her home"

CHILD = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from clinic_tui.domain.pupil import Contact, Pupil
    from clinic_tui.services.workspace import Workspace
    from clinic_tui.store.pupils import PupilStore

    home, passphrase, name, note = sys.argv[1:5]
    workspace = Workspace.open(home)
    vault = workspace.profiles.unlock("alice", passphrase)
    store = PupilStore(vault)
    with vault.transaction():
        pupil_id, _ = store.upsert(Pupil(upn="A823456789012", surname=name.split()[1],
            forename=name.split()[0], contacts=[Contact(name=name + " senior")]))
    store.add_note(pupil_id, note)
    vault.close()  # the lock: checkpoint and close

    vault = workspace.profiles.unlock("alice", passphrase)
    store = PupilStore(vault)
    store.add_note(pupil_id, note + " (again)")
    with vault.transaction():
        store.upsert(Pupil(upn="A823456789012", surname=name.split()[1], forename="Renamed"))
    print("ready", flush=True)
    time.sleep(60)
    """
)


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def test_no_plaintext_after_sigkill(workspace, clinic_home: Path):
    info = workspace.profiles.create("alice", PASSPHRASE)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(clinic_home), PASSPHRASE, PLANTED_NAME, PLANTED_NOTE],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()

    files = [path for path in info.folder.rglob("*") if path.is_file()]
    assert any(path.name.endswith("-wal") for path in files), "the crash should leave a WAL behind"
    needles = [needle for text in (PLANTED_NAME, "Quarrington", PLANTED_NOTE, "Bartholomew") for needle in _encodings(text)]
    for path in files:
        content = path.read_bytes()
        for needle in needles:
            assert needle not in content, f"plaintext found in {path.name}"

    # The vault still opens and holds what was committed before the kill.
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    assert vault.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert vault.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 2
    vault.close()
