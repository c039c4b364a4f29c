"""The header of an open meeting: who it is with, the step, the save state and the safeguarding flag.

Every state is written out in words as well as coloured, so it reads the
same in every theme and without colour.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static


def progress_bar(number: int, total: int) -> str:
    """Return a text bar with one block per step, filled up to ``number``."""
    return "■" * number + "□" * (total - number)


class MeetingHeader(Vertical):
    """The lines above a meeting: title and save state, the step, and the safeguarding flag when raised."""

    DEFAULT_CSS = """
    MeetingHeader { height: auto; dock: top; background: $panel; }
    MeetingHeader Horizontal { height: 1; }
    MeetingHeader #header-title { width: 1fr; text-style: bold; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    /* Wide enough for the longest state, "Saved 08:45:00", so that a new state repaints without a layout. */
    MeetingHeader #header-save { width: 16; padding: 0 1; text-align: right; }
    MeetingHeader #header-save.problem { background: $error; color: $text; text-style: bold; }
    MeetingHeader #header-step { padding: 0 1; height: 1; }
    MeetingHeader #header-flag { display: none; height: 1; padding: 0 1; background: $error; color: $text; text-style: bold; }
    MeetingHeader #header-flag.raised { display: block; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("", id="header-title")
            yield Static("", id="header-save")
        yield Static("", id="header-step")
        yield Static("", id="header-flag")

    def show_title(self, text: str) -> None:
        self.query_one("#header-title", Static).update(text)

    def show_step(self, number: int, total: int, title: str) -> None:
        self.query_one("#header-step", Static).update(
            f"Step {number} of {total}: {title}  {progress_bar(number, total)}"
        )

    def show_status(self, text: str) -> None:
        """Show a status line in place of the step, such as 'Finalised and locked'."""
        self.query_one("#header-step", Static).update(text)

    def show_save_state(self, text: str, problem: bool = False) -> None:
        save = self.query_one("#header-save", Static)
        save.update(text, layout=False)
        save.set_class(problem, "problem")

    def show_flag(self, text: str | None) -> None:
        """Show the safeguarding flag with ``text``, or hide it when None."""
        flag = self.query_one("#header-flag", Static)
        flag.update(text or "")
        flag.set_class(text is not None, "raised")
