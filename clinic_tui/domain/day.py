"""A clinic day: one school room, a start time and a list of timed family slots.

Every change goes through a ClinicDay method that takes ``now`` from the
caller, checks the change against the rest of the day and appends an event
to each slot it touches. Timing queries live in ``timeline``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from clinic_tui.domain.attendees import Mode, PlannedAttendee
from clinic_tui.domain.checks import (
    InvalidTransition,
    InvalidValue,
    format_short_date,
    new_id,
    optional_text,
    require_aware,
    require_date,
    require_id,
    require_text,
)
from clinic_tui.domain.day_settings import DaySettings, check_free, check_time, next_free_start
from clinic_tui.domain.serialisation import DictReader, InvalidRecordData, check_schema, converted
from clinic_tui.domain.slots import (
    ContactAttempt,
    DidNotAttend,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Slot,
    SlotEventKind,
    SlotStatus,
    check_planned_attendees,
)
from clinic_tui.domain.timeline import (
    DNA_GRACE,
    SlotClock,
    TimelineEntry,
    build_timeline,
    dna_candidates,
    running_late_by,
    slot_clock,
)

SCHEMA_VERSION = 1


def _hhmm(moment: dt.datetime | dt.time) -> str:
    return f"{moment:%H:%M}"


class ClinicDay:
    """A day of meetings at one school, with its slots and did-not-attend follow-ups."""

    def __init__(self, settings: DaySettings, day_id: str | None = None) -> None:
        if not isinstance(settings, DaySettings):
            raise InvalidValue(f"settings must be DaySettings, got {type(settings).__name__}.")

        self._id = new_id() if day_id is None else require_id(day_id, "clinic day id")
        self._settings = settings
        self._date = settings.date
        self._slots: list[Slot] = []
        self._follow_ups: list[FollowUp] = []

    # Settings and look-ups.

    @property
    def id(self) -> str:
        return self._id

    @property
    def settings(self) -> DaySettings:
        return self._settings

    @property
    def date(self) -> dt.date:
        return self._date

    @property
    def slot_length(self) -> dt.timedelta:
        return self._settings.slot_length

    @property
    def slots(self) -> tuple[Slot, ...]:
        """All slots in planned order, including skipped and rearranged ones."""
        return tuple(sorted(self._slots, key=lambda slot: slot.start))

    @property
    def follow_ups(self) -> tuple[FollowUp, ...]:
        return tuple(self._follow_ups)

    def slot(self, slot_id: str) -> Slot:
        for slot in self._slots:
            if slot.id == slot_id:
                return slot
        raise InvalidValue(
            f"slot {slot_id!r} is not on the clinic day of {format_short_date(self._date)}. "
            "Refresh the timeline and choose the slot again."
        )

    def current_slot(self) -> Slot | None:
        """Return the slot in progress, or None. At most one slot is in progress at a time."""
        return next((slot for slot in self._slots if slot.status is SlotStatus.IN_PROGRESS), None)

    def at(self, time_of_day: dt.time) -> dt.datetime:
        """Return ``time_of_day`` on this day as a timezone-aware datetime."""
        return self._settings.at(time_of_day)

    def planned_start(self, slot: Slot) -> dt.datetime:
        return self.at(slot.start)

    # Timing, delegated to the timeline module.

    def timeline(self, now: dt.datetime) -> list[TimelineEntry]:
        return build_timeline(self, now)

    def running_late_by(self, now: dt.datetime) -> dt.timedelta:
        return running_late_by(self, now)

    def clock(self, now: dt.datetime) -> SlotClock | None:
        return slot_clock(self, now)

    def dna_candidates(self, now: dt.datetime, grace: dt.timedelta = DNA_GRACE) -> list[Slot]:
        return dna_candidates(self, now, grace)

    # Planning.

    def add_slot(
        self,
        *,
        family: Sequence[str],
        mode: Mode,
        now: dt.datetime,
        attendees: Iterable[PlannedAttendee] = (),
        start: dt.time | None = None,
    ) -> Slot:
        """Add a slot at ``start``, or at the first free time after the last slot and any break."""
        require_aware(now, "now")
        if start is None:
            start = next_free_start(self._settings, self._slots)
        else:
            check_free(self._settings, self._slots, check_time(start, "slot start"), exclude=None)

        slot = Slot(family=family, mode=mode, start=start, attendees=attendees)
        slot._append(now, SlotEventKind.CREATED, f"planned for {_hhmm(start)}")
        self._slots.append(slot)
        return slot

    def set_attendees(self, slot_id: str, attendees: Iterable[PlannedAttendee], now: dt.datetime) -> None:
        require_aware(now, "now")
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED, SlotStatus.IN_PROGRESS), "change its attendees")

        slot._attendees = check_planned_attendees(attendees)
        roles = ", ".join(attendee.role.label for attendee in slot._attendees) or "none"
        slot._append(now, SlotEventKind.ATTENDEES_CHANGED, f"planned attendees: {roles}")

    def _slot_in(self, slot_id: str, allowed: tuple[SlotStatus, ...], action: str) -> Slot:
        slot = self.slot(slot_id)
        if slot.status not in allowed:
            allowed_labels = " or ".join(status.label for status in allowed)
            raise InvalidTransition(
                f"slot {slot_id} is {slot.status.label}, so you cannot {action}. "
                f"Only a {allowed_labels} slot allows that."
            )
        return slot

    def _check_on_day(self, now: dt.datetime, action: str) -> None:
        require_aware(now, "now")
        local = now.astimezone(self._settings.tzinfo).date()
        if local != self._date:
            raise InvalidTransition(
                f"cannot {action} on {format_short_date(local)} because the clinic day is "
                f"{format_short_date(self._date)}. Check the laptop clock or open the right day."
            )

    # Running the day.

    def start_slot(self, slot_id: str, now: dt.datetime) -> None:
        self._check_on_day(now, "start a slot")
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED,), "start it")

        current = self.current_slot()
        if current is not None:
            raise InvalidTransition(
                f"the slot at {_hhmm(current.start)} is still in progress. Finish it before starting another."
            )

        slot._status = SlotStatus.IN_PROGRESS
        slot._started_at = now
        slot._append(now, SlotEventKind.STARTED)

    def finish_slot(self, slot_id: str, now: dt.datetime) -> None:
        require_aware(now, "now")
        slot = self._slot_in(slot_id, (SlotStatus.IN_PROGRESS,), "finish it")
        assert slot.started_at is not None
        if now < slot.started_at:
            raise InvalidValue(
                f"finish time {now.isoformat()} is before the slot started at "
                f"{slot.started_at.isoformat()}. Check the laptop clock."
            )

        slot._status = SlotStatus.FINISHED
        slot._finished_at = now
        slot._append(now, SlotEventKind.FINISHED)

    def skip_slot(self, slot_id: str, now: dt.datetime, reason: str) -> None:
        require_aware(now, "now")
        require_text(reason, "reason for skipping", "Say why the slot is skipped.")
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED,), "skip it")

        slot._status = SlotStatus.SKIPPED
        slot._append(now, SlotEventKind.SKIPPED, reason)

    def reinstate_slot(self, slot_id: str, now: dt.datetime, reason: str) -> None:
        """Return a skipped or did-not-attend slot to planned, for a family that arrives late.

        Open follow-ups of a did-not-attend slot are cancelled. The slot's
        time must still be free.
        """
        require_aware(now, "now")
        require_text(reason, "reason for reinstating", "Say why the slot is back on.")
        slot = self._slot_in(slot_id, (SlotStatus.SKIPPED, SlotStatus.DID_NOT_ATTEND), "reinstate it")
        check_free(self._settings, self._slots, slot.start, exclude=slot.id)

        for index, follow_up in enumerate(self._follow_ups):
            if follow_up.slot_id == slot.id and follow_up.status is FollowUpStatus.OPEN:
                self._follow_ups[index] = follow_up.closed(FollowUpStatus.CANCELLED, now)

        slot._status = SlotStatus.PLANNED
        slot._did_not_attend = None
        slot._append(now, SlotEventKind.REINSTATED, reason)

    def move_up(self, slot_id: str, now: dt.datetime) -> None:
        """Swap a planned slot with the planned slot before it."""
        self._swap(slot_id, now, earlier=True)

    def move_down(self, slot_id: str, now: dt.datetime) -> None:
        """Swap a planned slot with the planned slot after it."""
        self._swap(slot_id, now, earlier=False)

    def _swap(self, slot_id: str, now: dt.datetime, earlier: bool) -> None:
        require_aware(now, "now")
        direction = "up" if earlier else "down"
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED,), f"move it {direction}")

        planned = [other for other in self.slots if other.status is SlotStatus.PLANNED]
        index = planned.index(slot)
        neighbour_index = index - 1 if earlier else index + 1
        if not 0 <= neighbour_index < len(planned):
            where = "first" if earlier else "last"
            raise InvalidTransition(f"the slot at {_hhmm(slot.start)} is already the {where} planned slot.")
        neighbour = planned[neighbour_index]

        # Every slot has the day's length, so two slots can swap start times
        # without overlapping anything else.
        old_start, new_start = slot.start, neighbour.start
        slot._start, neighbour._start = new_start, old_start
        slot._append(
            now,
            SlotEventKind.MOVED,
            f"moved {direction} from {_hhmm(old_start)} to {_hhmm(new_start)}, swapping with slot {neighbour.id}",
        )
        neighbour._append(
            now,
            SlotEventKind.MOVED,
            f"moved from {_hhmm(new_start)} to {_hhmm(old_start)}, swapping with slot {slot.id}",
        )

    def move_to(self, slot_id: str, start: dt.time, now: dt.datetime, reason: str = "") -> None:
        """Move a planned slot to another free time on the same day."""
        require_aware(now, "now")
        optional_text(reason, "reason for moving")
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED,), "move it")
        check_time(start, "new start")
        check_free(self._settings, self._slots, start, exclude=slot.id)
        self._check_not_past(start, now)

        old_start = slot.start
        slot._start = start
        detail = f"moved from {_hhmm(old_start)} to {_hhmm(start)}"
        slot._append(now, SlotEventKind.MOVED, f"{detail}: {reason}" if reason.strip() else detail)

    def _check_not_past(self, start: dt.time, now: dt.datetime) -> None:
        if self.at(start) < now:
            raise InvalidValue(
                f"{_hhmm(start)} on {format_short_date(self._date)} has already passed. Choose a later time."
            )

    def rearrange(self, slot_id: str, to_day: ClinicDay, start: dt.time, now: dt.datetime, reason: str) -> Slot:
        """Move a family to a new slot on ``to_day``, which may be this day, and link the two slots.

        The old slot keeps its history and becomes rearranged. The new slot
        is planned with the same family, mode and attendees.
        """
        require_aware(now, "now")
        require_text(reason, "reason for rearranging", "Say why the meeting is rearranged.")
        allowed = (SlotStatus.PLANNED, SlotStatus.SKIPPED, SlotStatus.DID_NOT_ATTEND)
        old = self._slot_in(slot_id, allowed, "rearrange it")
        if not isinstance(to_day, ClinicDay):
            raise InvalidValue(f"to_day must be a ClinicDay, got {type(to_day).__name__}.")

        # Check the new time fully before changing either day.
        check_time(start, "new start")
        check_free(to_day.settings, to_day._slots, start, exclude=old.id if to_day is self else None)
        to_day._check_not_past(start, now)

        new = Slot(family=old.family, mode=old.mode, start=start, attendees=old.attendees, rearranged_from=old.id)
        new._append(
            now,
            SlotEventKind.REARRANGED_FROM,
            f"rearranged from {format_short_date(self._date)} at {_hhmm(old.start)} (slot {old.id}): {reason}",
        )
        to_day._slots.append(new)

        old._status = SlotStatus.REARRANGED
        old._rearranged_to = new.id
        old._append(
            now,
            SlotEventKind.REARRANGED,
            f"rearranged to {format_short_date(to_day.date)} at {_hhmm(start)} (slot {new.id}): {reason}",
        )
        return new

    def record_did_not_attend(
        self,
        slot_id: str,
        now: dt.datetime,
        *,
        contact: Iterable[ContactAttempt],
        note: str = "",
        follow_up: FollowUpKind,
        follow_up_due: dt.date,
        follow_up_detail: str = "",
    ) -> FollowUp:
        """Mark a planned slot as did-not-attend and create its follow-up task.

        The slot must have reached its planned start. The grace time only
        decides when the timeline offers it (see ``timeline.dna_candidates``).
        """
        self._check_on_day(now, "record a did-not-attend")
        slot = self._slot_in(slot_id, (SlotStatus.PLANNED,), "record it as did not attend")
        if now < self.planned_start(slot):
            raise InvalidTransition(
                f"the slot at {_hhmm(slot.start)} has not reached its start time yet. "
                "Wait until then, or skip or rearrange it if the family has cancelled."
            )
        require_date(follow_up_due, "follow-up due date")
        if follow_up_due < self._date:
            raise InvalidValue(
                f"follow-up due date {format_short_date(follow_up_due)} is before the clinic day. Choose a later date."
            )

        record = DidNotAttend(now, tuple(contact), note)
        task = FollowUp(slot.id, slot.family, follow_up, follow_up_due, now, follow_up_detail)

        slot._status = SlotStatus.DID_NOT_ATTEND
        slot._did_not_attend = record
        tried = ", ".join(attempt.label for attempt in record.contact)
        slot._append(
            now,
            SlotEventKind.DID_NOT_ATTEND,
            f"contact tried: {tried}. Follow-up: {follow_up.label.lower()} by {format_short_date(follow_up_due)}",
        )
        self._follow_ups.append(task)
        return task

    def close_follow_up(self, follow_up_id: str, status: FollowUpStatus, now: dt.datetime) -> FollowUp:
        """Mark an open follow-up as done or cancelled."""
        require_aware(now, "now")
        if status is FollowUpStatus.OPEN:
            raise InvalidValue("a follow-up can be closed as done or cancelled, not as open.")

        for index, follow_up in enumerate(self._follow_ups):
            if follow_up.id != follow_up_id:
                continue
            if follow_up.status is not FollowUpStatus.OPEN:
                raise InvalidTransition(f"follow-up {follow_up_id} is already {follow_up.status.value}.")
            self._follow_ups[index] = follow_up.closed(status, now)
            return self._follow_ups[index]

        raise InvalidValue(f"follow-up {follow_up_id!r} is not on this clinic day.")

    # Serialisation.

    def to_dict(self) -> dict[str, object]:
        """Return the day as JSON-ready values, for the vault."""
        return {
            "schema_version": SCHEMA_VERSION,
            "record_type": "clinic_day",
            "id": self._id,
            "settings": self._settings.to_dict(),
            "slots": [slot.to_dict() for slot in self._slots],
            "follow_ups": [follow_up.to_dict() for follow_up in self._follow_ups],
        }

    @classmethod
    def from_dict(cls, data: object) -> ClinicDay:
        """Rebuild a day from ``to_dict`` output, rejecting unknown or missing keys."""
        keys = ("schema_version", "record_type", "id", "settings", "slots", "follow_ups")
        check_schema(data, "clinic_day", SCHEMA_VERSION, "clinic_day")
        reader = DictReader(data, "clinic_day", keys)

        settings = DaySettings.from_dict(reader.data["settings"], reader.at("settings"))
        try:
            day = cls(settings, day_id=reader.text("id"))
        except InvalidValue as error:
            raise converted(reader.path, error) from None

        seen: set[str] = set()
        for path, item in reader.items("slots"):
            slot = Slot.from_dict(item, path)
            if slot.id in seen:
                raise InvalidRecordData(path, f"slot id {slot.id} appears twice")
            seen.add(slot.id)
            day._slots.append(slot)

        if sum(slot.status is SlotStatus.IN_PROGRESS for slot in day._slots) > 1:
            raise reader.fail("slots", "more than one slot is in progress")

        day._follow_ups = [FollowUp.from_dict(item, path) for path, item in reader.items("follow_ups")]
        return day
