"""The fixed taxonomy of barriers to attendance.

Each barrier has a short code that is stored in records and counted in the
anonymised impact log, so a code must never be renamed or reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.checks import InvalidValue, optional_text, require_text
from clinic_tui.domain.serialisation import DictReader, converted


class Barrier(str, Enum):
    PHYSICAL_ILLNESS = "PHYS"
    MENTAL_HEALTH = "MHA"
    SEN_NOT_MET = "SEND"
    BULLYING = "BULLY"
    SCHOOL_BASED = "SCHOOL"
    TRANSITION = "TRANS"
    FAMILY_CIRCUMSTANCES = "FAMILY"
    YOUNG_CARER = "CARER"
    PARENTAL_HEALTH = "PHEALTH"
    HOUSING_MONEY = "HOUSE"
    TRANSPORT = "TRAVEL"
    TERM_TIME_HOLIDAY = "HOLIDAY"
    ROUTINES_SLEEP = "ROUTINE"
    SAFEGUARDING = "SAFE"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Barrier.PHYSICAL_ILLNESS: "Physical illness",
    Barrier.MENTAL_HEALTH: "Mental health or anxiety",
    Barrier.SEN_NOT_MET: "Special educational needs not met",
    Barrier.BULLYING: "Bullying or friendships",
    Barrier.SCHOOL_BASED: "School-based (curriculum, behaviour, sanctions)",
    Barrier.TRANSITION: "Transition",
    Barrier.FAMILY_CIRCUMSTANCES: "Family circumstances (bereavement, separation)",
    Barrier.YOUNG_CARER: "Young carer",
    Barrier.PARENTAL_HEALTH: "Parental health",
    Barrier.HOUSING_MONEY: "Housing or money",
    Barrier.TRANSPORT: "Transport",
    Barrier.TERM_TIME_HOLIDAY: "Term-time holidays",
    Barrier.ROUTINES_SLEEP: "Routines and sleep",
    Barrier.SAFEGUARDING: "Exploitation or other safeguarding concern",
    Barrier.OTHER: "Other",
}


@dataclass(frozen=True)
class BarrierNote:
    """A barrier chosen in a meeting with the officer's note on it.

    The note may be empty, except for OTHER, where it describes the barrier.
    """

    barrier: Barrier
    notes: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.barrier, Barrier):
            raise InvalidValue(f"barrier must be a Barrier, got {type(self.barrier).__name__}.")

        optional_text(self.notes, "barrier notes")
        if self.barrier is Barrier.OTHER:
            require_text(self.notes, "notes for the 'Other' barrier", "Describe the barrier.")

    def to_dict(self) -> dict[str, object]:
        return {"code": self.barrier.value, "notes": self.notes}

    @classmethod
    def from_dict(cls, data: object, path: str) -> BarrierNote:
        reader = DictReader(data, path, ("code", "notes"))
        try:
            return cls(reader.enum("code", Barrier), reader.text("notes"))
        except InvalidValue as error:
            raise converted(path, error) from None
