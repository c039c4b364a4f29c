"""Attendance measures for one pupil, computed from marks and a school calendar.

The rules, for schools in England:

- A possible session is any mark whose code is not in the "not a possible
  session" category (D, X, Q, Y1 to Y7, Z, #, and the retired Y).
- Attendance rate = (present + approved educational activity) / possible
  sessions. Absence rate = (authorised + unauthorised) / possible sessions, so
  the two rates add up to 100.
- Persistent absence: 10% or more of possible sessions missed. Severe
  absence: 50% or more. Both flags use exact counts, never rounded rates.
- A broken week is a school week with at least one authorised or
  unauthorised absence.
- The penalty notice threshold is 10 unauthorised sessions (G, N, O, U) in
  any 10 consecutive school weeks. It is reported as a fact for a person to
  weigh and never triggers anything here.

Percentages are rounded half up to one decimal place, so 89.95 becomes 90.0
(see ``attendance_types``). A rate over zero possible sessions is None, never
0 or 100.

Measures are "as of" a date and use marks from the start of the academic
year up to the day before, because the registers of the day itself may still
be open.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from clinic_tui.domain.attendance_types import (
    PENALTY_NOTICE_SESSIONS,
    PENALTY_NOTICE_WEEKS,
    PERSISTENT_ABSENCE_SHARE,
    RECENT_WEEKS,
    SEVERE_ABSENCE_SHARE,
    STEADY_BAND_POINTS,
    TREND_WEEKS,
    WEEKDAYS,
    AttendanceMeasures,
    Direction,
    SessionCounts,
    Trend,
    UnauthorisedWindow,
    WeekCounts,
    percentage,
)
from clinic_tui.domain.calendar import (
    SchoolCalendar,
    SchoolWeek,
    academic_year_start,
    week_beginning,
)
from clinic_tui.domain.codes import CODES, CODES_2024_START, Category, InvalidMark, lookup
from clinic_tui.domain.pupil import Mark, Session

# A mark as a ``Mark`` or as a (date, session, code) tuple. The tuple has no
# UPN because all marks passed in one call belong to one pupil.
MarkLike = Mark | tuple[dt.date, Session | str, str]

ONE_DAY = dt.timedelta(days=1)

# Category positions in the counting arrays; the order matters, because the
# loop treats every index up to _APPROVED as attending.
_PRESENT, _APPROVED, _AUTHORISED, _UNAUTHORISED, _NOT_POSSIBLE = range(5)
_CATEGORY_INDEX = {
    Category.PRESENT: _PRESENT,
    Category.APPROVED_ACTIVITY: _APPROVED,
    Category.AUTHORISED: _AUTHORISED,
    Category.UNAUTHORISED: _UNAUTHORISED,
    Category.NOT_POSSIBLE: _NOT_POSSIBLE,
}
_CODES_BEFORE_2024 = {code.code: _CATEGORY_INDEX[code.category] for code in CODES.values()}
_CODES_FROM_2024 = {
    code.code: _CATEGORY_INDEX[code.category]
    for code in CODES.values()
    if not code.retired
}
_SESSION_INDEX = {"AM": 0, "PM": 1}


@dataclass(frozen=True)
class _Period:
    """Per-day lookups for one calendar, start date and as-of date, shared by every pupil."""

    weeks: tuple[SchoolWeek, ...]

    # Date -> (school week index or -1, weekday, code table, is a school day).
    slots: Mapping[dt.date, tuple[int, int, Mapping[str, int], bool]]

    # First and last school days of each week that fall inside the period.
    counted_days: tuple[tuple[dt.date, dt.date], ...]


@functools.lru_cache(maxsize=16)
def _period(calendar: SchoolCalendar, since: dt.date, as_of: dt.date) -> _Period:
    last = as_of - ONE_DAY
    weeks = tuple(calendar.school_weeks(since, last)) if since <= last else ()
    week_index = {week.monday: index for index, week in enumerate(weeks)}

    slots = {}
    day = since
    while day < as_of:
        table = _CODES_FROM_2024 if day >= CODES_2024_START else _CODES_BEFORE_2024
        week = week_index.get(week_beginning(day), -1)
        slots[day] = (week, day.weekday(), table, calendar.is_school_day(day))
        day += ONE_DAY

    counted_days = []
    for week in weeks:
        inside = [day for day in week.days if since <= day <= last]
        counted_days.append((inside[0], inside[-1]))

    return _Period(weeks, slots, tuple(counted_days))


def _unusual_mark_category(code: str, day: dt.date, session: object) -> tuple[str, int]:
    """Normalise a mark outside the fast tables, or raise InvalidMark naming where it is."""
    try:
        found = lookup(code, day)
    except InvalidMark as error:
        raise InvalidMark(f"{error}, in the {session} mark for {day:%d/%m/%Y}") from error
    return found.code, _CATEGORY_INDEX[found.category]


@dataclass
class _Tally:
    """Counts gathered in one pass over the marks of one pupil."""

    categories: list[int]
    week_possible: list[int]
    week_attending: list[int]
    week_absent: list[int]
    week_unauthorised: list[int]
    weekday_possible: list[int] = field(default_factory=lambda: [0] * 7)
    weekday_absent: list[int] = field(default_factory=lambda: [0] * 7)
    session_possible: list[int] = field(default_factory=lambda: [0, 0])
    session_absent: list[int] = field(default_factory=lambda: [0, 0])
    absence_by_code: dict[str, int] = field(default_factory=dict)
    late_before_close: int = 0
    late_after_close: int = 0
    on_non_school_days: int = 0

    @classmethod
    def for_weeks(cls, week_total: int) -> _Tally:
        return cls([0] * 5, [0] * week_total, [0] * week_total, [0] * week_total, [0] * week_total)


def measure_attendance(
    marks: Iterable[MarkLike],
    calendar: SchoolCalendar,
    as_of: dt.date,
    *,
    since: dt.date | None = None,
) -> AttendanceMeasures:
    """Compute the attendance measures of one pupil as of ``as_of``.

    Uses marks dated from ``since`` (by default 1 September of the academic
    year containing ``as_of``) to the day before ``as_of``. Each session
    should have one mark; a duplicate is counted twice. Marks may be in any
    order.

    Raises InvalidMark for an unknown code, a retired code on or after
    19 August 2024, or a session other than AM or PM.
    """
    if since is None:
        since = dt.date(academic_year_start(as_of), 9, 1)
    period = _period(calendar, since, as_of)
    tally = _count_marks(marks, period)
    return _assemble(since, as_of, period, tally)


def _count_marks(marks: Iterable[MarkLike], period: _Period) -> _Tally:
    """Count one pupil's marks by category, week, weekday, session and code."""
    tally = _Tally.for_weeks(len(period.weeks))
    slots = period.slots

    # Local names for the lists and counters, because this loop runs for
    # every mark of every pupil in a cohort and attribute lookups add up.
    categories = tally.categories
    week_possible = tally.week_possible
    week_attending = tally.week_attending
    week_absent = tally.week_absent
    week_unauthorised = tally.week_unauthorised
    weekday_possible = tally.weekday_possible
    weekday_absent = tally.weekday_absent
    session_possible = tally.session_possible
    session_absent = tally.session_absent
    absence_by_code = tally.absence_by_code
    late_before_close = late_after_close = on_non_school_days = 0

    for mark in marks:
        if isinstance(mark, Mark):
            day, session, code = mark.date, mark.session, mark.code
        else:
            day, session, code = mark

        slot = slots.get(day)
        if slot is None:
            continue
        week, weekday, table, school_day = slot

        category = table.get(code)
        if category is None:
            code, category = _unusual_mark_category(code, day, session)
        if category == _NOT_POSSIBLE:
            continue

        half = _SESSION_INDEX.get(session)
        if half is None:
            raise InvalidMark(
                f"unknown session {session!r} in the mark for {day:%d/%m/%Y}; "
                "use AM or PM"
            )

        categories[category] += 1
        weekday_possible[weekday] += 1
        session_possible[half] += 1
        if not school_day:
            on_non_school_days += 1
        if week >= 0:
            week_possible[week] += 1

        if category <= _APPROVED:
            if week >= 0:
                week_attending[week] += 1
            if code == "L":
                late_before_close += 1
            continue

        absence_by_code[code] = absence_by_code.get(code, 0) + 1
        weekday_absent[weekday] += 1
        session_absent[half] += 1
        if week >= 0:
            week_absent[week] += 1
            if category == _UNAUTHORISED:
                week_unauthorised[week] += 1
        if code == "U":
            late_after_close += 1

    tally.late_before_close = late_before_close
    tally.late_after_close = late_after_close
    tally.on_non_school_days = on_non_school_days
    return tally


def _assemble(
    since: dt.date, as_of: dt.date, period: _Period, tally: _Tally
) -> AttendanceMeasures:
    """Derive the rates, flags and windows from the counts of one pupil."""
    present, approved, authorised, unauthorised, _ = tally.categories
    possible = present + approved + authorised + unauthorised
    attending = present + approved
    absent = authorised + unauthorised

    # Flags compare exact counts, so 10.0% missed is persistent even when a
    # rounded rate would hide it.
    persistent = possible > 0 and absent >= possible * PERSISTENT_ABSENCE_SHARE
    severe = possible > 0 and absent >= possible * SEVERE_ABSENCE_SHARE

    weeks = tuple(
        WeekCounts(
            week,
            tally.week_possible[index],
            tally.week_attending[index],
            tally.week_absent[index],
            tally.week_unauthorised[index],
        )
        for index, week in enumerate(period.weeks)
    )

    return AttendanceMeasures(
        since=since,
        as_of=as_of,
        present=present,
        approved_activity=approved,
        authorised=authorised,
        unauthorised=unauthorised,
        attendance_rate=percentage(attending, possible),
        absence_rate=percentage(absent, possible),
        persistent_absence=persistent,
        severe_absence=severe,
        weeks=weeks,
        broken_weeks=sum(1 for week in weeks if week.broken),
        broken_weeks_recent=sum(1 for week in weeks[-RECENT_WEEKS:] if week.broken),
        absence_rate_by_weekday={
            name: percentage(tally.weekday_absent[index], tally.weekday_possible[index])
            for index, name in enumerate(WEEKDAYS)
        },
        absence_rate_by_session={
            Session.AM: percentage(tally.session_absent[0], tally.session_possible[0]),
            Session.PM: percentage(tally.session_absent[1], tally.session_possible[1]),
        },
        trend=_trend(weeks, attending, possible),
        late_before_close=tally.late_before_close,
        late_after_close=tally.late_after_close,
        max_unauthorised_window=_max_unauthorised_window(weeks, period.counted_days),
        absence_by_code=dict(sorted(tally.absence_by_code.items())),
        sessions_on_non_school_days=tally.on_non_school_days,
    )


def _trend(weeks: Sequence[WeekCounts], attending: int, possible: int) -> Trend:
    recent = weeks[-TREND_WEEKS:]
    recent_attending = sum(week.attending for week in recent)
    recent_possible = sum(week.possible for week in recent)

    direction = None
    if len(weeks) > TREND_WEEKS and recent_possible and possible:
        difference = (
            Fraction(recent_attending, recent_possible) - Fraction(attending, possible)
        ) * 100
        if difference > STEADY_BAND_POINTS:
            direction = Direction.RISING
        elif difference < -STEADY_BAND_POINTS:
            direction = Direction.FALLING
        else:
            direction = Direction.STEADY

    return Trend(
        recent_rate=percentage(recent_attending, recent_possible),
        year_rate=percentage(attending, possible),
        direction=direction,
    )


def _max_unauthorised_window(
    weeks: Sequence[WeekCounts], counted_days: Sequence[tuple[dt.date, dt.date]]
) -> UnauthorisedWindow:
    """Find the 10 consecutive school weeks with the most unauthorised sessions.

    Ties go to the most recent window, the one a person weighing a penalty
    notice would look at first.

    NOTE: windows start no earlier than ``since`` (by default 1 September),
    so 10 weeks that run on from the previous academic year are not seen.
    """
    width = min(PENALTY_NOTICE_WEEKS, len(weeks))
    best_sessions = 0
    best_start = 0

    running = sum(week.unauthorised for week in weeks[:width])
    if running > 0:
        best_sessions = running
    for start in range(1, len(weeks) - width + 1):
        running += weeks[start + width - 1].unauthorised - weeks[start - 1].unauthorised
        if running > 0 and running >= best_sessions:
            best_sessions, best_start = running, start

    if best_sessions == 0:
        return UnauthorisedWindow(0, None, None)
    return UnauthorisedWindow(
        best_sessions,
        counted_days[best_start][0],
        counted_days[best_start + width - 1][1],
    )


def early_warning(measures: AttendanceMeasures, *, minimum_broken_weeks: int = 2) -> bool:
    """Flag a pupil who is not yet persistently absent but is missing more weeks.

    True when all of these hold:

    - the pupil is not persistently absent;
    - at least 12 school weeks have started, so both 6-week periods are full;
    - the last 6 school weeks have at least ``minimum_broken_weeks`` broken
      weeks (2 by default, because a single broken week, such as one day of
      illness, is too common to warn on);
    - and they have more broken weeks than the 6 school weeks before them.
    """
    if measures.persistent_absence:
        return False
    if len(measures.weeks) < 2 * RECENT_WEEKS:
        return False

    recent = measures.broken_weeks_recent
    return recent >= minimum_broken_weeks and recent > measures.broken_weeks_previous


def count_sessions(marks: Iterable[MarkLike], start: dt.date, end: dt.date) -> SessionCounts:
    """Count the possible sessions of one pupil from ``start`` to ``end`` inclusive, by category.

    Use with ``SchoolCalendar.school_weeks_before`` or ``school_weeks_after``
    for the weeks around a meeting.

    Raises InvalidMark for an unknown code or a retired code on or after
    19 August 2024.
    """
    counts = [0] * 5
    for mark in marks:
        if isinstance(mark, Mark):
            day, session, code = mark.date, mark.session, mark.code
        else:
            day, session, code = mark
        if not start <= day <= end:
            continue

        table = _CODES_FROM_2024 if day >= CODES_2024_START else _CODES_BEFORE_2024
        category = table.get(code)
        if category is None:
            code, category = _unusual_mark_category(code, day, session)
        counts[category] += 1

    return SessionCounts(*counts[:_NOT_POSSIBLE])


def attendance_rate_between(
    marks: Iterable[MarkLike], start: dt.date, end: dt.date
) -> Decimal | None:
    """Return the attendance rate of one pupil from ``start`` to ``end`` inclusive.

    Returns None when there are no possible sessions in the window.
    """
    return count_sessions(marks, start, end).attendance_rate


__all__ = [
    "PENALTY_NOTICE_SESSIONS",
    "PENALTY_NOTICE_WEEKS",
    "PERSISTENT_ABSENCE_SHARE",
    "SEVERE_ABSENCE_SHARE",
    "AttendanceMeasures",
    "Direction",
    "MarkLike",
    "SessionCounts",
    "Trend",
    "UnauthorisedWindow",
    "WeekCounts",
    "attendance_rate_between",
    "count_sessions",
    "early_warning",
    "measure_attendance",
    "percentage",
]
