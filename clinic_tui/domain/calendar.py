"""School calendars for schools in England.

A school day is a weekday inside a term that is not in the term's half term
and not a closure (an INSET day, a bank holiday or another closure). A school
week is a week, Monday to Sunday, that contains at least one school day. Weeks
with no school days, such as half terms and holidays, are skipped when
counting "consecutive school weeks" or "six school weeks ahead".

``SchoolCalendar.typical`` builds a deterministic pattern for years whose real
term dates are not known. A school's own dates can be given to the
constructor as ``Term`` and ``Closure`` values.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clinic_tui.domain.bank_holidays import england_bank_holidays
from clinic_tui.domain.school_terms import (
    CalendarError,
    Closure,
    ClosureKind,
    Term,
    typical_year_terms,
)

ONE_DAY = dt.timedelta(days=1)

# Dates appear in messages as a user in England writes them.
_DATE_FORMAT = "%d/%m/%Y"


class DateOutsideCalendar(ValueError):
    """A date, or a date computed from it, beyond the calendar's terms."""


@dataclass(frozen=True)
class SchoolWeek:
    """A week beginning on ``monday`` and the school days in it, in date order."""

    monday: dt.date
    days: tuple[dt.date, ...]

    @property
    def first_day(self) -> dt.date:
        return self.days[0]

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def week_beginning(day: dt.date) -> dt.date:
    """Return the Monday of the week containing ``day``."""
    return day - dt.timedelta(days=day.weekday())


def academic_year_start(day: dt.date) -> int:
    """Return the calendar year in which the academic year containing ``day`` begins.

    An academic year in England runs from 1 September to 31 August, so
    31 August 2025 is in the year beginning 2024.
    """
    return day.year if day.month >= 9 else day.year - 1


class SchoolCalendar:
    """Terms, half terms and closures of a school, and the school days they leave.

    Lookups use sets and sorted lists built once here, so callers can query
    the calendar for every mark of a large cohort.
    """

    def __init__(
        self,
        terms: Iterable[Term],
        closures: Iterable[Closure] = (),
        *,
        close_on_bank_holidays: bool = True,
    ) -> None:
        """Build a calendar from term dates and closures.

        With ``close_on_bank_holidays`` the bank holidays in England that fall
        in term time are added as closures.

        Raises CalendarError when there are no terms or two terms overlap.
        """
        self._terms = tuple(sorted(terms, key=lambda term: term.start))
        if not self._terms:
            raise CalendarError("a school calendar needs at least one term")

        for earlier, later in zip(self._terms, self._terms[1:]):
            if later.start <= earlier.end:
                raise CalendarError(
                    f"{later.name} term starting {later.start:{_DATE_FORMAT}} "
                    f"overlaps {earlier.name} term ending "
                    f"{earlier.end:{_DATE_FORMAT}}; check the term dates"
                )

        closure_list = list(closures)
        if close_on_bank_holidays:
            closure_list.extend(self._bank_holiday_closures(closure_list))
        self._closures = tuple(sorted(closure_list, key=lambda closure: closure.start))

        self._school_days = self._list_school_days()
        self._school_day_set = frozenset(self._school_days)
        self._weeks = self._group_into_weeks()
        self._week_mondays = [week.monday for week in self._weeks]

    @classmethod
    def typical(cls, first_year: int, years: int = 1) -> SchoolCalendar:
        """Build the typical calendar for ``years`` academic years from September ``first_year``.

        The pattern, the same every year:

        - Autumn term opens on the first weekday on or after 1 September, with
          INSET days on its first two weekdays. Half term is the week of the
          last Monday in October. The term ends on the last weekday on or
          before 20 December.
        - Spring term opens on the first Monday on or after 2 January with an
          INSET day. Half term is the week of the first Monday on or after
          11 February. The term ends on the Friday before Holy Week.
        - The Easter holiday is Holy Week and Easter week.
        - Summer term opens on the Monday after Easter week with an INSET day.
          Half term is the week of the spring bank holiday (the last Monday in
          May). The term ends with an INSET day on the last weekday on or
          before 20 July.

        Bank holidays in term time, such as the early May bank holiday, are
        closures.
        """
        if years < 1:
            raise ValueError(f"years must be 1 or more, not {years}")

        terms: list[Term] = []
        closures: list[Closure] = []
        for start_year in range(first_year, first_year + years):
            year_terms, year_closures = typical_year_terms(start_year)
            terms.extend(year_terms)
            closures.extend(year_closures)
        return cls(terms, closures)

    @classmethod
    def for_date(cls, day: dt.date, years: int = 1) -> SchoolCalendar:
        """Build the typical calendar of the academic year containing ``day``.

        With ``years`` above 1 the calendar continues into the following
        academic years, which a review date late in the summer term needs.
        """
        return cls.typical(academic_year_start(day), years)

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    @property
    def closures(self) -> tuple[Closure, ...]:
        """Closures in date order, including bank holidays added by the constructor."""
        return self._closures

    @property
    def first_day(self) -> dt.date:
        """First day of the first term."""
        return self._terms[0].start

    @property
    def last_day(self) -> dt.date:
        """Last day of the last term."""
        return self._terms[-1].end

    def covers(self, day: dt.date) -> bool:
        """Return whether ``day`` lies between the first and last day of the terms."""
        return self.first_day <= day <= self.last_day

    def is_school_day(self, day: dt.date) -> bool:
        return day in self._school_day_set

    def closure_reason(self, day: dt.date) -> str | None:
        """Describe why ``day`` is not a school day, or return None for a school day.

        The description suits a message such as "no marks expected on
        28/10/2024 (half term)".
        """
        if day in self._school_day_set:
            return None
        if day.weekday() >= 5:
            return "weekend"

        for closure in self._closures:
            if closure.start <= day <= closure.end:
                return closure.description or closure.kind.value

        for term in self._terms:
            if term.start <= day <= term.end:
                return "half term" if term.in_half_term(day) else "closure"

        return "school holiday" if self.covers(day) else "outside the calendar"

    def school_days(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[dt.date]:
        """Return the school days from ``start`` to ``end`` inclusive, in date order.

        A missing bound means the first or last day of the calendar.
        """
        low = 0 if start is None else bisect.bisect_left(self._school_days, start)
        high = (
            len(self._school_days)
            if end is None
            else bisect.bisect_right(self._school_days, end)
        )
        return list(self._school_days[low:high])

    def school_weeks(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[SchoolWeek]:
        """Return the school weeks with a school day from ``start`` to ``end`` inclusive.

        Each week lists all of its school days, including any outside the range.
        """
        days = self.school_days(start, end)
        if not days:
            return []

        low = bisect.bisect_left(self._week_mondays, week_beginning(days[0]))
        high = bisect.bisect_right(self._week_mondays, week_beginning(days[-1]))
        return list(self._weeks[low:high])

    def school_week_of(self, day: dt.date) -> SchoolWeek | None:
        """Return the school week containing ``day``, or None if that week has no school days."""
        monday = week_beginning(day)
        index = bisect.bisect_left(self._week_mondays, monday)
        if index < len(self._weeks) and self._week_mondays[index] == monday:
            return self._weeks[index]
        return None

    def school_weeks_before(self, day: dt.date, count: int) -> list[SchoolWeek]:
        """Return the ``count`` school weeks before the week containing ``day``, earliest first.

        The week containing ``day`` is excluded. Fewer weeks are returned when
        the calendar starts sooner.
        """
        end = bisect.bisect_left(self._week_mondays, week_beginning(day))
        return list(self._weeks[max(0, end - count) : end])

    def school_weeks_after(self, day: dt.date, count: int) -> list[SchoolWeek]:
        """Return the ``count`` school weeks after the week containing ``day``, earliest first.

        The week containing ``day`` is excluded. Fewer weeks are returned when
        the calendar ends sooner.
        """
        start = bisect.bisect_right(self._week_mondays, week_beginning(day))
        return list(self._weeks[start : start + count])

    def add_school_weeks(self, day: dt.date, weeks: int) -> dt.date:
        """Return the date ``weeks`` school weeks after ``day``, or before it when negative.

        The result is the same weekday in the ``weeks``-th school week after
        (or before) the week containing ``day``, skipping weeks with no school
        days. When that weekday is not a school day, the result moves to the
        next school day (the previous one when counting back). With 0 the
        result is ``day`` if it is a school day, else the next school day.

        Raises DateOutsideCalendar when the result would fall outside the
        calendar's terms.
        """
        if weeks == 0:
            return self._school_day_on_or_after(day, day, weeks)

        # Counting forward from a holiday week, the first school week after it
        # is week 1, just as it is when counting from a school week.
        monday = week_beginning(day)
        if weeks > 0:
            target = bisect.bisect_right(self._week_mondays, monday) - 1 + weeks
        else:
            target = bisect.bisect_left(self._week_mondays, monday) + weeks

        if not 0 <= target < len(self._weeks):
            raise self._outside_error(day, weeks)

        same_weekday = self._weeks[target].monday + dt.timedelta(days=day.weekday())
        if weeks > 0:
            return self._school_day_on_or_after(same_weekday, day, weeks)
        return self._school_day_on_or_before(same_weekday, day, weeks)

    def _school_day_on_or_after(
        self, candidate: dt.date, origin: dt.date, weeks: int
    ) -> dt.date:
        index = bisect.bisect_left(self._school_days, candidate)
        if index == len(self._school_days):
            raise self._outside_error(origin, weeks)
        return self._school_days[index]

    def _school_day_on_or_before(
        self, candidate: dt.date, origin: dt.date, weeks: int
    ) -> dt.date:
        index = bisect.bisect_right(self._school_days, candidate) - 1
        if index < 0:
            raise self._outside_error(origin, weeks)
        return self._school_days[index]

    def _outside_error(self, day: dt.date, weeks: int) -> DateOutsideCalendar:
        direction = "after" if weeks >= 0 else "before"
        return DateOutsideCalendar(
            f"{abs(weeks)} school weeks {direction} {day:{_DATE_FORMAT}} falls "
            f"outside the calendar ({self.first_day:{_DATE_FORMAT}} to "
            f"{self.last_day:{_DATE_FORMAT}}); add the term dates of the "
            "neighbouring academic year"
        )

    def _bank_holiday_closures(self, explicit: Sequence[Closure]) -> list[Closure]:
        already_closed = {
            closure.start + dt.timedelta(days=offset)
            for closure in explicit
            for offset in range((closure.end - closure.start).days + 1)
        }

        closures = []
        for year in range(self.first_day.year, self.last_day.year + 1):
            for day, name in england_bank_holidays(year).items():
                in_term = any(
                    term.start <= day <= term.end and not term.in_half_term(day)
                    for term in self._terms
                )
                if in_term and day not in already_closed:
                    closures.append(Closure(day, day, ClosureKind.BANK_HOLIDAY, name))
        return closures

    def _list_school_days(self) -> tuple[dt.date, ...]:
        closed: set[dt.date] = set()
        for closure in self._closures:
            day = closure.start
            while day <= closure.end:
                closed.add(day)
                day += ONE_DAY

        days = []
        for term in self._terms:
            day = term.start
            while day <= term.end:
                if day.weekday() < 5 and day not in closed and not term.in_half_term(day):
                    days.append(day)
                day += ONE_DAY
        return tuple(days)

    def _group_into_weeks(self) -> tuple[SchoolWeek, ...]:
        by_monday: dict[dt.date, list[dt.date]] = {}
        for day in self._school_days:
            by_monday.setdefault(week_beginning(day), []).append(day)
        return tuple(SchoolWeek(monday, tuple(days)) for monday, days in by_monday.items())




__all__ = [
    "CalendarError",
    "Closure",
    "ClosureKind",
    "DateOutsideCalendar",
    "SchoolCalendar",
    "SchoolWeek",
    "Term",
    "academic_year_start",
    "week_beginning",
]
