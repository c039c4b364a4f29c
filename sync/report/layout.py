"""The order and shape of the report's tables, shared by the HTML, Markdown and terminal views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sync.report.measures import (
    CHANGE_COLUMNS,
    DIMENSION_TITLES,
    MEASURE_BY_KEY,
    MEASURES,
    MEETING_COLUMNS,
    SCHOOL_SUMMARY_COLUMNS,
    Figure,
    Measure,
)
from sync.report.report import Breakdown, Report

TITLE = "Impact of attendance meetings"

_TOTAL_LABELS = {"school": "All schools", "mode": "All modes", "year_group": "All year groups"}


@dataclass(frozen=True)
class Table:
    """A table of figures: one row per category, one column per measure key."""

    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, Mapping[str, Figure]], ...]
    note: str = ""
    ends_with_total: bool = False

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(MEASURE_BY_KEY[key] for key in self.columns)


@dataclass(frozen=True)
class TableGroup:
    """A titled section of the report with its tables; ``dimension`` is empty for the summaries."""

    title: str
    dimension: str
    tables: tuple[Table, ...]


def month_name(month: str) -> str:
    """Return ``YYYY-MM`` as a month and year, for example ``March 2026``."""
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1).strftime("%B %Y")


def scope_lines(report: Report) -> list[tuple[str, str]]:
    """Return the label and text of each line that describes what the report covers."""
    first = report.scope.from_month or report.first_month
    last = report.scope.to_month or report.last_month
    if first and last:
        months = f"{month_name(first)} to {month_name(last)}"
    elif first:
        months = f"From {month_name(first)}"
    elif last:
        months = f"Up to {month_name(last)}"
    else:
        months = "All months (the log has no pupil meetings)"

    lines = [
        ("Organisation", report.organisation),
        ("Months of the meetings", months),
        ("Schools", f"URN {report.scope.school_urn} only" if report.scope.school_urn else "All schools"),
    ]
    if report.produced_on is not None:
        lines.append(("Produced on", f"{report.produced_on.day} {report.produced_on:%B %Y}"))
    return lines


def headline(report: Report) -> list[tuple[Measure, Figure]]:
    """Return every measure with its figure for all pupil meetings in the report."""
    return [(measure, report.overall[measure.key]) for measure in MEASURES if measure.key in report.overall]


def school_summary(report: Report) -> Table:
    """Return the summary for governors and inspectors: one row per school, then all schools."""
    schools = report.breakdown("school")
    rows = tuple((category.label, category.figures) for category in schools.categories)
    return Table(
        title="Proactive work and outcomes by school",
        row_heading="School",
        columns=SCHOOL_SUMMARY_COLUMNS,
        rows=rows + (("All schools", report.overall),),
        ends_with_total=True,
        note="Evidence of proactive work: pupil meetings offered and held, actions agreed and reviews done. "
             "Contacts made are not collected in the impact log, so that column shows x.",
    )


def breakdown_tables(report: Report, breakdown: Breakdown) -> TableGroup:
    """Return the meetings table and the attendance change table of one breakdown."""
    title = DIMENSION_TITLES[breakdown.dimension]
    rows = tuple((category.label, category.figures) for category in breakdown.categories)
    if breakdown.additive:
        rows += ((_TOTAL_LABELS[breakdown.dimension], report.overall),)
        note = ""
    else:
        note = ("A pupil meeting can record several barriers and counts under each, so the rows do not "
                "add up to the totals in the summary.")
    return TableGroup(
        title=f"By {title.lower()}",
        dimension=breakdown.dimension,
        tables=(
            Table(f"Pupil meetings by {title.lower()}", title, MEETING_COLUMNS, rows, note, breakdown.additive),
            Table(f"Attendance change by {title.lower()}", title, CHANGE_COLUMNS, rows, note, breakdown.additive),
        ),
    )


def all_table_groups(report: Report) -> list[TableGroup]:
    """Return the school summary, then one group of tables per breakdown, in report order."""
    groups = [TableGroup("Summary by school", "", (school_summary(report),))]
    groups += [breakdown_tables(report, breakdown) for breakdown in report.breakdowns]
    return groups
