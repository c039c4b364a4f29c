"""Read-only dialogs of the clinic day timeline: one slot's history and the day's follow-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from clinic_tui.domain.slots import FollowUp, FollowUpKind, Slot
from clinic_tui.screens.day_keys import dialog_bindings


def event_summary(kind: str, detail: str) -> str:
    """Join an event's kind and detail, leaving out the kind when the detail starts with it."""
    if not detail:
        return kind
    if detail.lower().startswith(kind):
        return detail
    return f"{kind}: {detail}"


def history_lines(slot: Slot, zone: dt.tzinfo) -> Text:
    """Return the slot's events, oldest first, and its did-not-attend record if it has one."""
    text = Text()
    for event in slot.events:
        when = event.at.astimezone(zone)
        text.append(f"{when:%d/%m %H:%M}  ", style="bold")
        text.append(event_summary(event.kind.value.replace("_", " "), event.detail))
        text.append("\n")

    record = slot.did_not_attend
    if record is not None:
        tried = ", ".join(attempt.label for attempt in record.contact)
        text.append("\nContact tried: ", style="bold")
        text.append(tried)
        if record.note:
            text.append("\nNote: ", style="bold")
            text.append(record.note)
    return text


def follow_up_lines(follow_ups: Sequence[FollowUp], slot_names: Mapping[str, str]) -> Text:
    """Return one line per follow-up: due date, task, slot and status."""
    if not follow_ups:
        return Text("No follow-ups yet. Recording a did-not-attend adds one.")

    text = Text()
    for follow_up in sorted(follow_ups, key=lambda item: (item.due, item.created_at)):
        task = follow_up.kind.label
        if follow_up.kind is FollowUpKind.OTHER and follow_up.detail:
            task = f"{task}: {follow_up.detail}"
        text.append(f"Due {follow_up.due:%d/%m/%Y}  ", style="bold")
        slot = slot_names.get(follow_up.slot_id, "slot not on this day")
        text.append(f"{task} · {slot} · {follow_up.status.value}\n")
    return text


class ReadOnlyDialog(ModalScreen[None]):
    """A scrolling page of text over the timeline. Escape closes it."""

    BINDINGS = dialog_bindings("day.dialog_close")
    DEFAULT_CSS = """
    ReadOnlyDialog { align: center middle; }
    ReadOnlyDialog > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ReadOnlyDialog .title { text-style: bold; }
    ReadOnlyDialog .subject { margin-bottom: 1; }
    """

    def __init__(self, title: str, subject: str, body: Text) -> None:
        super().__init__()
        self.dialog_title = title
        self.subject = subject
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text(self.dialog_title), classes="title")
            yield Static(Text(self.subject), classes="subject")
            yield Static(self.body, id="dialog-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
