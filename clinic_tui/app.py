"""The Textual application: profiles, locking, themes, help and commands."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from clinic_tui import keys
from clinic_tui.screens.help import HelpScreen
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.profiles import ProfileChooserScreen, UnlockScreen
from clinic_tui.services.clock import Clock, SystemClock
from clinic_tui.services.workspace import Workspace
from clinic_tui.themes import DEFAULT_THEME, HIGH_CONTRAST_THEME, discover_themes

if TYPE_CHECKING:
    from clinic_tui.services.session import Session
    from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

_ACTIVITY_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class ClinicApp(App[None]):
    """Clinic day. Start it at the profile chooser, or already unlocked for the demo."""

    TITLE = "Clinic day"
    BINDINGS = keys.bindings("app")
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        workspace: Workspace,
        *,
        vault: Vault | None = None,
        profile: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.session: Session | None = None
        self._initial_vault = vault
        self._initial_profile = profile
        self.clock: Clock = clock or SystemClock()
        self.last_activity = self.clock.monotonic()
        self.theme_problems: list[str] = []
        self._theme_names: list[str] = []
        # Choosing the theme before mount avoids restyling every widget after it.
        self._load_themes()

    # -- start-up --------------------------------------------------------

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme file skipped", severity="warning", timeout=15)
        if self._missing_theme:
            self.notify(f"No theme called {self._missing_theme!r}; using {DEFAULT_THEME}.", severity="warning")
        keymap = self.workspace.config.keymap
        unknown = keys.unknown_ids(keymap)
        if unknown:
            self.notify(
                f"The keymap names unknown binding ids: {', '.join(unknown)}. Press F1 to see the ids.",
                severity="warning",
                timeout=10,
            )
        self.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
        self.set_interval(1.0, self.check_idle_lock, name="idle-lock")

        if self._initial_vault is not None:
            vault, self._initial_vault = self._initial_vault, None
            self.start_session(vault)
        elif self._initial_profile is not None:
            self.push_screen(UnlockScreen(self._initial_profile))
        else:
            self.push_screen(ProfileChooserScreen())

    def _load_themes(self) -> None:
        loaded, problems = discover_themes(self.workspace.locations.user_themes_dir)
        for item in loaded:
            self.register_theme(item.theme)
        self._theme_names = [item.theme.name for item in loaded]
        self.theme_problems = problems
        self._missing_theme: str | None = None

        wanted = self.workspace.config.general.theme
        if self.no_color:
            # NO_COLOR: meaning must not rest on colour, so use the theme built for that.
            wanted = HIGH_CONTRAST_THEME
        if wanted not in self.available_themes:
            self._missing_theme = wanted
            wanted = DEFAULT_THEME
        self.theme = wanted

    # -- sessions and locking ---------------------------------------------

    def start_session(self, vault: Vault) -> None:
        """Open the home screen for a freshly unlocked vault."""
        from clinic_tui.services.session import Session

        self.session = Session(self.workspace, vault, self.clock)
        self.last_activity = self.clock.monotonic()
        self._clear_screens()
        self.push_screen(HomeScreen())
        self._open_work_in_progress()

    def _open_work_in_progress(self) -> None:
        """Return to an unfinished meeting after a crash, or open today's day."""
        assert self.session is not None
        days = self.session.days
        resume = days.resume_point()
        today = days.today()
        if resume is None and today is None:
            return

        from clinic_tui.screens.day import DayScreen

        if resume is not None:
            from clinic_tui.domain.review import ReviewRecord
            from clinic_tui.screens.meeting import record_screen
            from clinic_tui.screens.reviews import ReviewsScreen

            record_id, step = resume
            record = days.load_record(record_id)
            if record.is_finalised:
                days.clear_resume()
            else:
                # A review goes back to the list of reviews; a first meeting to its day's timeline.
                day_id = days.store.records_day(record_id)
                if isinstance(record, ReviewRecord):
                    self.push_screen(ReviewsScreen())
                elif day_id is not None:
                    self.push_screen(DayScreen(day_id))
                self.push_screen(record_screen(record, step))
                return
        if today is not None:
            self.push_screen(DayScreen(today.id))

    def _clear_screens(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_lock(self) -> None:
        """Close the vault and show only the unlock screen."""
        if self.session is None:
            return
        profile = self.session.profile_name
        self._save_open_work()
        self.session.close()
        self.session = None
        self._clear_screens()
        self.push_screen(UnlockScreen(profile))
        log.info("locked")

    def _save_open_work(self) -> None:
        """Save any meeting still waiting for its throttled autosave, before the vault closes."""
        for screen in self.screen_stack:
            save_now = getattr(screen, "save_now", None)
            if callable(save_now):
                save_now()

    def check_idle_lock(self) -> None:
        """Lock when nothing was typed or clicked for the configured number of minutes."""
        if self.session is None:
            return
        idle_seconds = self.clock.monotonic() - self.last_activity
        if idle_seconds >= self.workspace.config.security.idle_lock_minutes * 60:
            log.info("idle lock after %.0f s", idle_seconds)
            self.action_lock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY_EVENTS):
            self.last_activity = self.clock.monotonic()
        await super().on_event(event)

    # -- help, themes and commands ------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_cycle_theme(self) -> None:
        names = self._theme_names or [DEFAULT_THEME]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Lock now", "Hide everything and ask for the passphrase", self.action_lock)
        yield SystemCommand("Help: keys", "List every key and what it does", self.action_help)
        yield SystemCommand("Next theme", "Switch between light, dark and high contrast", self.action_cycle_theme)
        for name in self._theme_names:
            yield SystemCommand(f"Theme: {name}", f"Use the {name} theme", lambda name=name: setattr(self, "theme", name))
        yield SystemCommand("Quit", "Close the vault and leave the app", self.action_quit)

    async def action_quit(self) -> None:
        if self.session is not None:
            self._save_open_work()
            self.session.close()
            self.session = None
        self.exit()

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
