"""Header matching, mapping files and the dry-run column description."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clinic_tui.imports import (
    ErrorKind,
    HeaderMapping,
    MappingFileError,
    describe_columns,
    load_mapping,
    read_marks,
    read_pupils,
)
from clinic_tui.imports.headers import MARK_FIELDS, PUPIL_FIELDS, normalise_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Date of Birth", "dateofbirth"), ("D.O.B.", "dob"), ("  Legal_Surname ", "legalsurname"),
     ("Contact 1 E-mail", "contact1email"), ("AM/PM", "ampm")],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize("fields", [PUPIL_FIELDS, MARK_FIELDS], ids=["pupils", "marks"])
def test_each_header_matches_one_field(fields):
    seen: dict[str, str] = {}
    for field in fields:
        for synonym in field.synonyms:
            assert synonym not in seen, f"{synonym!r} matches both {seen[synonym]} and {field.name}"
            seen[synonym] = field.name


def test_header_mapping_rejects_unknown_field():
    with pytest.raises(ValueError, match="surnme"):
        HeaderMapping(pupils={"surnme": "Family Name"})


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_file_renames_columns(tmp_path, write_csv, upns):
    mapping = write_mapping(
        tmp_path,
        '[pupils]\nupn = "Pupil Ref"\nsurname = "Family Name"\nforename = "Given Name"\n'
        '\n[marks]\ndate = "Day"\nmark = "Register"\n',
    )
    pupils = write_csv("pupils.csv", [["Pupil Ref", "Family Name", "Given Name"], [upns[0], "Brontë", "Zoë"]])
    marks = write_csv("marks.csv", [["UPN", "Day", "Session", "Register"], [upns[0], "02/09/2024", "AM", "/"]])

    pupil_result = read_pupils(pupils, mapping=mapping)
    mark_result = read_marks(marks, {upns[0]: (None, None)}, mapping=mapping)

    assert pupil_result.ok, pupil_result.report()
    assert (pupil_result.pupils[0].surname, pupil_result.pupils[0].forename) == ("Brontë", "Zoë")
    assert pupil_result.columns[0].note == "from the mapping file"
    assert mark_result.ok, mark_result.report()
    assert [mark.date for mark in mark_result.marks] == [dt.date(2024, 9, 2)]


def test_mapping_wins_over_synonym(write_csv, upns):
    mapping = HeaderMapping(pupils={"surname": "Family Name"})
    path = write_csv(
        "pupils.csv", [["UPN", "Surname", "Family Name", "Forename"], [upns[0], "Nickname", "Legal", "Al"]],
    )

    result = read_pupils(path, mapping=mapping)

    assert result.pupils[0].surname == "Legal"
    assert result.columns[1].field is None


def test_mapped_column_missing_from_file(write_csv, upns, single):
    mapping = HeaderMapping(pupils={"upn": "Pupil Ref"})
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "Smith", "Al"]])

    result = read_pupils(path, mapping=mapping)

    issues = result.errors.of_kind(ErrorKind.MISSING_COLUMN)
    assert [issue.value for issue in issues][0] == "Pupil Ref"
    assert "mapping file" in issues[0].problem
    assert result.pupils == []


def test_two_fields_mapped_to_one_column(write_csv, upns, single):
    mapping = HeaderMapping(pupils={"surname": "Name", "forename": "Name"})
    path = write_csv("pupils.csv", [["UPN", "Name"], [upns[0], "Smith"]])

    result = read_pupils(path, mapping=mapping)

    issue = single(result, ErrorKind.DUPLICATE_COLUMN)
    assert (issue.line, issue.letter, issue.value) == (1, "B", "Name")


def test_same_header_twice_is_error(write_csv, upns, single):
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename", "UPN"], [upns[0], "Smith", "Al", upns[1]]])

    result = read_pupils(path)

    issue = single(result, ErrorKind.DUPLICATE_COLUMN)
    assert (issue.line, issue.letter, issue.column) == (1, "D", "UPN")
    assert "A, D" in issue.problem
    assert result.pupils == []


def test_unrecognised_columns_ignored(write_csv, upns):
    path = write_csv("pupils.csv", [["UPN", "Shoe Size", "Surname", "Forename", ""], [upns[0], "5", "Smith", "Al", "x"]])

    result = read_pupils(path)

    assert result.ok, result.report()
    assert [column.recognised_as for column in result.columns] == [
        "UPN", "ignored", "Legal Surname", "Legal Forename", "ignored",
    ]


def test_describe_columns_for_dry_run(write_csv, tmp_path):
    path = write_csv("marks.csv", [["Pupil Ref", "Date", "Session", "Mark", "Comment"]])
    mapping = write_mapping(tmp_path, '[marks]\nupn = "Pupil Ref"\n')

    columns = describe_columns(path, "marks", mapping=mapping)

    assert [str(column) for column in columns] == [
        "A  Pupil Ref  ->  UPN (from the mapping file)",
        "B  Date  ->  Date",
        "C  Session  ->  Session",
        "D  Mark  ->  Mark",
        "E  Comment  ->  ignored",
    ]


def test_describe_pupil_columns(write_xlsx):
    path = write_xlsx("pupils.xlsx", [["DOB", "UPN", "Ever FSM 6", "Contact 2 Phone"]])

    columns = describe_columns(path, "pupils")

    assert [(column.letter, column.field) for column in columns] == [
        ("A", "date_of_birth"), ("B", "upn"), ("C", "fsm"), ("D", "contact2_telephone"),
    ]


def test_mapping_file_loaded(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path, '# school export\n[pupils]\n"upn" = "Pupil Ref"\n'))

    assert mapping.pupils == {"upn": "Pupil Ref"}
    assert mapping.marks == {}
    assert mapping.source == "mapping.toml"


@pytest.mark.parametrize(
    ("text", "line", "value", "fragment"),
    [
        ('[pupils]\nupn = "Pupil Ref"\nsurnme = "Family Name"\n', 3, "surnme", "unknown field"),
        ('[pupils]\nupn = "Pupil Ref"\n\n[marks]\ndate = 3\n', 5, "3", "not a string"),
        ('[pupils]\nupn = ["A", "B"]\n', 2, "['A', 'B']", "not a string"),
        ('[pupils]\nupn = "  "\n', 2, "  ", "empty"),
        ('[pupil]\nupn = "Pupil Ref"\n', 1, "pupil", "unknown section"),
        ('[pupils]\nupn = "Pupil Ref"\nsurname = Family Name\n', 3, "surname = Family Name", "not valid TOML"),
        ('[marks]\nweek_beginning = "WB"\nmark = "Code\n', 3, 'mark = "Code', "not valid TOML"),
    ],
)
def test_bad_mapping_file(tmp_path, text, line, value, fragment):
    path = write_mapping(tmp_path, text)

    with pytest.raises(MappingFileError) as raised:
        load_mapping(path)

    error = raised.value
    assert error.file == "mapping.toml"
    assert error.line == line
    assert error.value == value
    assert fragment in error.problem
    assert error.action
    assert f"mapping.toml, line {line}" in str(error)


def test_bad_mapping_file_stops_read(tmp_path, write_csv, upns):
    mapping = write_mapping(tmp_path, '[pupils]\nupm = "Pupil Ref"\n')
    path = write_csv("pupils.csv", [["UPN", "Surname", "Forename"], [upns[0], "Smith", "Al"]])

    with pytest.raises(MappingFileError, match="unknown field"):
        read_pupils(path, mapping=mapping)


def test_mapping_file_not_utf8(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_bytes('[pupils]\nsurname = "Prénom"\n'.encode("cp1252"))

    with pytest.raises(MappingFileError) as raised:
        load_mapping(path)

    assert raised.value.line == 2
    assert raised.value.value == "byte 0xE9"
