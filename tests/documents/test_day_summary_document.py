"""The anonymised summary of a day: counts only, and no name or note in any output."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from clinic_tui.documents import DocumentError, Table, preview_text, render_day_summary, summarise_day, write_docx, write_pdf
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.day_settings import DaySettings
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind

DAY = dt.date(2026, 12, 10)


def settings(day: dt.date) -> DaySettings:
    return DaySettings(
        date=day,
        school_name="Riverside Academy",
        school_urn="123456",
        room="Room 4",
        start=dt.time(9, 0),
        slot_minutes=30,
    )


def build_day(docs):
    """Return a day with one slot of each outcome, and the records made on it."""
    day = ClinicDay(settings(DAY))
    later_day = ClinicDay(settings(DAY + dt.timedelta(days=7)))

    def at(hour: int, minute: int) -> dt.datetime:
        return day.at(dt.time(hour, minute))

    planning = at(8, 0)
    attended_slots = [day.add_slot(family=[str(uuid.uuid4())], mode=Mode.VIDEO, now=planning, start=dt.time(9, 30 * n)) for n in (0, 1)]
    missed = day.add_slot(family=[str(uuid.uuid4())], mode=Mode.IN_PERSON, now=planning, start=dt.time(10, 0))
    moved = day.add_slot(family=[str(uuid.uuid4())], mode=Mode.PHONE, now=planning, start=dt.time(10, 30))
    skipped = day.add_slot(family=[str(uuid.uuid4())], mode=Mode.PHONE, now=planning, start=dt.time(11, 0))
    day.add_slot(family=[str(uuid.uuid4())], mode=Mode.PHONE, now=planning, start=dt.time(11, 30))

    for slot, (start, end) in zip(attended_slots, ((at(9, 0), at(9, 25)), (at(9, 30), at(9, 55)))):
        day.start_slot(slot.id, start)
        day.finish_slot(slot.id, end)
    day.record_did_not_attend(
        missed.id,
        at(10, 15),
        contact=[ContactAttempt.PHONE],
        follow_up=FollowUpKind.SEND_DNA_LETTER,
        follow_up_due=DAY + dt.timedelta(days=2),
    )
    day.rearrange(moved.id, later_day, dt.time(9, 0), at(8, 30), "Parent at work")
    day.skip_slot(skipped.id, at(8, 45), "Family moved school")

    first, names = docs.finalised_record(slot_id=attended_slots[0].id)
    second, more_names = docs.finalised_record(slot_id=attended_slots[1].id)
    draft = MeetingRecord(
        author="Siobhán Dvořák",
        now=at(9, 30),
        pupil_ids=[str(uuid.uuid4())],
        mode=Mode.VIDEO,
        attendance_snapshot={},
        slot_id=attended_slots[1].id,
    )
    return day, [first, second.to_dict(), draft], {**names, **more_names}


def test_day_summary_counts(docs):
    day, records, _ = build_day(docs)

    summary = summarise_day(day, records)

    assert summary.slots_planned == 6
    assert summary.attended == 2
    assert summary.did_not_attend == 1
    assert summary.rearranged == 1
    assert summary.skipped == 1
    assert summary.not_held_yet == 1
    assert summary.meeting_records == 3
    assert summary.review_records == 0
    assert summary.records_finalised == 2
    assert summary.views_captured == 2
    assert summary.views_not_captured == 2
    assert summary.views_not_recorded == 1
    assert summary.barriers[Barrier.ROUTINES_SLEEP] == 2
    assert summary.barriers[Barrier.SAFEGUARDING] == 2
    assert sum(summary.barriers.values()) == 4
    assert summary.next_steps[NextStep.SUPPORT_PLAN] == 2
    assert sum(summary.next_steps.values()) == 2
    assert summary.concerns_raised == 2
    assert summary.concerns_dsl_informed == 2


def test_day_summary_table_rows(docs):
    day, records, _ = build_day(docs)

    document = render_day_summary(day, records)
    rows = {row[0]: row[1] for block in document.blocks if isinstance(block, Table) for row in block.rows}

    assert document.title == "Summary of attendance meetings on Thursday 10 December 2026"
    assert rows["Slots planned"] == "6"
    assert rows["Did not attend"] == "1"
    assert rows["Routines and sleep"] == "2"
    assert rows["Bullying or friendships"] == "0"
    assert rows["Attendance support plan"] == "2"
    assert rows["Safeguarding concerns raised"] == "2"
    assert rows["DSL not informed yet"] == "0"
    assert "Review outcomes" not in preview_text(document)


def test_day_summary_has_no_names(docs, tmp_path):
    day, records, names = build_day(docs)
    loaded = [record if isinstance(record, MeetingRecord) else MeetingRecord.from_dict(record) for record in records]
    private = set(names.values()) | set(names) | set(docs.difficult_names)
    for record in loaded:
        private |= {record.id, record.author, record.parent_views, record.next_step_note}
        private |= {attendee.name for attendee in record.attendees}
        private |= {entry.notes for entry in record.barriers if entry.notes}
        private |= {views.words for views in record.pupil_views.values() if views.words}
        private |= {concern.note for concern in record.concerns}
        private |= {addendum.text for addendum in record.addenda}
    private |= {slot.id for slot in day.slots}
    private.discard("")

    document = render_day_summary(day, records)
    outputs = {
        "preview": preview_text(document, width=200),
        "pdf": docs.pdf_text(write_pdf(document, tmp_path / "day.pdf")),
        "docx": docs.docx_text(write_docx(document, tmp_path / "day.docx")),
    }

    for where, text in outputs.items():
        flat = docs.one_line(text)
        leaked = sorted(value for value in private if docs.one_line(value) in flat)
        assert leaked == [], where


def test_day_summary_rejects_other_days_records(docs):
    day, records, _ = build_day(docs)
    stranger, _ = docs.finalised_record(slot_id=str(uuid.uuid4()))

    with pytest.raises(DocumentError, match=f"record {stranger.id} belongs to slot .* not on the day of 10/12/2026"):
        summarise_day(day, [*records, stranger])
