"""Exact figures of the impact report, before disclosure control.

``load_figures`` runs the statements of ``queries.py`` and turns their
small result sets into ``GroupFigures``: counts for one category of one
dimension, and a histogram of attendance changes from which the mean,
median and number improved are worked out. Nothing here loops over
impact rows: the database has already reduced them to at most a few
thousand groups.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction

from sync.errors import InvalidInput
from sync.impact import BARRIER_CODES, MODES, YEAR_GROUPS
from sync.report.queries import COUNT_COLUMNS, IMPROVED_MIN_PERMILLE, Filters, report_statements

_MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
_URN = re.compile(r"[0-9]{6}")

OVERALL = "overall"
DIMENSIONS = ("school", "mode", "year_group", "barrier")


@dataclass(frozen=True)
class ReportScope:
    """The impact rows a report covers: months as ``YYYY-MM`` (inclusive) and one school's URN.

    ``None`` means no limit. Construction raises ``InvalidInput`` naming
    the option and the value.
    """

    from_month: str | None = None
    to_month: str | None = None
    school_urn: str | None = None

    def __post_init__(self) -> None:
        for option, value in (("--from", self.from_month), ("--to", self.to_month)):
            if value is not None and not _MONTH.fullmatch(value):
                raise InvalidInput(f"{option} {value!r} is not a month. Give it as YYYY-MM, for example 2025-09.")
        if self.school_urn is not None and not _URN.fullmatch(self.school_urn):
            raise InvalidInput(f"--school {self.school_urn!r} is not a URN. Give the school's 6-digit unique "
                               "reference number, for example 123456.")
        if self.from_month and self.to_month and self.from_month > self.to_month:
            raise InvalidInput(f"--from {self.from_month} is after --to {self.to_month}. Swap them, or give "
                               "an earlier --from month.")

    @property
    def filters(self) -> Filters:
        return Filters(self.from_month, self.to_month, self.school_urn)


@dataclass(frozen=True)
class GroupFigures:
    """Exact counts for the latest versions of the rows in one category.

    Every count is of rows, that is of meetings offered: a pupil with two
    meetings counts twice. ``changes`` maps a change in attendance, in
    tenths of a percentage point, to the number of rows with both rates
    that changed by that much. ``pupils`` is the number of distinct
    pupils, or None where the report does not count them.
    """

    offered: int = 0
    held: int = 0
    views_captured: int = 0
    reviews: int = 0
    actions: int = 0
    persistent_reviewed: int = 0
    persistent_ended: int = 0
    changes: Mapping[int, int] = field(default_factory=dict)
    pupils: int | None = None

    @property
    def did_not_attend(self) -> int:
        return self.offered - self.held

    @property
    def views_not_captured(self) -> int:
        return self.held - self.views_captured

    @cached_property
    def with_change(self) -> int:
        """Return the number of rows with an attendance rate both before and after the meeting."""
        return sum(self.changes.values())

    @cached_property
    def improved(self) -> int:
        """Return the number of rows whose attendance rose by at least 5 percentage points."""
        return sum(count for change, count in self.changes.items() if change >= IMPROVED_MIN_PERMILLE)

    @property
    def not_improved(self) -> int:
        return self.with_change - self.improved

    @property
    def persistent_remaining(self) -> int:
        return self.persistent_reviewed - self.persistent_ended

    @cached_property
    def mean_change(self) -> Fraction | None:
        """Return the mean change in percentage points, or None when no row has both rates."""
        return mean_points(self.changes)

    @cached_property
    def median_change(self) -> Fraction | None:
        """Return the median change in percentage points, or None when no row has both rates."""
        return median_points(self.changes)


@dataclass(frozen=True)
class RawFigures:
    """Every exact figure of the report, with the months the rows span.

    ``groups`` maps a dimension (``school``, ``mode``, ``year_group`` or
    ``barrier``) to its categories in the order they are reported.
    ``first_month`` and ``last_month`` are None when no row matched.
    """

    overall: GroupFigures
    groups: Mapping[str, Mapping[str, GroupFigures]]
    first_month: str | None
    last_month: str | None


def mean_points(changes: Mapping[int, int]) -> Fraction | None:
    """Return the mean of a histogram of changes in tenths of a point, in percentage points."""
    rows = sum(changes.values())
    if rows == 0:
        return None
    total = sum(change * count for change, count in changes.items())
    return Fraction(total, rows * 10)


def median_points(changes: Mapping[int, int]) -> Fraction | None:
    """Return the median of a histogram of changes in tenths of a point, in percentage points.

    With an even number of rows the median is the mean of the two middle
    values, as in ``statistics.median``.
    """
    rows = sum(changes.values())
    if rows == 0:
        return None
    lower_rank, upper_rank = (rows + 1) // 2, rows // 2 + 1
    lower = upper = None
    seen = 0
    for change in sorted(changes):
        seen += changes[change]
        if lower is None and seen >= lower_rank:
            lower = change
        if seen >= upper_rank:
            upper = change
            break
    assert lower is not None and upper is not None
    return Fraction(lower + upper, 20)


def load_figures(conn: sqlite3.Connection, scope: ReportScope) -> RawFigures:
    """Run the report's statements on the central database and return the exact figures.

    The statements run in one read transaction, which is rolled back if
    any of them fails so that the connection is left as it was found.
    """
    results: dict[str, list[tuple]] = {}
    statements = report_statements(scope.filters)
    try:
        for statement in statements:
            rows = conn.execute(statement.sql, statement.parameters).fetchall()
            if statement.name:
                results[statement.name] = rows
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return figures_from_results(results)


def figures_from_results(results: Mapping[str, list[tuple]]) -> RawFigures:
    """Build the exact figures from the rows of each named statement (see ``report_statements``)."""
    (overall_row,) = results["overall"]
    counts = dict(zip(COUNT_COLUMNS, overall_row[: len(COUNT_COLUMNS)], strict=True))
    pupils, first_month, last_month = overall_row[len(COUNT_COLUMNS):]
    overall = GroupFigures(**counts, changes=_histograms(results["changes:overall"]).get("", {}), pupils=pupils)

    school_pupils = dict(results["pupils:school"])
    groups: dict[str, dict[str, GroupFigures]] = {}
    for dimension in DIMENSIONS:
        histograms = _histograms(results[f"changes:{dimension}"])
        groups[dimension] = {}
        for row in sorted(results[f"counts:{dimension}"], key=lambda row: category_order(dimension, row[0])):
            category = row[0]
            groups[dimension][category] = GroupFigures(
                **dict(zip(COUNT_COLUMNS, row[1:], strict=True)),
                changes=histograms.get(category, {}),
                pupils=school_pupils.get(category) if dimension == "school" else None,
            )
    return RawFigures(overall, groups, first_month, last_month)


def _histograms(rows: Iterable[tuple[str, int, int]]) -> dict[str, dict[int, int]]:
    histograms: dict[str, dict[int, int]] = {}
    for category, change, count in rows:
        histograms.setdefault(category, {})[change] = count
    return histograms


def category_order(dimension: str, category: str) -> tuple[int, str]:
    """Return a sort key that lists categories in their usual order: codes as listed, URNs ascending."""
    known: tuple[str, ...] = {"mode": MODES, "year_group": YEAR_GROUPS, "barrier": tuple(BARRIER_CODES)}.get(
        dimension, ())
    # Codes the format does not list (none pass ingest today) sort after the known ones.
    return (known.index(category), "") if category in known else (len(known), category)


__all__ = [
    "DIMENSIONS",
    "OVERALL",
    "GroupFigures",
    "RawFigures",
    "ReportScope",
    "category_order",
    "figures_from_results",
    "load_figures",
    "mean_points",
    "median_points",
]
