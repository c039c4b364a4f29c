"""Snapshots of the reviews list and of every review step at 100x30 and 80x24, in the light and high-contrast themes.

The review is of the demo's overdue earlier meeting, partly filled in
through the domain: one earlier action marked, the attendance change from
the marks, and an escalation chosen so that its list of steps shows.

Update the stored snapshots with ``pytest --snapshot-update`` after an
intended change, and look at the report before committing them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clinic_tui.app import ClinicApp
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ActionStatus, ReviewRecord
from clinic_tui.domain.steps import StepId, review_steps
from clinic_tui.screens.meeting import ReviewMeetingScreen
from clinic_tui.screens.reviews import ReviewsScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.demo_reviews import seed_demo_reviews
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from tests.conftest import FIXED_START, PASSPHRASE
from tests.helpers import seeded_home, wait_for

SIZES = {"100x30": (100, 30), "80x24": (80, 24)}
THEMES = ("clinic-light", "clinic-high-contrast")
STEPS = tuple(step.id for step in review_steps(Mode.IN_PERSON))


def _start_review(workspace: Workspace, vault, clock: ManualClock) -> None:
    """Start the review of the overdue meeting and fill part of it in."""
    session = Session(workspace, vault, clock)
    overdue = session.reviews.due(clock.now().date())[0]
    review = session.reviews.start_review(overdue.record_id)
    assert isinstance(review, ReviewRecord)
    review.add_attendee(Attendee("Jo Carter", Role.PARENT_CARER))
    review.add_attendee(Attendee("Kim Lee", Role.EWO))
    first = review.earlier_actions[0]
    review.set_action_outcome(first.id, ActionStatus.PARTLY_DONE, "Bedtime kept on school nights only")
    review.set_outcome(ReviewOutcome.ESCALATE, NextStep.SUPPORT_PLAN, "Attendance has not improved.")
    session.days.autosave(review, {})


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("review-template") / "clinic-home"
    return seeded_home(home, seed_demo, seed_demo_reviews, _start_review)


def _app(template_home: Path, tmp_path: Path, step: StepId | None) -> ClinicApp:
    """Copy the template home and open the app there, resuming the review at ``step`` unless it is None."""
    home = tmp_path / "clinic-home"
    shutil.copytree(template_home, home)
    workspace = Workspace.open(home)
    clock = ManualClock(FIXED_START)
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    days = Session(workspace, vault, clock).days
    record_id, _ = days.resume_point()
    if step is None:
        days.clear_resume()
    else:
        days.set_resume(record_id, step)
    return ClinicApp(workspace, vault=vault, clock=clock)


def _at_step(theme: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewMeetingScreen), "the review")
        screen = pilot.app.screen
        # A blinking cursor would be drawn or not depending on the moment of the snapshot.
        for field in screen.query("Input, TextArea"):
            field.cursor_blink = False
        await pilot.pause()
        assert not screen.saver.dirty, "opening the review counted as a change"

    return run_before


def _on_reviews_list(theme: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DayScreen", "the day timeline")
        await pilot.press("escape", "v")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReviewsScreen), "the reviews list")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEPS, ids=[step.value for step in STEPS])
def test_review_step(snap_compare, template_home, tmp_path, step, size, theme):
    app = _app(template_home, tmp_path, step)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_at_step(theme))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_reviews_list(snap_compare, template_home, tmp_path, size, theme):
    app = _app(template_home, tmp_path, None)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_on_reviews_list(theme))

