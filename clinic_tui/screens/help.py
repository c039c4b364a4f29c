"""F1 help: every key binding with its id and what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from clinic_tui import keys


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss", "Close"), ("f1", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 96; max-height: 90%; border: round $primary; background: $surface; padding: 0 1; }
    HelpScreen .title { text-style: bold; padding: 1 0; }
    HelpScreen DataTable { height: auto; max-height: 24; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Keys (Escape closes; remap any id in the \\[keymap] section of the config file)", classes="title")
            yield DataTable(zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Where", "What it does", "Binding id")
        keymap = self.app.workspace.config.keymap
        for action in keys.KEY_ACTIONS:
            table.add_row(
                keys.key_for(action.id, keymap),
                keys.SCOPE_TITLES.get(action.scope, action.scope),
                action.help,
                action.id,
            )
        table.focus()
