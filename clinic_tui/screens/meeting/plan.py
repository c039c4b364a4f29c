"""Steps 6 to 9: barriers, two-way actions, the review date and target, and the next step."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, RadioSet, Select, Static

from clinic_tui.domain.actions import Action, OwnerType, one_sided_warning
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import MeetingContext, StepPane, parse_date, parse_percentage, short_date
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.tick_list import TickItem, TickList
from clinic_tui.widgets.toggles import ChoiceButton


class BarriersPane(StepPane):
    """Step 6: barriers from the fixed taxonomy, each with a note. Typing a note chooses the barrier.

    The barriers share one list and one notes field, which edits the notes
    of the highlighted barrier. A row of widgets for each barrier would make
    every frame drawn while the officer types paint all of them.
    """

    STEP = StepId.BARRIERS
    DEFAULT_CSS = """
    /* The list takes the room the step has left, up to a line for each of the 15 barriers. */
    BarriersPane #barrier-list { height: 1fr; min-height: 3; max-height: 15; }
    """

    def __init__(self, context: MeetingContext, saved: Mapping[str, object] | None = None) -> None:
        super().__init__(context, saved)
        chosen = {entry.barrier: entry.notes for entry in self.record.barriers}

        # The handlers run on every key, so the pane keeps its widgets instead of querying for them.
        # ``_editing`` is the barrier whose notes the field shows, the highlighted one.
        self._editing = next(iter(Barrier))
        self._barrier_list = TickList(
            (TickItem(barrier.value, barrier.label, barrier in chosen, chosen.get(barrier, "")) for barrier in Barrier),
            id="barrier-list",
        )
        self._notes_title = Static(self._title(self._editing), id="barrier-notes-label", classes="field-label")
        self._notes_field = FormInput(
            chosen.get(self._editing, ""),
            placeholder="Type notes on the highlighted barrier",
            id="barrier-notes",
            compact=True,
        )

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield self._barrier_list
        yield self._notes_title
        yield self._notes_field
        yield self.message_line()

    @staticmethod
    def _title(barrier: Barrier) -> str:
        return f"Notes on: {barrier.label}"

    def _ticked(self, barrier: Barrier) -> bool:
        return self._barrier_list.is_ticked(barrier.value)

    def _notes(self, barrier: Barrier) -> str:
        return self._barrier_list.note(barrier.value)

    @on(TickList.Highlighted, "#barrier-list")
    def _highlighted(self, event: TickList.Highlighted) -> None:
        # The pane follows the highlight through this message, not by reading the list, so that a
        # change the field posted before the highlight moved is still stored on its own barrier.
        self._editing = Barrier(event.key)
        self._notes_title.update(self._title(self._editing))
        field = self._notes_field
        with self.prevent(Input.Changed):
            field.value = self._notes(self._editing)
        field.cursor_position = len(field.value)

    @on(TickList.Selected, "#barrier-list")
    def _selected(self) -> None:
        self._notes_field.focus()

    @on(Input.Submitted, "#barrier-notes")
    def _notes_submitted(self) -> None:
        self._barrier_list.focus()

    @on(TickList.Toggled, "#barrier-list")
    def _toggled(self, event: TickList.Toggled) -> None:
        self._store(Barrier(event.key))

    @on(Input.Changed, "#barrier-notes")
    def _notes_changed(self, event: Input.Changed) -> None:
        barrier = self._editing
        # The field reports its first value as it mounts, and that is the note the list already has.
        if event.value == self._notes(barrier):
            return

        self._barrier_list.set_note(barrier.value, event.value)
        if event.value.strip():
            self._barrier_list.set_ticked(barrier.value, True)
        self._store(barrier)

    def _store(self, barrier: Barrier) -> None:
        chosen = {entry.barrier: entry.notes for entry in self.record.barriers}
        changed = False
        if self._ticked(barrier):
            notes = self._notes(barrier)
            if chosen.get(barrier) != notes or barrier not in chosen:
                changed = self.apply(lambda: self.record.set_barrier(barrier, notes))
        elif barrier in chosen:
            changed = self.apply(lambda: self.record.remove_barrier(barrier))
        if barrier is Barrier.SAFEGUARDING and self._ticked(barrier) and not self.record.flagged:
            self.show_message("This barrier needs a safeguarding concern so that the DSL is informed: press F6.")
        self.edited(record_changed=changed)

    def _unstored_ticks(self) -> list[str]:
        """Return the barriers ticked on screen that the record does not hold, such as Other with no notes yet."""
        stored = {entry.barrier for entry in self.record.barriers}
        return [barrier.value for barrier in Barrier if self._ticked(barrier) and barrier not in stored]

    def form_inputs(self) -> dict[str, object]:
        ticked = self._unstored_ticks()
        return {"ticked": ticked} if ticked else {}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        ticked = values.get("ticked")
        if not isinstance(ticked, list):
            return
        known = {barrier.value for barrier in Barrier}
        for key in ticked:
            if key in known:
                self._barrier_list.set_ticked(key, True)

    def form_problems(self) -> list[str]:
        if self._ticked(Barrier.OTHER) and not self._notes(Barrier.OTHER).strip():
            return ["The 'Other' barrier is chosen but has no notes. Describe the barrier, or untick it."]
        return []


class ActionsPane(StepPane):
    """Step 7: the agreed actions, with the warning and reason when they all fall on one side."""

    STEP = StepId.ACTIONS
    DEFAULT_CSS = """
    ActionsPane #action-table { height: auto; max-height: 8; }
    ActionsPane .form-row { height: auto; margin-top: 1; }
    ActionsPane #action-owner { width: 22; }
    ActionsPane #action-role { width: 22; }
    ActionsPane #action-what { width: 1fr; }
    ActionsPane #action-due { width: 14; }
    ActionsPane #one-sided { color: $text-warning; text-style: bold; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield DataTable(id="action-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-row"):
            yield Select(
                [(owner.label, owner) for owner in OwnerType], prompt="Owner", id="action-owner", compact=True
            )
            yield FormInput(placeholder="Who, e.g. Mum", id="action-role", compact=True)
            yield FormInput(placeholder="What will be done", id="action-what", compact=True)
            yield FormInput(placeholder="Due dd/mm/yyyy", id="action-due", compact=True)
        yield Static("F4 adds the action typed above. Delete removes the highlighted action.", classes="hint")
        yield Static("", id="one-sided")
        yield FormInput(
            self.record.one_sided_reason,
            placeholder="Why every action falls on one side",
            id="one-sided-reason",
            compact=True,
        )
        yield self.message_line()

    def first_focus(self) -> Select:
        return self.query_one("#action-owner", Select)

    def on_mount(self) -> None:
        self.query_one("#action-table", DataTable).add_columns("Owner", "Who", "What", "Due")
        self._show_actions()

    def _show_actions(self) -> None:
        table = self.query_one("#action-table", DataTable)
        table.clear()
        for action in self.record.actions:
            table.add_row(action.owner.label, action.role, action.description, short_date(action.due))
        if not self.record.actions:
            table.add_row("(no actions yet)", "", "", "")

        warning = one_sided_warning(self.record.action_balance)
        self.query_one("#one-sided", Static).update(f"Warning: {warning}" if warning else "")
        self.query_one("#one-sided", Static).display = warning is not None
        self.query_one("#one-sided-reason", Input).display = warning is not None

    def can_add(self) -> bool:
        return True

    def add(self) -> None:
        owner = self.query_one("#action-owner", Select)
        role = self.query_one("#action-role", Input)
        what = self.query_one("#action-what", Input)
        due = self.query_one("#action-due", Input)
        if owner.is_blank():
            self.show_message("Choose who owns the action: parent or carer, pupil, school or other agency.")
            owner.focus()
            return

        try:
            action = Action(owner.value, role.value.strip(), what.value.strip(), parse_date(due.value, "due date"))
        except InvalidValue as error:
            self.show_message(str(error))
            return
        if not self.apply(lambda: self.record.add_action(action)):
            return

        with self.prevent(Input.Changed, Select.Changed):
            owner.clear()
            for field in (role, what, due):
                field.value = ""
        self._show_actions()
        self.edited()
        owner.focus()

    def can_remove(self) -> bool:
        return bool(self.record.actions)

    def remove(self) -> None:
        table = self.query_one("#action-table", DataTable)
        index = table.cursor_row
        actions = self.record.actions
        if not table.has_focus or not 0 <= index < len(actions):
            self.show_message("Highlight an action in the list, then press Delete to remove it.")
            return
        if self.apply(lambda: self.record.remove_action(actions[index].id)):
            self._show_actions()
            self.edited()

    @on(Input.Submitted, "#action-role, #action-what, #action-due")
    def _submitted(self) -> None:
        self.add()

    @on(Input.Changed, "#action-role, #action-what, #action-due")
    @on(Select.Changed, "#action-owner")
    def _form_changed(self) -> None:
        self.edited(record_changed=False)

    @on(Input.Changed, "#one-sided-reason")
    def _reason_changed(self, event: Input.Changed) -> None:
        if event.value != self.record.one_sided_reason and self.apply(
            lambda: self.record.set_one_sided_reason(event.value)
        ):
            self.edited()

    def _form_values(self) -> dict[str, object]:
        owner = self.query_one("#action-owner", Select)
        return {
            "owner": None if owner.is_blank() else owner.value.value,
            "role": self.query_one("#action-role", Input).value,
            "what": self.query_one("#action-what", Input).value,
            "due": self.query_one("#action-due", Input).value,
        }

    def form_inputs(self) -> dict[str, object]:
        values = self._form_values()
        return {"action": values} if any(values.values()) else {}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        saved = values.get("action")
        if not isinstance(saved, dict):
            return
        with self.prevent(Input.Changed, Select.Changed):
            if saved.get("owner") in {owner.value for owner in OwnerType}:
                self.query_one("#action-owner", Select).value = OwnerType(saved["owner"])
            for key in ("role", "what", "due"):
                self.query_one(f"#action-{key}", Input).value = str(saved.get(key, ""))

    def form_problems(self) -> list[str]:
        values = self._form_values()
        if any(str(values[key]).strip() for key in ("role", "what", "due")):
            return ["An action is typed in the add form but not added. Press F4 to add it, or clear the form."]
        return []


class ReviewPane(StepPane):
    """Step 8: the review date, prefilled six school weeks ahead, and the attendance target."""

    STEP = StepId.REVIEW_DATE
    DEFAULT_CSS = """
    ReviewPane Input { width: 30; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield Label("Review date (day/month/year)", classes="field-label")
        yield FormInput(short_date(self.record.review_date), id="review-date", compact=True)
        yield Static("", id="review-date-text", classes="hint")
        yield Label("Attendance target (%)", classes="field-label")
        target = self.record.attendance_target
        yield FormInput("" if target is None else f"{target:g}", id="attendance-target", placeholder="for example 95", compact=True)
        yield Static("Leave the target empty if none was agreed.", classes="hint")
        yield self.message_line()

    def on_mount(self) -> None:
        self._show_date()

    def _show_date(self) -> None:
        stored = self.record.review_date
        self.query_one("#review-date-text", Static).update(
            f"Stored: {format_date(stored)}." if stored else "No review date stored yet."
        )

    @on(Input.Changed, "#review-date")
    def _date_changed(self, event: Input.Changed) -> None:
        changed = self.store_date(event.value)
        self._show_date()
        self.edited(record_changed=changed)

    def store_date(self, text: str) -> bool:
        """Store the typed review date when it is valid, and return True if the record changed."""
        try:
            review_date = parse_date(text, "review date")
        except InvalidValue as error:
            self.show_message(str(error))
            return False
        if review_date == self.record.review_date:
            self.show_message("")
            return False
        return self.apply(lambda: self.record.set_review_date(review_date))

    @on(Input.Changed, "#attendance-target")
    def _target_changed(self, event: Input.Changed) -> None:
        changed = False
        try:
            target = parse_percentage(event.value, "attendance target")
        except InvalidValue as error:
            self.show_message(str(error))
        else:
            if target != self.record.attendance_target:
                changed = self.apply(lambda: self.record.set_attendance_target(target))
            else:
                self.show_message("")
        self.edited(record_changed=changed)

    def _date_problem(self) -> str | None:
        text = self.query_one("#review-date", Input).value
        try:
            review_date = parse_date(text, "review date")
        except InvalidValue as error:
            return str(error)
        if review_date != self.record.review_date:
            return f"The review date {text.strip()!r} is not stored. It must be after the meeting."
        return None

    def _target_problem(self) -> str | None:
        text = self.query_one("#attendance-target", Input).value
        try:
            target = parse_percentage(text, "attendance target")
        except InvalidValue as error:
            return str(error)
        if target != self.record.attendance_target:
            return f"The attendance target {text.strip()!r} is not stored. Enter a number from 0 to 100."
        return None

    def form_inputs(self) -> dict[str, object]:
        typed = {}
        if self._date_problem() is not None:
            typed["review_date"] = self.query_one("#review-date", Input).value
        if self._target_problem() is not None:
            typed["attendance_target"] = self.query_one("#attendance-target", Input).value
        return typed

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        with self.prevent(Input.Changed):
            if isinstance(values.get("review_date"), str):
                self.query_one("#review-date", Input).value = values["review_date"]
            if isinstance(values.get("attendance_target"), str):
                self.query_one("#attendance-target", Input).value = values["attendance_target"]

    def form_problems(self) -> list[str]:
        problems = [self._date_problem(), self._target_problem()]
        # An empty date with none stored is reported by the record's own check.
        if self.record.review_date is None and not self.query_one("#review-date", Input).value.strip():
            problems[0] = None
        return [problem for problem in problems if problem]


class NextStepPane(StepPane):
    """Step 9: the next step from the fixed list, with a note."""

    STEP = StepId.NEXT_STEP
    DEFAULT_CSS = """
    NextStepPane RadioSet { width: 100%; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        with RadioSet(id="next-step"):
            for step in NextStep:
                yield ChoiceButton(step.label, value=step is self.record.next_step, id=f"next-{step.value}")
        yield Label("Note", classes="field-label")
        yield FormInput(self.record.next_step_note, placeholder="Why, and what happens next", id="next-note", compact=True)
        yield self.message_line()

    def _chosen(self) -> NextStep | None:
        pressed = self.query_one("#next-step", RadioSet).pressed_button
        return None if pressed is None else NextStep(str(pressed.id).removeprefix("next-"))

    @on(RadioSet.Changed, "#next-step")
    @on(Input.Changed, "#next-note")
    def _changed(self) -> None:
        chosen = self._chosen()
        note = self.query_one("#next-note", Input).value
        changed = False
        if chosen is not None and (chosen, note) != (self.record.next_step, self.record.next_step_note):
            changed = self.apply(lambda: self.record.set_next_step(chosen, note))
            if chosen is NextStep.SAFEGUARDING_REFERRAL and not self.record.flagged:
                self.show_message("A safeguarding referral needs a safeguarding concern with the reason: press F6.")
        self.edited(record_changed=changed)

    def form_inputs(self) -> dict[str, object]:
        note = self.query_one("#next-note", Input).value
        if self._chosen() is None and note:
            return {"next_step_note": note}
        return {}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        if isinstance(values.get("next_step_note"), str) and self.record.next_step is None:
            with self.prevent(Input.Changed):
                self.query_one("#next-note", Input).value = values["next_step_note"]

    def form_problems(self) -> list[str]:
        if self._chosen() is None and self.query_one("#next-note", Input).value.strip():
            return ["A next step note is typed but no next step is chosen. Choose one from the list."]
        return []
