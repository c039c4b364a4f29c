"""The formal meeting record for the school's file, read back from PDF and DOCX."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from clinic_tui.documents import DocumentError, preview_text, render_meeting_record, write_docx, write_pdf
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.serialisation import InvalidRecordData

SECTIONS = (
    "Attendance meeting record",
    "Who was present",
    "Information sharing",
    "Attendance snapshot",
    "The pupil's views",
    "The parent or carer's views",
    "Barriers to attendance",
    "Agreed actions",
    "Review",
    "Next step",
    "Safeguarding",
    "Addenda",
)


def expected_facts(record: MeetingRecord) -> list[str]:
    """List text that must appear in every copy of the record built by the ``docs`` fixture."""
    return [
        # Who was present, and the line check of a video meeting.
        "Aoife Ó Briain",
        "Priya Quayle",
        "education welfare officer (EWO)",
        "On the line",
        "In the room",
        "Everyone on the line confirmed who was present: Yes.",
        # Information sharing.
        "We will keep a written record of this meeting",
        "Everyone present understood the statement: Yes.",
        "Łukasz Nguyễn has a child in need plan (section 17).",
        "The social worker was present.",
        # Attendance snapshot, with pupil ids shown as names.
        "Zoë Nguyễn: Attendance rate",
        "82.5",
        "Zoë Nguyễn: Persistent absence",
        # Views.
        "Zoë Nguyễn, in their own words:",
        "Mornings are hard because I feel sick.",
        "Łukasz Nguyễn: views not captured at the meeting.",
        "Reason: Unwell on the day",
        "How they will be gathered: Talk with him in school",
        "Who will gather them: Form tutor",
        "Mum would like help with the morning routine.",
        # Barriers with notes, and actions.
        "Routines and sleep",
        "Late nights on a games console",
        "Exploitation or other safeguarding concern",
        "Parent or carer",
        "Set an alarm for 7am",
        "Meet Zoë at the gate",
        "Friday 11 December 2026",
        # Review, target and next step.
        "Friday 22 January 2027",
        "95%",
        "Attendance support plan",
        "Draft the plan with the family",
        # Safeguarding: the concern and when the DSL was informed.
        "Safeguarding concern raised: Yes.",
        "Unknown adults waiting at the gate",
        "10:15 on 10/12/2026",
        # Addenda.
        "The form tutor will also phone home on Mondays.",
        "Correction",
        # Identity.
        record.id,
        "Siobhán Dvořák",
        "10:10 on Thursday 10 December 2026",
        f"{record.version} (2 addenda)",
    ]


def test_record_pdf_has_every_section(docs, tmp_path):
    record, names = docs.finalised_record()

    path = write_pdf(render_meeting_record(record, pupil_names=names, school_name="Riverside Academy"), tmp_path / "r.pdf")
    text = docs.one_line(docs.pdf_text(path))

    for heading in SECTIONS:
        assert heading in text
    for fact in expected_facts(record):
        assert fact in text
    assert "Riverside Academy" in text
    assert f"Attendance meeting record {record.id}, version 3" in text


def test_record_docx_has_every_section(docs, tmp_path):
    record, names = docs.finalised_record()

    path = write_docx(render_meeting_record(record, pupil_names=names), tmp_path / "r.docx")
    text = docs.one_line(docs.docx_text(path))

    for heading in SECTIONS:
        assert heading in text
    for fact in expected_facts(record):
        assert fact in text


def test_record_from_dict_matches_record(docs):
    record, names = docs.finalised_record()

    from_object = preview_text(render_meeting_record(record, pupil_names=names))
    from_dict = preview_text(render_meeting_record(record.to_dict(), pupil_names=names))

    assert from_dict == from_object


def test_record_without_names_shows_ids(docs):
    record, _ = docs.finalised_record()

    text = preview_text(render_meeting_record(record), width=200)

    for pupil_id in record.pupil_ids:
        assert f"Pupil {pupil_id}" in text


def test_draft_record_rejected():
    start = dt.datetime(2026, 12, 10, 9, 30, tzinfo=dt.timezone.utc)
    record = MeetingRecord(
        author="Siobhán Dvořák", now=start, pupil_ids=[str(uuid.uuid4())], mode=Mode.IN_PERSON, attendance_snapshot={}
    )

    with pytest.raises(DocumentError, match=f"meeting record {record.id} is not finalised"):
        render_meeting_record(record)


def test_damaged_record_dict_rejected(docs):
    record, _ = docs.finalised_record()
    data = record.to_dict()
    data["review_date"] = "22/01/2027"

    with pytest.raises(InvalidRecordData, match=r"meeting\.review_date: invalid date '22/01/2027'"):
        render_meeting_record(data)


def test_record_without_addenda_or_concerns(docs):
    record, names = docs.finalised_record()
    data = record.to_dict()
    data["addenda"] = []
    data["version"] = 1
    data["concerns"] = []
    data["barriers"] = [item for item in data["barriers"] if item["code"] != "SAFE"]

    text = preview_text(render_meeting_record(data, pupil_names=names))

    assert "No addenda. The record is as finalised." in text
    assert "Safeguarding concern raised: No." in text
    assert "Version      1 (0 addenda)" in text
