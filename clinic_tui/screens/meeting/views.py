"""Steps 3 to 5: the attendance picture, the pupil's views and the parent or carer's views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, Static, TextArea

from clinic_tui.domain import codes
from clinic_tui.domain.checks import InvalidValue, format_date
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews
from clinic_tui.screens.meeting.base import StepPane
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.toggles import ChoiceButton


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _date(value: object) -> str:
    return format_date(dt.date.fromisoformat(str(value))) if value else "not known"


def attendance_rows(figures: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return one pupil's stored attendance figures as labelled lines to read out."""
    rate = figures.get("attendance_rate")
    possible = figures.get("possible_sessions", 0)
    rows = [
        (
            "Attendance",
            f"{rate:g}%, present or in approved activity for "
            f"{int(figures.get('present', 0)) + int(figures.get('approved_activity', 0))} "
            f"of {possible} possible sessions"
            if rate is not None
            else "no possible sessions yet",
        ),
        ("Period", f"{_date(figures.get('since'))} to the day before {_date(figures.get('as_of'))}"),
        ("Persistent absence", f"{_yes_no(figures.get('persistent_absence'))} (10% or more of sessions missed)"),
        ("Severe absence", f"{_yes_no(figures.get('severe_absence'))} (50% or more of sessions missed)"),
        ("Authorised absence", f"{figures.get('authorised', 0)} sessions"),
        ("Unauthorised absence", f"{figures.get('unauthorised', 0)} sessions"),
    ]

    recent = figures.get("trend_recent_rate")
    if recent is not None:
        direction = figures.get("trend_direction") or "no trend"
        rows.append(("Last 4 school weeks", f"{recent:g}%, {direction}"))
    rows.append(
        (
            "Broken weeks",
            f"{figures.get('broken_weeks', 0)} this year, {figures.get('broken_weeks_recent', 0)} "
            "in the last 6 school weeks",
        )
    )

    window = figures.get("unauthorised_10_weeks", 0)
    threshold = " (reaches the penalty notice threshold of 10)" if figures.get("reaches_penalty_threshold") else ""
    span = ""
    if figures.get("unauthorised_window_first_day"):
        span = (
            f", {_date(figures['unauthorised_window_first_day'])} to "
            f"{_date(figures.get('unauthorised_window_last_day'))}"
        )
    rows.append(("Most unauthorised in 10 weeks", f"{window} sessions{span}{threshold}"))
    rows.append(
        (
            "Late",
            f"{figures.get('late_before_close', 0)} before the register closed, "
            f"{figures.get('late_after_close', 0)} after",
        )
    )

    by_code = figures.get("absence_by_code")
    if isinstance(by_code, Mapping) and by_code:
        as_of = dt.date.fromisoformat(str(figures.get("as_of")))
        parts = []
        for code, count in sorted(by_code.items(), key=lambda item: (-int(item[1]), item[0])):
            try:
                meaning = codes.lookup(code, as_of).meaning.lower()
            except codes.InvalidMark:
                meaning = "unknown code"
            parts.append(f"{code} {count} ({meaning})")
        rows.append(("Absence by code", "; ".join(parts)))
    return rows


class AttendancePane(StepPane, can_focus=True):
    """Step 3: the attendance figures stored when the meeting started, read-only."""

    STEP = StepId.ATTENDANCE
    DEFAULT_CSS = """
    AttendancePane .pupil-figures { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        snapshot = self.record.attendance_snapshot.get("pupils", {})
        for pupil_id in self.record.pupil_ids:
            figures = snapshot.get(pupil_id) if isinstance(snapshot, Mapping) else None
            table = Table(title=self.context.pupil_name(pupil_id), title_justify="left", show_header=False, expand=True)
            table.add_column("Measure", style="bold", no_wrap=True)
            table.add_column("Figure", ratio=1)
            if isinstance(figures, Mapping):
                for label, value in attendance_rows(figures):
                    table.add_row(label, value)
            else:
                table.add_row("Figures", "No figures were stored for this pupil.")
            yield Static(table, classes="pupil-figures")
        yield self.message_line()


class PupilViewsBlock(Vertical):
    """One pupil's views: their own words, or why they could not be captured and how they will be."""

    DEFAULT_CSS = """
    PupilViewsBlock { height: auto; margin-bottom: 1; }
    PupilViewsBlock RadioSet { width: 100%; height: auto; }
    PupilViewsBlock TextArea { height: 5; }
    PupilViewsBlock .fallback { height: auto; }
    PupilViewsBlock .fallback Input { margin-bottom: 1; }
    """

    def __init__(self, pupil_id: str, name: str, views: PupilViews | None, captured: bool | None = None) -> None:
        """Make the block for one pupil. ``captured`` is the choice saved before a crash, if any."""
        super().__init__(id=f"views-{pupil_id}")
        self.pupil_id = pupil_id
        self.pupil_label = name
        self.stored = views
        self.saved_captured = captured

    def compose(self) -> ComposeResult:
        views = self.stored
        captured = views is None or views.captured
        if self.saved_captured is not None:
            captured = self.saved_captured
        yield Label(self.pupil_label, classes="field-label")
        with RadioSet(classes="views-mode"):
            yield ChoiceButton("In the pupil's own words", value=captured)
            yield ChoiceButton("Could not be captured", value=not captured)
        yield TextArea(views.words if views else "", classes="words", placeholder="What the pupil says, in their words")
        with Vertical(classes="fallback"):
            yield FormInput(views.not_captured_reason if views else "", placeholder="Why they could not be captured", classes="reason", compact=True)
            yield FormInput(views.capture_plan if views else "", placeholder="How they will be gathered", classes="plan", compact=True)
            yield FormInput(views.capture_by if views else "", placeholder="Who will gather them", classes="by", compact=True)

    def on_mount(self) -> None:
        self.show_mode()

    @property
    def captured(self) -> bool:
        return self.query_one(RadioSet).pressed_index != 1

    def show_mode(self) -> None:
        self.query_one(TextArea).display = self.captured
        self.query_one(".fallback").display = not self.captured

    def typed(self) -> dict[str, object]:
        return {
            "captured": self.captured,
            "words": self.query_one(TextArea).text,
            "reason": self.query_one(".reason", Input).value,
            "plan": self.query_one(".plan", Input).value,
            "by": self.query_one(".by", Input).value,
        }

    def views(self) -> PupilViews:
        """Return the views on screen, or raise InvalidValue when they are incomplete."""
        typed = self.typed()
        if typed["captured"]:
            if not str(typed["words"]).strip():
                raise InvalidValue(
                    f"The words of {self.pupil_label} are empty. Record what they said, "
                    "or choose 'Could not be captured'."
                )
            return PupilViews.in_own_words(str(typed["words"]))
        if not all(str(typed[key]).strip() for key in ("reason", "plan", "by")):
            raise InvalidValue(
                f"The views of {self.pupil_label} are incomplete. Record why they could not be "
                "captured, how they will be gathered and who will gather them."
            )
        return PupilViews.not_captured(str(typed["reason"]), str(typed["plan"]), str(typed["by"]))

    def restore(self, saved: Mapping[str, object]) -> None:
        # The choice between words and the reason was built from ``saved_captured`` when the block was made.
        words = self.query_one(TextArea)
        words.load_text(str(saved.get("words", "")))
        words.move_cursor(words.document.end)
        self.query_one(".reason", Input).value = str(saved.get("reason", ""))
        self.query_one(".plan", Input).value = str(saved.get("plan", ""))
        self.query_one(".by", Input).value = str(saved.get("by", ""))
        self.show_mode()


class PupilViewsPane(StepPane):
    """Step 4: each pupil's views, or why they could not be captured."""

    STEP = StepId.PUPIL_VIEWS

    def compose(self) -> ComposeResult:
        yield self.prompt()
        stored = self.record.pupil_views
        saved = self.saved_inputs.get("pupil_views")
        saved = saved if isinstance(saved, dict) else {}
        for pupil_id in self.record.pupil_ids:
            typed = saved.get(pupil_id)
            captured = typed.get("captured") if isinstance(typed, dict) else None
            yield PupilViewsBlock(
                pupil_id,
                self.context.pupil_name(pupil_id),
                stored.get(pupil_id),
                captured if isinstance(captured, bool) else None,
            )
        yield self.message_line()

    def first_focus(self) -> Widget | None:
        block = self._blocks()[0]
        return block.query_one(TextArea) if block.captured else block.query_one(".reason", Input)

    def _blocks(self) -> list[PupilViewsBlock]:
        return list(self.query(PupilViewsBlock))

    @on(RadioSet.Changed)
    @on(TextArea.Changed)
    @on(Input.Changed)
    def _changed(self, event: RadioSet.Changed | TextArea.Changed | Input.Changed) -> None:
        block = next((node for node in event.control.ancestors if isinstance(node, PupilViewsBlock)), None)
        if block is None:
            return
        if isinstance(event, RadioSet.Changed):
            block.show_mode()
        self.edited(record_changed=self._store(block))

    def _store(self, block: PupilViewsBlock) -> bool:
        """Store the block's views when they are complete, and return True if the record changed.

        Incomplete views stay as form inputs.
        """
        try:
            views = block.views()
        except InvalidValue:
            return False
        if self.record.pupil_views.get(block.pupil_id) == views:
            return False
        return self.apply(lambda: self.record.set_pupil_views(block.pupil_id, views))

    def _unstored(self) -> list[PupilViewsBlock]:
        unstored = []
        for block in self._blocks():
            try:
                views = block.views()
            except InvalidValue:
                views = None
            if views is None or self.record.pupil_views.get(block.pupil_id) != views:
                unstored.append(block)
        return unstored

    def form_inputs(self) -> dict[str, object]:
        typed = {}
        for block in self._unstored():
            values = block.typed()
            if any(str(values[key]).strip() for key in ("words", "reason", "plan", "by")) or not values["captured"]:
                typed[block.pupil_id] = values
            elif block.pupil_id in self.record.pupil_views:
                # The officer cleared stored words: keep the empty field so a restart shows it empty.
                typed[block.pupil_id] = values
        return {"pupil_views": typed} if typed else {}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        saved = values.get("pupil_views")
        if not isinstance(saved, dict):
            return
        with self.prevent(RadioSet.Changed, RadioButton.Changed, TextArea.Changed, Input.Changed):
            for block in self._blocks():
                if isinstance(saved.get(block.pupil_id), dict):
                    block.restore(saved[block.pupil_id])

    def form_problems(self) -> list[str]:
        problems = []
        for block in self._blocks():
            try:
                views = block.views()
            except InvalidValue as error:
                if block.pupil_id in self.record.pupil_views or any(
                    str(value).strip() for key, value in block.typed().items() if key != "captured"
                ):
                    problems.append(str(error))
                continue
            if self.record.pupil_views.get(block.pupil_id) != views:
                problems.append(f"The views of {block.pupil_label} on screen are not stored.")
        return problems


class ParentViewsPane(StepPane):
    """Step 5: the parent or carer's views in one free-text field."""

    STEP = StepId.PARENT_VIEWS
    DEFAULT_CSS = """
    ParentViewsPane TextArea { height: 10; }
    """

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield TextArea(
            self.record.parent_views, id="parent-views", placeholder="What the parent or carer says, in their words"
        )
        yield self.message_line()

    @on(TextArea.Changed, "#parent-views")
    def _changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text != self.record.parent_views and self.apply(lambda: self.record.set_parent_views(text)):
            self.edited()
