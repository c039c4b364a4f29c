"""The home screen after unlocking: what is in the vault and where to go next."""

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

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        session = self.app.session
        if session is None:
            return
        pupils = session.pupil_count()
        summary = self.query_one("#home-summary", Static)
        if pupils == 0:
            summary.update(
                "[b]No attendance data yet.[/b]\n\n"
                "Start by importing the school's pupil list, then its attendance marks, "
                "from the MIS export. Press [b]I[/b] to import here, or on the command line:\n\n"
                f"  clinic import pupils pupils.csv --profile {session.profile_name}\n"
                f"  clinic import marks marks.csv --profile {session.profile_name}\n\n"
                "Press F1 to see every key, Ctrl+P to search commands, Ctrl+L to lock."
            )
            return

        today = session.days.today()
        day_line = (
            f"Today's clinic day has {len(today.slots)} slots. Press [b]D[/b] to open it."
            if today
            else "No clinic day is planned for today."
        )
        summary.update(
            f"[b]{pupils} pupils[/b] and {session.mark_count()} attendance marks in this vault.\n\n"
            f"{day_line}\n"
            f"{self._reviews_line()}\n"
            f"{self._sync_line()}\n"
            "Press [b]P[/b] for the pupil list, [b]R[/b] to prepare a clinic day, [b]I[/b] to import fresh data.\n\n"
            "Press F1 to see every key, Ctrl+P to search commands, Ctrl+L to lock."
        )

    def action_open_day(self) -> None:
        from clinic_tui.screens.day import DayScreen

        day = self.app.session.days.today()
        if day is None:
            self.notify("No clinic day is planned for today.", severity="warning")
            return
        self.app.push_screen(DayScreen(day.id))

    def action_open_pupils(self) -> None:
        from clinic_tui.screens.pupils import PupilListScreen

        self.app.push_screen(PupilListScreen())

    def action_open_import(self) -> None:
        from clinic_tui.screens.import_data import ImportScreen

        self.app.push_screen(ImportScreen())

    def action_open_prepare(self) -> None:
        from clinic_tui.screens.prepare import PrepareScreen

        self.app.push_screen(PrepareScreen())

    def _reviews_line(self) -> str:
        due = self.app.session.reviews.due(self.app.clock.now().date())
        if not due:
            return "No reviews are overdue or due in the next 7 days."
        counts = [
            (sum(1 for item in due if item.bucket == bucket), words)
            for bucket, words in (("overdue", "[b]overdue[/b]"), ("today", "today"), ("this week", "in the next 7 days"))
        ]
        parts = ", ".join(f"{count} {words}" for count, words in counts if count)
        reviews = "review is" if len(due) == 1 else "reviews are"
        return f"{len(due)} {reviews} due: {parts}. Press [b]V[/b] to see them."

    def _sync_line(self) -> str:
        """Return the line about the last sync, with a warning when records have waited too long."""
        from clinic_tui.screens.sync_screen import format_moment

        status = self.app.session.sync.status()
        if status.last_sync_at is None:
            line = "Never synced."
        else:
            line = f"Last successful sync: {format_moment(status.last_sync_at, self.app.clock.now())}."
        if status.overdue:
            days = self.app.workspace.config.sync.warn_unsynced_days
            line += f" [b]Warning:[/b] {status.overdue} record versions have waited more than {days} days."
        return line + " Press [b]S[/b] to sync."

    def action_open_reviews(self) -> None:
        from clinic_tui.screens.reviews import ReviewsScreen

        self.app.push_screen(ReviewsScreen())

    def action_open_sync(self) -> None:
        from clinic_tui.screens.sync_screen import SyncScreen

        self.app.push_screen(SyncScreen())
