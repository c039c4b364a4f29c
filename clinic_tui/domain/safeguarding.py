"""Safeguarding concerns raised during a meeting, and the end-of-day checklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from clinic_tui.domain.checks import InvalidValue, new_id, require_aware, require_id, require_text
from clinic_tui.domain.serialisation import DictReader, converted
from clinic_tui.domain.steps import StepId


@dataclass(frozen=True)
class SafeguardingConcern:
    """A concern noted at a step of a meeting, and when the DSL was informed.

    ``dsl_informed_at`` is None until the designated safeguarding lead has been informed.
    """

    step: StepId
    note: str
    raised_at: dt.datetime
    raised_by: str
    dsl_informed_at: dt.datetime | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not isinstance(self.step, StepId):
            raise InvalidValue(f"concern step must be a StepId, got {type(self.step).__name__}.")

        require_text(self.note, "concern note", "Write down what caused the concern.")
        require_aware(self.raised_at, "concern raised at")
        require_text(self.raised_by, "concern raised by")
        if self.dsl_informed_at is not None:
            require_aware(self.dsl_informed_at, "DSL informed at")
        require_id(self.id, "concern id")

    @property
    def dsl_informed(self) -> bool:
        return self.dsl_informed_at is not None

    def with_dsl_informed(self, informed_at: dt.datetime) -> SafeguardingConcern:
        """Return a copy that records when the DSL was informed."""
        return replace(self, dsl_informed_at=informed_at)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "step": self.step.value,
            "note": self.note,
            "raised_at": self.raised_at.isoformat(),
            "raised_by": self.raised_by,
            "dsl_informed_at": None if self.dsl_informed_at is None else self.dsl_informed_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> SafeguardingConcern:
        keys = ("id", "step", "note", "raised_at", "raised_by", "dsl_informed_at")
        reader = DictReader(data, path, keys)
        try:
            return cls(
                step=reader.enum("step", StepId),
                note=reader.text("note"),
                raised_at=reader.datetime("raised_at"),
                raised_by=reader.text("raised_by"),
                dsl_informed_at=reader.optional_datetime("dsl_informed_at"),
                id=reader.text("id"),
            )
        except InvalidValue as error:
            raise converted(path, error) from None


class RecordWithConcerns(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def pupil_ids(self) -> tuple[str, ...]: ...

    @property
    def concerns(self) -> Sequence[SafeguardingConcern]: ...


@dataclass(frozen=True)
class ChecklistItem:
    """One concern on the end-of-day safeguarding checklist."""

    record_id: str
    pupil_ids: tuple[str, ...]
    concern: SafeguardingConcern


def safeguarding_checklist(records: Iterable[RecordWithConcerns]) -> list[ChecklistItem]:
    """List every concern in ``records``, those the DSL has not been informed of first.

    Within each group the concerns are in the order they were raised.
    """
    items = [
        ChecklistItem(record.id, record.pupil_ids, concern)
        for record in records
        for concern in record.concerns
    ]
    items.sort(key=lambda item: (item.concern.dsl_informed, item.concern.raised_at))
    return items
