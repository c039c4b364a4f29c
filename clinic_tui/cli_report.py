"""``clinic central report``: the impact report from a central store's impact log.

The impact log keeps rows that ingest already opened, so the report needs
no central passphrase. It changes nothing in the store: opening it runs
the schema set-up, which creates nothing in a complete store.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import click

from clinic_tui.cli import _workspace, main

log = logging.getLogger("clinic_tui.cli")

# The same as ``sync.report.FORMATS``, repeated so that ``clinic --help`` need not import the report code.
FORMATS = ("html", "csv", "md")
_SUFFIX_FORMATS = {".html": "html", ".htm": "html", ".csv": "csv", ".md": "md", ".markdown": "md"}


def _central_group() -> click.Group:
    """Return the ``central`` command group that the sync commands register."""
    from clinic_tui import cli_sync  # noqa: F401 (importing it registers the group)

    return main.commands["central"]  # type: ignore[return-value]


def _output_format(output_format: str | None, out: Path | None) -> str:
    if output_format is not None:
        return output_format
    if out is None:
        return "md"
    suffix = out.suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise click.UsageError(f"Cannot tell the format from the extension of {out} ({suffix or 'none'}). "
                               f"Give --format {' or '.join(FORMATS)}, or name the file .html, .csv or .md.")
    return _SUFFIX_FORMATS[suffix]


@_central_group().command("report")
@click.argument("store_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "from_month", metavar="YYYY-MM",
              help="First month of meetings to include, for example 2025-09. Default: the earliest in the log.")
@click.option("--to", "to_month", metavar="YYYY-MM",
              help="Last month of meetings to include (inclusive). Default: the latest in the log.")
@click.option("--school", "school_urn", metavar="URN", help="Report on this school only: its 6-digit URN.")
@click.option("--format", "output_format", type=click.Choice(FORMATS),
              help="Output format. Default: from the --out file's extension, or md on standard output.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output. The file is replaced whole.")
@click.option("--date", "produced_on", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Print this as the date the report was produced. Without it the report carries no date, "
                   "so the same log always gives the same bytes.")
@click.option("--tui", is_flag=True, help="Show the figures and charts in the terminal instead of writing a report.")
@click.pass_context
def central_report(ctx: click.Context, store_dir: Path, from_month: str | None, to_month: str | None,
                   school_urn: str | None, output_format: str | None, out: Path | None,
                   produced_on: dt.datetime | None, tui: bool) -> None:
    """Write the impact report of the central store in DIR: figures, breakdowns, methodology.

    Every count from 1 to 5, and every figure that would reveal one, is
    shown as c. See the report's methodology section for the rules.
    """
    from sync import CentralStore, SyncError
    from sync.report import ReportScope, build_report, render

    if tui and (out is not None or output_format is not None):
        raise click.UsageError("--tui shows the report in the terminal, so it takes neither --out nor --format.")
    chosen_format = _output_format(output_format, out)
    try:
        scope = ReportScope(from_month, to_month, school_urn)
    except SyncError as error:
        raise click.UsageError(str(error)) from None

    try:
        with CentralStore.open(store_dir) as store:
            report = build_report(store, scope, produced_on=produced_on.date() if produced_on else None)
    except SyncError as error:
        raise click.ClickException(str(error)) from None
    except sqlite3.DatabaseError as error:
        raise click.ClickException(
            f"The central database in {store_dir} could not be read ({error}). Check that no other program "
            "holds it locked, or restore it from backup."
        ) from None
    log.info("impact report built for months %s to %s, school %s", scope.from_month or "first",
             scope.to_month or "last", scope.school_urn or "all")

    if tui:
        from clinic_tui.screens.impact import ImpactApp

        ImpactApp(report, _workspace(ctx)).run()
        return

    text = render(report, chosen_format)
    if out is None:
        click.echo(text, nl=False)
        return
    _write(out, text)
    click.echo(f"Wrote the impact report ({chosen_format}) to {out}.", err=True)


def _write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, so a reader never sees half a report."""
    from sync import StorageError
    from sync.fsio import LOCAL_FS, atomic_write

    try:
        atomic_write(LOCAL_FS, path, text.encode("utf-8"), description="impact report")
    except StorageError as error:
        raise click.ClickException(str(error)) from None
