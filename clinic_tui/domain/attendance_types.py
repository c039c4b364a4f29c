"""Result types of the attendance measures, their thresholds and percentage rounding.

Percentages are ``Decimal`` values rounded half up to one decimal place with
``decimal.ROUND_HALF_UP``, so 89.95 becomes 90.0. Python's ``round`` would
give 89.9 here, because it rounds half to even and a float cannot store
89.95 exactly. A rate over zero possible sessions is None, never 0 or 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import Enum
from fractions import Fraction

from clinic_tui.domain.calendar import SchoolWeek
from clinic_tui.domain.pupil import Session

PERSISTENT_ABSENCE_SHARE = Fraction(1, 10)
SEVERE_ABSENCE_SHARE = Fraction(1, 2)
PENALTY_NOTICE_SESSIONS = 10
PENALTY_NOTICE_WEEKS = 10

# Broken weeks are reported for the most recent 6 school weeks, and the
# trend compares the most recent 4 with the year so far.
RECENT_WEEKS = 6
TREND_WEEKS = 4

# A trend within 1 percentage point either way, inclusive, is steady.
STEADY_BAND_POINTS = Fraction(1)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

_ONE_DECIMAL_PLACE = Decimal("0.1")

# A private context, so a caller that changes the thread's decimal context
# cannot change how rates are rounded.
_DECIMAL_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


class Direction(str, Enum):
    """Direction of the recent attendance rate against the year so far."""

    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


def percentage(part: int | Fraction, whole: int | Fraction) -> Decimal | None:
    """Return ``part`` as a percentage of ``whole``, rounded half up to one decimal place.

    Returns None when ``whole`` is zero.
    """
    if whole == 0:
        return None
    return _round_points(Fraction(part) * 100 / Fraction(whole))


def _round_points(points: Fraction) -> Decimal:
    # A value ending in 5 at the second decimal place has a short, exact
    # quotient. Any other quotient of session counts differs from such a
    # value well before the 28th significant digit, so rounding half up
    # never rounds from the wrong side of the half.
    exact = _DECIMAL_CONTEXT.divide(Decimal(points.numerator), Decimal(points.denominator))
    return exact.quantize(_ONE_DECIMAL_PLACE, context=_DECIMAL_CONTEXT)


@dataclass(frozen=True)
class SessionCounts:
    """Possible sessions of a pupil by category, over some period."""

    present: int = 0
    approved_activity: int = 0
    authorised: int = 0
    unauthorised: int = 0

    @property
    def possible(self) -> int:
        return self.present + self.approved_activity + self.authorised + self.unauthorised

    @property
    def attending(self) -> int:
        """Sessions present or in approved educational activity."""
        return self.present + self.approved_activity

    @property
    def absent(self) -> int:
        """Sessions of authorised or unauthorised absence."""
        return self.authorised + self.unauthorised

    @property
    def attendance_rate(self) -> Decimal | None:
        return percentage(self.attending, self.possible)

    @property
    def absence_rate(self) -> Decimal | None:
        return percentage(self.absent, self.possible)


@dataclass(frozen=True)
class WeekCounts:
    """Possible sessions, attendance and absence of a pupil in one school week."""

    week: SchoolWeek
    possible: int
    attending: int
    absent: int
    unauthorised: int

    @property
    def broken(self) -> bool:
        """Whether the week has at least one authorised or unauthorised absence."""
        return self.absent > 0


@dataclass(frozen=True)
class Trend:
    """Attendance rate in the last 4 school weeks against the year so far.

    ``direction`` is RISING when the recent rate exceeds the year's rate by
    more than 1 percentage point, FALLING when it is lower by more than 1
    point, and STEADY otherwise. The comparison uses exact rates, not the
    rounded ones shown. ``direction`` is None when a rate is None or when
    no more than 4 school weeks have passed, because the two periods are then
    the same.
    """

    recent_rate: Decimal | None
    year_rate: Decimal | None
    direction: Direction | None


@dataclass(frozen=True)
class UnauthorisedWindow:
    """The 10 consecutive school weeks with the most unauthorised sessions.

    Before 10 school weeks have passed the window is every school week so
    far. ``first_day`` and ``last_day`` are the first and last school days of
    the window that are counted. Both are None when there are no unauthorised
    sessions.
    """

    sessions: int
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def reaches_threshold(self) -> bool:
        """Whether the window has at least the 10 sessions of the penalty notice threshold."""
        return self.sessions >= PENALTY_NOTICE_SESSIONS


@dataclass(frozen=True)
class AttendanceMeasures:
    """The attendance measures of one pupil from ``since`` up to the day before ``as_of``.

    ``weeks`` has one entry per school week that has started before
    ``as_of``, so the last week may be partial. Marks dated in a week with
    no school days count in the totals but in no week. Their number is in
    ``sessions_on_non_school_days``, together with marks on weekends, INSET
    days and other days the calendar has no school.
    """

    since: dt.date
    as_of: dt.date
    present: int
    approved_activity: int
    authorised: int
    unauthorised: int
    attendance_rate: Decimal | None
    absence_rate: Decimal | None
    persistent_absence: bool
    severe_absence: bool
    weeks: tuple[WeekCounts, ...]
    broken_weeks: int
    broken_weeks_recent: int
    absence_rate_by_weekday: Mapping[str, Decimal | None]
    absence_rate_by_session: Mapping[Session, Decimal | None]
    trend: Trend
    late_before_close: int
    late_after_close: int
    max_unauthorised_window: UnauthorisedWindow
    absence_by_code: Mapping[str, int]
    sessions_on_non_school_days: int

    @property
    def possible_sessions(self) -> int:
        return self.present + self.approved_activity + self.authorised + self.unauthorised

    @property
    def absent_sessions(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def broken_weeks_previous(self) -> int:
        """Broken weeks in the 6 school weeks before the most recent 6."""
        earlier = self.weeks[-2 * RECENT_WEEKS : -RECENT_WEEKS] if self.weeks else ()
        return sum(1 for week in earlier if week.broken)

    @property
    def counts(self) -> SessionCounts:
        return SessionCounts(
            self.present, self.approved_activity, self.authorised, self.unauthorised
        )
