"""Clocks: the wall clock for records and timelines, a monotonic one for idle time.

Screens and services take a clock instead of reading the time themselves, so
tests and snapshots can fix the time and move it on by hand.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware, in the local zone."""

    def monotonic(self) -> float:
        """Return seconds from an arbitrary start, never going backwards."""


class SystemClock:
    """The machine's clock, in UK local time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(LOCAL_ZONE)

    def monotonic(self) -> float:
        return time.monotonic()


class OffsetClock:
    """The machine's clock moved by a fixed number of seconds; it ticks in real time.

    The demo uses it so that a demo opened in the evening still shows a
    school day in progress.
    """

    def __init__(self, offset_seconds: float) -> None:
        self.offset = dt.timedelta(seconds=offset_seconds)

    def now(self) -> dt.datetime:
        return dt.datetime.now(LOCAL_ZONE) + self.offset

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when a caller advances it, for tests and demonstrations."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start
        self._elapsed = 0.0

    def now(self) -> dt.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._elapsed

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)
        self._elapsed += seconds

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (forwards only, like a real clock)."""
        delta = (moment - self._now).total_seconds()
        if delta < 0:
            raise ValueError("ManualClock cannot go backwards")
        self.advance(delta)
