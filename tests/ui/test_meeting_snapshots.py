"""Snapshots of every meeting step at 100x30 and 80x24, in the light and high-contrast themes.

The meeting is the demo day's video call with a pupil on a child protection
plan, filled in through the domain so that each step shows real content.
The clock is fixed, so the header's "Saved" time never changes.

Update the stored snapshots with ``pytest --snapshot-update`` after an
intended change, and look at the report before committing them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from clinic_tui.app import ClinicApp
from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Attendee, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.social_care import SocialWorkerAnswer
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews
from clinic_tui.screens.meeting import MeetingScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.workspace import Workspace
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG

VIDEO_SLOT_WITH_PLAN = 2
SIZES = {"100x30": (100, 30), "80x24": (80, 24)}
THEMES = ("clinic-light", "clinic-high-contrast")
STEPS = (
    StepId.ATTENDEES,
    StepId.INFORMATION_SHARING,
    StepId.ATTENDANCE,
    StepId.PUPIL_VIEWS,
    StepId.PARENT_VIEWS,
    StepId.BARRIERS,
    StepId.ACTIONS,
    StepId.REVIEW_DATE,
    StepId.NEXT_STEP,
    StepId.READ_BACK,
)


def _fill(record: MeetingRecord) -> None:
    record.add_attendee(Attendee("Amira Rashid", Role.PARENT_CARER, on_line=True))
    record.add_attendee(Attendee("Dan Price", Role.HEAD_OF_YEAR))
    record.add_attendee(Attendee("Kim Lee", Role.EWO))
    record.confirm_line()
    record.confirm_information_sharing()
    record.set_social_worker(SocialWorkerAnswer.will_be_informed("Kim Lee", dt.date(2026, 3, 11)))
    (pupil_id,) = record.pupil_ids
    record.set_pupil_views(pupil_id, PupilViews.in_own_words("Maths is too hard and I get told off for being late."))
    record.set_parent_views("Mornings are a struggle since her dad moved out. She worries about maths.")
    record.set_barrier(Barrier.FAMILY_CIRCUMSTANCES, "Parents separated in January")
    record.set_barrier(Barrier.SCHOOL_BASED, "Detentions for lateness")
    record.add_action(Action(OwnerType.PARENT_CARER, "Mum", "Alarm at 7:00 and walk to the bus", dt.date(2026, 3, 16)))
    record.add_action(Action(OwnerType.SCHOOL, "Head of year", "Maths catch-up twice a week", dt.date(2026, 3, 20)))
    record.set_attendance_target(95)
    record.set_next_step(NextStep.SUPPORT_PLAN, "Plan agreed with Mum; review in six weeks.")


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Make one clinic home with the demo day and a filled-in meeting, for every test to copy."""
    home = tmp_path_factory.mktemp("meeting-template") / "clinic-home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    workspace.profiles.create("officer", PASSPHRASE)

    from clinic_tui.services.session import Session

    clock = ManualClock(FIXED_START)
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    try:
        seed_demo(workspace, vault, clock)
        days = Session(workspace, vault, clock).days
        day = days.today()
        record = days.start_meeting(day, day.slots[VIDEO_SLOT_WITH_PLAN].id)
        _fill(record)
        days.autosave(record, {})
    finally:
        vault.close()
    return home, record.id


def _app_at(template_home: tuple[Path, str], tmp_path: Path, step: StepId) -> ClinicApp:
    """Copy the template home and open the app there, resuming the meeting at ``step``."""
    source, record_id = template_home
    home = tmp_path / "clinic-home"
    shutil.copytree(source, home)
    workspace = Workspace.open(home)
    clock = ManualClock(FIXED_START)
    vault = workspace.profiles.unlock("officer", PASSPHRASE)

    from clinic_tui.services.session import Session

    Session(workspace, vault, clock).days.set_resume(record_id, step)
    return ClinicApp(workspace, vault=vault, clock=clock)


def _ready(theme: str):
    async def run_before(pilot) -> None:
        pilot.app.theme = theme
        for _ in range(400):
            if isinstance(pilot.app.screen, MeetingScreen):
                break
            await pilot.pause(0.05)
        screen = pilot.app.screen
        assert isinstance(screen, MeetingScreen)
        # A blinking cursor would be drawn or not depending on the moment of the snapshot.
        for field in screen.query("Input, TextArea"):
            field.cursor_blink = False
        await pilot.pause()
        # Fields created with a value report a change as they mount, which must not count as an edit.
        assert not screen.saver.dirty, "opening the meeting counted as a change"
        assert "All saved" in str(screen.query_one("#header-save").render()), "opening the meeting saved it"

    return run_before


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEPS, ids=[step.value for step in STEPS])
def test_meeting_step(snap_compare, template_home, tmp_path, step, size, theme):
    app = _app_at(template_home, tmp_path, step)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_ready(theme))


@pytest.mark.parametrize("size", SIZES)
def test_meeting_with_concern_and_gaps(snap_compare, template_home, tmp_path, size):
    """The safeguarding flag in the header, and the finalise list of what is missing."""
    app = _app_at(template_home, tmp_path, StepId.READ_BACK)

    async def run_before(pilot) -> None:
        await _ready("clinic-light")(pilot)
        screen = pilot.app.screen
        pilot.app.session.days.raise_concern(screen.record, StepId.PUPIL_VIEWS, "Said she is scared to go home.")
        screen._show_flag()
        # Clearing the review date leaves one gap, which finalising lists.
        await pilot.press("f7", "f7", "ctrl+u", "f9", "f9")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
