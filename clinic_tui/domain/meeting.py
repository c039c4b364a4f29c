"""The record of a first attendance meeting with a family.

The officer works through the steps in ``steps.meeting_steps``. The shared
parts (attendees, pupil's views, actions, review date, safeguarding,
finalising and addenda) live in ``record.BaseRecord``.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence

from clinic_tui.domain.attendees import Mode, Role
from clinic_tui.domain.barriers import Barrier, BarrierNote
from clinic_tui.domain.checks import (
    InvalidValue,
    format_short_date,
    optional_text,
    require_percentage,
    require_text,
)
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.record import BaseRecord, MissingItem
from clinic_tui.domain.record_data import common_to_dict
from clinic_tui.domain.serialisation import InvalidRecordData, converted, describe
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer, SocialWorkerContact
from clinic_tui.domain.steps import Step, StepId, meeting_steps

INFORMATION_SHARING_STATEMENT = (
    "We will keep a written record of this meeting: who came, what each of you "
    "told us, the barriers to attendance we talked about and the actions we agreed. "
    "The local authority's attendance service stores the record securely and shares "
    "it with the school. It may also be shared with other services that support your "
    "family, such as early help or children's social care, when that is needed to "
    "help a child or keep them safe. The record may be used as evidence if formal "
    "steps about attendance are taken later. Figures with names removed are used to "
    "check how well the service works. You can ask to see the record."
)

DEFAULT_REVIEW_WEEKS = 6


SchoolDays = Callable[[dt.date, int], dt.date] | Sequence[dt.date]


def default_review_date(meeting_date: dt.date, school_days: SchoolDays, weeks: int = DEFAULT_REVIEW_WEEKS) -> dt.date:
    """Return the default review date, ``weeks`` school weeks after ``meeting_date``.

    ``school_days`` is either a function ``(start, weeks) -> date``, such as a
    school calendar's ``add_school_weeks``, whose errors pass through
    unchanged, or the school's open days in any order.

    For a list, a school week is a Monday-to-Sunday week with at least one
    school day, and the week of the meeting does not count. The result is the
    same weekday in the ``weeks``-th school week. When the school is closed
    on that weekday, the result moves on to the next school day.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise InvalidValue(f"review weeks {weeks!r} is invalid. Use a whole number of weeks, 1 or more.")

    if callable(school_days):
        return school_days(meeting_date, weeks)

    days = sorted(set(school_days))
    mondays = sorted({day - dt.timedelta(days=day.weekday()) for day in days})
    meeting_monday = meeting_date - dt.timedelta(days=meeting_date.weekday())

    # From a holiday week, the first school week after it is week 1, the same
    # as counting from a school week.
    target = bisect.bisect_right(mondays, meeting_monday) - 1 + weeks
    if target < len(mondays):
        same_weekday = mondays[target] + dt.timedelta(days=meeting_date.weekday())
        index = bisect.bisect_left(days, same_weekday)
        if index < len(days):
            return days[index]

    last = days[-1] if days else meeting_date
    raise InvalidValue(
        f"the school calendar ends on {format_short_date(last)}, too soon to count "
        f"{weeks} school weeks from {format_short_date(meeting_date)}. Add the next "
        "term's dates to the calendar, or set the review date by hand."
    )


def _check_json(value: object, path: str) -> None:
    """Raise InvalidValue unless ``value`` is plain JSON data with finite numbers."""
    if value is None or isinstance(value, (str, bool, int)):
        return

    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidValue(f"attendance snapshot value at {path} is {value!r}. Use a finite number.")
        return

    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return

    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidValue(f"attendance snapshot key {key!r} at {path} is not text. Use text keys.")
            _check_json(item, f"{path}.{key}")
        return

    raise InvalidValue(
        f"attendance snapshot value at {path} is {describe(value)}. "
        "Use numbers, text, true or false, lists and objects only."
    )


class MeetingRecord(BaseRecord):
    """The record of a first attendance meeting, from who is in the room to finalising."""

    RECORD_TYPE = "meeting"
    LABEL = "meeting record"
    STEP_ORDER = tuple(step.id for step in meeting_steps(Mode.IN_PERSON))
    SPECIFIC_KEYS = (
        "information_statement",
        "sharing_confirmed",
        "child_plans",
        "social_worker",
        "attendance_snapshot",
        "parent_views",
        "barriers",
        "attendance_target",
        "next_step",
        "next_step_note",
    )

    def __init__(
        self,
        *,
        author: str,
        now: dt.datetime,
        pupil_ids: Sequence[str],
        mode: Mode,
        attendance_snapshot: Mapping[str, object],
        child_plans: Mapping[str, ChildPlan] | None = None,
        slot_id: str | None = None,
        information_statement: str = INFORMATION_SHARING_STATEMENT,
    ) -> None:
        """Start a record. Pupils missing from ``child_plans`` have no plan."""
        super().__init__(author=author, now=now, pupil_ids=pupil_ids, mode=mode, slot_id=slot_id)

        if not isinstance(attendance_snapshot, Mapping):
            raise InvalidValue(
                f"attendance snapshot must be a dict of measures, got {type(attendance_snapshot).__name__}."
            )
        _check_json(attendance_snapshot, "attendance_snapshot")

        self._statement = require_text(information_statement, "information sharing statement")
        self._sharing_confirmed = False
        self._child_plans = {pupil_id: ChildPlan.NONE for pupil_id in self.pupil_ids}
        for pupil_id, plan in (child_plans or {}).items():
            self._store_plan(pupil_id, plan)
        self._social_worker: SocialWorkerAnswer | None = None
        self._snapshot = copy.deepcopy(dict(attendance_snapshot))
        self._parent_views = ""
        self._barriers: dict[Barrier, BarrierNote] = {}
        self._attendance_target: float | None = None
        self._next_step: NextStep | None = None
        self._next_step_note = ""

    def steps(self) -> tuple[Step, ...]:
        return meeting_steps(self.mode)

    # Information sharing and social worker.

    @property
    def information_statement(self) -> str:
        """The statement read to the family, kept with the record in case the standard text changes."""
        return self._statement

    @property
    def sharing_confirmed(self) -> bool:
        return self._sharing_confirmed

    def confirm_information_sharing(self, confirmed: bool = True) -> None:
        self._check_unlocked("information sharing confirmation")
        self._sharing_confirmed = bool(confirmed)

    @property
    def child_plans(self) -> dict[str, ChildPlan]:
        return dict(self._child_plans)

    @property
    def has_child_plan(self) -> bool:
        """True when any pupil on the record has a child in need or child protection plan."""
        return any(plan is not ChildPlan.NONE for plan in self._child_plans.values())

    def set_child_plan(self, pupil_id: str, plan: ChildPlan) -> None:
        self._check_unlocked("child plan")
        self._store_plan(pupil_id, plan)

    def _store_plan(self, pupil_id: str, plan: ChildPlan) -> None:
        if pupil_id not in self.pupil_ids:
            raise InvalidValue(
                f"pupil {pupil_id!r} is not part of this record. Choose one of {', '.join(self.pupil_ids)}."
            )
        if not isinstance(plan, ChildPlan):
            raise InvalidValue(f"plan must be a ChildPlan, got {type(plan).__name__}.")

        self._child_plans[pupil_id] = plan

    @property
    def social_worker(self) -> SocialWorkerAnswer | None:
        return self._social_worker

    def set_social_worker(self, answer: SocialWorkerAnswer) -> None:
        """Record whether the social worker is present or who will inform them and when."""
        self._check_unlocked("social worker answer")
        if not isinstance(answer, SocialWorkerAnswer):
            raise InvalidValue(f"answer must be a SocialWorkerAnswer, got {type(answer).__name__}.")
        if answer.contact is SocialWorkerContact.NOT_APPLICABLE and self.has_child_plan:
            raise InvalidValue(
                "'Not applicable' is only for pupils with no plan, and a pupil on this record "
                "has a child in need or child protection plan. Record that the social worker "
                "is present, or who will inform them and when."
            )
        if answer.informed_on is not None and answer.informed_on < self.meeting_date:
            raise InvalidValue(
                f"informed on {format_short_date(answer.informed_on)} is before the meeting. "
                "Enter today's date or a later one."
            )

        self._social_worker = answer

    # Attendance, views and barriers.

    @property
    def attendance_snapshot(self) -> dict[str, object]:
        """A copy of the attendance measures stored when the record was created."""
        return copy.deepcopy(self._snapshot)

    @property
    def parent_views(self) -> str:
        return self._parent_views

    def set_parent_views(self, views: str) -> None:
        self._check_unlocked("parent or carer's views")
        self._parent_views = optional_text(views, "parent or carer's views")

    @property
    def barriers(self) -> tuple[BarrierNote, ...]:
        """The chosen barriers in taxonomy order."""
        return tuple(self._barriers[barrier] for barrier in Barrier if barrier in self._barriers)

    def set_barrier(self, barrier: Barrier, notes: str = "") -> BarrierNote:
        """Choose a barrier, or replace the notes of one already chosen."""
        self._check_unlocked("barriers")
        entry = BarrierNote(barrier, notes)
        self._barriers[barrier] = entry
        return entry

    def remove_barrier(self, barrier: Barrier) -> None:
        self._check_unlocked("barriers")
        if barrier not in self._barriers:
            raise InvalidValue(f"barrier {barrier.value!r} was not chosen on this record.")
        del self._barriers[barrier]

    # Review target and next step.

    @property
    def attendance_target(self) -> float | None:
        """The agreed attendance target as a percentage."""
        return self._attendance_target

    def set_attendance_target(self, percentage: float | None) -> None:
        self._check_unlocked("attendance target")
        if percentage is None:
            self._attendance_target = None
            return
        self._attendance_target = require_percentage(percentage, "attendance target")

    @property
    def next_step(self) -> NextStep | None:
        return self._next_step

    @property
    def next_step_note(self) -> str:
        return self._next_step_note

    def set_next_step(self, step: NextStep, note: str = "") -> None:
        self._check_unlocked("next step")
        if not isinstance(step, NextStep):
            raise InvalidValue(f"next step must be a NextStep, got {type(step).__name__}.")

        self._next_step = step
        self._next_step_note = optional_text(note, "next step note")

    # Finalising.

    def _specific_missing(self) -> list[MissingItem]:
        items: list[MissingItem] = []
        sharing = StepId.INFORMATION_SHARING

        if not self._sharing_confirmed:
            items.append(
                MissingItem(
                    sharing,
                    "Read the information sharing statement and record that everyone "
                    "present has understood it.",
                )
            )

        items.extend(self._missing_social_worker())

        if self._review_date is None:
            items.append(MissingItem(StepId.REVIEW_DATE, "Set a review date."))

        if self._next_step is None:
            items.append(MissingItem(StepId.NEXT_STEP, "Choose the next step."))

        # A safeguarding barrier or referral with no concern raised would leave
        # the DSL uninformed, and the end-of-day checklist is built from concerns.
        if not self.flagged:
            if Barrier.SAFEGUARDING in self._barriers:
                items.append(
                    MissingItem(
                        StepId.BARRIERS,
                        "An exploitation or safeguarding barrier is recorded but no "
                        "safeguarding concern has been raised. Raise a concern so that the "
                        "DSL is informed, or remove the barrier.",
                    )
                )
            if self._next_step is NextStep.SAFEGUARDING_REFERRAL:
                items.append(
                    MissingItem(
                        StepId.NEXT_STEP,
                        "The next step is a safeguarding referral but no safeguarding "
                        "concern has been raised. Raise a concern with the reason for the referral.",
                    )
                )

        return items

    def _missing_social_worker(self) -> list[MissingItem]:
        if not self.has_child_plan:
            return []

        plans = ", ".join(
            f"pupil {pupil_id} has a {plan.label}"
            for pupil_id, plan in self._child_plans.items()
            if plan is not ChildPlan.NONE
        )
        answer = self._social_worker
        if answer is None or answer.contact is SocialWorkerContact.NOT_APPLICABLE:
            return [
                MissingItem(
                    StepId.INFORMATION_SHARING,
                    f"Because {plans}, record whether their social worker is present, "
                    "or who will inform them and when.",
                )
            ]

        present = any(attendee.role is Role.SOCIAL_WORKER for attendee in self._attendees)
        if answer.contact is SocialWorkerContact.PRESENT and not present:
            return [
                MissingItem(
                    StepId.INFORMATION_SHARING,
                    "The social worker is recorded as present, but no one in the room has "
                    "the social worker role. Add them to the attendees, or change the answer.",
                )
            ]

        return []

    # Serialisation.

    def to_dict(self) -> dict[str, object]:
        """Return the record as JSON-ready values, for the vault and for sealing."""
        data = common_to_dict(self)
        data.update(
            {
                "information_statement": self._statement,
                "sharing_confirmed": self._sharing_confirmed,
                "child_plans": {pupil: plan.value for pupil, plan in self._child_plans.items()},
                "social_worker": None if self._social_worker is None else self._social_worker.to_dict(),
                "attendance_snapshot": copy.deepcopy(self._snapshot),
                "parent_views": self._parent_views,
                "barriers": [entry.to_dict() for entry in self.barriers],
                "attendance_target": self._attendance_target,
                "next_step": None if self._next_step is None else self._next_step.value,
                "next_step_note": self._next_step_note,
            }
        )
        return data

    @classmethod
    def from_dict(cls, data: object) -> MeetingRecord:
        """Rebuild a record from ``to_dict`` output, rejecting unknown or missing keys."""
        record, reader = cls._restore(data)

        record._statement = reader.text("information_statement")
        record._sharing_confirmed = reader.boolean("sharing_confirmed")

        plans = reader.mapping("child_plans")
        if set(plans) != set(record.pupil_ids):
            raise reader.fail(
                "child_plans",
                f"plans are for pupils {sorted(plans)} but the record covers {sorted(record.pupil_ids)}",
            )
        record._child_plans = {}
        for pupil_id in record.pupil_ids:
            try:
                record._child_plans[pupil_id] = ChildPlan(plans[pupil_id])
            except ValueError:
                path = f"{reader.at('child_plans')}.{pupil_id}"
                raise InvalidRecordData(path, f"unknown plan {describe(plans[pupil_id])}") from None

        raw_answer = reader.data["social_worker"]
        record._social_worker = (
            None if raw_answer is None else SocialWorkerAnswer.from_dict(raw_answer, reader.at("social_worker"))
        )

        snapshot = reader.mapping("attendance_snapshot")
        try:
            _check_json(snapshot, "attendance_snapshot")
        except InvalidValue as error:
            raise converted(reader.at("attendance_snapshot"), error) from None
        record._snapshot = copy.deepcopy(snapshot)

        record._parent_views = reader.text("parent_views")
        record._barriers = {}
        for path, item in reader.items("barriers"):
            entry = BarrierNote.from_dict(item, path)
            if entry.barrier in record._barriers:
                raise InvalidRecordData(path, f"barrier {entry.barrier.value!r} appears twice")
            record._barriers[entry.barrier] = entry

        target = reader.optional_number("attendance_target")
        if target is not None and not 0 <= target <= 100:
            raise reader.fail("attendance_target", f"target {target} is not a percentage from 0 to 100")
        record._attendance_target = target
        record._next_step = reader.optional_enum("next_step", NextStep)
        record._next_step_note = reader.text("next_step_note")
        return record
