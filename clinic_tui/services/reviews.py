"""Reviews: which finalised meetings are due a review, and starting the review meeting.

A review compares attendance in the 6 school weeks since the meeting with
the 6 school weeks before it, from the marks in the vault, so fresh marks
should be imported before the review.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from clinic_tui.domain.attendance import count_sessions
from clinic_tui.domain.attendance_types import percentage
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.meeting import default_review_date
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.timeline import year_label
from clinic_tui.services.attendance import AttendanceService
from clinic_tui.services.days import DayService

log = logging.getLogger(__name__)

REVIEW_WEEKS = 6


@dataclass(frozen=True)
class DueReview:
    """A finalised meeting or review whose review date has come or is near."""

    record_id: str
    kind: str
    pupil_ids: tuple[str, ...]
    label: str
    review_date: dt.date
    bucket: str
    draft_review_id: str | None = None


@dataclass(frozen=True)
class AttendanceChange:
    """Attendance rates in the school weeks before a meeting and since it."""

    before: Decimal | None
    after: Decimal | None
    weeks_before: int
    weeks_after: int

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


class ReviewService:
    """Reviews due, and review meetings, for one unlocked vault."""

    def __init__(self, days: DayService, attendance: AttendanceService) -> None:
        self.days = days
        self.attendance = attendance

    def due(self, today: dt.date, horizon_days: int = 7) -> list[DueReview]:
        """Return reviews that are overdue, due today or due within ``horizon_days``.

        A record counts as reviewed once a finalised review of it exists.
        Buckets: "overdue", "today", "this week" (in the next 7 days, a rolling week) and, with a
        horizon longer than 7 days, "later".
        """
        store = self.days.store
        finalised = []
        reviewed: set[str] = set()
        drafts: dict[str, str] = {}
        for row in store.records():
            record = store.load_record(row.id)
            if isinstance(record, ReviewRecord):
                if record.is_finalised:
                    reviewed.add(record.reviewed_record_id)
                else:
                    drafts[record.reviewed_record_id] = record.id
            # A finalised review that closed the case has no review date, so it is never due.
            if record.is_finalised and record.review_date is not None:
                finalised.append(record)

        pupils = {row.id: row.pupil for row in self.attendance.rows()}
        due = []
        for record in finalised:
            if record.id in reviewed:
                continue
            when = record.review_date
            assert when is not None
            if when < today:
                bucket = "overdue"
            elif when == today:
                bucket = "today"
            elif (when - today).days > horizon_days:
                continue
            elif (when - today).days <= 7:
                bucket = "this week"
            else:
                bucket = "later"
            label = ", ".join(
                f"{pupils[pupil_id].initials} {year_label(pupils[pupil_id].year_group)}" if pupil_id in pupils else "?"
                for pupil_id in record.pupil_ids
            )
            due.append(
                DueReview(record.id, record.RECORD_TYPE, record.pupil_ids, label, when, bucket, drafts.get(record.id))
            )
        order = {"overdue": 0, "today": 1, "this week": 2, "later": 3}
        due.sort(key=lambda item: (order[item.bucket], item.review_date))
        return due

    def attendance_change(self, pupil_ids: tuple[str, ...], meeting_date: dt.date, today: dt.date) -> AttendanceChange:
        """Compare the family's attendance in the 6 school weeks before the meeting and since it.

        The weeks since stop at the day before ``today``, because today's
        registers may still be open. Siblings' sessions are added together.
        """
        calendar = self.attendance.calendar()
        before_weeks = calendar.school_weeks_before(meeting_date, REVIEW_WEEKS)
        after_weeks = [week for week in calendar.school_weeks_after(meeting_date, REVIEW_WEEKS) if week.first_day < today]

        def rate(weeks) -> Decimal | None:
            if not weeks:
                return None
            start, end = weeks[0].first_day, min(weeks[-1].last_day, today - dt.timedelta(days=1))
            attending = possible = 0
            for pupil_id in pupil_ids:
                marks = [(mark.date, mark.session.value, mark.code) for mark in self.attendance.marks(pupil_id)]
                counts = count_sessions(marks, start, end)
                attending += counts.present + counts.approved_activity
                possible += counts.possible
            return percentage(attending, possible)

        return AttendanceChange(rate(before_weeks), rate(after_weeks), len(before_weeks), len(after_weeks))

    def start_review(self, record_id: str, mode: Mode = Mode.IN_PERSON) -> ReviewRecord:
        """Start (or return the draft of) the review of a finalised meeting or review."""
        for row in self.days.store.records():
            if row.kind == "review" and row.state == "draft":
                draft = self.days.store.load_record(row.id)
                if isinstance(draft, ReviewRecord) and draft.reviewed_record_id == record_id:
                    self.days.set_resume(draft.id, self.days.resume_step(draft.id))
                    return draft

        meeting = self.days.store.load_record(record_id)
        now = self.days.clock.now()
        review = ReviewRecord.for_meeting(meeting, author=self.days.vault.profile_name, now=now, mode=mode)
        change = self.attendance_change(meeting.pupil_ids, meeting.meeting_date, now.date())
        if change.before is not None and change.after is not None:
            review.set_attendance(float(change.before), float(change.after))
        try:
            review.set_review_date(default_review_date(now.date(), self.attendance.calendar().add_school_weeks))
        except ValueError:
            log.warning("no default review date record_id=%s", review.id)

        # The review belongs to today's clinic day when there is one, so its safeguarding concerns are
        # on today's end-of-day checklist and it counts in today's summary. Otherwise it joins the day
        # of the meeting under review.
        today = self.days.today()
        day_id = today.id if today is not None else self.days.store.records_day(record_id)
        with self.days.vault.transaction():
            self.days.store.create_record(review, day_id)
            self.days.set_resume(review.id, StepId.ATTENDEES)
        log.info("review started record_id=%s reviews=%s", review.id, record_id)
        return review
