"""The clinic day timeline under Pilot: the real app, a real vault with the demo day, a ManualClock.

The demo day is planned for Tuesday 10 March 2026 from 09:00, with 30-minute
slots and breaks at 10:30 to 10:45 and 12:15 to 13:00. Tests move the clock
by hand and call ``refresh_clock`` instead of waiting for the one-second
interval, except two tests that check that the interval runs.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Select, SelectionList, Static

from clinic_tui.app import ClinicApp
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind, SlotEventKind, SlotStatus
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.day import DayScreen
from clinic_tui.screens.day_dialogs import (
    DidNotAttendDialog,
    MoveToDialog,
    RearrangeDialog,
    SkipDialog,
    SlotFormDialog,
)
from clinic_tui.screens.day_history import ReadOnlyDialog
from clinic_tui.screens.help import HelpScreen
from clinic_tui.screens.meeting import MeetingScreen
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault
from clinic_tui.widgets.timeline import TimelineTable
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG

SIZE = (100, 30)
PROFILE = "alice"


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    """Return a time on the demo clinic day, Tuesday 10 March 2026."""
    return dt.datetime(2026, 3, 10, hour, minute, second, tzinfo=LOCAL_ZONE)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed one real demo vault per test process and return its data folder to copy.

    Seeding took about 2 s on a 2-core development machine, so each test
    copies the closed vault instead of seeding its own.
    """
    home = tmp_path_factory.mktemp("demo-template")
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    workspace.profiles.create(PROFILE, PASSPHRASE)
    vault = workspace.profiles.unlock(PROFILE, PASSPHRASE)
    try:
        seed_demo(workspace, vault, ManualClock(FIXED_START))
    finally:
        vault.close()
    return workspace.locations.data_dir


def open_demo_vault(workspace: Workspace, template: Path, clock: ManualClock) -> Vault:
    """Copy the seeded demo vault into this test's workspace and unlock it.

    The tests jump the clock by many minutes at once, which the idle lock
    would count as minutes without a key press, so the lock waits a day here.
    """
    workspace.config.security.idle_lock_minutes = 24 * 60
    shutil.copytree(template, workspace.locations.data_dir, dirs_exist_ok=True)
    return workspace.profiles.unlock(PROFILE, PASSPHRASE, clock=clock.now)


@pytest.fixture
def demo_vault(workspace: Workspace, demo_template: Path, fake_clock: ManualClock) -> Iterator[Vault]:
    vault = open_demo_vault(workspace, demo_template, fake_clock)
    yield vault
    if vault.is_open:
        vault.close()


def demo_day(workspace: Workspace, vault: Vault, clock: ManualClock) -> tuple[Session, ClinicDay]:
    session = Session(workspace, vault, clock)
    day = session.days.today()
    assert day is not None, "the demo vault has no clinic day on 10 March 2026"
    return session, day


def start_slot(workspace: Workspace, vault: Vault, clock: ManualClock, index: int, when: dt.datetime) -> str:
    """Start the meeting of the slot at ``index`` through the service, before the app opens."""
    session, day = demo_day(workspace, vault, clock)
    clock.set(when)
    slot_id = day.slots[index].id
    session.days.start_meeting(day, slot_id)
    # Without this the app would reopen the meeting screen on start-up instead of the day.
    session.days.clear_resume()
    return slot_id


async def open_day(app: ClinicApp, pilot) -> DayScreen:
    for _ in range(200):
        if isinstance(app.screen, DayScreen) and app.screen.day is not None:
            await pilot.pause()
            return app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"expected the day screen, got {type(app.screen).__name__}")


async def wait_for(app: ClinicApp, pilot, screen_type: type):
    for _ in range(100):
        if isinstance(app.screen, screen_type):
            await pilot.pause()
            return app.screen
        await pilot.pause(0.05)
    raise AssertionError(f"expected {screen_type.__name__}, got {type(app.screen).__name__}")


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def banner(screen: DayScreen, name: str) -> str | None:
    """Return a banner's text, or None while it is hidden."""
    widget = screen.query_one(f"#{name}-banner", Static)
    return str(widget.render()) if widget.has_class("-shown") else None


def cell(screen: DayScreen, slot_id: str, column: str) -> str:
    return str(screen.query_one(TimelineTable).get_cell(slot_id, column))


async def notifications(app: ClinicApp, pilot) -> list[str]:
    """Return the messages of the notifications on screen, once the app has handled them."""
    await pilot.pause()
    # Textual keeps them in App._notifications and has no public accessor.
    return [notification.message for notification in app._notifications]


def stored_day(app: ClinicApp, day_id: str) -> ClinicDay:
    """Read the day back from the vault, not from the screen's copy."""
    assert app.session is not None
    return app.session.days.load(day_id)


async def highlight_row(screen: DayScreen, pilot, index: int) -> str:
    table = screen.query_one(TimelineTable)
    table.move_cursor(row=index)
    await pilot.pause()
    slot_id = table.highlighted_slot_id
    assert slot_id is not None
    return slot_id


# -- what the timeline shows --------------------------------------------------------


async def test_timeline_lists_demo_slots(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    labels = {view.slot.id: view.label for view in session.days.slot_views(day)}
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        table = screen.query_one(TimelineTable)
        first = day.slots[0]

        assert table.row_count == len(day.slots)
        assert text_of(screen, "#day-heading") == "Tuesday 10 March 2026 · Fenmoor Park Academy · Meeting room 2"
        assert text_of(screen, "#day-clock") == "08:45:00"
        assert cell(screen, first.id, "planned") == "09:00"
        assert cell(screen, first.id, "projected") == "09:00"
        assert cell(screen, first.id, "family") == labels[first.id]
        assert cell(screen, first.id, "status") == "· planned"
        assert cell(screen, first.id, "record") == "none"
        assert cell(screen, first.id, "mode") == first.mode.label
        assert cell(screen, first.id, "attendees").startswith("parent/carer, pupil")
        assert "No meeting in progress. Next: 09:00" in text_of(screen, "#slot-line")
        assert banner(screen, "slot") is None
        assert banner(screen, "late") is None
        assert banner(screen, "dna") is None


async def test_labels_never_show_full_names(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    pupils = [session.attendance.pupils.get(pupil_id) for slot in day.slots for pupil_id in slot.family]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        fake_clock.set(at(9, 20))
        screen.refresh_clock()
        table = screen.query_one(TimelineTable)
        visible_texts = [str(value) for row_key in table.rows for value in table.get_row(row_key)]
        for selector in ("#slot-line", "#slot-banner", "#late-banner", "#dna-banner"):
            visible_texts.append(text_of(screen, selector))

        assert pupils, "the demo day has no pupils"
        for pupil in pupils:
            for name in {pupil.forename, pupil.surname, pupil.preferred_name} - {""}:
                pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
                leaks = [text for text in visible_texts if pattern.search(text)]
                assert not leaks, f"a pupil's name appears on the timeline: {leaks}"


# -- clock, warnings and projections ---------------------------------------------------


async def test_five_minute_warning_once(workspace, demo_vault, fake_clock):
    slot_id = start_slot(workspace, demo_vault, fake_clock, 0, at(9, 0))
    fake_clock.set(at(9, 24, 59))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        assert banner(screen, "slot") is None
        assert "5:01 left until 09:30" in text_of(screen, "#slot-line")

        fake_clock.set(at(9, 25))
        screen.refresh_clock()
        warning = banner(screen, "slot")
        assert warning is not None
        assert warning.startswith("Under five minutes left: the meeting at 09:00")
        assert "due to end at 09:30" in warning
        assert screen.query_one("#slot-banner").has_class("-warning")
        assert cell(screen, slot_id, "status") == "▶ in progress"

        fake_clock.set(at(9, 28))
        screen.refresh_clock()
        warned = [message for message in await notifications(app, pilot) if message.startswith("Five minutes left")]
        assert len(warned) == 1


async def test_warning_shown_over_help(workspace, demo_vault, fake_clock):
    start_slot(workspace, demo_vault, fake_clock, 0, at(9, 0))
    fake_clock.set(at(9, 24))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        await pilot.press("f1")
        await wait_for(app, pilot, HelpScreen)

        # The timeline's clock keeps running under another screen, such as the meeting.
        fake_clock.set(at(9, 25))
        await pilot.pause(1.3)
        assert isinstance(app.screen, HelpScreen)
        warned = [message for message in await notifications(app, pilot) if message.startswith("Five minutes left")]
        assert len(warned) == 1


async def test_overrun_and_running_late(workspace, demo_vault, fake_clock):
    start_slot(workspace, demo_vault, fake_clock, 0, at(9, 2))
    session, day = demo_day(workspace, demo_vault, fake_clock)
    second, third, after_break = day.slots[1], day.slots[2], day.slots[3]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        # The first meeting started two minutes late, so the next one will too.
        assert banner(screen, "late") == (
            f"Running late by 2 min: the next slot, 09:30 {cell(screen, second.id, 'family')}, "
            "is projected to start at 09:32."
        )

        # Let the one-second interval redraw, to check that it runs.
        fake_clock.set(at(9, 40))
        await pilot.pause(1.3)

        overrun = banner(screen, "slot")
        assert overrun is not None
        assert overrun.startswith("Overrunning: the meeting at 09:00")
        assert "was due to end at 09:32 and is 8 min over" in overrun
        assert screen.query_one("#slot-banner").has_class("-overrun")
        assert text_of(screen, "#day-clock") == "09:40:00"
        late = banner(screen, "late")
        assert late is not None
        assert late.startswith("Running late by 10 min: the next slot, 09:30")
        assert "projected to start at 09:40" in late
        assert cell(screen, second.id, "projected") == "09:40 +10 min"
        assert cell(screen, third.id, "projected") == "10:10 +10 min"
        # The break from 10:30 absorbs the lateness.
        assert cell(screen, after_break.id, "projected") == "10:45"

        fake_clock.set(at(9, 50))
        screen.refresh_clock()
        assert cell(screen, second.id, "projected") == "09:50 +20 min"
        overrun_notices = [message for message in await notifications(app, pilot) if "overrunning" in message]
        assert len(overrun_notices) == 1


async def test_day_on_other_date_shows_plan(workspace, demo_vault, fake_clock):
    fake_clock.set(at(9, 0) + dt.timedelta(days=1, hours=5))
    session, day = demo_day(workspace, demo_vault, ManualClock(at(8, 0)))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(DayScreen(day.id))
        screen = await open_day(app, pilot)

        assert "not today" in text_of(screen, "#slot-line")
        assert cell(screen, day.slots[1].id, "projected") == "09:30"
        assert banner(screen, "late") is None
        assert banner(screen, "dna") is None


async def test_unknown_day_id_explains(workspace, demo_vault, fake_clock):
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        app.push_screen(DayScreen("00000000-0000-4000-8000-000000000000"))
        await pilot.pause(0.2)

        assert isinstance(app.screen, DayScreen)
        assert app.screen.day is None
        assert "is not in this vault" in text_of(app.screen, "#slot-line")
        assert any("is not in this vault" in message for message in await notifications(app, pilot))


# -- did not attend ------------------------------------------------------------------


async def test_dna_offered_and_recorded(workspace, demo_vault, fake_clock):
    fake_clock.set(at(9, 9, 59))
    session, day = demo_day(workspace, demo_vault, fake_clock)
    first = day.slots[0]
    label = {view.slot.id: view.label for view in session.days.slot_views(day)}[first.id]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        assert banner(screen, "dna") is None

        fake_clock.set(at(9, 10))
        screen.refresh_clock()
        offer = banner(screen, "dna")
        assert offer == f"Not arrived after 10 min: 09:00 {label}. Press D to record did not attend."

        await pilot.press("d")
        dialog = await wait_for(app, pilot, DidNotAttendDialog)
        await pilot.press("space")  # ticks the highlighted first box, phone call
        assert "Ticked: Phone call" in text_of(dialog, "#contact-ticked")
        dialog.query_one("#note", Input).focus()
        await pilot.press(*"Rang twice")
        dialog.query_one("#follow-up", Select).value = FollowUpKind.HOME_VISIT
        assert dialog.query_one("#due", Input).value == "17/03/2026"
        await pilot.press("f2")
        await wait_for(app, pilot, DayScreen)

        assert cell(screen, first.id, "status") == "✗ did not attend"
        assert banner(screen, "dna") is None
        saved = stored_day(app, day.id)
        slot = saved.slot(first.id)
        assert slot.status is SlotStatus.DID_NOT_ATTEND
        assert slot.did_not_attend is not None
        assert slot.did_not_attend.contact == (ContactAttempt.PHONE,)
        assert slot.did_not_attend.note == "Rang twice"
        assert len(saved.follow_ups) == 1
        follow_up = saved.follow_ups[0]
        assert follow_up.slot_id == first.id
        assert follow_up.kind is FollowUpKind.HOME_VISIT
        assert follow_up.due == dt.date(2026, 3, 17)

        await pilot.press("u")
        listing = await wait_for(app, pilot, ReadOnlyDialog)
        body = text_of(listing, "#dialog-body")
        assert f"Due 17/03/2026  Home visit · 09:00 {label} · open" in body


async def test_dna_grace_from_config(clinic_home, demo_template, fake_clock):
    config = clinic_home / "config" / "config.toml"
    config.write_text(config.read_text() + "\n[day]\ndna_grace_minutes = 15\n")
    workspace = Workspace.open(clinic_home)
    vault = open_demo_vault(workspace, demo_template, fake_clock)
    fake_clock.set(at(9, 14, 59))
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        assert banner(screen, "dna") is None

        fake_clock.set(at(9, 15))
        screen.refresh_clock()
        offer = banner(screen, "dna")
        assert offer is not None
        assert offer.startswith("Not arrived after 15 min: 09:00")


async def test_dna_dialog_rejects_bad_input(workspace, demo_vault, fake_clock):
    fake_clock.set(at(9, 12))
    session, day = demo_day(workspace, demo_vault, fake_clock)
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        await pilot.press("d")
        dialog = await wait_for(app, pilot, DidNotAttendDialog)

        await pilot.press("f2")
        assert isinstance(app.screen, DidNotAttendDialog), "the dialog closed on invalid input"
        assert text_of(dialog, "#dialog-error") == "Contact tried is empty. Choose phone, text, at reception or none."

        dialog.query_one("#contact", SelectionList).select(ContactAttempt.NONE)
        await pilot.press("f2")
        assert "Say why no contact was tried." in text_of(dialog, "#dialog-error")

        dialog.query_one("#note", Input).value = "Family moved away last week"
        dialog.query_one("#due", Input).value = "31/02/2026"
        await pilot.press("f2")
        assert text_of(dialog, "#dialog-error") == (
            "Follow-up due date '31/02/2026' is not a real date. Check the day and the month."
        )
        assert any("not a real date" in message for message in await notifications(app, pilot))
        assert stored_day(app, day.id).slots[0].status is SlotStatus.PLANNED

        await pilot.press("escape")
        await wait_for(app, pilot, DayScreen)
        assert stored_day(app, day.id).follow_ups == ()


async def test_dna_before_start_refused(workspace, demo_vault, fake_clock):
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        await pilot.press("d")
        await pilot.pause()

        assert isinstance(app.screen, DayScreen)
        assert any("has not reached its start time yet" in message for message in await notifications(app, pilot))


# -- skip, move and rearrange ------------------------------------------------------------


async def test_skip_asks_for_reason(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        slot_id = await highlight_row(screen, pilot, 1)
        await pilot.press("s")
        dialog = await wait_for(app, pilot, SkipDialog)

        await pilot.press("enter")
        assert isinstance(app.screen, SkipDialog)
        assert text_of(dialog, "#dialog-error") == "Reason for skipping is empty. Say why the slot is skipped."

        # These letters are also timeline keys, but in the dialog they must only type.
        reason = "Family cancelled, sick"
        await pilot.press(*reason)
        assert dialog.query_one("#reason", Input).value == reason
        assert len(app.screen_stack) == 4, "a timeline key opened another screen"
        await pilot.press("enter")
        await wait_for(app, pilot, DayScreen)

        assert cell(screen, slot_id, "status") == "– skipped"
        assert cell(screen, slot_id, "projected") == "—"
        slot = stored_day(app, day.id).slot(slot_id)
        assert slot.status is SlotStatus.SKIPPED
        assert slot.events[-1].kind is SlotEventKind.SKIPPED
        assert slot.events[-1].detail == reason


async def test_move_earlier_and_later(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    first, second = day.slots[0], day.slots[1]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        table = screen.query_one(TimelineTable)
        await highlight_row(screen, pilot, 1)

        await pilot.press("e")
        assert stored_day(app, day.id).slot(second.id).start == dt.time(9, 0)
        assert stored_day(app, day.id).slot(first.id).start == dt.time(9, 30)
        assert table.get_row_index(second.id) == 0
        assert table.highlighted_slot_id == second.id, "the cursor did not follow the moved slot"
        assert cell(screen, second.id, "planned") == "09:00"

        await pilot.press("l")
        assert stored_day(app, day.id).slot(second.id).start == dt.time(9, 30)
        assert table.highlighted_slot_id == second.id

        await highlight_row(screen, pilot, 0)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DayScreen)
        assert "The slot at 09:00 is already the first planned slot." in await notifications(app, pilot)
        assert stored_day(app, day.id).slot(first.id).start == dt.time(9, 0)


async def test_move_to_time(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        slot_id = await highlight_row(screen, pilot, 2)
        await pilot.press("t")
        dialog = await wait_for(app, pilot, MoveToDialog)
        time_input = dialog.query_one("#time", Input)

        await pilot.press(*"25:99", "enter")
        assert text_of(dialog, "#dialog-error") == (
            "New start time '25:99' is not a time. Type it as HH:MM on the 24-hour clock, for example 14:30."
        )

        time_input.value = "10:30"
        await pilot.press("enter")
        assert text_of(dialog, "#dialog-error") == (
            "A slot at 10:30 overlaps the break from 10:30 to 10:45. Choose another time."
        )

        time_input.value = "15:00"
        dialog.query_one("#reason", Input).value = "Parent works until two"
        await pilot.press("f2")
        await wait_for(app, pilot, DayScreen)

        slot = stored_day(app, day.id).slot(slot_id)
        assert slot.start == dt.time(15, 0)
        assert slot.events[-1].detail == "moved from 10:00 to 15:00: Parent works until two"
        assert screen.query_one(TimelineTable).get_row_index(slot_id) == len(day.slots) - 1


async def test_rearrange_keeps_history(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    old = day.slots[1]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        await highlight_row(screen, pilot, 1)
        await pilot.press("r")
        dialog = await wait_for(app, pilot, RearrangeDialog)

        dialog.query_one("#date", Input).value = "10/03/2026"
        dialog.query_one("#time", Input).value = "16:00"
        dialog.query_one("#reason", Input).value = "Parent is at work that day"
        await pilot.press("f2")
        assert "move the slot to another time instead" in text_of(dialog, "#dialog-error")

        dialog.query_one("#date", Input).value = "12/03/2026"
        dialog.query_one("#time", Input).value = "10:00"
        await pilot.press("f2")
        await wait_for(app, pilot, DayScreen)

        assert cell(screen, old.id, "status") == "→ rearranged"
        stored_old = stored_day(app, day.id).slot(old.id)
        assert stored_old.status is SlotStatus.REARRANGED
        assert [event.kind for event in stored_old.events] == [SlotEventKind.CREATED, SlotEventKind.REARRANGED]

        assert app.session is not None
        new_day_ids = [day_id for day_id, date in app.session.days.days() if date == dt.date(2026, 3, 12)]
        assert len(new_day_ids) == 1
        new_day = app.session.days.load(new_day_ids[0])
        [new_slot] = new_day.slots
        assert new_slot.rearranged_from == old.id
        assert new_slot.family == old.family
        assert new_slot.start == dt.time(10, 0)
        assert new_slot.status is SlotStatus.PLANNED
        assert stored_old.rearranged_to == new_slot.id

        await pilot.press("h")
        history = await wait_for(app, pilot, ReadOnlyDialog)
        lines = text_of(history, "#dialog-body")
        assert "created: planned for 09:30" in lines
        assert "rearranged to 12/03/2026 at 10:00" in lines
        await pilot.press("escape")
        await wait_for(app, pilot, DayScreen)

        app.push_screen(DayScreen(new_day.id))
        other = await open_day(app, pilot)
        assert other.day is not None and other.day.id == new_day.id
        assert cell(other, new_slot.id, "planned") == "10:00"
        assert cell(other, new_slot.id, "family") == cell(screen, old.id, "family")


# -- meetings --------------------------------------------------------------------------


async def test_enter_starts_meeting(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    first = day.slots[0]
    fake_clock.set(at(9, 1))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)

        assert app.session is not None
        record_row = app.session.days.store.record_for_slot(first.id)
        assert record_row is not None
        assert record_row.state == "draft"
        slot = stored_day(app, day.id).slot(first.id)
        assert slot.status is SlotStatus.IN_PROGRESS
        assert slot.started_at == at(9, 1)

        pushed = await wait_for(app, pilot, MeetingScreen)
        assert pushed.record_id == record_row.id
        assert pushed.step is StepId.ATTENDEES

        # Leaving the meeting on step 3 and opening it again goes back to step 3.
        await pilot.press("f8", "f8")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(app, pilot, DayScreen)
        await pilot.press("enter")
        reopened = await wait_for(app, pilot, MeetingScreen)
        assert reopened.record_id == record_row.id
        assert reopened.step is StepId.ATTENDANCE


async def test_finish_meeting_in_progress(workspace, demo_vault, fake_clock):
    slot_id = start_slot(workspace, demo_vault, fake_clock, 0, at(9, 0))
    fake_clock.set(at(9, 28))
    session, day = demo_day(workspace, demo_vault, fake_clock)
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        await pilot.press("f")
        await pilot.pause()

        slot = stored_day(app, day.id).slot(slot_id)
        assert slot.status is SlotStatus.FINISHED
        assert slot.finished_at == at(9, 28)
        assert cell(screen, slot_id, "status") == "✓ finished"
        assert cell(screen, slot_id, "record") == "draft"
        assert text_of(screen, "#slot-line").startswith("No meeting in progress. Next: 09:30")

        await pilot.press("f")
        await pilot.pause()
        assert "No meeting is in progress, so there is nothing to finish." in await notifications(app, pilot)


async def test_enter_on_skipped_slot_explains(workspace, demo_vault, fake_clock):
    session, day = demo_day(workspace, demo_vault, fake_clock)
    first = day.slots[0]
    session.days.skip(day, first.id, "Family cancelled")
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        await highlight_row(screen, pilot, 0)
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, DayScreen)
        assert any("is skipped, so it has no meeting to open" in message for message in await notifications(app, pilot))
        assert app.session is not None
        assert app.session.days.store.record_for_slot(first.id) is None


async def test_second_meeting_start_refused(workspace, demo_vault, fake_clock):
    start_slot(workspace, demo_vault, fake_clock, 0, at(9, 0))
    fake_clock.set(at(9, 10))
    session, day = demo_day(workspace, demo_vault, fake_clock)
    second = day.slots[1]
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_day(app, pilot)
        await highlight_row(screen, pilot, 1)
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, DayScreen)
        expected = "The slot at 09:00 is still in progress. Finish it before starting another."
        assert expected in await notifications(app, pilot)
        assert app.session is not None
        assert app.session.days.store.record_for_slot(second.id) is None


# -- keys ------------------------------------------------------------------------------


async def test_palette_lists_timeline_actions(workspace, demo_vault, fake_clock):
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        await pilot.press("ctrl+p")
        palette = await wait_for(app, pilot, CommandPalette)
        await pilot.press(*"Timeline")
        prompts: list[str] = []
        for _ in range(60):
            await pilot.pause(0.05)
            options = palette.query_one("CommandList").options
            prompts = [str(option.prompt) for option in options]
            if len(prompts) >= 11:
                break

        for label in ("Open", "Finish", "DNA", "Skip", "Rearrange", "Time", "Earlier", "Later", "History"):
            assert any(prompt.startswith(f"Timeline: {label}") for prompt in prompts), prompts
        assert not any("Save" in prompt for prompt in prompts), "the dialogs' keys leaked into the timeline palette"


async def test_all_dialogs_close_with_escape(workspace, demo_vault, fake_clock):
    fake_clock.set(at(9, 12))
    app = ClinicApp(workspace, vault=demo_vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_day(app, pilot)
        for key, dialog_type in (
            ("s", SkipDialog),
            ("t", MoveToDialog),
            ("r", RearrangeDialog),
            ("d", DidNotAttendDialog),
            ("h", ReadOnlyDialog),
            ("u", ReadOnlyDialog),
        ):
            await pilot.press(key)
            await wait_for(app, pilot, dialog_type)
            await pilot.press("escape")
            await wait_for(app, pilot, DayScreen)
        assert not any(isinstance(screen, SlotFormDialog) for screen in app.screen_stack)
