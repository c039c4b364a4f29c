"""The barriers step under Pilot: one list of barriers and one notes field, in the real app with a real vault.

Each test starts a meeting on the demo day as the day timeline does, opens
it at the barriers step and drives it with keys. What the step stored is
read back from the vault through the record store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from clinic_tui.app import ClinicApp
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting import MeetingScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.workspace import Workspace
from clinic_tui.widgets.tick_list import TickList
from tests.conftest import PASSPHRASE
from tests.helpers import copy_home, seeded_home, wait_for

SIZE = (100, 30)
IN_PERSON_SLOT = 0
BARRIERS = list(Barrier)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed the demo school and day once, so that each test copies the folder instead of seeding."""
    return seeded_home(tmp_path_factory.mktemp("barriers-template") / "clinic-home", seed_demo)


@pytest.fixture
def workspace(demo_template: Path, clinic_home: Path) -> Workspace:
    """A private copy of the seeded demo home."""
    return copy_home(demo_template, clinic_home)


def _demo_app(workspace: Workspace, clock: ManualClock) -> ClinicApp:
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    return ClinicApp(workspace, vault=vault, clock=clock)


async def _open_barriers(app: ClinicApp, pilot, record_id: str | None = None, **barriers: str) -> MeetingScreen:
    """Open a meeting at the barriers step: the first slot's, started now, or ``record_id`` again.

    ``barriers`` (a Barrier name and its notes) are stored through the domain before the meeting opens.
    """
    days = app.session.days
    if record_id is None:
        day = days.today()
        record = days.start_meeting(day, day.slots[IN_PERSON_SLOT].id)
        for name, notes in barriers.items():
            record.set_barrier(Barrier[name], notes)
        days.autosave(record)
        record_id = record.id

    screen = MeetingScreen(record_id, StepId.BARRIERS)
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen, "the meeting screen")
    await wait_for(pilot, lambda: isinstance(app.focused, TickList), "the barrier list to take the focus")
    return screen


def _stored(app: ClinicApp, screen: MeetingScreen) -> MeetingRecord:
    return app.session.days.store.load_record(screen.record_id)


def _stored_barriers(app: ClinicApp, screen: MeetingScreen) -> dict[Barrier, str]:
    return {entry.barrier: entry.notes for entry in _stored(app, screen).barriers}


async def _wait_for_stored(pilot, app: ClinicApp, screen: MeetingScreen, expected: dict[Barrier, str]) -> None:
    await wait_for(pilot, lambda: _stored_barriers(app, screen) == expected, f"the vault to hold {expected}")


def _parts(screen: MeetingScreen) -> tuple[TickList, Input, str]:
    """Return the barrier list, the notes field and the text of the field's label."""
    label = str(screen.query_one("#barrier-notes-label", Static).render())
    return screen.query_one("#barrier-list", TickList), screen.query_one("#barrier-notes", Input), label


def _line(tick_list: TickList, barrier: Barrier) -> str:
    """Return the text of the barrier's line as the list draws it, whether or not it is scrolled into view."""
    index = BARRIERS.index(barrier)
    return tick_list.render_line(index - tick_list.scroll_offset.y).text


def _in_view(tick_list: TickList) -> bool:
    top = tick_list.scroll_offset.y
    return top <= tick_list.highlighted < top + tick_list.scrollable_content_region.height


def _downs(barrier: Barrier) -> list[str]:
    """Return the keys that move the highlight from the first barrier to ``barrier``."""
    return ["down"] * BARRIERS.index(barrier)


async def test_space_ticks_the_highlighted_barrier(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)
        tick_list, _, label = _parts(screen)
        assert tick_list.highlighted_key == Barrier.PHYSICAL_ILLNESS.value
        assert label == "Notes on: Physical illness"
        assert _line(tick_list, Barrier.PHYSICAL_ILLNESS).startswith("▸ [ ] Physical illness")

        await pilot.press("space")
        await _wait_for_stored(pilot, app, screen, {Barrier.PHYSICAL_ILLNESS: ""})
        assert tick_list.is_ticked(Barrier.PHYSICAL_ILLNESS.value)
        # The tick reads as a mark in the line's text, not only as a colour.
        assert _line(tick_list, Barrier.PHYSICAL_ILLNESS).startswith("▸ [x] Physical illness")


async def test_untick_removes_barrier_keeps_notes(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot, TRANSPORT="Bus often full", BULLYING="Fell out with a friend")
        tick_list, field, _ = _parts(screen)
        assert tick_list.is_ticked(Barrier.TRANSPORT.value)

        await pilot.press(*_downs(Barrier.TRANSPORT))
        assert field.value == "Bus often full"
        await pilot.press("space")
        await _wait_for_stored(pilot, app, screen, {Barrier.BULLYING: "Fell out with a friend"})
        assert not tick_list.is_ticked(Barrier.TRANSPORT.value)
        assert _line(tick_list, Barrier.TRANSPORT).startswith("▸ [ ] Transport")

        # The notes stay on the unticked line, so ticking it again brings them back.
        assert field.value == "Bus often full"
        await pilot.press("space")
        await _wait_for_stored(
            pilot, app, screen, {Barrier.BULLYING: "Fell out with a friend", Barrier.TRANSPORT: "Bus often full"}
        )


async def test_typed_notes_tick_and_store(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)
        tick_list, field, label = _parts(screen)

        await pilot.press(*_downs(Barrier.HOUSING_MONEY))
        assert _parts(screen)[2] == "Notes on: Housing or money"
        # Enter goes from the list to the notes field.
        await pilot.press("enter")
        assert app.focused is field
        await pilot.press(*"Rent arrears")

        assert tick_list.is_ticked(Barrier.HOUSING_MONEY.value)
        assert tick_list.note(Barrier.HOUSING_MONEY.value) == "Rent arrears"
        assert "Rent arrears" in _line(tick_list, Barrier.HOUSING_MONEY)
        assert screen.record.barriers[0].notes == "Rent arrears"
        await _wait_for_stored(pilot, app, screen, {Barrier.HOUSING_MONEY: "Rent arrears"})

        # Enter in the field goes back to the list, and Tab from the list to the field.
        await pilot.press("enter")
        assert app.focused is tick_list
        await pilot.press("tab")
        assert app.focused is field


async def test_highlight_shows_barrier_notes(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot, SCHOOL_BASED="Detentions for lateness")
        tick_list, field, _ = _parts(screen)
        assert field.value == ""

        await pilot.press(*_downs(Barrier.SCHOOL_BASED))
        assert field.value == "Detentions for lateness"
        assert _parts(screen)[2] == "Notes on: School-based (curriculum, behaviour, sanctions)"

        # Notes typed on the next barrier stay with it when the highlight comes back.
        await pilot.press("down", "tab", *"Moved from primary", "shift+tab", "up")
        assert field.value == "Detentions for lateness"
        assert _parts(screen)[2] == "Notes on: School-based (curriculum, behaviour, sanctions)"
        assert field.cursor_position == len("Detentions for lateness")
        await pilot.press("down")
        assert field.value == "Moved from primary"
        assert _parts(screen)[2] == "Notes on: Transition"
        await _wait_for_stored(
            pilot,
            app,
            screen,
            {Barrier.SCHOOL_BASED: "Detentions for lateness", Barrier.TRANSITION: "Moved from primary"},
        )


async def test_home_end_page_keys_move_highlight(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_barriers(app, pilot)
        tick_list, _, _ = _parts(screen)
        # At 80x24 the list cannot show every barrier at once, so it scrolls to the highlight.
        assert tick_list.size.height < len(BARRIERS)

        await pilot.press("end")
        assert tick_list.highlighted_key == Barrier.OTHER.value
        assert _in_view(tick_list)
        assert _line(tick_list, Barrier.OTHER).startswith("▸ [ ] Other")
        assert _parts(screen)[2] == "Notes on: Other"
        await pilot.press("home")
        assert tick_list.highlighted_key == Barrier.PHYSICAL_ILLNESS.value
        assert tick_list.scroll_offset.y == 0

        await pilot.press("pagedown")
        page = tick_list.highlighted
        assert 0 < page < len(BARRIERS) - 1
        assert _in_view(tick_list)
        await pilot.press("pagedown")
        assert tick_list.highlighted_key == Barrier.OTHER.value
        await pilot.press("pageup")
        assert tick_list.highlighted == len(BARRIERS) - 1 - page
        await pilot.press("up")
        assert tick_list.highlighted == len(BARRIERS) - 2 - page


async def test_highlight_stays_in_view_on_resize(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)
        tick_list, _, _ = _parts(screen)
        await pilot.press("end", "up")
        assert tick_list.scroll_offset.y == 0

        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: tick_list.size.height < len(BARRIERS), "the list to get shorter")
        await pilot.pause()
        assert tick_list.highlighted_key == Barrier.SAFEGUARDING.value
        assert _in_view(tick_list)


async def test_click_box_ticks_label_highlights(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)
        tick_list, field, _ = _parts(screen)
        await pilot.press("tab", *"Asthma")

        # The lines start with a pointer column, then the box: "▸ [ ] Label".
        row = BARRIERS.index(Barrier.BULLYING)
        await pilot.click(tick_list, offset=(3, row))
        assert tick_list.highlighted_key == Barrier.BULLYING.value
        assert tick_list.is_ticked(Barrier.BULLYING.value)
        assert field.value == ""

        await pilot.click(tick_list, offset=(12, row + 1))
        assert tick_list.highlighted_key == Barrier.SCHOOL_BASED.value
        assert not tick_list.is_ticked(Barrier.SCHOOL_BASED.value)
        await _wait_for_stored(pilot, app, screen, {Barrier.PHYSICAL_ILLNESS: "Asthma", Barrier.BULLYING: ""})


async def test_long_notes_end_in_ellipsis(workspace, fake_clock):
    notes = "The bus is often full on Mondays, so she waits for the next one and arrives late."
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_barriers(app, pilot, TRANSPORT=notes)
        tick_list, _, _ = _parts(screen)
        await pilot.press(*_downs(Barrier.TRANSPORT))

        line = _line(tick_list, Barrier.TRANSPORT).rstrip()
        assert line.startswith("▸ [x] Transport")
        assert line.endswith("…")
        preview = line.split("Transport", 1)[1].strip().removesuffix("…")
        assert preview
        assert notes.startswith(preview)


async def test_other_without_notes_is_gap(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)

        await pilot.press("end", "space")
        gaps = [gap.message for gap in screen.gaps() if gap.step is StepId.BARRIERS]
        assert gaps == ["The 'Other' barrier is chosen but has no notes. Describe the barrier, or untick it."]
        # The record cannot hold Other without notes, so only the list has it ticked.
        assert Barrier.OTHER not in _stored_barriers(app, screen)
        assert "Other" in str(screen.query_one("#message-barriers", Static).render())

        await pilot.press("enter", *"Grandparent's funeral abroad")
        assert not any(gap.step is StepId.BARRIERS for gap in screen.gaps())
        await _wait_for_stored(pilot, app, screen, {Barrier.OTHER: "Grandparent's funeral abroad"})
        assert str(screen.query_one("#message-barriers", Static).render()) == ""


async def test_safeguarding_barrier_asks_for_concern(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)

        await pilot.press(*_downs(Barrier.SAFEGUARDING), "space")
        message = str(screen.query_one("#message-barriers", Static).render())
        assert "press F6" in message
        await _wait_for_stored(pilot, app, screen, {Barrier.SAFEGUARDING: ""})


async def test_list_survives_reopening_meeting(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot, MENTAL_HEALTH="Anxious about tests")
        record_id = screen.record_id
        await pilot.press(*_downs(Barrier.YOUNG_CARER), "space", "down", "enter", *"Mum unwell")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MeetingScreen), "the meeting to close")

        screen = await _open_barriers(app, pilot, record_id)
        tick_list, field, label = _parts(screen)
        ticked = {barrier for barrier in Barrier if tick_list.is_ticked(barrier.value)}
        assert ticked == {Barrier.MENTAL_HEALTH, Barrier.YOUNG_CARER, Barrier.PARENTAL_HEALTH}
        assert tick_list.note(Barrier.MENTAL_HEALTH.value) == "Anxious about tests"
        assert tick_list.note(Barrier.PARENTAL_HEALTH.value) == "Mum unwell"
        assert tick_list.highlighted_key == Barrier.PHYSICAL_ILLNESS.value
        assert field.value == ""
        assert label == "Notes on: Physical illness"
        assert "Mum unwell" in _line(tick_list, Barrier.PARENTAL_HEALTH)
        # Opening the meeting again is not an edit.
        assert not screen.saver.dirty


async def test_other_tick_without_notes_survives_reopening(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_barriers(app, pilot)
        record_id = screen.record_id
        await pilot.press("end", "space", "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MeetingScreen), "the meeting to close")

        screen = await _open_barriers(app, pilot, record_id)
        tick_list, _, _ = _parts(screen)
        gaps = [gap.message for gap in screen.gaps() if gap.step is StepId.BARRIERS]
        stored = _stored_barriers(app, screen)

    # The record cannot hold Other without notes, so the tick comes back from the saved form inputs.
    assert tick_list.is_ticked(Barrier.OTHER.value)
    assert Barrier.OTHER not in stored
    assert len(gaps) == 1
