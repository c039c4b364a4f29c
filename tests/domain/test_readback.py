"""The plain-text read-back of meeting and review records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.readback import read_back, render_read_back
from clinic_tui.domain.review import ActionStatus, ReviewRecord
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews

LONDON = ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=LONDON)


def meeting() -> MeetingRecord:
    record = MeetingRecord(
        author="Officer Priya",
        now=at(3, 4, 9),
        pupil_ids=["p1"],
        mode=Mode.PHONE,
        attendance_snapshot={"attendance_percent": 81.2, "by_term": {"autumn": 85, "spring": 77.4}},
        child_plans={"p1": ChildPlan.CHILD_PROTECTION},
    )
    record.add_attendee(Attendee("Parent One", Role.PARENT_CARER, on_line=True))
    record.add_attendee(Attendee("Officer Priya", Role.EWO))
    record.confirm_line()
    record.confirm_information_sharing()
    record.set_social_worker(SocialWorkerAnswer.will_be_informed("Officer Priya", dt.date(2025, 3, 5)))
    record.set_pupil_views("p1", PupilViews.in_own_words("I don't like the noise at lunch."))
    record.set_barrier(Barrier.SEN_NOT_MET, "Sensory needs not assessed")
    record.set_barrier(Barrier.TRANSPORT)
    record.add_action(Action(OwnerType.SCHOOL, "SENDCO", "Arrange a quiet lunch space", dt.date(2025, 3, 7)))
    record.set_review_date(dt.date(2025, 4, 29))
    record.set_next_step(NextStep.SEND_REVIEW)
    return record


def section(sections, key: str):
    return next(item for item in sections if item.key == key)


def test_meeting_sections_in_step_order():
    sections = read_back(meeting(), {"p1": "Alex"})

    assert [item.key for item in sections] == [
        "attendees",
        "information_sharing",
        "attendance",
        "pupil_views",
        "parent_views",
        "barriers",
        "actions",
        "review_date",
        "next_step",
        "status",
    ]
    assert section(sections, "attendees").lines == (
        "Meeting held by group phone call at 09:00 on Tuesday 4 March 2025, recorded by Officer Priya.",
        "- Parent One, parent or carer (on the line)",
        "- Officer Priya, education welfare officer (EWO)",
        "Everyone on the line confirmed who is present: yes.",
    )
    sharing = section(sections, "information_sharing").lines
    assert "Alex has a child protection plan (section 47)." in sharing
    assert "The social worker will be informed by Officer Priya on Wednesday 5 March 2025." in sharing
    assert section(sections, "attendance").lines == (
        "attendance_percent: 81.2",
        "by_term:",
        "  autumn: 85",
        "  spring: 77.4",
    )
    assert section(sections, "pupil_views").lines == ("Alex:", "  In their words: I don't like the noise at lunch.")
    assert section(sections, "parent_views").lines == ("Not recorded yet.",)
    assert section(sections, "barriers").lines == (
        "- Special educational needs not met: Sensory needs not assessed",
        "- Transport",
    )
    actions = section(sections, "actions").lines
    assert actions[0] == "- School (SENDCO): Arrange a quiet lunch space. Due Friday 7 March 2025."
    assert "Every action falls on the school" in actions[1]
    assert actions[2] == "Reason: Not recorded yet."
    assert section(sections, "review_date").lines == (
        "Review date: Tuesday 29 April 2025",
        "Attendance target: none set",
    )
    assert section(sections, "next_step").lines == ("SEND review",)
    assert section(sections, "status").lines[0].startswith("Draft, not finalised.")


def test_finalised_readback_shows_concerns_and_addenda():
    record = meeting()
    record.set_one_sided_reason("Parent is in hospital this month")
    concern = record.raise_concern(StepId.BARRIERS, "Pupil scared of an older pupil", at(3, 4, 9, 10))
    assert record.finalise(at(3, 4, 9, 40)) == []
    record.record_dsl_informed(concern.id, at(3, 4, 10, 0), at(3, 4, 10, 5))

    sections = read_back(record)

    assert [item.key for item in sections][-3:] == ["safeguarding", "addenda", "status"]
    assert section(sections, "safeguarding").lines == (
        "- Raised at 09:10 on Tuesday 4 March 2025 by Officer Priya, at the barriers step.",
        "  Pupil scared of an older pupil",
        "  DSL informed at 10:00 on Tuesday 4 March 2025.",
    )
    assert section(sections, "addenda").lines[0] == "Version 2, 10:05 on Tuesday 4 March 2025, by Officer Priya."
    assert section(sections, "status").lines == (
        f"Finalised at 09:40 on Tuesday 4 March 2025 by Officer Priya. Record {record.id}, version 2.",
    )
    assert section(sections, "pupil_views").lines[0] == "pupil p1:"


def test_review_readback():
    base = meeting()
    base.set_one_sided_reason("Parent is in hospital this month")
    assert base.finalise(at(3, 4, 9, 40)) == []
    review = ReviewRecord.for_meeting(base, author="Officer Priya", now=at(4, 29, 10), mode=Mode.IN_PERSON)
    review.set_action_outcome(review.earlier_actions[0].id, ActionStatus.PARTLY_DONE, "Space found on two days")
    review.set_attendance(81.2, 88)
    review.set_outcome(ReviewOutcome.ESCALATE, NextStep.EARLY_HELP)

    sections = read_back(review)

    assert [item.key for item in sections] == [
        "attendees",
        "earlier_actions",
        "attendance",
        "pupil_views",
        "actions",
        "review_date",
        "next_step",
        "status",
    ]
    assert section(sections, "earlier_actions").lines == (
        "- School (SENDCO): Arrange a quiet lunch space. Due Friday 7 March 2025.",
        "  Partly done. Space found on two days",
    )
    assert section(sections, "attendance").lines == (
        "Before the last meeting: 81.2%",
        "Since the last meeting: 88%",
    )
    assert section(sections, "next_step").lines == ("Escalate: Early help assessment",)


def test_render_read_back_text():
    text = render_read_back(read_back(meeting()))

    assert text.startswith("Who is in the room\n------------------\nMeeting held by group phone call")
    assert "\n\nInformation sharing\n-------------------\n" in text
    assert text.endswith("\n")


def test_read_back_rejects_other_types():
    with pytest.raises(TypeError, match="read_back takes a MeetingRecord or ReviewRecord, got dict"):
        read_back({})  # type: ignore[arg-type]
