"""One pupil: identity and flags, measures, register grid, weekday pattern, reasons and contacts.

Full names appear here because the view is opened by the EWO for one pupil.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from clinic_tui import keys
from clinic_tui.services.attendance import PupilRow
from clinic_tui.widgets.pupil_query import ListEntry
from clinic_tui.widgets.pupil_summary import (
    CONTACT_COLUMNS,
    contact_cells,
    flags_line,
    identity_line,
    measures_text,
    reasons_table,
    weekday_table,
)
from clinic_tui.widgets.register_grid import OnRoll, RegisterGrid, build_register, legend_lines
from clinic_tui.widgets.scope_commands import scope_commands

TABS = ("overview", "register", "contacts")


class PupilScreen(Screen[None]):
    """The pupil view. ``order`` is the list's order of pupil ids, for Next and Previous."""

    BINDINGS = keys.bindings("pupil")
    COMMANDS = {scope_commands("pupil")}
    DEFAULT_CSS = """
    PupilScreen #pupil-heading { padding: 0 1; height: auto; background: $boost; }
    PupilScreen #pupil-tabs { height: 1fr; }
    PupilScreen #overview-scroll { padding: 0 1; }
    PupilScreen #pupil-weekdays, PupilScreen #pupil-reasons { margin-top: 1; height: auto; }
    PupilScreen #register-detail { padding: 0 1; height: auto; }
    PupilScreen #register-legend { padding: 0 1; color: $text-muted; height: auto; }
    PupilScreen #contacts-empty { padding: 1; }
    """

    def __init__(self, pupil_id: str, order: Sequence[str] = (), *, tab: str = "overview") -> None:
        super().__init__()
        if tab not in TABS:
            raise ValueError(f"unknown tab {tab!r}; use one of {', '.join(TABS)}")
        self.pupil_id = pupil_id
        self.order = list(order)
        self._initial_tab = tab

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="pupil-heading")
        with TabbedContent(initial=self._initial_tab, id="pupil-tabs"):
            with TabPane("Overview", id="overview"):
                with VerticalScroll(id="overview-scroll"):
                    yield Static(id="pupil-measures")
                    yield Static(id="pupil-weekdays")
                    yield Static(id="pupil-reasons")
            with TabPane("Register", id="register"):
                yield RegisterGrid(id="register-grid")
                yield Static(id="register-detail", markup=False)
                yield Static("\n".join(legend_lines()), id="register-legend", markup=False)
            with TabPane("Contacts", id="contacts"):
                yield DataTable(id="contacts-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="contacts-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        attendance = self.app.session.attendance
        try:
            row = attendance.row(self.pupil_id)
        except KeyError:
            self.notify("That pupil is no longer in the vault. Refresh the pupil list with F5.", severity="error")
            self.app.pop_screen()
            return

        self.title = row.pupil.display_name
        position = self._position()
        self.sub_title = f"pupil {position + 1} of {len(self.order)} in the list" if position is not None else ""
        self._show_heading(row)
        self._show_overview(row)
        self._show_register(row)
        self._show_contacts(row)
        self._focus_tab(self._initial_tab)

    def _show_heading(self, row: PupilRow) -> None:
        heading = identity_line(row.pupil)
        heading.append("\n")
        heading.append_text(flags_line(ListEntry.build(row).flags))
        self.query_one("#pupil-heading", Static).update(heading)

    def _show_overview(self, row: PupilRow) -> None:
        self.query_one("#pupil-measures", Static).update(measures_text(row.measures))
        self.query_one("#pupil-weekdays", Static).update(weekday_table(row.measures))
        self.query_one("#pupil-reasons", Static).update(reasons_table(row.measures))

    def _show_register(self, row: PupilRow) -> None:
        attendance = self.app.session.attendance
        pupil = row.pupil
        weeks = build_register(
            row.measures.weeks,
            attendance.marks(self.pupil_id),
            attendance.calendar(),
            row.measures.as_of,
            OnRoll(pupil.admission_date, pupil.leaving_date),
        )
        grid = self.query_one(RegisterGrid)
        grid.show(weeks)
        if not weeks:
            self.query_one("#register-detail", Static).update("No school weeks yet this academic year.")

    def _show_contacts(self, row: PupilRow) -> None:
        table = self.query_one("#contacts-table", DataTable)
        table.add_columns(*CONTACT_COLUMNS)
        for contact in row.pupil.contacts:
            # Text cells, because DataTable would read a plain string as markup.
            table.add_row(*(Text(value) for value in contact_cells(contact)))
        empty = self.query_one("#contacts-empty", Static)
        empty.update("" if row.pupil.contacts else "No contacts are recorded for this pupil.")
        empty.display = not row.pupil.contacts

    @on(DataTable.CellHighlighted, "#register-grid")
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        grid = self.query_one(RegisterGrid)
        self.query_one("#register-detail", Static).update(grid.describe(event.coordinate))

    # -- actions -----------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        targets = {"overview": "#overview-scroll", "register": "#register-grid", "contacts": "#contacts-table"}
        self.query_one(targets[tab]).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # A click on a tab should leave the keyboard in that tab's content.
        if event.pane.id in TABS and not self.query_one(f"#{event.pane.id}").has_focus_within:
            self._focus_tab(event.pane.id)

    def action_next_pupil(self) -> None:
        self._step(1)

    def action_previous_pupil(self) -> None:
        self._step(-1)

    def _step(self, offset: int) -> None:
        position = self._position()
        if position is None:
            self.notify("Open a pupil from the pupil list to step through it.", timeout=4)
            return
        target = position + offset
        if not 0 <= target < len(self.order):
            where = "last" if offset > 0 else "first"
            self.notify(f"This is the {where} pupil in the list.", timeout=3)
            return
        self.app.switch_screen(PupilScreen(self.order[target], self.order, tab=self.query_one(TabbedContent).active))

    def _position(self) -> int | None:
        try:
            return self.order.index(self.pupil_id)
        except ValueError:
            return None

    def action_back(self) -> None:
        self.app.pop_screen()
