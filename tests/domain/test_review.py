"""The review meeting record: earlier actions, attendance, outcome, locking and addenda."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.addenda import RecordLocked
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.checks import InvalidTransition, InvalidValue
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ActionStatus, ReviewRecord
from clinic_tui.domain.steps import StepId, review_steps
from clinic_tui.domain.views import PupilViews

LONDON = ZoneInfo("Europe/London")


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=LONDON)


def finalised_meeting() -> MeetingRecord:
    meeting = MeetingRecord(
        author="Officer Priya",
        now=at(3, 4, 9),
        pupil_ids=["p1"],
        mode=Mode.IN_PERSON,
        attendance_snapshot={"attendance_percent": 81.2},
    )
    meeting.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    meeting.confirm_information_sharing()
    meeting.set_pupil_views("p1", PupilViews.in_own_words("I get headaches in maths."))
    meeting.add_action(Action(OwnerType.PARENT_CARER, "Dad", "Book an eye test", dt.date(2025, 3, 14)))
    meeting.add_action(Action(OwnerType.SCHOOL, "SENDCO", "Assess reading", dt.date(2025, 3, 28)))
    meeting.set_review_date(dt.date(2025, 4, 29))
    meeting.set_next_step(NextStep.REVIEW_MEETING)
    assert meeting.finalise(at(3, 4, 9, 40)) == []
    return meeting


def new_review(mode: Mode = Mode.IN_PERSON) -> tuple[MeetingRecord, ReviewRecord]:
    meeting = finalised_meeting()
    review = ReviewRecord.for_meeting(meeting, author="Officer Priya", now=at(4, 29, 10), mode=mode)
    return meeting, review


def fill(review: ReviewRecord) -> ReviewRecord:
    eye_test, reading = review.earlier_actions
    review.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    review.set_action_outcome(eye_test.id, ActionStatus.DONE)
    review.set_action_outcome(reading.id, ActionStatus.PARTLY_DONE, "Assessment booked for next week")
    review.set_attendance(81.2, 90.5)
    review.set_pupil_views("p1", PupilViews.in_own_words("The glasses help."))
    return review


def test_review_copies_meeting():
    meeting, review = new_review()

    assert review.reviewed_record_id == meeting.id
    assert review.earlier_actions == meeting.actions
    assert review.pupil_ids == meeting.pupil_ids
    assert [step.id for step in review_steps(Mode.IN_PERSON)] == [
        StepId.ATTENDEES,
        StepId.EARLIER_ACTIONS,
        StepId.ATTENDANCE,
        StepId.PUPIL_VIEWS,
        StepId.ACTIONS,
        StepId.REVIEW_DATE,
        StepId.NEXT_STEP,
        StepId.READ_BACK,
    ]


def test_review_needs_finalised_meeting():
    meeting = MeetingRecord(
        author="Officer Priya", now=at(3, 4, 9), pupil_ids=["p1"], mode=Mode.IN_PERSON, attendance_snapshot={}
    )

    with pytest.raises(InvalidTransition, match="is not finalised, so it cannot be reviewed yet"):
        ReviewRecord.for_meeting(meeting, author="Officer Priya", now=at(4, 29, 10), mode=Mode.IN_PERSON)


def test_review_finalise_lists_everything():
    _, review = new_review(Mode.VIDEO)

    missing = review.finalise(at(4, 29, 10, 30))

    assert [item.step for item in missing] == [
        StepId.ATTENDEES,
        StepId.ATTENDEES,
        StepId.EARLIER_ACTIONS,
        StepId.EARLIER_ACTIONS,
        StepId.ATTENDANCE,
        StepId.PUPIL_VIEWS,
        StepId.ACTIONS,
        StepId.REVIEW_DATE,
        StepId.NEXT_STEP,
    ]
    assert missing[2].message == (
        "Mark earlier action 1 (parent or carer, due 14/03/2025) as done, partly done or not done."
    )
    assert missing[3].message == "Mark earlier action 2 (school, due 28/03/2025) as done, partly done or not done."
    assert review.is_finalised is False


def test_close_needs_no_new_actions():
    _, review = new_review()
    fill(review)

    review.set_outcome(ReviewOutcome.CLOSE, note="Attendance above 90% for six weeks")

    assert review.finalise(at(4, 29, 10, 30)) == []
    assert review.is_finalised


def test_continue_needs_actions_and_review_date():
    _, review = new_review()
    fill(review)
    review.set_outcome(ReviewOutcome.CONTINUE)

    assert [item.step for item in review.missing()] == [StepId.ACTIONS, StepId.REVIEW_DATE]

    review.add_action(Action(OwnerType.PUPIL, "Pupil", "Wear glasses in lessons", dt.date(2025, 5, 30)))
    review.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Weekly check-in", dt.date(2025, 5, 30)))
    review.set_review_date(dt.date(2025, 6, 10))

    assert review.missing() == []


def test_escalate_needs_step():
    _, review = new_review()

    with pytest.raises(InvalidValue, match="Escalating needs the next step"):
        review.set_outcome(ReviewOutcome.ESCALATE)
    with pytest.raises(InvalidValue, match="Only escalating takes a next step"):
        review.set_outcome(ReviewOutcome.CONTINUE, NextStep.ATTENDANCE_CONTRACT)

    review.set_outcome(ReviewOutcome.ESCALATE, NextStep.ATTENDANCE_CONTRACT)

    assert review.escalate_to is NextStep.ATTENDANCE_CONTRACT


def test_escalate_to_safeguarding_needs_concern():
    _, review = new_review()
    fill(review)
    review.add_action(Action(OwnerType.OTHER_AGENCY, "Early help", "Family assessment", dt.date(2025, 5, 30)))
    review.add_action(Action(OwnerType.PARENT_CARER, "Dad", "Attend assessment", dt.date(2025, 5, 30)))
    review.set_review_date(dt.date(2025, 6, 10))
    review.set_outcome(ReviewOutcome.ESCALATE, NextStep.SAFEGUARDING_REFERRAL, "Disclosure at the review")

    assert [item.step for item in review.missing()] == [StepId.NEXT_STEP]

    review.raise_concern(StepId.EARLIER_ACTIONS, "Pupil reports being left alone overnight", at(4, 29, 10, 5))

    assert review.missing() == []


def test_action_outcome_rules():
    _, review = new_review()
    eye_test, _reading = review.earlier_actions

    with pytest.raises(InvalidValue, match="Say why the action is not done"):
        review.set_action_outcome(eye_test.id, ActionStatus.NOT_DONE)
    with pytest.raises(InvalidValue, match="was not agreed at the meeting under review"):
        review.set_action_outcome("00000000-0000-4000-8000-000000000000", ActionStatus.DONE)
    with pytest.raises(InvalidValue, match="attendance after 120 is not a percentage"):
        review.set_attendance(80, 120)


def test_review_locked_and_addendum():
    _, review = new_review()
    fill(review)
    review.set_outcome(ReviewOutcome.CLOSE, note="Attendance back above 95%")
    assert review.finalise(at(4, 29, 10, 30)) == []
    eye_test = review.earlier_actions[0]

    changes = [
        lambda: review.set_action_outcome(eye_test.id, ActionStatus.NOT_DONE, "x"),
        lambda: review.set_attendance(50, 50),
        lambda: review.set_outcome(ReviewOutcome.CONTINUE),
        lambda: review.set_pupil_views("p1", PupilViews.in_own_words("changed")),
    ]
    for change in changes:
        with pytest.raises(RecordLocked, match=f"The review record {review.id} was finalised"):
            change()

    addendum = review.add_addendum("Figures corrected", "Attendance since was 91.0%.", "Officer Priya", at(4, 30, 9))

    assert addendum.version == 2
    assert review.version == 2
    assert review.attendance_after == 90.5


@pytest.mark.parametrize("outcome", [ReviewOutcome.CLOSE, ReviewOutcome.ESCALATE])
def test_close_or_escalate_needs_reason(outcome):
    _, review = new_review()
    fill(review)
    review.add_action(Action(OwnerType.PARENT_CARER, "Dad", "Attend assessment", dt.date(2025, 5, 30)))
    review.add_action(Action(OwnerType.SCHOOL, "Head of year", "Weekly check-in", dt.date(2025, 5, 30)))
    escalate_to = NextStep.ATTENDANCE_CONTRACT if outcome is ReviewOutcome.ESCALATE else None
    review.set_outcome(outcome, escalate_to)
    if outcome is ReviewOutcome.CLOSE:
        review.clear_review_date()
    else:
        review.set_review_date(dt.date(2025, 6, 10))

    messages = [item.message for item in review.missing()]
    assert [item.step for item in review.missing()] == [StepId.NEXT_STEP]
    assert "reason" in messages[0]

    review.set_outcome(outcome, escalate_to, "No improvement since the meeting")
    assert review.missing() == []


def test_review_date_within_a_year():
    _, review = new_review()
    meeting_day = review.meeting_date
    review.set_review_date(meeting_day + dt.timedelta(days=366))
    with pytest.raises(InvalidValue, match="more than a year"):
        review.set_review_date(meeting_day + dt.timedelta(days=367))
