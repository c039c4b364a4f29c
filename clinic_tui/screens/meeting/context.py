"""Building the context the steps of a meeting or review read: pupils, planned attendees and attendance since."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from clinic_tui.domain.attendees import PlannedAttendee
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.record import BaseRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.screens.meeting.base import MeetingContext
from clinic_tui.services.clock import Clock
from clinic_tui.services.reviews import AttendanceChange
from clinic_tui.services.session import Session
from clinic_tui.store.errors import VaultError

log = logging.getLogger(__name__)


def meeting_context(session: Session, clock: Clock, record: BaseRecord, day_id: str | None) -> MeetingContext:
    """Return the context for the steps of ``record``, which belongs to the clinic day ``day_id`` if any."""
    attendance_since = partial(_attendance_since, session, clock, record) if isinstance(record, ReviewRecord) else None
    return MeetingContext(
        record, _pupils(session, record), clock.now, _planned_attendees(session, record, day_id), attendance_since
    )


def _pupils(session: Session, record: BaseRecord) -> dict[str, Pupil]:
    pupils = {}
    for pupil_id in record.pupil_ids:
        try:
            pupils[pupil_id] = session.attendance.pupils.get(pupil_id)
        except KeyError:
            log.warning("pupil on a meeting record not found record_id=%s pupil_id=%s", record.id, pupil_id)
    return pupils


def _planned_attendees(session: Session, record: BaseRecord, day_id: str | None) -> tuple[PlannedAttendee, ...]:
    if day_id is None or record.slot_id is None:
        return ()
    try:
        return session.days.load(day_id).slot(record.slot_id).attendees
    except (KeyError, ValueError):
        return ()


def _attendance_since(session: Session, clock: Clock, review: ReviewRecord) -> tuple[dt.date, AttendanceChange] | None:
    """Return the reviewed meeting's date and the attendance change since it, from the marks now in the vault."""
    try:
        reviewed = session.days.load_record(review.reviewed_record_id)
        change = session.reviews.attendance_change(reviewed.pupil_ids, reviewed.meeting_date, clock.now().date())
    except (KeyError, ValueError, VaultError) as error:
        log.error("attendance since the reviewed meeting not read record_id=%s error=%s", review.id, error)
        return None
    return reviewed.meeting_date, change
