"""Settings of a clinic day, and the rules for where a slot fits in it.

The settings are the date, school, room, start time, slot length, breaks
and time zone. Every slot on a day has the same length.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clinic_tui.domain.checks import InvalidValue, optional_text, require_date, require_text
from clinic_tui.domain.serialisation import DictReader, converted
from clinic_tui.domain.slots import Slot

DEFAULT_TIMEZONE = "Europe/London"
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
_URN = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Break:
    """A time in the day when no slot can be planned, such as lunch."""

    start: dt.time
    end: dt.time
    label: str = "Break"

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise InvalidValue(f"break {name} must be a time of day without a time zone.")
        if self.end <= self.start:
            raise InvalidValue(
                f"break from {self.start:%H:%M} to {self.end:%H:%M} ends before it starts. "
                "Check the two times."
            )
        require_text(self.label, "break label")

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"), "label": self.label}

    @classmethod
    def from_dict(cls, data: object, path: str) -> Break:
        reader = DictReader(data, path, ("start", "end", "label"))
        try:
            return cls(reader.time("start"), reader.time("end"), reader.text("label"))
        except InvalidValue as error:
            raise converted(path, error) from None


def check_urn(value: object) -> str:
    text = require_text(value, "school URN", "Enter the school's six-digit URN.")
    if not _URN.fullmatch(text):
        raise InvalidValue(
            f"school URN {text!r} is invalid. A URN has exactly six digits, "
            "as listed on Get Information about Schools."
        )
    return text


def check_time(value: object, field: str) -> dt.time:
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise InvalidValue(f"{field} must be a time of day without a time zone, for example time(9, 30).")
    return value


def check_slot_minutes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"slot length must be a whole number of minutes, got {type(value).__name__}.")
    if not MIN_SLOT_MINUTES <= value <= MAX_SLOT_MINUTES:
        raise InvalidValue(
            f"slot length {value} minutes is outside {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes. "
            "Choose a length in that range."
        )
    return value


def check_breaks(breaks: Iterable[Break]) -> tuple[Break, ...]:
    """Return the breaks sorted by start time, rejecting any that overlap."""
    all_breaks = tuple(breaks)
    for pause in all_breaks:
        if not isinstance(pause, Break):
            raise InvalidValue(f"breaks must be Break values, got {type(pause).__name__}.")

    result = tuple(sorted(all_breaks, key=lambda pause: pause.start))
    for before, after in zip(result, result[1:]):
        if after.start < before.end:
            raise InvalidValue(
                f"the breaks at {_hhmm(before.start)} and {_hhmm(after.start)} overlap. "
                "Merge them or change their times."
            )
    return result


def load_timezone(name: object) -> dt.tzinfo:
    text = require_text(name, "time zone")
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(
            f"time zone {text!r} is unknown. Use an IANA name such as {DEFAULT_TIMEZONE!r}."
        ) from None


@dataclass(frozen=True)
class DaySettings:
    """The fixed facts of a clinic day.

    ``school_urn`` is the school's six-digit unique reference number.
    ``timezone`` is the IANA name of the zone that the day's times are in.
    """

    date: dt.date
    school_name: str
    school_urn: str
    room: str
    start: dt.time
    slot_minutes: int
    breaks: tuple[Break, ...] = ()
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        require_date(self.date, "clinic date")
        require_text(self.school_name, "school name")
        check_urn(self.school_urn)
        optional_text(self.room, "room")
        check_time(self.start, "day start")
        check_slot_minutes(self.slot_minutes)
        object.__setattr__(self, "breaks", check_breaks(self.breaks))
        load_timezone(self.timezone)

    @property
    def slot_length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes)

    @property
    def tzinfo(self) -> dt.tzinfo:
        # ZoneInfo caches instances by name, so this does not reload the file.
        return zoneinfo.ZoneInfo(self.timezone)

    def at(self, time_of_day: dt.time) -> dt.datetime:
        """Return ``time_of_day`` on this day as a timezone-aware datetime."""
        return dt.datetime.combine(self.date, time_of_day, tzinfo=self.tzinfo)

    def end_of_day(self) -> dt.datetime:
        """Return midnight at the end of the day, which no slot may run past."""
        return dt.datetime.combine(self.date + dt.timedelta(days=1), dt.time(0), tzinfo=self.tzinfo)

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "school_name": self.school_name,
            "school_urn": self.school_urn,
            "room": self.room,
            "start": self.start.strftime("%H:%M"),
            "slot_minutes": self.slot_minutes,
            "breaks": [pause.to_dict() for pause in self.breaks],
            "timezone": self.timezone,
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> DaySettings:
        keys = ("date", "school_name", "school_urn", "room", "start", "slot_minutes", "breaks", "timezone")
        reader = DictReader(data, path, keys)
        breaks = tuple(Break.from_dict(item, item_path) for item_path, item in reader.items("breaks"))
        try:
            return cls(
                date=reader.date("date"),
                school_name=reader.text("school_name"),
                school_urn=reader.text("school_urn"),
                room=reader.text("room"),
                start=reader.time("start"),
                slot_minutes=reader.integer("slot_minutes"),
                breaks=breaks,
                timezone=reader.text("timezone"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None


def _hhmm(moment: dt.datetime | dt.time) -> str:
    return f"{moment:%H:%M}"


def _overlaps(start: dt.datetime, length: dt.timedelta, other_start: dt.datetime, other_end: dt.datetime) -> bool:
    return start < other_end and other_start < start + length


def next_free_start(settings: DaySettings, slots: Sequence[Slot]) -> dt.time:
    """Return the first start after the last slot that takes up time, moved past any break."""
    length = settings.slot_length
    candidate = settings.at(settings.start)
    for slot in slots:
        if slot.status.occupies_time:
            candidate = max(candidate, settings.at(slot.start) + length)

    # Pushing past one break can land in the next, so repeat until clear.
    moved = True
    while moved:
        moved = False
        for pause in settings.breaks:
            if _overlaps(candidate, length, settings.at(pause.start), settings.at(pause.end)):
                candidate = settings.at(pause.end)
                moved = True

    if candidate + length > settings.end_of_day():
        raise InvalidValue(
            "there is no free time left on this day for another slot. Add the slot to another clinic day."
        )
    return candidate.time()


def check_free(settings: DaySettings, slots: Sequence[Slot], start: dt.time, exclude: str | None) -> None:
    """Raise InvalidValue unless a slot at ``start`` fits the day.

    The slot must start no earlier than the day, end by midnight and overlap
    no break and no slot that takes up time, except the slot ``exclude``.
    """
    length = settings.slot_length
    begin = settings.at(start)
    if start < settings.start:
        raise InvalidValue(
            f"{_hhmm(start)} is before the day starts at {_hhmm(settings.start)}. "
            "Choose a later time or change the day's start time."
        )
    if begin + length > settings.end_of_day():
        raise InvalidValue(f"a slot at {_hhmm(start)} would run past midnight. Choose an earlier time.")

    for pause in settings.breaks:
        if _overlaps(begin, length, settings.at(pause.start), settings.at(pause.end)):
            raise InvalidValue(
                f"a slot at {_hhmm(start)} overlaps the {pause.label.lower()} from "
                f"{_hhmm(pause.start)} to {_hhmm(pause.end)}. Choose another time."
            )

    for slot in slots:
        if slot.id == exclude or not slot.status.occupies_time:
            continue
        other = settings.at(slot.start)
        if _overlaps(begin, length, other, other + length):
            raise InvalidValue(
                f"a slot at {_hhmm(start)} overlaps the slot at {_hhmm(other)}. "
                "Choose a free time or move that slot first."
            )
