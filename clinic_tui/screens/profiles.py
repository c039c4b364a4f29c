"""Choosing, creating and unlocking a profile."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from clinic_tui import keys
from clinic_tui.store.errors import ProfileError, TooManyAttempts, VaultError, WrongPassphrase
from clinic_tui.store.profiles import check_name, check_passphrase
from clinic_tui.widgets.form_input import FormInput


class ProfileChooserScreen(Screen[None]):
    """The first screen: every profile on this laptop."""

    BINDINGS = keys.bindings("profiles")
    DEFAULT_CSS = """
    ProfileChooserScreen { align: center middle; }
    ProfileChooserScreen > Vertical { width: 64; height: auto; border: round $primary; padding: 1 2; }
    ProfileChooserScreen .title { text-style: bold; margin-bottom: 1; }
    ProfileChooserScreen OptionList { height: auto; max-height: 12; }
    ProfileChooserScreen .empty { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Clinic day: choose your profile", classes="title")
            yield OptionList(id="profile-list")
            yield Static("", id="profile-hint", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_profiles()

    def refresh_profiles(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        names = [info.name for info in self.app.workspace.profiles.list()]
        option_list.add_options(Option(name, id=name) for name in names)
        hint = self.query_one("#profile-hint", Static)
        if names:
            hint.update("Enter unlocks the highlighted profile. N creates a new one.")
            option_list.highlighted = 0
            option_list.focus()
        else:
            hint.update(
                "No profiles on this laptop yet. Press N to create one, "
                "or quit and run `clinic demo` to try the app on synthetic data."
            )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.app.push_screen(UnlockScreen(str(event.option.id)))

    def action_open_profile(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            self.app.push_screen(UnlockScreen(str(option.id)))

    def action_new_profile(self) -> None:
        self.app.push_screen(CreateProfileScreen(), callback=lambda _: self.refresh_profiles())


class UnlockScreen(Screen[None]):
    """Ask for one profile's passphrase. Nothing of the vault shows until it opens."""

    BINDINGS = keys.bindings("unlock")
    DEFAULT_CSS = """
    UnlockScreen { align: center middle; }
    UnlockScreen > Vertical { width: 64; height: auto; border: round $primary; padding: 1 2; }
    UnlockScreen .title { text-style: bold; margin-bottom: 1; }
    UnlockScreen #unlock-message { margin-top: 1; color: $error; }
    """

    def __init__(self, profile: str) -> None:
        super().__init__()
        self.profile = profile

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Unlock profile {self.profile}", classes="title")
            yield Label("Passphrase")
            yield FormInput(password=True, id="passphrase", placeholder="type your passphrase, then Enter")
            yield Static("", id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def show_message(self, text: str) -> None:
        self.query_one("#unlock-message", Static).update(text)

    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        passphrase = event.value
        event.input.value = ""
        if not passphrase:
            self.show_message("Type the passphrase for this profile.")
            return
        event.input.disabled = True
        self.show_message("Unlocking…")
        self._unlock(passphrase)

    @work(thread=True, exclusive=True, group="unlock")
    def _unlock(self, passphrase: str) -> None:
        # Argon2id takes about half a second on purpose; a thread keeps the screen responsive.
        try:
            vault = self.app.workspace.profiles.unlock(self.profile, passphrase)
        except (WrongPassphrase, TooManyAttempts, ProfileError, VaultError) as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self.app.start_session, vault)

    def _failed(self, message: str) -> None:
        passphrase = self.query_one(Input)
        passphrase.disabled = False
        passphrase.focus()
        self.show_message(message)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.switch_screen(ProfileChooserScreen())


class CreateProfileScreen(Screen[bool]):
    """Create a profile: a name and a passphrase typed twice."""

    BINDINGS = [("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    CreateProfileScreen { align: center middle; }
    CreateProfileScreen > Vertical { width: 70; height: auto; border: round $primary; padding: 1 2; }
    CreateProfileScreen .title { text-style: bold; margin-bottom: 1; }
    CreateProfileScreen #create-message { margin-top: 1; color: $error; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New profile", classes="title")
            yield Label("Profile name (lower-case letters, digits, hyphens)")
            yield FormInput(id="name", placeholder="for example j-smith")
            yield Label("Passphrase (at least 12 characters)")
            yield FormInput(password=True, id="passphrase")
            yield Label("The same passphrase again")
            yield FormInput(password=True, id="confirm")
            yield Static("", id="create-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "confirm":
            self.focus_next()
            return
        name = self.query_one("#name", Input).value.strip()
        first = self.query_one("#passphrase", Input).value
        second = self.query_one("#confirm", Input).value
        message = self.query_one("#create-message", Static)
        try:
            check_name(name)
            check_passphrase(first)
        except ProfileError as error:
            message.update(str(error))
            return
        if first != second:
            message.update("The two passphrases differ. Type the same passphrase twice.")
            self.query_one("#confirm", Input).value = ""
            return
        message.update("Creating the profile…")
        self._create(name, first)

    @work(thread=True, exclusive=True, group="create")
    def _create(self, name: str, passphrase: str) -> None:
        try:
            self.app.workspace.profiles.create(name, passphrase)
        except (ProfileError, VaultError) as error:
            self.app.call_from_thread(self.query_one("#create-message", Static).update, str(error))
            return
        self.app.call_from_thread(self.dismiss, True)

    def action_cancel(self) -> None:
        self.dismiss(False)
