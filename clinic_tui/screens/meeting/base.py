"""What every step of the meeting screen shares: the record context, the pane base class and input parsing.

A step pane applies each change to the record at once through the domain
setters and posts ``StepPane.Edited``, so the screen can schedule a save.
Input that the record cannot take yet, such as a half-typed action or a
date still being typed, stays in the pane. ``form_inputs`` returns it for
saving, and ``restore_form_inputs`` puts it back after a crash. While it is
there, ``form_problems`` stops the record being finalised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from clinic_tui.domain.attendees import PlannedAttendee
from clinic_tui.domain.checks import InvalidValue, format_short_date
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.record import BaseRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.steps import Step, StepId
from clinic_tui.domain.timeline import year_label
from clinic_tui.services.reviews import AttendanceChange

_DATE_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass
class MeetingContext:
    """The record being edited and what the steps need to show it."""

    record: BaseRecord
    pupils: Mapping[str, Pupil]
    now: Callable[[], dt.datetime]
    planned_attendees: tuple[PlannedAttendee, ...] = ()
    # For a review: the date of the meeting under review and the attendance change since, from the marks.
    attendance_since: Callable[[], tuple[dt.date, AttendanceChange] | None] | None = None

    def pupil_name(self, pupil_id: str) -> str:
        """Return the pupil's full name and year, for use inside an opened meeting only."""
        pupil = self.pupils.get(pupil_id)
        if pupil is None:
            return f"pupil {pupil_id}"
        year = year_label(pupil.year_group)
        return f"{pupil.display_name} ({year})" if year else pupil.display_name

    def pupil_names(self) -> dict[str, str]:
        return {pupil_id: self.pupil_name(pupil_id) for pupil_id in self.record.pupil_ids}

    def with_names(self, message: str) -> str:
        """Replace pupil ids in a domain message with the pupils' names."""
        for pupil_id in self.record.pupil_ids:
            message = message.replace(f"pupil {pupil_id}", self.pupil_name(pupil_id))
            message = message.replace(pupil_id, self.pupil_name(pupil_id))
        return message

    def step(self, step_id: StepId) -> Step:
        return next(step for step in self.record.steps() if step.id is step_id)


def parse_date(text: str, field: str) -> dt.date:
    """Parse a date typed as day/month/year or year-month-day, or raise InvalidValue."""
    if not text.strip():
        raise InvalidValue(f"{field} is empty. Enter it as day/month/year, for example 21/04/2026.")

    match = _DATE_DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _DATE_ISO.match(text)
        if not match:
            raise InvalidValue(
                f"{field} {text.strip()!r} is not a date. Enter it as day/month/year, for example 21/04/2026."
            )
        year, month, day = (int(part) for part in match.groups())

    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidValue(
            f"{field} {text.strip()!r} is not a real date. Check the day and the month."
        ) from None


def parse_time(text: str, field: str, on: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Parse a 24-hour time such as 10:45 on the given day, or raise InvalidValue."""
    match = _TIME.match(text)
    if not match:
        raise InvalidValue(f"{field} {text.strip()!r} is not a time. Enter it as hours:minutes, for example 10:45.")

    hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        raise InvalidValue(f"{field} {text.strip()!r} is not a real time. Use the 24-hour clock, 00:00 to 23:59.")
    return dt.datetime.combine(on, dt.time(hour, minute), tzinfo=zone)


def parse_percentage(text: str, field: str) -> float | None:
    """Parse a percentage such as 95 or 92.5%, or return None for an empty field (no target agreed)."""
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidValue(
            f"{field} {text.strip()!r} is not a number. Enter a percentage from 0 to 100, or leave it empty."
        ) from None


def short_date(value: dt.date | None) -> str:
    return "" if value is None else format_short_date(value)


class StepPane(VerticalScroll, can_focus=False):
    """One step of the meeting: its prompt, its fields and a line for problems."""

    STEP: ClassVar[StepId]
    DEFAULT_CSS = """
    StepPane { padding: 0 1; }
    StepPane .prompt { color: $text-muted; margin-bottom: 1; }
    StepPane .pane-message { color: $text-error; text-style: bold; margin-top: 1; }
    StepPane .field-label { margin-top: 1; text-style: bold; }
    StepPane .hint { color: $text-muted; }
    """

    class Edited(Message):
        """The record or an unsaved form input of a step changed."""

    def __init__(self, context: MeetingContext, saved: Mapping[str, object] | None = None) -> None:
        """Make the step for ``context``, with ``saved``, the form inputs saved before a crash if any.

        A step whose fields are radio sets builds them from ``saved``, because
        a radio set does not take a choice restored after it has mounted
        until a moment later. Other fields are restored by ``restore_form_inputs``.
        """
        super().__init__(id=f"step-{self.STEP.value}")
        self.context = context
        self.saved_inputs: Mapping[str, object] = saved or {}
        self.posted_inputs: dict[str, object] = {}
        self._message = ""

    @property
    def record(self) -> MeetingRecord:
        # Only the review steps see a ReviewRecord here, and they read it through their own ``review`` property.
        return self.context.record  # type: ignore[return-value]

    def prompt(self) -> Static:
        return Static(self.context.step(self.STEP).prompt, classes="prompt")

    def message_line(self) -> Static:
        return Static("", id=f"message-{self.STEP.value}", classes="pane-message")

    def show_message(self, text: str) -> None:
        # Updating a Static lays the screen out again, which is too slow to do on every key for nothing.
        text = self.context.with_names(text)
        if text != self._message:
            self._message = text
            self.query_one(f"#message-{self.STEP.value}", Static).update(text)

    def edited(self, record_changed: bool = True) -> None:
        """Tell the screen to save, unless neither the record nor this step's form inputs changed.

        Textual reports fields created with a value as changed when they
        mount, and those reports must not count as the officer's edits.
        """
        inputs = self.form_inputs()
        if not record_changed and inputs == self.posted_inputs:
            return
        self.posted_inputs = inputs
        self.post_message(self.Edited())

    def apply(self, change: Callable[[], object]) -> bool:
        """Run one domain change, showing its error instead of raising it."""
        try:
            change()
        except InvalidValue as error:
            self.show_message(str(error))
            return False
        self.show_message("")
        return True

    # A field's change ends at its step, whose own handlers store it and post Edited. Bubbling further
    # would wake the switcher, the screen and the app on every key with nothing for them to do.
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()

    # Hooks the screen calls. The defaults suit a step with nothing to add or keep.

    def on_step_shown(self) -> None:
        """Bring the pane up to date when it becomes the current step."""

    def on_mount(self) -> None:
        # Restored text is continued, not typed over, so each text area starts at its end.
        for area in self.query(TextArea):
            area.move_cursor(area.document.end)

    def first_focus(self) -> Widget | None:
        """Return the widget to focus when the step opens: the pane itself or its first field."""
        if self.can_focus:
            return self
        return next((widget for widget in self.query(Widget) if widget.focusable), None)

    def form_inputs(self) -> dict[str, object]:
        """Return what is typed on this step but not yet part of the record."""
        return {}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        """Put back inputs saved by ``form_inputs`` before a crash."""

    def form_problems(self) -> list[str]:
        """List inputs on this step that stop the record being finalised."""
        return []

    def can_add(self) -> bool:
        return False

    def add(self) -> None:
        """Add the item typed in this step's form."""

    def can_remove(self) -> bool:
        return False

    def remove(self) -> None:
        """Remove the highlighted item."""


class ReviewStepPane(StepPane):
    """A step that only a review meeting has, which reads its record as a review."""

    @property
    def review(self) -> ReviewRecord:
        assert isinstance(self.record, ReviewRecord)
        return self.record
