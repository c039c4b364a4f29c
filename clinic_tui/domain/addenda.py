"""Locking of finalised records and the addenda that extend them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clinic_tui.domain.checks import (
    InvalidTransition,
    InvalidValue,
    format_short_date,
    require_aware,
    require_text,
)
from clinic_tui.domain.safeguarding import SafeguardingConcern
from clinic_tui.domain.serialisation import DictReader, converted


class RecordLocked(InvalidTransition):
    """A change to a finalised record, which only an addendum may extend."""

    def __init__(self, label: str, record_id: str, finalised_at: dt.datetime, change: str) -> None:
        super().__init__(
            f"The {label} {record_id} was finalised on {format_short_date(finalised_at)} "
            f"at {finalised_at:%H:%M} and is locked, so the {change} was not changed. "
            "Add an addendum with the reason and the new text instead."
        )


@dataclass(frozen=True)
class Addendum:
    """A change to a finalised record. Each addendum is a new version of the record.

    ``concern`` carries a safeguarding concern raised after finalising, or a
    concern whose DSL-informed time was recorded after finalising.
    """

    version: int
    reason: str
    text: str
    at: dt.datetime
    author: str
    concern: SafeguardingConcern | None = None

    def __post_init__(self) -> None:
        require_text(self.reason, "addendum reason", "Say why the record is being changed.")
        require_text(self.text, "addendum text", "Write the correction or addition.")
        require_aware(self.at, "addendum time")
        require_text(self.author, "addendum author")

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "reason": self.reason,
            "text": self.text,
            "at": self.at.isoformat(),
            "author": self.author,
            "concern": None if self.concern is None else self.concern.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object, path: str) -> Addendum:
        reader = DictReader(data, path, ("version", "reason", "text", "at", "author", "concern"))
        concern_data = reader.data["concern"]
        concern = None
        if concern_data is not None:
            concern = SafeguardingConcern.from_dict(concern_data, reader.at("concern"))

        try:
            return cls(
                version=reader.integer("version"),
                reason=reader.text("reason"),
                text=reader.text("text"),
                at=reader.datetime("at"),
                author=reader.text("author"),
                concern=concern,
            )
        except InvalidValue as error:
            raise converted(path, error) from None
