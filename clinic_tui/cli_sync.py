"""Command-line verbs for sync: the central store's commands, enrolment and the end-of-day sync.

Central commands run where the central store folder is (``clinic central
recover`` runs on the laptop, with the central key holder present). The
central passphrase, like every passphrase, comes from a file, from standard
input or from a prompt, never from an argument.

Transports: ``clinic sync --to DIR`` writes bundles to a folder (a USB
stick or shared folder) and reads receipts from it; the administrator runs
``clinic central ingest STORE --from DIR`` in between. ``clinic sync
--central STORE`` ingests straight into a central store folder that this
machine can reach, and asks for the central passphrase, because ingesting
signs receipts with the central key. The last destination is remembered per
profile, so a plain ``clinic sync --profile NAME`` uses it again.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from clinic_tui.cli import _workspace, main, passphrase_file_option, profile_option, read_passphrase, unlock_vault
from clinic_tui.store.errors import ProfileError, VaultError

central_passphrase_option = click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the central passphrase from the first line of this file instead of asking.",
)
store_argument = click.argument("store_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))


def _sync_errors() -> tuple[type[Exception], ...]:
    from sync import SyncError

    from clinic_tui.services.sync_service import SyncSetupError

    return SyncError, SyncSetupError, ProfileError, VaultError


def _open_store(store_dir: Path, passphrase_file: Path | None = None, *, unlock: bool = False, line: int = 0):
    """Open the central store at ``store_dir``, unlocked with the central passphrase when ``unlock``."""
    from sync import CentralStore

    try:
        store = CentralStore.open(store_dir)
    except _sync_errors() as error:
        raise click.ClickException(str(error)) from None
    if unlock:
        passphrase = read_passphrase(passphrase_file, f"Central passphrase for {store_dir}", line=line)
        try:
            store.unlock(passphrase)
        except _sync_errors() as error:
            store.close()
            raise click.ClickException(str(error)) from None
    return store


# -- central store -------------------------------------------------------------


@main.group()
def central() -> None:
    """Set up and run the central store: enrolment, devices, ingest, reading records, recovery."""


@central.command("init")
@store_argument
@click.option("--organisation", prompt="Organisation name", help="The organisation's name, shown to officers at enrolment.")
@central_passphrase_option
def central_init(store_dir: Path, organisation: str, passphrase_file: Path | None) -> None:
    """Create a central store in the new or empty folder DIR, with its keys under a central passphrase."""
    from sync import init_central

    passphrase = read_passphrase(passphrase_file, "New central passphrase (at least 12 characters)", confirm=True)
    try:
        store = init_central(store_dir, passphrase, organisation)
    except _sync_errors() as error:
        raise click.ClickException(str(error)) from None
    with store:
        click.echo(f"Created the central store for {store.organisation_name} in {store_dir}")
        click.echo(f"Organisation id: {store.organisation_id}")
    click.echo("Keep the central passphrase safe: without it no record can be read and no laptop recovered.")


@central.command("enrol-file")
@store_argument
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@central_passphrase_option
def central_enrol_file(store_dir: Path, out: Path, passphrase_file: Path | None) -> None:
    """Write an enrolment file OUT for a laptop profile and print its one-time code."""
    with _open_store(store_dir, passphrase_file, unlock=True) as store:
        try:
            code = store.enrolment_file(out)
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Wrote the enrolment file {out}")
    click.echo(f"Enrolment code (shown once, stored nowhere): {code}")
    click.echo("Give the file to the officer and read the code to them, separately.")


@central.command("register")
@store_argument
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def central_register(store_dir: Path, file: Path) -> None:
    """Add the laptop registration FILE as a device waiting for approval."""
    from sync import Registration

    with _open_store(store_dir) as store:
        try:
            device = store.register(Registration.from_bytes(file.read_bytes(), source=file))
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Registered profile {device.profile_name} ({device.profile_id}); status: {device.status}")
    click.echo(f"Fingerprint: {device.fingerprint}")
    click.echo("Read the fingerprint aloud with the officer, who sees it on the laptop. Only if every group "
               f"matches, run: clinic central approve {store_dir} '{device.fingerprint}'")


@central.command("devices")
@store_argument
def central_devices(store_dir: Path) -> None:
    """List the registered laptop profiles with their fingerprints and status."""
    with _open_store(store_dir) as store:
        devices = store.devices()
    if not devices:
        click.echo("No laptop profile is registered yet.")
    for device in devices:
        click.echo(f"{device.fingerprint}  {device.status:<8}  {device.profile_name}  registered "
                   f"{device.registered_at}  profile {device.profile_id}")


def _change_device(store_dir: Path, fingerprint: str, approve: bool) -> None:
    with _open_store(store_dir) as store:
        try:
            device = store.approve(fingerprint) if approve else store.revoke(fingerprint)
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"{device.fingerprint} ({device.profile_name}) is now {device.status}.")


@central.command("approve")
@store_argument
@click.argument("fingerprint")
def central_approve(store_dir: Path, fingerprint: str) -> None:
    """Approve the device with FINGERPRINT after reading it aloud with the officer."""
    _change_device(store_dir, fingerprint, approve=True)


@central.command("revoke")
@store_argument
@click.argument("fingerprint")
def central_revoke(store_dir: Path, fingerprint: str) -> None:
    """Revoke the device with FINGERPRINT: every bundle it signed is rejected from now on."""
    _change_device(store_dir, fingerprint, approve=False)


@central.command("ingest")
@store_argument
@click.option(
    "--from", "source", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder that laptops synced to with `clinic sync --to`; receipts are written back to it. "
    "Without it, the store's own inbox folder is ingested.",
)
@central_passphrase_option
@click.pass_context
def central_ingest(ctx: click.Context, store_dir: Path, source: Path | None, passphrase_file: Path | None) -> None:
    """Ingest the bundles waiting for the store and write their receipts. Exits with 1 if any is rejected."""
    from sync import ingest_folder, ingest_transport_folder
    from sync.central import INBOX, RECEIPTS

    with _open_store(store_dir, passphrase_file, unlock=True) as store:
        try:
            if source is not None:
                result = ingest_transport_folder(store, source)
            elif (store_dir / INBOX).is_dir():
                result = ingest_folder(store, store_dir / INBOX, receipt_dir=store_dir / RECEIPTS)
            else:
                click.echo(f"{store_dir / INBOX} does not exist yet, so there is nothing to ingest.")
                return
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    click.echo(result.summary())
    if result.rejected:
        ctx.exit(1)


@central.command("open")
@store_argument
@click.argument("record_id", metavar="RECORD")
@click.option("--version", "version", type=click.IntRange(min=1), help="Print this version instead of the latest.")
@central_passphrase_option
def central_open(store_dir: Path, record_id: str, version: int | None, passphrase_file: Path | None) -> None:
    """Print the decrypted record RECORD (its pupils, school and every field) as JSON."""
    with _open_store(store_dir, passphrase_file, unlock=True) as store:
        try:
            plaintext = store.open_record(record_id, version)
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    click.echo(json.dumps(json.loads(plaintext), indent=2, ensure_ascii=False, sort_keys=True))


@central.command("recover")
@store_argument
@profile_option
@central_passphrase_option
@click.option(
    "--new-passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the profile's new passphrase from this file. On standard input it is the second line.",
)
@click.pass_context
def central_recover(
    ctx: click.Context, store_dir: Path, profile: str, passphrase_file: Path | None, new_passphrase_file: Path | None
) -> None:
    """Set a new passphrase for a laptop profile whose passphrase is lost, using the central key.

    Run it on the laptop with the central key holder. The profile's data key
    is opened from its recovery copy; the data is not re-encrypted.
    """
    from clinic_tui.store.profiles import check_passphrase
    from clinic_tui.store.vault import Vault

    workspace = _workspace(ctx)
    try:
        info = workspace.profiles.get(profile)
        slot = Vault.locked_recovery_slot(info.vault_path)
    except _sync_errors() as error:
        raise click.ClickException(str(error)) from None
    if slot is None:
        raise click.ClickException(
            f"Profile {profile} was never enrolled with a central store, so it has no recovery copy of its key. "
            "Without its passphrase its data cannot be opened."
        )
    profile_id, sealed, _params = slot

    with _open_store(store_dir, passphrase_file, unlock=True) as store:
        new = read_passphrase(new_passphrase_file, f"New passphrase for {profile}", confirm=True,
                              line=0 if new_passphrase_file or passphrase_file else 1)
        try:
            check_passphrase(new)
            data_key = store.open_recovery(sealed, profile_id)
            vault = Vault.reset_passphrase(info.vault_path, data_key, new, workspace.profiles.kdf_params())
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    vault.close()
    click.echo(f"Set a new passphrase for profile {profile}. Its data was not re-encrypted.")


# -- laptop --------------------------------------------------------------------


@main.command("enrol")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@profile_option
@passphrase_file_option
@click.option(
    "--code-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the enrolment code from this file. Without it the code is asked for, or read from the "
    "second line of standard input.",
)
@click.option(
    "--registration", "registration_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the registration file (default: next to FILE, named after the profile).",
)
@click.pass_context
def enrol(
    ctx: click.Context, file: Path, profile: str, passphrase_file: Path | None, code_file: Path | None,
    registration_path: Path | None,
) -> None:
    """Enrol a profile with the central store whose enrolment FILE the administrator gave you."""
    from sync import read_enrolment

    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, profile, passphrase_file)
    try:
        code = read_passphrase(code_file, "Enrolment code", line=0 if code_file or passphrase_file else 1)
        target = registration_path or file.parent / f"{profile}.clinicregistration.json"
        from clinic_tui.services.session import Session

        session = Session(workspace, vault)
        try:
            enrolment = read_enrolment(file, code)
            registration = session.sync.enrol(enrolment, target)
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
    finally:
        vault.close()
    click.echo(f"Enrolled profile {profile} with {enrolment.organisation_name}.")
    click.echo(f"Registration file: {target}")
    click.echo(f"Fingerprint: {registration.fingerprint}")
    click.echo("Give the registration file to the administrator, then read the fingerprint aloud together. "
               "Your records sync once they have approved it.")


@main.command("sync")
@profile_option
@passphrase_file_option
@click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Sync through this folder (a USB stick or shared folder) that the administrator ingests.")
@click.option("--central", "store_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Sync straight into this central store folder; asks for the central passphrase.")
@click.option(
    "--central-passphrase-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the central passphrase from this file. On standard input it is the second line.",
)
@click.option("--no-purge", is_flag=True, help="Keep every local record this time, even those due to be purged.")
@click.pass_context
def sync_command(
    ctx: click.Context, profile: str, passphrase_file: Path | None, folder: Path | None, store_dir: Path | None,
    central_passphrase_file: Path | None, no_purge: bool,
) -> None:
    """Seal finalised records and impact rows, send them, and apply the receipts that came back.

    After a pass without errors, records acknowledged more than
    keep_days_after_receipt days ago (config file, [sync] section) are
    deleted from this laptop; the audit log keeps an entry for each.
    """
    from sync import DirectTransport, FolderTransport

    from clinic_tui.services.session import Session

    if folder is not None and store_dir is not None:
        raise click.UsageError("Choose one destination: --to FOLDER or --central STORE, not both.")

    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, profile, passphrase_file)
    session = Session(workspace, vault)
    store = None
    try:
        kind, path = _destination(session, folder, store_dir)
        if kind == "central":
            store = _open_store(path, central_passphrase_file, unlock=True,
                                line=0 if central_passphrase_file or passphrase_file else 1)
            transport = DirectTransport(store)
        else:
            if not path.is_dir():
                raise click.ClickException(
                    f"The sync folder {path} is not there. Plug in the USB stick or connect the shared folder, "
                    "or name another folder with --to."
                )
            transport = FolderTransport(path)

        try:
            result = session.sync.sync(transport, purge=not no_purge)
        except _sync_errors() as error:
            raise click.ClickException(str(error)) from None
        session.sync.remember_destination(kind, path)
    finally:
        if store is not None:
            store.close()
        vault.close()

    _print_result(result, kind, path)
    if not result.ok:
        ctx.exit(1)


def _destination(session, folder: Path | None, store_dir: Path | None) -> tuple[str, Path]:
    if folder is not None:
        return "folder", folder
    if store_dir is not None:
        return "central", store_dir
    remembered = session.sync.destination()
    if remembered is None:
        raise click.UsageError("Say where to sync: --to FOLDER (a USB stick or shared folder) or --central STORE.")
    return remembered


def _print_result(result, kind: str, path: Path) -> None:
    for line in result.records:
        click.echo(f"record {line.record_id} version {line.version}: {line.state}")
    waiting = sum(1 for line in result.records if line.state in ("sealed", "sent"))
    click.echo(f"Sent {result.bundles_sent} bundles to {path}. Impact rows acknowledged: "
               f"{result.impact_acknowledged}, waiting: {result.impact_waiting}.")
    if waiting and kind == "folder":
        click.echo(f"{waiting} record versions wait for a receipt: the administrator ingests the folder, "
                   "then run `clinic sync` again with the same folder.")
    if result.purged:
        click.echo(f"Purged {len(result.purged)} records acknowledged long enough ago from this laptop.")
    for error in result.errors:
        click.echo(f"Error: {error}", err=True)
