"""Identity, finalising, locking and addenda shared by meeting and review records.

A record is attributable: it has a UUID made once, an author (the officer's
profile name) and timezone-aware creation and finalising times. Once
finalised it is locked, and every later change is an addendum that raises
the version number and is appended, never written over the original.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar, Self

from clinic_tui.domain.actions import Action, ActionBalance, action_balance
from clinic_tui.domain.addenda import Addendum, RecordLocked
from clinic_tui.domain.attendees import Attendee, Mode
from clinic_tui.domain.checks import (
    InvalidTransition,
    InvalidValue,
    format_short_date,
    new_id,
    optional_text,
    require_aware,
    require_date,
    require_id,
    require_pupil_ids,
    require_text,
)
from clinic_tui.domain.completeness import (
    MissingItem,
    in_step_order,
    missing_actions,
    missing_attendees,
    missing_pupil_views,
)
from clinic_tui.domain.record_data import COMMON_KEYS, SCHEMA_VERSION, read_common
from clinic_tui.domain.safeguarding import SafeguardingConcern
from clinic_tui.domain.serialisation import DictReader, check_schema
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews

MAX_REVIEW_AFTER = dt.timedelta(days=366)
"""The latest review date after a meeting. Reviews come within weeks, so a later date is most likely a mistyped year."""


class BaseRecord:
    """The parts of a meeting record that first meetings and reviews share.

    Subclasses set RECORD_TYPE and LABEL, list their steps in STEP_ORDER and
    add their own fields, checks and stored keys.
    """

    RECORD_TYPE: ClassVar[str]
    LABEL: ClassVar[str]
    STEP_ORDER: ClassVar[tuple[StepId, ...]]
    SPECIFIC_KEYS: ClassVar[tuple[str, ...]]

    def __init__(
        self,
        *,
        author: str,
        now: dt.datetime,
        pupil_ids: Sequence[str],
        mode: Mode,
        slot_id: str | None = None,
    ) -> None:
        require_text(author, "author", "Set your name in your officer profile.")
        require_aware(now, "creation time")
        if not isinstance(mode, Mode):
            raise InvalidValue(f"mode must be a Mode, got {type(mode).__name__}.")
        if slot_id is not None:
            require_id(slot_id, "slot id")

        self._id = new_id()
        self._version = 1
        self._author = author
        self._created_at = now
        self._finalised_at: dt.datetime | None = None
        self._slot_id = slot_id
        self._pupil_ids = require_pupil_ids(pupil_ids, "pupil ids")
        self._mode = mode
        self._attendees: list[Attendee] = []
        self._line_confirmed = False
        self._pupil_views: dict[str, PupilViews] = {}
        self._actions: list[Action] = []
        self._one_sided_reason = ""
        self._review_date: dt.date | None = None
        self._concerns: list[SafeguardingConcern] = []
        self._addenda: list[Addendum] = []

    # Identity and state.

    @property
    def id(self) -> str:
        return self._id

    @property
    def version(self) -> int:
        """The record version: 1 when created, one more for each addendum."""
        return self._version

    @property
    def author(self) -> str:
        return self._author

    @property
    def created_at(self) -> dt.datetime:
        return self._created_at

    @property
    def meeting_date(self) -> dt.date:
        """The date the record was created, in the time zone it was created in."""
        return self._created_at.date()

    @property
    def finalised_at(self) -> dt.datetime | None:
        return self._finalised_at

    @property
    def is_finalised(self) -> bool:
        return self._finalised_at is not None

    @property
    def slot_id(self) -> str | None:
        return self._slot_id

    @property
    def pupil_ids(self) -> tuple[str, ...]:
        return self._pupil_ids

    @property
    def mode(self) -> Mode:
        return self._mode

    def _check_unlocked(self, change: str) -> None:
        if self._finalised_at is not None:
            raise RecordLocked(self.LABEL, self._id, self._finalised_at, change)

    def _check_not_before(self, now: dt.datetime, field: str) -> dt.datetime:
        require_aware(now, field)
        if now < self._created_at:
            raise InvalidValue(
                f"{field} {now.isoformat()} is before the record was created at "
                f"{self._created_at.isoformat()}. Check the laptop clock."
            )
        return now

    # Who is in the room.

    @property
    def attendees(self) -> tuple[Attendee, ...]:
        return tuple(self._attendees)

    @property
    def line_confirmed(self) -> bool:
        """True once everyone on a video or phone call has confirmed who is present."""
        return self._line_confirmed

    def add_attendee(self, attendee: Attendee) -> None:
        self._check_unlocked("attendee list")
        if not isinstance(attendee, Attendee):
            raise InvalidValue(f"attendee must be an Attendee, got {type(attendee).__name__}.")

        self._attendees.append(attendee)

        # A confirmation covers the list that was read out, so a changed list
        # has to be confirmed again.
        self._line_confirmed = False

    def remove_attendee(self, index: int) -> None:
        self._check_unlocked("attendee list")
        if not 0 <= index < len(self._attendees):
            raise InvalidValue(
                f"attendee number {index} does not exist. The record lists "
                f"{len(self._attendees)} attendees, numbered from 0."
            )

        del self._attendees[index]
        self._line_confirmed = False

    def confirm_line(self, confirmed: bool = True) -> None:
        """Record that everyone on the call has confirmed who is present, or undo it."""
        self._check_unlocked("line confirmation")
        if not self._mode.is_remote:
            raise InvalidTransition(
                "This meeting is in person, so there is no line to confirm. "
                "Change the mode to video or group phone call first."
            )

        self._line_confirmed = bool(confirmed)

    # The pupil's views.

    @property
    def pupil_views(self) -> dict[str, PupilViews]:
        """The views recorded so far, by pupil id. The dict is a copy."""
        return dict(self._pupil_views)

    def set_pupil_views(self, pupil_id: str, views: PupilViews) -> None:
        self._check_unlocked("pupil's views")
        if pupil_id not in self._pupil_ids:
            raise InvalidValue(
                f"pupil {pupil_id!r} is not part of this record, which covers "
                f"{', '.join(self._pupil_ids)}. Choose one of those pupils."
            )
        if not isinstance(views, PupilViews):
            raise InvalidValue(f"views must be PupilViews, got {type(views).__name__}.")

        self._pupil_views[pupil_id] = views

    # Actions and review date.

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(self._actions)

    @property
    def action_balance(self) -> ActionBalance:
        return action_balance(self._actions)

    @property
    def one_sided_reason(self) -> str:
        return self._one_sided_reason

    def add_action(self, action: Action) -> Action:
        self._check_unlocked("action list")
        if not isinstance(action, Action):
            raise InvalidValue(f"action must be an Action, got {type(action).__name__}.")
        if action.due < self.meeting_date:
            raise InvalidValue(
                f"action due date {format_short_date(action.due)} is before the meeting on "
                f"{format_short_date(self.meeting_date)}. Choose a later date."
            )
        if any(existing.id == action.id for existing in self._actions):
            raise InvalidValue(f"action {action.id} is already on the record.")

        self._actions.append(action)
        return action

    def remove_action(self, action_id: str) -> None:
        self._check_unlocked("action list")
        for index, action in enumerate(self._actions):
            if action.id == action_id:
                del self._actions[index]
                return

        raise InvalidValue(f"action {action_id!r} is not on this record.")

    def set_one_sided_reason(self, reason: str) -> None:
        """Record why every action falls on one side. An empty string clears it."""
        self._check_unlocked("reason for one-sided actions")
        self._one_sided_reason = optional_text(reason, "reason for one-sided actions")

    @property
    def review_date(self) -> dt.date | None:
        return self._review_date

    def set_review_date(self, review_date: dt.date) -> None:
        self._check_unlocked("review date")
        require_date(review_date, "review date")
        if review_date <= self.meeting_date:
            raise InvalidValue(
                f"review date {format_short_date(review_date)} is not after the meeting on "
                f"{format_short_date(self.meeting_date)}. Choose a later date."
            )
        if review_date > self.meeting_date + MAX_REVIEW_AFTER:
            raise InvalidValue(
                f"review date {format_short_date(review_date)} is more than a year after the meeting on "
                f"{format_short_date(self.meeting_date)}. Check the year, and review within a year."
            )

        self._review_date = review_date

    def clear_review_date(self) -> None:
        """Remove the review date, as when a review closes the case."""
        self._check_unlocked("review date")
        self._review_date = None

    # Safeguarding.

    @property
    def concerns(self) -> tuple[SafeguardingConcern, ...]:
        """The concerns as they stand now, with any updates made by addenda applied."""
        current = {concern.id: concern for concern in self._concerns}
        for addendum in self._addenda:
            if addendum.concern is not None:
                current[addendum.concern.id] = addendum.concern
        return tuple(current.values())

    @property
    def original_concerns(self) -> tuple[SafeguardingConcern, ...]:
        """The concerns as they were when the record was finalised, without addenda."""
        return tuple(self._concerns)

    @property
    def flagged(self) -> bool:
        """True when at least one safeguarding concern has been raised on the record."""
        return bool(self.concerns)

    def raise_concern(
        self,
        step: StepId,
        note: str,
        now: dt.datetime,
        raised_by: str | None = None,
        dsl_informed_at: dt.datetime | None = None,
    ) -> SafeguardingConcern:
        """Record a safeguarding concern from any step and flag the record.

        A finalised record accepts a concern too, because safeguarding cannot
        wait for a reopened record. The concern then goes into a new addendum.
        """
        self._check_not_before(now, "concern time")
        author = self._author if raised_by is None else raised_by
        if dsl_informed_at is not None:
            self._check_informed_at(dsl_informed_at, now)

        concern = SafeguardingConcern(step, note, now, author, dsl_informed_at)
        if self.is_finalised:
            self._append_addendum(
                "Safeguarding concern raised after finalising",
                "A safeguarding concern was raised after the record was finalised.",
                author,
                now,
                concern,
            )
        else:
            self._concerns.append(concern)
        return concern

    def record_dsl_informed(
        self,
        concern_id: str,
        informed_at: dt.datetime,
        now: dt.datetime,
        author: str | None = None,
    ) -> SafeguardingConcern:
        """Record when the DSL was informed about a concern.

        On a finalised record the update goes into a new addendum.
        """
        self._check_not_before(now, "current time")
        self._check_informed_at(informed_at, now)

        concern = next((c for c in self.concerns if c.id == concern_id), None)
        if concern is None:
            raise InvalidValue(f"concern {concern_id!r} is not on this record.")
        updated = concern.with_dsl_informed(informed_at)

        if self.is_finalised:
            self._append_addendum(
                "DSL informed of a safeguarding concern",
                f"The DSL was informed about the concern at {informed_at:%H:%M} on {format_short_date(informed_at)}.",
                self._author if author is None else author,
                now,
                updated,
            )
        else:
            index = next(i for i, c in enumerate(self._concerns) if c.id == concern_id)
            self._concerns[index] = updated
        return updated

    def _check_informed_at(self, informed_at: dt.datetime, now: dt.datetime) -> None:
        require_aware(informed_at, "DSL informed at")
        if informed_at > now:
            raise InvalidValue(
                f"DSL informed at {informed_at.isoformat()} is later than the current time "
                f"{now.isoformat()}. Record the time the DSL was actually informed."
            )

    # Finalising and addenda.

    def _requires_actions(self) -> bool:
        return True

    def _specific_missing(self) -> list[MissingItem]:
        return []

    def missing(self) -> list[MissingItem]:
        """List everything the record still needs before it can be finalised, in step order."""
        items = missing_attendees(self) + missing_pupil_views(self)
        if self._requires_actions():
            items.extend(missing_actions(self))
        items.extend(self._specific_missing())
        return in_step_order(items, self.STEP_ORDER)

    def finalise(self, now: dt.datetime) -> list[MissingItem]:
        """Lock the record if it is complete, and return what is missing otherwise.

        An empty list means the record is now finalised. A non-empty list
        leaves the record open and lists every missing item, not just the first.
        """
        self._check_unlocked("record")
        self._check_not_before(now, "finalising time")

        missing = self.missing()
        if missing:
            return missing

        self._finalised_at = now
        return []

    @property
    def addenda(self) -> tuple[Addendum, ...]:
        return tuple(self._addenda)

    def add_addendum(self, reason: str, text: str, author: str, now: dt.datetime) -> Addendum:
        """Append a correction or addition to a finalised record as a new version."""
        if self._finalised_at is None:
            raise InvalidTransition(
                f"The {self.LABEL} {self._id} is not finalised yet, so edit it directly "
                "instead of adding an addendum."
            )

        return self._append_addendum(reason, text, author, now, None)

    def _append_addendum(
        self,
        reason: str,
        text: str,
        author: str,
        now: dt.datetime,
        concern: SafeguardingConcern | None,
    ) -> Addendum:
        assert self._finalised_at is not None
        require_aware(now, "addendum time")
        if now < self._finalised_at:
            raise InvalidValue(
                f"addendum time {now.isoformat()} is before the record was finalised at "
                f"{self._finalised_at.isoformat()}. Check the laptop clock."
            )

        addendum = Addendum(self._version + 1, reason, text, now, author, concern)
        self._addenda.append(addendum)
        self._version = addendum.version
        return addendum

    # Serialisation.

    @classmethod
    def _restore(cls, data: object) -> tuple[Self, DictReader]:
        """Create a record from stored data with the shared fields set.

        Returns the record and the reader, from which the subclass reads its own fields.
        """
        check_schema(data, cls.RECORD_TYPE, SCHEMA_VERSION, cls.RECORD_TYPE)
        reader = DictReader(data, cls.RECORD_TYPE, COMMON_KEYS + cls.SPECIFIC_KEYS)
        fields = read_common(reader)

        record = cls.__new__(cls)
        record._id = fields.id
        record._version = fields.version
        record._author = fields.author
        record._created_at = fields.created_at
        record._finalised_at = fields.finalised_at
        record._slot_id = fields.slot_id
        record._pupil_ids = fields.pupil_ids
        record._mode = fields.mode
        record._attendees = list(fields.attendees)
        record._line_confirmed = fields.line_confirmed
        record._pupil_views = dict(fields.pupil_views)
        record._actions = list(fields.actions)
        record._one_sided_reason = fields.one_sided_reason
        record._review_date = fields.review_date
        record._concerns = list(fields.concerns)
        record._addenda = list(fields.addenda)
        return record, reader
