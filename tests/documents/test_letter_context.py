"""Letter contexts built from the domain models, and their input checks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from clinic_tui.documents import AttendanceFigures, FamilyPupil, InvalidContext, MeetingDetails
from clinic_tui.domain.attendance import measure_attendance
from clinic_tui.domain.calendar import SchoolCalendar
from clinic_tui.domain.pupil import Mark, Pupil, Session


def test_figures_from_measured_marks():
    calendar = SchoolCalendar.typical(2026)
    days = calendar.school_days(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    marks = []
    for index, day in enumerate(days[:10]):
        marks.append(Mark("A823456789012", day, Session.AM, "O" if index < 2 else "/"))
        marks.append(Mark("A823456789012", day, Session.PM, "I" if index == 2 else "\\"))

    measures = measure_attendance(marks, calendar, days[10])
    figures = AttendanceFigures.from_measures(measures)

    assert figures.possible_sessions == 20
    assert figures.sessions_missed == 3
    assert figures.unauthorised_sessions == 2
    assert figures.attendance_rate == 85
    assert figures.counted_to == days[10] - dt.timedelta(days=1)


def test_figures_without_possible_sessions_rejected():
    calendar = SchoolCalendar.typical(2026)
    first = calendar.school_days(dt.date(2026, 9, 1), dt.date(2026, 9, 30))[0]

    with pytest.raises(InvalidContext, match="no possible sessions"):
        AttendanceFigures.from_measures(measure_attendance([], calendar, first))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((101, 10, 1, 0), "attendance_rate 101 is not a percentage"),
        ((float("nan"), 10, 1, 0), "attendance_rate must be a number"),
        ((90, 10, 11, 0), "sessions_missed 11 is more than possible_sessions 10"),
        ((90, 10, 2, 3), "unauthorised_sessions 3 is more than sessions_missed 2"),
        ((90, -1, 0, 0), "possible_sessions must be a whole number of 0 or more, got -1"),
    ],
)
def test_invalid_figures_rejected(values, message):
    with pytest.raises(InvalidContext, match=message):
        AttendanceFigures(*values)


def test_family_pupil_uses_preferred_name():
    pupil = Pupil(upn="A823456789012", surname="Nguyễn", forename="Thi Zoë", preferred_name="Zoë", year_group="9")

    family_pupil = FamilyPupil.from_pupil(pupil, AttendanceFigures(90, 10, 1, 0))

    assert family_pupil.name == "Zoë Nguyễn"
    assert family_pupil.first_name == "Zoë"
    assert family_pupil.year_group == "9"


def test_meeting_needs_a_mode():
    with pytest.raises(InvalidContext, match="meeting modes is empty"):
        MeetingDetails(dt.date(2026, 12, 10), dt.time(9, 30), "Room 4", modes=())


def test_context_rejects_wrong_types(docs):
    with pytest.raises(InvalidContext, match="letter_date must be a date, got datetime"):
        docs.make_context(letter_date=dt.datetime(2026, 12, 4, 9, 0))
    with pytest.raises(InvalidContext, match=r"actions\[0\] must be an Action, got str"):
        docs.make_context(actions=("Set an alarm",))
    with pytest.raises(InvalidContext, match="school must be a School"):
        dataclasses.replace(docs.make_context(), school="Riverside Academy")
