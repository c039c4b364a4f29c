"""Contexts for letters to families: school, officer, family, figures and meeting.

The vault fills these, and the letter templates get them as the plain
values built in ``letter_values``. Each dataclass checks its own types and
ranges. Details that only some letter kinds need (a telephone number or
address, a meeting, actions, a review date) are checked per batch by
``gaps.find_gaps``, so that every gap is reported at once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from clinic_tui.domain.actions import Action
from clinic_tui.domain.attendees import Mode, Role
from clinic_tui.domain.pupil import Contact, Pupil
from clinic_tui.documents.errors import InvalidContext

if TYPE_CHECKING:
    from clinic_tui.domain.attendance_types import AttendanceMeasures

DEFAULT_MEETING_NAME = "Helping your child succeed"

# Letters to families call the meeting by its configured name and never a
# clinic. Both the meeting name and a template's own text are checked.
FORBIDDEN_WORD = re.compile(r"clinic", re.IGNORECASE)


class LetterKind(str, Enum):
    """The letters sent to families. The value is the template's file name without ``.txt``."""

    INVITATION = "invitation"
    REARRANGED = "rearranged"
    DID_NOT_ATTEND = "did_not_attend"
    MEETING_SUMMARY = "meeting_summary"

    @property
    def template_name(self) -> str:
        return f"{self.value}.txt"


def _require_text(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidContext(f"{field_name} is empty or not text. Enter the {field_name}.")
    return value


def _require_lines(value: object, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidContext(f"{field_name} must be a list of lines, got {type(value).__name__}.")

    for index, line in enumerate(value):
        if not isinstance(line, str):
            raise InvalidContext(f"{field_name}[{index}] must be text, got {type(line).__name__}.")
    return tuple(line for line in value if line.strip())


def _require_count(value: object, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidContext(f"{field_name} must be a whole number of 0 or more, got {value!r}.")
    return value


@dataclass(frozen=True)
class School:
    """The school the letter comes from. Blank address lines are dropped."""

    name: str
    address_lines: tuple[str, ...] = ()
    telephone: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "school name")
        object.__setattr__(self, "address_lines", _require_lines(self.address_lines, "school address_lines"))


@dataclass(frozen=True)
class Officer:
    """The person a family contacts about the letter, usually the education welfare officer."""

    name: str
    job_title: str = "Education Welfare Officer"
    telephone: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "officer name")


@dataclass(frozen=True)
class AttendanceFigures:
    """One pupil's attendance this school year, as supplied by the caller.

    ``attendance_rate`` is a percentage from 0 to 100. ``counted_to`` is the
    last day the figures include, when known.
    """

    attendance_rate: Decimal | float
    possible_sessions: int
    sessions_missed: int
    unauthorised_sessions: int
    counted_to: dt.date | None = None

    def __post_init__(self) -> None:
        rate = self.attendance_rate
        if isinstance(rate, bool) or not isinstance(rate, (Decimal, float, int)) or not math.isfinite(rate):
            raise InvalidContext(f"attendance_rate must be a number, got {rate!r}.")
        if not 0 <= rate <= 100:
            raise InvalidContext(f"attendance_rate {rate!r} is not a percentage. Use a number from 0 to 100.")

        possible = _require_count(self.possible_sessions, "possible_sessions")
        missed = _require_count(self.sessions_missed, "sessions_missed")
        unauthorised = _require_count(self.unauthorised_sessions, "unauthorised_sessions")
        if missed > possible:
            raise InvalidContext(
                f"sessions_missed {missed} is more than possible_sessions {possible}. "
                "Check the figures came from the same pupil and period."
            )
        if unauthorised > missed:
            raise InvalidContext(
                f"unauthorised_sessions {unauthorised} is more than sessions_missed {missed}. "
                "Unauthorised absences are part of the sessions missed."
            )

    @classmethod
    def from_measures(cls, measures: AttendanceMeasures) -> AttendanceFigures:
        """Take the figures from computed measures, which count up to the day before ``as_of``."""
        if measures.attendance_rate is None:
            raise InvalidContext(
                "the pupil has no possible sessions in the period, so there is no attendance "
                "rate to write. Check the pupil's marks have been imported."
            )

        return cls(
            attendance_rate=measures.attendance_rate,
            possible_sessions=measures.possible_sessions,
            sessions_missed=measures.absent_sessions,
            unauthorised_sessions=measures.unauthorised,
            counted_to=measures.as_of - dt.timedelta(days=1),
        )


@dataclass(frozen=True)
class FamilyPupil:
    """A pupil named in a letter.

    ``name`` is the full name as the family uses it and ``first_name`` the
    name the letter uses after the first mention.
    """

    name: str
    first_name: str
    year_group: str
    figures: AttendanceFigures

    def __post_init__(self) -> None:
        _require_text(self.name, "pupil name")
        _require_text(self.first_name, "pupil first name")
        if not isinstance(self.figures, AttendanceFigures):
            raise InvalidContext(f"figures must be AttendanceFigures, got {type(self.figures).__name__}.")

    @classmethod
    def from_pupil(cls, pupil: Pupil, figures: AttendanceFigures) -> FamilyPupil:
        return cls(
            name=pupil.display_name,
            first_name=pupil.preferred_name or pupil.forename,
            year_group=pupil.year_group,
            figures=figures,
        )


@dataclass(frozen=True)
class Family:
    """The pupils a letter is about and the parents or carers it is addressed to.

    Every contact in ``carers`` is an addressee. Their telephone numbers,
    languages and literacy flags decide the interpreter and read-with-you
    notes. ``address_lines`` is the postal address, when the school has one.
    """

    pupils: tuple[FamilyPupil, ...]
    carers: tuple[Contact, ...]
    address_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for index, pupil in enumerate(self.pupils):
            if not isinstance(pupil, FamilyPupil):
                raise InvalidContext(f"pupils[{index}] must be a FamilyPupil, got {type(pupil).__name__}.")
        for index, carer in enumerate(self.carers):
            if not isinstance(carer, Contact):
                raise InvalidContext(f"carers[{index}] must be a Contact, got {type(carer).__name__}.")

        object.__setattr__(self, "pupils", tuple(self.pupils))
        object.__setattr__(self, "carers", tuple(self.carers))
        object.__setattr__(self, "address_lines", _require_lines(self.address_lines, "family address_lines"))

    @property
    def telephone(self) -> str:
        """The first carer's telephone number that is filled in, or an empty string."""
        return next((carer.telephone for carer in self.carers if carer.telephone.strip()), "")


ALL_MODES = (Mode.IN_PERSON, Mode.VIDEO, Mode.PHONE)


@dataclass(frozen=True)
class MeetingDetails:
    """A meeting as a letter describes it.

    ``place`` is needed when ``modes`` includes in person. ``attendee_roles``
    lists who will be there from the school and other services, as a Role or
    as words such as "Head of Year 8".
    """

    date: dt.date
    time: dt.time
    place: str = ""
    modes: tuple[Mode, ...] = ALL_MODES
    attendee_roles: tuple[Role | str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.date, dt.datetime) or not isinstance(self.date, dt.date):
            raise InvalidContext(f"meeting date must be a date, got {type(self.date).__name__}.")
        if not isinstance(self.time, dt.time):
            raise InvalidContext(f"meeting time must be a time of day, got {type(self.time).__name__}.")
        if not self.modes:
            raise InvalidContext("meeting modes is empty. Offer at least one of in person, video or phone.")
        for mode in self.modes:
            if not isinstance(mode, Mode):
                raise InvalidContext(f"meeting modes must be Mode values, got {mode!r}.")
        for role in self.attendee_roles:
            if not isinstance(role, (Role, str)):
                raise InvalidContext(f"attendee roles must be Role values or text, got {role!r}.")

        object.__setattr__(self, "modes", tuple(dict.fromkeys(self.modes)))
        object.__setattr__(self, "attendee_roles", tuple(self.attendee_roles))


@dataclass(frozen=True)
class LetterContext:
    """Everything one letter to one family needs.

    The module ``gaps`` lists which fields each kind needs. ``meeting`` is
    the meeting the letter is about: the one offered, moved to, missed or
    held. ``previous_meeting`` is the time a rearranged meeting replaces,
    and ``offered_meeting`` a new time offered after a missed meeting.
    ``reference`` identifies the family in error messages, so it must not
    be a name: use a slot id or the pupils' internal ids.
    """

    school: School
    officer: Officer
    family: Family
    letter_date: dt.date
    meeting: MeetingDetails | None = None
    previous_meeting: MeetingDetails | None = None
    offered_meeting: MeetingDetails | None = None
    actions: tuple[Action, ...] = ()
    review_date: dt.date | None = None
    meeting_name: str = DEFAULT_MEETING_NAME
    large_print: bool = False
    reference: str = ""

    def __post_init__(self) -> None:
        for name, kind in (("school", School), ("officer", Officer), ("family", Family)):
            if not isinstance(getattr(self, name), kind):
                raise InvalidContext(f"{name} must be a {kind.__name__}, got {type(getattr(self, name)).__name__}.")
        for name in ("meeting", "previous_meeting", "offered_meeting"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, MeetingDetails):
                raise InvalidContext(f"{name} must be MeetingDetails or None, got {type(value).__name__}.")
        for index, action in enumerate(self.actions):
            if not isinstance(action, Action):
                raise InvalidContext(f"actions[{index}] must be an Action, got {type(action).__name__}.")
        object.__setattr__(self, "actions", tuple(self.actions))

        for name in ("letter_date", "review_date"):
            value = getattr(self, name)
            if value is None and name == "review_date":
                continue
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise InvalidContext(f"{name} must be a date, got {type(value).__name__}.")
        if not isinstance(self.large_print, bool):
            raise InvalidContext(f"large_print must be True or False, got {self.large_print!r}.")
        if not isinstance(self.reference, str):
            raise InvalidContext(f"reference must be text, got {type(self.reference).__name__}.")

        _require_text(self.meeting_name, "meeting name")
        if FORBIDDEN_WORD.search(self.meeting_name):
            raise InvalidContext(
                f"meeting name {self.meeting_name!r} contains the word 'clinic', which letters to "
                "families never use. Change meeting_name in the [general] section of the "
                f"configuration file, for example to {DEFAULT_MEETING_NAME!r}."
            )
