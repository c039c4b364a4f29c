"""The app shell under Pilot: unlock, lock, idle lock, help, themes."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from clinic_tui.app import ClinicApp
from clinic_tui.screens.help import HelpScreen
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.profiles import CreateProfileScreen, ProfileChooserScreen, UnlockScreen
from clinic_tui.services.workspace import Workspace
from tests.conftest import PASSPHRASE

SIZE = (100, 30)


async def _wait_for_screen(app, pilot, screen_type, attempts: int = 100):
    for _ in range(attempts):
        if isinstance(app.screen, screen_type):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"expected {screen_type.__name__}, got {type(app.screen).__name__}")


async def _unlock(app, pilot, passphrase: str = PASSPHRASE) -> None:
    await pilot.press("enter")
    await _wait_for_screen(app, pilot, UnlockScreen)
    app.screen.query_one(Input).value = passphrase
    await pilot.press("enter")
    await _wait_for_screen(app, pilot, HomeScreen)


async def test_unlock_from_chooser(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, ProfileChooserScreen)
        await _unlock(app, pilot)
        assert app.session is not None
        assert app.session.profile_name == "alice"


async def test_wrong_passphrase_shows_message(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    app = ClinicApp(workspace, profile="alice")
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, UnlockScreen)
        await pilot.press(*"wrong passphrase!")
        await pilot.press("enter")
        for _ in range(100):
            message = str(app.screen.query_one("#unlock-message").render())
            if "does not unlock" in message:
                break
            await pilot.pause(0.05)
        assert "does not unlock" in message
        assert app.session is None


async def test_lock_by_key_hides_data(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, HomeScreen)
        await pilot.press("ctrl+l")
        await _wait_for_screen(app, pilot, UnlockScreen)
        assert app.session is None
        assert not vault.is_open
        assert not any(isinstance(screen, HomeScreen) for screen in app.screen_stack)


async def test_idle_lock_after_timeout(workspace, fake_clock):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, HomeScreen)
        fake_clock.advance(4 * 60)
        await pilot.pause(1.2)
        assert isinstance(app.screen, HomeScreen), "locked before the idle timeout"

        await pilot.press("f5")  # activity restarts the idle timer
        fake_clock.advance(4 * 60)
        await pilot.pause(1.2)
        assert isinstance(app.screen, HomeScreen)

        fake_clock.advance(61)
        await pilot.pause(1.2)  # the idle timer ticks once a second
        await _wait_for_screen(app, pilot, UnlockScreen)
        assert app.session is None


async def test_help_lists_every_binding(workspace):
    workspace.profiles.create("alice", PASSPHRASE)
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, ProfileChooserScreen)
        await pilot.press("f1")
        await _wait_for_screen(app, pilot, HelpScreen)
        from textual.widgets import DataTable

        from clinic_tui import keys

        table = app.screen.query_one(DataTable)
        rows = {table.get_row_at(index)[3]: table.get_row_at(index) for index in range(table.row_count)}
        assert set(rows) == {action.id for action in keys.KEY_ACTIONS}
        # Keys read as the footer shows them, not by their internal names.
        assert rows["letters.previous_day"][0] == "["
        await pilot.press("escape")
        await _wait_for_screen(app, pilot, ProfileChooserScreen)


async def test_theme_cycles_through_builtin_themes(workspace):
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "clinic-dark"
        seen = [app.theme]
        for _ in range(3):
            await pilot.press("f10")
            seen.append(app.theme)
        assert {"clinic-dark", "clinic-light", "clinic-high-contrast"} <= set(seen)
        assert seen[-1] == seen[0]


async def test_user_theme_file_loaded(workspace):
    themes = workspace.locations.user_themes_dir
    themes.mkdir(parents=True)
    (themes / "school-green.toml").write_text('name = "school-green"\nprimary = "#2E7D32"\ndark = false\n')
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "not a colour"\n')
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE):
        assert "school-green" in app.available_themes
        assert "broken" not in app.available_themes
        assert any("broken.toml" in problem and "not a colour" in problem for problem in app.theme_problems)


async def test_keymap_remaps_lock(clinic_home):
    config = clinic_home / "config" / "config.toml"
    config.write_text(config.read_text() + '\n[keymap]\n"app.lock" = "f12"\n')
    workspace = Workspace.open(clinic_home)
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, HomeScreen)
        await pilot.press("f12")
        await _wait_for_screen(app, pilot, UnlockScreen)


async def test_no_color_uses_high_contrast(workspace, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE):
        assert app.no_color
        assert app.theme == "clinic-high-contrast"


async def test_create_profile_in_app(workspace):
    app = ClinicApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for_screen(app, pilot, ProfileChooserScreen)
        await pilot.press("n")
        await _wait_for_screen(app, pilot, CreateProfileScreen)
        await pilot.press(*"carol", "enter")
        await pilot.press(*"short", "enter", *"short", "enter")
        assert "at least 12" in str(app.screen.query_one("#create-message").render())
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        app.screen.query_one("#confirm", Input).value = PASSPHRASE
        app.screen.query_one("#confirm", Input).focus()
        await pilot.press("enter")
        await _wait_for_screen(app, pilot, ProfileChooserScreen)
        for _ in range(100):
            if [p.name for p in workspace.profiles.list()] == ["carol"]:
                break
            await pilot.pause(0.05)
        assert [p.name for p in workspace.profiles.list()] == ["carol"]
