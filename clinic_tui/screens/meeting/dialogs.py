"""Dialogs of the meeting screen: choosing a step, the missing items, finalising and addenda."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from clinic_tui import keys
from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.completeness import MissingItem
from clinic_tui.domain.steps import Step, StepId
from clinic_tui.screens.meeting.base import MeetingContext
from clinic_tui.widgets.form_input import FormInput

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > VerticalScroll {{
    width: 90%; max-width: 96; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .hint {{ color: $text-muted; }}
{name} .field-label {{ text-style: bold; margin-top: 1; }}
{name} .dialog-message {{ color: $text-error; text-style: bold; }}
{name} OptionList {{ height: auto; max-height: 16; }}
{name} TextArea {{ height: 5; }}
"""


def dialog_bindings(*binding_ids: str) -> list[Binding]:
    """Return the bindings of some meeting KeyActions, for a dialog's BINDINGS."""
    return [action.binding() for action in keys.KEY_ACTIONS if action.id in binding_ids]


class StepListDialog(ModalScreen[StepId | None]):
    """A list of the meeting's steps with how many items each still needs. Enter goes to one."""

    BINDINGS = dialog_bindings("meeting.dialog_go", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="StepListDialog")

    def __init__(self, steps: Sequence[Step], current: StepId, missing: Sequence[MissingItem]) -> None:
        super().__init__()
        self.steps = steps
        self.current = current
        self.missing = missing

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Go to a step", classes="title")
            options = []
            for step in self.steps:
                count = sum(1 for item in self.missing if item.step is step.id)
                needs = f"{count} item{'s' if count != 1 else ''} still needed" if count else "nothing missing"
                here = " (you are here)" if step.id is self.current else ""
                options.append(Option(f"Step {step.number} of {len(self.steps)}: {step.title}{here}, {needs}", id=step.id.value))
            yield OptionList(*options, id="step-list")
            yield Static("Enter goes to the highlighted step. Escape closes this list.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = next(i for i, step in enumerate(self.steps) if step.id is self.current)
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(StepId(str(event.option.id)))

    def action_go(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(self.steps[option_list.highlighted].id)

    def action_close(self) -> None:
        self.dismiss(None)


class MissingItemsDialog(ModalScreen[StepId | None]):
    """A list of everything that stops the record being finalised, each with its step. Enter goes there."""

    BINDINGS = dialog_bindings("meeting.dialog_go", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="MissingItemsDialog")

    def __init__(self, context: MeetingContext, items: Sequence[MissingItem]) -> None:
        super().__init__()
        self.context = context
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(
                f"The record cannot be finalised yet: {len(self.items)} "
                f"item{'s are' if len(self.items) != 1 else ' is'} missing",
                classes="title",
            )
            options = []
            for index, item in enumerate(self.items):
                step = self.context.step(item.step)
                prompt = f"Step {step.number}, {step.title}: {self.context.with_names(item.message)}"
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="missing-list")
            yield Static("Enter goes to the step of the highlighted item. Escape closes this list.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.items[int(str(event.option.id))].step)

    def action_go(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(self.items[option_list.highlighted].step)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmFinaliseDialog(ModalScreen[bool]):
    """The last check before a record is locked."""

    BINDINGS = dialog_bindings("meeting.dialog_confirm", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmFinaliseDialog")

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Finalise this record?", classes="title")
            yield Static(
                "Finalising locks the record. After that, a correction or addition can only be "
                "made as an addendum, with its reason, time and author; the original stays as it is.\n\n"
                "Press F2 to finalise and lock it, or Escape to go back to the read-back."
            )
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


class AddendumDialog(ModalScreen[bool]):
    """Add a correction or addition to a finalised record, as a new version."""

    BINDINGS = dialog_bindings("meeting.dialog_save", "meeting.dialog_close")
    DEFAULT_CSS = DIALOG_CSS.format(name="AddendumDialog")

    def __init__(self, context: MeetingContext, day_id: str | None) -> None:
        super().__init__()
        self.context = context
        self.day_id = day_id

    def compose(self) -> ComposeResult:
        record = self.context.record
        now = self.context.now()
        author = self.app.session.profile_name
        with VerticalScroll():
            yield Label(f"Addendum to a finalised record (it becomes version {record.version + 1})", classes="title")
            yield Static(
                f"Recorded at {now:%H:%M} on {format_date(now.date())} by {author}. "
                "The finalised record stays unchanged; this is added after it.",
                classes="hint",
            )
            yield Label("Reason for the change", classes="field-label")
            yield FormInput(placeholder="for example: the parent corrected a date", id="addendum-reason", compact=True)
            yield Label("Correction or addition", classes="field-label")
            yield TextArea(id="addendum-text")
            yield Static("", id="addendum-message", classes="dialog-message")
            yield Static("F2 saves the addendum. Escape closes without saving.", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#addendum-reason", Input).focus()

    @on(Input.Submitted, "#addendum-reason")
    def _next_field(self) -> None:
        self.query_one("#addendum-text", TextArea).focus()

    def action_save(self) -> None:
        reason = self.query_one("#addendum-reason", Input).value.strip()
        text = self.query_one("#addendum-text", TextArea).text.strip()
        try:
            self.app.session.days.add_addendum(self.context.record, self.day_id, reason, text)
        except InvalidValue as error:
            self.query_one("#addendum-message", Static).update(str(error))
            return
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
