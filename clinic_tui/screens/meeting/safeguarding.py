"""The safeguarding dialogs: raise a concern from any step, and record when the DSL was informed."""

from __future__ import annotations

import datetime as dt

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, RadioSet, Static, TextArea
from textual.widgets.option_list import Option

from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.safeguarding import SafeguardingConcern
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import MeetingContext, parse_time
from clinic_tui.screens.meeting.dialogs import DIALOG_CSS, dialog_bindings
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.toggles import ChoiceButton


def _dsl_told_at(context: MeetingContext, radios: RadioSet, field: Input) -> dt.datetime | None:
    """Return the time today that the DSL was informed, or None if not yet. Raise InvalidValue for a bad time."""
    if radios.pressed_index != 1:
        return None
    now = context.now()
    return parse_time(field.value, "the time the DSL was told", now.date(), now.tzinfo)


class ConcernDialog(ModalScreen[bool]):
    """Raise a safeguarding concern: the note, the time, and whether and when the DSL was informed."""

    BINDINGS = dialog_bindings("meeting.dialog_save", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="ConcernDialog") + """
    ConcernDialog RadioSet { width: 100%; height: auto; }
    ConcernDialog #dsl-time { width: 12; margin-left: 2; }
    """

    def __init__(self, context: MeetingContext, step: StepId) -> None:
        super().__init__()
        self.context = context
        self.step = step

    def compose(self) -> ComposeResult:
        now = self.context.now()
        step = self.context.step(self.step)
        untold = [concern for concern in self.context.record.concerns if not concern.dsl_informed]
        with VerticalScroll():
            yield Label("Safeguarding concern", classes="title")
            yield Static(
                f"Raised at {now:%H:%M} on {format_date(now.date())}, at step {step.number} ({step.title}), "
                f"by {self.app.session.profile_name}. It goes on the end-of-day safeguarding checklist.",
                classes="hint",
            )
            yield Label("What caused the concern", classes="field-label")
            yield TextArea(id="concern-note", placeholder="What was said or seen, in plain words")
            yield Label("Has the DSL been told?", classes="field-label")
            with RadioSet(id="dsl-told"):
                yield ChoiceButton("Not yet", value=True)
                yield ChoiceButton("Yes, at the time below")
            yield FormInput(f"{now:%H:%M}", id="dsl-time", disabled=True, compact=True)
            yield Static("", id="concern-message", classes="dialog-message")
            if untold:
                yield Static(
                    "Concerns raised earlier that the DSL has not been told of. Enter on one records "
                    "the time the DSL was told.",
                    classes="field-label",
                )
                yield OptionList(
                    *(Option(self._describe(concern), id=concern.id) for concern in untold), id="untold"
                )
            yield Static("F2 saves the concern. Escape closes without saving.", classes="hint")
        yield Footer()

    def _describe(self, concern: SafeguardingConcern) -> str:
        """Describe an earlier concern by time, step and author, never by its note."""
        step = self.context.step(concern.step)
        return f"Raised at {concern.raised_at:%H:%M} at step {step.number} ({step.title}) by {concern.raised_by}"

    def on_mount(self) -> None:
        self.query_one("#concern-note", TextArea).focus()

    @on(RadioSet.Changed, "#dsl-told")
    def _told_changed(self, event: RadioSet.Changed) -> None:
        self.query_one("#dsl-time", Input).disabled = event.index != 1

    @on(OptionList.OptionSelected, "#untold")
    def _record_told(self, event: OptionList.OptionSelected) -> None:
        def told(saved: bool | None) -> None:
            if saved:
                self.dismiss(True)

        self.app.push_screen(DslToldDialog(self.context, str(event.option.id)), told)

    def action_save(self) -> None:
        message = self.query_one("#concern-message", Static)
        note = self.query_one("#concern-note", TextArea).text.strip()
        try:
            told_at = _dsl_told_at(self.context, self.query_one("#dsl-told", RadioSet), self.query_one("#dsl-time", Input))
            self.app.session.days.raise_concern(self.context.record, self.step, note, told_at)
        except InvalidValue as error:
            message.update(str(error))
            return
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


class DslToldDialog(ModalScreen[bool]):
    """Record the time the DSL was informed of a concern raised earlier."""

    BINDINGS = dialog_bindings("meeting.dialog_save", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="DslToldDialog") + """
    DslToldDialog #told-time { width: 12; }
    """

    def __init__(self, context: MeetingContext, concern_id: str) -> None:
        super().__init__()
        self.context = context
        self.concern_id = concern_id

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("When was the DSL told about this concern?", classes="title")
            yield Label("Time today (hours:minutes)", classes="field-label")
            yield FormInput(f"{self.context.now():%H:%M}", id="told-time", compact=True)
            yield Static("", id="told-message", classes="dialog-message")
            yield Static("F2 saves the time. Escape closes without saving.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#told-time", Input).focus()

    def action_save(self) -> None:
        now = self.context.now()
        message = self.query_one("#told-message", Static)
        try:
            told_text = self.query_one("#told-time", Input).value
            told_at = parse_time(told_text, "the time the DSL was told", now.date(), now.tzinfo)
            self.app.session.days.record_dsl_informed(self.context.record, self.concern_id, told_at)
        except InvalidValue as error:
            message.update(str(error))
            return
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
