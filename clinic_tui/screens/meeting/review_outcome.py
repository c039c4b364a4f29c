"""Review steps 6 and 7: what happens next.

The date of the next review, and the outcome: close the case, continue
the support, or escalate to a named next step.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioSet, Static

from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.steps import StepId
from clinic_tui.screens.meeting.base import ReviewStepPane, short_date
from clinic_tui.screens.meeting.plan import ReviewPane
from clinic_tui.widgets.form_input import FormInput
from clinic_tui.widgets.toggles import ChoiceButton

# A review that keeps monitoring or meets again continues the support, so those two are not escalations.
ESCALATIONS = tuple(step for step in NextStep if step not in (NextStep.MONITOR, NextStep.REVIEW_MEETING))

class NextReviewPane(ReviewPane):
    """Review step 6: the date of the next review, with no attendance target."""

    def compose(self) -> ComposeResult:
        yield self.prompt()
        yield Label("Next review date (day/month/year)", classes="field-label")
        yield FormInput(short_date(self.record.review_date), id="review-date", compact=True)
        yield Static("", id="review-date-text", classes="hint")
        yield Static("Leave it empty if you are closing the case.", classes="hint")
        yield self.message_line()

    def store_date(self, text: str) -> bool:
        # An empty date clears the stored one, because a review that closes the case has no next review.
        if text.strip():
            return super().store_date(text)
        self.show_message("")
        if self.record.review_date is None:
            return False
        return self.apply(self.record.clear_review_date)

    def _date_problem(self) -> str | None:
        if not self.query_one("#review-date", Input).value.strip() or self._cleared_on_close():
            return None
        return super()._date_problem()

    def _cleared_on_close(self) -> bool:
        """Return True when choosing to close the case cleared the date that this step still shows."""
        review = self.record
        return isinstance(review, ReviewRecord) and review.outcome is ReviewOutcome.CLOSE and review.review_date is None

    def on_step_shown(self) -> None:
        if self._cleared_on_close():
            with self.prevent(Input.Changed):
                self.query_one("#review-date", Input).value = ""
        self._show_date()

    def _target_problem(self) -> str | None:
        return None

    def form_inputs(self) -> dict[str, object]:
        if self._date_problem() is None:
            return {}
        return {"review_date": self.query_one("#review-date", Input).value}

    def restore_form_inputs(self, values: Mapping[str, object]) -> None:
        if isinstance(values.get("review_date"), str):
            with self.prevent(Input.Changed):
                self.query_one("#review-date", Input).value = values["review_date"]


class OutcomePane(ReviewStepPane):
    """Review step 7: close the case, continue, or escalate to a named next step, with a note."""

    STEP = StepId.NEXT_STEP
    DEFAULT_CSS = """
    OutcomePane RadioSet { width: 100%; height: auto; }
    OutcomePane #escalate-block { height: auto; }
    """

    def compose(self) -> ComposeResult:
        chosen, escalate_to, note = self._initial()
        yield self.prompt()
        with RadioSet(id="outcome"):
            for outcome in ReviewOutcome:
                yield ChoiceButton(outcome.label, value=outcome is chosen, id=f"outcome-{outcome.value}")
        with Vertical(id="escalate-block"):
            yield Label("Escalate to", classes="field-label")
            with RadioSet(id="escalate-to"):
                for step in ESCALATIONS:
                    yield ChoiceButton(step.label, value=step is escalate_to, id=f"escalate-{step.value}")
        yield Label("Note", classes="field-label")
        yield FormInput(note, placeholder="Why, and what happens next", id="outcome-note", compact=True)
        yield self.message_line()

    def _initial(self) -> tuple[ReviewOutcome | None, NextStep | None, str]:
        """Return the outcome, step and note to show: those saved before a crash, else the record's."""
        saved = self.saved_inputs
        if not saved:
            return self.review.outcome, self.review.escalate_to, self.review.outcome_note
        outcome = saved.get("outcome")
        escalate_to = saved.get("escalate_to")
        note = saved.get("note")
        return (
            ReviewOutcome(outcome) if outcome in {choice.value for choice in ReviewOutcome} else None,
            NextStep(escalate_to) if escalate_to in {step.value for step in ESCALATIONS} else None,
            note if isinstance(note, str) else "",
        )

    def on_mount(self) -> None:
        self._show_escalation()

    def _outcome(self) -> ReviewOutcome | None:
        pressed = self.query_one("#outcome", RadioSet).pressed_button
        return None if pressed is None else ReviewOutcome(str(pressed.id).removeprefix("outcome-"))

    def _escalate_to(self) -> NextStep | None:
        pressed = self.query_one("#escalate-to", RadioSet).pressed_button
        return None if pressed is None else NextStep(str(pressed.id).removeprefix("escalate-"))

    def _show_escalation(self) -> None:
        self.query_one("#escalate-block").display = self._outcome() is ReviewOutcome.ESCALATE

    @on(RadioSet.Changed)
    @on(Input.Changed, "#outcome-note")
    def _changed(self) -> None:
        self._show_escalation()
        outcome = self._outcome()
        note = self.query_one("#outcome-note", Input).value
        escalate_to = self._escalate_to() if outcome is ReviewOutcome.ESCALATE else None
        changed = False
        if outcome is ReviewOutcome.ESCALATE and escalate_to is None:
            self.show_message("Choose the next step to escalate to.")
        elif outcome is not None and (outcome, escalate_to, note) != (
            self.review.outcome,
            self.review.escalate_to,
            self.review.outcome_note,
        ):
            changed = self.apply(lambda: self.review.set_outcome(outcome, escalate_to, note))
            if changed and outcome is ReviewOutcome.CLOSE and self.review.review_date is not None:
                self.review.clear_review_date()
                self.show_message("The next review date is cleared, because the case is closing.")
            if escalate_to is NextStep.SAFEGUARDING_REFERRAL and not self.review.flagged:
                self.show_message("A safeguarding referral needs a safeguarding concern with the reason: press F6.")
        self.edited(record_changed=changed)

    def form_inputs(self) -> dict[str, object]:
        outcome = self._outcome()
        escalate_to = self._escalate_to()
        stored = (self.review.outcome, self.review.escalate_to if outcome is ReviewOutcome.ESCALATE else None)
        on_screen = (outcome, escalate_to if outcome is ReviewOutcome.ESCALATE else None)
        note = self.query_one("#outcome-note", Input).value
        if on_screen == stored and note == self.review.outcome_note:
            return {}
        return {
            "outcome": None if outcome is None else outcome.value,
            "escalate_to": None if escalate_to is None else escalate_to.value,
            "note": note,
        }

    def form_problems(self) -> list[str]:
        outcome = self._outcome()
        if outcome is ReviewOutcome.ESCALATE and self._escalate_to() is None:
            return ["The review escalates but no next step is chosen. Choose the step to escalate to."]
        if outcome is None and self.query_one("#outcome-note", Input).value.strip():
            return ["An outcome note is typed but no outcome is chosen. Choose close, continue or escalate."]
        return []
