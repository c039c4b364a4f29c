"""Letters for one clinic day: the families, a plain-text preview, and writing PDF and DOCX.

The family list shows initials and year group. The preview is the letter
itself, so it shows the family's names. Writing stops before the first file
when any letter has a gap, and lists every gap in the preview pane. From
here the officer also writes a finalised meeting record or the day's
anonymised summary into the same folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from clinic_tui import keys
from clinic_tui.documents.context import LetterKind
from clinic_tui.documents.errors import DocumentError, MissingDetails
from clinic_tui.domain.checks import format_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.screens.day_dialogs import error_sentence
from clinic_tui.screens.prepare_dialogs import scope_provider, screen_bindings
from clinic_tui.services.prepare import PrepareService
from clinic_tui.services.prepare_letters import LetterBatch
from clinic_tui.store.records import RecordRow
from clinic_tui.widgets.form_input import FormInput

log = logging.getLogger(__name__)

KIND_LABELS = {
    LetterKind.INVITATION: "Invitation",
    LetterKind.REARRANGED: "New time (rearranged)",
    LetterKind.DID_NOT_ATTEND: "Did not attend",
    LetterKind.MEETING_SUMMARY: "Meeting summary",
}
PREVIEW_WIDTH = 72


class RecordsDialog(ModalScreen[str | None]):
    """The day's finalised meeting records. Enter picks the highlighted one."""

    BINDINGS = [
        action.binding() for action in keys.KEY_ACTIONS if action.id in ("letters.dialog_go", "letters.dialog_close")
    ]
    DEFAULT_CSS = """
    RecordsDialog { align: center middle; }
    RecordsDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    RecordsDialog .title { text-style: bold; }
    RecordsDialog DataTable { height: auto; max-height: 12; }
    """

    def __init__(self, rows: list[tuple[RecordRow, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Write a finalised meeting record", classes="title")
            yield Static("Enter writes the highlighted record as PDF and DOCX. Escape closes.", markup=False)
            yield DataTable(id="records", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#records", DataTable)
        table.add_columns("Slot", "Family", "Version", "Record id")
        for row, slot_time, family in self.rows:
            table.add_row(slot_time, family, str(row.version), row.id, key=row.id)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value)

    def action_go(self) -> None:
        table = self.query_one("#records", DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            self.dismiss(self.rows[table.cursor_row][0].id)

    def action_close(self) -> None:
        self.dismiss(None)


class LettersScreen(Screen[None]):
    """One clinic day's letters of one kind, with a preview of the highlighted family's letter."""

    BINDINGS = screen_bindings("letters")
    COMMANDS = {scope_provider("letters")}
    DEFAULT_CSS = """
    LettersScreen #letters-status { padding: 0 1; height: auto; }
    LettersScreen #letters-folder-row { height: auto; padding: 0 1; }
    LettersScreen #letters-folder-row Label { padding-right: 1; }
    LettersScreen #letters-folder { width: 1fr; }
    LettersScreen #letters-families { height: auto; max-height: 8; }
    LettersScreen #letters-preview { height: 1fr; border-top: hkey $primary; padding: 0 1; }
    """

    def __init__(self, day_id: str | None = None) -> None:
        super().__init__()
        self.day_id = day_id
        self.day: ClinicDay | None = None
        self.kind = LetterKind.INVITATION
        self.large_print = False
        self.batch: LetterBatch | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="letters-status", markup=False)
        with Horizontal(id="letters-folder-row"):
            yield Label("Folder (O):")
            yield FormInput(id="letters-folder", compact=True)
        yield DataTable(id="letters-families", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="letters-preview"):
            yield Static(id="letters-preview-text", markup=False)
        # The compact footer fits more of the screen's keys at 80 columns.
        yield Footer(compact=True)

    @property
    def prepare(self) -> PrepareService:
        session = self.app.session
        assert session is not None, "the letters screen runs only while a vault is unlocked"
        return session.prepare

    @property
    def table(self) -> DataTable:
        return self.query_one("#letters-families", DataTable)

    def on_mount(self) -> None:
        self.title = "Letters and records"
        self.table.add_columns("Slot", "Family", "Ready")
        if self.day_id is None:
            self.day_id = self._default_day()
        self.reload()
        self.table.focus()

    def _default_day(self) -> str | None:
        """Return today's day, else the next one, else the latest one."""
        days = self.prepare.days.days()
        today = self.app.clock.now().date()
        upcoming = [day_id for day_id, date in days if date >= today]
        if upcoming:
            return upcoming[0]
        return days[-1][0] if days else None

    def reload(self) -> None:
        """Load the day and build the batch of the chosen kind, then redraw."""
        prepare = self.prepare
        self.day = prepare.days.load(self.day_id) if self.day_id else None
        self.batch = None
        self.table.clear()

        folder = self.query_one("#letters-folder", Input)
        if self.day is not None and not folder.value:
            folder.value = str(self.app.workspace.locations.data_dir / "letters" / f"{self.day.date:%Y-%m-%d}")
        self._show_status()
        if self.day is None:
            self._preview("No clinic day yet. Create one on the Schedule screen (Escape, then S).")
            return

        try:
            self.batch = prepare.letters.batch(self.kind, self.day, large_print=self.large_print)
        except ValueError as error:
            # Missing officer settings name the configuration file and the field.
            self._preview(error_sentence(error))
            return

        for index, item in enumerate(self.batch.items):
            gaps = len(self.batch.gaps_for(index))
            ready = f"no: {gaps} missing" if gaps else "yes"
            if item.reminder:
                ready += ", phone first"
            self.table.add_row(f"{item.slot.start:%H:%M}", item.label, ready, key=item.slot.id)
        if self.batch.items:
            self.table.move_cursor(row=0)
            self._show_preview(0)
        else:
            self._preview(
                f"No family on this day needs a {KIND_LABELS[self.kind].lower()} letter. Press K for another kind."
            )

    def _show_status(self) -> None:
        if self.day is None:
            text = "No clinic day."
        else:
            days = [day_id for day_id, _date in self.prepare.days.days()]
            position = f" (day {days.index(self.day.id) + 1} of {len(days)}; [ and ] move)" if self.day.id in days else ""
            text = f"{format_date(self.day.date)}{position}"
        large = "on" if self.large_print else "off"
        self.query_one("#letters-status", Static).update(
            f"{text}\nLetter kind: {KIND_LABELS[self.kind]} (K changes it). Large print: {large} (G)."
        )

    def _preview(self, text: str) -> None:
        self.query_one("#letters-preview-text", Static).update(Text(text))

    def _show_preview(self, index: int) -> None:
        if self.batch is None or not 0 <= index < len(self.batch.items):
            return
        item = self.batch.items[index]
        reminder = f"! {item.reminder}\n\n" if item.reminder else ""
        try:
            text = self.prepare.letters.preview(self.batch, index, PREVIEW_WIDTH)
        except MissingDetails as problem:
            lines = "\n".join(f"- {gap.field}: {gap.message}" for gap in problem.gaps)
            text = f"This letter cannot be written until these are added:\n{lines}"
        except DocumentError as error:
            text = error_sentence(error)
        self._preview(reminder + text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "letters-families":
            self._show_preview(event.cursor_row)

    def _folder(self) -> Path | None:
        text = self.query_one("#letters-folder", Input).value.strip()
        if not text:
            self.notify("Type the folder to write into first: press O.", severity="warning")
            return None
        return Path(text).expanduser()

    # -- actions ---------------------------------------------------------------------

    def action_write(self) -> None:
        folder = self._folder()
        if folder is None or self.day is None:
            return
        try:
            written = self.prepare.letters.write(
                self.kind, self.day, folder, large_print=self.large_print, make_folder=True
            )
        except MissingDetails as problem:
            lines = "\n".join(f"- {gap}" for gap in problem.gaps)
            self._preview(f"No letter was written. Add these details, then press F2 again:\n{lines}")
            self.notify(
                f"{len(problem.gaps)} details are missing, so no letter was written. They are listed below.",
                title="Letters not written",
                severity="error",
                timeout=8,
            )
            return
        except (DocumentError, ValueError) as error:
            log.info("letters not written day_id=%s kind=%s: %s", self.day.id, self.kind.value, error)
            self.notify(error_sentence(error), title="Letters not written", severity="error", timeout=10)
            return

        letters = "1 letter" if written.letters == 1 else f"{written.letters} letters"
        self.notify(
            f"Wrote {letters} ({len(written.paths)} files) to {folder}, "
            "and logged each one in the family's contact log.",
            title="Letters written",
            timeout=8,
        )
        for reminder in written.reminders:
            self.notify(reminder, title="Phone first", severity="warning", timeout=8)

    def action_next_kind(self) -> None:
        kinds = list(LetterKind)
        self.kind = kinds[(kinds.index(self.kind) + 1) % len(kinds)]
        self.reload()

    def action_toggle_large_print(self) -> None:
        self.large_print = not self.large_print
        self.reload()

    def action_focus_folder(self) -> None:
        self.query_one("#letters-folder", Input).focus()

    def action_export_record(self) -> None:
        if self.day is None:
            return
        rows = self.prepare.records.finalised_records(self.day)
        if not rows:
            self.notify("This day has no finalised meeting record yet.", severity="warning")
            return

        slots = {slot.id: slot for slot in self.day.slots}
        choices = []
        for row in rows:
            slot = slots.get(row.slot_id or "")
            if slot is None:
                choices.append((row, "--:--", "?"))
            else:
                choices.append((row, f"{slot.start:%H:%M}", self.prepare.label(slot.family)))

        def finished(record_id: str | None) -> None:
            folder = self._folder()
            if record_id is None or folder is None:
                return
            try:
                paths = self.prepare.records.write_record(record_id, folder, make_folder=True)
            except (DocumentError, ValueError) as error:
                log.info("record not written record_id=%s: %s", record_id, error)
                self.notify(error_sentence(error), title="Record not written", severity="error", timeout=10)
                return
            self.notify(f"Wrote {', '.join(path.name for path in paths)} to {folder}.", title="Record written")

        self.app.push_screen(RecordsDialog(choices), finished)

    def action_day_summary(self) -> None:
        folder = self._folder()
        if folder is None or self.day is None:
            return
        try:
            paths = self.prepare.records.write_day_summary(self.day, folder, make_folder=True)
        except (DocumentError, ValueError) as error:
            log.info("day summary not written day_id=%s: %s", self.day.id, error)
            self.notify(error_sentence(error), title="Summary not written", severity="error", timeout=10)
            return
        self.notify(f"Wrote {', '.join(path.name for path in paths)} to {folder}.", title="Day summary written")

    def _move(self, step: int) -> None:
        days = [day_id for day_id, _date in self.prepare.days.days()]
        if not days:
            return
        index = days.index(self.day_id) if self.day_id in days else 0
        target = index + step
        if not 0 <= target < len(days):
            self.notify("There is no clinic day further that way.", timeout=3)
            return
        self.day_id = days[target]
        self.query_one("#letters-folder", Input).value = ""
        self.reload()

    def action_previous_day(self) -> None:
        self._move(-1)

    def action_next_day(self) -> None:
        self._move(1)

    def action_back(self) -> None:
        if self.query_one("#letters-folder", Input).has_focus:
            self.table.focus()
        else:
            self.app.pop_screen()
