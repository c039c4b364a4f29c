"""The sync screen under Pilot: a real vault enrolled with a real central store, synced to a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from clinic_tui.app import ClinicApp
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.sync_screen import FolderDialog, SyncScreen
from sync import Registration, ingest_transport_folder, init_central, read_enrolment
from tests.helpers import complete_meeting, demo_session

SIZE = (100, 30)
CENTRAL_PASSPHRASE = "central passphrase for tests"


async def _wait_for(pilot, condition, what: str, attempts: int = 200) -> None:
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.fixture
def enrolled(workspace, fake_clock, tmp_path: Path):
    """An enrolled, approved demo profile with one finalised meeting, and its central store."""
    session = demo_session(workspace, fake_clock)
    store = init_central(tmp_path / "central", CENTRAL_PASSPHRASE, "North Borough Council")
    code = store.enrolment_file(tmp_path / "enrolment.json")
    registration = session.sync.enrol(read_enrolment(tmp_path / "enrolment.json", code), tmp_path / "reg.json")
    store.register(Registration.from_bytes((tmp_path / "reg.json").read_bytes()))
    store.approve(registration.fingerprint)

    day = session.days.today()
    record = session.days.start_meeting(day, day.slots[0].id)
    complete_meeting(record, fake_clock.now().date())
    assert session.days.finalise(record) == []
    usb = tmp_path / "usb"
    usb.mkdir()
    yield session, store, record, usb
    store.close()


async def _open_sync_screen(app, pilot) -> None:
    await _wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
    await pilot.press("s")
    await _wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), "the sync screen")


async def _sync_to(app, pilot, folder: Path | None) -> None:
    await pilot.press("f2")
    await _wait_for(pilot, lambda: isinstance(app.screen, FolderDialog), "the folder dialog")
    if folder is not None:
        app.screen.query_one(Input).value = str(folder)
    await pilot.press("enter")
    await _wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), "the dialog to close")
    await _wait_for(pilot, lambda: not app.screen.running, "the sync to finish")


@pytest.mark.slow
async def test_sync_screen_sends_then_acknowledges(workspace, fake_clock, enrolled):
    session, store, record, usb = enrolled
    # Three days later the record has waited longer than warn_unsynced_days (2).
    fake_clock.advance(3 * 86400)
    app = ClinicApp(workspace, vault=session.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_sync_screen(app, pilot)
        screen = app.screen
        assert "Last successful sync: never" in _text(screen, "#sync-status")
        assert "Waiting to sync: 1" in _text(screen, "#sync-status")
        assert "North Borough Council" in _text(screen, "#sync-status")
        assert "Warning: 1 finalised record versions have waited more than 2 days" in _text(screen, "#sync-warning")

        await _sync_to(app, pilot, usb)
        table = screen.query_one(DataTable)
        assert [table.get_row_at(index) for index in range(table.row_count)] == [
            [record.id, "1", "sent, waiting for a receipt"]
        ]
        assert "Sent, waiting for a receipt: 1" in _text(screen, "#sync-status")
        assert "1 bundles sent" in _text(screen, "#sync-stage")
        # A record counts as synced only once a verified receipt lists it.
        assert "Warning: 1 finalised" in _text(screen, "#sync-warning")

        assert ingest_transport_folder(store, usb).ok

        # The dialog suggests the folder used last time.
        await pilot.press("f2")
        await _wait_for(pilot, lambda: isinstance(app.screen, FolderDialog), "the folder dialog")
        assert app.screen.query_one(Input).value == str(usb.resolve())
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, SyncScreen) and not app.screen.running, "the sync")

        assert [table.get_row_at(index) for index in range(table.row_count)] == [
            [record.id, "1", "acknowledged by the central store"]
        ]
        assert "Acknowledged: 1" in _text(screen, "#sync-status")
        assert _text(screen, "#sync-warning") == ""
        assert "Last successful sync: 13/03/2026 at 08:45" in _text(screen, "#sync-status")

        await pilot.press("escape")
        await _wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        assert "Last successful sync: 13/03/2026 at 08:45" in _text(app.screen, "#home-summary")


@pytest.mark.slow
async def test_folder_dialog_takes_typed_letters(workspace, fake_clock, enrolled, tmp_path):
    session, _store, _record, _usb = enrolled
    fake_clock.advance(3 * 86400)
    app = ClinicApp(workspace, vault=session.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_sync_screen(app, pilot)
        await pilot.press("f2")
        await _wait_for(pilot, lambda: isinstance(app.screen, FolderDialog), "the folder dialog")
        # Letters that are keys elsewhere go into the box while it has focus.
        await pilot.press(*"sdfp")
        assert app.screen.query_one(Input).value == "sdfp"
        await pilot.press("enter")
        assert isinstance(app.screen, FolderDialog), "a folder that is not there keeps the dialog open"
        assert "is not a folder here" in _text(app.screen, "#folder-message")

        await pilot.press("escape")
        await _wait_for(pilot, lambda: isinstance(app.screen, SyncScreen), "the sync screen")
        assert app.screen.query_one(DataTable).row_count == 0
