"""The meeting screen's throttled save.

The first change after a save schedules the next save ``SAVE_DELAY``
seconds later, and changes made in between ride along with it. Later
changes never push the save back, so however fast the officer types, a
change reaches the vault at most ``SAVE_DELAY`` seconds (plus the time of
the write) after it was made. A failed save is tried again every
``RETRY_DELAY`` seconds until one succeeds.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget

from clinic_tui.store.errors import VaultError

log = logging.getLogger(__name__)

SAVE_DELAY = 0.5
"""Seconds from the first unsaved change to the save that carries it."""

RETRY_DELAY = 2.0
"""Seconds before a failed save is tried again."""

SAVE_ERRORS = (sqlite3.Error, VaultError, KeyError, OSError)
"""The errors a save can meet at run time: a locked or full disk, a closed vault, a missing row."""


class ThrottledSave:
    """Run ``write`` at most SAVE_DELAY seconds after the first unsaved change, and report the state."""

    def __init__(
        self,
        owner: Widget,
        write: Callable[[], None],
        show_state: Callable[[str, bool], None],
        now_label: Callable[[], str],
        record_id: str,
    ) -> None:
        self.owner = owner
        self.write = write
        self.show_state = show_state
        self.now_label = now_label
        self.record_id = record_id
        self.dirty = False
        self._timer: Timer | None = None
        self._failing = False

    def changed(self) -> None:
        """Note an unsaved change and make sure a save is due within SAVE_DELAY seconds."""
        if not self.dirty:
            self.show_state("Saving…", False)
        self.dirty = True
        if self._timer is None:
            self._timer = self.owner.set_timer(SAVE_DELAY, self._due, name="meeting-autosave")

    def _due(self) -> None:
        self._timer = None
        self.save_now()

    def stop(self) -> None:
        """Cancel a scheduled save, for example when the screen closes."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def save_now(self) -> bool:
        """Save at once if anything changed, and return False if the save failed."""
        self.stop()
        if not self.dirty:
            return True

        try:
            self.write()
        except SAVE_ERRORS as error:
            log.error("autosave failed record_id=%s error=%s", self.record_id, error)
            self.show_state("Not saved", True)
            if not self._failing:
                self.owner.notify(
                    f"The meeting record could not be saved to the vault: {error}. Everything typed is "
                    f"still on screen, and saving will be tried again every {RETRY_DELAY:g} seconds. "
                    "If this goes on, check that the disk has free space.",
                    severity="error",
                    timeout=15,
                )
            self._failing = True
            self._timer = self.owner.set_timer(RETRY_DELAY, self._due, name="meeting-autosave-retry")
            return False

        if self._failing:
            log.info("autosave recovered record_id=%s", self.record_id)
        self._failing = False
        self.dirty = False
        self.show_state(f"Saved {self.now_label()}", False)
        return True
