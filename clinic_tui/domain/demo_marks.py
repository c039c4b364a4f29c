"""Synthetic attendance marks for one pupil of the demonstration school.

Each pupil gets an attendance tier that sets a daily chance of absence. Then
come the events a real register shows: a run of illness, a term-time
holiday shared with siblings, a suspension and a part-time timetable. Days
at another school or in alternative provision follow, then appointments,
lates, trips and work experience. Absences whose reason was not known at first were marked N; the
ones older than three school days have since been changed to their reason,
and each change is returned as an amendment.

An academic year that starts before 19 August 2024 uses the pre-2024 codes.
Provision off site is B (not K), any leave is C (not C2) and an interview is
J (not J1). An occasional agreed holiday shows as H.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from clinic_tui.domain.pupil import Mark, SenStatus, Session

PRESENT_AM = "/"
PRESENT_PM = "\\"

# Tiers and their daily chance of a whole or part day of absence. The
# weights below give roughly a fifth of pupils at 10% absence or more.
_TIER_ABSENCE = {
    "regular": (0.0, 0.03),
    "moderate": (0.04, 0.07),
    "persistent": (0.11, 0.30),
    "severe": (0.55, 0.85),
}
_TIER_WEIGHTS = {
    "base": (0.74, 0.14, 0.105, 0.015),
    "fsm": (0.60, 0.17, 0.20, 0.03),
    "sen": (0.62, 0.16, 0.19, 0.03),
}

# Reasons for a day of absence by tier; N is decided afterwards from the date.
_REASONS = {
    "regular": (("I", 0.78), ("M", 0.08), ("O", 0.06), ("G", 0.04), ("C", 0.04)),
    "moderate": (("I", 0.66), ("M", 0.08), ("O", 0.16), ("G", 0.06), ("C", 0.04)),
    "persistent": (("I", 0.58), ("O", 0.3), ("G", 0.06), ("M", 0.04), ("C", 0.02)),
    "severe": (("O", 0.55), ("I", 0.42), ("C", 0.03)),
}

# School days at the end of the period whose unexplained absences still show N.
_UNRESOLVED_DAYS = 3


@dataclass(frozen=True)
class MarkAmendment:
    """A mark changed after it was first entered, such as N replaced by its reason."""

    upn: str
    date: dt.date
    session: Session
    previous_code: str
    code: str
    changed_on: dt.date


@dataclass(frozen=True)
class PupilPlan:
    """School and family plans that shape one pupil's register.

    Day indexes point into the list of school days being generated.
    """

    year_group: int
    sen: SenStatus
    fsm: bool
    legacy_codes: bool
    family_holiday: range | None = None
    festival_day: int | None = None
    trip_day: int | None = None
    work_experience: range | None = None


def _choose_tier(plan: PupilPlan, rng: random.Random) -> str:
    weights = _TIER_WEIGHTS["base"]
    if plan.fsm:
        weights = _TIER_WEIGHTS["fsm"]
    elif plan.sen is not SenStatus.NONE:
        weights = _TIER_WEIGHTS["sen"]
    return rng.choices(tuple(_TIER_ABSENCE), weights=weights)[0]


def _pick(options: Sequence[tuple[str, float]], rng: random.Random) -> str:
    codes = [code for code, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(codes, weights=weights)[0]


def _block(length_range: tuple[int, int], total: int, rng: random.Random) -> range:
    """Pick a run of consecutive day indexes inside ``total`` days."""
    length = min(total, rng.randint(*length_range))
    start = rng.randrange(total - length + 1)
    return range(start, start + length)


class _Register:
    """Codes for the AM and PM sessions of each school day of one pupil."""

    def __init__(self, days: Sequence[dt.date]) -> None:
        self.days = days
        self.am = [PRESENT_AM] * len(days)
        self.pm = [PRESENT_PM] * len(days)

    def set_day(self, index: int, code: str) -> None:
        self.am[index] = code
        self.pm[index] = code

    def present_all_day(self, index: int) -> bool:
        return self.am[index] == PRESENT_AM and self.pm[index] == PRESENT_PM


def generate_pupil_marks(
    upn: str, days: Sequence[dt.date], plan: PupilPlan, rng: random.Random
) -> tuple[list[Mark], list[MarkAmendment]]:
    """Generate the marks of one pupil for ``days``, in date and session order.

    Returns the marks and the amendments that changed N to a reason.
    """
    register = _Register(days)
    total = len(days)
    if total == 0:
        return [], []

    tier = _choose_tier(plan, rng)
    _add_daily_absences(register, tier, rng)
    _add_events(register, plan, tier, rng)
    _add_planned_provision(register, plan, tier, rng)
    _add_school_activities(register, plan, rng)
    _add_lates(register, tier, rng)
    amendments = _mark_unexplained(register, upn, tier, rng)

    marks = []
    for index, day in enumerate(days):
        marks.append(Mark(upn, day, Session.AM, register.am[index]))
        marks.append(Mark(upn, day, Session.PM, register.pm[index]))
    return marks, amendments


def _add_daily_absences(register: _Register, tier: str, rng: random.Random) -> None:
    """Add single days and half days of absence.

    Some pupils miss Fridays, and to a lesser degree Mondays, far more than other days.
    """
    low, high = _TIER_ABSENCE[tier]
    chance = rng.uniform(low, high)

    # About one pupil in six has this long-weekend pattern.
    friday_factor = rng.uniform(2.5, 4.0) if rng.random() < 0.17 else 1.0
    weekday_factor = (1 + (friday_factor - 1) / 2, 1.0, 1.0, 1.0, friday_factor, 1.0, 1.0)

    for index, day in enumerate(register.days):
        if rng.random() >= min(0.95, chance * weekday_factor[day.weekday()]):
            continue

        code = _pick(_REASONS[tier], rng)
        if code == "M" or rng.random() < 0.12:
            # An appointment or leaving at lunch: one session only.
            if rng.random() < 0.6:
                register.am[index] = code
            else:
                register.pm[index] = code
        else:
            register.set_day(index, code)


def _add_events(register: _Register, plan: PupilPlan, tier: str, rng: random.Random) -> None:
    """Add runs of illness, family holidays and suspensions."""
    total = len(register.days)

    illness_chance = 0.05 if plan.sen is SenStatus.NONE else 0.1
    if rng.random() < illness_chance:
        for index in _block((5, 15), total, rng):
            register.set_day(index, "I")

    if plan.family_holiday is not None:
        # Before 2024 a few schools agreed holidays (H); G is the norm.
        code = "H" if plan.legacy_codes and rng.random() < 0.15 else "G"
        for index in plan.family_holiday:
            if index < total:
                register.set_day(index, code)

    suspension_chance = 0.06 if tier in ("persistent", "severe") else 0.01
    if rng.random() < suspension_chance:
        for index in _block((1, 3), total, rng):
            register.set_day(index, "E")


def _add_planned_provision(
    register: _Register, plan: PupilPlan, tier: str, rng: random.Random
) -> None:
    """Add part-time timetables, dual registration and alternative provision."""
    total = len(register.days)
    high_need = tier == "severe" or plan.sen is SenStatus.EHC_PLAN

    if rng.random() < (0.12 if high_need else 0.004):
        part_time = "C" if plan.legacy_codes else "C2"
        for index in _block((15, 60), total, rng):
            register.pm[index] = part_time

    if rng.random() < 0.008:
        weekdays = rng.choice(((1, 3), (2,), (0, 4)))
        for index, day in enumerate(register.days):
            if day.weekday() in weekdays:
                register.set_day(index, "D")
        # A dual-registered pupil gets provision from the other school, not AP.
        return

    if rng.random() < (0.1 if high_need or tier == "persistent" else 0.005):
        provision = "B" if plan.legacy_codes else "K"
        weekdays = rng.choice(((2,), (1, 3), (0, 2, 4)))
        start = rng.randrange(total)
        for index in range(start, total):
            if register.days[index].weekday() in weekdays:
                register.set_day(index, provision)


def _add_school_activities(register: _Register, plan: PupilPlan, rng: random.Random) -> None:
    """Add trips, work experience, fixtures, festivals, appointments and interviews."""
    total = len(register.days)

    def present_day(index: int | None) -> bool:
        return index is not None and index < total and register.present_all_day(index)

    if present_day(plan.trip_day):
        register.set_day(plan.trip_day, "V")

    if plan.work_experience is not None:
        for index in plan.work_experience:
            if present_day(index):
                register.set_day(index, "W")

    if plan.festival_day is not None and rng.random() < 0.7 and present_day(plan.festival_day):
        register.set_day(plan.festival_day, "R")

    if rng.random() < 0.06:
        for _ in range(rng.randint(2, 6)):
            index = rng.randrange(total)
            if register.pm[index] == PRESENT_PM:
                register.pm[index] = "P"

    for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
        index = rng.randrange(total)
        if register.am[index] == PRESENT_AM:
            register.am[index] = "M"

    if plan.year_group == 11 and rng.random() < 0.1:
        index = rng.randrange(total)
        if present_day(index):
            register.am[index] = "J" if plan.legacy_codes else "J1"

    if rng.random() < 0.02:
        index = rng.randrange(total)
        if present_day(index):
            register.set_day(index, "C")


def _add_lates(register: _Register, tier: str, rng: random.Random) -> None:
    """Turn some morning presents into L (before the register closed) or U (after)."""
    if rng.random() < 0.5:
        return
    late_chance = rng.uniform(0.01, 0.12 if tier in ("persistent", "severe") else 0.05)
    after_close_share = rng.uniform(0.05, 0.3)

    for index in range(len(register.days)):
        if register.am[index] != PRESENT_AM or rng.random() >= late_chance:
            continue
        register.am[index] = "U" if rng.random() < after_close_share else "L"


def _mark_unexplained(
    register: _Register, upn: str, tier: str, rng: random.Random
) -> list[MarkAmendment]:
    """Show recent unexplained absences as N and record older ones changed from N.

    An I or O absence was unexplained at first in about 40% of cases. In the
    last three school days it still shows N. Earlier, the change to its
    reason is an amendment dated one to three school days later. Some
    persistently absent pupils keep an N that was never resolved.
    """
    amendments = []
    total = len(register.days)
    unresolved_from = total - _UNRESOLVED_DAYS
    keeps_old_n = tier in ("persistent", "severe") and rng.random() < 0.3

    for index, day in enumerate(register.days):
        for session, codes in ((Session.AM, register.am), (Session.PM, register.pm)):
            code = codes[index]
            if code not in ("I", "O") or rng.random() >= 0.4:
                continue

            if index >= unresolved_from or (keeps_old_n and code == "O"):
                codes[index] = "N"
                continue

            changed_on = register.days[min(index + rng.randint(1, 3), total - 1)]
            amendments.append(MarkAmendment(upn, day, session, "N", code, changed_on))

    return amendments
