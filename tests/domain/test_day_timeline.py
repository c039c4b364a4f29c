"""Hand-worked timelines of one clinic day with a fixed clock.

The day: Tuesday 4 March 2025 (GMT) at a school room, from 09:00 with
30-minute slots and a break from 10:30 to 10:45. Slots A to E are planned
for 09:00, 09:30, 10:00, 10:45 and 11:15.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.day_settings import Break, DaySettings
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind, SlotStatus

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2025, 3, 4)
MINUTE = dt.timedelta(minutes=1)


def at(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LONDON)


def make_day() -> tuple[ClinicDay, dict[str, str]]:
    settings = DaySettings(
        date=DAY,
        school_name="Riverside Academy",
        school_urn="123456",
        room="Room 4",
        start=dt.time(9, 0),
        slot_minutes=30,
        breaks=(Break(dt.time(10, 30), dt.time(10, 45)),),
    )
    day = ClinicDay(settings)
    ids = {}
    for name in "ABCDE":
        slot = day.add_slot(family=[f"pupil-{name}"], mode=Mode.IN_PERSON, now=at(8, 0))
        ids[name] = slot.id
    return day, ids


def entry(day: ClinicDay, slot_id: str, now: dt.datetime):
    return next(item for item in day.timeline(now) if item.slot_id == slot_id)


def test_add_slot_places_slots_around_break():
    day, ids = make_day()

    starts = [day.slot(ids[name]).start for name in "ABCDE"]

    assert starts == [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 45), dt.time(11, 15)]


def test_timeline_on_time():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 0))
    now = at(9, 10)

    timeline = day.timeline(now)

    assert [item.projected_start for item in timeline] == [at(9, 0), at(9, 30), at(10, 0), at(10, 45), at(11, 15)]
    assert [item.planned_start for item in timeline] == [at(9, 0), at(9, 30), at(10, 0), at(10, 45), at(11, 15)]
    assert all(item.delay == dt.timedelta(0) for item in timeline)
    assert day.running_late_by(now) == dt.timedelta(0)

    clock = day.clock(now)
    assert clock is not None
    assert clock.slot_id == ids["A"]
    assert clock.due_end == at(9, 30)
    assert clock.remaining == 20 * MINUTE
    assert clock.overrun == dt.timedelta(0)
    assert clock.warning is False


def test_clock_five_minute_warning_boundaries():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 0))

    just_before = day.clock(at(9, 24, 59))
    at_five = day.clock(at(9, 25))
    at_end = day.clock(at(9, 30))

    assert just_before is not None
    assert at_five is not None
    assert at_end is not None
    assert just_before.warning is False
    assert at_five.warning is True
    assert at_five.remaining == 5 * MINUTE
    assert at_end.warning is True
    assert at_end.remaining == dt.timedelta(0)
    assert at_end.is_overrunning is False


def test_clock_overrun_and_projection():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 0))
    now = at(9, 37)

    clock = day.clock(now)

    assert clock is not None
    assert clock.overrun == 7 * MINUTE
    assert clock.remaining == dt.timedelta(0)
    assert clock.warning is False
    assert clock.is_overrunning is True

    # A runs on until now, so B and C slide by 7 minutes. C then ends at
    # 10:37 inside the break, so D at 10:45 is back on time.
    assert entry(day, ids["A"], now).projected_end == at(9, 37)
    assert entry(day, ids["B"], now).projected_start == at(9, 37)
    assert entry(day, ids["C"], now).projected_start == at(10, 7)
    assert entry(day, ids["C"], now).projected_end == at(10, 37)
    assert entry(day, ids["D"], now).projected_start == at(10, 45)
    assert entry(day, ids["D"], now).delay == dt.timedelta(0)
    assert day.running_late_by(now) == 7 * MINUTE


def test_late_start_moves_due_end():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 5))
    day.finish_slot(ids["A"], at(9, 40))
    day.start_slot(ids["B"], at(9, 42))
    now = at(9, 50)

    clock = day.clock(now)
    timeline = {item.slot_id: item for item in day.timeline(now)}

    assert clock is not None
    assert clock.due_end == at(10, 12)
    assert clock.remaining == 22 * MINUTE
    assert timeline[ids["A"]].actual_start == at(9, 5)
    assert timeline[ids["A"]].actual_end == at(9, 40)
    assert timeline[ids["A"]].projected_end == at(9, 40)
    assert timeline[ids["B"]].projected_start == at(9, 42)
    assert timeline[ids["B"]].projected_end == at(10, 12)
    assert timeline[ids["C"]].projected_start == at(10, 12)
    assert timeline[ids["C"]].delay == 12 * MINUTE
    assert timeline[ids["D"]].projected_start == at(10, 45)
    assert day.running_late_by(now) == 12 * MINUTE


def test_running_late_pushes_past_break():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 0))
    day.finish_slot(ids["A"], at(9, 30))
    day.start_slot(ids["B"], at(9, 30))
    now = at(10, 20)

    timeline = {item.slot_id: item for item in day.timeline(now)}

    # B was due to end at 10:00 and is still going, so the officer is free
    # at 10:20 at the earliest.
    assert timeline[ids["B"]].projected_end == at(10, 20)
    assert timeline[ids["C"]].projected_start == at(10, 20)
    assert timeline[ids["C"]].delay == 20 * MINUTE
    assert timeline[ids["D"]].projected_start == at(10, 50)
    assert timeline[ids["D"]].delay == 5 * MINUTE
    assert timeline[ids["E"]].projected_start == at(11, 20)
    assert timeline[ids["E"]].delay == 5 * MINUTE
    assert day.running_late_by(now) == 20 * MINUTE


def test_unstarted_slot_projects_from_now():
    day, ids = make_day()
    now = at(9, 6)

    timeline = {item.slot_id: item for item in day.timeline(now)}

    assert timeline[ids["A"]].projected_start == at(9, 6)
    assert timeline[ids["B"]].projected_start == at(9, 36)
    assert day.running_late_by(now) == 6 * MINUTE
    assert day.clock(now) is None


def test_dna_offered_after_grace():
    day, ids = make_day()

    assert day.dna_candidates(at(9, 9, 59)) == []
    offered = day.dna_candidates(at(9, 10))
    assert [slot.id for slot in offered] == [ids["A"]]

    custom = day.dna_candidates(at(9, 5), grace=5 * MINUTE)
    assert [slot.id for slot in custom] == [ids["A"]]


def test_dna_grace_runs_from_overrun_end():
    day, ids = make_day()
    day.start_slot(ids["A"], at(9, 0))

    # Nothing is offered while a meeting is in progress.
    assert day.dna_candidates(at(9, 44)) == []

    day.finish_slot(ids["A"], at(9, 45))

    assert day.dna_candidates(at(9, 54)) == []
    assert [slot.id for slot in day.dna_candidates(at(9, 55))] == [ids["B"]]


def test_dna_recorded_frees_timeline():
    day, ids = make_day()

    task = day.record_did_not_attend(
        ids["A"],
        at(9, 12),
        contact=[ContactAttempt.PHONE, ContactAttempt.RECEPTION],
        note="Voicemail left",
        follow_up=FollowUpKind.SEND_DNA_LETTER,
        follow_up_due=dt.date(2025, 3, 5),
    )

    slot = day.slot(ids["A"])
    assert slot.status is SlotStatus.DID_NOT_ATTEND
    assert slot.did_not_attend is not None
    assert slot.did_not_attend.contact == (ContactAttempt.PHONE, ContactAttempt.RECEPTION)
    assert slot.did_not_attend.note == "Voicemail left"
    assert slot.did_not_attend.recorded_at == at(9, 12)
    assert day.follow_ups == (task,)
    assert task.slot_id == ids["A"]
    assert task.pupil_ids == ("pupil-A",)
    assert task.due == dt.date(2025, 3, 5)
    assert slot.events[-1].detail == (
        "contact tried: phone, at reception. Follow-up: send did-not-attend letter by 05/03/2025"
    )

    now = at(9, 12)
    assert entry(day, ids["A"], now).projected_start is None
    assert entry(day, ids["B"], now).projected_start == at(9, 30)
    assert day.running_late_by(now) == dt.timedelta(0)
    assert day.dna_candidates(at(9, 20)) == []


def test_skip_frees_time_and_keeps_reason():
    day, ids = make_day()

    day.skip_slot(ids["B"], at(8, 50), "Pupil in hospital this week")
    now = at(9, 0)

    assert day.slot(ids["B"]).status is SlotStatus.SKIPPED
    assert day.slot(ids["B"]).events[-1].detail == "Pupil in hospital this week"
    assert entry(day, ids["B"], now).projected_start is None
    assert entry(day, ids["C"], now).projected_start == at(10, 0)


def test_timezone_summer_time():
    settings = DaySettings(
        date=dt.date(2025, 6, 17),
        school_name="Riverside Academy",
        school_urn="123456",
        room="",
        start=dt.time(9, 0),
        slot_minutes=20,
    )
    day = ClinicDay(settings)
    utc_now = dt.datetime(2025, 6, 17, 8, 0, tzinfo=dt.timezone.utc)
    slot = day.add_slot(family=["p1"], mode=Mode.VIDEO, now=utc_now)

    # 08:00 UTC is 09:00 British Summer Time, the slot's planned start.
    day.start_slot(slot.id, utc_now)
    timeline = day.timeline(utc_now + 5 * MINUTE)

    assert day.planned_start(slot).utcoffset() == dt.timedelta(hours=1)
    assert timeline[0].planned_start == utc_now
    assert timeline[0].delay == dt.timedelta(0)
    assert day.running_late_by(utc_now) == dt.timedelta(0)


def test_naive_now_rejected():
    day, _ = make_day()

    with pytest.raises(InvalidValue, match="has no time zone"):
        day.timeline(dt.datetime(2025, 3, 4, 9, 0))
