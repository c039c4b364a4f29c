"""Storing a read marks file in a real vault: rows written, changed marks audited, bad input stored nowhere."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_tui.domain.pupil import Mark, Session
from clinic_tui.imports import read_marks
from clinic_tui.services.attendance import AttendanceService
from tests.conftest import PASSPHRASE, sample_pupil

LONG_HEADER = ["UPN", "Date", "Session", "Mark"]


def _rows(upns: list[str]) -> list[list[str]]:
    return [
        LONG_HEADER,
        [upns[1], "03/09/2024", "PM", "N"],
        [upns[0], "02/09/2024", "AM", "/"],
        [upns[0], "02/09/2024", "PM", "\\"],
        [upns[1], "03/09/2024", "AM", "l"],
        [upns[0], "16/07/2024", "AM", "h"],
    ]


@pytest.fixture
def attendance(workspace, upns):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    service = AttendanceService(vault, lambda: dt.date(2024, 9, 10))
    service.store_pupils([sample_pupil(upn=upn, surname=f"Surname{number}") for number, upn in enumerate(upns[:3])])
    yield service
    vault.close()


def _stored(service: AttendanceService) -> list[tuple[str, str, str, str]]:
    return service.vault.conn.execute("SELECT pupil_id, date, session, code FROM mark ORDER BY 1, 2, 3").fetchall()


def _audited(service: AttendanceService, action: str) -> list[str]:
    rows = service.vault.conn.execute("SELECT record_id FROM audit WHERE action = ? ORDER BY seq", (action,))
    return [record_id for (record_id,) in rows]


def test_records_follow_marks(write_csv, upns):
    marks = read_marks(write_csv("marks.csv", _rows(upns)), set(upns[:3])).marks
    keys = {upn: f"id-{number}" for number, upn in enumerate(upns)}

    records = list(marks.records(keys))

    assert records == [(keys[mark.upn], mark.date.isoformat(), mark.session.value, mark.code) for mark in marks]
    by_upn_date_session = sorted(
        [("id-0", "2024-07-16", "AM", "H"), ("id-0", "2024-09-02", "AM", "/"), ("id-0", "2024-09-02", "PM", "\\"),
         ("id-1", "2024-09-03", "AM", "L"), ("id-1", "2024-09-03", "PM", "N")],
        key=lambda record: (upns[int(record[0][-1])], record[1], record[2]),
    )
    assert records == by_upn_date_session


def test_records_reject_unknown_upn(write_csv, upns):
    marks = read_marks(write_csv("marks.csv", _rows(upns)), set(upns[:3])).marks

    with pytest.raises(KeyError):
        marks.records({upns[0]: "id-0"})


def test_store_writes_every_mark(attendance, write_csv, upns):
    ids = attendance.pupils.ids_by_upn()
    result = read_marks(write_csv("marks.csv", _rows(upns)), attendance.known_pupils())
    calls: list[tuple[int, int | None]] = []

    outcome = attendance.store_marks(result.marks, progress=lambda done, total: calls.append((done, total)))

    assert (outcome.marks_written, outcome.marks_changed) == (5, 0)
    assert _stored(attendance) == sorted([
        (ids[upns[0]], "2024-07-16", "AM", "H"),
        (ids[upns[0]], "2024-09-02", "AM", "/"),
        (ids[upns[0]], "2024-09-02", "PM", "\\"),
        (ids[upns[1]], "2024-09-03", "AM", "L"),
        (ids[upns[1]], "2024-09-03", "PM", "N"),
    ])
    assert calls == [(5, None)]
    assert _audited(attendance, "mark.change") == []
    assert len(_audited(attendance, "marks.import")) == 1


def test_store_again_replaces_and_audits_changes(attendance, write_csv, upns):
    ids = attendance.pupils.ids_by_upn()
    attendance.store_marks(read_marks(write_csv("first.csv", _rows(upns)), attendance.known_pupils()).marks)
    changed = _rows(upns)
    changed[2][3] = "M"
    changed[4][3] = "U"

    outcome = attendance.store_marks(read_marks(write_csv("second.csv", changed), attendance.known_pupils()).marks)

    assert (outcome.marks_written, outcome.marks_changed) == (5, 2)
    assert sorted(_audited(attendance, "mark.change")) == sorted([
        f"{ids[upns[0]]}/2024-09-02/AM", f"{ids[upns[1]]}/2024-09-03/AM",
    ])
    stored = {(pupil_id, date, session): code for pupil_id, date, session, code in _stored(attendance)}
    assert stored[(ids[upns[0]], "2024-09-02", "AM")] == "M"
    assert stored[(ids[upns[1]], "2024-09-03", "AM")] == "U"
    assert len(stored) == 5


def test_store_repeated_session_stores_nothing(attendance, upns):
    day = dt.date(2024, 9, 2)
    marks = [Mark(upns[0], day, Session.AM, "/"), Mark(upns[1], day, Session.AM, "/"), Mark(upns[0], day, Session.AM, "N")]

    with pytest.raises(ValueError, match="two marks for one pupil on 02/09/2024 AM"):
        attendance.store_marks(marks)

    assert _stored(attendance) == []
    # The temporary table is gone, so the next store starts cleanly.
    assert attendance.store_marks(marks[:2]).marks_written == 2


def test_store_unknown_pupil_stores_nothing(attendance, upns):
    marks = [Mark(upns[0], dt.date(2024, 9, 2), Session.AM, "/"), Mark(upns[7], dt.date(2024, 9, 2), Session.AM, "/")]

    with pytest.raises(KeyError):
        attendance.store_marks(marks)

    assert _stored(attendance) == []
