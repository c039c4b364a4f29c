"""Reading CSV and XLSX files: encodings, line endings, line numbers, formats and progress."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from clinic_tui.imports import ErrorKind, read_pupils

HEADER = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth"]


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp1252", "cp1252")],
)
@pytest.mark.parametrize("line_ending", ["\r\n", "\n"])
def test_csv_encodings_keep_accented_names(write_csv, upns, encoding, reported, line_ending):
    rows = [
        HEADER,
        [upns[0], "Brontë", "Zoë", "04/03/2012"],
        [upns[1], "Ó Súilleabháin", "Siobhán", "4/3/2012"],
        [upns[2], "García", "José", "2012-03-04"],
    ]
    path = write_csv("pupils.csv", rows, encoding=encoding, line_ending=line_ending)

    result = read_pupils(path)

    assert result.ok, result.report()
    assert result.encoding == reported
    assert [(p.surname, p.forename) for p in result.pupils] == [
        ("Brontë", "Zoë"), ("Ó Súilleabháin", "Siobhán"), ("García", "José"),
    ]
    assert {p.date_of_birth for p in result.pupils} == {dt.date(2012, 3, 4)}
    # The header of a file with a byte order mark must still match UPN.
    assert result.columns[0].field == "upn"


def test_csv_utf8_names_beyond_windows_1252(write_csv, upns):
    path = write_csv(
        "pupils.csv",
        [HEADER, [upns[0], "Nguyễn", "Łukasz", ""], [upns[1], "Wiśniewska", "Zoë", ""]],
        encoding="utf-8-sig",
    )

    result = read_pupils(path)

    assert result.ok, result.report()
    assert [p.surname for p in result.pupils] == ["Nguyễn", "Wiśniewska"]
    assert result.pupils[0].forename == "Łukasz"


def test_csv_mixed_encodings_rejected(tmp_path, upns):
    text = "\r\n".join([",".join(HEADER), f"{upns[0]},Nguyễn,Łukasz,", f"{upns[1]},Brontë,Zoë,"])
    # The first pupil is UTF-8 and the second Windows-1252, as happens when
    # rows from two exports are pasted together.
    utf8_part, cp1252_part = text.rsplit("\r\n", 1)
    path = tmp_path / "pupils.csv"
    path.write_bytes(utf8_part.encode("utf-8") + b"\r\n" + cp1252_part.encode("cp1252"))

    result = read_pupils(path)

    assert not result.ok
    assert result.pupils == []
    issue = result.errors.of_kind(ErrorKind.UNREADABLE_FILE)[0]
    assert issue.file == "pupils.csv"
    assert issue.line == 3
    assert issue.value == "byte 0xEB"
    assert "mixes UTF-8 and Windows-1252" in issue.problem
    assert "CSV UTF-8" in issue.action


def test_csv_byte_invalid_in_both_encodings(tmp_path, upns):
    # 0x81 is undefined in Windows-1252 and cannot start a UTF-8 sequence.
    path = tmp_path / "pupils.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + upns[0].encode() + b",Smith,Al\x81,\n")

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.UNREADABLE_FILE)[0]
    assert issue.line == 2
    assert issue.value == "byte 0x81"
    assert result.pupils == []


def test_invalid_utf8_sequence_split_across_chunks(tmp_path, upns):
    # A two-byte UTF-8 sequence straddling the 64 KiB read boundary must be
    # decoded whole, and a genuinely bad byte later must still be found.
    filler = ",".join(HEADER) + "\n" + "\n" * (65536 - len(",".join(HEADER)) - 2)
    data = filler.encode() + "é".encode() + b"\n" + b"\xff\n"
    path = tmp_path / "pupils.csv"
    path.write_bytes(data)

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.UNREADABLE_FILE)[0]
    assert issue.value == "byte 0xFF"
    assert issue.line == data[: data.index(b"\xff")].count(b"\n") + 1


def test_utf16_file_rejected_with_fix(tmp_path):
    path = tmp_path / "pupils.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "UPN\tLegal Surname\r\n".encode("utf-16-le"))

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.UNREADABLE_FILE)[0]
    assert "UTF-16" in issue.problem
    assert "CSV UTF-8" in issue.action


def test_old_xls_rejected_with_fix(tmp_path):
    path = tmp_path / "pupils.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.UNREADABLE_FILE)[0]
    assert ".xls" in issue.problem
    assert ".xlsx" in issue.action


def test_corrupt_xlsx_rejected(tmp_path):
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip archive")

    result = read_pupils(path)

    assert result.errors.of_kind(ErrorKind.UNREADABLE_FILE)
    assert result.pupils == []


def test_xlsx_saved_with_csv_name_is_read(write_xlsx, upns):
    path = write_xlsx("pupils.xlsx", [HEADER, [upns[0], "Brontë", "Zoë", dt.date(2012, 3, 4)]])
    renamed = path.with_name("pupils.csv")
    path.rename(renamed)

    result = read_pupils(renamed)

    assert result.ok, result.report()
    assert result.format == "XLSX"
    assert result.encoding is None
    assert result.pupils[0].date_of_birth == dt.date(2012, 3, 4)


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b",,,\r\n , \r\n"])
def test_blank_csv_has_no_header(tmp_path, content):
    path = tmp_path / "pupils.csv"
    path.write_bytes(content)

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.NO_HEADER)[0]
    assert issue.file == "pupils.csv"
    assert "header" in issue.problem


def test_header_below_blank_lines_keeps_line_numbers(write_csv, upns):
    path = write_csv("pupils.csv", [[], ["", ""], HEADER, [upns[0], "Smith", "Al", "31/02/2012"]])

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.INVALID_DATE)[0]
    assert issue.line == 4
    assert issue.letter == "D"
    assert issue.column == "Date of Birth"


def test_multiline_cell_reports_starting_line(write_csv, upns):
    rows = [
        HEADER + ["Notes"],
        [upns[0], "Smith", "Al", "00/01/2012", "first line\nsecond line\nthird line"],
        [upns[1], "Jones", "Bo", "99/01/2012", ""],
    ]
    path = write_csv("pupils.csv", rows, line_ending="\n")

    result = read_pupils(path)

    # The first record takes lines 2 to 4, so the second starts on line 5.
    issues = result.errors.of_kind(ErrorKind.INVALID_DATE)
    assert [issue.line for issue in issues] == [2, 5]


def test_xlsx_rows_keep_sheet_row_numbers(write_xlsx, upns):
    rows = [HEADER, [upns[0], "Smith", "Al", dt.date(2012, 1, 1)], [], [upns[1], "Jones", "Bo", "31/09/2012"]]
    path = write_xlsx("pupils.xlsx", rows, start_row=3)

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.INVALID_DATE)[0]
    assert issue.line == 6
    assert issue.letter == "D"
    assert "September 2012 has 30 days" in issue.problem


def test_unquoted_comma_reported_as_extra_values(tmp_path, upns):
    path = tmp_path / "pupils.csv"
    path.write_text(f"{','.join(HEADER)}\n{upns[0]},Smith, Jr,Al,01/01/2012\n", encoding="utf-8")

    result = read_pupils(path)

    issue = result.errors.of_kind(ErrorKind.EXTRA_VALUES)[0]
    assert issue.line == 2
    assert issue.letter == "E"
    assert issue.value == "01/01/2012"
    assert result.pupils == []


def test_csv_progress_reports_bytes(write_csv, upns):
    rows = [HEADER] + [[upns[i % 10], f"Surname{i}", "Al", ""] for i in range(10)]
    path = write_csv("pupils.csv", rows)
    calls: list[tuple[int, int | None]] = []

    read_pupils(path, progress=lambda done, total: calls.append((done, total)))

    size = path.stat().st_size
    assert calls
    assert all(total == size for _, total in calls)
    assert calls[-1][0] == size
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_xlsx_progress_reports_rows(write_xlsx, upns):
    rows = [HEADER] + [[f"{upns[0]}", f"Surname{i}", "Al", None] for i in range(2500)]
    path = write_xlsx("pupils.xlsx", rows)
    calls: list[tuple[int, int | None]] = []

    read_pupils(path, progress=lambda done, total: calls.append((done, total)))

    assert calls[0] == (1000, 2501)
    assert calls[-1] == (2501, 2501)


def test_missing_file_raises(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        read_pupils(tmp_path / "absent.csv")
