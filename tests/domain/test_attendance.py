"""Tests for the attendance measures, with hand-computed expectations.

The calendar is one autumn term, 2 September to 20 December 2024, with half
term 28 October to 1 November. Its 15 school weeks, each of 10 sessions,
begin on 2, 9, 16, 23 and 30 September, 7, 14 and 21 October, 4, 11, 18 and
25 November, and 2, 9 and 16 December.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_tui.domain.attendance import (
    Direction,
    count_sessions,
    attendance_rate_between,
    early_warning,
    measure_attendance,
    percentage,
)
from clinic_tui.domain.calendar import SchoolCalendar, Term
from clinic_tui.domain.codes import InvalidMark
from clinic_tui.domain.cohort import group_marks_by_pupil, measure_cohort, summarise_cohort
from clinic_tui.domain.pupil import Mark, Pupil, Session

D = dt.date
AM, PM = Session.AM, Session.PM
UPN = "A801200005001"

AUTUMN = SchoolCalendar(
    [Term("Autumn", D(2024, 9, 2), D(2024, 12, 20), D(2024, 10, 28), D(2024, 11, 1))],
    close_on_bank_holidays=False,
)
END_OF_TERM = D(2024, 12, 21)

# Monday of each school week, numbered from 1 as in the module docstring.
WEEK = {number: week.monday for number, week in enumerate(AUTUMN.school_weeks(), start=1)}


def register(
    end: dt.date,
    absences: dict[tuple[dt.date, Session], str] | None = None,
    start: dt.date = D(2024, 9, 2),
) -> list[Mark]:
    """Return full attendance on every school day from start to end, except the ``absences``."""
    codes: dict[tuple[dt.date, Session], str] = {}
    for day in AUTUMN.school_days(start, end):
        codes[(day, AM)] = "/"
        codes[(day, PM)] = "\\"
    codes.update(absences or {})
    return [Mark(UPN, day, session, code) for (day, session), code in sorted(codes.items())]


def sessions(monday: dt.date, count: int, code: str) -> dict[tuple[dt.date, Session], str]:
    """Return ``count`` sessions of ``code`` from the Monday of a week, AM then PM, day by day."""
    marks = {}
    for index in range(count):
        day = monday + dt.timedelta(days=index // 2)
        marks[(day, AM if index % 2 == 0 else PM)] = code
    return marks


def test_weeks_fixture_skips_half_term() -> None:
    assert len(WEEK) == 15
    assert WEEK[8] == D(2024, 10, 21)
    assert WEEK[9] == D(2024, 11, 4)


@pytest.mark.parametrize(
    ("codes", "field"),
    [
        ("/ \\ L", "present"),
        ("K V P W B", "approved_activity"),
        ("C C1 C2 E I J1 M R S T", "authorised"),
        ("G N O U", "unauthorised"),
    ],
)
def test_code_categories_counted(codes: str, field: str) -> None:
    for code in codes.split():
        measures = measure_attendance([Mark(UPN, D(2024, 9, 4), AM, code)], AUTUMN, D(2024, 9, 5))

        assert getattr(measures, field) == 1, code
        assert measures.possible_sessions == 1, code


@pytest.mark.parametrize("code", "D X Q Y1 Y2 Y3 Y4 Y5 Y6 Y7 Z #".split())
def test_not_possible_codes_ignored(code: str) -> None:
    marks = [Mark(UPN, D(2024, 9, 4), AM, code), Mark(UPN, D(2024, 9, 4), PM, "\\")]

    measures = measure_attendance(marks, AUTUMN, D(2024, 9, 5))

    assert measures.possible_sessions == 1
    assert measures.attendance_rate == Decimal("100.0")


def test_one_week_every_measure() -> None:
    marks = [
        Mark(UPN, D(2024, 9, 2), AM, "/"), Mark(UPN, D(2024, 9, 2), PM, "\\"),
        Mark(UPN, D(2024, 9, 3), AM, "L"), Mark(UPN, D(2024, 9, 3), PM, "K"),
        Mark(UPN, D(2024, 9, 4), AM, "I"), Mark(UPN, D(2024, 9, 4), PM, "M"),
        Mark(UPN, D(2024, 9, 5), AM, "O"), Mark(UPN, D(2024, 9, 5), PM, "U"),
        Mark(UPN, D(2024, 9, 6), AM, "D"), Mark(UPN, D(2024, 9, 6), PM, "#"),
    ]

    measures = measure_attendance(marks, AUTUMN, D(2024, 9, 7))

    assert measures.possible_sessions == 8
    assert measures.present == 3
    assert measures.approved_activity == 1
    assert measures.authorised == 2
    assert measures.unauthorised == 2
    assert measures.attendance_rate == Decimal("50.0")
    assert measures.absence_rate == Decimal("50.0")
    assert measures.persistent_absence
    assert measures.severe_absence  # exactly 50% is severe
    assert measures.late_before_close == 1
    assert measures.late_after_close == 1
    assert measures.absence_by_code == {"I": 1, "M": 1, "O": 1, "U": 1}
    assert measures.broken_weeks == 1
    assert measures.absence_rate_by_weekday == {
        "Monday": Decimal("0.0"),
        "Tuesday": Decimal("0.0"),
        "Wednesday": Decimal("100.0"),
        "Thursday": Decimal("100.0"),
        "Friday": None,
    }
    assert measures.absence_rate_by_session == {AM: Decimal("50.0"), PM: Decimal("50.0")}
    assert measures.sessions_on_non_school_days == 0


def test_rate_rounds_half_up() -> None:
    # 8 weeks = 80 sessions; 11 absent gives 86.25% attendance and 13.75% absence.
    marks = register(D(2024, 10, 25), sessions(WEEK[3], 10, "I") | sessions(WEEK[5], 1, "I"))

    measures = measure_attendance(marks, AUTUMN, D(2024, 10, 26))

    assert measures.possible_sessions == 80
    assert measures.attendance_rate == Decimal("86.3")
    assert measures.absence_rate == Decimal("13.8")
    assert round(86.25, 1) == 86.2  # what float rounding would have shown


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1799, 2000, Decimal("90.0")),  # 89.95
        (17991, 20000, Decimal("90.0")),  # 89.955
        (1789, 2000, Decimal("89.5")),  # 89.45
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (0, 7, Decimal("0.0")),
        (7, 7, Decimal("100.0")),
    ],
)
def test_percentage_rounding(part: int, whole: int, expected: Decimal) -> None:
    assert percentage(part, whole) == expected


def test_percentage_of_zero_is_none() -> None:
    assert percentage(0, 0) is None


@pytest.mark.parametrize(
    ("absent", "persistent", "severe", "rate"),
    [
        (9, False, False, "91.0"),
        (10, True, False, "90.0"),
        (49, True, False, "51.0"),
        (50, True, True, "50.0"),
    ],
)
def test_absence_thresholds(absent: int, persistent: bool, severe: bool, rate: str) -> None:
    # 10 school weeks to 15 November are 100 possible sessions.
    absences: dict[tuple[dt.date, Session], str] = {}
    for number in range(1, 11):
        absences |= sessions(WEEK[number], min(10, absent - len(absences)), "I")
    marks = register(D(2024, 11, 15), absences)

    measures = measure_attendance(marks, AUTUMN, D(2024, 11, 16))

    assert measures.possible_sessions == 100
    assert measures.authorised == absent
    assert measures.persistent_absence is persistent
    assert measures.severe_absence is severe
    assert measures.attendance_rate == Decimal(rate)


def test_zero_possible_sessions() -> None:
    for marks in ([], [Mark(UPN, D(2024, 9, 4), AM, "D"), Mark(UPN, D(2024, 9, 4), PM, "X")]):
        measures = measure_attendance(marks, AUTUMN, D(2024, 9, 7))

        assert measures.possible_sessions == 0
        assert measures.attendance_rate is None
        assert measures.absence_rate is None
        assert not measures.persistent_absence
        assert not measures.severe_absence
        assert measures.trend.direction is None
        assert measures.trend.recent_rate is None
        assert measures.max_unauthorised_window.sessions == 0
        assert measures.max_unauthorised_window.first_day is None
        assert set(measures.absence_rate_by_weekday.values()) == {None}


def test_ten_unauthorised_in_ten_weeks() -> None:
    # Weeks 1 and 10 are 11 calendar weeks apart, but half term is no school week.
    absences = sessions(WEEK[1], 5, "O") | sessions(WEEK[10], 5, "N")
    marks = register(D(2024, 12, 20), absences)

    window = measure_attendance(marks, AUTUMN, END_OF_TERM).max_unauthorised_window

    assert window.sessions == 10
    assert window.reaches_threshold
    assert window.first_day == D(2024, 9, 2)
    assert window.last_day == D(2024, 11, 15)


def test_nine_unauthorised_in_ten_weeks() -> None:
    absences = sessions(WEEK[1], 5, "G") | sessions(WEEK[10], 4, "U")
    marks = register(D(2024, 12, 20), absences)

    window = measure_attendance(marks, AUTUMN, END_OF_TERM).max_unauthorised_window

    assert window.sessions == 9
    assert not window.reaches_threshold


def test_unauthorised_eleven_school_weeks_apart() -> None:
    absences = sessions(WEEK[1], 5, "O") | sessions(WEEK[11], 5, "O")
    marks = register(D(2024, 12, 20), absences)

    window = measure_attendance(marks, AUTUMN, END_OF_TERM).max_unauthorised_window

    assert window.sessions == 5
    assert not window.reaches_threshold


def test_unauthorised_window_ties_go_to_latest() -> None:
    absences = sessions(WEEK[1], 10, "G") | sessions(WEEK[14], 10, "G")
    marks = register(D(2024, 12, 20), absences)

    window = measure_attendance(marks, AUTUMN, END_OF_TERM).max_unauthorised_window

    # The latest window holding week 14 is weeks 6 to 15.
    assert window.sessions == 10
    assert window.first_day == WEEK[6]
    assert window.last_day == D(2024, 12, 20)


def test_unauthorised_window_before_ten_weeks() -> None:
    marks = register(D(2024, 9, 18), sessions(WEEK[2], 3, "O"))

    window = measure_attendance(marks, AUTUMN, D(2024, 9, 19)).max_unauthorised_window

    assert window.sessions == 3
    assert window.first_day == D(2024, 9, 2)
    assert window.last_day == D(2024, 9, 18)


def test_authorised_absence_not_in_window() -> None:
    marks = register(D(2024, 12, 20), sessions(WEEK[1], 10, "I") | sessions(WEEK[2], 10, "M"))

    window = measure_attendance(marks, AUTUMN, END_OF_TERM).max_unauthorised_window

    assert window.sessions == 0
    assert window.first_day is None


def test_broken_weeks() -> None:
    absences = (
        sessions(WEEK[1], 1, "I")
        | sessions(WEEK[3], 2, "O")
        | sessions(WEEK[12], 1, "M")
        | sessions(WEEK[14], 10, "I")
    )
    marks = register(D(2024, 12, 20), absences | sessions(WEEK[5], 2, "L"))

    measures = measure_attendance(marks, AUTUMN, END_OF_TERM)

    assert measures.broken_weeks == 4
    assert measures.broken_weeks_recent == 2  # weeks 10 to 15
    assert measures.broken_weeks_previous == 0  # weeks 4 to 9; lates break no week
    assert [week.broken for week in measures.weeks].count(True) == 4


@pytest.mark.parametrize(
    ("first_week", "later_weeks", "recent", "year", "direction"),
    [
        # Difference in points = (4 * first_week - later_weeks) / 2.
        (1, 2, "95.0", "94.0", Direction.STEADY),  # +1.0
        (1, 1, "97.5", "96.0", Direction.RISING),  # +1.5
        (0, 2, "95.0", "96.0", Direction.STEADY),  # -1.0
        (0, 3, "92.5", "94.0", Direction.FALLING),  # -1.5
    ],
)
def test_trend_direction(
    first_week: int, later_weeks: int, recent: str, year: str, direction: Direction
) -> None:
    absences = sessions(WEEK[1], first_week, "I") | sessions(WEEK[3], later_weeks, "I")
    marks = register(D(2024, 10, 4), absences)

    trend = measure_attendance(marks, AUTUMN, D(2024, 10, 5)).trend

    assert trend.recent_rate == Decimal(recent)
    assert trend.year_rate == Decimal(year)
    assert trend.direction is direction


def test_trend_needs_more_than_four_weeks() -> None:
    marks = register(D(2024, 9, 27), sessions(WEEK[1], 10, "I"))

    trend = measure_attendance(marks, AUTUMN, D(2024, 9, 28)).trend

    assert trend.recent_rate == trend.year_rate == Decimal("75.0")
    assert trend.direction is None


def test_retired_codes_before_2024() -> None:
    summer_2024 = SchoolCalendar([Term("Summer", D(2024, 4, 15), D(2024, 7, 19))])
    marks = [
        Mark(UPN, D(2024, 6, 3), AM, "H"),
        Mark(UPN, D(2024, 6, 3), PM, "F"),
        Mark(UPN, D(2024, 6, 4), AM, "J"),
        Mark(UPN, D(2024, 6, 4), PM, "Y"),
        Mark(UPN, D(2024, 6, 5), AM, "/"),
    ]

    measures = measure_attendance(marks, summer_2024, D(2024, 7, 20))

    assert measures.authorised == 3
    assert measures.present == 1
    assert measures.possible_sessions == 4
    assert measures.absence_by_code == {"F": 1, "H": 1, "J": 1}


@pytest.mark.parametrize("code", ["H", "F", "J", "Y"])
def test_retired_codes_rejected_after_2024(code: str) -> None:
    marks = [Mark(UPN, D(2024, 9, 4), PM, code)]

    with pytest.raises(InvalidMark, match=rf"retired.*PM mark for 04/09/2024"):
        measure_attendance(marks, AUTUMN, D(2024, 9, 5))


def test_unknown_code_rejected() -> None:
    with pytest.raises(InvalidMark, match=r"unknown attendance code 'Q9'.*AM mark for 04/09/2024"):
        measure_attendance([Mark(UPN, D(2024, 9, 4), AM, "Q9")], AUTUMN, D(2024, 9, 5))


def test_unknown_session_rejected() -> None:
    with pytest.raises(InvalidMark, match="unknown session 'EVE'.*use AM or PM"):
        measure_attendance([(D(2024, 9, 4), "EVE", "/")], AUTUMN, D(2024, 9, 5))


def test_lower_case_and_spaced_codes_normalised() -> None:
    marks = [(D(2024, 9, 4), "AM", " i "), (D(2024, 9, 4), "PM", "c2")]

    measures = measure_attendance(marks, AUTUMN, D(2024, 9, 5))

    assert measures.absence_by_code == {"C2": 1, "I": 1}


def test_tuples_match_marks() -> None:
    marks = register(D(2024, 12, 20), sessions(WEEK[4], 7, "O") | sessions(WEEK[9], 3, "L"))
    tuples = [(mark.date, mark.session.value, mark.code) for mark in marks]

    assert measure_attendance(tuples, AUTUMN, END_OF_TERM) == measure_attendance(
        marks, AUTUMN, END_OF_TERM
    )


def test_as_of_day_and_earlier_years_excluded() -> None:
    marks = [
        Mark(UPN, D(2024, 7, 10), AM, "O"),  # previous academic year
        Mark(UPN, D(2024, 9, 4), AM, "/"),
        Mark(UPN, D(2024, 9, 5), AM, "O"),  # the as-of day itself
    ]

    measures = measure_attendance(marks, AUTUMN, D(2024, 9, 5))

    assert measures.since == D(2024, 9, 1)
    assert measures.possible_sessions == 1
    assert measures.unauthorised == 0


def test_since_limits_the_period() -> None:
    marks = register(D(2024, 12, 20), sessions(WEEK[1], 10, "O"))

    measures = measure_attendance(marks, AUTUMN, END_OF_TERM, since=WEEK[2])

    assert measures.unauthorised == 0
    assert measures.possible_sessions == 140
    assert len(measures.weeks) == 14


def test_mark_on_non_school_day() -> None:
    marks = register(D(2024, 11, 8)) + [Mark(UPN, D(2024, 10, 30), AM, "O")]

    measures = measure_attendance(marks, AUTUMN, D(2024, 11, 9))

    assert measures.unauthorised == 1
    assert measures.possible_sessions == 91
    assert measures.sessions_on_non_school_days == 1
    assert sum(week.possible for week in measures.weeks) == 90


def _early_warning_register(broken: list[int]) -> list[Mark]:
    absences: dict[tuple[dt.date, Session], str] = {}
    for number in broken:
        absences |= sessions(WEEK[number], 1, "I")
    return register(D(2024, 11, 29), absences)


@pytest.mark.parametrize(
    ("broken", "minimum", "expected"),
    [
        ([2, 8, 11], 2, True),  # 2 recent against 1 before
        ([8, 11], 2, True),
        ([8], 2, False),  # one recent week is below the minimum
        ([8], 1, True),
        ([2, 5, 8, 11], 2, False),  # 2 against 2 is not rising
    ],
)
def test_early_warning(broken: list[int], minimum: int, expected: bool) -> None:
    measures = measure_attendance(_early_warning_register(broken), AUTUMN, D(2024, 11, 30))

    assert len(measures.weeks) == 12
    assert early_warning(measures, minimum_broken_weeks=minimum) is expected


def test_early_warning_needs_twelve_weeks() -> None:
    marks = register(D(2024, 11, 22), sessions(WEEK[8], 1, "I") | sessions(WEEK[10], 1, "I"))

    measures = measure_attendance(marks, AUTUMN, D(2024, 11, 23))

    assert len(measures.weeks) == 11
    assert not early_warning(measures)


def test_early_warning_not_for_persistent_absence() -> None:
    absences = sessions(WEEK[8], 10, "I") | sessions(WEEK[11], 10, "I")
    measures = measure_attendance(register(D(2024, 11, 29), absences), AUTUMN, D(2024, 11, 30))

    assert measures.persistent_absence
    assert measures.broken_weeks_recent == 2
    assert not early_warning(measures)


def test_sessions_in_weeks_around_meeting() -> None:
    meeting = D(2024, 11, 6)
    absences = (
        sessions(WEEK[3], 4, "I")  # before the window
        | sessions(WEEK[4], 6, "O")
        | sessions(WEEK[8], 2, "D")
        | sessions(WEEK[10], 3, "I")
    )
    marks = register(D(2024, 12, 20), absences)
    before = AUTUMN.school_weeks_before(meeting, 6)
    after = AUTUMN.school_weeks_after(meeting, 6)

    counts = count_sessions(marks, before[0].monday, before[-1].sunday)

    # Weeks 3 to 8: 60 sessions, less 2 not possible; 4 + 6 absent.
    assert counts.possible == 58
    assert counts.absent == 10
    assert counts.unauthorised == 6
    assert counts.attendance_rate == Decimal("82.8")
    assert attendance_rate_between(marks, after[0].monday, after[-1].sunday) == Decimal("95.0")


def test_rate_between_without_sessions() -> None:
    marks = register(D(2024, 12, 20))

    assert attendance_rate_between(marks, D(2024, 10, 28), D(2024, 11, 1)) is None


def test_cohort_summary_by_year_group() -> None:
    pupils = [
        Pupil(upn="P1", surname="A", forename="A", year_group="9"),
        Pupil(upn="P2", surname="B", forename="B", year_group="9"),
        Pupil(upn="P3", surname="C", forename="C", year_group="9"),
        Pupil(upn="P4", surname="D", forename="D", year_group="10"),
        Pupil(upn="P5", surname="E", forename="E", year_group="R"),
    ]
    ten_weeks = D(2024, 11, 15)
    marks_by_upn = {
        "P1": register(ten_weeks),  # 100%
        "P2": register(ten_weeks, sessions(WEEK[1], 10, "O") | sessions(WEEK[2], 1, "O")),  # 89%
        "P4": register(ten_weeks, sessions(WEEK[1], 10, "I") | sessions(WEEK[2], 10, "I")
                       | sessions(WEEK[3], 10, "I") | sessions(WEEK[4], 10, "I")
                       | sessions(WEEK[5], 10, "I")),  # 50%
        "P5": register(ten_weeks, sessions(WEEK[1], 1, "I")),  # 99%
    }

    measures = measure_cohort(marks_by_upn, AUTUMN, D(2024, 11, 16))
    summaries = summarise_cohort(pupils, measures)

    assert [summary.year_group for summary in summaries] == ["R", "9", "10"]
    year_9 = summaries[1]
    assert year_9.pupils == 3
    assert year_9.pupils_with_sessions == 2
    assert year_9.mean_attendance_rate == Decimal("94.5")
    assert year_9.persistent_absence == 1
    assert year_9.persistent_absence_share == Decimal("50.0")
    assert year_9.severe_absence == 0
    assert summaries[2].severe_absence == 1
    assert summaries[2].mean_attendance_rate == Decimal("50.0")


def test_cohort_year_group_without_sessions() -> None:
    summaries = summarise_cohort([Pupil(upn="P1", surname="A", forename="A", year_group="7")], {})

    assert summaries[0].pupils == 1
    assert summaries[0].mean_attendance_rate is None
    assert summaries[0].persistent_absence_share is None


def test_group_marks_by_pupil_keeps_order() -> None:
    marks = [
        Mark("P2", D(2024, 9, 4), AM, "/"),
        Mark("P1", D(2024, 9, 4), AM, "I"),
        Mark("P2", D(2024, 9, 4), PM, "\\"),
    ]

    grouped = group_marks_by_pupil(marks)

    assert list(grouped) == ["P2", "P1"]
    assert [mark.session for mark in grouped["P2"]] == [AM, PM]


_ANY_CODE = st.sampled_from("/ \\ L K V P W B C C1 C2 E I J1 M R S T G N O U D X Q Y1 Z #".split())


@settings(max_examples=60, deadline=None)
@given(st.lists(_ANY_CODE, min_size=150, max_size=150))
def test_rates_agree_with_counts(codes: list[str]) -> None:
    days = AUTUMN.school_days()[:75]
    marks = [
        Mark(UPN, day, session, codes[2 * index + offset])
        for index, day in enumerate(days)
        for offset, session in enumerate((AM, PM))
    ]

    measures = measure_attendance(marks, AUTUMN, END_OF_TERM)

    counted = sum(1 for code in codes if code not in {"D", "X", "Q", "Y1", "Z", "#"})
    assert measures.possible_sessions == counted
    if counted:
        assert measures.attendance_rate + measures.absence_rate in (
            Decimal("99.9"), Decimal("100.0"), Decimal("100.1")
        )
        assert measures.persistent_absence is (measures.absent_sessions * 10 >= counted)
        assert measures.severe_absence is (measures.absent_sessions * 2 >= counted)
    assert sum(week.possible for week in measures.weeks) == counted
    assert sum(measures.absence_by_code.values()) == measures.absent_sessions
