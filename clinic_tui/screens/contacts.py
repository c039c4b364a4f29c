"""One family's contact log with the call script, and one pupil's chronology.

Both screens are about one family that the officer opened, so they show
the family's names. Logging a call shows the call script filled in with
the family's names and figures and the meeting's name.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static

from clinic_tui.domain.checks import InvalidValue, format_short_date
from clinic_tui.domain.prepare import CallOutcome, ChronologyEntry, ContactEntry, ContactKind
from clinic_tui.domain.timeline import year_label
from clinic_tui.screens.day_dialogs import parse_date, parse_time
from clinic_tui.screens.prepare_dialogs import FormDialog, form_bindings, scope_provider, screen_bindings
from clinic_tui.services.prepare import NotInvited, PrepareService
from clinic_tui.widgets.form_input import FormInput

log = logging.getLogger(__name__)

NOTES_WIDTH = 40
_MOMENT = re.compile(r"(\S+)\s+(\S+)")

# The kinds the "other contact" dialog offers. A phone call has its own dialog.
OTHER_KINDS = (ContactKind.LETTER, ContactKind.TEXT, ContactKind.EMAIL, ContactKind.HOME_VISIT)


def parse_moment(text: str, zone: dt.tzinfo) -> dt.datetime:
    """Parse "DD/MM/YYYY HH:MM" in ``zone``, or raise InvalidValue naming the value."""
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        raise InvalidValue(
            f"when {text.strip()!r} is not a date and time. Type it as DD/MM/YYYY HH:MM, for example 10/03/2026 14:30."
        )
    return dt.datetime.combine(parse_date(match.group(1), "date"), parse_time(match.group(2), "time"), tzinfo=zone)


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass(frozen=True)
class ContactRequest:
    kind: ContactKind
    outcome: CallOutcome | None
    notes: str
    at: dt.datetime


class ContactDialog(FormDialog[ContactRequest]):
    """Ask how the contact went: the outcome of a call or the kind of other contact, notes and when.

    A phone call dialog shows the call script above the fields.
    """

    BINDINGS = form_bindings("contacts")
    DEFAULT_CSS = """
    ContactDialog #call-script {
        height: auto; max-height: 12; border: round $secondary; padding: 0 1; margin-bottom: 1;
    }
    ContactDialog .field-label { margin-top: 0; }
    """
    HINT = "Tab moves on and Shift+Tab back. F2 saves. Escape closes without saving."
    CALL_HINT = "Tab moves on and Shift+Tab back, to the call script to scroll it. F2 saves. Escape closes without saving."

    def __init__(
        self,
        subject: str,
        apply: Callable[[ContactRequest], object],
        now: dt.datetime,
        *,
        phone: bool,
        script: str = "",
    ) -> None:
        super().__init__("Log a phone call" if phone else "Log a contact", subject, apply)
        if phone:
            self.HINT = self.CALL_HINT
        self.phone = phone
        self.script = script
        self.now = now

    def compose_fields(self) -> ComposeResult:
        if self.phone:
            with VerticalScroll(id="call-script"):
                yield Static(Text(self.script), id="call-script-text")
            yield Label("Outcome (Enter opens the list)", classes="field-label")
            yield Select[CallOutcome](
                ((outcome.label, outcome) for outcome in CallOutcome),
                prompt="Choose the outcome",
                id="outcome",
                compact=True,
            )
        else:
            yield Label("Kind of contact (Enter opens the list)", classes="field-label")
            yield Select[ContactKind](
                ((kind.label, kind) for kind in OTHER_KINDS),
                value=OTHER_KINDS[0],
                allow_blank=False,
                id="kind",
                compact=True,
            )
        yield Label("Notes", classes="field-label")
        yield FormInput(id="notes", placeholder="what was said or sent", compact=True)
        yield Label("When (DD/MM/YYYY HH:MM)", classes="field-label")
        yield FormInput(f"{self.now:%d/%m/%Y %H:%M}", id="at", max_length=16, compact=True)

    def on_mount(self) -> None:
        self.query_one("#outcome" if self.phone else "#kind", Select).focus()

    def read_request(self) -> ContactRequest:
        at = parse_moment(self.text_of("#at"), self.now.tzinfo or dt.timezone.utc)
        notes = self.text_of("#notes").strip()
        if not self.phone:
            kind = self.query_one("#kind", Select).value
            return ContactRequest(kind if isinstance(kind, ContactKind) else OTHER_KINDS[0], None, notes, at)

        outcome = self.query_one("#outcome", Select).value
        if not isinstance(outcome, CallOutcome):
            raise InvalidValue("no outcome is chosen. Choose spoke, left a message, no answer or wrong number.")
        return ContactRequest(ContactKind.PHONE, outcome, notes, at)


class ContactsScreen(Screen[None]):
    """The contact log of one family, oldest first, with the phone-before-letter reminder."""

    BINDINGS = [binding for binding in screen_bindings("contacts") if binding.action != "next_pupil"]
    COMMANDS = {scope_provider("contacts")}
    DEFAULT_CSS = """
    ContactsScreen #contacts-family { padding: 0 1; text-style: bold; height: auto; }
    ContactsScreen #contacts-invitation { padding: 0 1; height: auto; }
    ContactsScreen #contacts-reminder { padding: 0 1; height: auto; color: $text-warning; text-style: bold; }
    ContactsScreen #contacts-log { height: 1fr; }
    ContactsScreen #contacts-empty { padding: 1 2; height: auto; }
    """

    def __init__(self, pupil_ids: Sequence[str]) -> None:
        super().__init__()
        self.pupil_ids = tuple(pupil_ids)
        self.entries: list[ContactEntry] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="contacts-family", markup=False)
        yield Static(id="contacts-invitation", markup=False)
        yield Static(id="contacts-reminder", markup=False)
        yield DataTable(id="contacts-log", cursor_type="row", zebra_stripes=True)
        yield Static(id="contacts-empty", markup=False)
        # The compact footer fits more of the screen's keys at 80 columns.
        yield Footer(compact=True)

    @property
    def prepare(self) -> PrepareService:
        session = self.app.session
        assert session is not None, "the contact log runs only while a vault is unlocked"
        return session.prepare

    def on_mount(self) -> None:
        self.title = "Contact log"
        pupils = self.prepare.pupils()
        names = ", ".join(
            f"{pupils[pupil_id].display_name} ({year_label(pupils[pupil_id].year_group)})" for pupil_id in self.pupil_ids
        )
        self.query_one("#contacts-family", Static).update(names)
        table = self.query_one("#contacts-log", DataTable)
        table.add_columns("When", "Contact", "By", "Notes")
        self.reload()
        table.focus()

    def reload(self) -> None:
        prepare = self.prepare
        self.entries = prepare.contacts(self.pupil_ids)
        zone = self.app.clock.now().tzinfo

        table = self.query_one("#contacts-log", DataTable)
        table.clear()
        for entry in self.entries:
            at = entry.at.astimezone(zone)
            table.add_row(f"{at:%d/%m/%Y %H:%M}", entry.summary(), entry.author, _short(entry.notes, NOTES_WIDTH))
        table.display = bool(self.entries)
        if self.entries:
            table.move_cursor(row=len(self.entries) - 1)
        empty = "" if self.entries else "No contact logged yet. Press C to log a phone call, O for another contact."
        self.query_one("#contacts-empty", Static).update(empty)

        try:
            invitation = prepare.invitation_for(self.pupil_ids)
            decision = invitation.decision
            text = (
                f"Invitation {invitation.status.value}. Decided on {format_short_date(decision.decided_on)} by "
                f"{decision.decided_by} ({decision.role}). Reason: {decision.reason.label}."
            )
        except NotInvited:
            text = "No invitation decided yet. Press Escape, then D on the candidate list, to decide."
        self.query_one("#contacts-invitation", Static).update(text)

        reminder = prepare.phone_reminder(self.pupil_ids)
        self.query_one("#contacts-reminder", Static).update(f"! {reminder}" if reminder else "")

    def _open_dialog(self, phone: bool) -> None:
        prepare = self.prepare
        script = ""
        if phone:
            try:
                script = prepare.call_script(self.pupil_ids, width=68)
            except ValueError as error:
                # A broken user template names its file and line. The call can
                # still be logged without the script.
                log.info("call script not shown: %s", error)
                script = f"No call script: {error}"

        family = self.pupil_ids

        def apply(request: ContactRequest) -> object:
            return prepare.log_contact(family, request.kind, outcome=request.outcome, notes=request.notes, at=request.at)

        subject = f"For {prepare.label(family)}."
        dialog = ContactDialog(subject, apply, self.app.clock.now(), phone=phone, script=script)
        self.app.push_screen(dialog, self._after_dialog)

    def _after_dialog(self, result: object) -> None:
        if isinstance(result, ContactEntry):
            self.reload()
            self.notify(f"Logged: {result.summary()}.", timeout=4)

    def action_log_call(self) -> None:
        self._open_dialog(phone=True)

    def action_log_other(self) -> None:
        self._open_dialog(phone=False)

    def action_chronology(self) -> None:
        self.app.push_screen(ChronologyScreen(self.pupil_ids))

    def action_back(self) -> None:
        self.app.pop_screen()


class ChronologyScreen(Screen[None]):
    """Everything about one pupil in date order. N moves to the next pupil of the family."""

    BINDINGS = [binding for binding in screen_bindings("contacts") if binding.action in ("next_pupil", "back")]
    COMMANDS = {scope_provider("contacts")}
    DEFAULT_CSS = """
    ChronologyScreen #chronology-pupil { padding: 0 1; text-style: bold; height: auto; }
    ChronologyScreen #chronology { height: 1fr; }
    ChronologyScreen #chronology-notes { padding: 0 1; height: auto; max-height: 6; border-top: hkey $primary; }
    """

    def __init__(self, pupil_ids: Sequence[str]) -> None:
        super().__init__()
        self.pupil_ids = tuple(pupil_ids)
        self.position = 0
        self.entries: list[ChronologyEntry] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="chronology-pupil", markup=False)
        yield DataTable(id="chronology", cursor_type="row", zebra_stripes=True)
        yield Static(id="chronology-notes", markup=False)
        # The compact footer fits more of the screen's keys at 80 columns.
        yield Footer(compact=True)

    @property
    def prepare(self) -> PrepareService:
        session = self.app.session
        assert session is not None, "the chronology runs only while a vault is unlocked"
        return session.prepare

    def on_mount(self) -> None:
        self.title = "Chronology"
        self.query_one("#chronology", DataTable).add_columns("When", "What", "Who")
        self.show_pupil()
        self.query_one("#chronology", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.app.session is not None:
            self.show_pupil()

    def show_pupil(self) -> None:
        pupil_id = self.pupil_ids[self.position]
        pupil = self.prepare.pupils()[pupil_id]
        of = f" (pupil {self.position + 1} of {len(self.pupil_ids)}; N for the next)" if len(self.pupil_ids) > 1 else ""
        self.query_one("#chronology-pupil", Static).update(
            f"{pupil.display_name} ({year_label(pupil.year_group)}){of}"
        )

        self.entries = self.prepare.chronology(pupil_id)
        zone = self.app.clock.now().tzinfo
        table = self.query_one("#chronology", DataTable)
        table.clear()
        for entry in self.entries:
            at = entry.at.astimezone(zone)
            # A decision has a date only, stored as midnight.
            when = f"{at:%d/%m/%Y}" if entry.kind == "invitation" and at.time() == dt.time(0) else f"{at:%d/%m/%Y %H:%M}"
            table.add_row(when, entry.summary, entry.author)
        if not self.entries:
            self.query_one("#chronology-notes", Static).update("Nothing recorded for this pupil yet.")
        else:
            table.move_cursor(row=0)
            self._show_notes(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_notes(event.cursor_row)

    def _show_notes(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        notes = self.entries[row].notes.strip()
        self.query_one("#chronology-notes", Static).update(f"Notes: {notes}" if notes else "No notes on this entry.")

    def action_next_pupil(self) -> None:
        if len(self.pupil_ids) == 1:
            self.notify("This family has one pupil.", timeout=3)
            return
        self.position = (self.position + 1) % len(self.pupil_ids)
        self.show_pupil()

    def action_back(self) -> None:
        self.app.pop_screen()
