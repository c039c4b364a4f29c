"""Slots of a clinic day: the family seen, the status and the event history.

A slot changes only through ``day.ClinicDay``, which checks each change
against the rest of the day and appends an event for it. Events are never
rewritten or removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from clinic_tui.domain.attendees import Mode, PlannedAttendee
from clinic_tui.domain.checks import (
    InvalidValue,
    new_id,
    optional_text,
    require_aware,
    require_date,
    require_id,
    require_pupil_ids,
    require_text,
)
from clinic_tui.domain.serialisation import DictReader, InvalidRecordData, converted


class SlotStatus(str, Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    SKIPPED = "skipped"
    DID_NOT_ATTEND = "did_not_attend"
    REARRANGED = "rearranged"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def occupies_time(self) -> bool:
        """True for slots that take up their time on the day. Other slots free it."""
        return self in (SlotStatus.PLANNED, SlotStatus.IN_PROGRESS, SlotStatus.FINISHED)


class SlotEventKind(str, Enum):
    CREATED = "created"
    ATTENDEES_CHANGED = "attendees_changed"
    STARTED = "started"
    FINISHED = "finished"
    SKIPPED = "skipped"
    REINSTATED = "reinstated"
    MOVED = "moved"
    DID_NOT_ATTEND = "did_not_attend"
    REARRANGED = "rearranged"
    REARRANGED_FROM = "rearranged_from"


@dataclass(frozen=True)
class SlotEvent:
    """One change to a slot: when it happened, what kind it was and the details."""

    at: dt.datetime
    kind: SlotEventKind
    detail: str = ""

    def __post_init__(self) -> None:
        require_aware(self.at, "event time")
        if not isinstance(self.kind, SlotEventKind):
            raise InvalidValue(f"event kind must be a SlotEventKind, got {type(self.kind).__name__}.")
        optional_text(self.detail, "event detail")

    def to_dict(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "kind": self.kind.value, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: object, path: str) -> SlotEvent:
        reader = DictReader(data, path, ("at", "kind", "detail"))
        try:
            return cls(reader.datetime("at"), reader.enum("kind", SlotEventKind), reader.text("detail"))
        except InvalidValue as error:
            raise converted(path, error) from None


class ContactAttempt(str, Enum):
    """A way the officer tried to reach a family that did not attend."""

    PHONE = "phone"
    TEXT = "text"
    RECEPTION = "reception"
    NONE = "none"

    @property
    def label(self) -> str:
        return "at reception" if self is ContactAttempt.RECEPTION else self.value


@dataclass(frozen=True)
class DidNotAttend:
    """The did-not-attend record of a slot: what contact was tried, with a note.

    NONE cannot be combined with another attempt and needs a note saying why
    no contact was tried.
    """

    recorded_at: dt.datetime
    contact: tuple[ContactAttempt, ...]
    note: str = ""

    def __post_init__(self) -> None:
        require_aware(self.recorded_at, "did-not-attend time")
        optional_text(self.note, "did-not-attend note")

        if not self.contact:
            raise InvalidValue("contact tried is empty. Choose phone, text, at reception or none.")
        for attempt in self.contact:
            if not isinstance(attempt, ContactAttempt):
                raise InvalidValue(f"contact tried must be ContactAttempt values, got {type(attempt).__name__}.")
        if len(set(self.contact)) != len(self.contact):
            raise InvalidValue("contact tried lists the same attempt twice. Remove the repeat.")

        if ContactAttempt.NONE in self.contact:
            if len(self.contact) > 1:
                raise InvalidValue("contact tried cannot be 'none' together with other attempts. Remove 'none'.")
            require_text(self.note, "did-not-attend note", "Say why no contact was tried.")

    def to_dict(self) -> dict[str, object]:
        return {
            "recorded_at": self.recorded_at.isoformat(),
            "contact": [attempt.value for attempt in self.contact],
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> DidNotAttend:
        reader = DictReader(data, path, ("recorded_at", "contact", "note"))
        contact = []
        for item_path, item in reader.items("contact"):
            try:
                contact.append(ContactAttempt(item))
            except ValueError:
                raise InvalidRecordData(item_path, f"unknown contact attempt {item!r}") from None

        try:
            return cls(reader.datetime("recorded_at"), tuple(contact), reader.text("note"))
        except InvalidValue as error:
            raise converted(path, error) from None


class FollowUpKind(str, Enum):
    SEND_DNA_LETTER = "send_dna_letter"
    PHONE_AGAIN = "phone_again"
    HOME_VISIT = "home_visit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _FOLLOW_UP_LABELS[self]


_FOLLOW_UP_LABELS = {
    FollowUpKind.SEND_DNA_LETTER: "Send did-not-attend letter",
    FollowUpKind.PHONE_AGAIN: "Phone again",
    FollowUpKind.HOME_VISIT: "Home visit",
    FollowUpKind.OTHER: "Other",
}


class FollowUpStatus(str, Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FollowUp:
    """A task created by a did-not-attend, such as sending a letter by a due date.

    ``detail`` is required for OTHER, where it describes the task.
    """

    slot_id: str
    pupil_ids: tuple[str, ...]
    kind: FollowUpKind
    due: dt.date
    created_at: dt.datetime
    detail: str = ""
    status: FollowUpStatus = FollowUpStatus.OPEN
    closed_at: dt.datetime | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        require_id(self.slot_id, "follow-up slot id")
        require_pupil_ids(self.pupil_ids, "follow-up pupil ids")
        if not isinstance(self.kind, FollowUpKind):
            raise InvalidValue(f"follow-up kind must be a FollowUpKind, got {type(self.kind).__name__}.")
        require_date(self.due, "follow-up due date")
        require_aware(self.created_at, "follow-up created at")
        optional_text(self.detail, "follow-up detail")
        if self.kind is FollowUpKind.OTHER:
            require_text(self.detail, "follow-up detail", "Say what needs to be done.")
        if (self.status is FollowUpStatus.OPEN) != (self.closed_at is None):
            raise InvalidValue("a follow-up has a closing time exactly when it is done or cancelled.")
        require_id(self.id, "follow-up id")

    def closed(self, status: FollowUpStatus, at: dt.datetime) -> FollowUp:
        """Return a copy marked done or cancelled at ``at``."""
        return replace(self, status=status, closed_at=at)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "slot_id": self.slot_id,
            "pupil_ids": list(self.pupil_ids),
            "kind": self.kind.value,
            "detail": self.detail,
            "due": self.due.isoformat(),
            "created_at": self.created_at.isoformat(),
            "status": self.status.value,
            "closed_at": None if self.closed_at is None else self.closed_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> FollowUp:
        keys = ("id", "slot_id", "pupil_ids", "kind", "detail", "due", "created_at", "status", "closed_at")
        reader = DictReader(data, path, keys)
        try:
            return cls(
                slot_id=reader.text("slot_id"),
                pupil_ids=tuple(reader.text_list("pupil_ids")),
                kind=reader.enum("kind", FollowUpKind),
                due=reader.date("due"),
                created_at=reader.datetime("created_at"),
                detail=reader.text("detail"),
                status=reader.enum("status", FollowUpStatus),
                closed_at=reader.optional_datetime("closed_at"),
                id=reader.text("id"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None


class Slot:
    """One meeting slot on a clinic day.

    ``family`` lists the internal ids of the pupils seen together, usually
    siblings. ``start`` is the planned start on the slot's day.
    """

    def __init__(
        self,
        *,
        family: Sequence[str],
        mode: Mode,
        start: dt.time,
        attendees: Iterable[PlannedAttendee] = (),
        slot_id: str | None = None,
        rearranged_from: str | None = None,
    ) -> None:
        if not isinstance(mode, Mode):
            raise InvalidValue(f"mode must be a Mode, got {type(mode).__name__}.")
        if not isinstance(start, dt.time) or start.tzinfo is not None:
            raise InvalidValue("slot start must be a time of day without a time zone, for example time(9, 30).")

        self._id = new_id() if slot_id is None else require_id(slot_id, "slot id")
        self._family = require_pupil_ids(family, "family")
        self._mode = mode
        self._start = start
        self._attendees = check_planned_attendees(attendees)
        self._status = SlotStatus.PLANNED
        self._started_at: dt.datetime | None = None
        self._finished_at: dt.datetime | None = None
        self._did_not_attend: DidNotAttend | None = None
        self._rearranged_from = None if rearranged_from is None else require_id(rearranged_from, "rearranged from")
        self._rearranged_to: str | None = None
        self._events: list[SlotEvent] = []

    @property
    def id(self) -> str:
        return self._id

    @property
    def family(self) -> tuple[str, ...]:
        return self._family

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def start(self) -> dt.time:
        return self._start

    @property
    def attendees(self) -> tuple[PlannedAttendee, ...]:
        return self._attendees

    @property
    def status(self) -> SlotStatus:
        return self._status

    @property
    def started_at(self) -> dt.datetime | None:
        return self._started_at

    @property
    def finished_at(self) -> dt.datetime | None:
        return self._finished_at

    @property
    def did_not_attend(self) -> DidNotAttend | None:
        return self._did_not_attend

    @property
    def rearranged_from(self) -> str | None:
        """The id of the slot this one replaces, when it was rearranged from another."""
        return self._rearranged_from

    @property
    def rearranged_to(self) -> str | None:
        """The id of the slot that replaced this one, once it has been rearranged."""
        return self._rearranged_to

    @property
    def events(self) -> tuple[SlotEvent, ...]:
        return tuple(self._events)

    def _append(self, at: dt.datetime, kind: SlotEventKind, detail: str = "") -> None:
        self._events.append(SlotEvent(at, kind, detail))

    def to_dict(self) -> dict[str, object]:
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "id": self._id,
            "family": list(self._family),
            "mode": self._mode.value,
            "start": self._start.strftime("%H:%M"),
            "attendees": [attendee.to_dict() for attendee in self._attendees],
            "status": self._status.value,
            "started_at": iso(self._started_at),
            "finished_at": iso(self._finished_at),
            "did_not_attend": None if self._did_not_attend is None else self._did_not_attend.to_dict(),
            "rearranged_from": self._rearranged_from,
            "rearranged_to": self._rearranged_to,
            "events": [event.to_dict() for event in self._events],
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> Slot:
        keys = (
            "id", "family", "mode", "start", "attendees", "status", "started_at",
            "finished_at", "did_not_attend", "rearranged_from", "rearranged_to", "events",
        )  # fmt: skip
        reader = DictReader(data, path, keys)

        try:
            slot = cls(
                family=reader.text_list("family"),
                mode=reader.enum("mode", Mode),
                start=reader.time("start"),
                attendees=[PlannedAttendee.from_dict(item, p) for p, item in reader.items("attendees")],
                slot_id=reader.text("id"),
                rearranged_from=reader.optional_text("rearranged_from"),
            )
            rearranged_to = reader.optional_text("rearranged_to")
            slot._rearranged_to = None if rearranged_to is None else require_id(rearranged_to, "rearranged to")
        except InvalidValue as error:
            raise converted(path, error) from None

        slot._status = reader.enum("status", SlotStatus)
        slot._started_at = reader.optional_datetime("started_at")
        slot._finished_at = reader.optional_datetime("finished_at")
        raw_dna = reader.data["did_not_attend"]
        if raw_dna is not None:
            slot._did_not_attend = DidNotAttend.from_dict(raw_dna, reader.at("did_not_attend"))
        slot._events = [SlotEvent.from_dict(item, p) for p, item in reader.items("events")]

        _check_slot_state(slot, reader)
        return slot


def check_planned_attendees(attendees: Iterable[PlannedAttendee]) -> tuple[PlannedAttendee, ...]:
    result = tuple(attendees)
    for attendee in result:
        if not isinstance(attendee, PlannedAttendee):
            raise InvalidValue(f"planned attendees must be PlannedAttendee, got {type(attendee).__name__}.")
    return result


def _check_slot_state(slot: Slot, reader: DictReader) -> None:
    """Reject stored fields that contradict the stored status."""
    status = slot.status
    started = status in (SlotStatus.IN_PROGRESS, SlotStatus.FINISHED)

    if started != (slot.started_at is not None):
        expected = "needs" if started else "cannot have"
        raise reader.fail("started_at", f"a {status.label} slot {expected} a start time")
    finished = status is SlotStatus.FINISHED
    if finished != (slot.finished_at is not None):
        expected = "needs" if finished else "cannot have"
        raise reader.fail("finished_at", f"a {status.label} slot {expected} a finish time")
    if slot.started_at and slot.finished_at and slot.finished_at < slot.started_at:
        raise reader.fail("finished_at", "the slot finished before it started")
    if status is SlotStatus.DID_NOT_ATTEND and slot.did_not_attend is None:
        raise reader.fail("did_not_attend", "a did-not-attend slot has no did-not-attend record")
    rearranged = status is SlotStatus.REARRANGED
    if rearranged != (slot.rearranged_to is not None):
        expected = "needs" if rearranged else "cannot have"
        raise reader.fail("rearranged_to", f"a {status.label} slot {expected} a link to the slot that replaced it")
    if not slot.events:
        raise reader.fail("events", "the slot has no history, not even its creation")
