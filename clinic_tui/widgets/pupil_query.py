"""Searching, filtering and sorting the pupil list, without any widget code.

Each pupil's search text, flags and sort keys are worked out once in
``ListEntry.build``, so a query over 1,500 pupils costs a pass over plain
strings and numbers rather than a recomputation of measures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import Enum

from clinic_tui.domain.attendance import early_warning
from clinic_tui.domain.attendance_types import RECENT_WEEKS, Direction
from clinic_tui.domain.pupil import SenStatus
from clinic_tui.domain.timeline import year_label
from clinic_tui.services.attendance import PupilRow

# Letters that Unicode does not decompose into a base letter and an accent,
# so NFKD alone would leave "Łukasz" unmatched by "lukasz".
_UNDECOMPOSED = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h",
    "ı": "i", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
})

TREND_ARROWS = {Direction.RISING: "↑", Direction.FALLING: "↓", Direction.STEADY: "→"}

# Flag letters in the order the list shows them, with the meaning for the legend.
FLAG_MEANINGS: tuple[tuple[str, str], ...] = (
    ("P", "persistent absence"),
    ("S", "severe absence"),
    ("T", "10+ unauthorised in 10 weeks"),
    ("W", "early warning"),
    ("E", "SEN support or EHC plan"),
    ("C", "CIN or CP plan"),
    ("L", "looked after"),
)


def fold(text: str) -> str:
    """Return ``text`` without case or accents, for matching what a user types."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold()


def year_rank(year_group: str) -> int:
    """Return a number that orders nursery, reception and years 1 to 14, unknown years last."""
    year = year_group.strip().upper()
    if year.isdigit():
        return int(year)
    return {"N1": -2, "N2": -1, "R": 0}.get(year, 99)


def year_words(year_group: str) -> str:
    """Return a year group in words: "Year 9", "Reception", "N1"."""
    label = year_label(year_group)
    if label.startswith("Y"):
        return f"Year {label[1:]}"
    return {"Rec": "Reception"}.get(label, label)


def trend_label(direction: Direction | None) -> str:
    """Return the trend as an arrow and a word, so it reads without colour."""
    if direction is None:
        return "– not yet"
    return f"{TREND_ARROWS[direction]} {direction.value}"


def format_rate(rate: Decimal | None) -> str:
    """Return a percentage with one decimal place, or a dash when there were no possible sessions."""
    return "–" if rate is None else f"{rate:.1f}"


class SortKey(str, Enum):
    """Columns the pupil list can be sorted by, in the order the Sort key steps through them."""

    NAME = "name"
    YEAR = "year"
    ATTENDANCE = "attendance %"
    UNAUTHORISED = "unauthorised sessions"
    BROKEN_WEEKS = "broken weeks"

    @property
    def descending_first(self) -> bool:
        """Whether the first sort puts the largest value on top: the order that shows concern first."""
        return self in (SortKey.UNAUTHORISED, SortKey.BROKEN_WEEKS)

    def next(self) -> SortKey:
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]

    def describe(self, descending: bool) -> str:
        """Describe the order for the status line, such as "attendance %, lowest first"."""
        if self is SortKey.NAME:
            return "name, Z to A" if descending else "name, A to Z"
        return f"{self.value}, {'highest' if descending else 'lowest'} first"


@dataclass(frozen=True)
class PupilFilters:
    """Conditions a pupil must all meet to stay in the list. The default lets every pupil through."""

    persistent: bool = False
    severe: bool = False
    threshold: bool = False
    falling: bool = False
    early_warning: bool = False
    sen: bool = False
    cin_cp: bool = False
    looked_after: bool = False
    year_group: str | None = None

    @property
    def active(self) -> bool:
        return self != PupilFilters()

    def labels(self) -> list[str]:
        """Name each active filter in the words of the filter panel."""
        names = {
            "persistent": "persistent absence",
            "severe": "severe absence",
            "threshold": "10+ unauthorised in 10 weeks",
            "falling": "falling trend",
            "early_warning": "early warning",
            "sen": "SEN",
            "cin_cp": "CIN/CP",
            "looked_after": "looked after",
        }
        labels = [label for name, label in names.items() if getattr(self, name)]
        if self.year_group is not None:
            labels.append(year_words(self.year_group))
        return labels

    def matches(self, entry: ListEntry) -> bool:
        row = entry.row
        measures = row.measures
        pupil = row.pupil
        checks = (
            (self.persistent, measures.persistent_absence),
            (self.severe, measures.severe_absence),
            (self.threshold, measures.max_unauthorised_window.reaches_threshold),
            (self.falling, measures.trend.direction is Direction.FALLING),
            (self.early_warning, entry.early_warning),
            (self.sen, pupil.sen is not SenStatus.NONE),
            (self.cin_cp, pupil.cin or pupil.cp_plan),
            (self.looked_after, pupil.looked_after),
        )
        if any(required and not met for required, met in checks):
            return False
        return self.year_group is None or pupil.year_group == self.year_group


FILTER_FIELDS = tuple(field.name for field in fields(PupilFilters) if field.name != "year_group")


@dataclass(frozen=True)
class ListEntry:
    """One pupil row with everything the list needs worked out in advance."""

    row: PupilRow
    search_text: str
    flags: str
    early_warning: bool
    name_key: tuple[str, str, str, str]

    @classmethod
    def build(cls, row: PupilRow) -> ListEntry:
        pupil = row.pupil
        measures = row.measures
        warning = early_warning(measures)
        raised = {
            "P": measures.persistent_absence,
            "S": measures.severe_absence,
            "T": measures.max_unauthorised_window.reaches_threshold,
            "W": warning,
            "E": pupil.sen is not SenStatus.NONE,
            "C": pupil.cin or pupil.cp_plan,
            "L": pupil.looked_after,
        }
        flags = "".join(letter for letter, _ in FLAG_MEANINGS if raised[letter])
        names = " ".join(part for part in (pupil.forename, pupil.preferred_name, pupil.surname) if part)
        # The UPN breaks ties, so two pupils with one name keep a fixed order.
        name_key = (fold(pupil.surname), fold(pupil.preferred_name or pupil.forename), fold(pupil.forename), pupil.upn)
        return cls(row, f"{fold(names)} {pupil.upn.casefold()}", flags, warning, name_key)

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def name(self) -> str:
        """Surname first, with the preferred forename, as school lists show it."""
        pupil = self.row.pupil
        return f"{pupil.surname}, {pupil.preferred_name or pupil.forename}"


def build_entries(rows: Iterable[PupilRow]) -> list[ListEntry]:
    """Prepare every row for searching, in name order."""
    return sorted((ListEntry.build(row) for row in rows), key=lambda entry: entry.name_key)


def search_terms(text: str) -> list[str]:
    """Split a search into folded words; a pupil matches when every word appears."""
    return fold(text).split()


def select(
    entries: Sequence[ListEntry],
    search: str,
    filters: PupilFilters,
    sort: SortKey,
    descending: bool,
) -> list[ListEntry]:
    """Return the entries that match the search and filters, in the requested order.

    ``entries`` must be in name order (``build_entries`` returns them so),
    because the sorts are stable and equal values keep that order. Pupils
    without a value to sort on, such as an attendance rate with no possible
    sessions, go last in either direction.
    """
    terms = search_terms(search)
    chosen = [
        entry for entry in entries
        if all(term in entry.search_text for term in terms) and filters.matches(entry)
    ]

    if sort is SortKey.NAME:
        return list(reversed(chosen)) if descending else chosen

    valued = []
    unvalued = []
    for entry in chosen:
        value = _sort_value(entry, sort)
        (unvalued if value is None else valued).append((value, entry))
    valued.sort(key=lambda pair: pair[0], reverse=descending)
    return [entry for _, entry in valued] + [entry for _, entry in unvalued]


def _sort_value(entry: ListEntry, sort: SortKey) -> int | Decimal | None:
    measures = entry.row.measures
    if sort is SortKey.YEAR:
        return year_rank(entry.row.pupil.year_group)
    if sort is SortKey.ATTENDANCE:
        return measures.attendance_rate
    if sort is SortKey.UNAUTHORISED:
        return measures.unauthorised
    return measures.broken_weeks_recent


def table_cells(entry: ListEntry) -> tuple[str, ...]:
    """Return the text of each list column for one pupil, in column order."""
    pupil = entry.row.pupil
    measures = entry.row.measures
    return (
        entry.name,
        year_label(pupil.year_group),
        pupil.reg_group,
        format_rate(measures.attendance_rate),
        str(measures.possible_sessions),
        str(measures.unauthorised),
        f"{measures.broken_weeks_recent}/{min(RECENT_WEEKS, len(measures.weeks))}",
        trend_label(measures.trend.direction),
        entry.flags,
    )
