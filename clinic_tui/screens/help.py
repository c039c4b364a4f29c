"""F1 help: every key binding with its id and what it does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from clinic_tui import keys


class HelpScreen(ModalScreen[None]):
    BINDINGS = [("escape", "dismiss", "Close"), ("f1", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 96; height: 90%; border: round $primary; background: $surface; padding: 0 1; }
    HelpScreen .title { text-style: bold; padding: 1 0; }
    HelpScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Keys (Escape closes; remap any id in the \\[keymap] section of the config file)", classes="title")
            yield DataTable(zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Key")
        # Fixed widths let long scopes and descriptions wrap onto more lines instead of running off the box.
        table.add_column("Where", width=16)
        table.add_column("What it does", width=38)
        table.add_column("Binding id")
        keymap = self.app.workspace.config.keymap
        for action in keys.KEY_ACTIONS:
            key = keys.key_for(action.id, keymap)
            table.add_row(
                self.app.get_key_display(Binding(key, action.action)),
                Text(keys.SCOPE_TITLES.get(action.scope, action.scope)),
                Text(action.help),
                action.id,
                height=None,
            )
        table.focus()
