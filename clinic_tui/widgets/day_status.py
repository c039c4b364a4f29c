"""The top of the clinic day screen: the clock, the slot in progress and the warnings.

``describe_day`` turns a day and a moment into the sentences to show, so the
widget only places them. Every warning starts with a word ("Overrunning",
"Running late"), so its meaning does not rest on the banner's colour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.slots import Slot, SlotStatus
from clinic_tui.domain.timeline import TimelineEntry
from clinic_tui.widgets.timeline import format_countdown, format_duration

# Lateness under a minute is noise between two clock ticks, so it is not shown.
LATE_THRESHOLD = dt.timedelta(minutes=1)


class AlertKind(str, Enum):
    """A one-off event of the slot in progress, announced once per slot."""

    WARNING = "warning"
    OVERRUN = "overrun"


@dataclass(frozen=True)
class Alert:
    """A notification to show once: which slot, which event and the sentence."""

    slot_id: str
    kind: AlertKind
    message: str


@dataclass(frozen=True)
class DayStatusText:
    """Every sentence at the top of the day screen for one moment.

    A banner is None when it has no message. ``dna_slot_ids`` are the
    slots offered for did-not-attend, earliest first.
    """

    heading: str
    keys_hint: str
    clock: str
    slot_line: str
    slot_banner: str | None
    slot_banner_kind: AlertKind | None
    late_banner: str | None
    dna_banner: str | None
    dna_slot_ids: tuple[str, ...]
    alerts: tuple[Alert, ...]


def is_day_of(day: ClinicDay, now: dt.datetime) -> bool:
    """Return True when ``now`` falls on the clinic day in the day's own time zone."""
    return now.astimezone(day.settings.tzinfo).date() == day.date


def slot_name(slot: Slot, labels: Mapping[str, str]) -> str:
    """Name a slot by planned time and privacy label, such as "09:30 RG Y7"."""
    return f"{slot.start:%H:%M} {labels.get(slot.id, '?')}"


def day_heading(day: ClinicDay) -> str:
    settings = day.settings
    parts = [f"{day.date:%A} {day.date.day} {day.date:%B %Y}", settings.school_name]
    if settings.room.strip():
        parts.append(settings.room)
    return " · ".join(parts)


def describe_day(
    day: ClinicDay,
    labels: Mapping[str, str],
    entries: Mapping[str, TimelineEntry],
    now: dt.datetime,
    grace: dt.timedelta,
    dna_key: str,
    help_key: str,
) -> DayStatusText:
    """Return the clock line, the slot in progress, the warnings and the alerts for ``now``.

    ``labels`` maps slot id to privacy label and ``entries`` maps slot id to
    its timeline entry for ``now``. ``dna_key`` and ``help_key`` are the keys
    named in the did-not-attend offer and the keys hint. On any other date
    than the clinic day, nothing runs, so there are no warnings and no offers.
    """
    heading = day_heading(day)
    # The footer cannot show every timeline key at 80 columns, so the top line names the help key.
    keys_hint = f"{help_key}: all keys"
    clock = f"{now:%H:%M:%S}"
    if not is_day_of(day, now):
        line = (
            f"This clinic day is on {day.date:%d/%m/%Y}, not today, so the timeline shows planned times "
            "and no warnings."
        )
        return DayStatusText(heading, keys_hint, clock, line, None, None, None, None, (), ())

    slot_line, slot_banner, banner_kind, alerts = _describe_current(day, labels, entries, now)
    late_banner = _describe_lateness(day, labels, entries, now)

    candidates = day.dna_candidates(now, grace)
    dna_banner = None
    if candidates:
        waiting = slot_name(candidates[0], labels)
        if len(candidates) > 1:
            waiting += f" and {len(candidates) - 1} more"
        dna_banner = (
            f"Not arrived after {format_duration(grace)}: {waiting}. Press {dna_key} to record did not attend."
        )

    return DayStatusText(
        heading,
        keys_hint,
        clock,
        slot_line,
        slot_banner,
        banner_kind,
        late_banner,
        dna_banner,
        tuple(slot.id for slot in candidates),
        alerts,
    )


def _describe_current(
    day: ClinicDay, labels: Mapping[str, str], entries: Mapping[str, TimelineEntry], now: dt.datetime
) -> tuple[str, str | None, AlertKind | None, tuple[Alert, ...]]:
    slot_clock = day.clock(now)
    if slot_clock is None:
        upcoming = next((slot for slot in day.slots if slot.status is SlotStatus.PLANNED), None)
        if upcoming is None:
            return "No meeting in progress. No planned slots are left today.", None, None, ()
        projected = entries[upcoming.id].projected_start
        assert projected is not None
        return (
            f"No meeting in progress. Next: {slot_name(upcoming, labels)}, projected to start at {projected:%H:%M}.",
            None,
            None,
            (),
        )

    current = day.slot(slot_clock.slot_id)
    name = slot_name(current, labels)
    started = f"started {slot_clock.started_at:%H:%M}"
    due = f"{slot_clock.due_end:%H:%M}"

    if slot_clock.is_overrunning:
        line = f"In progress: {name}, {started}, {format_countdown(slot_clock.overrun)} over its due end at {due}."
        banner = (
            f"Overrunning: the meeting at {name} was due to end at {due} "
            f"and is {format_duration(slot_clock.overrun)} over."
        )
        message = f"The meeting at {name} is now overrunning. It was due to end at {due}."
        alert = Alert(current.id, AlertKind.OVERRUN, message)
        return line, banner, AlertKind.OVERRUN, (alert,)

    line = f"In progress: {name}, {started}, {format_countdown(slot_clock.remaining)} left until {due}."
    if slot_clock.warning:
        # The warning lasts from five minutes before the end until the end, hence "under".
        banner = f"Under five minutes left: the meeting at {name} is due to end at {due}."
        message = f"Five minutes left in the meeting at {name}. It is due to end at {due}."
        alert = Alert(current.id, AlertKind.WARNING, message)
        return line, banner, AlertKind.WARNING, (alert,)
    return line, None, None, ()


def _describe_lateness(
    day: ClinicDay, labels: Mapping[str, str], entries: Mapping[str, TimelineEntry], now: dt.datetime
) -> str | None:
    late_by = day.running_late_by(now)
    if late_by < LATE_THRESHOLD:
        return None

    upcoming = next(slot for slot in day.slots if slot.status is SlotStatus.PLANNED)
    projected = entries[upcoming.id].projected_start
    assert projected is not None
    return (
        f"Running late by {format_duration(late_by)}: the next slot, {slot_name(upcoming, labels)}, "
        f"is projected to start at {projected:%H:%M}."
    )


class DayStatus(Vertical):
    """The heading, clock, slot line and the three banners of the day screen."""

    DEFAULT_CSS = """
    DayStatus { height: auto; padding: 0 1; }
    DayStatus #day-top { height: 1; }
    DayStatus #day-heading { width: 1fr; text-style: bold; }
    DayStatus #day-keys-hint { width: auto; color: $text-muted; padding-right: 2; }
    DayStatus #day-clock { width: auto; text-style: bold; }
    DayStatus .banner { display: none; padding: 0 1; }
    DayStatus .banner.-shown { display: block; }
    DayStatus #slot-banner.-warning { background: $warning; color: $text; text-style: bold; }
    DayStatus #slot-banner.-overrun { background: $error; color: $text; text-style: bold; }
    DayStatus #late-banner { background: $warning-muted; color: $text; }
    DayStatus #dna-banner { background: $primary-muted; color: $text; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="day-top"):
            yield Static(id="day-heading", markup=False)
            yield Static(id="day-keys-hint", markup=False)
            yield Static(id="day-clock", markup=False)
        yield Static(id="slot-line", markup=False)
        yield Static(id="slot-banner", classes="banner", markup=False)
        yield Static(id="late-banner", classes="banner", markup=False)
        yield Static(id="dna-banner", classes="banner", markup=False)

    def show(self, text: DayStatusText) -> None:
        self.query_one("#day-heading", Static).update(Text(text.heading))
        self.query_one("#day-keys-hint", Static).update(Text(text.keys_hint))
        self.query_one("#day-clock", Static).update(Text(text.clock))
        self.query_one("#slot-line", Static).update(Text(text.slot_line))

        slot_banner = self._banner("#slot-banner", text.slot_banner)
        slot_banner.set_class(text.slot_banner_kind is AlertKind.WARNING, "-warning")
        slot_banner.set_class(text.slot_banner_kind is AlertKind.OVERRUN, "-overrun")
        self._banner("#late-banner", text.late_banner)
        self._banner("#dna-banner", text.dna_banner)

    def show_message(self, message: str) -> None:
        """Show one sentence in place of the slot line, with no banners, when there is no day to show."""
        self.query_one("#slot-line", Static).update(Text(message))
        for selector in ("#slot-banner", "#late-banner", "#dna-banner"):
            self._banner(selector, None)

    def _banner(self, selector: str, message: str | None) -> Static:
        banner = self.query_one(selector, Static)
        banner.update(Text(message or ""))
        banner.set_class(message is not None, "-shown")
        return banner
