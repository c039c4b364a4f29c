"""Changes to clinic day slots: reorder, move, rearrange, history, privacy and storage."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.attendees import Mode, PlannedAttendee, Role
from clinic_tui.domain.checks import InvalidTransition, InvalidValue
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.day_settings import Break, DaySettings
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.serialisation import InvalidRecordData
from clinic_tui.domain.slots import (
    ContactAttempt,
    DidNotAttend,
    FollowUpKind,
    FollowUpStatus,
    SlotEventKind,
    SlotStatus,
)
from clinic_tui.domain.timeline import privacy_label, year_label

LONDON = ZoneInfo("Europe/London")
DAY = dt.date(2025, 3, 4)
NEXT_DAY = dt.date(2025, 3, 5)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def settings(day: dt.date = DAY) -> DaySettings:
    return DaySettings(
        date=day,
        school_name="Riverside Academy",
        school_urn="123456",
        room="Room 4",
        start=dt.time(9, 0),
        slot_minutes=30,
        breaks=(Break(dt.time(10, 30), dt.time(10, 45), "Break"),),
    )


def make_day(count: int = 4) -> tuple[ClinicDay, list[str]]:
    day = ClinicDay(settings())
    ids = [
        day.add_slot(family=[f"pupil-{index}"], mode=Mode.IN_PERSON, now=at(8, 0)).id
        for index in range(count)
    ]
    return day, ids


def order(day: ClinicDay) -> list[str]:
    return [slot.id for slot in day.slots]


def test_move_up_swaps_times_and_logs_both():
    day, (a, b, c, d) = make_day()

    day.move_up(c, at(8, 30))

    assert order(day) == [a, c, b, d]
    assert day.slot(c).start == dt.time(9, 30)
    assert day.slot(b).start == dt.time(10, 0)
    assert day.slot(c).events[-1].kind is SlotEventKind.MOVED
    assert day.slot(c).events[-1].detail == f"moved up from 10:00 to 09:30, swapping with slot {b}"
    assert day.slot(b).events[-1].detail == f"moved from 09:30 to 10:00, swapping with slot {c}"
    assert len(day.slot(a).events) == 1


def test_move_down_skips_past_non_planned():
    day, (a, b, c, d) = make_day()
    day.start_slot(a, at(9, 0))
    day.skip_slot(c, at(9, 5), "Family moved away")

    # C is skipped, so moving B down swaps it with D, the next planned slot.
    day.move_down(b, at(9, 6))

    assert day.slot(b).start == dt.time(10, 45)
    assert day.slot(d).start == dt.time(9, 30)


def test_move_limits_raise():
    day, (a, b, c, d) = make_day()
    day.start_slot(a, at(9, 0))

    with pytest.raises(InvalidTransition, match="already the first planned slot"):
        day.move_up(b, at(9, 1))
    with pytest.raises(InvalidTransition, match="already the last planned slot"):
        day.move_down(d, at(9, 1))
    with pytest.raises(InvalidTransition, match="is in progress, so you cannot move it up"):
        day.move_up(a, at(9, 1))


def test_move_to_free_time():
    day, (a, b, c, d) = make_day()

    day.move_to(d, dt.time(13, 0), at(8, 30), "Parent works mornings")

    assert day.slot(d).start == dt.time(13, 0)
    assert day.slot(d).events[-1].detail == "moved from 10:45 to 13:00: Parent works mornings"
    assert order(day)[-1] == d


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (dt.time(10, 40), "overlaps the break from 10:30 to 10:45"),
        (dt.time(9, 15), "overlaps the slot at 09:00"),
        (dt.time(8, 30), "before the day starts at 09:00"),
        (dt.time(23, 45), "run past midnight"),
    ],
)
def test_move_to_rejects_clash(start, message):
    day, ids = make_day()
    before = day.to_dict()

    with pytest.raises(InvalidValue, match=message):
        day.move_to(ids[3], start, at(8, 30))

    assert day.to_dict() == before


def test_move_to_past_time_rejected():
    day, ids = make_day()

    with pytest.raises(InvalidValue, match="has already passed"):
        day.move_to(ids[3], dt.time(13, 0), at(13, 30))


def test_rearrange_keeps_history_and_links():
    day, (a, b, c, d) = make_day()
    tomorrow = ClinicDay(settings(NEXT_DAY))
    day.move_up(c, at(8, 30))
    history_before = day.slot(c).events

    new = day.rearrange(c, tomorrow, dt.time(9, 0), at(8, 40), "Pupil unwell, parent phoned")

    old = day.slot(c)
    assert old.status is SlotStatus.REARRANGED
    assert old.rearranged_to == new.id
    assert old.events[: len(history_before)] == history_before
    assert [event.kind for event in old.events] == [
        SlotEventKind.CREATED,
        SlotEventKind.MOVED,
        SlotEventKind.REARRANGED,
    ]
    assert old.events[-1].at == at(8, 40)
    assert old.events[-1].detail == f"rearranged to 05/03/2025 at 09:00 (slot {new.id}): Pupil unwell, parent phoned"

    assert new.rearranged_from == old.id
    assert new.status is SlotStatus.PLANNED
    assert new.family == old.family
    assert new.start == dt.time(9, 0)
    assert new.events[0].kind is SlotEventKind.REARRANGED_FROM
    assert new.events[0].detail == f"rearranged from 04/03/2025 at 09:30 (slot {old.id}): Pupil unwell, parent phoned"
    assert tomorrow.slot(new.id) is new
    assert new.id not in order(day)


def test_rearrange_same_day_reuses_freed_time():
    day, (a, b, c, d) = make_day()

    new = day.rearrange(b, day, dt.time(11, 15), at(8, 40), "Interpreter only free later")

    assert day.slot(b).status is SlotStatus.REARRANGED
    assert day.slot(new.id).start == dt.time(11, 15)
    assert order(day) == [a, b, c, d, new.id]


def test_rearrange_into_clash_changes_nothing():
    day, (a, b, c, d) = make_day()
    tomorrow = ClinicDay(settings(NEXT_DAY))
    tomorrow.add_slot(family=["other"], mode=Mode.PHONE, now=at(8, 0))
    day_before = day.to_dict()
    tomorrow_before = tomorrow.to_dict()

    with pytest.raises(InvalidValue, match="overlaps the slot at 09:00"):
        day.rearrange(b, tomorrow, dt.time(9, 0), at(8, 40), "Clash")

    assert day.to_dict() == day_before
    assert tomorrow.to_dict() == tomorrow_before


def test_finished_slot_cannot_change():
    day, (a, b, c, d) = make_day()
    day.start_slot(a, at(9, 0))
    day.finish_slot(a, at(9, 30))

    with pytest.raises(InvalidTransition, match="is finished, so you cannot skip it"):
        day.skip_slot(a, at(9, 31), "reason")
    with pytest.raises(InvalidTransition, match="is finished, so you cannot rearrange it"):
        day.rearrange(a, day, dt.time(13, 0), at(9, 31), "reason")


def test_second_slot_cannot_start():
    day, (a, b, c, d) = make_day()
    day.start_slot(a, at(9, 0))

    with pytest.raises(InvalidTransition, match="the slot at 09:00 is still in progress"):
        day.start_slot(b, at(9, 10))


def test_start_on_other_date_rejected():
    day, ids = make_day()

    with pytest.raises(InvalidTransition, match="cannot start a slot on 05/03/2025"):
        day.start_slot(ids[0], at(9, 0, NEXT_DAY))


def test_dna_before_start_rejected():
    day, ids = make_day()

    with pytest.raises(InvalidTransition, match="has not reached its start time"):
        day.record_did_not_attend(
            ids[1],
            at(9, 10),
            contact=[ContactAttempt.PHONE],
            follow_up=FollowUpKind.PHONE_AGAIN,
            follow_up_due=DAY,
        )


@pytest.mark.parametrize(
    ("contact", "note", "message"),
    [
        ((), "", "contact tried is empty"),
        ((ContactAttempt.NONE,), "", "Say why no contact was tried"),
        ((ContactAttempt.NONE, ContactAttempt.PHONE), "x", "cannot be 'none' together"),
        ((ContactAttempt.TEXT, ContactAttempt.TEXT), "", "lists the same attempt twice"),
    ],
)
def test_dna_contact_rules(contact, note, message):
    with pytest.raises(InvalidValue, match=message):
        DidNotAttend(at(9, 15), contact, note)


def test_reinstate_dna_cancels_follow_up():
    day, (a, b, c, d) = make_day()
    task = day.record_did_not_attend(
        a,
        at(9, 11),
        contact=[ContactAttempt.NONE],
        note="No number on file",
        follow_up=FollowUpKind.SEND_DNA_LETTER,
        follow_up_due=NEXT_DAY,
    )

    day.reinstate_slot(a, at(9, 14), "Family arrived late")

    slot = day.slot(a)
    assert slot.status is SlotStatus.PLANNED
    assert slot.did_not_attend is None
    assert [event.kind for event in slot.events] == [
        SlotEventKind.CREATED,
        SlotEventKind.DID_NOT_ATTEND,
        SlotEventKind.REINSTATED,
    ]
    assert day.follow_ups[0].id == task.id
    assert day.follow_ups[0].status is FollowUpStatus.CANCELLED
    assert day.follow_ups[0].closed_at == at(9, 14)


def test_close_follow_up():
    day, (a, *_rest) = make_day()
    task = day.record_did_not_attend(
        a,
        at(9, 11),
        contact=[ContactAttempt.TEXT],
        follow_up=FollowUpKind.OTHER,
        follow_up_due=NEXT_DAY,
        follow_up_detail="Ask school to arrange a home visit",
    )

    closed = day.close_follow_up(task.id, FollowUpStatus.DONE, at(15, 0))

    assert closed.status is FollowUpStatus.DONE
    assert day.follow_ups == (closed,)
    with pytest.raises(InvalidTransition, match="already done"):
        day.close_follow_up(task.id, FollowUpStatus.CANCELLED, at(15, 1))


def test_events_only_append():
    day, (a, b, c, d) = make_day()
    day.set_attendees(b, [PlannedAttendee(Role.PARENT_CARER), PlannedAttendee(Role.SENDCO, "J. Okafor")], at(8, 10))
    snapshots = [day.slot(b).events]

    day.move_down(b, at(8, 20))
    snapshots.append(day.slot(b).events)
    day.move_up(b, at(8, 25))
    snapshots.append(day.slot(b).events)
    day.start_slot(b, at(9, 31))
    snapshots.append(day.slot(b).events)
    day.finish_slot(b, at(9, 58))
    snapshots.append(day.slot(b).events)

    for earlier, later in zip(snapshots, snapshots[1:]):
        assert len(later) == len(earlier) + 1
        assert later[: len(earlier)] == earlier
    assert day.slot(b).events[1].detail == (
        "planned attendees: parent or carer, special educational needs co-ordinator (SENDCO)"
    )
    assert day.slot(b).started_at == at(9, 31)
    assert day.slot(b).finished_at == at(9, 58)


def test_privacy_label_initials_and_year_only():
    pupils = {
        "p1": Pupil(upn="A123", surname="Nguyen", forename="Zoe", year_group="9"),
        "p2": Pupil(upn="A124", surname="Nguyen", forename="Amelia", preferred_name="Millie", year_group="R"),
        "p3": Pupil(upn="A125", surname="Nguyen", forename="Sam", year_group=""),
    }
    day = ClinicDay(settings())
    slot = day.add_slot(family=["p1", "p2", "p3", "p-missing"], mode=Mode.IN_PERSON, now=at(8, 0))

    label = privacy_label(slot, pupils)

    assert label == "ZN Y9, MN Rec, SN, ?"
    for pupil in pupils.values():
        for name in (pupil.surname, pupil.forename, pupil.preferred_name):
            if name:
                assert name not in label


def test_year_label_forms():
    assert year_label("07") == "Y7"
    assert year_label("11") == "Y11"
    assert year_label("r") == "Rec"
    assert year_label("N1") == "N1"
    assert year_label("") == ""


def test_day_round_trip_through_json():
    day, (a, b, c, d) = make_day()
    day.start_slot(a, at(9, 2))
    day.finish_slot(a, at(9, 33))
    day.record_did_not_attend(
        b,
        at(9, 45),
        contact=[ContactAttempt.PHONE],
        follow_up=FollowUpKind.SEND_DNA_LETTER,
        follow_up_due=NEXT_DAY,
    )
    day.rearrange(c, day, dt.time(13, 0), at(9, 46), "Parent asked for afternoon")
    day.start_slot(d, at(10, 45))

    stored = json.loads(json.dumps(day.to_dict()))
    loaded = ClinicDay.from_dict(stored)

    assert loaded.to_dict() == day.to_dict()
    assert loaded.current_slot() is not None
    assert loaded.current_slot().id == d
    assert loaded.timeline(at(10, 50)) == day.timeline(at(10, 50))
    assert loaded.slot(c).rearranged_to is not None


def test_day_from_dict_rejects_unknown_key():
    day, _ = make_day()
    stored = day.to_dict()
    stored["slots"][1]["colour"] = "red"

    with pytest.raises(InvalidRecordData, match=r"clinic_day\.slots\[1\]: unknown key 'colour'") as raised:
        ClinicDay.from_dict(stored)

    assert "Update the app" in str(raised.value)


def test_day_from_dict_rejects_bad_values():
    day, _ = make_day()

    stored = day.to_dict()
    stored["settings"]["school_urn"] = "12345"
    with pytest.raises(InvalidRecordData, match=r"clinic_day\.settings: school URN '12345' is invalid"):
        ClinicDay.from_dict(stored)

    stored = day.to_dict()
    stored["slots"][0]["start"] = "9am"
    with pytest.raises(InvalidRecordData, match=r"clinic_day\.slots\[0\]\.start: invalid time '9am', expected HH:MM"):
        ClinicDay.from_dict(stored)

    stored = day.to_dict()
    stored["slots"][0]["status"] = "finished"
    expected = r"clinic_day\.slots\[0\]\.started_at: a finished slot needs a start time"
    with pytest.raises(InvalidRecordData, match=expected):
        ClinicDay.from_dict(stored)

    stored = day.to_dict()
    stored["schema_version"] = 2
    with pytest.raises(InvalidRecordData, match="schema version 2 is newer than this app reads"):
        ClinicDay.from_dict(stored)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"school_urn": "12345"}, "A URN has exactly six digits"),
        ({"slot_minutes": 0}, "slot length 0 minutes is outside 5 to 240"),
        ({"school_name": " "}, "school name is empty"),
        ({"timezone": "Mars/Olympus"}, "time zone 'Mars/Olympus' is unknown"),
        (
            {"breaks": (Break(dt.time(12), dt.time(13)), Break(dt.time(12, 30), dt.time(13, 30)))},
            "the breaks at 12:00 and 12:30 overlap",
        ),
    ],
)
def test_day_settings_validation(changes, message):
    values = {
        "date": DAY,
        "school_name": "Riverside Academy",
        "school_urn": "123456",
        "room": "",
        "start": dt.time(9),
        "slot_minutes": 30,
    }
    values.update(changes)

    with pytest.raises(InvalidValue, match=message):
        DaySettings(**values)


def test_day_full_rejects_slot():
    small = DaySettings(
        date=DAY, school_name="Riverside Academy", school_urn="123456", room="", start=dt.time(23, 0), slot_minutes=30
    )
    day = ClinicDay(small)
    day.add_slot(family=["p1"], mode=Mode.IN_PERSON, now=at(8))
    day.add_slot(family=["p2"], mode=Mode.IN_PERSON, now=at(8))

    with pytest.raises(InvalidValue, match="no free time left on this day"):
        day.add_slot(family=["p3"], mode=Mode.IN_PERSON, now=at(8))


def test_family_needs_unique_pupils():
    day = ClinicDay(settings())

    with pytest.raises(InvalidValue, match="family is empty"):
        day.add_slot(family=[], mode=Mode.IN_PERSON, now=at(8))
    with pytest.raises(InvalidValue, match="lists pupil 'p1' twice"):
        day.add_slot(family=["p1", "p1"], mode=Mode.IN_PERSON, now=at(8))
