"""The sync screen: what waits to be synced, the last successful sync, and a sync to a folder.

The sync runs in a worker thread, because sealing and copying a day's
records to a USB stick can take a few seconds, and reports its progress and
a result per record version (id, version, state), never a name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, ProgressBar, Static

from clinic_tui import keys
from clinic_tui.widgets.form_input import FormInput

_STATE_LABELS = {
    "pending": "waiting to be sealed",
    "sealed": "sealed, not yet sent",
    "sent": "sent, waiting for a receipt",
    "acknowledged": "acknowledged by the central store",
    "quarantined": "kept aside by the central store",
}

_STAGE_LABELS = {"sealing": "Sealing records and impact rows", "sending": "Copying bundles", "receipts": "Reading receipts"}


def format_moment(moment: dt.datetime, now: dt.datetime) -> str:
    """Return a time as an officer in England reads it, in the clock's zone."""
    local = moment.astimezone(now.tzinfo)
    return local.strftime("%d/%m/%Y at %H:%M")


class FolderDialog(ModalScreen[Path | None]):
    """Ask for the folder to sync through; Enter syncs, Escape cancels."""

    BINDINGS = [binding for binding in keys.bindings("sync") if binding.id == "sync.dialog_close"]
    DEFAULT_CSS = """
    FolderDialog { align: center middle; }
    FolderDialog > Vertical { width: 72; height: auto; border: round $primary; background: $surface; padding: 1 2; }
    FolderDialog #folder-message { color: $text-warning; }
    """

    def __init__(self, suggested: Path | None) -> None:
        super().__init__()
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Folder to sync through (a USB stick or shared folder). Enter syncs, Escape cancels.")
            yield FormInput(value=str(self.suggested) if self.suggested else "", placeholder="/media/usb/clinic-sync",
                        id="folder")
            yield Static("", id="folder-message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#folder-message", Static).update("Type the folder's path first.")
            return
        folder = Path(text).expanduser()
        if not folder.is_dir():
            self.query_one("#folder-message", Static).update(
                f"Warning: {folder} is not a folder here. Plug in the USB stick or check the path."
            )
            return
        self.dismiss(folder)

    def action_close(self) -> None:
        self.dismiss(None)


class SyncScreen(Screen[None]):
    """Sync status and a sync to a folder for the unlocked profile."""

    BINDINGS = [binding for binding in keys.bindings("sync") if binding.id != "sync.dialog_close"]
    DEFAULT_CSS = """
    SyncScreen #sync-body { padding: 1 2; }
    SyncScreen #sync-status { height: auto; }
    SyncScreen #sync-warning { color: $text-warning; text-style: bold; height: auto; }
    SyncScreen #sync-stage { height: auto; margin-top: 1; }
    SyncScreen #sync-progress { display: none; }
    SyncScreen DataTable { height: 1fr; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="sync-body"):
            yield Static(id="sync-status")
            yield Static(id="sync-warning")
            yield Static("Press F2 to sync to a folder.", id="sync-stage")
            yield ProgressBar(total=None, show_eta=False, id="sync-progress")
            yield DataTable(id="sync-results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Sync"
        self.sub_title = f"profile {self.app.session.profile_name}"
        self.query_one(DataTable).add_columns("Record", "Version", "State")
        self.action_refresh()

    def action_refresh(self) -> None:
        session = self.app.session
        if session is None:
            return
        status = session.sync.status()
        now = self.app.clock.now()
        config = self.app.workspace.config.sync

        if status.enrolled:
            enrolled = f"Enrolled with [b]{status.organisation_name}[/b], fingerprint {status.fingerprint}."
        else:
            enrolled = (
                "[b]Not enrolled yet.[/b] Ask the administrator for an enrolment file and code, then run\n"
                f"  clinic enrol FILE --profile {session.profile_name}"
            )
        last = format_moment(status.last_sync_at, now) if status.last_sync_at else "never"
        self.query_one("#sync-status", Static).update(
            f"{enrolled}\n\nLast successful sync: {last}\n"
            f"Waiting to sync: {status.pending}    Sent, waiting for a receipt: {status.sent}    "
            f"Acknowledged: {status.acknowledged}    Kept aside: {status.quarantined}\n"
            f"Records stay on this laptop for {config.keep_days_after_receipt} days after their receipt."
        )

        warning = ""
        if status.overdue:
            warning = (
                f"Warning: {status.overdue} finalised record versions have waited more than "
                f"{config.warn_unsynced_days} days to sync. Sync today."
            )
        self.query_one("#sync-warning", Static).update(warning)

    def action_run_sync(self) -> None:
        if self.running:
            self.notify("A sync is already running.", severity="warning")
            return
        if not self.app.session.sync.status().enrolled:
            self.notify("Enrol this profile with the central store first (clinic enrol).", severity="error")
            return
        remembered = self.app.session.sync.destination()
        suggested = remembered[1] if remembered and remembered[0] == "folder" else None
        self.app.push_screen(FolderDialog(suggested), self._start)

    def _start(self, folder: Path | None) -> None:
        if folder is None:
            return
        self.running = True
        self.query_one(DataTable).clear()
        self.query_one(ProgressBar).display = True
        self._show_stage("Starting the sync", 0, 0)
        self._sync(folder)

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self, folder: Path) -> None:
        from clinic_tui.services.sync_service import SyncSetupError
        from sync import FolderTransport, SyncError

        session = self.app.session
        try:
            result = session.sync.sync(FolderTransport(folder), progress=self._progress_from_thread)
            session.sync.remember_destination("folder", folder)
        except (SyncError, SyncSetupError) as error:
            self.app.call_from_thread(self._finish_with_error, str(error))
            return
        self.app.call_from_thread(self._show_result, result, folder)

    def _progress_from_thread(self, stage: str, done: int, total: int) -> None:
        self.app.call_from_thread(self._show_stage, _STAGE_LABELS.get(stage, stage), done, total)

    def _show_stage(self, label: str, done: int, total: int) -> None:
        # A running sync counts as activity, so the idle lock waits for it.
        self.app.last_activity = self.app.clock.monotonic()
        bar = self.query_one(ProgressBar)
        if total:
            bar.update(total=total, progress=done)
            label = f"{label}: {done} of {total}"
        self.query_one("#sync-stage", Static).update(label)

    def _show_result(self, result, folder: Path) -> None:
        self.running = False
        table = self.query_one(DataTable)
        for line in result.records:
            table.add_row(line.record_id, str(line.version), _STATE_LABELS.get(line.state, line.state))
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=1)

        summary = (
            f"Synced through {folder}: {len(result.records)} record versions listed, "
            f"{result.bundles_sent} bundles sent, {result.impact_acknowledged} impact rows acknowledged."
        )
        if result.purged:
            summary += f" Purged {len(result.purged)} records acknowledged long enough ago."
        if result.errors:
            summary = "Sync finished with errors:\n" + "\n".join(result.errors)
            self.notify("The sync finished with errors; see the screen.", severity="error")
        self.query_one("#sync-stage", Static).update(summary)
        self.action_refresh()

    def _finish_with_error(self, message: str) -> None:
        self.running = False
        self.query_one("#sync-stage", Static).update(f"Sync failed: {message}")
        self.notify("The sync failed; see the screen.", severity="error")

    def action_back(self) -> None:
        if self.running:
            self.notify("Wait for the sync to finish before leaving.", severity="warning")
            return
        self.app.pop_screen()
