"""Pupils, their contacts and their attendance marks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class Session(str, Enum):
    AM = "AM"
    PM = "PM"


class SenStatus(str, Enum):
    """Special educational needs status as recorded in the school census."""

    NONE = "N"
    SEN_SUPPORT = "K"
    EHC_PLAN = "E"


@dataclass(frozen=True)
class Contact:
    """A parent, carer or other contact of a pupil."""

    name: str
    relationship: str = ""
    telephone: str = ""
    email: str = ""
    parental_responsibility: bool = False
    language: str = ""
    needs_interpreter: bool = False
    literacy_support: bool = False


@dataclass
class Pupil:
    """One pupil on the admission register, as imported from the MIS.

    ``upn`` is the 13-character unique pupil number. ``year_group`` is the
    National Curriculum year as a string: "N1", "N2", "R" or "1" to "14".
    """

    upn: str
    surname: str
    forename: str
    preferred_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = ""
    year_group: str = ""
    reg_group: str = ""
    sen: SenStatus = SenStatus.NONE
    fsm: bool = False
    eal: bool = False
    first_language: str = ""
    cin: bool = False
    cp_plan: bool = False
    looked_after: bool = False
    admission_date: dt.date | None = None
    leaving_date: dt.date | None = None
    contacts: list[Contact] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.forename} {self.surname}"

    @property
    def initials(self) -> str:
        first = (self.preferred_name or self.forename)[:1]
        return f"{first}{self.surname[:1]}".upper()


@dataclass(frozen=True)
class Mark:
    """One attendance mark: a pupil's code for one session of one day."""

    upn: str
    date: dt.date
    session: Session
    code: str
