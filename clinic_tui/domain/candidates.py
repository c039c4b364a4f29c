"""Candidate families for a clinic day, suggested from the measures.

The list only suggests: an invitation needs a named person's decision
(see ``prepare.Decision``). No filter here invites anyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from clinic_tui.domain.attendance import early_warning
from clinic_tui.domain.attendance_types import AttendanceMeasures, Direction
from clinic_tui.domain.pupil import Pupil, SenStatus


class Flag(str, Enum):
    """A fact about a pupil's attendance or needs, shown as one letter in lists."""

    PERSISTENT = "P"
    SEVERE = "S"
    THRESHOLD = "T"
    FALLING = "F"
    EARLY_WARNING = "W"
    SEN = "E"
    SOCIAL_CARE = "C"
    LOOKED_AFTER = "L"

    @property
    def label(self) -> str:
        return _FLAG_LABELS[self]


_FLAG_LABELS = {
    Flag.PERSISTENT: "persistently absent (10% or more missed)",
    Flag.SEVERE: "severely absent (50% or more missed)",
    Flag.THRESHOLD: "10 or more unauthorised sessions in 10 school weeks",
    Flag.FALLING: "attendance falling over the last 4 school weeks",
    Flag.EARLY_WARNING: "early warning: broken weeks rising, not yet persistently absent",
    Flag.SEN: "SEN support or EHC plan",
    Flag.SOCIAL_CARE: "child in need or child protection plan",
    Flag.LOOKED_AFTER: "looked after",
}


def flags_for(pupil: Pupil, measures: AttendanceMeasures) -> list[Flag]:
    """Return the flags that apply to one pupil, in a fixed order."""
    flags = []
    if measures.persistent_absence:
        flags.append(Flag.PERSISTENT)
    if measures.severe_absence:
        flags.append(Flag.SEVERE)
    if measures.max_unauthorised_window.reaches_threshold:
        flags.append(Flag.THRESHOLD)
    if measures.trend.direction is Direction.FALLING:
        flags.append(Flag.FALLING)
    if early_warning(measures):
        flags.append(Flag.EARLY_WARNING)
    if pupil.sen is not SenStatus.NONE:
        flags.append(Flag.SEN)
    if pupil.cin or pupil.cp_plan:
        flags.append(Flag.SOCIAL_CARE)
    if pupil.looked_after:
        flags.append(Flag.LOOKED_AFTER)
    return flags


@dataclass(frozen=True)
class CandidateFilter:
    """A set of conditions for the candidate list. A pupil is listed when every set condition holds, and unset ones are ignored.

    ``broken_weeks_at_least`` counts broken weeks in the last 6 school weeks.
    """

    persistent: bool = False
    severe: bool = False
    threshold: bool = False
    falling: bool = False
    early_warning: bool = False
    broken_weeks_at_least: int | None = None
    year_groups: frozenset[str] = field(default_factory=frozenset)
    sen: bool = False
    social_care: bool = False

    def matches(self, pupil: Pupil, measures: AttendanceMeasures, flags: Iterable[Flag]) -> bool:
        present = set(flags)
        wanted = [
            (self.persistent, Flag.PERSISTENT),
            (self.severe, Flag.SEVERE),
            (self.threshold, Flag.THRESHOLD),
            (self.falling, Flag.FALLING),
            (self.early_warning, Flag.EARLY_WARNING),
            (self.sen, Flag.SEN),
            (self.social_care, Flag.SOCIAL_CARE),
        ]
        if any(on and flag not in present for on, flag in wanted):
            return False
        if self.broken_weeks_at_least is not None and measures.broken_weeks_recent < self.broken_weeks_at_least:
            return False
        if self.year_groups and pupil.year_group not in self.year_groups:
            return False
        return True


@dataclass(frozen=True)
class Candidate:
    pupil_id: str
    pupil: Pupil
    measures: AttendanceMeasures
    flags: tuple[Flag, ...]


def candidates(
    rows: Iterable[tuple[str, Pupil, AttendanceMeasures]], chosen: CandidateFilter
) -> list[Candidate]:
    """Return the pupils matching ``chosen``, lowest attendance rate first."""
    found = []
    for pupil_id, pupil, measures in rows:
        flags = flags_for(pupil, measures)
        if chosen.matches(pupil, measures, flags):
            found.append(Candidate(pupil_id, pupil, measures, tuple(flags)))
    found.sort(key=lambda item: (item.measures.attendance_rate is None, item.measures.attendance_rate or 0))
    return found
