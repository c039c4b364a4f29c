"""The home screen after unlocking."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from clinic_tui import keys


class HomeScreen(Screen[None]):
    BINDINGS = keys.bindings("home")
    DEFAULT_CSS = """
    HomeScreen #home-body { padding: 1 2; }
    HomeScreen .empty { border: round $primary; padding: 1 2; width: 80; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="home-body"):
            yield Static(id="home-summary", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Clinic day"
        self.sub_title = f"profile {self.app.session.profile_name}"
        self.action_refresh()

    def action_refresh(self) -> None:
        session = self.app.session
        pupils = session.pupil_count()
        summary = self.query_one("#home-summary", Static)
        if pupils == 0:
            summary.update(
                "[b]No attendance data yet.[/b]\n\n"
                "Start by importing the school's pupil list and attendance marks "
                "from the MIS export:\n\n"
                "  clinic import pupils pupils.csv --profile "
                f"{session.profile_name}\n"
                "  clinic import marks marks.csv --profile "
                f"{session.profile_name}\n\n"
                "Press F1 to see every key, Ctrl+P to search commands, Ctrl+L to lock."
            )
        else:
            summary.update(
                f"[b]{pupils} pupils[/b] and {session.mark_count()} attendance marks in this vault.\n\n"
                "Press F1 to see every key, Ctrl+P to search commands, Ctrl+L to lock."
            )
