"""Snapshot tests of the clinic day timeline at 100x30 and 80x24, in two themes.

The clock is fixed at 10:05 on the demo day. By then the 09:00 meeting ran
from 09:02 to 09:31, the 09:30 meeting started at 09:33 and is overrunning,
and the 11:15 slot is skipped, so the snapshots show every kind of row and
both warning banners. Update the stored snapshots with
``pytest --snapshot-update`` after an intended change, and look at the
report before committing them.
"""

from __future__ import annotations

import pytest

from clinic_tui.app import ClinicApp
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault
from tests.ui.test_day_screen import at, demo_day, demo_template, demo_vault  # noqa: F401 - fixtures used by name


def running_day(workspace: Workspace, vault: Vault, clock: ManualClock) -> None:
    """Run the first meetings of the demo day through the service, up to 10:05."""
    session, day = demo_day(workspace, vault, clock)
    first, second, skipped = day.slots[0], day.slots[1], day.slots[4]
    days = session.days

    clock.set(at(9, 2))
    days.start_meeting(day, first.id)
    clock.set(at(9, 31))
    days.finish_slot(day, first.id)
    clock.set(at(9, 33))
    days.start_meeting(day, second.id)
    days.skip(day, skipped.id, "Family cancelled by phone")
    # Without this the app would reopen the meeting screen on start-up instead of the day.
    days.clear_resume()
    clock.set(at(10, 5))


def snapshot_setup(theme: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await pilot.pause()
        # The overrun notification would cover part of the table.
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", ["clinic-dark", "clinic-light"])
@pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
def test_day_timeline(snap_compare, workspace, demo_vault, fake_clock, theme, size):
    running_day(workspace, demo_vault, fake_clock)
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=size, run_before=snapshot_setup(theme))


def test_day_did_not_attend_dialog(snap_compare, workspace, demo_vault, fake_clock):
    fake_clock.set(at(9, 12))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=(80, 24), press=["d"], run_before=snapshot_setup("clinic-high-contrast"))
