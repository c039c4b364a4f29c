"""The ``clinic`` command line."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clinic_tui import __version__
from clinic_tui.config import ConfigError, write_default
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.errors import ProfileError, TooManyAttempts, VaultError, WrongPassphrase
from clinic_tui.store.profiles import check_passphrase

if TYPE_CHECKING:
    from clinic_tui.store.vault import Vault

log = logging.getLogger("clinic_tui.cli")

DEMO_PROFILE = "demo"
DEMO_PASSPHRASE = "demo-passphrase-2026"


def _workspace(ctx: click.Context) -> Workspace:
    return ctx.find_object(Workspace)  # type: ignore[return-value]


def read_passphrase(passphrase_file: Path | None, prompt: str, *, confirm: bool = False, line: int = 0) -> str:
    """Read a passphrase from a file, from standard input, or by asking twice.

    A passphrase is never a plain command-line argument, because arguments are
    visible to other users in the process list and land in shell history.
    ``line`` picks the line when a file or standard input contains several.
    """
    if passphrase_file is not None:
        lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        if len(lines) <= line:
            raise click.UsageError(f"{passphrase_file} has no line {line + 1} with a passphrase.")
        return lines[line]
    if not sys.stdin.isatty():
        lines = _stdin_lines()
        if len(lines) <= line:
            raise click.UsageError(f"standard input has no line {line + 1} with a passphrase.")
        return lines[line]
    return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


def _stdin_lines() -> list[str]:
    """Return standard input's lines, read once per command invocation."""
    meta = click.get_current_context().meta
    if "clinic.stdin" not in meta:
        meta["clinic.stdin"] = sys.stdin.read().splitlines()
    return meta["clinic.stdin"]


passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the passphrase from the first line of this file instead of asking.",
)
profile_option = click.option("--profile", "profile", required=True, help="Name of the profile whose vault to use.")


def unlock_vault(workspace: Workspace, profile: str, passphrase_file: Path | None) -> Vault:
    passphrase = read_passphrase(passphrase_file, f"Passphrase for {profile}")
    try:
        return workspace.profiles.unlock(profile, passphrase)
    except (WrongPassphrase, TooManyAttempts, ProfileError, VaultError) as error:
        raise click.ClickException(str(error)) from None


# Modules whose commands register themselves on ``main`` when imported. They
# load on the first subcommand look-up, so plain `clinic` (the app) starts
# without importing them; sync must come before report, which joins its group.
_COMMAND_MODULES = ("clinic_tui.cli_data", "clinic_tui.cli_prepare", "clinic_tui.cli_sync", "clinic_tui.cli_report")


class ClinicGroup(click.Group):
    """The top-level group, loading the command modules on first use."""

    _loaded = False

    def _load_commands(self) -> None:
        if ClinicGroup._loaded:
            return
        ClinicGroup._loaded = True
        import importlib

        for name in _COMMAND_MODULES:
            importlib.import_module(name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_commands()
        return super().list_commands(ctx)


@click.group(
    cls=ClinicGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CLINIC_HOME",
    help="Keep all configuration, data and logs in this folder (also CLINIC_HOME).",
)
@click.version_option(__version__, prog_name="clinic")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """Clinic day: attendance meetings with families, offline, with sealed sync.

    With no command, opens the app at the profile chooser.
    """
    os.umask(0o077)
    try:
        workspace = Workspace.open(home)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    workspace.locations.ensure()
    write_default(workspace.locations.config_file)
    from clinic_tui import logs

    logs.configure(workspace.locations)
    ctx.obj = workspace
    if ctx.invoked_subcommand is None:
        _run_app(workspace)


def _run_app(workspace: Workspace, **options: object) -> None:
    from clinic_tui.app import ClinicApp

    log.info("app start")
    ClinicApp(workspace, **options).run()  # type: ignore[arg-type]
    log.info("app stop")


@main.command()
@click.pass_context
def locate(ctx: click.Context) -> None:
    """Print the configuration, data and log folders."""
    locations = _workspace(ctx).locations
    click.echo(f"config file: {locations.config_file}")
    click.echo(f"config:      {locations.config_dir}")
    click.echo(f"themes:      {locations.user_themes_dir}")
    click.echo(f"data:        {locations.data_dir}")
    click.echo(f"profiles:    {locations.profiles_dir}")
    click.echo(f"logs:        {locations.log_dir}")


@main.command()
@click.option("--profile", "profile", help="Open the unlock screen of this profile directly.")
@click.pass_context
def app(ctx: click.Context, profile: str | None) -> None:
    """Open the app (at the profile chooser, or at one profile's unlock screen)."""
    _run_app(_workspace(ctx), profile=profile)


# -- profiles ------------------------------------------------------------------


@main.group()
def profile() -> None:
    """Create, list, change the passphrase of, or delete profiles."""


@profile.command("create")
@click.argument("name")
@passphrase_file_option
@click.pass_context
def profile_create(ctx: click.Context, name: str, passphrase_file: Path | None) -> None:
    """Create a profile called NAME with its own encrypted vault."""
    passphrase = read_passphrase(passphrase_file, "New passphrase (at least 12 characters)", confirm=True)
    try:
        info = _workspace(ctx).profiles.create(name, passphrase)
    except (ProfileError, VaultError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created profile {info.name} in {info.folder}")


@profile.command("list")
@click.pass_context
def profile_list(ctx: click.Context) -> None:
    """List the profiles on this machine."""
    profiles = _workspace(ctx).profiles.list()
    if not profiles:
        click.echo("No profiles yet. Create one with `clinic profile create NAME`.")
    for info in profiles:
        click.echo(info.name)


@profile.command("passwd")
@click.argument("name")
@passphrase_file_option
@click.option(
    "--new-passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the new passphrase from this file. On standard input, the new passphrase is the second line.",
)
@click.pass_context
def profile_passwd(ctx: click.Context, name: str, passphrase_file: Path | None, new_passphrase_file: Path | None) -> None:
    """Change the passphrase of profile NAME (the data is not re-encrypted)."""
    old = read_passphrase(passphrase_file, f"Current passphrase for {name}")
    new = read_passphrase(new_passphrase_file, "New passphrase", confirm=True, line=0 if new_passphrase_file else 1)
    try:
        check_passphrase(new)
        _workspace(ctx).profiles.change_passphrase(name, old, new)
    except (WrongPassphrase, TooManyAttempts, ProfileError, VaultError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Changed the passphrase of {name}.")


@profile.command("delete")
@click.argument("name")
@passphrase_file_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def profile_delete(ctx: click.Context, name: str, passphrase_file: Path | None, yes: bool) -> None:
    """Delete profile NAME and its vault. Asks for its passphrase first."""
    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, name, passphrase_file)
    try:
        unsynced = _unsynced_records(vault)
    finally:
        vault.close()
    if unsynced:
        raise click.ClickException(
            f"Profile {name} has {unsynced} finalised record versions that the central store has not acknowledged. "
            f"Run `clinic sync --profile {name}` until they are acknowledged; deleting now would lose them."
        )
    if not yes:
        click.confirm(f"Delete profile {name} and everything in its vault?", abort=True)
    workspace.profiles.delete(name)
    click.echo(f"Deleted profile {name}.")


def _unsynced_records(vault: Vault) -> int:
    """Count finalised record versions that no verified receipt from the central store lists."""
    from clinic_tui.services.sync_service import unsynced_record_versions

    return unsynced_record_versions(vault)


# -- audit ---------------------------------------------------------------------


@main.group()
def audit() -> None:
    """Check the audit log of a profile."""


@audit.command("verify")
@profile_option
@passphrase_file_option
@click.pass_context
def audit_verify(ctx: click.Context, profile: str, passphrase_file: Path | None) -> None:
    """Verify the hash chain of the audit log; report the first broken link."""
    vault = unlock_vault(_workspace(ctx), profile, passphrase_file)
    try:
        checked, broken = vault.audit.verify()
    finally:
        vault.close()
    if broken is not None:
        raise click.ClickException(
            f"The audit log is broken at {broken} ({checked} entries before it verified). "
            "Keep this vault file unchanged and report it to your data protection lead."
        )
    click.echo(f"The audit log verifies: {checked} {'entry' if checked == 1 else 'entries'}, no broken links.")


# -- demo ----------------------------------------------------------------------


@main.group(invoke_without_command=True)
@click.option("--reset", is_flag=True, help="Delete the demo profile and make it afresh.")
@click.pass_context
def demo(ctx: click.Context, reset: bool) -> None:
    """Open the app on synthetic demo data, already unlocked.

    The demo profile's passphrase is demo-passphrase-2026.
    """
    if ctx.invoked_subcommand is not None:
        return
    workspace = _workspace(ctx)
    from clinic_tui.services import demo as demo_service

    vault = demo_service.open_demo(workspace, DEMO_PROFILE, DEMO_PASSPHRASE, reset=reset)
    _run_app(workspace, vault=vault, clock=demo_service.demo_clock(vault))
