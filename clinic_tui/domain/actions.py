"""Two-way actions agreed in a meeting, and the check that both sides have some."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from clinic_tui.domain.checks import (
    InvalidValue,
    new_id,
    require_date,
    require_id,
    require_text,
)
from clinic_tui.domain.serialisation import DictReader, converted


class OwnerType(str, Enum):
    """The party responsible for an action, on the family side or the school side."""

    PARENT_CARER = "parent_carer"
    PUPIL = "pupil"
    SCHOOL = "school"
    OTHER_AGENCY = "other_agency"

    @property
    def label(self) -> str:
        return _OWNER_LABELS[self]

    @property
    def is_family(self) -> bool:
        return self in (OwnerType.PARENT_CARER, OwnerType.PUPIL)


_OWNER_LABELS = {
    OwnerType.PARENT_CARER: "parent or carer",
    OwnerType.PUPIL: "pupil",
    OwnerType.SCHOOL: "school",
    OwnerType.OTHER_AGENCY: "other agency",
}


class ActionBalance(str, Enum):
    """The sides of the meeting that the agreed actions fall on."""

    NONE = "none"
    FAMILY_ONLY = "family_only"
    SCHOOL_ONLY = "school_only"
    BOTH = "both"

    @property
    def is_one_sided(self) -> bool:
        return self in (ActionBalance.FAMILY_ONLY, ActionBalance.SCHOOL_ONLY)


@dataclass(frozen=True)
class Action:
    """One agreed action: who does what, by when.

    ``role`` names the person's role in words, for example "Mum" or
    "Head of Year 8".
    """

    owner: OwnerType
    role: str
    description: str
    due: dt.date
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not isinstance(self.owner, OwnerType):
            raise InvalidValue(f"action owner must be an OwnerType, got {type(self.owner).__name__}.")

        require_text(self.role, "action role", "Name who will do it, for example 'Mum' or 'form tutor'.")
        require_text(self.description, "action description", "Say what will be done.")
        require_date(self.due, "action due date")
        require_id(self.id, "action id")

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "owner": self.owner.value,
            "role": self.role,
            "description": self.description,
            "due": self.due.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> Action:
        reader = DictReader(data, path, ("id", "owner", "role", "description", "due"))
        try:
            return cls(
                owner=reader.enum("owner", OwnerType),
                role=reader.text("role"),
                description=reader.text("description"),
                due=reader.date("due"),
                id=reader.text("id"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None


def action_balance(actions: Iterable[Action]) -> ActionBalance:
    """Return which sides the actions fall on: family, school or other agency, or both."""
    family = False
    school = False
    for action in actions:
        if action.owner.is_family:
            family = True
        else:
            school = True

    if family and school:
        return ActionBalance.BOTH
    if family:
        return ActionBalance.FAMILY_ONLY
    if school:
        return ActionBalance.SCHOOL_ONLY
    return ActionBalance.NONE


def one_sided_warning(balance: ActionBalance) -> str | None:
    """Return the warning to show for one-sided actions, or None when both sides have some."""
    if balance is ActionBalance.FAMILY_ONLY:
        return (
            "Every action falls on the family. Add what the school or another agency "
            "will do, or record why there is nothing for them to do."
        )
    if balance is ActionBalance.SCHOOL_ONLY:
        return (
            "Every action falls on the school or another agency. Add what the family "
            "will do, or record why there is nothing for them to do."
        )
    return None
