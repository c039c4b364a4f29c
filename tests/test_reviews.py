"""Reviews due and the review meeting, through the services on a real vault."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_tui.domain.checks import InvalidTransition
from clinic_tui.domain.pupil import Mark, Session
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from tests.helpers import complete_meeting, demo_session

MEETING_DAY = dt.datetime(2026, 1, 13, 9, 5, tzinfo=LOCAL_ZONE)


@pytest.fixture
def finalised(workspace):
    clock = ManualClock(MEETING_DAY)
    session = demo_session(workspace, clock)
    day = session.days.today()
    slot = day.slots[0]
    record = session.days.start_meeting(day, slot.id)
    complete_meeting(record, clock.now().date())
    assert session.days.finalise(record) == []
    yield session, clock, record
    session.close()


def test_default_review_date_six_school_weeks(finalised):
    session, clock, record = finalised
    expected = session.attendance.calendar().add_school_weeks(MEETING_DAY.date(), 6)
    assert record.review_date == expected


def test_reviews_due_buckets(finalised):
    session, clock, record = finalised
    review_date = record.review_date
    assert session.reviews.due(review_date - dt.timedelta(days=30)) == []

    this_week = session.reviews.due(review_date - dt.timedelta(days=3))
    assert [(item.record_id, item.bucket) for item in this_week] == [(record.id, "this week")]
    assert session.reviews.due(review_date)[0].bucket == "today"
    assert session.reviews.due(review_date - dt.timedelta(days=8)) == []
    later = session.reviews.due(review_date - dt.timedelta(days=20), horizon_days=30)
    assert [item.bucket for item in later] == ["later"]
    overdue = session.reviews.due(review_date + dt.timedelta(days=2))[0]
    assert overdue.bucket == "overdue"
    assert "Y" in overdue.label
    pupil = session.attendance.pupils.get(record.pupil_ids[0])
    assert pupil.surname not in overdue.label


def test_review_records_attendance_change(finalised):
    session, clock, record = finalised
    clock.set(dt.datetime.combine(record.review_date, dt.time(9), tzinfo=LOCAL_ZONE))
    review = session.reviews.start_review(record.id)
    assert isinstance(review, ReviewRecord)
    assert review.reviewed_record_id == record.id
    assert [action.description for action in review.earlier_actions] == [action.description for action in record.actions]

    # The demo marks stop the day before the demo's reference date, so after
    # the meeting there are no marks until fresh ones are imported.
    change = session.reviews.attendance_change(record.pupil_ids, record.meeting_date, clock.now().date())
    assert change.weeks_before == 6
    assert change.before is not None
    assert change.after is None

    expected_next = session.attendance.calendar().add_school_weeks(record.review_date, 6)
    assert review.review_date == expected_next, "the next review is prefilled six school weeks on"

    again = session.reviews.start_review(record.id)
    assert again.id == review.id, "a second start returns the draft review"


def _import_fresh_marks(session, pupil_ids, start: dt.date, end: dt.date, code: str) -> None:
    """Store one code for every school session from ``start`` to ``end``, as a fresh MIS import would."""
    calendar = session.attendance.calendar()
    marks = [
        Mark(session.attendance.pupils.get(pupil_id).upn, day, sitting, code)
        for pupil_id in pupil_ids
        for day in calendar.school_days(start, end)
        for sitting in (Session.AM, Session.PM)
    ]
    session.attendance.store_marks(marks)


def test_fresh_marks_give_change(finalised):
    session, clock, record = finalised
    meeting_day = record.meeting_date
    _import_fresh_marks(session, record.pupil_ids, meeting_day, record.review_date, "/")
    change = session.reviews.attendance_change(record.pupil_ids, meeting_day, record.review_date)
    assert change.after == 100
    assert change.before is not None
    assert change.before < 100
    assert change.change == 100 - change.before


def test_finalised_review_clears_due(finalised):
    session, clock, record = finalised
    _import_fresh_marks(session, record.pupil_ids, record.meeting_date, record.review_date, "/")
    clock.set(dt.datetime.combine(record.review_date, dt.time(9), tzinfo=LOCAL_ZONE))
    review = session.reviews.start_review(record.id)
    assert review.attendance_after == 100.0
    from clinic_tui.domain.attendees import Attendee, Role
    from clinic_tui.domain.next_steps import ReviewOutcome
    from clinic_tui.domain.review import ActionStatus
    from clinic_tui.domain.views import PupilViews

    review.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    for action in review.earlier_actions:
        review.set_action_outcome(action.id, ActionStatus.DONE, "Done")
    for pupil_id in review.pupil_ids:
        review.set_pupil_views(pupil_id, PupilViews.in_own_words("Better now."))
    review.set_outcome(ReviewOutcome.CLOSE, note="Full attendance since the meeting")
    # The review starts with a next review date six school weeks on, which a closed case must not keep.
    assert [item.step for item in review.missing()] == [StepId.REVIEW_DATE]
    review.clear_review_date()
    missing = session.days.finalise(review)
    assert missing == [], missing
    assert session.reviews.due(clock.now().date()) == []
    with pytest.raises(InvalidTransition):
        review.clear_review_date()


def test_review_joins_todays_clinic_day(workspace):
    from clinic_tui.services.demo_reviews import seed_demo_reviews

    clock = ManualClock(MEETING_DAY.replace(month=3, day=10))
    session = demo_session(workspace, clock)
    seed_demo_reviews(workspace, session.vault, clock)
    today = session.days.today()
    due = session.reviews.due(clock.now().date())[0]
    meeting_day = session.days.store.records_day(due.record_id)

    review = session.reviews.start_review(due.record_id)
    session.days.raise_concern(review, StepId.PUPIL_VIEWS, "Says an older boy waits for him after school.")
    checklist = session.days.safeguarding_checklist(today.id)
    session.close()

    assert meeting_day != today.id
    assert [item.record_id for item in checklist] == [review.id]
