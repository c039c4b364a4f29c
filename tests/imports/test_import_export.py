"""Round trips: pupils and marks written by export.py read back unchanged."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from clinic_tui.domain.pupil import Contact, Mark, Pupil, SenStatus, Session
from clinic_tui.imports import MarksLayout, enrolment_dates, read_marks, read_pupils
from clinic_tui.imports.export import (
    write_marks_csv,
    write_marks_xlsx,
    write_pupils_csv,
    write_pupils_xlsx,
)


def cp1252_pupils(upns: list[str], temporary_upn: str) -> list[Pupil]:
    return [
        Pupil(
            upn=upns[0], surname="Brontë", forename="Zoë", preferred_name="Zo", date_of_birth=dt.date(2012, 3, 4),
            gender="F", year_group="9", reg_group="9B", sen=SenStatus.SEN_SUPPORT, fsm=True, eal=False,
            first_language="English", cin=True, cp_plan=False, looked_after=True,
            admission_date=dt.date(2019, 9, 2), leaving_date=dt.date(2025, 7, 18),
            contacts=[
                Contact("Siobhán Brontë", "Mother", "07700 900123", "mother@example.org", True, "Irish", True, True),
                Contact("José García", "Stepfather", "+44 7700 900456", "", False),
                Contact("Ms Ó Briain", "Social worker", "0161 496 0000", "sw@example.org", False),
            ],
        ),
        Pupil(upn=temporary_upn, surname="García", forename="José", year_group="R", sen=SenStatus.EHC_PLAN),
        Pupil(upn=upns[1], surname="O'Neil, Jr", forename='Al "Bo"', year_group="N1",
              contacts=[Contact("Line\nBreak", "Aunt")]),
    ]


def utf8_pupils(upns: list[str], temporary_upn: str) -> list[Pupil]:
    extra = Pupil(upn=upns[2], surname="Nguyễn", forename="Łukasz", year_group="13",
                  contacts=[Contact("Wiśniewska", "Grandmother")])
    return cp1252_pupils(upns, temporary_upn) + [extra]


def sample_marks(upns: list[str]) -> list[Mark]:
    marks = []
    codes = ["/", "\\", "N", "L", "M", "I", "G", "U", "C2", "Y1"]
    for pupil_number, upn in enumerate(upns[:3]):
        for day in range(10):
            date = dt.date(2024, 9, 2) + dt.timedelta(days=day + (2 if day >= 5 else 0))
            for session in Session:
                code = codes[(pupil_number + day + (session is Session.PM)) % len(codes)]
                marks.append(Mark(upn, date, session, code))
    return sorted(marks, key=lambda mark: (mark.upn, mark.date, mark.session.value))


@pytest.mark.parametrize(
    ("encoding", "line_ending"), [("utf-8-sig", "\r\n"), ("utf-8", "\n"), ("cp1252", "\r\n")],
)
def test_pupils_csv_round_trip(tmp_path, upns, temporary_upn, encoding, line_ending):
    pupils = cp1252_pupils(upns, temporary_upn) if encoding == "cp1252" else utf8_pupils(upns, temporary_upn)
    path = tmp_path / "pupils.csv"

    write_pupils_csv(pupils, path, encoding=encoding, line_ending=line_ending)
    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.encoding == encoding
    assert result.pupils == pupils
    assert result.temporary_upns == frozenset({temporary_upn})


def test_csv_export_writes_excel_style_bytes(tmp_path, upns, temporary_upn):
    path = tmp_path / "pupils.csv"

    write_pupils_csv(cp1252_pupils(upns, temporary_upn), path)

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfUPN,Legal Surname,")
    assert b"\r\n" in data
    assert b",04/03/2012," in data


@pytest.mark.parametrize("serial_dates", [False, True])
def test_pupils_xlsx_round_trip(tmp_path, upns, temporary_upn, serial_dates):
    pupils = utf8_pupils(upns, temporary_upn)
    path = tmp_path / "pupils.xlsx"

    write_pupils_xlsx(pupils, path, serial_dates=serial_dates)
    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.pupils == pupils
    date_cell = openpyxl.load_workbook(path).active["E2"].value
    assert isinstance(date_cell, int) if serial_dates else isinstance(date_cell, dt.datetime)


def test_cp1252_export_rejects_unencodable_name(tmp_path, upns, temporary_upn):
    with pytest.raises(ValueError, match="Nguyễn"):
        write_pupils_csv(utf8_pupils(upns, temporary_upn), tmp_path / "pupils.csv", encoding="cp1252")


def test_export_rejects_fourth_contact(tmp_path, upns):
    pupil = Pupil(upns[0], "Smith", "Al", contacts=[Contact(f"Contact {n}") for n in range(4)])

    with pytest.raises(ValueError, match="4 contacts"):
        write_pupils_csv([pupil], tmp_path / "pupils.csv")


def test_formula_like_text_stays_text_in_xlsx(tmp_path, upns):
    pupil = Pupil(upns[0], "=SUM(A1)", "Al")
    path = tmp_path / "pupils.xlsx"

    write_pupils_xlsx([pupil], path)

    assert read_pupils(path).pupils == [pupil]


@pytest.mark.parametrize("layout", list(MarksLayout))
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_marks_csv_round_trip(tmp_path, upns, layout, encoding):
    marks = sample_marks(upns)
    known = dict.fromkeys(upns[:3], (None, None))
    path = tmp_path / "marks.csv"

    write_marks_csv(marks, path, layout=layout, encoding=encoding)
    result = read_marks(path, known)

    assert result.ok, result.report()
    assert result.layout is layout
    assert list(result.marks) == marks


@pytest.mark.parametrize("layout", list(MarksLayout))
@pytest.mark.parametrize("serial_dates", [False, True])
def test_marks_xlsx_round_trip(tmp_path, upns, layout, serial_dates):
    marks = sample_marks(upns)
    path = tmp_path / "marks.xlsx"

    write_marks_xlsx(marks, path, layout=layout, serial_dates=serial_dates)
    result = read_marks(path, dict.fromkeys(upns[:3], (None, None)))

    assert result.ok, result.report()
    assert list(result.marks) == marks


def test_grid_export_rejects_weekend_mark(tmp_path, upns):
    marks = [Mark(upns[0], dt.date(2024, 9, 7), Session.AM, "/")]

    with pytest.raises(ValueError, match="Saturday 07/09/2024"):
        write_marks_csv(marks, tmp_path / "grid.csv", layout=MarksLayout.GRID)


def test_full_round_trip_pupils_then_marks(tmp_path, upns, temporary_upn):
    pupils = cp1252_pupils(upns, temporary_upn)
    marks = [mark for mark in sample_marks(upns) if mark.upn in {upns[0], upns[1]}]
    pupils_path, marks_path = tmp_path / "pupils.xlsx", tmp_path / "grid.xlsx"
    write_pupils_xlsx(pupils, pupils_path)
    write_marks_xlsx(marks, marks_path, layout=MarksLayout.GRID)

    pupil_result = read_pupils(pupils_path)
    mark_result = read_marks(marks_path, enrolment_dates(pupil_result.pupils))

    assert mark_result.ok, mark_result.report()
    assert list(mark_result.marks) == marks
    assert not mark_result.warnings
