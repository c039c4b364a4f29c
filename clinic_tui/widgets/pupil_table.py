"""The pupil list table: one row per pupil with the measures an EWO sorts and filters by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from clinic_tui.widgets.pupil_query import ListEntry, SortKey, table_cells


@dataclass(frozen=True)
class ListColumn:
    """One column of the pupil list, with a fixed width in cells."""

    key: str
    header: str
    width: int
    sort: SortKey | None = None
    right: bool = False
    # Dropped when the table is narrower than WIDE_TABLE, so Flags stays in view.
    optional: bool = False


# In the order of ``table_cells``. With the optional column dropped the
# widths and padding fit an 80-column terminal beside the scroll bar.
COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("name", "Name", 20, SortKey.NAME),
    ListColumn("year", "Year", 4, SortKey.YEAR),
    ListColumn("reg", "Reg", 5),
    ListColumn("rate", "Att %", 5, SortKey.ATTENDANCE, right=True),
    ListColumn("possible", "Poss", 4, right=True, optional=True),
    ListColumn("unauthorised", "Unauth", 6, SortKey.UNAUTHORISED, right=True),
    ListColumn("broken", "Broken", 6, SortKey.BROKEN_WEEKS, right=True),
    ListColumn("trend", "Trend", 9),
    ListColumn("flags", "Flags", 7),
)

# Table width in cells below which the optional columns are dropped: the
# full set with its padding and the scroll bar needs this many.
WIDE_TABLE = sum(column.width + 2 for column in COLUMNS) + 2


class _Cell:
    """A cell that renders its text but reports no width of its own.

    DataTable measures every cell of every row it adds, which for 1,500
    pupils took most of a second per rebuild. A renderable without
    ``__rich_measure__`` is not measured, and the fixed column widths make
    the measurement unnecessary.
    """

    __slots__ = ("text", "pupil_id")

    def __init__(self, text: Text, pupil_id: str) -> None:
        self.text = text
        self.pupil_id = pupil_id

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text


class PupilTable(DataTable[_Cell]):
    """A read-only DataTable of pupils whose row keys are pupil ids."""

    DEFAULT_CSS = """
    PupilTable { height: 1fr; }
    """

    class SortRequested(Message):
        """The user clicked the header of a sortable column."""

        def __init__(self, sort: SortKey) -> None:
            super().__init__()
            self.sort = sort

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._entries: list[ListEntry] = []
        self._shown_ids: list[str] = []
        self._sort = SortKey.NAME
        self._descending = False
        self._narrow = False
        # Cells of each pupil, built once per entry and reused by every rebuild.
        self._cells: dict[str, tuple[ListEntry, tuple[_Cell, ...]]] = {}
        self.rebuilds = 0

    @property
    def shown_ids(self) -> list[str]:
        """Pupil ids in the order the table shows them."""
        return list(self._shown_ids)

    @property
    def highlighted_id(self) -> str | None:
        if not self._shown_ids or not 0 <= self.cursor_row < len(self._shown_ids):
            return None
        return self._shown_ids[self.cursor_row]

    def row_texts(self, pupil_id: str) -> list[str]:
        """Return the text of each shown cell of one pupil's row."""
        return [cell.text.plain for cell in self.get_row(pupil_id)]

    @property
    def visible_columns(self) -> list[ListColumn]:
        return [column for column in COLUMNS if not (self._narrow and column.optional)]

    def show(self, entries: Sequence[ListEntry], sort: SortKey, descending: bool) -> None:
        """Fill the table with ``entries``.

        After a search or filter change the highlighted pupil stays highlighted
        when still listed. After a sort change the cursor goes to the top,
        where the new order starts. Nothing is redrawn when the pupils and
        their order are unchanged, so a search that narrows nothing costs no
        rebuild, and a new order of the same pupils moves the rows in place.
        """
        ids = [entry.id for entry in entries]
        resorted = (sort, descending) != (self._sort, self._descending)
        if ids == self._shown_ids and not resorted and self.columns:
            return

        keep = None if resorted else self.highlighted_id
        same_pupils = bool(self.columns) and len(ids) == len(self._shown_ids) and set(ids) == set(self._shown_ids)
        self._entries = list(entries)
        self._sort, self._descending = sort, descending
        if same_pupils:
            rank = {pupil_id: index for index, pupil_id in enumerate(ids)}
            self.sort("name", key=lambda cell: rank[cell.pupil_id])
            self._shown_ids = ids
        else:
            self._rebuild()

        if keep in ids:
            self.move_cursor(row=ids.index(keep), animate=False)
        elif ids:
            self.move_cursor(row=0, animate=False)

    def _rebuild(self) -> None:
        self.clear(columns=True)
        columns = self.visible_columns
        for column in columns:
            label = Text(column.header, justify="right" if column.right else "left")
            self.add_column(label, width=column.width, key=column.key)

        indexes = [COLUMNS.index(column) for column in columns]
        for entry in self._entries:
            cells = self._cells_for(entry)
            self.add_row(*(cells[index] for index in indexes), key=entry.id)
        self._shown_ids = [entry.id for entry in self._entries]
        self.rebuilds += 1

    def _cells_for(self, entry: ListEntry) -> tuple[_Cell, ...]:
        cached = self._cells.get(entry.id)
        if cached is not None and cached[0] is entry:
            return cached[1]
        cells = tuple(_cell(column, value, entry.id) for column, value in zip(COLUMNS, table_cells(entry)))
        self._cells[entry.id] = (entry, cells)
        return cells

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < WIDE_TABLE
        if narrow != self._narrow:
            self._narrow = narrow
            keep = self.cursor_row
            self._rebuild()
            if self._shown_ids:
                self.move_cursor(row=min(keep, len(self._shown_ids) - 1), animate=False)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        for column in COLUMNS:
            if column.key == event.column_key.value and column.sort is not None:
                self.post_message(self.SortRequested(column.sort))


def _cell(column: ListColumn, value: str, pupil_id: str) -> _Cell:
    text = Text(value, justify="right" if column.right else "left", no_wrap=True, overflow="ellipsis")
    return _Cell(text, pupil_id)
