"""Command-line verbs for documents: a day's letters, a meeting record and a day summary.

Each command unlocks the profile, writes PDF and DOCX files into ``--out``
(created if missing) and closes the vault. Output names slots by time and
initials only, because terminal output can end up in shared logs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clinic_tui.cli import _workspace, main, passphrase_file_option, profile_option, unlock_vault

if TYPE_CHECKING:
    from clinic_tui.domain.day import ClinicDay
    from clinic_tui.services.session import Session

LETTER_KINDS = ("invitation", "rearranged", "did_not_attend", "meeting_summary")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

day_option = click.option(
    "--day", "day", type=click.DateTime(DATE_FORMATS), required=True,
    help="Date of the clinic day, as YYYY-MM-DD or DD/MM/YYYY.",
)  # fmt: skip
out_option = click.option(
    "--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
    help="Folder to write the PDF and DOCX files into. It is created if missing.",
)  # fmt: skip
as_of_option = click.option(
    "--as-of", "as_of", type=click.DateTime(DATE_FORMATS), default=None,
    help="Write as of this date: the letter date, and figures counted to the day before. Default: today.",
)  # fmt: skip


def _open_session(ctx: click.Context, profile: str, passphrase_file: Path | None, as_of: dt.datetime | None) -> Session:
    from clinic_tui.services.clock import LOCAL_ZONE, ManualClock, SystemClock
    from clinic_tui.services.session import Session

    # Noon on the chosen date, so the date is the same in every UK time zone offset.
    clock = ManualClock(as_of.replace(hour=12, tzinfo=LOCAL_ZONE)) if as_of else SystemClock()
    workspace = _workspace(ctx)
    return Session(workspace, unlock_vault(workspace, profile, passphrase_file), clock)


def _day_on(session: Session, date: dt.date, profile: str) -> ClinicDay:
    days = session.days.store.days_on(date)
    if not days:
        raise click.ClickException(
            f"profile {profile} has no clinic day on {date:%d/%m/%Y}. Check the date, or plan the day in the app "
            "(Prepare, then Schedule)."
        )
    # NOTE: the app makes at most one day per date, so a second day on the
    # same date (made by other code) is not included.
    return days[0]


@main.command("letters")
@click.argument("kind", type=click.Choice(LETTER_KINDS))
@day_option
@out_option
@profile_option
@passphrase_file_option
@click.option("--large-print", is_flag=True, help="Write the large-print version of each letter.")
@as_of_option
@click.pass_context
def letters(
    ctx: click.Context,
    kind: str,
    day: dt.datetime,
    out: Path,
    profile: str,
    passphrase_file: Path | None,
    large_print: bool,
    as_of: dt.datetime | None,
) -> None:
    """Write KIND letters for every family of a clinic day, as PDF and DOCX.

    Every family needs a named decision to invite them. When any letter lacks
    a detail, every gap is listed and nothing is written. A letter entry is
    added to each family's contact log.
    """
    from clinic_tui.documents import DocumentError

    session = _open_session(ctx, profile, passphrase_file, as_of)
    try:
        clinic_day = _day_on(session, day.date(), profile)
        written = session.prepare.letters.write(kind, clinic_day, out, large_print=large_print, make_folder=True)
    except (DocumentError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        session.close()

    noun = "letter" if written.letters == 1 else "letters"
    click.echo(
        f"Wrote {written.letters} {kind.replace('_', ' ')} {noun} for the clinic day of {day:%d/%m/%Y} "
        f"to {out} ({len(written.paths)} files):"
    )
    for path in written.paths:
        click.echo(f"  {path.name}")
    click.echo(f"Added a letter to the contact log of each family: {'; '.join(written.labels)}.")
    if written.reminders:
        click.echo("Reminders (the letters were still written):")
    for reminder in written.reminders:
        click.echo(f"  {reminder}")


@main.command("record")
@click.argument("record_id")
@out_option
@profile_option
@passphrase_file_option
@click.pass_context
def record(ctx: click.Context, record_id: str, out: Path, profile: str, passphrase_file: Path | None) -> None:
    """Write the finalised meeting record RECORD_ID as PDF and DOCX, for the school's file."""
    from clinic_tui.documents import DocumentError

    session = _open_session(ctx, profile, passphrase_file, None)
    try:
        paths = session.prepare.records.write_record(record_id, out, make_folder=True)
    except (DocumentError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        session.close()

    click.echo(f"Wrote meeting record {record_id} to {out}:")
    for path in paths:
        click.echo(f"  {path.name}")


@main.command("day-summary")
@day_option
@out_option
@profile_option
@passphrase_file_option
@click.pass_context
def day_summary(ctx: click.Context, day: dt.datetime, out: Path, profile: str, passphrase_file: Path | None) -> None:
    """Write the anonymised, counts-only summary of a clinic day as PDF and DOCX."""
    from clinic_tui.documents import DocumentError

    session = _open_session(ctx, profile, passphrase_file, None)
    try:
        clinic_day = _day_on(session, day.date(), profile)
        paths = session.prepare.records.write_day_summary(clinic_day, out, make_folder=True)
    except (DocumentError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        session.close()

    click.echo(f"Wrote the summary of the clinic day of {day:%d/%m/%Y} to {out}:")
    for path in paths:
        click.echo(f"  {path.name}")
