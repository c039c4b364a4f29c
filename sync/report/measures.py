"""Measures, category labels and published values of the impact report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sync.impact import BARRIER_CODES

SUPPRESSED = "c"
NOT_APPLICABLE = "z"
NOT_COLLECTED = "x"

SYMBOLS = {
    SUPPRESSED: "confidential: a count from 1 to 5, a count that would reveal one, or a figure built on one",
    NOT_APPLICABLE: "not applicable: there are no meetings to work the figure out from",
    NOT_COLLECTED: "not collected: the impact log does not record this",
}

COUNT = "count"
PERCENT = "percent"
POINTS = "points"


@dataclass(frozen=True)
class Measure:
    """One published measure: a column of the report's tables."""

    key: str
    label: str
    kind: str
    definition: str


MEASURES: tuple[Measure, ...] = (
    Measure("offered", "Meetings offered", COUNT,
            "Meetings booked with a family, whether the family attended or not."),
    Measure("held", "Held", COUNT, "Meetings offered that the family attended."),
    Measure("did_not_attend", "Did not attend", COUNT, "Meetings offered that the family did not attend."),
    Measure("held_percent", "% held", PERCENT, "Meetings held as a percentage of meetings offered."),
    Measure("pupils", "Pupils", COUNT,
            "Distinct pupils with at least one meeting offered. A pupil can appear under more than one "
            "school, so pupils by school need not add up to the total."),
    Measure("views_captured", "Views captured", COUNT,
            "Meetings held where the pupil's views were recorded."),
    Measure("views_percent", "% views captured", PERCENT,
            "Meetings with the pupil's views recorded as a percentage of meetings held."),
    Measure("reviews", "Reviews done", COUNT, "Meetings followed up by a review with a recorded outcome."),
    Measure("actions", "Actions agreed", COUNT,
            "Actions agreed at the meetings, for the parent or carer, the pupil, the school and other agencies."),
    Measure("contacts", "Contacts made", COUNT,
            "Contacts with families before and between meetings. The impact log does not record them, so "
            "this figure is not collected."),
    Measure("with_change", "With both rates", COUNT,
            "Meetings with the pupil's attendance rate known for the 6 school weeks both before the meeting "
            "and after it."),
    Measure("mean_change", "Mean change (points)", POINTS,
            "Mean of attendance after minus attendance before, in percentage points, over the meetings "
            "with both rates."),
    Measure("median_change", "Median change (points)", POINTS,
            "Median of the same changes. With an even number of meetings it is the mean of the two middle "
            "changes."),
    Measure("improved", "Improved 5+ points", COUNT,
            "Meetings with both rates where attendance rose by 5.0 percentage points or more."),
    Measure("improved_percent", "% improved 5+", PERCENT,
            "Meetings improved by 5 points or more as a percentage of meetings with both rates."),
    Measure("persistent_reviewed", "Persistently absent before, reviewed", COUNT,
            "Meetings with a pupil persistently absent before the meeting (attendance of 90.0% or less) "
            "and an attendance rate after it."),
    Measure("persistent_ended", "No longer persistently absent", COUNT,
            "Of those, meetings where attendance after the meeting was above 90.0%."),
    Measure("persistent_ended_percent", "% no longer persistently absent", PERCENT,
            "Meetings no longer persistently absent as a percentage of those persistently absent before "
            "and reviewed."),
)

MEASURE_BY_KEY = {measure.key: measure for measure in MEASURES}

# Columns of the two tables of every breakdown, and of the summary for each school.
MEETING_COLUMNS = ("offered", "held", "did_not_attend", "held_percent", "views_captured", "views_percent",
                   "reviews", "actions")
CHANGE_COLUMNS = ("with_change", "mean_change", "median_change", "improved", "improved_percent",
                  "persistent_reviewed", "persistent_ended", "persistent_ended_percent")
SCHOOL_SUMMARY_COLUMNS = ("offered", "held", "did_not_attend", "pupils", "views_captured", "actions", "reviews",
                          "contacts", "mean_change", "improved_percent")

DIMENSION_TITLES = {
    "school": "School",
    "mode": "Meeting mode",
    "year_group": "Year group",
    "barrier": "Barrier",
}

_MODE_LABELS = {"in_person": "In person", "video": "Video call", "phone": "Phone call"}
_YEAR_LABELS = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}


def category_label(dimension: str, category: str) -> str:
    """Return the label a reader sees for a category code (a URN, mode, year group or barrier)."""
    if dimension == "school":
        return f"URN {category}"
    if dimension == "mode":
        return _MODE_LABELS.get(category, category)
    if dimension == "year_group":
        return _YEAR_LABELS.get(category, f"Year {category}")
    if dimension == "barrier":
        return BARRIER_CODES.get(category, category)
    return category


@dataclass(frozen=True)
class Figure:
    """A published value: an ``int`` count, a ``Decimal`` rounded to one place, or a symbol from ``SYMBOLS``."""

    value: int | Decimal | None = None
    symbol: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.symbol is None):
            raise ValueError("A figure has either a value or a symbol, not both and not neither.")
        if self.symbol is not None and self.symbol not in SYMBOLS:
            raise ValueError(f"Unknown symbol {self.symbol!r}; use one of {', '.join(SYMBOLS)}.")

    @property
    def shown(self) -> bool:
        return self.value is not None


def format_figure(measure: Measure, figure: Figure, *, grouped: bool = True) -> str:
    """Return the figure as printed: ``1,234``, ``85.0``, ``+3.5`` or a symbol.

    ``grouped`` adds thousands separators to counts; CSV turns them off so
    that a count reads back as a plain integer.
    """
    if figure.value is None:
        return str(figure.symbol)
    if measure.kind == COUNT:
        return f"{figure.value:,}" if grouped else str(figure.value)
    if measure.kind == POINTS:
        return f"{figure.value:+}" if figure.value != 0 else "0.0"
    return str(figure.value)
