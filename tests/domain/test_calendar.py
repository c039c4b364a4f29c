"""Tests for bank holidays and the school calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_tui.domain.bank_holidays import easter_sunday, england_bank_holidays
from clinic_tui.domain.calendar import (
    CalendarError,
    Closure,
    ClosureKind,
    DateOutsideCalendar,
    SchoolCalendar,
    Term,
    academic_year_start,
    week_beginning,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2008, D(2008, 3, 23)),
        (2011, D(2011, 4, 24)),
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_sunday_known_years(year: int, expected: dt.date) -> None:
    assert easter_sunday(year) == expected


def test_bank_holidays_2025() -> None:
    assert england_bank_holidays(2025) == {
        D(2025, 1, 1): "New Year's Day",
        D(2025, 4, 18): "Good Friday",
        D(2025, 4, 21): "Easter Monday",
        D(2025, 5, 5): "Early May bank holiday",
        D(2025, 5, 26): "Spring bank holiday",
        D(2025, 8, 25): "Summer bank holiday",
        D(2025, 12, 25): "Christmas Day",
        D(2025, 12, 26): "Boxing Day",
    }


def test_bank_holidays_christmas_on_saturday() -> None:
    holidays = england_bank_holidays(2021)

    assert holidays[D(2021, 12, 27)] == "Christmas Day (substitute day)"
    assert holidays[D(2021, 12, 28)] == "Boxing Day (substitute day)"
    assert D(2021, 12, 25) not in holidays


def test_bank_holidays_christmas_on_sunday() -> None:
    holidays = england_bank_holidays(2022)

    # Boxing Day keeps Monday 26th, so Christmas moves to Tuesday 27th.
    assert holidays[D(2022, 12, 26)] == "Boxing Day"
    assert holidays[D(2022, 12, 27)] == "Christmas Day (substitute day)"
    assert holidays[D(2022, 1, 3)] == "New Year's Day (substitute day)"


def test_bank_holidays_proclaimed_changes() -> None:
    holidays_2022 = england_bank_holidays(2022)
    holidays_2023 = england_bank_holidays(2023)

    assert D(2022, 5, 30) not in holidays_2022
    assert D(2022, 6, 2) in holidays_2022
    assert D(2022, 6, 3) in holidays_2022
    assert D(2022, 9, 19) in holidays_2022
    assert D(2023, 5, 8) in holidays_2023
    assert len(holidays_2023) == 9


def test_week_beginning_and_academic_year() -> None:
    assert week_beginning(D(2024, 10, 27)) == D(2024, 10, 21)
    assert week_beginning(D(2024, 10, 21)) == D(2024, 10, 21)
    assert academic_year_start(D(2025, 8, 31)) == 2024
    assert academic_year_start(D(2025, 9, 1)) == 2025


def test_typical_calendar_2024_terms() -> None:
    calendar = SchoolCalendar.typical(2024)
    autumn, spring, summer = calendar.terms

    assert (autumn.start, autumn.end) == (D(2024, 9, 2), D(2024, 12, 20))
    assert (autumn.half_term_start, autumn.half_term_end) == (D(2024, 10, 28), D(2024, 11, 1))
    assert (spring.start, spring.end) == (D(2025, 1, 6), D(2025, 4, 11))
    assert spring.half_term_start == D(2025, 2, 17)
    assert (summer.start, summer.end) == (D(2025, 4, 28), D(2025, 7, 18))
    assert summer.half_term_start == D(2025, 5, 26)


def test_typical_calendar_2024_school_days() -> None:
    calendar = SchoolCalendar.typical(2024)

    assert len(calendar.school_days()) == 189
    assert calendar.school_days()[0] == D(2024, 9, 4)
    assert calendar.school_days()[-1] == D(2025, 7, 17)

    assert not calendar.is_school_day(D(2024, 9, 2))  # INSET day
    assert not calendar.is_school_day(D(2024, 9, 7))  # Saturday
    assert not calendar.is_school_day(D(2024, 10, 30))  # half term
    assert not calendar.is_school_day(D(2024, 12, 24))  # Christmas holiday
    assert not calendar.is_school_day(D(2025, 4, 22))  # Easter holiday
    assert not calendar.is_school_day(D(2025, 5, 5))  # early May bank holiday
    assert calendar.is_school_day(D(2024, 9, 4))
    assert calendar.is_school_day(D(2025, 5, 6))


def test_closure_reason_names_each_kind() -> None:
    calendar = SchoolCalendar.typical(2024)

    assert calendar.closure_reason(D(2024, 9, 4)) is None
    assert calendar.closure_reason(D(2024, 9, 2)) == "INSET day"
    assert calendar.closure_reason(D(2024, 9, 7)) == "weekend"
    assert calendar.closure_reason(D(2024, 10, 30)) == "half term"
    assert calendar.closure_reason(D(2024, 12, 24)) == "school holiday"
    assert calendar.closure_reason(D(2025, 5, 5)) == "Early May bank holiday"
    assert calendar.closure_reason(D(2025, 8, 1)) == "outside the calendar"


@pytest.mark.parametrize("first_year", range(2015, 2041))
def test_typical_calendar_every_year_is_sound(first_year: int) -> None:
    calendar = SchoolCalendar.typical(first_year)
    days = calendar.school_days()
    bank_holidays = set(england_bank_holidays(first_year)) | set(
        england_bank_holidays(first_year + 1)
    )

    assert 186 <= len(days) <= 192
    assert all(day.weekday() < 5 for day in days)
    assert not bank_holidays & set(days)
    assert days[0].month == 9
    assert D(first_year + 1, 7, 14) <= days[-1] <= D(first_year + 1, 7, 20)
    assert sum(1 for closure in calendar.closures if closure.kind is ClosureKind.INSET) == 5
    for term in calendar.terms:
        assert term.half_term_start is not None
        assert term.start < term.half_term_start < term.end


def test_school_weeks_skip_half_term() -> None:
    calendar = SchoolCalendar.typical(2024)

    weeks = calendar.school_weeks(D(2024, 10, 14), D(2024, 11, 10))

    assert [week.monday for week in weeks] == [D(2024, 10, 14), D(2024, 10, 21), D(2024, 11, 4)]
    assert weeks[0].days[0] == D(2024, 10, 14)
    assert weeks[0].sunday == D(2024, 10, 20)
    assert calendar.school_week_of(D(2024, 10, 30)) is None


def test_school_weeks_list_whole_weeks() -> None:
    calendar = SchoolCalendar.typical(2024)

    # The range starts on a Wednesday, but the week keeps its Monday and Tuesday.
    weeks = calendar.school_weeks(D(2024, 10, 16), D(2024, 10, 16))

    assert len(weeks) == 1
    assert weeks[0].first_day == D(2024, 10, 14)
    assert weeks[0].last_day == D(2024, 10, 18)


def test_first_school_week_is_partial() -> None:
    calendar = SchoolCalendar.typical(2024)

    first = calendar.school_weeks()[0]

    assert first.monday == D(2024, 9, 2)
    assert first.days == (D(2024, 9, 4), D(2024, 9, 5), D(2024, 9, 6))


def test_add_school_weeks_skips_half_term() -> None:
    calendar = SchoolCalendar.typical(2024)

    # Weeks of 21 Oct, 4, 11, 18, 25 Nov and 2 Dec; half term is skipped.
    assert calendar.add_school_weeks(D(2024, 10, 15), 6) == D(2024, 12, 3)
    assert calendar.add_school_weeks(D(2024, 10, 15), 1) == D(2024, 10, 22)
    assert calendar.add_school_weeks(D(2024, 10, 22), 1) == D(2024, 11, 5)


def test_add_school_weeks_from_holiday() -> None:
    calendar = SchoolCalendar.typical(2024)

    # From half term, the first school week after it is week 1.
    assert calendar.add_school_weeks(D(2024, 10, 30), 1) == D(2024, 11, 6)
    assert calendar.add_school_weeks(D(2024, 10, 30), -1) == D(2024, 10, 23)


def test_add_school_weeks_moves_off_closed_day() -> None:
    calendar = SchoolCalendar.typical(2024)

    # Monday 5 May 2025 is a bank holiday, so the review moves to Tuesday.
    assert calendar.add_school_weeks(D(2025, 4, 28), 1) == D(2025, 5, 6)
    # Two school weeks after 31 March, past Easter, is INSET day 28 April.
    assert calendar.add_school_weeks(D(2025, 3, 31), 2) == D(2025, 4, 29)
    # Counting back, it moves to the previous school day.
    assert calendar.add_school_weeks(D(2025, 5, 12), -1) == D(2025, 5, 2)


def test_add_school_weeks_backwards() -> None:
    calendar = SchoolCalendar.typical(2024)

    assert calendar.add_school_weeks(D(2024, 11, 5), -6) == D(2024, 9, 17)


def test_add_school_weeks_zero() -> None:
    calendar = SchoolCalendar.typical(2024)

    assert calendar.add_school_weeks(D(2024, 10, 15), 0) == D(2024, 10, 15)
    assert calendar.add_school_weeks(D(2024, 10, 26), 0) == D(2024, 11, 4)


def test_add_school_weeks_beyond_calendar() -> None:
    calendar = SchoolCalendar.typical(2024)

    with pytest.raises(DateOutsideCalendar, match=r"6 school weeks after 30/06/2025"):
        calendar.add_school_weeks(D(2025, 6, 30), 6)
    with pytest.raises(DateOutsideCalendar, match="before"):
        calendar.add_school_weeks(D(2024, 9, 10), -3)


def test_add_school_weeks_into_next_year() -> None:
    calendar = SchoolCalendar.for_date(D(2025, 6, 30), years=2)

    # Weeks of 7 and 14 July 2025, then 1, 8, 15 and 22 September.
    assert calendar.add_school_weeks(D(2025, 6, 30), 6) == D(2025, 9, 22)


def test_school_weeks_before_and_after() -> None:
    calendar = SchoolCalendar.typical(2024)
    meeting = D(2024, 11, 6)

    before = calendar.school_weeks_before(meeting, 6)
    after = calendar.school_weeks_after(meeting, 6)

    # The meeting week is in neither list, and half term is skipped.
    assert [week.monday for week in before] == [
        D(2024, 9, 16), D(2024, 9, 23), D(2024, 9, 30),
        D(2024, 10, 7), D(2024, 10, 14), D(2024, 10, 21),
    ]
    assert [week.monday for week in after] == [
        D(2024, 11, 11), D(2024, 11, 18), D(2024, 11, 25),
        D(2024, 12, 2), D(2024, 12, 9), D(2024, 12, 16),
    ]


def test_school_weeks_before_start_of_year() -> None:
    calendar = SchoolCalendar.typical(2024)

    assert len(calendar.school_weeks_before(D(2024, 9, 18), 6)) == 2


def _explicit_calendar() -> SchoolCalendar:
    return SchoolCalendar(
        [
            Term("Autumn", D(2024, 9, 2), D(2024, 12, 20), D(2024, 10, 28), D(2024, 11, 1)),
            Term("Spring", D(2025, 1, 6), D(2025, 4, 4)),
        ],
        [
            Closure(D(2024, 9, 2), D(2024, 9, 2), ClosureKind.INSET, "INSET day"),
            Closure(D(2024, 11, 7), D(2024, 11, 8), ClosureKind.OTHER, "Polling station"),
        ],
    )


def test_explicit_calendar_uses_given_dates() -> None:
    calendar = _explicit_calendar()

    assert not calendar.is_school_day(D(2024, 9, 2))
    assert calendar.is_school_day(D(2024, 9, 3))
    assert not calendar.is_school_day(D(2024, 11, 7))
    assert calendar.closure_reason(D(2024, 11, 8)) == "Polling station"
    assert calendar.is_school_day(D(2025, 4, 4))
    assert calendar.first_day == D(2024, 9, 2)
    assert calendar.last_day == D(2025, 4, 4)


def test_explicit_calendar_adds_term_time_bank_holidays() -> None:
    calendar = SchoolCalendar(
        [Term("Summer", D(2025, 4, 22), D(2025, 7, 18), D(2025, 5, 26), D(2025, 5, 30))]
    )
    christmas = SchoolCalendar([Term("Winter", D(2024, 12, 23), D(2024, 12, 27))])

    assert [closure.description for closure in calendar.closures] == ["Early May bank holiday"]
    assert not calendar.is_school_day(D(2025, 5, 5))
    assert [closure.description for closure in christmas.closures] == [
        "Christmas Day",
        "Boxing Day",
    ]
    assert christmas.school_days() == [D(2024, 12, 23), D(2024, 12, 24), D(2024, 12, 27)]


def test_explicit_calendar_without_bank_holidays() -> None:
    calendar = SchoolCalendar(
        [Term("Winter", D(2024, 12, 23), D(2024, 12, 27))], close_on_bank_holidays=False
    )

    assert calendar.is_school_day(D(2024, 12, 25))
    assert calendar.closures == ()


def test_overlapping_terms_rejected() -> None:
    with pytest.raises(CalendarError, match="Spring term starting 15/12/2024 overlaps Autumn"):
        SchoolCalendar(
            [
                Term("Autumn", D(2024, 9, 2), D(2024, 12, 20)),
                Term("Spring", D(2024, 12, 15), D(2025, 4, 4)),
            ]
        )


def test_term_ending_before_start_rejected() -> None:
    with pytest.raises(CalendarError, match="Autumn term ends on 01/09/2024"):
        Term("Autumn", D(2024, 9, 2), D(2024, 9, 1))


def test_half_term_outside_term_rejected() -> None:
    with pytest.raises(CalendarError, match="is not inside the term"):
        Term("Autumn", D(2024, 9, 2), D(2024, 12, 20), D(2024, 12, 23), D(2024, 12, 27))


def test_half_term_with_one_date_rejected() -> None:
    with pytest.raises(CalendarError, match="only one half term date"):
        Term("Autumn", D(2024, 9, 2), D(2024, 12, 20), half_term_start=D(2024, 10, 28))


def test_closure_ending_before_start_rejected() -> None:
    with pytest.raises(CalendarError, match="'Polling station' ends on 06/11/2024"):
        Closure(D(2024, 11, 7), D(2024, 11, 6), ClosureKind.OTHER, "Polling station")


def test_calendar_without_terms_rejected() -> None:
    with pytest.raises(CalendarError, match="at least one term"):
        SchoolCalendar([])


def test_typical_rejects_zero_years() -> None:
    with pytest.raises(ValueError, match="years must be 1 or more"):
        SchoolCalendar.typical(2024, years=0)
