"""Reading pupil lists: values, header variants, errors and warnings."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from clinic_tui.domain.pupil import Contact, SenStatus
from clinic_tui.imports import ErrorKind, ImportFailed, WarningKind, enrolment_dates, read_pupils

FULL_HEADER = [
    "UPN", "Legal Surname", "Legal Forename", "Preferred Name", "Date of Birth", "Gender", "Year Group",
    "Reg Group", "SEN Status", "FSM", "EAL", "First Language", "CIN", "CP Plan", "Looked After",
    "Admission Date", "Leaving Date",
    "Contact 1 Name", "Contact 1 Relationship", "Contact 1 Telephone", "Contact 1 Email",
    "Contact 1 Parental Responsibility", "Contact 1 Language", "Contact 1 Interpreter",
    "Contact 2 Name", "Contact 2 Relationship", "Contact 2 Telephone", "Contact 2 Email",
    "Contact 2 Parental Responsibility",
]


def test_full_row_becomes_pupil(write_csv, upns):
    row = [
        upns[0], "Brontë", "Zoë", "Zo", "04/03/2012", "F", "Year 9", "9B", "SEN Support", "Y", "No",
        "English", "false", "0", "T", "02/09/2019", "",
        "Siobhán Brontë", "Mother", "07700 900123", "mother@example.org", "Yes", "Irish", "Y",
        "José García", "Carer", "07700 900456", "", "N",
    ]
    path = write_csv("pupils.csv", [FULL_HEADER, row])

    result = read_pupils(path)

    assert result.ok, result.report()
    pupil = result.pupils[0]
    assert pupil.upn == upns[0]
    assert (pupil.surname, pupil.forename, pupil.preferred_name) == ("Brontë", "Zoë", "Zo")
    assert pupil.date_of_birth == dt.date(2012, 3, 4)
    assert pupil.gender == "F"
    assert pupil.year_group == "9"
    assert pupil.reg_group == "9B"
    assert pupil.sen is SenStatus.SEN_SUPPORT
    assert pupil.fsm is True
    assert pupil.eal is False
    assert pupil.first_language == "English"
    assert pupil.cin is False
    assert pupil.cp_plan is False
    assert pupil.looked_after is True
    assert pupil.admission_date == dt.date(2019, 9, 2)
    assert pupil.leaving_date is None
    assert pupil.contacts == [
        Contact("Siobhán Brontë", "Mother", "07700 900123", "mother@example.org", True, "Irish", True),
        Contact("José García", "Carer", "07700 900456", "", False),
    ]


def test_contact_columns_without_values_add_no_contact(write_csv, upns):
    row = [upns[0], "Smith", "Al"] + [""] * (len(FULL_HEADER) - 3)
    row[FULL_HEADER.index("Contact 2 Parental Responsibility")] = "N"
    path = write_csv("pupils.csv", [FULL_HEADER, row])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].contacts == []


@pytest.mark.parametrize(
    "header",
    [
        ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year Group", "Reg Group", "SEN Status"],
        ["upn", "surname", "forename", "DOB", "NC Year", "Registration Form", "SEN"],
        ["U.P.N.", "SURNAME", "First Name", "D.O.B.", "Year", "Tutor Group", "sen status"],
        [" Upn ", "Legal_Surname", "legal-forename", "date of birth", "year group", "REG GROUP", "S.E.N."],
    ],
)
def test_header_variants_recognised(write_csv, upns, header):
    path = write_csv("pupils.csv", [header, [upns[0], "Smith", "Al", "01/09/2012", "Y8", "8S", "E"]])

    result = read_pupils(path)

    assert result.ok, result.report()
    pupil = result.pupils[0]
    assert (pupil.surname, pupil.forename) == ("Smith", "Al")
    assert pupil.date_of_birth == dt.date(2012, 9, 1)
    assert pupil.year_group == "8"
    assert pupil.reg_group == "8S"
    assert pupil.sen is SenStatus.EHC_PLAN


def test_legal_surname_preferred_over_surname(write_csv, upns):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Legal Surname", "Forename"], [upns[0], "Known As", "Legal", "Al"]])

    result = read_pupils(path)

    assert result.pupils[0].surname == "Legal"
    surname_column = result.columns[1]
    assert surname_column.field is None
    assert "column C" in surname_column.recognised_as


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Year 9", "9"), ("Y9", "9"), ("9", "9"), ("Yr 10", "10"), ("12", "12"), ("13", "13"),
        ("R", "R"), ("Reception", "R"), ("Year R", "R"), ("N1", "N1"), ("N2", "N2"), ("Nursery 1", "N1"),
        ("", ""),
    ],
)
def test_year_group_forms(write_csv, upns, raw, expected):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "Year Group"], [upns[0], "Smith", "Al", raw]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].year_group == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N", SenStatus.NONE), ("", SenStatus.NONE), ("K", SenStatus.SEN_SUPPORT), ("k", SenStatus.SEN_SUPPORT),
        ("SEN Support", SenStatus.SEN_SUPPORT), ("E", SenStatus.EHC_PLAN), ("EHC Plan", SenStatus.EHC_PLAN),
    ],
)
def test_sen_status_forms(write_csv, upns, raw, expected):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "SEN"], [upns[0], "Smith", "Al", raw]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].sen is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Y", True), ("y", True), ("Yes", True), ("TRUE", True), ("1", True), ("T", True),
     ("N", False), ("No", False), ("False", False), ("0", False), ("f", False), ("", False)],
)
def test_boolean_forms(write_csv, upns, raw, expected):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "Ever FSM 6"], [upns[0], "Smith", "Al", raw]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].fsm is expected


@pytest.mark.parametrize(
    "raw",
    ["04/03/2012", "4/3/2012", "2012-03-04", "04-03-2012", "04.03.2012", "4 Mar 2012", "4 March 2012",
     "04/03/2012 00:00", "2012-03-04T00:00:00", "40972"],
)
def test_date_forms(write_csv, upns, raw):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "DOB"], [upns[0], "Smith", "Al", raw]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].date_of_birth == dt.date(2012, 3, 4)


def test_xlsx_real_serial_and_text_dates(write_xlsx, upns):
    header = ["UPN", "Surname", "Forename", "DOB", "Admission Date", "Year Group"]
    rows = [
        header,
        [upns[0], "Smith", "Al", dt.datetime(2012, 3, 4), dt.date(2019, 9, 2), 7],
        [upns[1], "Jones", "Bo", 40972, 43710, "7"],
        [upns[2], "Brown", "Cy", "40972", "02/09/2019", 7.0],
    ]
    path = write_xlsx("pupils.xlsx", rows)

    result = read_pupils(path)

    assert result.ok, result.report()
    assert [p.date_of_birth for p in result.pupils] == [dt.date(2012, 3, 4)] * 3
    assert [p.admission_date for p in result.pupils] == [dt.date(2019, 9, 2)] * 3
    assert [p.year_group for p in result.pupils] == ["7"] * 3


def test_xlsx_1904_date_system(tmp_path, upns):
    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["UPN", "Surname", "Forename", "DOB"])
    # 39510 days after 1 January 1904 is 4 March 2012 (40972 in the 1900 system).
    sheet.append([upns[0], "Smith", "Al", 39510])
    path = tmp_path / "pupils.xlsx"
    workbook.save(path)

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].date_of_birth == dt.date(2012, 3, 4)


def test_invalid_upn_check_letter(write_csv, upns):
    wrong = ("B" if upns[1][0] != "B" else "C") + upns[1][1:]
    path = write_csv("pupils.csv", [["Surname", "Forename", "UPN"], ["Smith", "Al", upns[0]], ["Jones", "Bo", wrong]])

    result = read_pupils(path)

    assert result.pupils == []
    issue = result.errors.of_kind(ErrorKind.INVALID_UPN)[0]
    assert (issue.file, issue.line, issue.column, issue.letter, issue.value) == ("pupils.csv", 3, "UPN", "C", wrong)
    assert "check letter" in issue.problem
    assert issue.action


def test_check_letter_from_published_example(write_csv):
    # Digits 207000016049 weighted 2 to 13 sum to 266, and 266 mod 23 = 13,
    # which is P in the alphabet without I, O and S.
    path = write_csv(
        "pupils.csv", [["UPN", "Surname", "Forename"], ["P207000016049", "Smith", "Al"], ["Q207000016049", "Jones", "Bo"]],
    )

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.INVALID_UPN)[0]
    assert issue.line == 3
    assert issue.value == "Q207000016049"
    assert result.errors.total == 1


def test_temporary_upn_flagged_not_rejected(write_csv, upns, temporary_upn, single):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "Smith", "Al"], [temporary_upn, "Jones", "Bo"]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.temporary_upns == frozenset({temporary_upn})
    warning = single(result, WarningKind.TEMPORARY_UPN)
    assert (warning.line, warning.letter, warning.value) == (3, "A", temporary_upn)
    assert "permanent UPN" in warning.action


def test_lower_case_upn_normalised(write_csv, upns):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], [f" {upns[0].lower()} ", "Smith", "Al"]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].upn == upns[0]


def test_missing_required_column(write_csv, upns, single):
    path = write_csv("pupils.csv", [["UPN", "Forename", "DOB"], [upns[0], "Al", "01/01/2012"]])

    result = read_pupils(path)

    assert result.pupils == []
    issue = single(result, ErrorKind.MISSING_COLUMN)
    assert issue.file == "pupils.csv"
    assert issue.line == 1
    assert "Legal Surname" in issue.problem
    assert "mapping file" in issue.action


def test_impossible_date(write_csv, upns, single):
    path = write_csv(
        "pupils.csv",
        [["UPN", "Surname", "Forename", "DOB"], [upns[1], "Jones", "Bo", "29/02/2012"], [upns[0], "Smith", "Al", "29/02/2013"]],
    )

    result = read_pupils(path)

    assert result.pupils == []
    issue = single(result, ErrorKind.INVALID_DATE)
    assert (issue.line, issue.column, issue.letter, issue.value) == (3, "DOB", "D", "29/02/2013")
    assert "February 2013 has 28 days" in issue.problem
    assert "dd/mm/yyyy" in issue.action


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("13/13/2012", "no month 13"), ("04/03/12", "four digits"), ("next week", "not a date"),
     ("123", "outside the range"), ("04/03/0212", "outside 1900 to 2199")],
)
def test_unreadable_dates(write_csv, upns, single, raw, fragment):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "DOB"], [upns[0], "Smith", "Al", raw]])

    result = read_pupils(path)

    issue = single(result, ErrorKind.INVALID_DATE)
    assert issue.value == raw
    assert fragment in issue.problem


@pytest.mark.parametrize(
    ("column", "raw", "fragment"),
    [("FSM", "maybe", "yes or no"), ("Year Group", "Year 15", "year group"), ("SEN", "S", "SEN status")],
)
def test_invalid_values(write_csv, upns, single, column, raw, fragment):
    path = write_csv(
        "pupils.csv", [["UPN", "Surname", "Forename", column], [upns[1], "Jones", "Bo", ""], [upns[0], "Smith", "Al", raw]],
    )

    result = read_pupils(path)

    issue = single(result, ErrorKind.INVALID_VALUE)
    assert (issue.line, issue.column, issue.letter, issue.value) == (3, column, "D", raw)
    assert fragment in issue.problem
    assert result.pupils == []


def test_blank_name_is_missing_value(write_csv, upns, single):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "  ", "Al"]])

    result = read_pupils(path)

    issue = single(result, ErrorKind.MISSING_VALUE)
    assert (issue.line, issue.letter) == (2, "B")


def test_every_error_in_a_row_reported(write_csv, upns):
    path = write_csv(
        "pupils.csv",
        [["UPN", "Surname", "Forename", "DOB", "FSM"], ["X123", "Smith", "Al", "31/04/2012", "perhaps"]],
    )

    result = read_pupils(path)

    assert {issue.letter for issue in result.errors} == {"A", "D", "E"}
    assert result.errors.total == 3


def test_same_upn_different_details_is_error(write_csv, upns, single):
    path = write_csv(
        "pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "Smith", "Al"], [upns[0], "Jones", "Bo"]],
    )

    result = read_pupils(path)

    issue = single(result, ErrorKind.DUPLICATE_PUPIL)
    assert (issue.line, issue.letter, issue.value) == (3, "A", upns[0])
    assert "line 2" in issue.problem
    assert result.pupils == []


def test_identical_rows_imported_once(write_csv, upns, single):
    path = write_csv(
        "pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "Smith", "Al"], [upns[0], "Smith", "Al"]],
    )

    result = read_pupils(path)

    assert result.ok, result.report()
    assert len(result.pupils) == 1
    assert single(result, WarningKind.DUPLICATE_ROW).line == 3


def test_leaving_before_admission(write_csv, upns, single):
    path = write_csv(
        "pupils.csv",
        [["UPN", "Surname", "Forename", "Admission Date", "Leaving Date"], [upns[0], "Smith", "Al", "02/09/2024", "01/09/2024"]],
    )

    result = read_pupils(path)

    issue = single(result, ErrorKind.INVALID_DATE)
    assert (issue.line, issue.letter, issue.value) == (2, "E", "01/09/2024")


def test_contact_without_name_warned(write_csv, upns, single):
    path = write_csv(
        "pupils.csv",
        [["UPN", "Surname", "Forename", "Contact 1 Name", "Contact 1 Telephone"], [upns[0], "Smith", "Al", "", "07700 900123"]],
    )

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils[0].contacts == [Contact("", telephone="07700 900123")]
    warning = single(result, WarningKind.CONTACT_WITHOUT_NAME)
    assert (warning.line, warning.letter) == (2, "D")


def test_date_typed_into_text_column(write_xlsx, upns, single):
    path = write_xlsx("pupils.xlsx", [["UPN", "Surname", "Forename", "Reg Group"], [upns[0], "Smith", "Al", dt.date(2024, 1, 9)]])

    result = read_pupils(path)

    issue = single(result, ErrorKind.INVALID_VALUE)
    assert (issue.line, issue.letter, issue.value) == (2, "D", "09/01/2024")
    assert "Text" in issue.action


def test_report_lists_capped_errors_and_counts(write_csv):
    rows = [["UPN", "Surname", "Forename"]] + [[f"BAD{i}", "Smith", "Al"] for i in range(80)]
    path = write_csv("pupils.csv", rows)

    result = read_pupils(path)
    report = result.report(max_errors=50)

    assert result.errors.total == 80
    assert report.count("pupils.csv, line ") == 50
    assert "and 30 more errors" in report
    assert "invalid UPN: 80" in report
    assert "Not imported" in report


def test_import_failed_carries_result(write_csv):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], ["BAD", "Smith", "Al"]])
    result = read_pupils(path)

    with pytest.raises(ImportFailed) as raised:
        result.raise_if_failed()

    assert raised.value.result is result
    assert "pupils.csv, line 2, column A (UPN)" in str(raised.value)


def test_enrolment_dates_by_upn(write_csv, upns):
    path = write_csv(
        "pupils.csv",
        [["UPN", "Surname", "Forename", "Admission Date", "Leaving Date"],
         [upns[0], "Smith", "Al", "02/09/2024", ""], [upns[1], "Jones", "Bo", "02/09/2022", "19/07/2024"]],
    )

    dates = enrolment_dates(read_pupils(path).pupils)

    assert dates == {upns[0]: (dt.date(2024, 9, 2), None), upns[1]: (dt.date(2022, 9, 2), dt.date(2024, 7, 19))}
