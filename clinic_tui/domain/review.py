"""The record of a review meeting, which checks the actions agreed at an earlier meeting.

A review follows the same rules as a first meeting: it is finalised once
complete, then locked, and later changes are addenda.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.actions import Action
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.checks import (
    InvalidTransition,
    InvalidValue,
    optional_text,
    require_id,
    require_percentage,
    require_text,
)
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.record import BaseRecord, MissingItem
from clinic_tui.domain.record_data import common_to_dict
from clinic_tui.domain.serialisation import DictReader, InvalidRecordData, converted
from clinic_tui.domain.steps import Step, StepId, review_steps


class ActionStatus(str, Enum):
    DONE = "done"
    PARTLY_DONE = "partly_done"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class ActionOutcome:
    """How far an earlier action was carried out.

    A note is required unless the action was done, because the reason is
    what the next steps depend on.
    """

    action_id: str
    status: ActionStatus
    note: str = ""

    def __post_init__(self) -> None:
        require_id(self.action_id, "action id")
        if not isinstance(self.status, ActionStatus):
            raise InvalidValue(f"status must be an ActionStatus, got {type(self.status).__name__}.")

        optional_text(self.note, "action outcome note")
        if self.status is not ActionStatus.DONE:
            require_text(self.note, "action outcome note", f"Say why the action is {self.status.label}.")

    def to_dict(self) -> dict[str, object]:
        return {"action_id": self.action_id, "status": self.status.value, "note": self.note}

    @classmethod
    def from_dict(cls, data: object, path: str) -> ActionOutcome:
        reader = DictReader(data, path, ("action_id", "status", "note"))
        try:
            return cls(reader.text("action_id"), reader.enum("status", ActionStatus), reader.text("note"))
        except InvalidValue as error:
            raise converted(path, error) from None


class ReviewRecord(BaseRecord):
    """The record of a review meeting."""

    RECORD_TYPE = "review"
    LABEL = "review record"
    STEP_ORDER = tuple(step.id for step in review_steps(Mode.IN_PERSON))
    SPECIFIC_KEYS = (
        "reviewed_record_id",
        "earlier_actions",
        "action_outcomes",
        "attendance_before",
        "attendance_after",
        "outcome",
        "escalate_to",
        "outcome_note",
    )

    def __init__(
        self,
        *,
        author: str,
        now: dt.datetime,
        pupil_ids: Sequence[str],
        mode: Mode,
        reviewed_record_id: str,
        earlier_actions: Sequence[Action],
        slot_id: str | None = None,
    ) -> None:
        """Start a review of the record ``reviewed_record_id``.

        The earlier actions are copied into the review, so the review stays
        readable on its own as evidence.
        """
        super().__init__(author=author, now=now, pupil_ids=pupil_ids, mode=mode, slot_id=slot_id)
        self._reviewed_record_id = require_id(reviewed_record_id, "reviewed record id")

        self._earlier_actions = tuple(earlier_actions)
        for action in self._earlier_actions:
            if not isinstance(action, Action):
                raise InvalidValue(f"earlier actions must be Actions, got {type(action).__name__}.")

        self._outcomes: dict[str, ActionOutcome] = {}
        self._attendance_before: float | None = None
        self._attendance_after: float | None = None
        self._outcome: ReviewOutcome | None = None
        self._escalate_to: NextStep | None = None
        self._outcome_note = ""

    @classmethod
    def for_meeting(
        cls,
        meeting: BaseRecord,
        *,
        author: str,
        now: dt.datetime,
        mode: Mode,
        slot_id: str | None = None,
    ) -> ReviewRecord:
        """Start a review of a finalised meeting or review, with its pupils and actions."""
        if not meeting.is_finalised:
            raise InvalidTransition(
                f"The {meeting.LABEL} {meeting.id} is not finalised, so it cannot be reviewed yet. "
                "Finalise it first."
            )

        return cls(
            author=author,
            now=now,
            pupil_ids=meeting.pupil_ids,
            mode=mode,
            reviewed_record_id=meeting.id,
            earlier_actions=meeting.actions,
            slot_id=slot_id,
        )

    def steps(self) -> tuple[Step, ...]:
        return review_steps(self.mode)

    @property
    def reviewed_record_id(self) -> str:
        return self._reviewed_record_id

    @property
    def earlier_actions(self) -> tuple[Action, ...]:
        return self._earlier_actions

    # Earlier actions and attendance.

    @property
    def action_outcomes(self) -> dict[str, ActionOutcome]:
        """The outcomes recorded so far, by earlier action id. The dict is a copy."""
        return dict(self._outcomes)

    def set_action_outcome(self, action_id: str, status: ActionStatus, note: str = "") -> ActionOutcome:
        self._check_unlocked("action outcomes")
        if all(action.id != action_id for action in self._earlier_actions):
            raise InvalidValue(
                f"action {action_id!r} was not agreed at the meeting under review. "
                "Choose one of the earlier actions."
            )

        outcome = ActionOutcome(action_id, status, note)
        self._outcomes[action_id] = outcome
        return outcome

    @property
    def attendance_before(self) -> float | None:
        """Attendance as a percentage over the period before the earlier meeting."""
        return self._attendance_before

    @property
    def attendance_after(self) -> float | None:
        """Attendance as a percentage over the period since the earlier meeting."""
        return self._attendance_after

    def set_attendance(self, before: float, after: float) -> None:
        self._check_unlocked("attendance figures")
        self._attendance_before = require_percentage(before, "attendance before")
        self._attendance_after = require_percentage(after, "attendance after")

    # Outcome.

    @property
    def outcome(self) -> ReviewOutcome | None:
        return self._outcome

    @property
    def escalate_to(self) -> NextStep | None:
        return self._escalate_to

    @property
    def outcome_note(self) -> str:
        return self._outcome_note

    def set_outcome(self, outcome: ReviewOutcome, escalate_to: NextStep | None = None, note: str = "") -> None:
        """Set the outcome. Escalating requires the step to escalate to, and only escalating takes one."""
        self._check_unlocked("outcome")
        if not isinstance(outcome, ReviewOutcome):
            raise InvalidValue(f"outcome must be a ReviewOutcome, got {type(outcome).__name__}.")

        if outcome is ReviewOutcome.ESCALATE:
            if not isinstance(escalate_to, NextStep):
                raise InvalidValue("Escalating needs the next step to escalate to. Choose one.")
        elif escalate_to is not None:
            raise InvalidValue(f"Only escalating takes a next step, not {outcome.value!r}. Leave it empty.")

        self._outcome = outcome
        self._escalate_to = escalate_to
        self._outcome_note = optional_text(note, "outcome note")

    # Finalising.

    def _continues(self) -> bool:
        """True unless the case is closing, in which case no actions or review date are needed."""
        return self._outcome is not ReviewOutcome.CLOSE

    def _requires_actions(self) -> bool:
        return self._continues()

    def _specific_missing(self) -> list[MissingItem]:
        items: list[MissingItem] = []

        for number, action in enumerate(self._earlier_actions, start=1):
            if action.id not in self._outcomes:
                items.append(
                    MissingItem(
                        StepId.EARLIER_ACTIONS,
                        f"Mark earlier action {number} ({action.owner.label}, due "
                        f"{action.due:%d/%m/%Y}) as done, partly done or not done.",
                    )
                )

        if self._attendance_before is None or self._attendance_after is None:
            items.append(
                MissingItem(
                    StepId.ATTENDANCE,
                    "Enter attendance before the last meeting and attendance since.",
                )
            )

        if self._continues() and self._review_date is None:
            items.append(MissingItem(StepId.REVIEW_DATE, "Set the date of the next review."))
        if not self._continues() and self._review_date is not None:
            items.append(
                MissingItem(
                    StepId.REVIEW_DATE,
                    "The review closes the case but a next review date is set. Clear the date, "
                    "or choose to continue.",
                )
            )

        if self._outcome is None:
            items.append(MissingItem(StepId.NEXT_STEP, "Choose whether to close, continue or escalate."))
        elif self._outcome is not ReviewOutcome.CONTINUE and not self._outcome_note.strip():
            reason = "closing the case" if self._outcome is ReviewOutcome.CLOSE else "escalating"
            items.append(MissingItem(StepId.NEXT_STEP, f"Write in the note the reason for {reason}."))

        if self._escalate_to is NextStep.SAFEGUARDING_REFERRAL and not self.flagged:
            items.append(
                MissingItem(
                    StepId.NEXT_STEP,
                    "The review escalates to a safeguarding referral but no safeguarding "
                    "concern has been raised. Raise a concern with the reason for the referral.",
                )
            )

        return items

    # Serialisation.

    def to_dict(self) -> dict[str, object]:
        """Return the record as JSON-ready values, for the vault and for sealing."""
        data = common_to_dict(self)
        data.update(
            {
                "reviewed_record_id": self._reviewed_record_id,
                "earlier_actions": [action.to_dict() for action in self._earlier_actions],
                "action_outcomes": [outcome.to_dict() for outcome in self._outcomes.values()],
                "attendance_before": self._attendance_before,
                "attendance_after": self._attendance_after,
                "outcome": None if self._outcome is None else self._outcome.value,
                "escalate_to": None if self._escalate_to is None else self._escalate_to.value,
                "outcome_note": self._outcome_note,
            }
        )
        return data

    @classmethod
    def from_dict(cls, data: object) -> ReviewRecord:
        """Rebuild a record from ``to_dict`` output, rejecting unknown or missing keys."""
        record, reader = cls._restore(data)

        try:
            record._reviewed_record_id = require_id(reader.text("reviewed_record_id"), "reviewed record id")
        except InvalidValue as error:
            raise converted(reader.at("reviewed_record_id"), error) from None

        record._earlier_actions = tuple(Action.from_dict(item, path) for path, item in reader.items("earlier_actions"))
        known = {action.id for action in record._earlier_actions}

        record._outcomes = {}
        for path, item in reader.items("action_outcomes"):
            outcome = ActionOutcome.from_dict(item, path)
            if outcome.action_id not in known or outcome.action_id in record._outcomes:
                raise InvalidRecordData(path, f"outcome for unknown or repeated action {outcome.action_id}")
            record._outcomes[outcome.action_id] = outcome

        for key in ("attendance_before", "attendance_after"):
            value = reader.optional_number(key)
            if value is not None and not 0 <= value <= 100:
                raise reader.fail(key, f"{value} is not a percentage from 0 to 100")
        record._attendance_before = reader.optional_number("attendance_before")
        record._attendance_after = reader.optional_number("attendance_after")

        record._outcome = reader.optional_enum("outcome", ReviewOutcome)
        record._escalate_to = reader.optional_enum("escalate_to", NextStep)
        if (record._outcome is ReviewOutcome.ESCALATE) != (record._escalate_to is not None):
            raise reader.fail("escalate_to", "a next step is stored if and only if the outcome is to escalate")
        record._outcome_note = reader.text("outcome_note")
        return record

