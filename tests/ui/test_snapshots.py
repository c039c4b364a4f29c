"""Snapshot tests of the unlock and home screens at 100x30.

Update the stored snapshots with ``pytest --snapshot-update`` after an
intended change, and look at the report before committing them.
"""

from __future__ import annotations

from clinic_tui.app import ClinicApp
from tests.conftest import PASSPHRASE

SIZE = (100, 30)


def test_unlock_screen(snap_compare, workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    app = ClinicApp(workspace, profile="alice")
    assert snap_compare(app, terminal_size=SIZE)


def test_home_screen_empty_state(snap_compare, workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault)
    assert snap_compare(app, terminal_size=SIZE)


def test_home_screen_high_contrast(snap_compare, workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault)
    assert snap_compare(app, terminal_size=SIZE, press=["f10"])


def test_profile_chooser(snap_compare, workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    workspace.profiles.create("bob", PASSPHRASE)
    app = ClinicApp(workspace)
    assert snap_compare(app, terminal_size=SIZE)
