"""The published impact report: exact figures with disclosure control applied.

``build_report`` reads the central store; ``publish`` turns exact
figures into published ones and is pure, so tests can check it on
hand-worked numbers. Every count of every table is one cell of a single
suppression problem. The count for all schools in the summary, for
example, is the same cell as the total of the school breakdown. So a cell
suppressed in one table is suppressed wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sync.central import CentralStore
from sync.report.figures import DIMENSIONS, OVERALL, GroupFigures, RawFigures, ReportScope, load_figures
from sync.report.measures import (
    NOT_APPLICABLE,
    NOT_COLLECTED,
    SUPPRESSED,
    Figure,
    category_label,
)
from sync.report.queries import SINGLE_VALUED
from sync.report.suppression import Relation, Suppression, suppress

CellKey = tuple[str, str, str]

# Counts that add up across the categories of a dimension whose categories
# partition the rows. Pupils do not: one pupil can meet in two modes.
ADDITIVE_COUNTS = ("offered", "held", "did_not_attend", "views_captured", "reviews", "actions", "with_change",
                   "improved", "persistent_reviewed", "persistent_ended")

# Each hidden complement with the two published counts it is worked out from: total minus part.
HIDDEN_COMPLEMENTS = {
    "views_not_captured": ("held", "views_captured"),
    "not_improved": ("with_change", "improved"),
    "persistent_remaining": ("persistent_reviewed", "persistent_ended"),
}

# Each count with the count whose rows contain all of its rows. Pupils and
# actions are not rows, but pupils never exceed meetings offered and
# actions are agreed at them, so both follow the meetings offered.
WITHIN = {
    "held": "offered",
    "did_not_attend": "offered",
    "pupils": "offered",
    "reviews": "offered",
    "actions": "offered",
    "with_change": "offered",
    "persistent_reviewed": "offered",
    "views_captured": "held",
    "improved": "with_change",
    "persistent_ended": "persistent_reviewed",
}

# Percentages: numerator and denominator counts.
PERCENTAGES = {
    "held_percent": ("held", "offered"),
    "views_percent": ("views_captured", "held"),
    "improved_percent": ("improved", "with_change"),
    "persistent_ended_percent": ("persistent_ended", "persistent_reviewed"),
}


@dataclass(frozen=True)
class Category:
    """One row of a breakdown: a category code, its label and its published figures by measure key."""

    key: str
    label: str
    figures: Mapping[str, Figure]


@dataclass(frozen=True)
class Breakdown:
    """The figures of every category of one dimension (school, mode, year group or barrier)."""

    dimension: str
    categories: tuple[Category, ...]

    @property
    def additive(self) -> bool:
        """Return whether each meeting falls in exactly one category, so that counts add up to the total."""
        return self.dimension in SINGLE_VALUED


@dataclass(frozen=True)
class Report:
    """The published report. ``produced_on`` is printed only when given, so the same log gives the same bytes."""

    organisation: str
    scope: ReportScope
    first_month: str | None
    last_month: str | None
    overall: Mapping[str, Figure]
    breakdowns: tuple[Breakdown, ...]
    produced_on: dt.date | None = None

    def breakdown(self, dimension: str) -> Breakdown:
        for breakdown in self.breakdowns:
            if breakdown.dimension == dimension:
                return breakdown
        raise KeyError(dimension)


def build_report(store: CentralStore, scope: ReportScope, *, produced_on: dt.date | None = None) -> Report:
    """Read the impact log of an open ``CentralStore`` and return the published report.

    The impact log holds rows already opened at ingest, so the store need
    not be unlocked.
    """
    raw = load_figures(store.conn, scope)
    return publish(raw, organisation=store.organisation_name, scope=scope, produced_on=produced_on)


def publish(raw: RawFigures, *, organisation: str, scope: ReportScope, produced_on: dt.date | None = None) -> Report:
    """Apply disclosure control to exact figures and return the report as it will be printed."""
    groups = _groups(raw)
    values, hidden, relations = _suppression_problem(raw, groups)
    within = {(dimension, category, part): (dimension, category, whole)
              for dimension, category, _ in groups
              for part, whole in WITHIN.items()
              if (dimension, category, part) in values}
    suppression = suppress(values, relations, hidden=hidden, within=within)

    overall = _published(OVERALL, "", raw.overall, suppression)
    breakdowns = tuple(
        Breakdown(dimension, tuple(
            Category(category, category_label(dimension, category),
                     _published(dimension, category, figures, suppression))
            for category, figures in raw.groups[dimension].items()
        ))
        for dimension in DIMENSIONS
    )
    return Report(organisation=organisation, scope=scope, first_month=raw.first_month, last_month=raw.last_month,
                  overall=overall, breakdowns=breakdowns, produced_on=produced_on)


def _groups(raw: RawFigures) -> list[tuple[str, str, GroupFigures]]:
    return [(OVERALL, "", raw.overall)] + [
        (dimension, category, figures)
        for dimension in DIMENSIONS
        for category, figures in raw.groups[dimension].items()
    ]


def _counts(figures: GroupFigures) -> dict[str, int]:
    counts = {measure: getattr(figures, measure) for measure in ADDITIVE_COUNTS}
    counts.update({hidden: getattr(figures, hidden) for hidden in HIDDEN_COMPLEMENTS})
    if figures.pupils is not None:
        counts["pupils"] = figures.pupils
    return counts


def _suppression_problem(
    raw: RawFigures, groups: list[tuple[str, str, GroupFigures]]
) -> tuple[dict[CellKey, int], set[CellKey], list[Relation[CellKey]]]:
    """Return every count cell, the hidden ones, and the relations between them."""
    values: dict[CellKey, int] = {}
    hidden: set[CellKey] = set()
    relations: list[Relation[CellKey]] = []

    for dimension, category, figures in groups:
        for measure, count in _counts(figures).items():
            values[(dimension, category, measure)] = count

        def key(measure: str, dimension: str = dimension, category: str = category) -> CellKey:
            return (dimension, category, measure)

        relations.append(Relation(key("offered"), (key("held"), key("did_not_attend"))))
        for complement, (total, part) in HIDDEN_COMPLEMENTS.items():
            hidden.add(key(complement))
            relations.append(Relation(key(total), (key(part), key(complement))))

    # Down each column of a partitioning dimension, the categories sum to the overall count.
    for dimension in SINGLE_VALUED:
        categories = list(raw.groups[dimension])
        if not categories:
            continue  # no rows matched, so there is nothing to add up
        for measure in ADDITIVE_COUNTS:
            parts = tuple((dimension, category, measure) for category in categories)
            relations.append(Relation((OVERALL, "", measure), parts))
    return values, hidden, relations


def _published(dimension: str, category: str, figures: GroupFigures, suppression: Suppression[CellKey]
               ) -> dict[str, Figure]:
    """Return the published figures of one group: counts, percentages, changes and the not-collected contacts."""

    def count(measure: str) -> Figure:
        value = getattr(figures, measure)
        if not suppression.shows((dimension, category, measure)):
            return Figure(symbol=SUPPRESSED)
        return Figure(value=value)

    published = {measure: count(measure) for measure in ADDITIVE_COUNTS}
    if figures.pupils is not None:
        published["pupils"] = count("pupils")

    for measure, (numerator, denominator) in PERCENTAGES.items():
        published[measure] = _derived(published[numerator], published[denominator],
                                      lambda: Fraction(100 * getattr(figures, numerator), getattr(figures, denominator)))

    # The mean and median are built on the meetings with both rates, so they
    # share that count's suppression.
    base = published["with_change"]
    published["mean_change"] = _derived(base, base, lambda: figures.mean_change)
    published["median_change"] = _derived(base, base, lambda: figures.median_change)
    published["contacts"] = Figure(symbol=NOT_COLLECTED)
    return published


def _derived(numerator: Figure, denominator: Figure, exact: object) -> Figure:
    """Return a figure built on two counts: z over nothing, c if either count is suppressed, else the value."""
    if denominator.value == 0:
        return Figure(symbol=NOT_APPLICABLE)
    if not numerator.shown or not denominator.shown:
        return Figure(symbol=SUPPRESSED)
    return Figure(value=round_half_away(exact()))  # type: ignore[operator]


def round_half_away(value: Fraction) -> Decimal:
    """Round to one decimal place, halves away from zero (12.25 gives 12.3, -12.25 gives -12.3)."""
    tenths = value * 10
    whole, remainder = divmod(abs(tenths.numerator), tenths.denominator)
    if 2 * remainder >= tenths.denominator:
        whole += 1
    sign = -1 if tenths < 0 else 1
    return Decimal(sign * whole).scaleb(-1)
