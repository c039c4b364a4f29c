"""The pupil list's filter panel: one checkbox per condition and a year group choice."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Select, Static

from clinic_tui.widgets.pupil_query import FILTER_FIELDS, PupilFilters, year_rank, year_words
from clinic_tui.widgets.toggles import TickBox

# Checkbox labels start with the list's flag letter where there is one, so the
# panel also explains the Flags column.
CHECKBOX_LABELS = {
    "persistent": "P  Persistent absence (10%+)",
    "severe": "S  Severe absence (50%+)",
    "threshold": "T  10+ unauthorised in 10 weeks",
    "falling": "↓  Falling trend",
    "early_warning": "W  Early warning",
    "sen": "E  SEN support or EHC plan",
    "cin_cp": "C  CIN or CP plan",
    "looked_after": "L  Looked after",
}


class FilterPanel(VerticalScroll):
    """Checkboxes and a year group Select that together make a ``PupilFilters``."""

    DEFAULT_CSS = """
    FilterPanel { width: 38; border-left: vkey $primary; padding: 0 1; }
    FilterPanel .filter-title { text-style: bold; padding-bottom: 1; width: 100%; }
    FilterPanel Checkbox, FilterPanel Checkbox:focus { border: none; padding: 0; height: 1; background: transparent; }
    FilterPanel Select { margin-top: 1; }
    """

    class Changed(Message):
        """The user changed a filter."""

        def __init__(self, filters: PupilFilters) -> None:
            super().__init__()
            self.filters = filters

    def compose(self) -> ComposeResult:
        yield Static("Filters: a pupil must meet every one ticked. Space ticks, Escape closes.", classes="filter-title")
        for name in FILTER_FIELDS:
            yield TickBox(CHECKBOX_LABELS[name], id=f"filter-{name.replace('_', '-')}")
        yield Select[str]([], prompt="Any year group", id="filter-year")

    def set_year_groups(self, year_groups: Iterable[str]) -> None:
        """Offer the year groups found among the pupils, youngest first."""
        select = self.query_one("#filter-year", Select)
        ordered = sorted(set(year_groups) - {""}, key=year_rank)
        with self.prevent(Select.Changed):
            select.set_options((year_words(year), year) for year in ordered)

    @property
    def filters(self) -> PupilFilters:
        ticked = {name: self.query_one(f"#filter-{name.replace('_', '-')}", Checkbox).value for name in FILTER_FIELDS}
        year = self.query_one("#filter-year", Select).value
        return PupilFilters(**ticked, year_group=None if year is Select.NULL else str(year))

    def set_filters(self, filters: PupilFilters) -> None:
        """Show ``filters`` without reporting a change, for example after the list clears them."""
        with self.prevent(Checkbox.Changed, Select.Changed):
            for name in FILTER_FIELDS:
                self.query_one(f"#filter-{name.replace('_', '-')}", Checkbox).value = getattr(filters, name)
            select = self.query_one("#filter-year", Select)
            if filters.year_group is None:
                select.clear()
            else:
                select.value = filters.year_group

    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed(self.filters))

