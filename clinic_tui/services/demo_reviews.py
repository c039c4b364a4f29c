"""Earlier meetings for the demo profile, finalised six or seven school weeks ago, so that reviews fall due now.

The demo school's marks run up to the day before the demo date, so each of
these meetings has six school weeks of marks before it and five or six
since, and its review shows a real change in attendance.
"""

from __future__ import annotations

import datetime as dt
import logging

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.day_settings import DaySettings
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.planning import sibling_groups
from clinic_tui.domain.social_care import SocialWorkerAnswer
from clinic_tui.domain.views import PupilViews
from clinic_tui.services.clock import LOCAL_ZONE, Clock, ManualClock
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

# School weeks between each earlier meeting and the demo date, and the day its
# review was agreed for, in days from the demo date: one overdue, one today, one later this week.
_WEEKS_AGO = (7, 6, 6)
_REVIEW_IN_DAYS = (-3, 0, 3)
_OFFICER = "Demo Officer"
_BARRIERS = (
    (Barrier.ROUTINES_SLEEP, "Late nights on a games console; mornings are a struggle."),
    (Barrier.TRANSPORT, "The school bus is often full by the last stop."),
    (Barrier.MENTAL_HEALTH, "Worries about tests in maths and science."),
)


def seed_demo_reviews(workspace: Workspace, vault: Vault, clock: Clock) -> list[str]:
    """Hold and finalise the demo's earlier meetings, and return their record ids."""
    from clinic_tui.services.session import Session

    today = clock.now().date()
    session = Session(workspace, vault, clock)
    families = _families(session)
    weeks = session.attendance.calendar().school_weeks_before(today, max(_WEEKS_AGO))

    record_ids = []
    for index, (weeks_ago, family) in enumerate(zip(_WEEKS_AGO, families, strict=False)):
        # Tuesday of that school week, or its first school day.
        week = weeks[len(weeks) - weeks_ago]
        meeting_day = min(week.first_day + dt.timedelta(days=1), week.last_day)
        record_ids.append(_hold_meeting(workspace, vault, meeting_day, today, family, index))
    log.info("demo earlier meetings finalised count=%d", len(record_ids))
    return record_ids


def _families(session) -> list[list[str]]:
    """Return families of persistently absent pupils who are not on today's clinic day."""
    rows = session.attendance.rows()
    siblings = {pupil_id for group in sibling_groups({row.id: row.pupil for row in rows}) for pupil_id in group}
    day = session.days.today()
    booked = {pupil_id for slot in day.slots for pupil_id in slot.family} if day else set()
    chosen = [
        [row.id]
        for row in sorted(rows, key=lambda row: row.pupil.upn)
        if row.measures.persistent_absence
        and not row.measures.severe_absence
        and row.id not in siblings
        and row.id not in booked
    ]
    return chosen[: len(_WEEKS_AGO)]


def _hold_meeting(
    workspace: Workspace, vault: Vault, on: dt.date, today: dt.date, family: list[str], index: int
) -> str:
    """Run one meeting on the day ``on`` at 10:00 with synthetic content, finalise it and return its id.

    Its review is set for a day near ``today``, the demo date.
    """
    from clinic_tui.services.session import Session

    clock = ManualClock(dt.datetime.combine(on, dt.time(9, 55), tzinfo=LOCAL_ZONE))
    session = Session(workspace, vault, clock)
    school = session.attendance.school()
    settings = DaySettings(
        date=on,
        school_name=school.name,
        school_urn=school.urn,
        room="Meeting room 2",
        start=dt.time(10, 0),
        slot_minutes=30,
    )
    day = session.days.create_day(settings)
    slot = session.days.add_slot(day, family, Mode.IN_PERSON)
    clock.set(dt.datetime.combine(on, dt.time(10, 0), tzinfo=LOCAL_ZONE))
    record = session.days.start_meeting(day, slot.id)
    _fill(record, session, on, today, index)
    missing = session.days.finalise(record)
    if missing:
        raise RuntimeError(f"the demo meeting is incomplete: {[item.message for item in missing]}")
    session.days.finish_slot(session.days.load(day.id), slot.id)
    return record.id


def _fill(record: MeetingRecord, session, on: dt.date, today: dt.date, index: int) -> None:
    pupils = [session.attendance.pupils.get(pupil_id) for pupil_id in record.pupil_ids]
    contact = next((pupil.contacts[0].name for pupil in pupils if pupil.contacts), "Parent or carer")
    record.add_attendee(Attendee(contact, Role.PARENT_CARER))
    record.add_attendee(Attendee(_OFFICER, Role.EWO))
    record.confirm_information_sharing()
    if record.has_child_plan:
        record.set_social_worker(SocialWorkerAnswer.will_be_informed(_OFFICER, on))

    for pupil_id in record.pupil_ids:
        record.set_pupil_views(pupil_id, PupilViews.in_own_words("I find it hard to get up."))
    record.set_parent_views("Mornings are a battle and we would like help with a routine.")
    barrier, notes = _BARRIERS[index % len(_BARRIERS)]
    record.set_barrier(barrier, notes)
    record.add_action(Action(OwnerType.PARENT_CARER, "Parent", "Set a bedtime and an alarm", on + dt.timedelta(days=7)))
    record.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Daily check-in at the gate", on + dt.timedelta(days=3)))
    record.set_attendance_target(95)
    record.set_next_step(NextStep.REVIEW_MEETING, "Review in about six school weeks.")
    record.set_review_date(_weekday_near(today, _REVIEW_IN_DAYS[index % len(_REVIEW_IN_DAYS)]))


def _weekday_near(today: dt.date, days: int) -> dt.date:
    """Return the day ``days`` from ``today``, moved on in the same direction past a weekend."""
    day = today + dt.timedelta(days=days)
    step = dt.timedelta(days=-1 if days < 0 else 1)
    while day.weekday() >= 5:
        day += step
    return day
