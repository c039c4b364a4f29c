"""An unlocked profile: the services that screens call while the vault is open."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from clinic_tui.services.attendance import AttendanceService
from clinic_tui.services.clock import Clock, SystemClock
from clinic_tui.services.days import DayService
from clinic_tui.services.prepare import PrepareService
from clinic_tui.services.reviews import ReviewService
from clinic_tui.services.sync_service import SyncService
from clinic_tui.services.workspace import Workspace

if TYPE_CHECKING:
    from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)


class Session:
    """One user's unlocked vault and the services built on it.

    Screens talk to a session, never to SQL. Closing the session checkpoints
    and closes the vault and drops the key.
    """

    def __init__(self, workspace: Workspace, vault: Vault, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.vault = vault
        self.clock: Clock = clock or SystemClock()
        self.attendance = AttendanceService(vault, lambda: self.clock.now().date())
        self.days = DayService(vault, self.clock, self.attendance)
        self.reviews = ReviewService(self.days, self.attendance)
        self.prepare = PrepareService(vault, self.clock, self.attendance, self.days, workspace)
        self.sync = SyncService(vault, self.clock, self.attendance, workspace.config.sync)

    @property
    def profile_name(self) -> str:
        return self.vault.profile_name

    @property
    def is_open(self) -> bool:
        return self.vault.is_open

    def pupil_count(self) -> int:
        return self.vault.conn.execute("SELECT count(*) FROM pupil").fetchone()[0]

    def mark_count(self) -> int:
        return self.vault.conn.execute("SELECT count(*) FROM mark").fetchone()[0]

    def close(self) -> None:
        if self.vault.is_open:
            self.vault.close()
