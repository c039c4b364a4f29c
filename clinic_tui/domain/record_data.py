"""Stored form of the fields that meeting and review records share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_tui.domain.actions import Action
from clinic_tui.domain.addenda import Addendum
from clinic_tui.domain.attendees import Attendee, Mode
from clinic_tui.domain.checks import InvalidValue, require_id, require_pupil_ids, require_text
from clinic_tui.domain.safeguarding import SafeguardingConcern
from clinic_tui.domain.serialisation import DictReader, converted
from clinic_tui.domain.views import PupilViews

if TYPE_CHECKING:
    from clinic_tui.domain.record import BaseRecord

SCHEMA_VERSION = 1

COMMON_KEYS = (
    "schema_version",
    "record_type",
    "id",
    "version",
    "author",
    "created_at",
    "finalised_at",
    "slot_id",
    "pupil_ids",
    "mode",
    "attendees",
    "line_confirmed",
    "pupil_views",
    "actions",
    "one_sided_reason",
    "review_date",
    "concerns",
    "addenda",
)


def _isoformat(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def common_to_dict(record: BaseRecord) -> dict[str, object]:
    """Return the shared fields of ``record`` as JSON-ready values.

    ``concerns`` holds only the concerns raised before finalising. Later
    concerns and updates live in the addenda, which keeps the finalised
    original unchanged.
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "record_type": record.RECORD_TYPE,
        "id": record.id,
        "version": record.version,
        "author": record.author,
        "created_at": record.created_at.isoformat(),
        "finalised_at": _isoformat(record.finalised_at),
        "slot_id": record.slot_id,
        "pupil_ids": list(record.pupil_ids),
        "mode": record.mode.value,
        "attendees": [attendee.to_dict() for attendee in record.attendees],
        "line_confirmed": record.line_confirmed,
        "pupil_views": {pupil: views.to_dict() for pupil, views in record.pupil_views.items()},
        "actions": [action.to_dict() for action in record.actions],
        "one_sided_reason": record.one_sided_reason,
        "review_date": _isoformat(record.review_date),
        "concerns": [concern.to_dict() for concern in record.original_concerns],
        "addenda": [addendum.to_dict() for addendum in record.addenda],
    }


@dataclass(frozen=True)
class CommonFields:
    """The shared fields of a stored record, checked and converted."""

    id: str
    version: int
    author: str
    created_at: dt.datetime
    finalised_at: dt.datetime | None
    slot_id: str | None
    pupil_ids: tuple[str, ...]
    mode: Mode
    attendees: tuple[Attendee, ...]
    line_confirmed: bool
    pupil_views: dict[str, PupilViews]
    actions: tuple[Action, ...]
    one_sided_reason: str
    review_date: dt.date | None
    concerns: tuple[SafeguardingConcern, ...]
    addenda: tuple[Addendum, ...]


def read_common(reader: DictReader) -> CommonFields:
    """Read the shared fields, checking the rules that the record's setters enforce."""
    try:
        record_id = require_id(reader.text("id"), "record id")
        author = require_text(reader.text("author"), "author")
        slot_id = reader.optional_text("slot_id")
        if slot_id is not None:
            require_id(slot_id, "slot id")
        pupil_ids = require_pupil_ids(reader.text_list("pupil_ids"), "pupil ids")
    except InvalidValue as error:
        raise converted(reader.path, error) from None

    pupil_views = {}
    for pupil_id, views in reader.mapping("pupil_views").items():
        if pupil_id not in pupil_ids:
            raise reader.fail("pupil_views", f"views for pupil {pupil_id!r}, who is not on the record")
        pupil_views[pupil_id] = PupilViews.from_dict(views, f"{reader.at('pupil_views')}.{pupil_id}")

    fields = CommonFields(
        id=record_id,
        version=reader.integer("version"),
        author=author,
        created_at=reader.datetime("created_at"),
        finalised_at=reader.optional_datetime("finalised_at"),
        slot_id=slot_id,
        pupil_ids=pupil_ids,
        mode=reader.enum("mode", Mode),
        attendees=tuple(Attendee.from_dict(item, path) for path, item in reader.items("attendees")),
        line_confirmed=reader.boolean("line_confirmed"),
        pupil_views=pupil_views,
        actions=tuple(Action.from_dict(item, path) for path, item in reader.items("actions")),
        one_sided_reason=reader.text("one_sided_reason"),
        review_date=reader.optional_date("review_date"),
        concerns=tuple(SafeguardingConcern.from_dict(item, path) for path, item in reader.items("concerns")),
        addenda=tuple(Addendum.from_dict(item, path) for path, item in reader.items("addenda")),
    )
    _check_history(reader, fields)
    return fields


def _check_history(reader: DictReader, fields: CommonFields) -> None:
    """Reject a version history that the record's methods could not have produced."""
    if fields.finalised_at is not None and fields.finalised_at < fields.created_at:
        raise reader.fail("finalised_at", "the record was finalised before it was created")

    if fields.addenda and fields.finalised_at is None:
        raise reader.fail("addenda", "a record that is not finalised has addenda")

    for expected, addendum in enumerate(fields.addenda, start=2):
        if addendum.version != expected:
            raise reader.fail(
                "addenda", f"addendum version {addendum.version} found where version {expected} belongs"
            )

    if fields.version != 1 + len(fields.addenda):
        raise reader.fail(
            "version",
            f"version {fields.version} does not match the {len(fields.addenda)} addenda "
            f"(expected {1 + len(fields.addenda)})",
        )
