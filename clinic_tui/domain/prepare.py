"""Preparing a clinic day: invitations decided by a named person, and the contact log.

The app suggests families from the measures; a named person decides. An
``Invitation`` cannot exist without a ``Decision`` that records who
decided (name and role), why, and when. The contact log records every
phone call, letter, text, email and home visit, and the chronology puts
contacts and meetings for a pupil in date order, the form an attendance
service asks for before any statutory step.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from clinic_tui.domain.checks import InvalidValue


class InvitationReason(str, Enum):
    """The reason a family is invited, as the deciding person records it."""

    PERSISTENT_ABSENCE = "persistent_absence"
    SEVERE_ABSENCE = "severe_absence"
    PENALTY_THRESHOLD = "penalty_threshold"
    FALLING_TREND = "falling_trend"
    BROKEN_WEEKS = "broken_weeks"
    EARLY_WARNING = "early_warning"
    SCHOOL_REQUEST = "school_request"
    FAMILY_REQUEST = "family_request"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    InvitationReason.PERSISTENT_ABSENCE: "Persistent absence (10% or more missed)",
    InvitationReason.SEVERE_ABSENCE: "Severe absence (50% or more missed)",
    InvitationReason.PENALTY_THRESHOLD: "10 unauthorised sessions in 10 school weeks",
    InvitationReason.FALLING_TREND: "Attendance falling in recent weeks",
    InvitationReason.BROKEN_WEEKS: "Rising number of broken weeks",
    InvitationReason.EARLY_WARNING: "Early warning: not yet persistently absent",
    InvitationReason.SCHOOL_REQUEST: "School asked for a meeting",
    InvitationReason.FAMILY_REQUEST: "Family asked for a meeting",
    InvitationReason.OTHER: "Other (see notes)",
}


class InvitationStatus(str, Enum):
    DECIDED = "decided"
    SCHEDULED = "scheduled"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Decision:
    """A named person's decision to invite a family: their name and role, the reason and the date."""

    decided_by: str
    role: str
    reason: InvitationReason
    decided_on: dt.date
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.decided_by.strip():
            raise InvalidValue("an invitation needs the name of the person who decided. Enter their name.")
        if not self.role.strip():
            raise InvalidValue("an invitation needs the role of the person who decided, such as DSL or head of year.")
        if not isinstance(self.reason, InvitationReason):
            raise InvalidValue(f"reason {self.reason!r} is not one of the invitation reasons.")
        if self.reason is InvitationReason.OTHER and not self.notes.strip():
            raise InvalidValue("the reason is 'Other', so write the reason in the notes.")

    def to_dict(self) -> dict[str, object]:
        return {
            "decided_by": self.decided_by,
            "role": self.role,
            "reason": self.reason.value,
            "decided_on": self.decided_on.isoformat(),
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Decision:
        return cls(
            decided_by=data["decided_by"],
            role=data["role"],
            reason=InvitationReason(data["reason"]),
            decided_on=dt.date.fromisoformat(data["decided_on"]),
            notes=data.get("notes", ""),
        )


@dataclass(frozen=True)
class Invitation:
    """A decision to invite a family (one or more pupils) to a meeting."""

    pupil_ids: tuple[str, ...]
    decision: Decision
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: InvitationStatus = InvitationStatus.DECIDED
    slot_id: str | None = None

    def __post_init__(self) -> None:
        if not self.pupil_ids:
            raise InvalidValue("an invitation needs at least one pupil.")
        if not isinstance(self.decision, Decision):
            raise InvalidValue("no invitation exists without a named decision. Record who decided and why.")

    def scheduled(self, slot_id: str) -> Invitation:
        return replace(self, status=InvitationStatus.SCHEDULED, slot_id=slot_id)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "pupil_ids": list(self.pupil_ids),
            "decision": self.decision.to_dict(),
            "status": self.status.value,
            "slot_id": self.slot_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Invitation:
        return cls(
            pupil_ids=tuple(data["pupil_ids"]),
            decision=Decision.from_dict(data["decision"]),
            id=data["id"],
            status=InvitationStatus(data["status"]),
            slot_id=data.get("slot_id"),
        )


class ContactKind(str, Enum):
    PHONE = "phone"
    LETTER = "letter"
    TEXT = "text"
    EMAIL = "email"
    HOME_VISIT = "home_visit"

    @property
    def label(self) -> str:
        return {"phone": "Phone call", "letter": "Letter", "text": "Text message", "email": "Email",
                "home_visit": "Home visit"}[self.value]


class CallOutcome(str, Enum):
    SPOKE = "spoke"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"

    @property
    def label(self) -> str:
        return {"spoke": "Spoke to them", "left_message": "Left a message", "no_answer": "No answer",
                "wrong_number": "Wrong number"}[self.value]


@dataclass(frozen=True)
class ContactEntry:
    """One contact with a family: its time, kind, author, the outcome of a call, and notes."""

    pupil_ids: tuple[str, ...]
    kind: ContactKind
    at: dt.datetime
    author: str
    outcome: CallOutcome | None = None
    notes: str = ""
    letter_kind: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        if not self.pupil_ids:
            raise InvalidValue("a contact needs at least one pupil.")
        if self.at.tzinfo is None:
            raise InvalidValue("a contact time needs a time zone.")
        if self.kind is ContactKind.PHONE and self.outcome is None:
            raise InvalidValue("record the outcome of the call: spoke, left a message, no answer or wrong number.")
        if self.kind is not ContactKind.PHONE and self.outcome is not None:
            raise InvalidValue("only a phone call has an outcome.")

    def summary(self) -> str:
        parts = [self.kind.label]
        if self.outcome is not None:
            parts.append(self.outcome.label.lower())
        if self.letter_kind:
            parts.append(self.letter_kind.replace("_", " "))
        return ": ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "pupil_ids": list(self.pupil_ids),
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "author": self.author,
            "outcome": self.outcome.value if self.outcome else None,
            "notes": self.notes,
            "letter_kind": self.letter_kind,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ContactEntry:
        return cls(
            pupil_ids=tuple(data["pupil_ids"]),
            kind=ContactKind(data["kind"]),
            at=dt.datetime.fromisoformat(data["at"]),
            author=data["author"],
            outcome=CallOutcome(data["outcome"]) if data.get("outcome") else None,
            notes=data.get("notes", ""),
            letter_kind=data.get("letter_kind", ""),
            id=data["id"],
        )


def phone_before_letter(contacts: Iterable[ContactEntry], pupil_ids: Sequence[str]) -> str | None:
    """Return a reminder when no phone call to this family is logged yet, else None.

    Good practice is to phone before any letter, so a letter is the second
    contact, not the first. A call with any outcome counts as trying.
    """
    family = set(pupil_ids)
    called = any(entry.kind is ContactKind.PHONE and family & set(entry.pupil_ids) for entry in contacts)
    if called:
        return None
    return "No phone call to this family is logged yet. Phone first, then send the letter."


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated line of a pupil's chronology."""

    at: dt.datetime
    kind: str
    summary: str
    author: str = ""
    notes: str = ""


def chronology(*sources: Iterable[ChronologyEntry]) -> list[ChronologyEntry]:
    """Merge dated entries from contacts, meetings and other events in date order."""
    merged = [entry for source in sources for entry in source]
    merged.sort(key=lambda entry: entry.at)
    return merged


def contact_chronology(pupil_id: str, contacts: Iterable[ContactEntry]) -> list[ChronologyEntry]:
    return [
        ChronologyEntry(entry.at, entry.kind.value, entry.summary(), entry.author, entry.notes)
        for entry in contacts
        if pupil_id in entry.pupil_ids
    ]


def duplicate_families(slots: Iterable[Sequence[str]]) -> list[str]:
    """Return pupil ids that appear in more than one slot of a day."""
    seen: set[str] = set()
    repeated: list[str] = []
    for family in slots:
        for pupil_id in family:
            if pupil_id in seen and pupil_id not in repeated:
                repeated.append(pupil_id)
            seen.add(pupil_id)
    return repeated
