"""The meeting screen under Pilot: the real app, a real vault with the demo day, keys only.

Each test starts a meeting through ``DayService.start_meeting`` as the day
timeline does, then drives the screen with key presses and reads what the
vault stored back through the record store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from clinic_tui.app import ClinicApp
from clinic_tui.domain.actions import OwnerType
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.social_care import SocialWorkerContact
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews
from clinic_tui.screens.meeting import MeetingScreen
from clinic_tui.screens.meeting.dialogs import (
    AddendumDialog,
    ConfirmFinaliseDialog,
    MissingItemsDialog,
)
from clinic_tui.screens.meeting.safeguarding import ConcernDialog, DslToldDialog
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.workspace import Workspace
from tests.conftest import PASSPHRASE
from tests.helpers import copy_home, seeded_home, wait_for

SIZE = (100, 30)
IN_PERSON_SLOT = 0
VIDEO_SLOT_WITH_PLAN = 2


async def _wait_for_screen(app, pilot, screen_type) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type), f"the {screen_type.__name__}")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed the demo school and day once, so that each test copies the folder instead of seeding."""
    return seeded_home(tmp_path_factory.mktemp("demo-template") / "clinic-home", seed_demo)


@pytest.fixture
def workspace(demo_template: Path, clinic_home: Path) -> Workspace:
    """A private copy of the seeded demo home, in place of the shared empty workspace."""
    return copy_home(demo_template, clinic_home)


def _demo_app(workspace, clock) -> ClinicApp:
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    return ClinicApp(workspace, vault=vault, clock=clock)


async def _open_meeting(app, pilot, slot_index: int, complete: bool = False) -> MeetingScreen:
    """Start the slot's meeting as the day timeline does and wait for its first step.

    With ``complete``, the record is filled in through the domain and saved first.
    """
    days = app.session.days
    day = days.today()
    record = days.start_meeting(day, day.slots[slot_index].id)
    if complete:
        _complete(record)
        days.autosave(record)
    app.push_screen(MeetingScreen(record.id, StepId.ATTENDEES))
    await _wait_for_screen(app, pilot, MeetingScreen)
    await pilot.pause()
    return app.screen


def _stored(app, screen: MeetingScreen) -> MeetingRecord:
    return app.session.days.store.load_record(screen.record_id)


async def _go_to_step(pilot, screen: MeetingScreen, step: StepId) -> None:
    while screen.step is not step:
        await pilot.press("f8")
    await pilot.pause()


async def _choose(pilot, downs: int) -> None:
    """Open the focused Select, move down past the blank prompt and choose."""
    await pilot.press("enter")
    await pilot.press(*["down"] * downs)
    await pilot.press("enter")


@pytest.mark.slow
async def test_whole_meeting_by_keys(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT)
        pupil_id = screen.record.pupil_ids[0]

        # Step 1: two people, added with F4 and with Enter.
        await pilot.press(*"Jo Carter", "tab")
        await _choose(pilot, 1)
        await pilot.press("f4")
        await pilot.press(*"Sam Okoro", "tab")
        await _choose(pilot, 6)
        await pilot.press("shift+tab", "enter")

        # Step 2: the statement is confirmed with the space bar.
        await pilot.press("f8", "space")
        # Steps 3 and 4: the pupil's words.
        await pilot.press("f8", "f8", *"The bus is late.")
        # Step 5: the parent or carer's views.
        await pilot.press("f8", *"Mornings are hard.")
        # Step 6: typing a note on the second barrier in the list chooses that barrier.
        await pilot.press("f8", "down", "enter", *"Anxious about tests")
        # Step 7: one action for each side.
        await pilot.press("f8")
        await _choose(pilot, 1)
        await pilot.press("tab", *"Mum", "tab", *"Walk to the bus stop", "tab", *"16/03/2026", "f4")
        await _choose(pilot, 3)
        await pilot.press("tab", *"Head of year", "tab", *"Weekly check-in", "tab", *"17/03/2026", "enter")
        # Step 8: the review date is prefilled, and the target is typed.
        await pilot.press("f8", "tab", *"95")
        # Step 9: the second next step, with a note.
        await pilot.press("f8", "down", "enter", "tab", *"Review with the head of year")
        # Step 10: finalise and confirm.
        await pilot.press("f8")
        assert screen.step is StepId.READ_BACK
        await pilot.press("f9")
        await _wait_for_screen(app, pilot, ConfirmFinaliseDialog)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and not app.screen.editable, "locked view")

        stored = _stored(app, screen)
        assert stored.is_finalised
        assert [(a.name, a.role.value) for a in stored.attendees] == [
            ("Jo Carter", "parent_carer"),
            ("Sam Okoro", "head_of_year"),
        ]
        assert stored.sharing_confirmed
        assert stored.pupil_views[pupil_id] == PupilViews.in_own_words("The bus is late.")
        assert stored.parent_views == "Mornings are hard."
        assert [(b.barrier, b.notes) for b in stored.barriers] == [(Barrier.MENTAL_HEALTH, "Anxious about tests")]
        assert [(a.owner, a.role, a.description, a.due) for a in stored.actions] == [
            (OwnerType.PARENT_CARER, "Mum", "Walk to the bus stop", dt.date(2026, 3, 16)),
            (OwnerType.SCHOOL, "Head of year", "Weekly check-in", dt.date(2026, 3, 17)),
        ]
        assert stored.review_date is not None and stored.review_date > stored.meeting_date
        assert stored.attendance_target == 95
        assert stored.next_step is NextStep.REVIEW_MEETING
        assert stored.next_step_note == "Review with the head of year"
        assert app.session.days.resume_point() is None
        assert app.session.days.form_inputs(screen.record_id) == {}


async def test_typing_reaches_vault_without_moving(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT)
        await _go_to_step(pilot, screen, StepId.PARENT_VIEWS)
        await pilot.press(*"Getting up is hard")

        # The throttled save runs on its own, without a step change.
        await wait_for(pilot, lambda: _stored(app, screen).parent_views == "Getting up is hard", "the autosave")
        assert "Saved" in str(screen.query_one("#header-save", Static).render())
        assert app.session.days.resume_point() == (screen.record_id, StepId.PARENT_VIEWS)


async def test_finalise_with_gaps_lists_all(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, VIDEO_SLOT_WITH_PLAN)
        expected = _stored(app, screen).missing()

        await pilot.press("f9")
        assert screen.step is StepId.READ_BACK
        await pilot.press("f9")
        await _wait_for_screen(app, pilot, MissingItemsDialog)

        dialog = app.screen
        shown = [str(dialog.query_one(OptionList).get_option_at_index(i).prompt) for i in range(len(expected))]
        assert dialog.query_one(OptionList).option_count == len(expected)
        assert {item.step for item in expected} == {
            StepId.ATTENDEES,
            StepId.INFORMATION_SHARING,
            StepId.PUPIL_VIEWS,
            StepId.ACTIONS,
            StepId.NEXT_STEP,
        }
        for item, line in zip(expected, shown):
            step = screen.context.step(item.step)
            assert line.startswith(f"Step {step.number}, {step.title}: ")
            assert screen.context.with_names(item.message) in line
        assert not any(pupil_id in line for pupil_id in screen.record.pupil_ids for line in shown)

        # Enter jumps to the step of the highlighted item, the first one.
        await pilot.press("enter")
        await _wait_for_screen(app, pilot, MeetingScreen)
        assert screen.step is expected[0].step
        assert not _stored(app, screen).is_finalised


@pytest.mark.slow
async def test_concern_from_middle_step(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT)
        await _go_to_step(pilot, screen, StepId.PUPIL_VIEWS)
        fake_clock.advance(600)

        await pilot.press("f6")
        await _wait_for_screen(app, pilot, ConcernDialog)
        await pilot.press("f2")
        message = str(app.screen.query_one("#concern-message", Static).render())
        assert "concern note is empty" in message

        await pilot.press(*"Bruise on the arm, explained as a fall")
        await pilot.press("f2")
        await _wait_for_screen(app, pilot, MeetingScreen)

        flag = screen.query_one("#header-flag", Static)
        assert flag.has_class("raised")
        assert "SAFEGUARDING CONCERN RAISED" in str(flag.render())
        stored = _stored(app, screen)
        assert stored.flagged
        (concern,) = stored.concerns
        assert concern.step is StepId.PUPIL_VIEWS
        assert concern.raised_at == fake_clock.now()
        assert concern.note == "Bruise on the arm, explained as a fall"
        assert not concern.dsl_informed

        day_id = app.session.days.store.records_day(screen.record_id)
        checklist = app.session.days.safeguarding_checklist(day_id)
        assert [item.concern.id for item in checklist] == [concern.id]

        # Later, the same key records when the DSL was informed.
        fake_clock.advance(300)
        await pilot.press("f6")
        await _wait_for_screen(app, pilot, ConcernDialog)
        app.screen.query_one("#untold", OptionList).focus()
        await pilot.press("enter")
        await _wait_for_screen(app, pilot, DslToldDialog)
        await pilot.press("f2")
        await _wait_for_screen(app, pilot, MeetingScreen)
        (told,) = _stored(app, screen).concerns
        assert told.dsl_informed_at == fake_clock.now().replace(second=0, microsecond=0)
        assert "DSL told" in str(flag.render())


@pytest.mark.slow
async def test_addendum_makes_version_two(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT, complete=True)
        await _go_to_step(pilot, screen, StepId.READ_BACK)
        await pilot.press("f9")
        await _wait_for_screen(app, pilot, ConfirmFinaliseDialog)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and not app.screen.editable, "locked view")

        store = app.session.days.store
        original = store.raw_body(screen.record_id, 1)
        locked = app.screen
        assert locked.check_action("next_step", ()) is False
        assert not locked.query("#step-attendees")

        fake_clock.advance(3600)
        await pilot.press("f5")
        await _wait_for_screen(app, pilot, AddendumDialog)
        await pilot.press("f2")
        assert "addendum reason is empty" in str(app.screen.query_one("#addendum-message", Static).render())
        await pilot.press(*"Parent corrected a date", "enter", *"The bus leaves at 07:40.")
        await pilot.press("f2")
        await _wait_for_screen(app, pilot, MeetingScreen)

        assert [(row.version, row.state) for row in store.versions(screen.record_id)] == [
            (1, "finalised"),
            (2, "finalised"),
        ]
        assert store.raw_body(screen.record_id, 1) == original
        latest = store.load_record(screen.record_id)
        (addendum,) = latest.addenda
        assert (addendum.version, addendum.reason, addendum.text) == (
            2,
            "Parent corrected a date",
            "The bus leaves at 07:40.",
        )
        assert addendum.author == "officer"
        assert addendum.at == fake_clock.now()
        assert "version 2" in str(locked.query_one("#header-step", Static).render())

        # A concern raised on the locked record becomes version 3, with the DSL informed at 10:15.
        fake_clock.set(fake_clock.now().replace(hour=10, minute=30))
        await pilot.press("f6")
        await _wait_for_screen(app, pilot, ConcernDialog)
        await pilot.press(*"Disclosed worry at home", "tab", "down", "enter", "tab", "ctrl+u", *"10:15", "f2")
        await _wait_for_screen(app, pilot, MeetingScreen)
        assert [row.version for row in store.versions(screen.record_id)] == [1, 2, 3]
        assert store.raw_body(screen.record_id, 1) == original
        (concern,) = store.load_record(screen.record_id).concerns
        assert concern.dsl_informed_at == fake_clock.now().replace(hour=10, minute=15, second=0, microsecond=0)
        assert locked.query_one("#header-flag", Static).has_class("raised")


@pytest.mark.slow
async def test_child_plan_needs_social_worker(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, VIDEO_SLOT_WITH_PLAN)
        assert screen.record.has_child_plan
        await _go_to_step(pilot, screen, StepId.INFORMATION_SHARING)

        def social_worker_gaps() -> list[str]:
            return [gap.message for gap in screen.gaps() if "social worker" in gap.message]

        assert len(social_worker_gaps()) == 1
        pane_text = " ".join(str(text.render()) for text in screen.query("#step-information_sharing .field-label"))
        assert "child protection plan (section 47)" in pane_text

        # "Here" without a social worker in the room is still a gap.
        await pilot.press("tab", "enter")
        await pilot.press("f7")
        assert _stored(app, screen).social_worker.contact is SocialWorkerContact.PRESENT
        assert any("no one in the room has the social worker role" in gap for gap in social_worker_gaps())

        # "Will be informed" needs who and by when, and an incomplete answer blocks finalising.
        await pilot.press("f8", "tab", "down", "enter", "tab", *"Ms Adeyemi (DSL)")
        assert any("incomplete" in gap for gap in social_worker_gaps())
        await pilot.press("tab", *"12/03/2026")
        assert social_worker_gaps() == []

        await pilot.press("f8")
        answer = _stored(app, screen).social_worker
        assert answer.contact is SocialWorkerContact.WILL_BE_INFORMED
        assert (answer.informed_by, answer.informed_on) == ("Ms Adeyemi (DSL)", dt.date(2026, 3, 12))


@pytest.mark.slow
async def test_one_sided_actions_need_reason(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT)
        await _go_to_step(pilot, screen, StepId.ACTIONS)
        await _choose(pilot, 1)
        await pilot.press("tab", *"Dad", "tab", *"Set two alarms", "tab", *"12/03/2026", "f4")

        warning = screen.query_one("#one-sided", Static)
        assert warning.display
        assert "Every action falls on the family" in str(warning.render())
        assert any("Every action falls on the family" in gap.message for gap in screen.gaps())

        await pilot.press("tab", "tab", "tab", "tab", *"The school already runs a breakfast club")
        assert not any(gap.step is StepId.ACTIONS for gap in screen.gaps())
        await pilot.press("f8")
        assert _stored(app, screen).one_sided_reason == "The school already runs a breakfast club"


@pytest.mark.slow
async def test_half_typed_inputs_survive_restart(workspace, fake_clock):
    app = _demo_app(workspace, fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_meeting(app, pilot, IN_PERSON_SLOT)
        record_id = screen.record_id
        await _go_to_step(pilot, screen, StepId.ACTIONS)
        await _choose(pilot, 3)
        await pilot.press("tab", *"Form tutor", "tab", *"Call home on the first")
        await _go_to_step(pilot, screen, StepId.REVIEW_DATE)
        await pilot.press("ctrl+u", *"31/02/2026")
        assert any("not a real date" in gap.message for gap in screen.gaps())
        await pilot.press("f7")

        # The half-typed inputs are stored encrypted, like the record itself.
        rows = app.session.vault.conn.execute("SELECT value FROM meta WHERE key LIKE 'form_inputs.%'").fetchall()
        assert len(rows) == 1
        assert "Form tutor" not in rows[0][0]
        assert "Call home" not in rows[0][0]

    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    reopened = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with reopened.run_test(size=SIZE) as pilot:
        await _wait_for_screen(reopened, pilot, MeetingScreen)
        screen = reopened.screen
        assert (screen.record_id, screen.step) == (record_id, StepId.ACTIONS)
        assert screen.query_one("#action-owner").value is OwnerType.SCHOOL
        assert screen.query_one("#action-role").value == "Form tutor"
        assert screen.query_one("#action-what").value == "Call home on the first"
        assert screen.query_one("#review-date").value == "31/02/2026"
        assert any("not added" in gap.message for gap in screen.gaps())


def _complete(record: MeetingRecord) -> None:
    """Fill a record through the domain so that nothing is missing."""
    from clinic_tui.domain.actions import Action
    from clinic_tui.domain.attendees import Attendee, Role

    record.add_attendee(Attendee("Jo Carter", Role.PARENT_CARER))
    record.confirm_information_sharing()
    for pupil_id in record.pupil_ids:
        record.set_pupil_views(pupil_id, PupilViews.in_own_words("I want to come in."))
    record.add_action(Action(OwnerType.PARENT_CARER, "Mum", "Walk to the bus", record.meeting_date))
    record.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Check in daily", record.meeting_date))
    record.set_next_step(NextStep.MONITOR)
