"""Term dates and closures of a school, and the typical pattern of an academic year.

The typical pattern is used until a school's real dates are entered, and
for the demonstration school.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.bank_holidays import easter_sunday, england_bank_holidays

ONE_DAY = dt.timedelta(days=1)

# Dates appear in messages as a user in England writes them.
_DATE_FORMAT = "%d/%m/%Y"


class CalendarError(ValueError):
    """Term or closure dates that cannot form a calendar."""


class ClosureKind(str, Enum):
    """Kind of closure on a day that would otherwise be a school day."""

    INSET = "INSET day"
    BANK_HOLIDAY = "bank holiday"
    OTHER = "closure"


@dataclass(frozen=True)
class Closure:
    """Days, from ``start`` to ``end`` inclusive, when the school is closed to pupils."""

    start: dt.date
    end: dt.date
    kind: ClosureKind
    description: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(
                f"closure {self.description or self.kind.value!r} ends on "
                f"{self.end:{_DATE_FORMAT}}, before it starts on "
                f"{self.start:{_DATE_FORMAT}}; check the two dates"
            )


@dataclass(frozen=True)
class Term:
    """One term, from its first to its last day inclusive, with an optional half term.

    ``start`` and ``end`` include INSET days, which are given as closures.
    """

    name: str
    start: dt.date
    end: dt.date
    half_term_start: dt.date | None = None
    half_term_end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(
                f"{self.name} term ends on {self.end:{_DATE_FORMAT}}, before it "
                f"starts on {self.start:{_DATE_FORMAT}}; check the term dates"
            )

        if (self.half_term_start is None) != (self.half_term_end is None):
            raise CalendarError(
                f"{self.name} term has only one half term date; give both the "
                "first and the last day of the half term, or neither"
            )

        if self.half_term_start is not None and self.half_term_end is not None:
            inside = self.start < self.half_term_start <= self.half_term_end < self.end
            if not inside:
                raise CalendarError(
                    f"{self.name} term half term "
                    f"{self.half_term_start:{_DATE_FORMAT}} to "
                    f"{self.half_term_end:{_DATE_FORMAT}} is not inside the term "
                    f"{self.start:{_DATE_FORMAT}} to {self.end:{_DATE_FORMAT}}"
                )

    def in_half_term(self, day: dt.date) -> bool:
        """Return whether ``day`` falls in this term's half term."""
        if self.half_term_start is None or self.half_term_end is None:
            return False
        return self.half_term_start <= day <= self.half_term_end


def _first_weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def _last_weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _week_of(monday: dt.date) -> tuple[dt.date, dt.date]:
    """Return the Monday and Friday of a half-term week."""
    return monday, monday + dt.timedelta(days=4)


def _inset_days(
    start: dt.date, count: int, bank_holidays: Iterable[dt.date], description: str
) -> list[Closure]:
    """Place ``count`` INSET days on the first weekdays from ``start`` that are not bank holidays.

    Returns one closure per day.
    """
    excluded = set(bank_holidays)
    closures = []
    day = start
    while len(closures) < count:
        if day.weekday() < 5 and day not in excluded:
            closures.append(Closure(day, day, ClosureKind.INSET, description))
        day += ONE_DAY
    return closures


def typical_year_terms(first_year: int) -> tuple[list[Term], list[Closure]]:
    """Build the terms and INSET days of one academic year in the typical pattern.

    ``SchoolCalendar.typical`` describes the pattern.
    """
    second_year = first_year + 1
    bank_holidays = set(england_bank_holidays(first_year)) | set(
        england_bank_holidays(second_year)
    )
    easter = easter_sunday(second_year)

    autumn_start = _first_weekday_on_or_after(dt.date(first_year, 9, 1))
    october_31 = dt.date(first_year, 10, 31)
    autumn = Term(
        "Autumn",
        autumn_start,
        _last_weekday_on_or_before(dt.date(first_year, 12, 20)),
        *_week_of(october_31 - dt.timedelta(days=october_31.weekday())),
    )

    spring_start = _monday_on_or_after(dt.date(second_year, 1, 2))
    spring = Term(
        "Spring",
        spring_start,
        easter - dt.timedelta(days=9),
        *_week_of(_monday_on_or_after(dt.date(second_year, 2, 11))),
    )

    may_31 = dt.date(second_year, 5, 31)
    summer_end = _last_weekday_on_or_before(dt.date(second_year, 7, 20))
    summer = Term(
        "Summer",
        easter + dt.timedelta(days=8),
        summer_end,
        *_week_of(may_31 - dt.timedelta(days=may_31.weekday())),
    )

    closures = [
        *_inset_days(autumn.start, 2, bank_holidays, "INSET day"),
        *_inset_days(spring.start, 1, bank_holidays, "INSET day"),
        *_inset_days(summer.start, 1, bank_holidays, "INSET day"),
        Closure(summer_end, summer_end, ClosureKind.INSET, "INSET day"),
    ]
    return [autumn, spring, summer], closures
