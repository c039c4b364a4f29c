"""Meeting modes, attendee roles and the people planned for or present at a meeting."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.checks import InvalidValue, optional_text, require_text
from clinic_tui.domain.serialisation import DictReader, converted


class Mode(str, Enum):
    """The way the family joins the meeting: in person, by video or by group phone call."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return _MODE_LABELS[self]

    @property
    def is_remote(self) -> bool:
        """True when some people join by video or phone rather than in the room."""
        return self is not Mode.IN_PERSON


_MODE_LABELS = {
    Mode.IN_PERSON: "in person",
    Mode.VIDEO: "video",
    Mode.PHONE: "group phone call",
}


class Role(str, Enum):
    """The part a person plays in an attendance meeting."""

    PARENT_CARER = "parent_carer"
    PUPIL = "pupil"
    EWO = "ewo"
    SENDCO = "sendco"
    DSL = "dsl"
    HEAD_OF_YEAR = "head_of_year"
    FORM_TUTOR = "form_tutor"
    SCHOOL_NURSE = "school_nurse"
    SOCIAL_WORKER = "social_worker"
    FAMILY_WORKER = "family_worker"
    INTERPRETER = "interpreter"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.PARENT_CARER: "parent or carer",
    Role.PUPIL: "pupil",
    Role.EWO: "education welfare officer (EWO)",
    Role.SENDCO: "special educational needs co-ordinator (SENDCO)",
    Role.DSL: "designated safeguarding lead (DSL)",
    Role.HEAD_OF_YEAR: "head of year",
    Role.FORM_TUTOR: "form tutor",
    Role.SCHOOL_NURSE: "school nurse",
    Role.SOCIAL_WORKER: "social worker",
    Role.FAMILY_WORKER: "family worker",
    Role.INTERPRETER: "interpreter",
    Role.OTHER: "other",
}


def _check_role(role: object, role_detail: object) -> None:
    if not isinstance(role, Role):
        raise InvalidValue(f"role must be a Role, got {type(role).__name__}.")

    optional_text(role_detail, "role detail")
    if role is Role.OTHER:
        require_text(role_detail, "role detail", "Say what the person's role is, for example 'grandparent'.")


@dataclass(frozen=True)
class Attendee:
    """A person at the meeting, in the room or on the line.

    ``role_detail`` describes the role when ``role`` is OTHER. ``on_line`` is
    True for someone who joined by video or phone.
    """

    name: str
    role: Role
    role_detail: str = ""
    on_line: bool = False

    def __post_init__(self) -> None:
        require_text(self.name, "attendee name", "Enter the person's name as they give it.")
        _check_role(self.role, self.role_detail)
        if not isinstance(self.on_line, bool):
            raise InvalidValue(f"on_line must be True or False, got {type(self.on_line).__name__}.")

    @property
    def role_label(self) -> str:
        return self.role_detail if self.role is Role.OTHER else self.role.label

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role.value,
            "role_detail": self.role_detail,
            "on_line": self.on_line,
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> Attendee:
        reader = DictReader(data, path, ("name", "role", "role_detail", "on_line"))
        try:
            return cls(
                name=reader.text("name"),
                role=reader.enum("role", Role),
                role_detail=reader.text("role_detail"),
                on_line=reader.boolean("on_line"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None


@dataclass(frozen=True)
class PlannedAttendee:
    """A person expected at a clinic slot. The name may not be known when planning."""

    role: Role
    name: str = ""
    role_detail: str = ""

    def __post_init__(self) -> None:
        optional_text(self.name, "planned attendee name")
        _check_role(self.role, self.role_detail)

    def to_dict(self) -> dict[str, object]:
        return {"role": self.role.value, "name": self.name, "role_detail": self.role_detail}

    @classmethod
    def from_dict(cls, data: object, path: str) -> PlannedAttendee:
        reader = DictReader(data, path, ("role", "name", "role_detail"))
        try:
            return cls(
                role=reader.enum("role", Role),
                name=reader.text("name"),
                role_detail=reader.text("role_detail"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None

