"""Step 10: the whole record on one screen, what is still missing, and the locked view after finalising."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from clinic_tui.domain.completeness import MissingItem
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.readback import ReadBackSection, read_back
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import StepPane
from clinic_tui.screens.meeting.views import attendance_rows


class ReadBackPane(StepPane, can_focus=True):
    """Step 10 and the locked view: the read-back text, with the gaps above it while it is a draft."""

    STEP = StepId.READ_BACK
    DEFAULT_CSS = """
    ReadBackPane #gaps { border: round $warning; padding: 0 1; margin-bottom: 1; }
    ReadBackPane #gaps.complete { border: round $success; }
    ReadBackPane .section-title { text-style: bold; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield Static("", id="gaps")
        yield Static("", id="read-back-text")
        yield self.message_line()

    def show(self, gaps: Sequence[MissingItem]) -> None:
        """Redraw the read-back from the record, with ``gaps`` listed first (none once it is finalised)."""
        gaps_box = self.query_one("#gaps", Static)
        if self.record.is_finalised:
            self.query_one(".prompt", Static).update(
                "This record is finalised and locked. Press F5 to add a correction or addition as an "
                "addendum, or F6 to raise a safeguarding concern."
            )
            gaps_box.display = False
        else:
            gaps_box.display = True
            gaps_box.set_class(not gaps, "complete")
            gaps_box.update(self._gaps_text(gaps))
        self.query_one("#read-back-text", Static).update(self._record_text())

    def _gaps_text(self, gaps: Sequence[MissingItem]) -> Text:
        if not gaps:
            return Text.assemble(
                ("Nothing is missing. ", "bold"),
                "Read the record back to everyone present, then press F9 to finalise it.",
            )

        text = Text.assemble((f"Still needed before you can finalise ({len(gaps)}):", "bold"))
        for gap in gaps:
            step = self.context.step(gap.step)
            text.append(f"\n- Step {step.number}, {step.title}: ", style="bold")
            text.append(self.context.with_names(gap.message))
        text.append("\nPress F3 to go to a step, or F9 to pick one from the list.")
        return text

    def _record_text(self) -> Text:
        text = Text()
        for index, section in enumerate(read_back(self.record, self.context.pupil_names())):
            if index:
                text.append("\n\n")
            text.append(section.title.upper(), style="bold underline")
            for line in self._section_lines(section):
                text.append("\n" + line)
        return text

    def _section_lines(self, section: ReadBackSection) -> Sequence[str]:
        # The stored snapshot contains raw measures keyed by pupil id, so it is read out as on step 3 instead.
        if section.key != StepId.ATTENDANCE.value or not isinstance(self.record, MeetingRecord):
            return section.lines
        lines = []
        pupils = self.record.attendance_snapshot.get("pupils", {})
        for pupil_id in self.record.pupil_ids:
            lines.append(f"{self.context.pupil_name(pupil_id)}:")
            figures = pupils.get(pupil_id) if isinstance(pupils, dict) else None
            if not isinstance(figures, dict):
                lines.append("  No figures were stored for this pupil.")
                continue
            lines.extend(f"  {label}: {value}" for label, value in attendance_rows(figures))
        return lines
