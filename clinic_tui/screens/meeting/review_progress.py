"""Review steps 2 and 3: what happened since the last meeting.

How far each action agreed last time was carried out, and attendance in
the school weeks since the meeting against the school weeks before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, RadioSet, Static

from clinic_tui.domain.actions import Action
from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.review import ActionStatus
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import ReviewStepPane, parse_percentage, short_date
from clinic_tui.services.reviews import AttendanceChange
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.toggles import ChoiceButton

_STATUSES = tuple(ActionStatus)
def action_line(number: int, action: Action) -> str:
    """Return an earlier action as one line: its number, owner, who, what and due date."""
    return f"{number}. {action.owner.label.capitalize()}, {action.role}: {action.description} (due {short_date(action.due)})"


class EarlierActionBlock(Vertical):
    """One action agreed last time, with done / partly done / not done and a note."""

    DEFAULT_CSS = """
    EarlierActionBlock { height: auto; margin-bottom: 1; }
    EarlierActionBlock .action-text { text-style: bold; }
    EarlierActionBlock RadioSet { layout: horizontal; width: 100%; height: auto; border: none; }
    EarlierActionBlock RadioSet > RadioButton { width: auto; margin-right: 2; }
    """

    def __init__(self, number: int, action: Action, status: ActionStatus | None, note: str) -> None:
        super().__init__(id=f"earlier-{action.id}")
        self.number = number
        self.action = action
        self.stored = (status, note)

    def compose(self) -> ComposeResult:
        status, note = self.stored
        yield Static(action_line(self.number, self.action), classes="action-text", markup=False)
        with RadioSet():
            for choice in _STATUSES:
                yield ChoiceButton(choice.label.capitalize(), value=choice is status)
        yield FormInput(note, placeholder="Note: what happened, and why if not done", classes="outcome-note", compact=True)

    @property
    def status(self) -> ActionStatus | None:
        index = self.query_one(RadioSet).pressed_index
        return None if index < 0 else _STATUSES[index]

    @property
    def note(self) -> str:
        return self.query_one(".outcome-note", Input).value

    def typed(self) -> dict[str, object]:
        status = self.status
        return {"status": None if status is None else status.value, "note": self.note}



def _saved_outcome(saved: object) -> tuple[ActionStatus | None, str | None]:
    """Return the status and note of one action's saved form inputs, or Nones when nothing was saved."""
    if not isinstance(saved, dict):
        return None, None
    status = saved.get("status")
    note = saved.get("note")
    return (
        ActionStatus(status) if status in {choice.value for choice in _STATUSES} else None,
        note if isinstance(note, str) else "",
    )


class EarlierActionsPane(ReviewStepPane):
    """Review step 2: how far each action agreed last time was carried out."""

    STEP = StepId.EARLIER_ACTIONS

    def compose(self) -> ComposeResult:
        yield self.prompt()
        outcomes = self.review.action_outcomes
        saved = self.saved_inputs.get("outcomes")
        saved = saved if isinstance(saved, dict) else {}
        if not self.review.earlier_actions:
            yield Static("No actions were agreed at the last meeting, so there is nothing to mark.")
        for number, action in enumerate(self.review.earlier_actions, start=1):
            status, note = _saved_outcome(saved.get(action.id))
            outcome = outcomes.get(action.id)
            if status is None and note is None and outcome is not None:
                status, note = outcome.status, outcome.note
            yield EarlierActionBlock(number, action, status, note or "")
        yield self.message_line()

    def first_focus(self) -> Widget | None:
        blocks = self._blocks()
        return blocks[0].query_one(RadioSet) if blocks else None

    def _blocks(self) -> list[EarlierActionBlock]:
        return list(self.query(EarlierActionBlock))

    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _changed(self, event: RadioSet.Changed | Input.Changed) -> None:
        block = next((node for node in event.control.ancestors if isinstance(node, EarlierActionBlock)), None)
        if block is not None:
            self.edited(record_changed=self._store(block))

    def _store(self, block: EarlierActionBlock) -> bool:
        """Store the block's outcome when it is complete, and return True if the record changed."""
        status = block.status
        if status is None:
            return False
        stored = self.review.action_outcomes.get(block.action.id)
        if stored is not None and (stored.status, stored.note) == (status, block.note):
            self.show_message("")
            return False
        return self.apply(lambda: self.review.set_action_outcome(block.action.id, status, block.note))

    def _unstored(self) -> list[EarlierActionBlock]:
        outcomes = self.review.action_outcomes
        unstored = []
        for block in self._blocks():
            stored = outcomes.get(block.action.id)
            if stored is None or (stored.status, stored.note) != (block.status, block.note):
                unstored.append(block)
        return unstored

    def form_inputs(self) -> dict[str, object]:
        typed = {block.action.id: block.typed() for block in self._unstored() if block.status or block.note}
        return {"outcomes": typed} if typed else {}

    def form_problems(self) -> list[str]:
        problems = []
        for block in self._unstored():
            if block.status is None:
                if block.note.strip():
                    problems.append(f"Action {block.number} has a note but is not marked done, partly done or not done.")
            elif not block.note.strip():
                problems.append(f"Action {block.number} is marked {block.status.label} but has no note. Say why.")
            else:
                problems.append(f"The outcome of action {block.number} on screen is not stored.")
        return problems


def _percent(value: object) -> str:
    return "not known" if value is None else f"{float(value):.1f}%"


class ReviewAttendancePane(ReviewStepPane, can_focus=True):
    """Review step 3: attendance in the school weeks since the last meeting against the weeks before it.

    The figures come from the marks in the vault each time the step opens,
    so a fresh import before the review is used at once. When the marks
    cannot give both figures, the officer types them from another source.
    """

    STEP = StepId.ATTENDANCE
    DEFAULT_CSS = """
    ReviewAttendancePane #typed-figures { height: auto; }
    ReviewAttendancePane #typed-figures Input { width: 20; }
    ReviewAttendancePane #figures { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield Static("", id="figures")
        with Vertical(id="typed-figures"):
            yield Label("Attendance before the last meeting (%)", classes="field-label")
            yield FormInput(self._stored_text(self.review.attendance_before), id="attendance-before", compact=True)
            yield Label("Attendance since the last meeting (%)", classes="field-label")
            yield FormInput(self._stored_text(self.review.attendance_after), id="attendance-after", compact=True)
        yield self.message_line()

    @staticmethod
    def _stored_text(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    def on_step_shown(self) -> None:
        found = self.context.attendance_since() if self.context.attendance_since else None
        change = None if found is None else found[1]
        from_marks = change is not None and change.before is not None and change.after is not None
        self.query_one("#typed-figures").display = not from_marks
        if from_marks:
            assert change is not None
            before, after = float(change.before), float(change.after)
            if (before, after) != (self.review.attendance_before, self.review.attendance_after):
                self.apply(lambda: self.review.set_attendance(before, after))
                self.edited()
        self.query_one("#figures", Static).update(self._figures_text(found, from_marks))

    def first_focus(self) -> Widget | None:
        typed = self.query_one("#typed-figures")
        return self.query_one("#attendance-before", Input) if typed.display else self

    def _figures_text(self, found: tuple[dt.date, AttendanceChange] | None, from_marks: bool) -> str:
        if found is None:
            return "The last meeting's record could not be read, so type the figures below."
        meeting_on, change = found
        lines = [
            f"Last meeting: {format_date(meeting_on)}.",
            f"Before: {_percent(change.before)} over the {change.weeks_before} school weeks before the meeting.",
            f"Since: {_percent(change.after)} over the {change.weeks_after} school weeks since, up to yesterday.",
        ]
        if from_marks:
            assert change.change is not None
            lines.append(f"Change: {float(change.change):+.1f} percentage points. These figures are stored with the review.")
        elif change.weeks_after == 0:
            lines.append("No school week has passed since the meeting, so type the figures from another source.")
        else:
            lines.append(
                "The marks in the vault do not cover both periods. Import fresh marks from the MIS "
                "(Escape, then I on the home screen), or type the figures from another source below."
            )
        return "\n".join(lines)

    @on(Input.Changed, "#attendance-before, #attendance-after")
    def _typed(self) -> None:
        figures = self._typed_figures()
        changed = False
        if isinstance(figures, tuple):
            if figures != (self.review.attendance_before, self.review.attendance_after):
                changed = self.apply(lambda: self.review.set_attendance(*figures))
            else:
                self.show_message("")
        elif figures:
            self.show_message(figures)
        self.edited(record_changed=changed)

    def _typed_figures(self) -> tuple[float, float] | str | None:
        """Return the two typed figures, the problem with them, or None while either is empty."""
        try:
            before = parse_percentage(self.query_one("#attendance-before", Input).value, "attendance before")
            after = parse_percentage(self.query_one("#attendance-after", Input).value, "attendance since")
        except InvalidValue as error:
            return str(error)
        if before is None or after is None:
            return None
        return before, after

    def form_inputs(self) -> dict[str, object]:
        if not self.query_one("#typed-figures").display:
            return {}
        typed = {key: self.query_one(f"#attendance-{key}", Input).value for key in ("before", "after")}
        stored = (self.review.attendance_before, self.review.attendance_after)
        return {} if self._typed_figures() == stored else {"attendance": typed}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        saved = values.get("attendance")
        if not isinstance(saved, dict):
            return
        with self.prevent(Input.Changed):
            for key in ("before", "after"):
                self.query_one(f"#attendance-{key}", Input).value = str(saved.get(key, ""))

    def form_problems(self) -> list[str]:
        figures = self._typed_figures() if self.query_one("#typed-figures").display else None
        if isinstance(figures, str):
            return [figures]
        return []
