"""Input checks shared by the clinic day and meeting record models.

Every domain rule that rejects a value raises InvalidValue with a message that
names the field, shows the value when it is not free text, and states what to do next.
Free text (names, notes, views) is never copied into a message, because
messages can end up in logs.
"""

from __future__ import annotations

import datetime as dt
import uuid


class InvalidValue(ValueError):
    """A value that breaks a rule of the domain model."""


class InvalidTransition(InvalidValue):
    """A change that the current status of a slot or record does not allow."""


def new_id() -> str:
    """Return a new random UUID4 as a string, the form used for every id."""
    return str(uuid.uuid4())


def require_id(value: object, field: str) -> str:
    """Return ``value`` if it is a UUID string, or raise InvalidValue."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be a UUID string, got {type(value).__name__}.")

    try:
        uuid.UUID(value)
    except ValueError:
        raise InvalidValue(
            f"{field} {value!r} is not a valid UUID. Use the id the app created for it."
        ) from None

    return value


def require_text(value: object, field: str, hint: str = "") -> str:
    """Return ``value`` unchanged if it is a string with at least one non-space character.

    ``hint`` is a sentence asking the user for the right input.
    """
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text, got {type(value).__name__}.")

    if not value.strip():
        advice = f" {hint}" if hint else ""
        raise InvalidValue(f"{field} is empty.{advice}")

    return value


def optional_text(value: object, field: str) -> str:
    """Return ``value`` if it is a string, which may be empty."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} must be text, got {type(value).__name__}.")

    return value


def require_aware(value: object, field: str) -> dt.datetime:
    """Return ``value`` if it is a timezone-aware datetime.

    Records may become evidence and are merged centrally from many laptops, so
    a time without a UTC offset would be ambiguous around the clock changes.
    """
    if not isinstance(value, dt.datetime):
        raise InvalidValue(f"{field} must be a datetime, got {type(value).__name__}.")

    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(
            f"{field} {value.isoformat()} has no time zone. "
            "Pass a timezone-aware time, for example datetime.now(tz=ZoneInfo('Europe/London'))."
        )

    return value


def require_date(value: object, field: str) -> dt.date:
    """Return ``value`` if it is a date and not a datetime."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidValue(f"{field} must be a date, got {type(value).__name__}.")

    return value


def require_percentage(value: object, field: str) -> float:
    """Return ``value`` as a float if it is a number from 0 to 100."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValue(f"{field} must be a number, got {type(value).__name__}.")

    number = float(value)
    if not 0.0 <= number <= 100.0:
        raise InvalidValue(f"{field} {value!r} is not a percentage. Enter a number from 0 to 100.")

    return number


def format_date(day: dt.date) -> str:
    """Format a date the way UK readers expect, for example "Tuesday 4 March 2025"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_short_date(day: dt.date) -> str:
    """Format a date as dd/mm/yyyy."""
    return f"{day:%d/%m/%Y}"


def require_pupil_ids(values: object, field: str) -> tuple[str, ...]:
    """Return the pupil ids as a tuple if there is at least one and none repeats.

    Siblings seen together share one slot and one record, so a family may
    have several pupils.
    """
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise InvalidValue(f"{field} must be a list of pupil ids, got {type(values).__name__}.")

    if not values:
        raise InvalidValue(f"{field} is empty. Add at least one pupil.")

    seen: set[str] = set()
    for value in values:
        require_text(value, f"pupil id in {field}")
        if value in seen:
            raise InvalidValue(f"{field} lists pupil {value!r} twice. Remove the repeat.")
        seen.add(value)

    return tuple(values)
