"""Dialogs of the clinic day timeline that change a slot: skip, move, rearrange, did not attend.

Each dialog reads its fields into a request and passes it to the ``apply``
function the day screen gave it. When the input or the domain rejects the
request, the dialog stays open with everything typed, shows the reason
under the fields and sends it as a notification.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static

from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind
from clinic_tui.screens.day_keys import dialog_bindings
from clinic_tui.widgets.form_input import FormInput

log = logging.getLogger(__name__)

RequestT = TypeVar("RequestT")

_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

_CONTACT_LABELS = {
    ContactAttempt.PHONE: "Phone call",
    ContactAttempt.TEXT: "Text message",
    ContactAttempt.RECEPTION: "Asked at reception",
    ContactAttempt.NONE: "No contact tried (say why in the note)",
}


def error_sentence(error: Exception) -> str:
    """Return an error message as a sentence: capital first letter, full stop at the end."""
    text = str(error).strip()
    if not text:
        return f"The change failed with {type(error).__name__} and no message. Close the dialog and try again."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else f"{text}."


def parse_time(text: str, field: str) -> dt.time:
    """Parse a 24-hour time typed as HH:MM, or raise InvalidValue naming the field and value."""
    value = text.strip()
    advice = "Type it as HH:MM on the 24-hour clock, for example 14:30."
    if not value:
        raise InvalidValue(f"{field} is empty. {advice}")

    match = _TIME.fullmatch(value)
    if match is not None:
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours <= 23 and minutes <= 59:
            return dt.time(hours, minutes)
    raise InvalidValue(f"{field} {value!r} is not a time. {advice}")


def parse_date(text: str, field: str) -> dt.date:
    """Parse a date typed as DD/MM/YYYY (or YYYY-MM-DD), or raise InvalidValue naming the field and value."""
    value = text.strip()
    advice = "Type it as DD/MM/YYYY, for example 17/03/2026."
    if not value:
        raise InvalidValue(f"{field} is empty. {advice}")

    uk = _UK_DATE.fullmatch(value)
    iso = _ISO_DATE.fullmatch(value)
    if uk:
        day, month, year = (int(part) for part in uk.groups())
    elif iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        raise InvalidValue(f"{field} {value!r} is not a date. {advice}")

    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(f"{field} {value!r} is not a real date. Check the day and the month.") from None


@dataclass(frozen=True)
class SkipRequest:
    reason: str


@dataclass(frozen=True)
class MoveRequest:
    start: dt.time
    reason: str


@dataclass(frozen=True)
class RearrangeRequest:
    date: dt.date
    start: dt.time
    reason: str


@dataclass(frozen=True)
class DidNotAttendRequest:
    contact: tuple[ContactAttempt, ...]
    note: str
    follow_up: FollowUpKind
    follow_up_detail: str
    follow_up_due: dt.date


class SlotFormDialog(ModalScreen[bool], Generic[RequestT]):
    """A dialog about one slot that ends in a request. It dismisses with True once applied."""

    BINDINGS = dialog_bindings("day.dialog_save", "day.dialog_close")
    DEFAULT_CSS = """
    SlotFormDialog { align: center middle; }
    SlotFormDialog > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SlotFormDialog .title { text-style: bold; }
    SlotFormDialog .subject { margin-bottom: 1; }
    SlotFormDialog .field-label { margin-top: 1; }
    SlotFormDialog #dialog-error { color: $text-error; text-style: bold; }
    SlotFormDialog .hint { color: $text-muted; }
    """

    HINT = "Enter in a text box or F2 saves. Escape closes without saving."
    # The scrolling container can take focus too, but typing starts in the first field.
    AUTO_FOCUS = "SelectionList, Input"

    def __init__(self, title: str, subject: str, apply: Callable[[RequestT], None]) -> None:
        super().__init__()
        self.dialog_title = title
        self.subject = subject
        self.apply = apply

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(Text(self.dialog_title), classes="title")
            yield Static(Text(self.subject), classes="subject")
            yield from self.compose_fields()
            yield Static(id="dialog-error", markup=False)
            yield Static(Text(self.HINT), classes="hint")
        yield Footer()

    def compose_fields(self) -> ComposeResult:
        raise NotImplementedError

    def read_request(self) -> RequestT:
        """Read the fields into a request, or raise InvalidValue naming the field and value."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(Text(message))
        self.notify(message, title=f"{self.dialog_title}: not saved", severity="error", timeout=8)

    def action_save(self) -> None:
        # InvalidValue from the fields and the domain, and the service's
        # ValueError for a rearrangement onto the same day, are all messages
        # for the officer, so each one keeps the dialog open.
        try:
            request = self.read_request()
            self.apply(request)
        except ValueError as error:
            # Domain and input messages carry times, dates and ids, never names or notes.
            log.info("timeline dialog rejected dialog=%s: %s", type(self).__name__, error)
            self.show_error(error_sentence(error))
            return
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def text_of(self, selector: str) -> str:
        return self.query_one(selector, Input).value


class SkipDialog(SlotFormDialog[SkipRequest]):
    """Ask why a slot is skipped."""

    def compose_fields(self) -> ComposeResult:
        yield Label("Reason for skipping", classes="field-label")
        yield FormInput(id="reason", placeholder="for example: family cancelled by phone this morning")

    def read_request(self) -> SkipRequest:
        return SkipRequest(self.text_of("#reason"))


class MoveToDialog(SlotFormDialog[MoveRequest]):
    """Ask for a new time today and an optional reason."""

    def compose_fields(self) -> ComposeResult:
        yield Label("New start time (HH:MM)", classes="field-label")
        yield FormInput(id="time", placeholder="for example 14:30", max_length=5)
        yield Label("Reason (optional)", classes="field-label")
        yield FormInput(id="reason")

    def read_request(self) -> MoveRequest:
        return MoveRequest(parse_time(self.text_of("#time"), "new start time"), self.text_of("#reason"))


class RearrangeDialog(SlotFormDialog[RearrangeRequest]):
    """Ask for another date, a time on it and a reason."""

    def compose_fields(self) -> ComposeResult:
        yield Label("New date (DD/MM/YYYY)", classes="field-label")
        yield FormInput(id="date", placeholder="for example 17/03/2026", max_length=10)
        yield Label("New start time (HH:MM)", classes="field-label")
        yield FormInput(id="time", placeholder="for example 09:30", max_length=5)
        yield Label("Reason for rearranging", classes="field-label")
        yield FormInput(id="reason", placeholder="for example: parent or carer is at work that day")

    def read_request(self) -> RearrangeRequest:
        return RearrangeRequest(
            parse_date(self.text_of("#date"), "new date"),
            parse_time(self.text_of("#time"), "new start time"),
            self.text_of("#reason"),
        )


class DidNotAttendDialog(SlotFormDialog[DidNotAttendRequest]):
    """Ask what contact was tried, a note, and the follow-up with its due date."""

    HINT = "Tab moves between fields and Space ticks a box. F2 saves. Escape closes without saving."
    DEFAULT_CSS = """
    DidNotAttendDialog .field-label { margin-top: 0; }
    DidNotAttendDialog .subject { margin-bottom: 0; }
    DidNotAttendDialog #contact-ticked { color: $text-muted; }
    DidNotAttendDialog Input { background: $panel; }
    """

    def __init__(
        self, title: str, subject: str, apply: Callable[[DidNotAttendRequest], None], default_due: dt.date
    ) -> None:
        super().__init__(title, subject, apply)
        self.default_due = default_due

    def compose_fields(self) -> ComposeResult:
        yield Label("Contact tried", classes="field-label")
        yield SelectionList[ContactAttempt](
            *((label, attempt) for attempt, label in _CONTACT_LABELS.items()), id="contact", compact=True
        )
        # A ticked box differs from an empty one only by colour, so the choice is also spelled out.
        yield Static(self._ticked_text(()), id="contact-ticked", markup=False)
        yield Label("Note", classes="field-label")
        yield FormInput(id="note", placeholder="what happened (required when no contact was tried)", compact=True)
        yield Label("Follow-up", classes="field-label")
        yield Select[FollowUpKind](
            ((kind.label, kind) for kind in FollowUpKind),
            value=FollowUpKind.SEND_DNA_LETTER,
            allow_blank=False,
            id="follow-up",
            compact=True,
        )
        yield Label("What to do (required for Other)", classes="field-label")
        yield FormInput(id="detail", compact=True)
        yield Label("Follow-up due by (DD/MM/YYYY)", classes="field-label")
        yield FormInput(f"{self.default_due:%d/%m/%Y}", id="due", max_length=10, compact=True)

    @staticmethod
    def _ticked_text(ticked: Iterable[ContactAttempt]) -> str:
        chosen = [_CONTACT_LABELS[attempt] for attempt in ContactAttempt if attempt in set(ticked)]
        return f"Ticked: {', '.join(chosen)}" if chosen else "Ticked: nothing yet"

    @on(SelectionList.SelectedChanged, "#contact")
    def _contact_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.query_one("#contact-ticked", Static).update(self._ticked_text(event.selection_list.selected))

    def read_request(self) -> DidNotAttendRequest:
        # Keep the enum's order whatever order the boxes were ticked in.
        ticked = set(self.query_one("#contact", SelectionList).selected)
        contact = tuple(attempt for attempt in ContactAttempt if attempt in ticked)
        kind = self.query_one("#follow-up", Select).value
        assert isinstance(kind, FollowUpKind), "the follow-up list has no blank entry"

        return DidNotAttendRequest(
            contact=contact,
            note=self.text_of("#note"),
            follow_up=kind,
            follow_up_detail=self.text_of("#detail"),
            follow_up_due=parse_date(self.text_of("#due"), "follow-up due date"),
        )
