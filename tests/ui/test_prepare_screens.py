"""The preparing screens under Pilot, driven by keys only, on a real vault with the demo school.

The demo vault is seeded once per module and copied for each test. The app
opens on today's clinic day, so each test first presses Escape for home.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from clinic_tui.app import ClinicApp
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.prepare import CallOutcome, ContactKind, Decision, InvitationReason, InvitationStatus
from clinic_tui.screens.contacts import ChronologyScreen, ContactDialog, ContactsScreen
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.letters import LettersScreen, RecordsDialog
from clinic_tui.screens.prepare import PrepareScreen
from clinic_tui.screens.prepare_dialogs import DecideDialog, suggested_reason
from clinic_tui.screens.schedule import AssignDialog, NewDayDialog, ScheduleScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG
from tests.helpers import complete_meeting, demo_session

SIZE = (100, 30)
SMALL = (80, 24)
OFFICER_CONFIG = """\
[general]
officer_name = "Siobhán Dvořák"
officer_phone = "0113 496 0001"
"""
DECISION = Decision("Priya Shah", "Head of year", InvitationReason.PERSISTENT_ABSENCE, dt.date(2026, 3, 9))


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("screens-demo")
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    demo_session(workspace, ManualClock(FIXED_START)).close()
    return home / "data"


@pytest.fixture
def prepared(clinic_home: Path, demo_data: Path) -> Workspace:
    (clinic_home / "config" / "config.toml").write_text(OFFICER_CONFIG + TEST_CONFIG)
    workspace = Workspace.open(clinic_home)
    shutil.copytree(demo_data, workspace.locations.data_dir, dirs_exist_ok=True)
    return workspace


def _app(workspace: Workspace, clock: ManualClock) -> ClinicApp:
    return ClinicApp(workspace, vault=workspace.profiles.unlock("demo", PASSPHRASE), clock=clock)


async def _wait_for(app, pilot, screen_type, attempts: int = 100):
    for _ in range(attempts):
        if isinstance(app.screen, screen_type):
            return app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"expected {screen_type.__name__}, got {type(app.screen).__name__}")


async def _open_prepare(app, pilot) -> PrepareScreen:
    await pilot.pause(0.2)
    if not isinstance(app.screen, HomeScreen):
        await pilot.press("escape")
    await _wait_for(app, pilot, HomeScreen)
    await pilot.press("r")
    return await _wait_for(app, pilot, PrepareScreen)


async def _highlight(pilot, screen: PrepareScreen, pupil_id: str) -> None:
    index = [row.pupil_id for row in screen.shown].index(pupil_id)
    for _ in range(index):
        await pilot.press("down")
    assert screen.highlighted.pupil_id == pupil_id


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.slow
async def test_decide_invitation_by_keys(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_prepare(app, pilot)
        row = next(item for item in screen.shown if len(item.family) > 1 and item.invitation is None)
        await _highlight(pilot, screen, row.pupil_id)

        await pilot.press("d")
        dialog = await _wait_for(app, pilot, DecideDialog)
        assert [choice.pupil_id for choice in dialog.family] == list(row.family)

        # No name, no invitation: the dialog stays open and shows the reason.
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert isinstance(app.screen, DecideDialog)
        assert "name of the person who decided" in _text(dialog, "#dialog-error")
        assert app.session.prepare.invitations() == []

        await pilot.press(*"Priya Shah", "tab", *"Head of year")
        await pilot.press("f2")
        await _wait_for(app, pilot, PrepareScreen)

        [invitation] = app.session.prepare.invitations()
        assert invitation.pupil_ids == row.family
        assert invitation.decision.decided_by == "Priya Shah"
        assert invitation.decision.role == "Head of year"
        assert invitation.decision.decided_on == FIXED_START.date()
        # The reason offered first matches the pupil's most serious flag.
        assert invitation.decision.reason is suggested_reason(row.candidate.flags)
        assert invitation.decision.reason is not None
        assert screen.highlighted.invitation == invitation


@pytest.mark.slow
async def test_decide_leaves_out_unticked_sibling(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_prepare(app, pilot)
        row = next(item for item in screen.shown if len(item.family) > 1 and item.invitation is None)
        await _highlight(pilot, screen, row.pupil_id)

        await pilot.press("d")
        await _wait_for(app, pilot, DecideDialog)
        await pilot.press(*"Sam Patel", "tab", *"DSL")
        # Shift+Tab twice reaches the family list, whose first entry Space unticks.
        await pilot.press("shift+tab", "shift+tab", "space", "f2")
        await _wait_for(app, pilot, PrepareScreen)

        [invitation] = app.session.prepare.invitations()
        assert invitation.pupil_ids == row.family[1:]


@pytest.mark.slow
async def test_log_call_by_keys(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_prepare(app, pilot)
        row = next(item for item in screen.shown if len(item.family) > 1)
        await _highlight(pilot, screen, row.pupil_id)

        await pilot.press("c")
        contacts = await _wait_for(app, pilot, ContactsScreen)
        assert contacts.pupil_ids == row.family
        assert "Phone first" in _text(contacts, "#contacts-reminder")

        await pilot.press("c")
        dialog = await _wait_for(app, pilot, ContactDialog)
        script = _text(dialog, "#call-script-text")
        pupils = app.session.prepare.pupils()
        for pupil_id in row.family:
            assert pupils[pupil_id].display_name in script
        assert "Helping your child succeed" in script
        assert "Siobhán Dvořák" in script

        # A call without an outcome is not logged.
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert "No outcome is chosen" in _text(dialog, "#dialog-error")

        await pilot.press("enter", "down", "down", "enter")
        await pilot.press("tab", *"Voicemail left")
        await pilot.press("f2")
        await _wait_for(app, pilot, ContactsScreen)

        [entry] = app.session.prepare.contacts(row.family)
        assert entry.kind is ContactKind.PHONE
        assert entry.outcome is CallOutcome.LEFT_MESSAGE
        assert entry.notes == "Voicemail left"
        assert entry.pupil_ids == row.family
        assert _text(contacts, "#contacts-reminder") == ""


@pytest.mark.slow
async def test_log_other_contact_and_chronology(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_prepare(app, pilot)
        row = screen.shown[0]
        app.session.prepare.decide(row.family, DECISION)

        await pilot.press("c")
        await _wait_for(app, pilot, ContactsScreen)
        await pilot.press("o")
        dialog = await _wait_for(app, pilot, ContactDialog)
        # The kind list opens with Enter; the second kind is a text message.
        await pilot.press("enter", "down", "enter", "tab", *"Sent the date")
        when = dialog.query_one("#at", Input)
        when.value = "09/03/2026 16:05"
        await pilot.press("f2")
        await _wait_for(app, pilot, ContactsScreen)

        await pilot.press("h")
        chronology = await _wait_for(app, pilot, ChronologyScreen)
        kinds = [entry.kind for entry in chronology.entries]
        assert kinds == ["invitation", "text"]
        assert chronology.entries[1].at == dt.datetime(2026, 3, 9, 16, 5, tzinfo=FIXED_START.tzinfo)
        assert "Notes: Sent the date" not in _text(chronology, "#chronology-notes")
        await pilot.press("down")
        assert _text(chronology, "#chronology-notes") == "Notes: Sent the date"


@pytest.mark.slow
async def test_schedule_and_write_letters_by_keys(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_prepare(app, pilot)
        row = next(item for item in screen.shown if not item.candidate.pupil.display_name.isascii())
        invitation = app.session.prepare.decide(row.family, DECISION)

        await pilot.press("s")
        schedule = await _wait_for(app, pilot, ScheduleScreen)
        await pilot.press("n")
        new_day = await _wait_for(app, pilot, NewDayDialog)
        assert new_day.query_one("#date", Input).value == "17/03/2026"
        await pilot.press("f2")
        await _wait_for(app, pilot, ScheduleScreen)
        assert schedule.day is not None and schedule.day.date == dt.date(2026, 3, 17)

        await pilot.press("a")
        await _wait_for(app, pilot, AssignDialog)
        await pilot.press("f2")
        await _wait_for(app, pilot, ScheduleScreen)
        [slot] = schedule.day.slots
        assert slot.family == row.family
        assert slot.mode is Mode.IN_PERSON
        assert app.session.prepare.invitation(invitation.id).status is InvitationStatus.SCHEDULED

        await pilot.press("l")
        letters = await _wait_for(app, pilot, LettersScreen)
        assert letters.batch is not None and letters.batch.ready
        preview = _text(letters, "#letters-preview-text")
        assert app.session.prepare.pupils()[row.pupil_id].display_name in preview
        assert "clinic" not in preview.lower()

        folder = prepared.locations.data_dir / "letters" / "2026-03-17"
        assert letters.query_one("#letters-folder", Input).value == str(folder)
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert sorted(path.name for path in folder.iterdir()) == ["invitation-001.docx", "invitation-001.pdf"]
        logged = app.session.prepare.contacts(row.family)
        assert [entry.kind for entry in logged] == [ContactKind.LETTER]


async def test_letters_gaps_write_nothing(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_prepare(app, pilot)
        await pilot.press("l")
        letters = await _wait_for(app, pilot, LettersScreen)
        assert letters.day.date == FIXED_START.date()
        assert letters.batch is not None and not letters.batch.ready

        await pilot.press("f2")
        await pilot.pause(0.1)
        assert "No letter was written" in _text(letters, "#letters-preview-text")
        assert not (prepared.locations.data_dir / "letters").exists()


async def test_export_record_from_letters(prepared):
    # The meeting is held before the app starts, because moving the app's
    # clock on by the meeting's length would trip its idle lock.
    clock = ManualClock(FIXED_START + dt.timedelta(minutes=20))
    session = Session(prepared, prepared.profiles.unlock("demo", PASSPHRASE), clock)
    try:
        day = session.days.today()
        record = session.days.start_meeting(day, day.slots[0].id)
        complete_meeting(record, FIXED_START.date())
        assert session.days.finalise(record) == []
    finally:
        session.close()

    app = _app(prepared, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_prepare(app, pilot)
        await pilot.press("l")
        await _wait_for(app, pilot, LettersScreen)
        await pilot.press("r")
        dialog = await _wait_for(app, pilot, RecordsDialog)
        assert [row.id for row, _time, _family in dialog.rows] == [record.id]
        await pilot.press("enter")
        await _wait_for(app, pilot, LettersScreen)
        await pilot.pause(0.2)

        folder = prepared.locations.data_dir / "letters" / "2026-03-10"
        stem = f"meeting-record-2026-03-10-{record.id}-v1"
        assert sorted(path.name for path in folder.iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]


async def test_candidate_list_shows_initials_only(prepared, fake_clock):
    app = _app(prepared, fake_clock)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_prepare(app, pilot)
        table = screen.table
        for index, row in enumerate(screen.shown[:20]):
            cells = [str(cell) for cell in table.get_row_at(index)]
            pupil = row.candidate.pupil
            assert cells[0] == row.label
            assert all(pupil.surname not in cell for cell in cells)

        # Plain-letter keys type into the broken-weeks box instead of acting.
        await pilot.press("f")
        screen.query_one("#filter-broken", Input).focus()
        await pilot.press("d", "5")
        assert isinstance(app.screen, PrepareScreen)
        assert screen.query_one("#filter-broken", Input).value == "5"
        assert all(row.candidate.measures.broken_weeks_recent >= 5 for row in screen.shown)


def test_prepare_screen_snapshot(snap_compare, prepared, fake_clock):
    app = _app(prepared, fake_clock)
    assert snap_compare(app, terminal_size=SMALL, press=["escape", "r"])


def test_decide_dialog_snapshot_light(snap_compare, prepared, fake_clock):
    app = _app(prepared, fake_clock)

    async def open_dialog(pilot) -> None:
        app.theme = "clinic-light"
        await _open_prepare(app, pilot)
        await pilot.press("d")
        await _wait_for(app, pilot, DecideDialog)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_dialog)
