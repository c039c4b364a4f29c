"""The clinic day timeline: the live clock, the slots and every change to them.

The screen keeps one ``ClinicDay`` and changes it only through
``DayService``, which saves each change before returning. It reloads the day
from the vault whenever it comes back into view, for example after a dialog
or a meeting screen closes. Once a second it redraws the clock, the warnings
and the projected starts from the day it keeps, without reading the vault.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.slots import Slot, SlotStatus
from clinic_tui.domain.timeline import TimelineEntry
from clinic_tui.screens.day_dialogs import (
    DidNotAttendDialog,
    DidNotAttendRequest,
    MoveRequest,
    MoveToDialog,
    RearrangeDialog,
    RearrangeRequest,
    SkipDialog,
    SkipRequest,
    error_sentence,
)
from clinic_tui.screens.day_history import ReadOnlyDialog, follow_up_lines, history_lines
from clinic_tui.screens.day_keys import DayCommands, key_display, screen_key_actions
from clinic_tui.services.days import DayService
from clinic_tui.widgets.day_status import AlertKind, DayStatus, describe_day, is_day_of, slot_name
from clinic_tui.widgets.timeline import TimelineTable

log = logging.getLogger(__name__)

# A did-not-attend follow-up is due a week after the clinic day unless the officer changes the date.
DEFAULT_FOLLOW_UP_DAYS = 7

# Slots whose family no longer comes at that time. They have no meeting to
# open unless one was started before the change.
_CLOSED_STATUSES = (SlotStatus.SKIPPED, SlotStatus.DID_NOT_ATTEND, SlotStatus.REARRANGED)


class DayScreen(Screen[None]):
    """The timeline of one clinic day, with its clock, warnings and slot actions."""

    BINDINGS = [action.binding() for action in screen_key_actions()]
    COMMANDS = {DayCommands}

    def __init__(self, day_id: str) -> None:
        super().__init__()
        self.day_id = day_id
        self.day: ClinicDay | None = None
        self.labels: dict[str, str] = {}
        self.has_record: dict[str, bool] = {}
        self.dna_slot_ids: tuple[str, ...] = ()
        self._notified: set[tuple[str, AlertKind]] = set()

    def compose(self) -> ComposeResult:
        yield DayStatus(id="day-status")
        yield TimelineTable(id="timeline")
        # The compact footer fits the timeline's keys and the app's keys in 100 columns.
        yield Footer(compact=True)

    @property
    def days(self) -> DayService:
        session = self.app.session
        assert session is not None, "the day screen runs only while a vault is unlocked"
        return session.days

    @property
    def table(self) -> TimelineTable:
        return self.query_one(TimelineTable)

    # -- loading and the clock ---------------------------------------------------

    def on_mount(self) -> None:
        self.reload()
        if self.day is not None:
            self._highlight_first_open_slot()
        self.table.focus()
        self.set_interval(1.0, self.refresh_clock, name="day-clock")

    def on_screen_resume(self) -> None:
        # A dialog or the meeting screen may have changed the day in the vault.
        if self.day is not None:
            self.reload()

    def reload(self) -> None:
        """Read the day from the vault again and redraw everything."""
        if self.app.session is None:
            return
        try:
            self.day = self.days.load(self.day_id)
        except KeyError:
            self.day = None
            message = f"Clinic day {self.day_id} is not in this vault. Press Escape and open today's day from home."
            self.query_one(DayStatus).show_message(message)
            self.notify(message, title="Clinic day not found", severity="error")
            return
        self._show_slots()

    def _show_slots(self) -> None:
        assert self.day is not None
        views = self.days.slot_views(self.day)
        self.labels = {view.slot.id: view.label for view in views}
        self.has_record = {view.slot.id: view.record is not None for view in views}
        self.table.show(views, self._entries(self.app.clock.now()))
        self.refresh_clock()

    def _entries(self, now: dt.datetime) -> dict[str, TimelineEntry]:
        assert self.day is not None
        # On another date nothing runs, so project from the start of that day
        # and the planned slots show their planned times.
        moment = now if is_day_of(self.day, now) else self.day.at(self.day.settings.start)
        return {entry.slot_id: entry for entry in self.day.timeline(moment)}

    def refresh_clock(self) -> None:
        """Redraw the clock, the warnings and the projected starts for the app clock's time."""
        if self.day is None or self.app.session is None:
            return

        now = self.app.clock.now()
        entries = self._entries(now)
        config = self.app.workspace.config
        grace = dt.timedelta(minutes=config.day.dna_grace_minutes)
        text = describe_day(
            self.day,
            self.labels,
            entries,
            now,
            grace,
            dna_key=key_display("day.did_not_attend", config.keymap),
            help_key=key_display("app.help", config.keymap),
        )

        self.query_one(DayStatus).show(text)
        self.table.show_projection(entries)
        self.dna_slot_ids = text.dna_slot_ids

        for alert in text.alerts:
            if (alert.slot_id, alert.kind) in self._notified:
                continue
            self._notified.add((alert.slot_id, alert.kind))
            title = "Overrunning" if alert.kind is AlertKind.OVERRUN else "Five minutes left"
            self.notify(alert.message, title=title, severity="warning", timeout=10)

    def _highlight_first_open_slot(self) -> None:
        assert self.day is not None
        current = self.day.current_slot()
        planned = next((slot for slot in self.day.slots if slot.status is SlotStatus.PLANNED), None)
        target = current or planned
        if target is not None:
            self.table.highlight(target.id)

    # -- helpers for the actions ----------------------------------------------------

    def _highlighted_slot(self) -> Slot | None:
        if self.day is None:
            return None
        slot_id = self.table.highlighted_slot_id
        if slot_id is None:
            self.notify("This clinic day has no slots yet.", severity="warning")
            return None
        return self.day.slot(slot_id)

    def _slot_name(self, slot: Slot) -> str:
        return slot_name(slot, self.labels)

    def _apply(self, action: str, change: Callable[[], object], success: Callable[[], str]) -> None:
        """Run one change through the service and redraw, or show why it was rejected."""
        assert self.day is not None
        try:
            change()
        except ValueError as error:
            # Domain messages carry times and ids, never names or notes, so they may be logged.
            log.info("timeline change rejected action=%s day_id=%s: %s", action, self.day_id, error)
            self.notify(error_sentence(error), title=f"{action}: not done", severity="error", timeout=8)
            return
        self._show_slots()
        self.notify(success(), timeout=4)

    def _after_dialog(self, success: Callable[[], str]) -> Callable[[bool | None], None]:
        def finished(saved: bool | None) -> None:
            if saved:
                self._show_slots()
                self.notify(success(), timeout=4)

        return finished

    # -- actions --------------------------------------------------------------------

    def action_open_meeting(self) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        if slot.status in _CLOSED_STATUSES and not self.has_record.get(slot.id, False):
            rearrange_key = key_display("day.rearrange", self.app.workspace.config.keymap)
            self.notify(
                f"The slot at {slot.start:%H:%M} is {slot.status.label}, so it has no meeting to open. "
                f"Press {rearrange_key} to give the family a new time.",
                title="No meeting to open",
                severity="warning",
            )
            return

        try:
            record = self.days.start_meeting(self.day, slot.id)
        except ValueError as error:
            log.info("meeting not started day_id=%s slot_id=%s: %s", self.day_id, slot.id, error)
            self.notify(error_sentence(error), title="Meeting not started", severity="error", timeout=8)
            return
        self._show_slots()

        from clinic_tui.screens.meeting import MeetingScreen

        self.app.push_screen(MeetingScreen(record.id, self.days.resume_step(record.id)))

    def action_finish(self) -> None:
        if self.day is None:
            return
        current = self.day.current_slot()
        if current is None:
            self.notify("No meeting is in progress, so there is nothing to finish.", severity="warning")
            return
        day = self.day
        self._apply(
            "Finish",
            lambda: self.days.finish_slot(day, current.id),
            lambda: f"Finished the meeting at {self._slot_name(current)}.",
        )

    def action_skip(self) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        day = self.day

        def apply(request: SkipRequest) -> None:
            self.days.skip(day, slot.id, request.reason)

        dialog = SkipDialog("Skip slot", f"{self._slot_name(slot)}. It stays on the timeline as skipped.", apply)
        self.app.push_screen(dialog, self._after_dialog(lambda: f"Skipped {self._slot_name(slot)}."))

    def action_move_earlier(self) -> None:
        self._swap(earlier=True)

    def action_move_later(self) -> None:
        self._swap(earlier=False)

    def _swap(self, *, earlier: bool) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        day = self.day
        move = self.days.move_up if earlier else self.days.move_down
        # The success message reads the slot after the swap, at its new time.
        self._apply(
            "Move earlier" if earlier else "Move later",
            lambda: move(day, slot.id),
            lambda: f"Moved the family of {self.labels.get(slot.id, '?')} to {slot.start:%H:%M}.",
        )

    def action_move_to(self) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        day = self.day

        def apply(request: MoveRequest) -> None:
            self.days.move_to(day, slot.id, request.start, request.reason)

        def success() -> str:
            return f"Moved the family of {self.labels.get(slot.id, '?')} to {slot.start:%H:%M}."

        dialog = MoveToDialog("Move slot to another time today", self._slot_name(slot), apply)
        self.app.push_screen(dialog, self._after_dialog(success))

    def action_rearrange(self) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        day = self.day
        applied: list[RearrangeRequest] = []

        def apply(request: RearrangeRequest) -> None:
            self.days.rearrange(day, slot.id, request.date, request.start, request.reason)
            applied.append(request)

        def success() -> str:
            new_time = applied[-1]
            return (
                f"Rearranged {self._slot_name(slot)} to {new_time.date:%d/%m/%Y} at {new_time.start:%H:%M}. "
                "The old slot keeps its history."
            )

        dialog = RearrangeDialog(
            "Rearrange to another day", f"{self._slot_name(slot)}. The old slot keeps its history.", apply
        )
        self.app.push_screen(dialog, self._after_dialog(success))

    def action_did_not_attend(self) -> None:
        if self.day is None:
            return
        slot = self._did_not_attend_target()
        if slot is None:
            return
        day = self.day

        def apply(request: DidNotAttendRequest) -> None:
            self.days.did_not_attend(
                day,
                slot.id,
                request.contact,
                request.note,
                request.follow_up,
                request.follow_up_due,
                request.follow_up_detail,
            )

        default_due = day.date + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS)
        dialog = DidNotAttendDialog("Did not attend", self._slot_name(slot), apply, default_due)
        success = self._after_dialog(lambda: f"Recorded did not attend for {self._slot_name(slot)}.")
        self.app.push_screen(dialog, success)

    def _did_not_attend_target(self) -> Slot | None:
        """Return the highlighted slot if it has reached its start, else the first slot offered."""
        assert self.day is not None
        highlighted = self._highlighted_slot()
        if highlighted is None:
            return None

        now = self.app.clock.now()
        if not is_day_of(self.day, now):
            self.notify(
                f"Did not attend can be recorded only on the clinic day itself, {self.day.date:%d/%m/%Y}.",
                title="Did not attend: not done",
                severity="warning",
            )
            return None

        # The domain allows a did-not-attend from the planned start. The grace
        # time only decides when the banner offers one.
        if highlighted.status is SlotStatus.PLANNED and now >= self.day.planned_start(highlighted):
            return highlighted
        if self.dna_slot_ids:
            return self.day.slot(self.dna_slot_ids[0])

        if highlighted.status is not SlotStatus.PLANNED:
            message = (
                f"The slot at {highlighted.start:%H:%M} is {highlighted.status.label}. "
                "Only a planned slot can be recorded as did not attend."
            )
        else:
            message = (
                f"The slot at {highlighted.start:%H:%M} has not reached its start time yet. "
                "Wait until then, or skip or rearrange it if the family has cancelled."
            )
        self.notify(message, title="Did not attend: not done", severity="warning")
        return None

    def action_history(self) -> None:
        slot = self._highlighted_slot()
        if slot is None or self.day is None:
            return
        subject = f"{self._slot_name(slot)} · {slot.status.label} · {slot.mode.label}"
        self.app.push_screen(ReadOnlyDialog("Slot history", subject, history_lines(slot, self.day.settings.tzinfo)))

    def action_follow_ups(self) -> None:
        if self.day is None:
            return
        names = {slot.id: self._slot_name(slot) for slot in self.day.slots}
        subject = f"Did-not-attend follow-ups of {self.day.date:%d/%m/%Y}"
        self.app.push_screen(ReadOnlyDialog("Follow-ups", subject, follow_up_lines(self.day.follow_ups, names)))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
            return
        from clinic_tui.screens.home import HomeScreen

        self.app.switch_screen(HomeScreen())
