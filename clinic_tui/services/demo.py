"""The demo profile: synthetic data under a fixed, documented passphrase."""

from __future__ import annotations

import logging

from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)


def open_demo(workspace: Workspace, name: str, passphrase: str, *, reset: bool = False) -> Vault:
    """Make (or reuse) the demo profile and return its unlocked vault."""
    profiles = workspace.profiles
    exists = any(info.name == name for info in profiles.list())
    if exists and reset:
        profiles.delete(name)
        exists = False
    if not exists:
        profiles.create(name, passphrase)
        log.info("demo profile created")
    return profiles.unlock(name, passphrase)
