"""Scheduling: clinic days from today on, their slots, and invited families waiting for a slot.

Lists show initials and year group. A family gets a slot only through its
invitation, so every slot made here has a named decision behind it. The
warnings panel lists the day's repeated families, slots without a decision
and overlaps with another clinic day on the same date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, SelectionList, Static

from clinic_tui.domain.attendees import Mode, PlannedAttendee, Role
from clinic_tui.domain.checks import InvalidValue, format_date, format_short_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.prepare import Invitation
from clinic_tui.screens.day_dialogs import parse_date, parse_time
from clinic_tui.screens.prepare_dialogs import FormDialog, form_bindings, scope_provider, screen_bindings
from clinic_tui.services.prepare import PrepareService
from clinic_tui.services.prepare_schedule import ScheduleResult
from clinic_tui.widgets.form_input import FormInput

# Roles the assign dialog offers. OTHER needs a description, which the
# timeline's meeting screen collects, so it is not offered here.
OFFERED_ROLES = tuple(role for role in Role if role is not Role.OTHER)

# Mode names short enough for the slot table at 80 columns.
SHORT_MODES = {Mode.IN_PERSON: "in person", Mode.VIDEO: "video", Mode.PHONE: "phone"}


@dataclass(frozen=True)
class NewDayRequest:
    date: dt.date
    start: dt.time
    slot_minutes: int
    room: str
    school_name: str
    school_urn: str


class NewDayDialog(FormDialog[NewDayRequest]):
    """Ask for a new clinic day's date, start, slot length, room and school."""

    BINDINGS = form_bindings("schedule")

    def __init__(
        self, apply: Callable[[NewDayRequest], object], date: dt.date, slot_minutes: int, room: str, school: tuple[str, str]
    ) -> None:
        super().__init__("New clinic day", "Slots are added when you assign invited families.", apply)
        self.date = date
        self.slot_minutes = slot_minutes
        self.room = room
        self.school = school

    def compose_fields(self) -> ComposeResult:
        yield Label("Date (DD/MM/YYYY)", classes="field-label")
        yield FormInput(f"{self.date:%d/%m/%Y}", id="date", max_length=10, compact=True)
        yield Label("First slot starts at (HH:MM)", classes="field-label")
        yield FormInput("09:00", id="start", max_length=5, compact=True)
        yield Label("Slot length in minutes", classes="field-label")
        yield FormInput(str(self.slot_minutes), id="minutes", restrict=r"\d{0,3}", compact=True)
        yield Label("Room", classes="field-label")
        yield FormInput(self.room, id="room", placeholder="for example Meeting room 2", compact=True)
        yield Label("School name", classes="field-label")
        yield FormInput(self.school[0], id="school", compact=True)
        yield Label("School URN (six digits)", classes="field-label")
        yield FormInput(self.school[1], id="urn", restrict=r"\d{0,6}", compact=True)

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    def read_request(self) -> NewDayRequest:
        minutes = self.text_of("#minutes")
        if not minutes:
            raise InvalidValue("slot length is empty. Type the length of each slot in minutes, for example 30.")
        return NewDayRequest(
            date=parse_date(self.text_of("#date"), "date"),
            start=parse_time(self.text_of("#start"), "start time"),
            slot_minutes=int(minutes),
            room=self.text_of("#room").strip(),
            school_name=self.text_of("#school").strip(),
            school_urn=self.text_of("#urn").strip(),
        )


@dataclass(frozen=True)
class AssignRequest:
    mode: Mode
    start: dt.time | None
    attendees: tuple[PlannedAttendee, ...]


class AssignDialog(FormDialog[AssignRequest]):
    """Ask for the mode, an optional start time and the planned attendees of a new slot."""

    BINDINGS = form_bindings("schedule")
    DEFAULT_CSS = """
    AssignDialog .field-label { margin-top: 0; }
    AssignDialog #attendees { height: auto; max-height: 8; }
    """
    HINT = "Space ticks an attendee. Tab moves on. F2 saves. Escape closes without saving."

    def __init__(
        self,
        subject: str,
        apply: Callable[[AssignRequest], object],
        suggested: Sequence[PlannedAttendee],
        warn: Callable[[dt.time | None], list[str]],
    ) -> None:
        super().__init__("Assign a slot", subject, apply)
        self.suggested = tuple(suggested)
        self.warn = warn

    def compose_fields(self) -> ComposeResult:
        yield Label("How the family joins (Enter opens the list)", classes="field-label")
        yield Select[Mode](
            ((mode.label, mode) for mode in Mode), value=Mode.IN_PERSON, allow_blank=False, id="mode", compact=True
        )
        yield Label("Start time (HH:MM; empty for the first free time)", classes="field-label")
        yield FormInput(id="start", max_length=5, placeholder="first free time", compact=True)
        yield Label("Attendees (suggested ones are ticked)", classes="field-label")
        ticked = {attendee.role for attendee in self.suggested}
        yield SelectionList[str](
            *((role.label, role.value, role in ticked) for role in OFFERED_ROLES), id="attendees", compact=True
        )
        yield Static(id="assign-ticked", markup=False)
        yield Static(id="assign-warnings", classes="warning", markup=False)

    def on_mount(self) -> None:
        self._show_warnings(None)
        self._show_ticked()
        self.query_one("#mode", Select).focus()

    @on(SelectionList.SelectedChanged, "#attendees")
    def _show_ticked(self) -> None:
        # The list shows a tick by colour only, so the choice is also written out.
        ticked = set(self.query_one("#attendees", SelectionList).selected)
        names = [role.label for role in OFFERED_ROLES if role.value in ticked]
        self.query_one("#assign-ticked", Static).update(f"Ticked: {', '.join(names) if names else 'nobody'}.")

    @on(Input.Changed, "#start")
    def _start_changed(self, event: Input.Changed) -> None:
        try:
            start = parse_time(event.value, "start time") if event.value.strip() else None
        except InvalidValue:
            return
        self._show_warnings(start)

    def _show_warnings(self, start: dt.time | None) -> None:
        warnings = self.warn(start)
        text = "\n".join(f"! {warning}" for warning in warnings)
        self.query_one("#assign-warnings", Static).update(text)

    def read_request(self) -> AssignRequest:
        chosen = self.query_one("#mode", Select).value
        mode = chosen if isinstance(chosen, Mode) else Mode.IN_PERSON
        text = self.text_of("#start")
        start = parse_time(text, "start time") if text.strip() else None

        # Keep the suggested attendees as suggested, with any interpreter's
        # language, and add the roles ticked besides them.
        ticked = set(self.query_one("#attendees", SelectionList).selected)
        attendees = [attendee for attendee in self.suggested if attendee.role.value in ticked]
        chosen = {attendee.role.value for attendee in attendees}
        attendees.extend(PlannedAttendee(role) for role in OFFERED_ROLES if role.value in ticked - chosen)
        return AssignRequest(mode, start, tuple(attendees))


class ScheduleScreen(Screen[None]):
    """One clinic day's slots beside the invited families waiting for a slot."""

    BINDINGS = screen_bindings("schedule")
    COMMANDS = {scope_provider("schedule")}
    DEFAULT_CSS = """
    ScheduleScreen #schedule-day { padding: 0 1; text-style: bold; height: auto; }
    ScheduleScreen #schedule-slots { height: 1fr; }
    ScheduleScreen #schedule-waiting { height: auto; max-height: 9; }
    ScheduleScreen .table-title { padding: 0 1; color: $text-muted; }
    ScheduleScreen #slots { height: 1fr; }
    ScheduleScreen #waiting { height: auto; max-height: 8; }
    ScheduleScreen #schedule-warnings { padding: 0 1; height: auto; max-height: 6; color: $text-warning; }
    """

    def __init__(self, day_id: str | None = None) -> None:
        super().__init__()
        self.day_id = day_id
        self.day: ClinicDay | None = None
        self.waiting: list[Invitation] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="schedule-day", markup=False)
        with Vertical(id="schedule-slots"):
            yield Label("Slots on this day", classes="table-title")
            yield DataTable(id="slots", cursor_type="row", zebra_stripes=True)
        with Vertical(id="schedule-waiting"):
            yield Label(id="waiting-title", classes="table-title", markup=False)
            yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield Static(id="schedule-warnings", markup=False)
        # The compact footer fits more of the screen's keys at 80 columns.
        yield Footer(compact=True)

    @property
    def prepare(self) -> PrepareService:
        session = self.app.session
        assert session is not None, "the scheduling screen runs only while a vault is unlocked"
        return session.prepare

    def on_mount(self) -> None:
        self.title = "Schedule"
        self.query_one("#slots", DataTable).add_columns("Time", "Family", "Mode", "Status")
        self.query_one("#waiting", DataTable).add_columns("Family", "Decided", "Reason")
        if self.day_id is None:
            upcoming = self.prepare.scheduling.upcoming_days()
            self.day_id = upcoming[0][0] if upcoming else None
        self.reload()
        self.query_one("#waiting", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.app.session is not None:
            self.reload()

    def reload(self) -> None:
        prepare = self.prepare
        self.day = prepare.days.load(self.day_id) if self.day_id else None
        self.waiting = prepare.scheduling.waiting()
        self._show_day()
        self._show_waiting()

    def _show_day(self) -> None:
        table = self.query_one("#slots", DataTable)
        table.clear()
        heading = self.query_one("#schedule-day", Static)
        warnings = self.query_one("#schedule-warnings", Static)
        if self.day is None:
            heading.update("No clinic day from today on. Press N to create one.")
            warnings.update("")
            return

        day = self.day
        upcoming = [day_id for day_id, _date in self.prepare.scheduling.upcoming_days()]
        position = f" (day {upcoming.index(day.id) + 1} of {len(upcoming)}; [ and ] move)" if day.id in upcoming else ""
        where = ", ".join(part for part in (day.settings.room, day.settings.school_name) if part)
        heading.update(f"{format_date(day.date)} at {where}, from {day.settings.start:%H:%M}{position}")

        for slot in day.slots:
            table.add_row(
                f"{slot.start:%H:%M}", self.prepare.label(slot.family), SHORT_MODES[slot.mode], slot.status.label
            )
        lines = self.prepare.scheduling.day_warnings(day)
        warnings.update("\n".join(f"! {line}" for line in lines))

    def _show_waiting(self) -> None:
        count = len(self.waiting)
        self.query_one("#waiting-title", Label).update(
            f"Invited families waiting for a slot: {count}. A gives the highlighted one a slot."
            if count
            else "No invited family is waiting for a slot. Decide invitations on the candidate list first."
        )
        table = self.query_one("#waiting", DataTable)
        table.clear()
        for invitation in self.waiting:
            decision = invitation.decision
            table.add_row(
                self.prepare.label(invitation.pupil_ids),
                f"{decision.decided_on:%d/%m}",
                Text(decision.reason.label, overflow="ellipsis", no_wrap=True),
                key=invitation.id,
            )

    # -- actions ---------------------------------------------------------------------

    def action_new_day(self) -> None:
        scheduling = self.prepare.scheduling
        defaults = scheduling.school_defaults()
        today = self.app.clock.now().date()
        slot_minutes = self.app.workspace.config.day.default_slot_minutes

        def apply(request: NewDayRequest) -> object:
            return scheduling.create_day(
                request.date,
                start=request.start,
                slot_minutes=request.slot_minutes,
                room=request.room,
                school_name=request.school_name,
                school_urn=request.school_urn,
            )

        def finished(result: object) -> None:
            if isinstance(result, ClinicDay):
                self.day_id = result.id
                self.reload()
                self.notify(f"Created the clinic day of {format_short_date(result.date)}.", timeout=4)

        dialog = NewDayDialog(apply, today + dt.timedelta(days=7), slot_minutes, defaults.room, (defaults.name, defaults.urn))
        self.app.push_screen(dialog, finished)

    def action_assign(self) -> None:
        if self.day is None:
            self.notify("Create a clinic day first: press N.", severity="warning")
            return
        table = self.query_one("#waiting", DataTable)
        if not self.waiting or not 0 <= table.cursor_row < len(self.waiting):
            self.notify(
                "No invited family is waiting for a slot. Decide invitations on the candidate list first.",
                severity="warning",
            )
            return

        invitation = self.waiting[table.cursor_row]
        day = self.day
        scheduling = self.prepare.scheduling

        def apply(request: AssignRequest) -> object:
            return scheduling.assign(day, invitation.id, request.mode, attendees=request.attendees, start=request.start)

        def finished(result: object) -> None:
            if not isinstance(result, ScheduleResult):
                return
            self.reload()
            self.notify(f"Slot at {result.slot.start:%H:%M} for {self.prepare.label(result.slot.family)}.", timeout=4)
            for warning in result.warnings:
                self.notify(warning, title="Check this slot", severity="warning", timeout=10)

        subject = f"{self.prepare.label(invitation.pupil_ids)} on {format_short_date(day.date)}."
        suggested = scheduling.suggested_attendees(invitation.pupil_ids)
        dialog = AssignDialog(
            subject, apply, suggested, lambda start: scheduling.warnings_for(day, invitation.pupil_ids, start)
        )
        self.app.push_screen(dialog, finished)

    def _move(self, step: int) -> None:
        upcoming = [day_id for day_id, _date in self.prepare.scheduling.upcoming_days()]
        if not upcoming:
            self.notify("No clinic day from today on. Press N to create one.", severity="warning")
            return
        index = upcoming.index(self.day_id) if self.day_id in upcoming else -1
        target = index + step
        if not 0 <= target < len(upcoming):
            self.notify("There is no clinic day further that way.", timeout=3)
            return
        self.day_id = upcoming[target]
        self.reload()

    def action_previous_day(self) -> None:
        self._move(-1)

    def action_next_day(self) -> None:
        self._move(1)

    def action_letters(self) -> None:
        if self.day is None:
            self.notify("Create a clinic day first: press N.", severity="warning")
            return
        from clinic_tui.screens.letters import LettersScreen

        self.app.push_screen(LettersScreen(self.day.id))

    def action_timeline(self) -> None:
        if self.day is None:
            self.notify("Create a clinic day first: press N.", severity="warning")
            return
        from clinic_tui.screens.day import DayScreen

        self.app.push_screen(DayScreen(self.day.id))

    def action_back(self) -> None:
        self.app.pop_screen()
