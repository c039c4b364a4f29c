"""A one-line text field that repaints itself as the officer types, without laying out the screen again.

Textual 8.2.8's Input stores the width of its text as its virtual size.
The virtual size of every widget is a layout property, so each key that
changes the length of the text lays out the whole screen at the next
frame. Once the text is wider than the field, each key also moves the
Input's hidden horizontal scroll bar, and refreshing a widget that is not
on screen makes the next frame rebuild the map of every widget. On a
meeting step with dozens of widgets the two cost a few milliseconds a key.

An Input scrolls its own text and shows no scroll bar, so this field keeps
the virtual size as a plain reactive (a repaint, no layout) and turns the
scroll bar off. An Input sized to its text (``width: auto``) still lays
out, because Input requests that itself when its dimensions are automatic.

A Textual Input also selects all its text when Tab moves into it, so the
next key replaces a note that autosave then stores at once. This field
puts the cursor at the end of the text instead.
"""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FormInput(Input):
    """A Textual Input that repaints as its text changes, instead of laying out the screen."""

    DEFAULT_CSS = """
    FormInput { overflow-x: hidden; }
    """

    virtual_size = Reactive(Size(0, 0))

    def __init__(self, *args: Any, select_on_focus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)
