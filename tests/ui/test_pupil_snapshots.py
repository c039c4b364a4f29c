"""Snapshot tests of the pupil list and the pupil view at 100x30, in the dark, light and high-contrast themes.

The vault contains the small demo school and the two known pupils of
``test_pupil_screens``, on the fixed clock, so every run draws the same
screens. Update the stored snapshots with ``pytest --snapshot-update`` after
an intended change, and look at the report before committing them.
"""

from __future__ import annotations

from clinic_tui.app import ClinicApp
from clinic_tui.screens.pupil_detail import PupilScreen
from clinic_tui.screens.pupils import PupilListScreen
from clinic_tui.services.session import Session
from tests.ui.test_pupil_screens import seed_vault, wait_until

SIZE = (100, 30)


def _list_in(theme: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await pilot.app.push_screen(PupilListScreen())
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PupilListScreen), "the pupil list")
        await wait_until(pilot, lambda: pilot.app.screen.loaded, "the pupils' measures")
        await pilot.press("s", "s")  # attendance %, lowest first

    return run_before


def _lowest_attendance(workspace, seeded, clock) -> str:
    """Pick the demo pupil with a full register and the lowest attendance, so the grid has absences."""
    rows = Session(workspace, seeded.vault, clock).attendance.rows()
    full = [row for row in rows if row.measures.possible_sessions > 100]
    return min(full, key=lambda row: (row.measures.attendance_rate, row.pupil.upn)).id


def _pupil_in(theme: str, pupil_id: str, tab: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await pilot.app.push_screen(PupilScreen(pupil_id, tab=tab))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PupilScreen), "the pupil view")
        await pilot.pause()

    return run_before


def test_pupil_list_dark(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_list_in("clinic-dark"))


def test_pupil_list_light(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_list_in("clinic-light"))


def test_pupil_overview_dark(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_pupil_in("clinic-dark", seeded.nguyen_id, "overview"))


def test_pupil_overview_light(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_pupil_in("clinic-light", seeded.nguyen_id, "overview"))


def test_pupil_register_dark(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_pupil_in("clinic-dark", _lowest_attendance(workspace, seeded, fake_clock), "register"))


def test_pupil_register_light(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=_pupil_in("clinic-light", _lowest_attendance(workspace, seeded, fake_clock), "register"))


def test_pupil_register_high_contrast(snap_compare, workspace, fake_clock):
    seeded = seed_vault(workspace, fake_clock)
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=_pupil_in("clinic-high-contrast", _lowest_attendance(workspace, seeded, fake_clock), "register")
    )
