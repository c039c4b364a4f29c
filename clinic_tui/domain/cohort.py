"""Attendance measures for a whole cohort and their summary by year group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from clinic_tui.domain.attendance import MarkLike, measure_attendance
from clinic_tui.domain.attendance_types import AttendanceMeasures, percentage
from clinic_tui.domain.calendar import SchoolCalendar
from clinic_tui.domain.pupil import Mark, Pupil

# Year groups in the order of the National Curriculum; anything else sorts
# after them, alphabetically.
_YEAR_NAMES = ["N1", "N2", "R", *(str(year) for year in range(1, 15))]
_YEAR_ORDER = {name: position for position, name in enumerate(_YEAR_NAMES)}


@dataclass(frozen=True)
class YearGroupSummary:
    """Attendance of the pupils in one year group.

    ``mean_attendance_rate`` is the mean of the pupils' exact rates, rounded
    half up to one decimal place, so every pupil weighs the same whatever
    their number of sessions. The mean and the persistent absence share
    cover only ``pupils_with_sessions``, the pupils with at least one
    possible session.
    """

    year_group: str
    pupils: int
    pupils_with_sessions: int
    mean_attendance_rate: Decimal | None
    persistent_absence: int
    persistent_absence_share: Decimal | None
    severe_absence: int


def group_marks_by_pupil(marks: Iterable[Mark]) -> dict[str, list[Mark]]:
    """Group marks by UPN, keeping their order within each pupil."""
    grouped: dict[str, list[Mark]] = {}
    for mark in marks:
        grouped.setdefault(mark.upn, []).append(mark)
    return grouped


def measure_cohort(
    marks_by_upn: Mapping[str, Iterable[MarkLike]],
    calendar: SchoolCalendar,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
) -> dict[str, AttendanceMeasures]:
    """Compute the measures of every pupil in ``marks_by_upn``, keyed by UPN."""
    return {
        upn: measure_attendance(marks, calendar, as_of, since=since)
        for upn, marks in marks_by_upn.items()
    }


def _year_group_key(year_group: str) -> tuple[int, str]:
    return _YEAR_ORDER.get(year_group, len(_YEAR_ORDER)), year_group


def summarise_cohort(
    pupils: Iterable[Pupil], measures: Mapping[str, AttendanceMeasures]
) -> list[YearGroupSummary]:
    """Summarise attendance by year group, in National Curriculum order.

    A pupil with no entry in ``measures`` counts in ``pupils`` but not in
    ``pupils_with_sessions``.
    """
    by_year: dict[str, list[AttendanceMeasures | None]] = {}
    for pupil in pupils:
        by_year.setdefault(pupil.year_group, []).append(measures.get(pupil.upn))

    summaries = []
    for year_group in sorted(by_year, key=_year_group_key):
        entries = by_year[year_group]
        measured = [
            entry for entry in entries if entry is not None and entry.possible_sessions > 0
        ]

        # Exact rates, so the mean is rounded once rather than from rounded parts.
        rates = [
            Fraction(entry.present + entry.approved_activity, entry.possible_sessions)
            for entry in measured
        ]
        mean_rate = percentage(sum(rates, Fraction(0)), len(rates)) if rates else None

        persistent = sum(1 for entry in measured if entry.persistent_absence)
        summaries.append(
            YearGroupSummary(
                year_group=year_group,
                pupils=len(entries),
                pupils_with_sessions=len(measured),
                mean_attendance_rate=mean_rate,
                persistent_absence=persistent,
                persistent_absence_share=percentage(persistent, len(measured)),
                severe_absence=sum(1 for entry in measured if entry.severe_absence),
            )
        )
    return summaries
