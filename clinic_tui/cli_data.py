"""Command-line verbs for attendance data: import, summary and the demo export."""

from __future__ import annotations

import csv
import io
import datetime as dt
import json
import sys
from pathlib import Path

import click

from clinic_tui.cli import (
    _workspace,
    main,
    passphrase_file_option,
    profile_option,
    unlock_vault,
)

mapping_option = click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file mapping this export's column names to the fields clinic day knows.",
)
dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Show what each column is recognised as and what would be imported; store nothing.",
)


@main.group("import")
def import_group() -> None:
    """Import a pupil list or attendance marks exported from the school's MIS."""


@import_group.command("pupils")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@profile_option
@passphrase_file_option
@mapping_option
@dry_run_option
@click.pass_context
def import_pupils(ctx, file: Path, profile: str, passphrase_file, mapping, dry_run: bool) -> None:
    """Import a pupil list (CSV or XLSX). A file with any error imports nothing."""
    _run_import(ctx, "pupils", file, profile, passphrase_file, mapping, dry_run)


@import_group.command("marks")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@profile_option
@passphrase_file_option
@mapping_option
@dry_run_option
@click.pass_context
def import_marks(ctx, file: Path, profile: str, passphrase_file, mapping, dry_run: bool) -> None:
    """Import attendance marks, long or weekly-grid layout. A file with any error imports nothing."""
    _run_import(ctx, "marks", file, profile, passphrase_file, mapping, dry_run)


def _run_import(ctx, kind: str, file: Path, profile: str, passphrase_file, mapping, dry_run: bool) -> None:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from clinic_tui.imports import MappingFileError, UnreadableFile, describe_columns, load_mapping
    from clinic_tui.services.session import Session

    try:
        headers = load_mapping(mapping) if mapping else None
        columns = describe_columns(file, kind, headers) if dry_run else []
    except (MappingFileError, UnreadableFile) as error:
        raise click.ClickException(str(error)) from None
    if dry_run:
        click.echo(f"Columns of {file.name}:")
        for column in columns:
            click.echo(f"  {column}")
        click.echo("")

    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, profile, passphrase_file)
    try:
        attendance = Session(workspace, vault).attendance
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            transient=True, disable=not sys.stderr.isatty(), console=None,
        ) as progress:
            task = progress.add_task(f"Reading {file.name}", total=None)

            def report(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            if kind == "pupils":
                from clinic_tui.imports import read_pupils

                result = read_pupils(file, mapping=headers, progress=report)
            else:
                from clinic_tui.imports import read_marks

                result = read_marks(file, attendance.known_pupils(), mapping=headers, progress=report)

            click.echo(result.report())
            if not result.ok:
                ctx.exit(1)
            if dry_run:
                click.echo("Dry run: nothing was stored.")
                return

            progress.update(task, description="Storing", completed=0, total=None)
            if kind == "pupils":
                outcome = attendance.store_pupils(result.pupils)
                click.echo(f"Stored {outcome.created} new and {outcome.updated} updated pupils.")
            else:
                outcome = attendance.store_marks(result.marks, progress=report)
                click.echo(
                    f"Stored {outcome.marks_written} marks; {outcome.marks_changed} replaced an earlier, "
                    "different mark (each change is in the audit log)."
                )
    finally:
        vault.close()


@main.group()
def attendance() -> None:
    """Attendance measures for scripting."""


SUMMARY_FIELDS = (
    "upn", "year_group", "possible_sessions", "present", "approved_activity", "authorised",
    "unauthorised", "attendance_rate", "persistent_absence", "severe_absence", "broken_weeks",
    "broken_weeks_recent", "late_before_close", "late_after_close", "trend_recent_rate",
    "trend_direction", "max_unauthorised_10_weeks", "window_first_day", "window_last_day",
    "reaches_threshold",
)


@attendance.command("summary")
@profile_option
@passphrase_file_option
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="Output format.")
@click.option("--names", is_flag=True, help="Add the pupil's forename and surname (they are left out by default).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Measure up to the day before this date (YYYY-MM-DD). Default: today.")
@click.pass_context
def attendance_summary(ctx, profile: str, passphrase_file, output_format: str, names: bool, as_of) -> None:
    """Print each pupil's measures, keyed by UPN, as of today or --as-of."""
    from clinic_tui.services.clock import LOCAL_ZONE, ManualClock, SystemClock
    from clinic_tui.services.session import Session

    clock = ManualClock(as_of.replace(hour=12, tzinfo=LOCAL_ZONE)) if as_of else SystemClock()
    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, profile, passphrase_file)
    try:
        rows = Session(workspace, vault, clock).attendance.rows()
    finally:
        vault.close()

    records = []
    for row in sorted(rows, key=lambda item: item.pupil.upn):
        measures = row.measures
        window = measures.max_unauthorised_window
        record: dict[str, object] = {
            "upn": row.pupil.upn,
            "year_group": row.pupil.year_group,
            "possible_sessions": measures.possible_sessions,
            "present": measures.present,
            "approved_activity": measures.approved_activity,
            "authorised": measures.authorised,
            "unauthorised": measures.unauthorised,
            "attendance_rate": _number(measures.attendance_rate),
            "persistent_absence": measures.persistent_absence,
            "severe_absence": measures.severe_absence,
            "broken_weeks": measures.broken_weeks,
            "broken_weeks_recent": measures.broken_weeks_recent,
            "late_before_close": measures.late_before_close,
            "late_after_close": measures.late_after_close,
            "trend_recent_rate": _number(measures.trend.recent_rate),
            "trend_direction": measures.trend.direction.value if measures.trend.direction else None,
            "max_unauthorised_10_weeks": window.sessions,
            "window_first_day": window.first_day.isoformat() if window.first_day else None,
            "window_last_day": window.last_day.isoformat() if window.last_day else None,
            "reaches_threshold": window.reaches_threshold,
        }
        if names:
            record["forename"] = row.pupil.forename
            record["surname"] = row.pupil.surname
        records.append(record)

    if output_format == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    fields = list(SUMMARY_FIELDS) + (["forename", "surname"] if names else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    click.echo(buffer.getvalue(), nl=False)


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _demo_group() -> click.Group:
    command = main.commands["demo"]
    assert isinstance(command, click.Group)
    return command


@_demo_group().command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--date", "reference", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Reference date (YYYY-MM-DD): marks run up to the day before it. Default: today.")
@click.option("--pupils", type=click.IntRange(1, 1500), default=600, show_default=True,
              help="Number of pupils in the synthetic school.")
def demo_export(folder: Path, reference: dt.datetime | None, pupils: int) -> None:
    """Write the synthetic demo school as MIS-style CSV and XLSX files."""
    from clinic_tui.domain.demo_school import generate_school
    from clinic_tui.imports import MarksLayout
    from clinic_tui.imports.export import write_marks_csv, write_marks_xlsx, write_pupils_csv, write_pupils_xlsx
    from clinic_tui.services.clock import SystemClock

    day = reference.date() if reference else SystemClock().now().date()
    school = generate_school(day, pupils=pupils)
    folder.mkdir(parents=True, exist_ok=True)
    marks = list(school.all_marks())
    outputs = {
        "pupils.csv": lambda path: write_pupils_csv(school.pupils, path),
        "pupils.xlsx": lambda path: write_pupils_xlsx(school.pupils, path),
        "marks-long.csv": lambda path: write_marks_csv(marks, path, layout=MarksLayout.LONG),
        "marks-grid.csv": lambda path: write_marks_csv(marks, path, layout=MarksLayout.GRID),
        "marks-grid.xlsx": lambda path: write_marks_xlsx(marks, path, layout=MarksLayout.GRID),
    }
    for name, write in outputs.items():
        write(folder / name)
        click.echo(f"wrote {folder / name}")
    click.echo(f"{len(school.pupils)} pupils and {len(marks)} marks up to {day - dt.timedelta(days=1):%d/%m/%Y}.")


@main.command()
@profile_option
@passphrase_file_option
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date to count from (YYYY-MM-DD). Default: today.")
@click.option("--days", "horizon", type=click.IntRange(0, 60), default=7, show_default=True,
              help="Also list reviews due within this many days.")
@click.option("--names", is_flag=True, help="Show pupils' names instead of initials and year group.")
@click.pass_context
def reviews(ctx, profile: str, passphrase_file, as_of, horizon: int, names: bool) -> None:
    """List reviews that are overdue, due today or due soon."""
    from clinic_tui.services.clock import LOCAL_ZONE, ManualClock, SystemClock
    from clinic_tui.services.session import Session

    clock = ManualClock(as_of.replace(hour=12, tzinfo=LOCAL_ZONE)) if as_of else SystemClock()
    workspace = _workspace(ctx)
    vault = unlock_vault(workspace, profile, passphrase_file)
    try:
        session = Session(workspace, vault, clock)
        due = session.reviews.due(clock.now().date(), horizon)
        if names:
            pupils = {row.id: row.pupil for row in session.attendance.rows()}
    finally:
        vault.close()

    if not due:
        click.echo("No reviews are overdue or due soon.")
        return
    rows = []
    for item in due:
        who = ", ".join(pupils[p].display_name for p in item.pupil_ids) if names else item.label
        state = "review started" if item.draft_review_id else "not started"
        rows.append((item.bucket, f"{item.review_date:%a %d %b %Y}", who, state, item.record_id))
    header = ("Due", "Review date", "Pupils", "State", "Record")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header) - 1)]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
