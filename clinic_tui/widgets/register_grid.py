"""The register grid: one row per school week, one cell per session, each showing its mark.

Each cell shows the code itself, so the grid reads without colour. Colour and
text style add the category on top: unauthorised absence is also bold and
underlined, a session not counted as possible is italic.

Cells without a mark show why. A school day before the as-of date shows "?".
A day before admission or after leaving shows "–", and a weekday that is not
a school day shows "·". A session on or after the as-of date is blank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from rich.text import Text
from textual.coordinate import Coordinate
from textual.theme import Theme
from textual.widgets import DataTable

from clinic_tui.domain.attendance_types import WeekCounts
from clinic_tui.domain.calendar import SchoolCalendar
from clinic_tui.domain.codes import CODES, Category
from clinic_tui.domain.pupil import Mark, Session

WEEKDAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri")
SESSIONS = (Session.AM, Session.PM)


class CellKind(str, Enum):
    """The content of a register cell: a mark's category, or the reason there is no mark."""

    PRESENT = "present"
    APPROVED = "approved educational activity"
    AUTHORISED = "authorised absence"
    UNAUTHORISED = "unauthorised absence"
    NOT_POSSIBLE = "not a possible session"
    NO_MARK = "no mark"
    NOT_ON_ROLL = "not on roll"
    NOT_SCHOOL_DAY = "not a school day"
    NOT_YET = "not yet marked"

    @property
    def component_class(self) -> str:
        return "register-grid--" + self.name.lower().replace("_", "-")


_KIND_OF_CATEGORY = {
    Category.PRESENT: CellKind.PRESENT,
    Category.APPROVED_ACTIVITY: CellKind.APPROVED,
    Category.AUTHORISED: CellKind.AUTHORISED,
    Category.UNAUTHORISED: CellKind.UNAUTHORISED,
    Category.NOT_POSSIBLE: CellKind.NOT_POSSIBLE,
}

_PLACEHOLDERS = {CellKind.NO_MARK: "?", CellKind.NOT_ON_ROLL: "–", CellKind.NOT_SCHOOL_DAY: "·", CellKind.NOT_YET: ""}


@dataclass(frozen=True)
class RegisterCell:
    """One session of one day as the grid shows it."""

    day: dt.date
    session: Session
    code: str | None
    kind: CellKind
    reason: str = ""

    @property
    def text(self) -> str:
        return self.code if self.code is not None else _PLACEHOLDERS[self.kind]

    def describe(self) -> str:
        """Describe the cell in words, such as "Tuesday 03/03/2026 AM: N, reason not yet established"."""
        when = f"{self.day:%A %d/%m/%Y} {self.session.value}"
        if self.code is None:
            reason = f" ({self.reason})" if self.reason else ""
            return f"{when}: {self.kind.value}{reason}."
        code = CODES.get(self.code)
        if code is None:
            return f"{when}: {self.code}, not in the attendance code list."
        return f"{when}: {self.code}, {code.meaning}. Counts as {code.category.value}."


@dataclass(frozen=True)
class RegisterWeek:
    """One row of the grid: a school week, its ten cells and its counts."""

    counts: WeekCounts
    cells: tuple[RegisterCell, ...]

    @property
    def monday(self) -> dt.date:
        return self.counts.week.monday


@dataclass(frozen=True)
class OnRoll:
    """The dates a pupil is on the admission register; None means not recorded."""

    admission: dt.date | None = None
    leaving: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        if self.admission is not None and day < self.admission:
            return False
        return self.leaving is None or day <= self.leaving


def build_register(
    weeks: Sequence[WeekCounts],
    marks: Iterable[Mark],
    calendar: SchoolCalendar,
    as_of: dt.date,
    on_roll: OnRoll = OnRoll(),
) -> list[RegisterWeek]:
    """Lay the marks out by school week and session, Monday AM to Friday PM.

    ``weeks`` are the measured school weeks (``AttendanceMeasures.weeks``).
    Marks outside those weeks are not shown. The calendar names the reason
    a weekday has no school, such as a bank holiday or an INSET day.
    """
    by_session = {(mark.date, Session(mark.session)): mark.code for mark in marks}
    register = []
    for counts in weeks:
        school_days = set(counts.week.days)
        cells = []
        for offset in range(5):
            day = counts.week.monday + dt.timedelta(days=offset)
            for session in SESSIONS:
                code = by_session.get((day, session))
                cell = _cell(day, session, code, day in school_days, on_roll.covers(day), as_of)
                if cell.kind is CellKind.NOT_SCHOOL_DAY:
                    cell = replace(cell, reason=_closure_reason(calendar, day))
                cells.append(cell)
        register.append(RegisterWeek(counts, tuple(cells)))
    return register


def _cell(
    day: dt.date, session: Session, code: str | None, school_day: bool, on_roll: bool, as_of: dt.date
) -> RegisterCell:
    if code is not None:
        found = CODES.get(code)
        kind = _KIND_OF_CATEGORY[found.category] if found else CellKind.NO_MARK
        return RegisterCell(day, session, code, kind)
    if not school_day:
        return RegisterCell(day, session, None, CellKind.NOT_SCHOOL_DAY)
    if not on_roll:
        return RegisterCell(day, session, None, CellKind.NOT_ON_ROLL)
    if day >= as_of:
        return RegisterCell(day, session, None, CellKind.NOT_YET)
    return RegisterCell(day, session, None, CellKind.NO_MARK)


def _closure_reason(calendar: SchoolCalendar, day: dt.date) -> str:
    reason = calendar.closure_reason(day) or ""
    # The grid's first week can begin before the calendar's first term day.
    if reason == "outside the calendar":
        return "before the first day of term" if day < calendar.first_day else "after the last day of term"
    return reason


def legend_lines() -> list[str]:
    """Describe every category with its current codes, and the placeholders, for the grid's legend."""

    def codes(category: Category) -> str:
        listed = " ".join(code.code for code in CODES.values() if code.category is category and not code.retired)
        return listed.replace("Y1 Y2 Y3 Y4 Y5 Y6 Y7", "Y1–Y7")

    # Three lines that each fit 80 columns, so the grid keeps its height.
    return [
        f"Present {codes(Category.PRESENT)} · approved {codes(Category.APPROVED_ACTIVITY)} · "
        f"authorised {codes(Category.AUTHORISED)}",
        f"Unauthorised (bold underline) {codes(Category.UNAUTHORISED)} · "
        f"not possible (italic) {codes(Category.NOT_POSSIBLE)}",
        "? no mark · – not on roll · · no school that day · blank: not marked yet",
    ]


class RegisterGrid(DataTable[Text]):
    """A DataTable of register weeks. The cursor moves by cell; ``describe`` explains the cell under it."""

    COMPONENT_CLASSES = {kind.component_class for kind in CellKind}
    DEFAULT_CSS = """
    RegisterGrid { height: 1fr; }
    RegisterGrid > .register-grid--present { color: $foreground; }
    RegisterGrid > .register-grid--approved { color: $text-success; }
    RegisterGrid > .register-grid--authorised { color: $text-warning; }
    RegisterGrid > .register-grid--unauthorised { color: $text-error; text-style: bold underline; }
    RegisterGrid > .register-grid--not-possible { color: $text-muted; text-style: italic; }
    RegisterGrid > .register-grid--no-mark { color: $text-warning; text-style: bold; }
    RegisterGrid > .register-grid--not-on-roll { color: $text-muted; }
    RegisterGrid > .register-grid--not-school-day { color: $text-muted; }
    RegisterGrid > .register-grid--not-yet { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", header_height=2, zebra_stripes=False)
        self._weeks: list[RegisterWeek] = []

    def on_mount(self) -> None:
        # Cells carry styles resolved from the theme, so a new theme needs new cells.
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    @property
    def weeks(self) -> list[RegisterWeek]:
        return list(self._weeks)

    def show(self, weeks: Sequence[RegisterWeek]) -> None:
        """Fill the grid and put the cursor on the most recent week."""
        self._weeks = list(weeks)
        self._fill()
        if self._weeks:
            self.move_cursor(row=len(self._weeks) - 1, column=1, animate=False)

    def _fill(self) -> None:
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self.add_column(Text("Week\nbeginning"), key="week")
        for day in WEEKDAY_ABBREVIATIONS:
            for session in SESSIONS:
                self.add_column(Text(f"{day}\n{session.value}", justify="center"), key=f"{day}-{session.value}")
        self.add_column(Text("Absent\n", justify="right"), key="absent")
        self.add_column(Text("Unauth\n", justify="right"), key="unauthorised")

        styles = {kind: self.get_component_rich_style(kind.component_class, partial=True) for kind in CellKind}
        for week in self._weeks:
            cells = [Text(f"{week.monday:%d/%m/%Y}")]
            cells.extend(Text(cell.text, style=styles[cell.kind], justify="center") for cell in week.cells)
            cells.append(Text(str(week.counts.absent), justify="right"))
            cells.append(Text(str(week.counts.unauthorised), justify="right"))
            self.add_row(*cells, key=week.monday.isoformat())
        if self._weeks:
            self.cursor_coordinate = cursor

    def _restyle(self, _theme: Theme) -> None:
        if self._weeks:
            self._fill()

    def cell_at(self, coordinate: Coordinate) -> RegisterCell | None:
        """Return the register cell at ``coordinate``, or None on the week and count columns."""
        if not 0 <= coordinate.row < len(self._weeks) or not 1 <= coordinate.column <= 10:
            return None
        return self._weeks[coordinate.row].cells[coordinate.column - 1]

    def describe(self, coordinate: Coordinate) -> str:
        """Explain the cell at ``coordinate`` in words, for the line under the grid."""
        if not 0 <= coordinate.row < len(self._weeks):
            return ""
        cell = self.cell_at(coordinate)
        if cell is not None:
            return cell.describe()
        counts = self._weeks[coordinate.row].counts
        broken = "a broken week" if counts.broken else "no absence"
        return (
            f"Week beginning {counts.week.monday:%d/%m/%Y}: {counts.possible} possible sessions, "
            f"{counts.absent} absent, {counts.unauthorised} unauthorised; {broken}."
        )

    def week_texts(self, monday: dt.date) -> list[str]:
        """Return the ten cell texts of the week beginning ``monday``, Monday AM first."""
        for week in self._weeks:
            if week.monday == monday:
                return [cell.text for cell in week.cells]
        raise KeyError(f"no school week beginning {monday:%d/%m/%Y} in the grid")

    def week_kinds(self, monday: dt.date) -> list[CellKind]:
        """Return the ten cell kinds of the week beginning ``monday``, Monday AM first."""
        for week in self._weeks:
            if week.monday == monday:
                return [cell.kind for cell in week.cells]
        raise KeyError(f"no school week beginning {monday:%d/%m/%Y} in the grid")
