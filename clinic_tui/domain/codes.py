"""Attendance codes for schools in England.

The table follows the School Attendance (Pupil Registration) (England)
Regulations 2024 and the Department for Education guidance "Working together
to improve school attendance", in force from 19 August 2024. The retired codes
H, F, J and Y keep their pre-2024 meaning and are valid only on dates before
that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

CODES_2024_START = dt.date(2024, 8, 19)


class Category(str, Enum):
    """The category that decides how a mark counts in the attendance measures."""

    PRESENT = "present"
    APPROVED_ACTIVITY = "approved educational activity"
    AUTHORISED = "authorised absence"
    UNAUTHORISED = "unauthorised absence"
    NOT_POSSIBLE = "not a possible session"

    @property
    def is_possible(self) -> bool:
        return self is not Category.NOT_POSSIBLE

    @property
    def is_attending(self) -> bool:
        """Present or in approved educational activity: counts towards the rate."""
        return self in (Category.PRESENT, Category.APPROVED_ACTIVITY)

    @property
    def is_absence(self) -> bool:
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


@dataclass(frozen=True)
class Code:
    """One attendance code with its category and meaning."""

    code: str
    category: Category
    meaning: str
    retired: bool = False


_PRESENT = Category.PRESENT
_APPROVED = Category.APPROVED_ACTIVITY
_AUTH = Category.AUTHORISED
_UNAUTH = Category.UNAUTHORISED
_NOT_POSSIBLE = Category.NOT_POSSIBLE

_TABLE: tuple[Code, ...] = (
    Code("/", _PRESENT, "Present (AM)"),
    Code("\\", _PRESENT, "Present (PM)"),
    Code("L", _PRESENT, "Late, arrived before the register closed"),
    Code("K", _APPROVED, "Education provision arranged by the local authority"),
    Code("V", _APPROVED, "Educational visit or trip"),
    Code("P", _APPROVED, "Approved sporting activity"),
    Code("W", _APPROVED, "Work experience"),
    Code("B", _APPROVED, "Other approved education off site"),
    Code("C", _AUTH, "Leave of absence for exceptional circumstances"),
    Code("C1", _AUTH, "Leave for a regulated performance or employment abroad"),
    Code("C2", _AUTH, "Leave for a part-time timetable"),
    Code("E", _AUTH, "Suspended or excluded, no alternative provision"),
    Code("I", _AUTH, "Illness (not medical or dental appointment)"),
    Code("J1", _AUTH, "Leave to attend an interview"),
    Code("M", _AUTH, "Medical or dental appointment"),
    Code("R", _AUTH, "Religious observance"),
    Code("S", _AUTH, "Leave to attend another school (dual registration)"),
    Code("T", _AUTH, "Parent travelling for occupational purposes"),
    Code("G", _UNAUTH, "Holiday not granted by the school"),
    Code("N", _UNAUTH, "Reason for absence not yet established"),
    Code("O", _UNAUTH, "Absent in other or unknown circumstances"),
    Code("U", _UNAUTH, "Arrived after the register closed"),
    Code("D", _NOT_POSSIBLE, "Dual registered, at another school"),
    Code("X", _NOT_POSSIBLE, "Not required to attend (non-compulsory school age)"),
    Code("Q", _NOT_POSSIBLE, "Unable to attend because of a lack of access arrangements"),
    Code("Y1", _NOT_POSSIBLE, "Unable to attend: transport not available"),
    Code("Y2", _NOT_POSSIBLE, "Unable to attend: widespread disruption to travel"),
    Code("Y3", _NOT_POSSIBLE, "Unable to attend: part of the school premises closed"),
    Code("Y4", _NOT_POSSIBLE, "Unable to attend: whole school site unexpectedly closed"),
    Code("Y5", _NOT_POSSIBLE, "Unable to attend: criminal justice detention"),
    Code("Y6", _NOT_POSSIBLE, "Unable to attend: public health guidance or law"),
    Code("Y7", _NOT_POSSIBLE, "Unable to attend: any other unavoidable cause"),
    Code("Z", _NOT_POSSIBLE, "Prospective pupil not on the admission register"),
    Code("#", _NOT_POSSIBLE, "Planned whole-school closure"),
    # Retired on 19 August 2024; valid only on earlier dates.
    Code("H", _AUTH, "Holiday agreed by the school (retired)", retired=True),
    Code("F", _AUTH, "Extended family holiday agreed (retired)", retired=True),
    Code("J", _AUTH, "Interview (retired)", retired=True),
    Code("Y", _NOT_POSSIBLE, "Exceptional circumstances, school closed (retired)", retired=True),
)

CODES: dict[str, Code] = {code.code: code for code in _TABLE}

LATE_CODES = frozenset({"L", "U"})
UNAUTHORISED_CODES = frozenset(c.code for c in _TABLE if c.category is _UNAUTH)


class InvalidMark(ValueError):
    """A mark that is not a valid attendance code on its date."""


def normalise_mark(raw: str) -> str:
    """Return the upper-case code for a mark as typed, without surrounding spaces."""
    return raw.strip().upper()


def lookup(mark: str, on: dt.date) -> Code:
    """Return the code for ``mark`` on the date ``on``.

    Raises InvalidMark for an unknown code and for a retired code on or after
    19 August 2024.
    """
    normalised = normalise_mark(mark)
    code = CODES.get(normalised)
    if code is None:
        raise InvalidMark(f"unknown attendance code {mark!r}")
    if code.retired and on >= CODES_2024_START:
        raise InvalidMark(
            f"code {normalised!r} was retired on {CODES_2024_START:%d %B %Y} "
            f"and cannot be used on {on:%d/%m/%Y}"
        )
    return code


def category_of(mark: str) -> Category:
    """Return the category of an already validated, upper-case mark."""
    return CODES[mark].category
