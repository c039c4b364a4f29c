"""Strict reading of stored records from plain dicts, as decoded from JSON.

Dates, times and datetimes are stored as ISO 8601 strings. Reading rejects
unknown and missing keys, so a record written by a newer or damaged app never
loads with a field silently dropped or defaulted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from enum import Enum
from typing import TypeVar

from clinic_tui.domain.checks import InvalidValue

EnumT = TypeVar("EnumT", bound=Enum)

DEFAULT_ADVICE = (
    "The record was not loaded. Restore it from the last sync, "
    "or report the damaged record to your administrator."
)


class InvalidRecordData(ValueError):
    """Stored data that does not match the record schema.

    ``path`` locates the value inside the record, for example
    ``meeting.actions[2].due``.
    """

    def __init__(self, path: str, problem: str, advice: str = DEFAULT_ADVICE) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}. {advice}")


def describe(value: object) -> str:
    """Describe a rejected value without copying free text into the message."""
    if isinstance(value, str):
        return f"text of {len(value)} characters"

    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"


class DictReader:
    """A view of one stored object that checks its keys and converts its values.

    Every key in ``keys`` must be present and no other key is allowed.
    """

    def __init__(self, data: object, path: str, keys: Collection[str]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidRecordData(path, f"expected an object, got {describe(data)}")

        unknown = sorted(repr(key) for key in data if key not in keys)
        if unknown:
            raise InvalidRecordData(
                path,
                f"unknown key {', '.join(unknown)}",
                "The record may come from a newer version of clinic day. "
                "Update the app before opening it.",
            )

        missing = sorted(repr(key) for key in keys if key not in data)
        if missing:
            raise InvalidRecordData(path, f"missing key {', '.join(missing)}")

        self.data = data
        self.path = path

    def at(self, key: str) -> str:
        """Return the path of ``key`` for error messages."""
        return f"{self.path}.{key}"

    def fail(self, key: str, problem: str) -> InvalidRecordData:
        """Return the error for an invalid value at ``key``."""
        return InvalidRecordData(self.at(key), problem)

    def text(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.fail(key, f"expected text, got {describe(value)}")
        return value

    def optional_text(self, key: str) -> str | None:
        if self.data[key] is None:
            return None
        return self.text(key)

    def boolean(self, key: str) -> bool:
        value = self.data[key]
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {describe(value)}")
        return value

    def integer(self, key: str) -> int:
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {describe(value)}")
        return value

    def optional_number(self, key: str) -> float | None:
        value = self.data[key]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(key, f"expected a number, got {describe(value)}")
        return float(value)

    def date(self, key: str) -> dt.date:
        raw = self.text(key)

        # fromisoformat also accepts forms such as 20250304, but stored dates
        # are always written as YYYY-MM-DD.
        try:
            if len(raw) != 10:
                raise ValueError(raw)
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise self.fail(key, f"invalid date {raw!r}, expected YYYY-MM-DD") from None

    def optional_date(self, key: str) -> dt.date | None:
        if self.data[key] is None:
            return None
        return self.date(key)

    def datetime(self, key: str) -> dt.datetime:
        raw = self.text(key)

        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise self.fail(key, f"invalid date and time {raw!r}, expected ISO 8601") from None

        if value.tzinfo is None:
            raise self.fail(key, f"date and time {raw!r} has no UTC offset")
        return value

    def optional_datetime(self, key: str) -> dt.datetime | None:
        if self.data[key] is None:
            return None
        return self.datetime(key)

    def time(self, key: str) -> dt.time:
        raw = self.text(key)

        try:
            if len(raw) != 5:
                raise ValueError(raw)
            return dt.time.fromisoformat(raw)
        except ValueError:
            raise self.fail(key, f"invalid time {raw!r}, expected HH:MM") from None

    def enum(self, key: str, kind: type[EnumT]) -> EnumT:
        value = self.data[key]

        try:
            return kind(value)
        except ValueError:
            # Stored codes are not personal data, so the value itself is shown.
            value_text = repr(value) if len(repr(value)) <= 40 else describe(value)
            allowed = ", ".join(repr(member.value) for member in kind)
            raise self.fail(key, f"unknown value {value_text}, expected one of {allowed}") from None

    def optional_enum(self, key: str, kind: type[EnumT]) -> EnumT | None:
        if self.data[key] is None:
            return None
        return self.enum(key, kind)

    def items(self, key: str) -> list[tuple[str, object]]:
        """Return each element of the list at ``key`` with its path."""
        value = self.data[key]
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list, got {describe(value)}")
        return [(f"{self.at(key)}[{index}]", item) for index, item in enumerate(value)]

    def text_list(self, key: str) -> list[str]:
        result = []
        for path, item in self.items(key):
            if not isinstance(item, str):
                raise InvalidRecordData(path, f"expected text, got {describe(item)}")
            result.append(item)
        return result

    def mapping(self, key: str) -> dict[str, object]:
        """Return the object at ``key`` whose keys are free, such as pupil ids."""
        value = self.data[key]
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected an object, got {describe(value)}")

        for item_key in value:
            if not isinstance(item_key, str):
                raise self.fail(key, f"expected text keys, got {describe(item_key)}")
        return dict(value)


def converted(path: str, error: InvalidValue) -> InvalidRecordData:
    """Return a stored-data error for a domain rule that a stored value breaks."""
    return InvalidRecordData(path, str(error).rstrip("."))


def check_schema(data: object, path: str, supported: int, record_type: str) -> None:
    """Raise InvalidRecordData unless ``data`` has a schema version this app reads and the right type.

    This runs before the keys are checked, so a record from a newer app is
    reported as newer rather than as having unknown keys.
    """
    if not isinstance(data, Mapping):
        raise InvalidRecordData(path, f"expected an object, got {describe(data)}")

    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidRecordData(f"{path}.schema_version", f"missing or invalid schema version {describe(version)}")
    if version > supported:
        raise InvalidRecordData(
            f"{path}.schema_version",
            f"schema version {version} is newer than this app reads (up to {supported})",
            "Update clinic day before opening this record.",
        )

    stored_type = data.get("record_type")
    if stored_type != record_type:
        raise InvalidRecordData(
            f"{path}.record_type", f"expected a {record_type!r} record, got {describe(stored_type)}"
        )
