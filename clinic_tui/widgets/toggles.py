"""Checkboxes and radio buttons whose state shows without colour.

Textual's own toggles draw the same mark whether on or off and change only
its colour. These draw the mark only when on, so the state also reads in the
high-contrast theme and with NO_COLOR.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    """A Checkbox that shows X when ticked and an empty box when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return "X" if self.value else " "


class ChoiceButton(RadioButton):
    """A RadioButton that shows a dot only when chosen."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return "●" if self.value else " "
