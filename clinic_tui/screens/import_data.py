"""Import a pupil list or attendance marks exported from the MIS, with a dry run first if wanted.

The import runs in a worker thread so the screen stays responsive, and its
progress bar follows the reader (bytes of a CSV file, rows of a workbook).
Nothing is stored unless the whole file checked clean: the attendance
service guarantees that, and this screen shows the report either way.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)
from textual.worker import Worker, WorkerState

from clinic_tui import keys
from clinic_tui.imports import Column, describe_columns
from clinic_tui.widgets.dry_run import dry_run_summary
from clinic_tui.widgets.import_run import (
    READ_SHARE,
    ImportDone,
    ImportKind,
    ImportProgress,
    ProgressRelay,
    failure_sentence,
    rejected_sentence,
    stored_sentence,
)
from clinic_tui.widgets.path_input import PathCheck, PathInput, check_file
from clinic_tui.widgets.scope_commands import scope_commands
from clinic_tui.widgets.toggles import ChoiceButton

class ImportScreen(Screen[None]):
    """Choose the kind and the file, look at the columns in a dry run, then import."""

    BINDINGS = keys.bindings("import")
    COMMANDS = {scope_commands("import")}
    DEFAULT_CSS = """
    ImportScreen #import-form { height: auto; padding: 0 1; }
    ImportScreen .field { height: auto; }
    ImportScreen .field-label { width: 10; padding: 1 1 0 0; text-style: bold; }
    ImportScreen .field-label.-compact { padding: 0 1 0 0; }
    ImportScreen .field PathInput { width: 1fr; }
    ImportScreen #import-kind { layout: horizontal; width: auto; height: auto; }
    ImportScreen #import-kind > RadioButton { width: auto; margin-right: 2; }
    ImportScreen .message { padding: 0 0 0 10; height: auto; color: $text-muted; }
    ImportScreen .message.-problem { color: $text-error; }
    ImportScreen #import-actions, ImportScreen #import-progress-row { height: auto; padding: 0 0 0 10; }
    ImportScreen #import-actions Button { margin-right: 2; }
    ImportScreen #import-progress-row { margin-top: 1; }
    ImportScreen #import-progress { width: auto; }
    ImportScreen #progress-label { margin-left: 1; width: 1fr; height: auto; }
    ImportScreen #import-summary { padding: 0 1; height: auto; text-style: bold; }
    ImportScreen #import-summary.-problem { color: $text-error; }
    ImportScreen #import-columns, ImportScreen #import-report { height: 1fr; display: none; }
    ImportScreen.-show-columns #import-columns { display: block; }
    ImportScreen.-show-report #import-report { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        # Dry runs and imports finished so far, whether they succeeded or not.
        self.finished_runs = 0
        self._file_name = ""
        # Set by the import worker once the file is stored, before the measures are recomputed.
        self._stored = False
        self._focus_before: Widget | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="import-form"):
            with Horizontal(classes="field"):
                yield Label("Kind", classes="field-label -compact")
                with RadioSet(id="import-kind", compact=True):
                    yield ChoiceButton("Pupil list", value=True, id="kind-pupils")
                    yield ChoiceButton("Attendance marks", id="kind-marks")
            with Horizontal(classes="field"):
                yield Label("File", classes="field-label")
                yield PathInput(placeholder="CSV or XLSX file from the MIS; → accepts a suggested path", id="import-path")
            yield Static("", id="path-message", classes="message", markup=False)
            with Horizontal(classes="field"):
                yield Label("Mapping", classes="field-label")
                yield PathInput(placeholder="optional TOML file naming columns the import does not know", id="import-mapping")
            yield Static("", id="mapping-message", classes="message", markup=False)
            with Horizontal(id="import-actions"):
                yield Button("Dry run (F2)", id="dry-run", compact=True)
                yield Button("Import (F3)", id="run-import", variant="primary", compact=True)
            with Horizontal(id="import-progress-row"):
                yield ProgressBar(total=100, show_eta=False, id="import-progress")
                yield Static("", id="progress-label", markup=False)
        yield Static("", id="import-summary", markup=False)
        yield DataTable(id="import-columns", cursor_type="row", zebra_stripes=True)
        yield TextArea("", read_only=True, soft_wrap=True, id="import-report")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Import from the MIS"
        self.sub_title = f"profile {self.app.session.profile_name}"
        self.query_one("#import-path", PathInput).focus()

    # -- form ----------------------------------------------------------------

    @property
    def kind(self) -> ImportKind:
        return "marks" if self.query_one("#kind-marks", RadioButton).value else "pupils"

    def action_toggle_kind(self) -> None:
        if self.busy:
            return
        target = "#kind-pupils" if self.kind == "marks" else "#kind-marks"
        self.query_one(target, RadioButton).value = True

    @on(PathInput.Changed, "#import-path")
    def _path_changed(self) -> None:
        self._check_path()

    @on(PathInput.Changed, "#import-mapping")
    def _mapping_changed(self) -> None:
        self._check_mapping()

    @on(PathInput.Submitted, "#import-path")
    def _path_submitted(self) -> None:
        if self._check_path().ok:
            self.query_one("#import-mapping", PathInput).focus()

    @on(PathInput.Submitted, "#import-mapping")
    def _mapping_submitted(self) -> None:
        if self._check_mapping().ok or not self.query_one("#import-mapping", PathInput).value.strip():
            self.query_one("#dry-run", Button).focus()

    def _check_path(self) -> PathCheck:
        check = check_file(self.query_one("#import-path", PathInput).value, description="file exported from the MIS")
        self._show_message("#path-message", check)
        return check

    def _check_mapping(self) -> PathCheck:
        value = self.query_one("#import-mapping", PathInput).value
        check = check_file(value, description="mapping file", optional=True)
        self._show_message("#mapping-message", check, problem=bool(value.strip()) and not check.ok)
        return check

    def _show_message(self, selector: str, check: PathCheck, problem: bool | None = None) -> None:
        message = self.query_one(selector, Static)
        message.update(check.message)
        message.set_class(not check.ok if problem is None else problem, "-problem")

    def _inputs(self) -> tuple[Path, Path | None] | None:
        """Return the checked file and mapping paths, or None after pointing at the problem."""
        path = self._check_path()
        if not path.ok:
            self.query_one("#import-path", PathInput).focus()
            return None
        mapping_value = self.query_one("#import-mapping", PathInput).value
        mapping = self._check_mapping()
        if mapping_value.strip() and not mapping.ok:
            self.query_one("#import-mapping", PathInput).focus()
            return None
        assert path.path is not None
        return path.path, mapping.path

    @on(Button.Pressed, "#dry-run")
    def _dry_run_pressed(self) -> None:
        self.action_dry_run()

    @on(Button.Pressed, "#run-import")
    def _import_pressed(self) -> None:
        self.action_run_import()

    # -- dry run ---------------------------------------------------------------

    def action_dry_run(self) -> None:
        if self.busy:
            return
        inputs = self._inputs()
        if inputs is None:
            return
        self._set_busy(True)
        self._file_name = inputs[0].name
        self._summary(f"Reading the header row of {inputs[0].name}…")
        self._describe(self.kind, *inputs)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False, name="dry-run")
    def _describe(self, kind: ImportKind, path: Path, mapping: Path | None) -> tuple[ImportKind, Path, list[Column]]:
        return kind, path, describe_columns(path, kind, mapping)

    def _show_columns(self, kind: ImportKind, path: Path, columns: list[Column]) -> None:
        complete, sentence = dry_run_summary(kind, columns, path.name)
        self._summary(sentence, problem=not complete)
        table = self.query_one("#import-columns", DataTable)
        table.clear(columns=True)
        table.add_columns("Column", "Header in the file", "Recognised as")
        for column in columns:
            table.add_row(Text(column.letter), Text(column.header or "(blank header)"), Text(column.recognised_as))
        self._show_results("-show-columns")

    # -- import ----------------------------------------------------------------

    def action_run_import(self) -> None:
        if self.busy:
            return
        inputs = self._inputs()
        if inputs is None:
            return
        path, mapping = inputs
        self._set_busy(True)
        self._file_name = path.name
        self._stored = False
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=100, progress=0)
        self._progress_label(f"Opening {path.name}…")
        self._summary("")
        self._show_results("")
        self._import(self.kind, path, mapping)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False, name="import")
    def _import(self, kind: ImportKind, path: Path, mapping: Path | None) -> ImportDone:
        attendance = self.app.session.attendance
        relay = ProgressRelay(self, path)
        if kind == "pupils":
            result, outcome = attendance.import_pupils_file(path, mapping, relay)
        else:
            result, outcome = attendance.import_marks_file(path, mapping, relay)

        if outcome is not None:
            self._stored = True
            self.post_message(ImportProgress(READ_SHARE + 5, "Recomputing every pupil's attendance measures…"))
            attendance.rows(refresh=True)
        return ImportDone(kind, result, outcome)

    @on(ImportProgress)
    def _progress(self, message: ImportProgress) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        if message.percent is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=message.percent)
        self._progress_label(message.label)

    def _imported(self, done: ImportDone) -> None:
        result, outcome = done.result, done.outcome
        report = self.query_one("#import-report", TextArea)
        report.load_text(result.report())
        self._show_results("-show-report")

        if outcome is None:
            self._progress_label("Stopped: the file has errors.")
            self._summary(rejected_sentence(result), problem=True)
            return

        self.query_one("#import-progress", ProgressBar).update(total=100, progress=100)
        self._progress_label("Imported.")
        session = self.app.session
        totals = f"The vault now has {session.pupil_count():,} pupils and {session.mark_count():,} marks."
        self._summary(f"{stored_sentence(done.kind, outcome)} {totals}")

    # -- worker results ------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "import" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._set_busy(False)
        self.finished_runs += 1

        if event.state is WorkerState.SUCCESS:
            if worker.name == "dry-run":
                self._show_columns(*worker.result)
            else:
                self._imported(worker.result)
            return

        run = "dry run" if worker.name == "dry-run" else "import"
        self._progress_label("Stopped.")
        self._summary(failure_sentence(run, self._file_name, worker.error, stored=self._stored), problem=True)

    # -- display -----------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        # Disabling the focused widget drops the focus, so it is put back
        # afterwards and typing goes where it went before.
        if busy:
            self._focus_before = self.focused
        self.busy = busy
        for selector in ("#dry-run", "#run-import", "#import-kind", "#import-path", "#import-mapping"):
            self.query_one(selector).disabled = busy
        if not busy and self._focus_before is not None and self._focus_before.is_attached:
            self._focus_before.focus()

    def _summary(self, text: str, problem: bool = False) -> None:
        summary = self.query_one("#import-summary", Static)
        summary.update(text)
        summary.set_class(problem, "-problem")

    def _progress_label(self, text: str) -> None:
        self.query_one("#progress-label", Static).update(text)

    def _show_results(self, panel: str) -> None:
        self.set_class(panel == "-show-columns", "-show-columns")
        self.set_class(panel == "-show-report", "-show-report")

    def action_back(self) -> None:
        if self.busy:
            self.notify("An import is running. Wait for it to finish before leaving this screen.", severity="warning")
            return
        self.app.pop_screen()

