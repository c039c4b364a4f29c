"""Children's social care plans, and the social worker answer they require in a meeting.

A pupil on a child in need plan (section 17 of the Children Act 1989) or a
child protection plan (following enquiries under section 47) has a social
worker, who must be present at the meeting or be informed of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.checks import InvalidValue, optional_text, require_date, require_text
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.serialisation import DictReader, converted


class ChildPlan(str, Enum):
    """Whether a pupil is on a plan under the Children Act 1989."""

    NONE = "none"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"

    @property
    def label(self) -> str:
        return _PLAN_LABELS[self]

    @classmethod
    def for_pupil(cls, pupil: Pupil) -> ChildPlan:
        """Return the plan recorded on the pupil, taking a child protection plan first."""
        if pupil.cp_plan:
            return cls.CHILD_PROTECTION
        if pupil.cin:
            return cls.CHILD_IN_NEED
        return cls.NONE


_PLAN_LABELS = {
    ChildPlan.NONE: "no plan",
    ChildPlan.CHILD_IN_NEED: "child in need plan (section 17)",
    ChildPlan.CHILD_PROTECTION: "child protection plan (section 47)",
}


class SocialWorkerContact(str, Enum):
    PRESENT = "present"
    WILL_BE_INFORMED = "will_be_informed"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class SocialWorkerAnswer:
    """Whether the social worker of a pupil on a plan is present or will be informed.

    ``informed_by`` and ``informed_on`` are set only for WILL_BE_INFORMED.
    """

    contact: SocialWorkerContact
    informed_by: str = ""
    informed_on: dt.date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.contact, SocialWorkerContact):
            raise InvalidValue(f"contact must be a SocialWorkerContact, got {type(self.contact).__name__}.")

        optional_text(self.informed_by, "informed by")
        if self.contact is SocialWorkerContact.WILL_BE_INFORMED:
            require_text(self.informed_by, "informed by", "Name who will inform the social worker.")
            if self.informed_on is None:
                raise InvalidValue("informed on is missing. Enter the date the social worker will be informed by.")
            require_date(self.informed_on, "informed on")
        elif self.informed_by or self.informed_on is not None:
            raise InvalidValue(
                f"informed by and informed on apply only when the social worker will be "
                f"informed, not to {self.contact.value!r}. Leave them empty."
            )

    @classmethod
    def present(cls) -> SocialWorkerAnswer:
        return cls(SocialWorkerContact.PRESENT)

    @classmethod
    def will_be_informed(cls, by: str, on: dt.date) -> SocialWorkerAnswer:
        return cls(SocialWorkerContact.WILL_BE_INFORMED, by, on)

    @classmethod
    def not_applicable(cls) -> SocialWorkerAnswer:
        return cls(SocialWorkerContact.NOT_APPLICABLE)

    def to_dict(self) -> dict[str, object]:
        return {
            "contact": self.contact.value,
            "informed_by": self.informed_by,
            "informed_on": None if self.informed_on is None else self.informed_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> SocialWorkerAnswer:
        reader = DictReader(data, path, ("contact", "informed_by", "informed_on"))
        try:
            return cls(
                reader.enum("contact", SocialWorkerContact),
                reader.text("informed_by"),
                reader.optional_date("informed_on"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None
