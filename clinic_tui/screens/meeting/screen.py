"""The meeting screen: the steps of a first meeting or a review, saved as the officer types, finalised into a locked record.

Changes are saved by a throttled save (see ``autosave``). Moving to another
step saves at once and records the step as the place to resume after a crash.
"""

from __future__ import annotations

import logging
import sqlite3

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer

from clinic_tui import keys
from clinic_tui.domain.checks import format_date
from clinic_tui.domain.completeness import MissingItem, in_step_order
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.record import BaseRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.autosave import SAVE_ERRORS, ThrottledSave
from clinic_tui.screens.meeting.base import StepPane
from clinic_tui.screens.meeting.commands import SCREEN_KEYS, MeetingCommands
from clinic_tui.screens.meeting.context import meeting_context
from clinic_tui.screens.meeting.dialogs import (
    AddendumDialog,
    ConfirmFinaliseDialog,
    MissingItemsDialog,
    StepListDialog,
    dialog_bindings,
)
from clinic_tui.screens.meeting.people import AttendeesPane, InformationSharingPane
from clinic_tui.screens.meeting.plan import ActionsPane, BarriersPane, NextStepPane, ReviewPane
from clinic_tui.screens.meeting.read_back import ReadBackPane
from clinic_tui.screens.meeting.review_outcome import NextReviewPane, OutcomePane
from clinic_tui.screens.meeting.review_progress import EarlierActionsPane, ReviewAttendancePane
from clinic_tui.screens.meeting.safeguarding import ConcernDialog
from clinic_tui.screens.meeting.views import AttendancePane, ParentViewsPane, PupilViewsPane
from clinic_tui.services.days import DayService
from clinic_tui.store.errors import VaultError
from clinic_tui.widgets.meeting_header import MeetingHeader

log = logging.getLogger(__name__)

MEETING_PANES: tuple[type[StepPane], ...] = (
    AttendeesPane,
    InformationSharingPane,
    AttendancePane,
    PupilViewsPane,
    ParentViewsPane,
    BarriersPane,
    ActionsPane,
    ReviewPane,
    NextStepPane,
    ReadBackPane,
)

REVIEW_PANES: tuple[type[StepPane], ...] = (
    AttendeesPane,
    EarlierActionsPane,
    ReviewAttendancePane,
    PupilViewsPane,
    ActionsPane,
    NextReviewPane,
    OutcomePane,
    ReadBackPane,
)


class MeetingScreen(Screen[None]):
    """One meeting or review record, step by step while it is a draft, read-only once finalised."""

    BINDINGS = dialog_bindings(*SCREEN_KEYS)
    COMMANDS = {MeetingCommands}
    DEFAULT_CSS = """
    MeetingScreen ContentSwitcher { height: 1fr; }
    """

    def __init__(self, record_id: str, step: StepId) -> None:
        super().__init__()
        self.record_id = record_id
        self.step = step
        self.record: BaseRecord | None = None
        self.pane_for_step: dict[StepId, type[StepPane]] = {}
        self.day_id: str | None = None
        self.saver = ThrottledSave(
            self, self._write_draft, self._show_save_state, lambda: f"{self.app.clock.now():%H:%M:%S}", record_id
        )
        self._offered = (False, False)

    # -- building the screen ----------------------------------------------------

    @property
    def days(self) -> DayService:
        return self.app.session.days

    @property
    def editable(self) -> bool:
        """True while the record is a draft meeting or review that the steps can change."""
        return isinstance(self.record, (MeetingRecord, ReviewRecord)) and not self.record.is_finalised

    @property
    def is_review(self) -> bool:
        return isinstance(self.record, ReviewRecord)

    def compose(self) -> ComposeResult:
        self.record = self.days.load_record(self.record_id)
        self.day_id = self.days.store.records_day(self.record_id)
        panes = REVIEW_PANES if self.is_review else MEETING_PANES
        self.pane_for_step = {pane.STEP: pane for pane in panes}
        self.context = meeting_context(self.app.session, self.app.clock, self.record, self.day_id)

        yield MeetingHeader()
        if self.editable:
            if self.step not in self.pane_for_step:
                self.step = StepId.ATTENDEES
            # Steps are mounted when first shown, which keeps opening a meeting fast. A step
            # with saved form inputs is mounted at once, so that its inputs are restored and saved again.
            self._saved_inputs = self._load_saved_inputs()
            first = {self.step} | {step for step in self.pane_for_step if step.value in self._saved_inputs}
            with ContentSwitcher(initial=f"step-{self.step.value}"):
                for pane in panes:
                    if pane.STEP in first:
                        yield pane(self.context, self._saved_inputs.get(pane.STEP.value))
        else:
            self.step = StepId.READ_BACK
            with ContentSwitcher(initial=f"step-{StepId.READ_BACK.value}"):
                yield ReadBackPane(self.context)
        yield Footer(compact=True)

    def _load_saved_inputs(self) -> dict[str, dict[str, object]]:
        try:
            saved = self.days.form_inputs(self.record_id)
        except (VaultError, sqlite3.Error, ValueError) as error:
            log.error("reading saved form inputs failed record_id=%s error=%s", self.record_id, error)
            return {}
        return {step: values for step, values in saved.items() if isinstance(values, dict)}

    async def on_mount(self) -> None:
        header = self.query_one(MeetingHeader)
        names = ", ".join(self.context.pupil_name(pupil_id) for pupil_id in self.record.pupil_ids)
        kind = "Review" if self.is_review else "Meeting"
        header.show_title(f"{kind}: {names} · {self.record.mode.label}")
        self._show_flag()

        if not self.editable:
            self._show_locked()
            return

        for pane in self.panes():
            pane.restore_form_inputs(self._saved_inputs.get(pane.STEP.value, {}))
            pane.posted_inputs = pane.form_inputs()
        header.show_save_state("All saved")
        await self.go_to(self.step)

    def panes(self) -> list[StepPane]:
        return list(self.query(StepPane))

    def pane(self, step: StepId) -> StepPane:
        return self.query_one(f"#step-{step.value}", StepPane)

    @property
    def step_ids(self) -> list[StepId]:
        return list(self.pane_for_step) if self.editable else [StepId.READ_BACK]

    # -- moving between steps -----------------------------------------------------

    async def go_to(self, step: StepId) -> None:
        """Save, show ``step`` and record it as the place to resume after a crash."""
        self.save_now()
        switcher = self.query_one(ContentSwitcher)
        if not switcher.query_children(f"#step-{step.value}"):
            await switcher.mount(self.pane_for_step[step](self.context))
        self.step = step
        switcher.current = f"step-{step.value}"
        pane = self.pane(step)
        pane.on_step_shown()
        if isinstance(pane, ReadBackPane):
            pane.show(self.gaps())

        described = self.context.step(step)
        self.query_one(MeetingHeader).show_step(described.number, len(self.record.steps()), described.title)
        try:
            self.days.set_resume(self.record_id, step)
        except SAVE_ERRORS as error:
            log.error("resume point not saved record_id=%s step=%s error=%s", self.record_id, step.value, error)
        self._offered = (pane.can_add(), pane.can_remove())
        self.refresh_bindings()
        self.call_after_refresh(self._focus_step)

    def _focus_step(self) -> None:
        target = self.pane(self.step).first_focus()
        if target is not None:
            target.focus()

    async def action_next_step(self) -> None:
        index = self.step_ids.index(self.step)
        if index + 1 == len(self.step_ids):
            self.notify("This is the last step. Press F9 to finalise the record.", timeout=4)
            return
        await self.go_to(self.step_ids[index + 1])

    async def action_previous_step(self) -> None:
        index = self.step_ids.index(self.step)
        if index == 0:
            self.notify("This is the first step.", timeout=3)
            return
        await self.go_to(self.step_ids[index - 1])

    def action_choose_step(self) -> None:
        async def chosen(step: StepId | None) -> None:
            if step is not None:
                await self.go_to(step)

        self.save_now()
        self.app.push_screen(StepListDialog(self.record.steps(), self.step, self.gaps()), chosen)

    def action_add(self) -> None:
        self.pane(self.step).add()

    def action_remove(self) -> None:
        self.pane(self.step).remove()

    def action_back(self) -> None:
        if not self.save_now():
            self.notify(
                "The meeting could not be saved, so it stays open. Check the message above, then try again.",
                severity="error",
            )
            return
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.record is None:
            return True
        if action in ("previous_step", "next_step", "choose_step", "finalise"):
            return self.editable
        if action == "add":
            return self.editable and self.pane(self.step).can_add()
        if action == "remove":
            return self.editable and self.pane(self.step).can_remove()
        if action == "addendum":
            return self.record.is_finalised
        return True

    # -- saving ---------------------------------------------------------------------

    def on_step_pane_edited(self, message: StepPane.Edited) -> None:
        message.stop()
        self.changed()

    def changed(self) -> None:
        """Note an unsaved change, which the throttled save writes within half a second."""
        self.saver.changed()
        # Only Add and Remove depend on what a step holds, so the footer is redrawn only when they change.
        pane = self.pane(self.step)
        offered = (pane.can_add(), pane.can_remove())
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def form_inputs(self) -> dict[str, object]:
        """Return the unsaved form inputs of every mounted step, keyed by step id."""
        inputs: dict[str, object] = {}
        for pane in self.panes():
            values = pane.form_inputs()
            if values:
                inputs[pane.STEP.value] = values
        return inputs

    def save_now(self) -> bool:
        """Save the record and the form inputs in one transaction, and return False if that failed."""
        if not self.editable:
            return True
        return self.saver.save_now()

    def _write_draft(self) -> None:
        self.days.autosave(self.record, self.form_inputs())

    def _show_save_state(self, text: str, problem: bool) -> None:
        self.query_one(MeetingHeader).show_save_state(text, problem)

    def on_unmount(self) -> None:
        self.saver.stop()
        if not self.saver.dirty or not self.editable:
            return
        session = self.app.session
        if session is None or not session.is_open:
            # The app closed the vault before this screen, so the last changes had nowhere to go.
            log.warning("meeting closed with unsaved changes record_id=%s", self.record_id)
            return
        # The widgets are gone by now, so only the record is written and the stored form inputs stay.
        try:
            self.days.autosave(self.record)
        except SAVE_ERRORS as error:
            log.error("saving a closing meeting failed record_id=%s error=%s", self.record_id, error)

    # -- finalising -------------------------------------------------------------------

    def form_problems(self) -> list[MissingItem]:
        return [MissingItem(pane.STEP, text) for pane in self.panes() for text in pane.form_problems()]

    def gaps(self) -> list[MissingItem]:
        """Return everything that stops the record being finalised, in step order."""
        return in_step_order(self.form_problems() + self.record.missing(), self.record.STEP_ORDER)

    async def action_finalise(self) -> None:
        if not self.editable:
            return
        if self.step is not StepId.READ_BACK:
            await self.go_to(StepId.READ_BACK)
            gaps = self.gaps()
            if gaps:
                count = f"{len(gaps)} item{'s' if len(gaps) != 1 else ''}"
                self.notify(f"Still needed before you can finalise: {count}, listed above the record.", timeout=6)
            else:
                self.notify("Read the record back to everyone present, then press F9 again to finalise it.", timeout=6)
            return
        if not self.save_now():
            return

        problems = self.form_problems()
        if problems:
            self._show_missing(in_step_order(problems + self.record.missing(), self.record.STEP_ORDER))
            return
        if self.record.missing():
            # The record stays a draft, and finalise returns every item it still needs.
            self._show_missing(self.days.finalise(self.record))
            return
        self.app.push_screen(ConfirmFinaliseDialog(), self._finalise_confirmed)

    def _show_missing(self, items: list[MissingItem]) -> None:
        async def chosen(step: StepId | None) -> None:
            if step is not None:
                await self.go_to(step)

        self.app.push_screen(MissingItemsDialog(self.context, items), chosen)

    def _finalise_confirmed(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        try:
            missing = self.days.finalise(self.record)
        except SAVE_ERRORS as error:
            log.error("finalise failed record_id=%s error=%s", self.record_id, error)
            self.notify(
                f"The record could not be finalised: {error}. It is still a draft; try again.", severity="error"
            )
            return
        if missing:
            self._show_missing(missing)
            return
        self.app.notify("The record is finalised and locked. Any later change is an addendum (F5 on the record).", timeout=6)
        self.app.switch_screen(type(self)(self.record_id, StepId.READ_BACK))

    def _show_locked(self) -> None:
        record = self.record
        header = self.query_one(MeetingHeader)
        if record.finalised_at is not None:
            at = record.finalised_at
            header.show_status(
                f"Finalised at {at:%H:%M} on {format_date(at.date())} · locked, read only · version {record.version}"
            )
            header.show_save_state("Locked")
        else:
            header.show_status("Read only: this kind of record cannot be edited on this screen.")
        self.query_one(ReadBackPane).show([])
        self.refresh_bindings()
        self.call_after_refresh(self.query_one(ReadBackPane).focus)

    # -- safeguarding and addenda ---------------------------------------------------------

    def _show_flag(self) -> None:
        concerns = self.record.concerns
        if not concerns:
            self.query_one(MeetingHeader).show_flag(None)
            return
        untold = sum(1 for concern in concerns if not concern.dsl_informed)
        count = f"{len(concerns)} SAFEGUARDING CONCERN{'S' if len(concerns) != 1 else ''} RAISED"
        status = f"DSL not told of {untold}, press F6 to record it" if untold else "DSL told"
        self.query_one(MeetingHeader).show_flag(f"⚑ {count} · {status}")

    def action_raise_concern(self) -> None:
        def saved(result: bool | None) -> None:
            if not result:
                return
            self._show_flag()
            if not self.editable:
                self._show_locked()
            elif self.step is StepId.READ_BACK:
                self.pane(StepId.READ_BACK).show(self.gaps())
            self.notify("The safeguarding concern is saved and is on the end-of-day checklist.", timeout=6)

        self.save_now()
        self.app.push_screen(ConcernDialog(self.context, self.step), saved)

    def action_addendum(self) -> None:
        def saved(result: bool | None) -> None:
            if result:
                self._show_locked()
                self.notify(f"Addendum saved as version {self.record.version}.", timeout=6)

        if self.record.is_finalised:
            self.app.push_screen(AddendumDialog(self.context, self.day_id), saved)


class ReviewMeetingScreen(MeetingScreen):
    """The meeting screen for a review record, whose Escape goes back to the list of reviews."""

    BINDINGS = keys.bindings("review")


def record_screen(record: BaseRecord, step: StepId) -> MeetingScreen:
    """Return the screen that opens ``record`` at ``step``: a review's own screen, or the meeting screen."""
    screen_type = ReviewMeetingScreen if isinstance(record, ReviewRecord) else MeetingScreen
    return screen_type(record.id, step)
