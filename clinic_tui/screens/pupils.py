"""The pupil list: every pupil with their measures, to sort, filter and search while preparing.

This screen shows full names, because it is for preparing inside the
unlocked app. The clinic-day timeline is the screen that shows initials only.
"""

from __future__ import annotations

import logging

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from clinic_tui import keys
from clinic_tui.widgets.filter_panel import FilterPanel
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.pupil_query import (
    FLAG_MEANINGS,
    ListEntry,
    PupilFilters,
    SortKey,
    build_entries,
    select,
)
from clinic_tui.widgets.pupil_table import PupilTable
from clinic_tui.widgets.scope_commands import scope_commands

log = logging.getLogger(__name__)

# Seconds of no typing before the search runs, so a fast typist costs one
# table rebuild instead of one per key.
SEARCH_DELAY = 0.2


class PupilListScreen(Screen[None]):
    """Pupils with attendance measures. Enter opens the highlighted pupil."""

    BINDINGS = keys.bindings("pupils")
    COMMANDS = {scope_commands("pupils")}
    DEFAULT_CSS = """
    PupilListScreen #pupil-search { margin: 0 1; }
    PupilListScreen #pupils-status { padding: 0 2; color: $text-muted; height: auto; }
    PupilListScreen #pupils-body { height: 1fr; }
    PupilListScreen #pupil-filters { display: none; }
    PupilListScreen.-filters-open #pupil-filters { display: block; }
    PupilListScreen #pupils-empty { display: none; padding: 1 2; height: auto; }
    PupilListScreen.-empty #pupils-empty { display: block; }
    PupilListScreen.-empty #pupil-table { display: none; }
    PupilListScreen #pupils-legend { padding: 0 2; color: $text-muted; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[ListEntry] = []
        self._filters = PupilFilters()
        self._sort = SortKey.NAME
        self._descending = False
        self._search_timer: Timer | None = None
        # False while the measures are being worked out in a thread.
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield FormInput(placeholder="Search by name or UPN (Ctrl+F)", id="pupil-search")
        yield Static(id="pupils-status", markup=False)
        with Horizontal(id="pupils-body"):
            yield PupilTable(id="pupil-table")
            yield Static(id="pupils-empty", markup=False)
            yield FilterPanel(id="pupil-filters")
        legend = " · ".join(f"{letter} {meaning}" for letter, meaning in FLAG_MEANINGS)
        yield Static(f"Flags: {legend}", id="pupils-legend")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Pupils"
        self.sub_title = f"profile {self.app.session.profile_name}"
        self.query_one(PupilTable).focus()
        self._load(refresh=False)

    # -- data --------------------------------------------------------------

    def _load(self, refresh: bool) -> None:
        """Show the pupils, computing their measures in a thread when the service has none cached."""
        self.loaded = False
        self.query_one("#pupils-status", Static).update("Working out every pupil's attendance measures…")
        self._compute_entries(refresh)

    @work(thread=True, exclusive=True, group="pupil-rows", exit_on_error=False)
    def _compute_entries(self, refresh: bool) -> list[ListEntry]:
        # Measures for 1,500 pupils take a second or two, which would freeze the screen.
        return build_entries(self.app.session.attendance.rows(refresh=refresh))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "pupil-rows":
            return
        if event.state is WorkerState.SUCCESS:
            self._entries = event.worker.result
            self.query_one(FilterPanel).set_year_groups(entry.row.pupil.year_group for entry in self._entries)
            self.loaded = True
            self.apply_query()
        elif event.state is WorkerState.ERROR:
            log.error("pupil measures failed", exc_info=event.worker.error)
            self.query_one("#pupils-status", Static).update(
                "The attendance measures could not be worked out. Press F5 to try again; the log file has the details."
            )

    def apply_query(self) -> None:
        """Run the search, filters and sort now and show the result."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if not self.loaded:
            return

        search = self.query_one("#pupil-search", Input).value
        chosen = select(self._entries, search, self._filters, self._sort, self._descending)
        self.query_one(PupilTable).show(chosen, self._sort, self._descending)
        self._show_status(len(chosen), search)

    def _show_status(self, shown: int, search: str) -> None:
        total = len(self._entries)
        empty = self.query_one("#pupils-empty", Static)
        self.set_class(shown == 0, "-empty")
        if total == 0:
            empty.update(
                "No pupils in this vault yet. Press Escape, then I, to import the school's pupil list "
                "and then its attendance marks."
            )
        elif shown == 0:
            empty.update("No pupils match the search and filters. Press Escape, then C, to clear them.")

        details = [f"sorted by {self._sort.describe(self._descending)}"]
        if search.strip():
            details.append(f"search “{search.strip()}”")
        if self._filters.active:
            details.append("filters: " + ", ".join(self._filters.labels()))
        status = f"Showing {shown:,} of {total:,} pupils, {'; '.join(details)}."
        self.query_one("#pupils-status", Static).update(status)

    # -- search and filters -------------------------------------------------

    @on(Input.Changed, "#pupil-search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.apply_query, name="pupil-search")

    @on(Input.Submitted, "#pupil-search")
    def _search_submitted(self) -> None:
        self.apply_query()
        self.query_one(PupilTable).focus()

    @on(FilterPanel.Changed)
    def _filters_changed(self, event: FilterPanel.Changed) -> None:
        self._filters = event.filters
        self.apply_query()

    @on(PupilTable.SortRequested)
    def _sort_requested(self, event: PupilTable.SortRequested) -> None:
        if event.sort is self._sort:
            self._descending = not self._descending
        else:
            self._sort = event.sort
            self._descending = event.sort.descending_first
        self.apply_query()

    # -- actions -----------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#pupil-search", Input).focus()

    def action_cycle_sort(self) -> None:
        self._sort = self._sort.next()
        self._descending = self._sort.descending_first
        self.apply_query()

    def action_reverse_sort(self) -> None:
        self._descending = not self._descending
        self.apply_query()

    def action_toggle_filters(self) -> None:
        opening = not self.has_class("-filters-open")
        self.set_class(opening, "-filters-open")
        if opening:
            self.query_one(FilterPanel).query_one("Checkbox").focus()
        else:
            self.query_one(PupilTable).focus()

    def action_clear_query(self) -> None:
        self._filters = PupilFilters()
        self.query_one(FilterPanel).set_filters(self._filters)
        search = self.query_one("#pupil-search", Input)
        with search.prevent(Input.Changed):
            search.value = ""
        self.apply_query()

    def action_refresh(self) -> None:
        self._load(refresh=True)

    def action_back(self) -> None:
        if self.has_class("-filters-open"):
            self.action_toggle_filters()
        elif self.query_one("#pupil-search", Input).has_focus:
            self.query_one(PupilTable).focus()
        else:
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter belongs to the search box (back to the list) and to the
        # filter panel's checkboxes and year Select while they have focus.
        if action == "open_pupil":
            focused = self.focused
            if focused is self.query_one("#pupil-search", Input):
                return False
            if focused is not None and self.query_one(FilterPanel) in focused.ancestors_with_self:
                return False
        return True

    def action_open_pupil(self) -> None:
        self._open(self.query_one(PupilTable).highlighted_id)

    @on(DataTable.RowSelected, "#pupil-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.row_key.value)

    def _open(self, pupil_id: str | None) -> None:
        if pupil_id is None:
            return
        from clinic_tui.screens.pupil_detail import PupilScreen

        self.app.push_screen(PupilScreen(pupil_id, order=self.query_one(PupilTable).shown_ids))

    @property
    def shown_ids(self) -> list[str]:
        """Pupil ids in the order the table shows them."""
        return self.query_one(PupilTable).shown_ids
