"""Tests for the demonstration school generator and the MIS mark layouts."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from stdnum.gb import upn as stdnum_upn

from clinic_tui.domain import upn
from clinic_tui.domain.codes import lookup
from clinic_tui.domain.cohort import measure_cohort
from clinic_tui.domain.demo_school import DemoSchool, generate_school
from clinic_tui.domain.mark_layouts import GRID_HEADER, LONG_HEADER, long_rows, weekly_grid_rows
from clinic_tui.domain.pupil import Mark, SenStatus, Session

D = dt.date
REFERENCE = D(2025, 3, 12)
BEFORE_2024 = D(2024, 3, 12)


@pytest.fixture(scope="module")
def school() -> DemoSchool:
    return generate_school(REFERENCE)


@pytest.fixture(scope="module")
def legacy_school() -> DemoSchool:
    return generate_school(BEFORE_2024, pupils=300)


def _longest_run(codes: list[str], code: str) -> int:
    """Return the length of the longest run of ``code`` in ``codes``."""
    longest = current = 0
    for item in codes:
        current = current + 1 if item == code else 0
        longest = max(longest, current)
    return longest


def test_generator_deterministic(school: DemoSchool) -> None:
    again = generate_school(REFERENCE)

    assert again.pupils == school.pupils
    assert again.marks == school.marks
    assert again.amendments == school.amendments
    assert again.school == school.school


def test_generator_seed_changes_school(school: DemoSchool) -> None:
    other = generate_school(REFERENCE, seed=7, pupils=50)

    assert [pupil.upn for pupil in other.pupils] != [pupil.upn for pupil in school.pupils[:50]]


def test_school_details(school: DemoSchool) -> None:
    assert len(school.school.urn) == 6
    assert school.school.laestab == "8734127"
    assert school.calendar.first_day == D(2024, 9, 2)
    assert len(school.pupils) == 600


def test_year_groups_7_to_11(school: DemoSchool) -> None:
    counts = Counter(pupil.year_group for pupil in school.pupils)

    assert set(counts) == {"7", "8", "9", "10", "11"}
    assert all(90 <= count <= 150 for count in counts.values())
    assert all(pupil.reg_group.startswith(pupil.year_group) for pupil in school.pupils)


def test_ages_match_year_groups(school: DemoSchool) -> None:
    for pupil in school.pupils:
        # On 31 August before the academic year, a Year 7 pupil is 11.
        age = 2024 - pupil.date_of_birth.year - (
            (8, 31) < (pupil.date_of_birth.month, pupil.date_of_birth.day)
        )
        assert age == int(pupil.year_group) + 4, pupil.upn


def test_upns_valid_and_unique(school: DemoSchool) -> None:
    upns = [pupil.upn for pupil in school.pupils]

    assert len(set(upns)) == len(upns)
    assert all(upn.is_valid(value) for value in upns)
    assert all(stdnum_upn.is_valid(value) for value in upns)
    assert not any(upn.is_temporary(value) for value in upns)


def test_no_marks_on_or_after_reference(school: DemoSchool) -> None:
    last = max(mark.date for mark in school.all_marks())

    assert last == D(2025, 3, 11)


def test_marks_only_on_school_days(school: DemoSchool) -> None:
    dates = {mark.date for mark in school.all_marks()}

    assert all(school.calendar.is_school_day(day) for day in dates)
    assert not any(day.weekday() >= 5 for day in dates)
    assert D(2024, 10, 30) not in dates  # half term
    assert D(2024, 9, 2) not in dates  # INSET day


def test_every_session_has_one_mark(school: DemoSchool) -> None:
    school_days = school.calendar.school_days(end=D(2025, 3, 11))
    expected = [(day, session) for day in school_days for session in (Session.AM, Session.PM)]

    for pupil in school.pupils:
        marks = school.marks[pupil.upn]
        assert [(mark.date, mark.session) for mark in marks] == expected
        assert all(mark.upn == pupil.upn for mark in marks)


def test_every_code_valid_on_its_date(school: DemoSchool) -> None:
    for mark in school.all_marks():
        assert lookup(mark.code, mark.date).code == mark.code


def test_attendance_distribution(school: DemoSchool) -> None:
    measures = measure_cohort(school.marks, school.calendar, REFERENCE)
    rates = [entry.attendance_rate for entry in measures.values()]
    persistent = sum(entry.persistent_absence for entry in measures.values()) / len(measures)
    severe = sum(entry.severe_absence for entry in measures.values())
    above_95 = sum(rate > 95 for rate in rates) / len(rates)

    assert 0.14 <= persistent <= 0.27
    assert 3 <= severe <= 0.05 * len(measures)
    assert above_95 > 0.5
    assert any(entry.max_unauthorised_window.reaches_threshold for entry in measures.values())


def test_patterns_present(school: DemoSchool) -> None:
    codes = Counter(mark.code for mark in school.all_marks())

    for code in ("I", "M", "O", "N", "G", "C2", "L", "U", "D", "K", "V", "E", "R"):
        assert codes[code] > 0, code
    assert "B" not in codes
    assert not {"H", "F", "J", "Y"} & set(codes)


def test_long_illness_and_holiday_blocks(school: DemoSchool) -> None:
    illness = holiday = 0
    for marks in school.marks.values():
        whole_days = [
            am.code if am.code == pm.code else "" for am, pm in zip(marks[::2], marks[1::2])
        ]
        illness += _longest_run(whole_days, "I") >= 5
        holiday += _longest_run(whole_days, "G") >= 5

    assert illness >= 10
    assert holiday >= 10


def test_friday_absence_pattern(school: DemoSchool) -> None:
    measures = measure_cohort(school.marks, school.calendar, REFERENCE)

    friday_heavy = [
        entry
        for entry in measures.values()
        if (entry.absence_rate_by_weekday["Friday"] or 0) >= 3 * max(
            entry.absence_rate_by_weekday["Tuesday"] or 0,
            entry.absence_rate_by_weekday["Wednesday"] or 0,
            1,
        )
    ]
    assert len(friday_heavy) >= 10


def test_part_time_timetable_in_afternoons(school: DemoSchool) -> None:
    sessions = {mark.session for mark in school.all_marks() if mark.code == "C2"}

    assert sessions == {Session.PM}


def test_n_marks_recent_or_amended(school: DemoSchool) -> None:
    recent_days = set(school.calendar.school_days(end=D(2025, 3, 11))[-3:])
    n_dates = [mark.date for mark in school.all_marks() if mark.code == "N"]

    assert any(day in recent_days for day in n_dates)
    assert school.amendments
    for amendment in school.amendments:
        assert amendment.previous_code == "N"
        assert amendment.code in {"I", "O"}
        assert amendment.date < amendment.changed_on < REFERENCE


def test_amendments_match_marks(school: DemoSchool) -> None:
    marks = {(mark.upn, mark.date, mark.session): mark.code for mark in school.all_marks()}

    for amendment in school.amendments[:500]:
        assert marks[(amendment.upn, amendment.date, amendment.session)] == amendment.code


def test_pupil_characteristics(school: DemoSchool) -> None:
    total = len(school.pupils)
    sen = Counter(pupil.sen for pupil in school.pupils)

    assert 0.72 <= sen[SenStatus.NONE] / total <= 0.88
    assert 0.10 <= sen[SenStatus.SEN_SUPPORT] / total <= 0.21
    assert 0.02 <= sen[SenStatus.EHC_PLAN] / total <= 0.09
    assert 0.18 <= sum(pupil.fsm for pupil in school.pupils) / total <= 0.32
    assert 0.08 <= sum(pupil.eal for pupil in school.pupils) / total <= 0.22
    assert 1 <= sum(pupil.cin for pupil in school.pupils) <= 0.08 * total
    assert 1 <= sum(pupil.cp_plan for pupil in school.pupils) <= 0.04 * total
    assert 1 <= sum(pupil.looked_after for pupil in school.pupils) <= 0.04 * total
    assert all(pupil.first_language != "English" for pupil in school.pupils if pupil.eal)


def test_contacts(school: DemoSchool) -> None:
    for pupil in school.pupils:
        assert 1 <= len(pupil.contacts) <= 3
        if not pupil.looked_after:
            assert pupil.contacts[0].parental_responsibility
        for contact in pupil.contacts:
            assert contact.telephone.startswith(("07700 900", "020 7946 0", "0113 496 0"))
            assert not contact.email or contact.email.split("@")[1].startswith("example.")
            if contact.needs_interpreter:
                assert contact.language != "English"

    contacts = [contact for pupil in school.pupils for contact in pupil.contacts]
    assert any(contact.needs_interpreter for contact in contacts)
    assert any(contact.literacy_support for contact in contacts)
    assert any(not contact.parental_responsibility for contact in contacts)


def test_siblings_share_surname_and_phone(school: DemoSchool) -> None:
    families = defaultdict(list)
    for pupil in school.pupils:
        families[(pupil.surname, pupil.contacts[0].telephone)].append(pupil)
    siblings = [members for members in families.values() if len(members) > 1]

    assert len(siblings) >= 20
    for members in siblings:
        assert len({pupil.year_group for pupil in members}) == len(members)
        assert len({pupil.forename for pupil in members}) == len(members)

    # Phone numbers are shared only within a family.
    owners = defaultdict(set)
    for pupil in school.pupils:
        for contact in pupil.contacts:
            owners[contact.telephone].add((pupil.surname, pupil.contacts[0].telephone))
    assert all(len(families_with_number) == 1 for families_with_number in owners.values())


def test_names_are_diverse(school: DemoSchool) -> None:
    names = [f"{pupil.forename} {pupil.surname}" for pupil in school.pupils]

    assert any("'" in name for name in names)
    assert any("-" in name for name in names)
    assert sum(not name.isascii() for name in names) >= 20
    assert any(pupil.preferred_name for pupil in school.pupils)


def test_legacy_year_uses_pre_2024_codes(legacy_school: DemoSchool) -> None:
    codes = Counter(mark.code for mark in legacy_school.all_marks())

    assert codes["B"] > 0
    assert not {"K", "C2", "J1"} & set(codes)
    for mark in legacy_school.all_marks():
        lookup(mark.code, mark.date)


def test_legacy_year_measures(legacy_school: DemoSchool) -> None:
    measures = measure_cohort(legacy_school.marks, legacy_school.calendar, BEFORE_2024)

    assert len(measures) == 300
    assert all(entry.possible_sessions > 0 for entry in measures.values())


def test_reference_before_term_gives_no_marks() -> None:
    school = generate_school(D(2025, 9, 1), pupils=20)

    assert len(school.pupils) == 20
    assert all(marks == [] for marks in school.marks.values())
    assert school.amendments == []


def test_largest_school() -> None:
    school = generate_school(D(2024, 9, 12), pupils=1500)

    telephones = [contact.telephone for pupil in school.pupils for contact in pupil.contacts]
    assert len(school.pupils) == 1500
    assert len({pupil.upn for pupil in school.pupils}) == 1500
    assert len(set(telephones)) > 1500


@pytest.mark.parametrize("count", [0, 1501])
def test_pupil_count_limits(count: int) -> None:
    with pytest.raises(ValueError, match="pupils must be from 1 to 1,500"):
        generate_school(REFERENCE, pupils=count)


def test_long_layout(school: DemoSchool) -> None:
    rows = list(school.long_rows())
    first = school.marks[school.pupils[0].upn][0]

    assert rows[0] == list(LONG_HEADER)
    assert len(rows) == 1 + sum(len(marks) for marks in school.marks.values())
    assert rows[1] == [first.upn, first.date.strftime("%d/%m/%Y"), first.session.value, first.code]
    assert all(len(row) == 4 for row in rows)


def test_weekly_grid_layout(school: DemoSchool) -> None:
    rows = list(school.weekly_grid_rows())
    pupil = school.pupils[0]
    marks = school.marks[pupil.upn]

    assert rows[0] == list(GRID_HEADER)
    assert rows[0][2] == "Mon AM"
    assert rows[0][-1] == "Fri PM"
    first_week = rows[1]
    # INSET days on Monday 2 and Tuesday 3 September leave blank cells.
    assert first_week[:6] == [pupil.upn, "02/09/2024", "", "", "", ""]
    assert first_week[6:8] == [marks[0].code, marks[1].code]

    # Half term (28 October) has no row, and every mark is in exactly one cell.
    pupil_rows = [row for row in rows[1:] if row[0] == pupil.upn]
    assert "28/10/2024" not in [row[1] for row in pupil_rows]
    assert sum(1 for row in pupil_rows for cell in row[2:] if cell) == len(marks)


def test_grid_layout_orders_weeks() -> None:
    marks = [
        Mark("P1", D(2024, 9, 10), Session.PM, "I"),
        Mark("P1", D(2024, 9, 2), Session.AM, "/"),
        Mark("P2", D(2024, 9, 6), Session.PM, "\\"),
    ]

    rows = list(weekly_grid_rows(marks, date_format="%Y-%m-%d"))

    assert rows[1] == ["P1", "2024-09-02", "/", "", "", "", "", "", "", "", "", ""]
    assert rows[2] == ["P1", "2024-09-09", "", "", "", "I", "", "", "", "", "", ""]
    assert rows[3] == ["P2", "2024-09-02", "", "", "", "", "", "", "", "", "", "\\"]


def test_grid_layout_rejects_weekend_mark() -> None:
    marks = [Mark("P1", D(2024, 9, 7), Session.AM, "/")]

    with pytest.raises(ValueError, match="falls on a weekend"):
        list(weekly_grid_rows(marks))


def test_long_layout_of_plain_marks() -> None:
    marks = [Mark("P1", D(2024, 9, 2), Session.AM, "/")]

    assert list(long_rows(marks)) == [list(LONG_HEADER), ["P1", "02/09/2024", "AM", "/"]]
