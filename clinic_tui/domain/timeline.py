"""Timing of a clinic day: planned and projected times, the running clock and privacy labels.

Every function takes ``now`` from the caller and never reads the clock, so a
screen and a test see the same result for the same time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_tui.domain.checks import require_aware
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.slots import Slot, SlotStatus

if TYPE_CHECKING:
    from clinic_tui.domain.day import ClinicDay

WARNING_BEFORE_END = dt.timedelta(minutes=5)
DNA_GRACE = dt.timedelta(minutes=10)
ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class TimelineEntry:
    """The planned, actual and projected times of one slot.

    Projected times are None for slots that no longer take up time
    (skipped, did not attend, rearranged). For a finished slot they equal
    the actual times.
    """

    slot_id: str
    status: SlotStatus
    planned_start: dt.datetime
    planned_end: dt.datetime
    actual_start: dt.datetime | None
    actual_end: dt.datetime | None
    projected_start: dt.datetime | None
    projected_end: dt.datetime | None

    @property
    def delay(self) -> dt.timedelta:
        """How much later than planned the slot starts or is projected to start, or zero."""
        if self.projected_start is None:
            return ZERO
        return max(ZERO, self.projected_start - self.planned_start)


@dataclass(frozen=True)
class SlotClock:
    """The running clock of the slot in progress.

    The slot is due to end one slot length after it actually started, so a
    late start moves the end too. ``warning`` is True from five minutes
    before the end until the end. ``overrun`` is zero until the end has passed.
    """

    slot_id: str
    started_at: dt.datetime
    due_end: dt.datetime
    remaining: dt.timedelta
    overrun: dt.timedelta
    warning: bool

    @property
    def is_overrunning(self) -> bool:
        return self.overrun > ZERO


def build_timeline(day: ClinicDay, now: dt.datetime) -> list[TimelineEntry]:
    """Return an entry for every slot in planned order, projecting the planned ones from ``now``.

    The officer is busy until the slot in progress is due to end, or until
    ``now`` if it has overrun. Each planned slot is projected to start at
    its planned time or when the officer is next free, whichever is later.
    Breaks absorb lateness: a projection may run into a break rather than
    pushing the later slots past it.
    """
    require_aware(now, "now")
    length = day.slot_length

    busy_until = now
    current = day.current_slot()
    if current is not None and current.started_at is not None:
        busy_until = max(now, current.started_at + length)

    entries = []
    for slot in day.slots:
        planned_start = day.planned_start(slot)
        actual_start = slot.started_at
        actual_end = slot.finished_at
        projected_start: dt.datetime | None = None
        projected_end: dt.datetime | None = None

        if slot.status is SlotStatus.FINISHED:
            projected_start, projected_end = actual_start, actual_end
        elif slot.status is SlotStatus.IN_PROGRESS and actual_start is not None:
            projected_start = actual_start
            projected_end = max(actual_start + length, now)
        elif slot.status is SlotStatus.PLANNED:
            projected_start = max(planned_start, busy_until)
            projected_end = projected_start + length
            busy_until = projected_end

        entries.append(
            TimelineEntry(
                slot_id=slot.id,
                status=slot.status,
                planned_start=planned_start,
                planned_end=planned_start + length,
                actual_start=actual_start,
                actual_end=actual_end,
                projected_start=projected_start,
                projected_end=projected_end,
            )
        )
    return entries


def running_late_by(day: ClinicDay, now: dt.datetime) -> dt.timedelta:
    """Return how late the next planned slot is projected to start, or zero when on time.

    With no planned slot left, the day cannot run late, though the slot in
    progress may still overrun.
    """
    for entry in build_timeline(day, now):
        if entry.status is SlotStatus.PLANNED:
            return entry.delay
    return ZERO


def slot_clock(day: ClinicDay, now: dt.datetime) -> SlotClock | None:
    """Return the clock of the slot in progress, or None when no slot is in progress."""
    require_aware(now, "now")
    current = day.current_slot()
    if current is None or current.started_at is None:
        return None

    due_end = current.started_at + day.slot_length
    remaining = max(ZERO, due_end - now)
    overrun = max(ZERO, now - due_end)
    warning = due_end - WARNING_BEFORE_END <= now <= due_end
    return SlotClock(current.id, current.started_at, due_end, remaining, overrun, warning)


def dna_candidates(day: ClinicDay, now: dt.datetime, grace: dt.timedelta = DNA_GRACE) -> list[Slot]:
    """Return the planned slots whose family is ``grace`` past due, to offer for did-not-attend.

    The grace time runs from the planned start, or from the end of a meeting
    that overran past it, because a family cannot be seen while the officer
    is still busy. Nothing is offered while a slot is in progress.
    """
    require_aware(now, "now")
    if day.current_slot() is not None:
        return []

    finished = [slot.finished_at for slot in day.slots if slot.finished_at is not None]
    last_free = max(finished, default=None)

    candidates = []
    for slot in day.slots:
        if slot.status is not SlotStatus.PLANNED:
            continue

        waiting_from = day.planned_start(slot)
        if last_free is not None and last_free > waiting_from:
            waiting_from = last_free
        if now >= waiting_from + grace:
            candidates.append(slot)
    return candidates


def year_label(year_group: str) -> str:
    """Return a short year group label: "Y7" for year 7, "Rec" for reception, nursery as given."""
    year = year_group.strip().upper()
    if year.isdigit():
        return f"Y{int(year)}"
    if year == "R":
        return "Rec"
    return year


def privacy_label(slot: Slot, pupils: Mapping[str, Pupil]) -> str:
    """Return the slot's label for a shared screen: initials and year group only.

    Full names never appear, so the timeline can stay on screen in a school
    room. A pupil id missing from ``pupils`` shows as "?".
    """
    parts = []
    for pupil_id in slot.family:
        pupil = pupils.get(pupil_id)
        if pupil is None:
            parts.append("?")
            continue

        initials = pupil.initials or "?"
        year = year_label(pupil.year_group)
        parts.append(f"{initials} {year}" if year else initials)
    return ", ".join(parts)
