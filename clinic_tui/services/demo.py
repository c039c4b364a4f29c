"""The demo profile: a synthetic school and a ready-made clinic day, under a fixed passphrase."""

from __future__ import annotations

import datetime as dt
import logging

from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.day_settings import Break, DaySettings
from clinic_tui.domain.planning import sibling_groups, suggest_attendees
from clinic_tui.domain.prepare import Decision, InvitationReason
from clinic_tui.services.clock import Clock, OffsetClock, SystemClock
from clinic_tui.services.demo_reviews import seed_demo_reviews
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault

log = logging.getLogger(__name__)

DEMO_SLOTS = 9
DEMO_OFFSET_KEY = "demo.clock_offset_seconds"
# Outside these hours the demo runs on a clock moved to 08:55, five minutes
# before its first slot, so the timeline shows a school day, not an overrun.
_SCHOOL_HOURS = (dt.time(8, 0), dt.time(16, 0))
_DEMO_MORNING = dt.time(8, 55)
_MODES = (Mode.IN_PERSON, Mode.IN_PERSON, Mode.VIDEO, Mode.IN_PERSON, Mode.PHONE)


def open_demo(
    workspace: Workspace, name: str, passphrase: str, *, reset: bool = False, clock: Clock | None = None
) -> Vault:
    """Make (or reuse) the demo profile and return its unlocked vault."""
    clock = clock or SystemClock()
    profiles = workspace.profiles
    exists = any(info.name == name for info in profiles.list())
    if exists and reset:
        profiles.delete(name)
        exists = False
    if not exists:
        profiles.create(name, passphrase)
        vault = profiles.unlock(name, passphrase)
        try:
            clock = _school_hours_clock(vault, clock)
            seed_demo(workspace, vault, clock)
            _decide_demo_invitations(workspace, vault, clock)
            seed_demo_reviews(workspace, vault, clock)
        except BaseException:
            vault.close()
            profiles.delete(name)
            raise
        log.info("demo profile created")
        return vault
    return profiles.unlock(name, passphrase)


def _school_hours_clock(vault: Vault, clock: Clock) -> Clock:
    """Return ``clock``, or one moved to 08:55 today when it is outside school hours."""
    now = clock.now()
    if _SCHOOL_HOURS[0] <= now.time() <= _SCHOOL_HOURS[1] or not isinstance(clock, SystemClock):
        return clock
    morning = dt.datetime.combine(now.date(), _DEMO_MORNING, tzinfo=now.tzinfo)
    offset = (morning - now).total_seconds()
    with vault.transaction():
        vault.set_meta(DEMO_OFFSET_KEY, str(offset))
    return OffsetClock(offset)


def demo_clock(vault: Vault) -> Clock:
    """Return the clock the demo profile was made with (real time, or moved to school hours)."""
    offset = vault.meta(DEMO_OFFSET_KEY)
    return OffsetClock(float(offset)) if offset else SystemClock()


def _decide_demo_invitations(workspace: Workspace, vault: Vault, clock: Clock) -> None:
    """Record a named decision for each family on the demo day, so its letters can be written.

    The app only suggests; here a synthetic head of year has decided.
    Tests that seed the demo without this step check the rule that no
    letter goes out without a decision.
    """
    from clinic_tui.services.session import Session

    session = Session(workspace, vault, clock)
    day = session.days.today()
    if day is None:
        return
    decided_on = clock.now().date() - dt.timedelta(days=7)
    for slot in day.slots:
        decision = Decision("Sam Taylor", "Head of year", InvitationReason.PERSISTENT_ABSENCE, decided_on)
        session.prepare.decide(slot.family, decision)


def seed_demo(workspace: Workspace, vault: Vault, clock: Clock) -> None:
    """Fill a vault with the synthetic school and a clinic day for today."""
    from clinic_tui.domain.demo_school import generate_school
    from clinic_tui.services.session import Session

    today = clock.now().date()
    school = generate_school(today)
    session = Session(workspace, vault, clock)

    attendance = session.attendance
    attendance.set_school(_school_record(school.school.name, school.school.urn))
    attendance.store_pupils(school.pupils)
    attendance.store_marks(school.all_marks())

    _plan_demo_day(session, today, school.school.name, school.school.urn)


def _school_record(name: str, urn: str):
    from clinic_tui.services.attendance import School

    return School(name, urn)


def _plan_demo_day(session, today: dt.date, school_name: str, urn: str) -> None:
    """Plan a day of persistently absent families, siblings together, in mixed modes."""
    rows = session.attendance.rows()
    by_id = {row.id: row for row in rows}
    families: dict[str, list[str]] = {pupil_id: [pupil_id] for pupil_id in by_id}
    for group in sibling_groups({row.id: row.pupil for row in rows}):
        for pupil_id in group:
            families[pupil_id] = group

    candidates = sorted(
        (row for row in rows if row.measures.persistent_absence and not row.measures.severe_absence),
        key=lambda row: row.measures.attendance_rate or 0,
    )
    chosen: list[list[str]] = []
    seen: set[str] = set()
    for row in candidates:
        family = families[row.id]
        if seen.intersection(family):
            continue
        seen.update(family)
        chosen.append(family)
        if len(chosen) == DEMO_SLOTS:
            break

    settings = DaySettings(
        date=today,
        school_name=school_name,
        school_urn=urn,
        room="Meeting room 2",
        start=dt.time(9, 0),
        slot_minutes=30,
        breaks=(Break(dt.time(10, 30), dt.time(10, 45), "Break"), Break(dt.time(12, 15), dt.time(13, 0), "Lunch")),
    )
    day = session.days.create_day(settings)
    for index, family in enumerate(chosen):
        pupils = [by_id[pupil_id].pupil for pupil_id in family]
        absence = by_id[family[0]].measures.absence_by_code
        session.days.add_slot(
            day, family, _MODES[index % len(_MODES)], attendees=suggest_attendees(pupils, absence)
        )
