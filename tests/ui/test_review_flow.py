"""Reviews due and the review meeting under Pilot: the real app, a real vault, keys only.

The vault contains the demo school and the demo's three earlier meetings,
finalised six and seven school weeks before the fixed test date, whose
reviews fall overdue, today and later this week.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, RadioButton, RadioSet, Static

from clinic_tui.app import ClinicApp
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ActionStatus, ReviewRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting import ReviewMeetingScreen
from clinic_tui.screens.meeting.dialogs import ConfirmFinaliseDialog
from clinic_tui.screens.meeting.review_progress import EarlierActionBlock
from clinic_tui.screens.reviews import ReviewModeDialog, ReviewsScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.demo_reviews import seed_demo_reviews
from clinic_tui.services.workspace import Workspace
from tests.conftest import PASSPHRASE
from tests.helpers import copy_home, seeded_home, wait_for

SIZE = (100, 30)


@pytest.fixture(scope="module")
def reviews_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed the demo school and its earlier meetings once, for each test to copy."""
    return seeded_home(tmp_path_factory.mktemp("reviews-template") / "clinic-home", seed_demo, seed_demo_reviews)


@pytest.fixture
def workspace(reviews_template: Path, clinic_home: Path) -> Workspace:
    return copy_home(reviews_template, clinic_home)


def _app(workspace: Workspace, clock: ManualClock) -> ClinicApp:
    return ClinicApp(workspace, vault=workspace.profiles.unlock("officer", PASSPHRASE), clock=clock)


async def _open_reviews(app: ClinicApp, pilot) -> ReviewsScreen:
    """Go from the day timeline the app opens on to the home screen, then press V."""
    await wait_for(pilot, lambda: app.screen.__class__.__name__ == "DayScreen", "the day timeline")
    await pilot.press("escape")
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewsScreen), "the reviews screen")
    await pilot.pause()
    return app.screen


async def _start_review(app: ClinicApp, pilot, row: int) -> ReviewMeetingScreen:
    await pilot.press(*["down"] * row, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewModeDialog), "the choice of mode")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewMeetingScreen), "the review meeting")
    await pilot.pause()
    return app.screen


async def _go_to_step(pilot, screen: ReviewMeetingScreen, step: StepId) -> None:
    """Press F8 or F7 until the review shows ``step``."""
    target = screen.step_ids.index(step)
    while screen.step is not step:
        await pilot.press("f8" if screen.step_ids.index(screen.step) < target else "f7")
    await pilot.pause()


def _stored(app: ClinicApp, record_id: str) -> ReviewRecord:
    record = app.session.days.store.load_record(record_id)
    assert isinstance(record, ReviewRecord)
    return record


async def test_reviews_list_buckets_and_privacy(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_reviews(app, pilot)
        table = screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]
        detail = str(screen.query_one("#review-detail", Static).render())
        due = app.session.reviews.due(fake_clock.now().date())
        surnames = [app.session.attendance.pupils.get(item.pupil_ids[0]).surname for item in due]

    assert [row[0] for row in rows] == ["OVERDUE", "Today", "Next 7 days"]
    assert all(row[4] == "not started" for row in rows)
    for surname in surnames:
        assert all(surname not in " ".join(row) for row in rows)
    assert "school weeks before" in detail
    assert "Enter starts the review." in detail


@pytest.mark.slow
async def test_whole_review_by_keys(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        due = app.session.reviews.due(fake_clock.now().date())[1]
        screen = await _start_review(app, pilot, 1)
        review_id = screen.record_id

        # Who is in the room.
        await pilot.press(*"Jo Carter", "tab", "enter", "down", "enter", "f4")
        # The earlier actions: the first done, the second not done with a reason.
        await pilot.press("f8", "enter", "tab", *"Bedtime kept most nights")
        await pilot.press("tab", "right", "right", "enter", "tab", *"Tutor off sick")
        # Attendance comes from the marks, so there is nothing to type.
        await pilot.press("f8")
        figures = str(screen.query_one("#figures", Static).render())
        # The pupil's views, then a new action on each side.
        await pilot.press("f8", *"Getting up is easier now")
        await pilot.press("f8", "enter", "down", "enter")
        await pilot.press("tab", *"Mum", "tab", *"Keep the alarm", "tab", *"20/04/2026", "f4")
        await pilot.press("enter", "down", "down", "down", "enter")
        await pilot.press("tab", *"Head of year", "tab", *"Weekly check-in", "tab", *"17/04/2026", "f4")
        # The next review date is prefilled, and the outcome is to continue.
        await pilot.press("f8", "f8", "down", "enter", "tab", *"Keep going")
        await pilot.press("f8", "f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmFinaliseDialog), "the finalise dialog")
        await pilot.press("f2")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ReviewMeetingScreen) and not app.screen.editable,
            "the locked review",
        )

        stored = _stored(app, review_id)
        change = app.session.reviews.attendance_change(
            stored.pupil_ids,
            app.session.days.load_record(due.record_id).meeting_date,
            fake_clock.now().date(),
        )
        waiting = app.session.sync.status().pending
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewsScreen), "the reviews list again")
        await pilot.pause()
        left = [item.record_id for item in app.session.reviews.due(fake_clock.now().date())]

    assert stored.is_finalised
    assert stored.reviewed_record_id == due.record_id
    assert [attendee.name for attendee in stored.attendees] == ["Jo Carter"]
    outcomes = list(stored.action_outcomes.values())
    assert [(outcome.status, outcome.note) for outcome in outcomes] == [
        (ActionStatus.DONE, "Bedtime kept most nights"),
        (ActionStatus.NOT_DONE, "Tutor off sick"),
    ]
    assert stored.attendance_before == float(change.before)
    assert stored.attendance_after == float(change.after)
    assert "These figures are stored with the review." in figures
    assert [action.description for action in stored.actions] == ["Keep the alarm", "Weekly check-in"]
    assert stored.outcome is ReviewOutcome.CONTINUE
    assert stored.outcome_note == "Keep going"
    assert stored.review_date is not None
    assert waiting >= 1
    assert due.record_id not in left


async def test_closing_review_clears_review_date(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        screen = await _start_review(app, pilot, 0)
        prefilled = _stored(app, screen.record_id).review_date
        await _go_to_step(pilot, screen, StepId.REVIEW_DATE)
        await _go_to_step(pilot, screen, StepId.NEXT_STEP)
        await pilot.press("enter")
        await pilot.pause()
        message = str(screen.query_one("#message-next_step", Static).render())
        closing_gaps = [gap.message for gap in screen.gaps()]

        await pilot.press("f7")
        await pilot.pause()
        date_text = screen.query_one("#review-date", Input).value
        screen.save_now()
        stored = _stored(app, screen.record_id)

    assert prefilled is not None
    assert "cleared" in message
    assert not any("review date" in gap.lower() for gap in closing_gaps)
    assert date_text == ""
    assert stored.outcome is ReviewOutcome.CLOSE
    assert stored.review_date is None


async def test_escalating_needs_the_step(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        screen = await _start_review(app, pilot, 0)
        await _go_to_step(pilot, screen, StepId.NEXT_STEP)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        without_step = [gap.message for gap in screen.gaps()]

        await pilot.press("tab", "enter")
        await pilot.pause()
        screen.save_now()
        stored = _stored(app, screen.record_id)

    assert any("no next step is chosen" in gap for gap in without_step)
    assert stored.outcome is ReviewOutcome.ESCALATE
    assert stored.escalate_to is NextStep.SUPPORT_PLAN


async def test_review_resumes_after_restart(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        screen = await _start_review(app, pilot, 2)
        review_id = screen.record_id
        await pilot.press("f8", "enter", "tab", *"Half done")
        await pilot.pause(0.8)

    # A new app on the same vault opens the review again, over the list of reviews.
    again = _app(workspace, fake_clock)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, ReviewMeetingScreen), "the resumed review")
        await pilot.pause()
        resumed = again.screen
        beneath = type(again.screen_stack[-2]).__name__
        note = resumed.query_one(".outcome-note", Input).value

    assert resumed.record_id == review_id
    assert resumed.step is StepId.EARLIER_ACTIONS
    assert beneath == "ReviewsScreen"
    assert note == "Half done"


async def test_palette_names_review_keys(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        await _start_review(app, pilot, 0)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        await pilot.press(*"Review")
        prompts: list[str] = []
        for _ in range(60):
            await pilot.pause(0.05)
            prompts = [str(option.prompt) for option in app.screen.query_one("CommandList").options]
            if any(prompt.startswith("Review: Reviews") for prompt in prompts):
                break

    assert any(prompt.startswith("Review: Reviews (Escape)") for prompt in prompts), prompts
    assert any(prompt.startswith("Review: Finalise (F9)") for prompt in prompts), prompts
    assert not any(prompt.startswith("Review: Day") for prompt in prompts), prompts


async def test_reopened_review_returns_to_its_step(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        screen = await _start_review(app, pilot, 1)
        await pilot.press("f8", "f8")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewsScreen), "the reviews list")
        await pilot.pause()
        state = [str(cell) for cell in app.screen.query_one(DataTable).get_row_at(1)][4]

        # A review already started opens without asking how it is held, on the step it was left on.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewMeetingScreen), "the review again")
        reopened = app.screen

    assert state == "review started"
    assert reopened.record_id == screen.record_id
    assert reopened.step is StepId.ATTENDANCE


async def test_unstored_choices_come_back_as_radio_choices(workspace, fake_clock):
    app = _app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_reviews(app, pilot)
        screen = await _start_review(app, pilot, 0)
        review_id = screen.record_id
        # Not done with no note yet, the pupil's views not captured, escalating with no step chosen.
        await pilot.press("f8", "right", "right", "enter")
        await _go_to_step(pilot, screen, StepId.PUPIL_VIEWS)
        await pilot.press("shift+tab", "down", "enter")
        await _go_to_step(pilot, screen, StepId.NEXT_STEP)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewsScreen), "the reviews list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewMeetingScreen), "the review again")
        screen = app.screen
        await pilot.pause()

        escalate_shown = screen.query_one("#escalate-block").display
        outcome_set = screen.query_one("#outcome", RadioSet)
        outcome_pressed = (outcome_set.pressed_index, sum(button.value for button in outcome_set.query(RadioButton)))
        await pilot.press("tab", "enter")
        await pilot.pause()

        await _go_to_step(pilot, screen, StepId.PUPIL_VIEWS)
        views_pressed = screen.query_one("#step-pupil_views RadioSet", RadioSet).pressed_index
        fallback_shown = screen.query_one("#step-pupil_views .fallback").display

        await _go_to_step(pilot, screen, StepId.EARLIER_ACTIONS)
        action_set = screen.query(EarlierActionBlock).first().query_one(RadioSet)
        action_pressed = (action_set.pressed_index, sum(button.value for button in action_set.query(RadioButton)))
        await pilot.press("tab", *"Tutor off sick")
        screen.save_now()
        stored = _stored(app, review_id)

    assert escalate_shown
    assert outcome_pressed == (2, 1)
    assert stored.outcome is ReviewOutcome.ESCALATE
    assert stored.escalate_to is NextStep.SUPPORT_PLAN
    assert views_pressed == 1
    assert fallback_shown
    assert action_pressed == (2, 1)
    first = stored.earlier_actions[0].id
    assert (stored.action_outcomes[first].status, stored.action_outcomes[first].note) == (
        ActionStatus.NOT_DONE,
        "Tutor off sick",
    )
