"""A list of tick boxes, one per line, each with a label and the start of a note.

One widget draws every line through Textual's line API, so a long list of
choices costs the compositor one widget instead of a row of widgets per
choice. The widget keeps each item's tick and note but edits neither note
nor record itself: its owner shows the highlighted item's note in a field
of its own and writes the changes back with ``set_note`` and ``set_ticked``.

Each line reads without colour: ``[x]`` or ``[ ]`` for the tick, and a
pointer before the highlighted line as well as the cursor's colours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

_POINTER = "▸ "
_NO_POINTER = "  "
_TICKED = "[x] "
_UNTICKED = "[ ] "
_LEAD = cell_len(_POINTER + _TICKED)
_GAP = 2
_MIN_NOTE = 12
_ELLIPSIS = "…"


@dataclass(frozen=True)
class TickItem:
    """One line of a TickList: a key that stays the same, the label shown, and the starting tick and note."""

    key: str
    label: str
    ticked: bool = False
    note: str = ""


def shorten(text: str, width: int) -> str:
    """Return the start of ``text`` on one line in ``width`` cells, ending in an ellipsis when cut."""
    if width <= 0:
        return ""

    # Notes grow to hundreds of characters and this runs on every key, so it first tries only
    # the start of the text. Characters can be zero cells wide, so the whole text is the fallback.
    start = text[: 2 * width + 16]
    flat = _one_line(start)
    if cell_len(flat) <= width and len(start) < len(text):
        flat = _one_line(text)
    if cell_len(flat) <= width:
        return flat
    return set_cell_size(flat, width - 1).rstrip() + _ELLIPSIS


def _one_line(text: str) -> str:
    # A note stored elsewhere may hold line breaks or tabs, which would break the line.
    return " ".join(text.split())


class TickList(ScrollView, can_focus=True):
    """A focusable list of tick boxes with labels and note previews. Space ticks, Enter selects."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("space", "toggle", "Tick"),
        Binding("enter", "select", "Select", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tick-list--cursor", "tick-list--note", "tick-list--ticked"}

    DEFAULT_CSS = """
    TickList {
        height: auto;
        overflow-x: hidden;
        background: $surface;
        color: $foreground;
    }
    TickList > .tick-list--note { color: $text-muted; }
    TickList > .tick-list--ticked { text-style: bold; }
    TickList > .tick-list--cursor {
        color: $block-cursor-blurred-foreground;
        background: $block-cursor-blurred-background;
        text-style: $block-cursor-blurred-text-style;
    }
    TickList:focus > .tick-list--cursor {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    """

    highlighted: reactive[int] = reactive(0, init=False)
    """The index of the highlighted item."""

    class Highlighted(Message):
        """A move of the highlight to another item."""

        def __init__(self, tick_list: TickList, key: str) -> None:
            super().__init__()
            self.tick_list = tick_list
            self.key = key

        @property
        def control(self) -> TickList:
            return self.tick_list

    class Toggled(Message):
        """A tick or untick of an item by the user, with Space or a click on its box."""

        def __init__(self, tick_list: TickList, key: str, ticked: bool) -> None:
            super().__init__()
            self.tick_list = tick_list
            self.key = key
            self.ticked = ticked

        @property
        def control(self) -> TickList:
            return self.tick_list

    class Selected(Message):
        """A press of Enter on the highlighted item."""

        def __init__(self, tick_list: TickList, key: str) -> None:
            super().__init__()
            self.tick_list = tick_list
            self.key = key

        @property
        def control(self) -> TickList:
            return self.tick_list

    def __init__(
        self,
        items: Iterable[TickItem],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        entries = list(items)
        if not entries:
            raise ValueError("a TickList needs at least one item.")
        self._keys = [entry.key for entry in entries]
        repeated = sorted({key for key in self._keys if self._keys.count(key) > 1})
        if repeated:
            raise ValueError(f"TickList item keys must be unique, but {', '.join(repeated)} appear more than once.")

        self._index = {key: index for index, key in enumerate(self._keys)}
        self._labels = [entry.label for entry in entries]
        self._ticked = [entry.ticked for entry in entries]
        self._notes = [entry.note for entry in entries]
        self._label_width = max(cell_len(label) for label in self._labels)
        # The width of the last line drawn, which saves working out the content region on every key.
        self._drawn_width = 0
        self.virtual_size = Size(0, len(entries))

    # -- reading and changing items ------------------------------------------------

    @property
    def highlighted_key(self) -> str:
        return self._keys[self.highlighted]

    def is_ticked(self, key: str) -> bool:
        return self._ticked[self._index[key]]

    def note(self, key: str) -> str:
        return self._notes[self._index[key]]

    def highlight(self, key: str) -> None:
        """Move the highlight to the item with ``key``, which posts Highlighted if it moved."""
        self.highlighted = self._index[key]

    def set_ticked(self, key: str, ticked: bool) -> None:
        """Tick or untick an item without posting Toggled, as when the owner ticks it for a typed note."""
        index = self._index[key]
        if self._ticked[index] != ticked:
            self._ticked[index] = ticked
            self.refresh_line(index)

    def set_note(self, key: str, note: str) -> None:
        """Replace an item's note, repainting its line only if the visible start of the note changed."""
        index = self._index[key]
        before = self._notes[index]
        self._notes[index] = note

        # Once a note is longer than its column, further typing leaves the line as it is. Before
        # the first frame nothing is drawn, and that frame draws every line anyway.
        width = self._note_width(self._drawn_width)
        if shorten(before, width) != shorten(note, width):
            self.refresh_line(index)

    # -- drawing ---------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return _LEAD + self._label_width + _GAP + _MIN_NOTE

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._keys)

    def _label_column(self, width: int) -> int:
        """Return the width of the label column: the longest label, unless that leaves too little for notes."""
        room = width - _LEAD
        return max(0, min(self._label_width, max(room - _GAP - _MIN_NOTE, room // 2)))

    def _note_width(self, width: int) -> int:
        return max(0, width - _LEAD - self._label_column(width) - _GAP)

    def render_line(self, y: int) -> Strip:
        width = self._drawn_width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self._keys):
            return Strip.blank(width, self.get_visual_style().rich_style)

        ticked = self._ticked[index]
        cursor = index == self.highlighted
        line = ("tick-list--cursor",) if cursor else ()
        line_style = self.get_visual_style(*line).rich_style
        note_style = line_style if cursor else self.get_visual_style("tick-list--note").rich_style
        label_style = self.get_visual_style(*line, "tick-list--ticked").rich_style if ticked else line_style

        label_width = self._label_column(width)
        label = shorten(self._labels[index], label_width)
        pointer = _POINTER if cursor else _NO_POINTER
        # Clicks carry the item's index, so the click handler need not work it out from the scroll offset.
        meta = Style.from_meta({"item": index})
        segments = [
            Segment(pointer + (_TICKED if ticked else _UNTICKED), line_style + meta),
            Segment(set_cell_size(label, label_width + _GAP), label_style + meta),
            Segment(shorten(self._notes[index], self._note_width(width)), note_style + meta),
        ]
        return Strip(segments).extend_cell_length(width, line_style + meta).crop(0, width)

    # -- moving the highlight and ticking ---------------------------------------------

    def validate_highlighted(self, index: int) -> int:
        return max(0, min(index, len(self._keys) - 1))

    def watch_highlighted(self, before: int, after: int) -> None:
        self.refresh_line(before)
        self.refresh_line(after)
        self._scroll_to_highlight()
        self.post_message(self.Highlighted(self, self._keys[after]))

    def on_resize(self) -> None:
        # A list made shorter keeps its scroll offset, which can leave the highlighted line out of view.
        self._scroll_to_highlight()

    def _scroll_to_highlight(self) -> None:
        self.scroll_to_region(Region(0, self.highlighted, 1, 1), animate=False, force=True, immediate=True)

    def action_cursor_up(self) -> None:
        self.highlighted -= 1

    def action_cursor_down(self) -> None:
        self.highlighted += 1

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self._keys) - 1

    def action_page_up(self) -> None:
        self.highlighted -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.highlighted += max(1, self.scrollable_content_region.height - 1)

    def action_toggle(self) -> None:
        """Tick or untick the highlighted item and post Toggled."""
        key = self.highlighted_key
        ticked = not self.is_ticked(key)
        self.set_ticked(key, ticked)
        self.post_message(self.Toggled(self, key, ticked))

    def action_select(self) -> None:
        self.post_message(self.Selected(self, self.highlighted_key))

    async def _on_click(self, event: events.Click) -> None:
        index = event.style.meta.get("item")
        if index is None:
            return
        self.highlighted = index
        # A click on the box itself ticks it, and a click anywhere else on the line only highlights it.
        offset = event.get_content_offset(self)
        if offset is not None and cell_len(_NO_POINTER) <= offset.x < _LEAD:
            self.action_toggle()
