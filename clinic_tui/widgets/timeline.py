"""The clinic day timeline table: one row per slot, with privacy labels only.

The table shows what ``DayService.slot_views`` returns, so it never contains a
pupil's name. Status is always a word with a symbol, never colour alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

from clinic_tui.domain.attendees import PlannedAttendee, Role
from clinic_tui.domain.slots import SlotStatus
from clinic_tui.domain.timeline import TimelineEntry
from clinic_tui.services.days import SlotView

NO_TIME = "—"

# Short role names keep the attendees column readable at 80 columns.
# The full role labels are in the slot's history and the meeting screen.
_SHORT_ROLES = {
    Role.PARENT_CARER: "parent/carer",
    Role.PUPIL: "pupil",
    Role.EWO: "EWO",
    Role.SENDCO: "SENDCO",
    Role.DSL: "DSL",
    Role.HEAD_OF_YEAR: "head of year",
    Role.FORM_TUTOR: "form tutor",
    Role.SCHOOL_NURSE: "nurse",
    Role.SOCIAL_WORKER: "social worker",
    Role.FAMILY_WORKER: "family worker",
    Role.INTERPRETER: "interpreter",
}

# A symbol beside each status word, so the status reads the same in every theme.
_STATUS_MARKS = {
    SlotStatus.PLANNED: ("·", ""),
    SlotStatus.IN_PROGRESS: ("▶", "bold"),
    SlotStatus.FINISHED: ("✓", ""),
    SlotStatus.SKIPPED: ("–", "dim"),
    SlotStatus.DID_NOT_ATTEND: ("✗", "bold"),
    SlotStatus.REARRANGED: ("→", "dim"),
}

_RECORD_STATES = {"draft": "draft", "finalised": "finalised"}

COLUMNS = (
    ("planned", "Planned"),
    ("projected", "Projected"),
    ("family", "Family"),
    ("status", "Status"),
    ("record", "Record"),
    ("mode", "Mode"),
    ("attendees", "Planned attendees"),
)


def format_duration(length: dt.timedelta) -> str:
    """Format a duration in whole minutes, such as "5 min" or "1 h 5 min", rounding down."""
    minutes = max(0, int(length.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes} min"
    if minutes == 0:
        return f"{hours} h"
    return f"{hours} h {minutes} min"


def format_countdown(length: dt.timedelta) -> str:
    """Format a duration as minutes and seconds, such as "12:04", for the running clock."""
    seconds = max(0, int(length.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}:{seconds:02d}"


def role_names(attendees: Sequence[PlannedAttendee]) -> str:
    """Return the planned attendees' roles, never their names."""
    roles = [
        attendee.role_detail if attendee.role is Role.OTHER else _SHORT_ROLES[attendee.role] for attendee in attendees
    ]
    return ", ".join(roles) if roles else "none planned"


def status_text(status: SlotStatus) -> Text:
    mark, style = _STATUS_MARKS[status]
    return Text(f"{mark} {status.label}", style=style)


def record_text(view: SlotView) -> str:
    if view.record is None:
        return "none"
    return _RECORD_STATES.get(view.record.state, view.record.state)


def projected_text(entry: TimelineEntry | None) -> str:
    """Return the projected start, with the delay when a planned slot runs late.

    A slot in progress or finished shows its actual start. A slot that no
    longer takes up time (skipped, did not attend, rearranged) shows a dash.
    """
    if entry is None or entry.projected_start is None:
        return NO_TIME

    start = f"{entry.projected_start:%H:%M}"
    if entry.status is SlotStatus.PLANNED and entry.delay >= dt.timedelta(minutes=1):
        return f"{start} +{format_duration(entry.delay)}"
    return start


class TimelineTable(DataTable[str | Text]):
    """The slots of one clinic day in planned order, keyed by slot id."""

    DEFAULT_CSS = """
    TimelineTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for key, title in COLUMNS:
            self.add_column(title, key=key)

    @property
    def highlighted_slot_id(self) -> str | None:
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def highlight(self, slot_id: str) -> None:
        """Move the cursor to the slot's row, if the slot is on the table."""
        try:
            index = self.get_row_index(slot_id)
        except RowDoesNotExist:
            return
        self.move_cursor(row=index)

    def show(self, views: Sequence[SlotView], entries: Mapping[str, TimelineEntry]) -> None:
        """Replace every row, keeping the cursor on the same slot where it still exists."""
        keep = self.highlighted_slot_id
        self.clear()

        for view in views:
            slot = view.slot
            self.add_row(
                f"{slot.start:%H:%M}",
                projected_text(entries.get(slot.id)),
                view.label,
                status_text(slot.status),
                record_text(view),
                slot.mode.label,
                role_names(slot.attendees),
                key=slot.id,
            )

        if keep is not None:
            self.highlight(keep)

    def show_projection(self, entries: Mapping[str, TimelineEntry]) -> None:
        """Update only the projected column, which moves with the clock."""
        for row_key in self.rows:
            slot_id = row_key.value
            assert slot_id is not None
            text = projected_text(entries.get(slot_id))
            if self.get_cell(slot_id, "projected") != text:
                self.update_cell(slot_id, "projected", text, update_width=True)
