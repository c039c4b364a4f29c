"""Impact rows built from finalised records and did-not-attend slots.

An impact row describes one pupil's meeting with no name, no free text and
no date finer than a month (``sync/impact.py`` validates every field). This
module computes the facts of a row when its record is finalised, or its slot
marked did-not-attend, so that later imports of marks cannot change what the
row records about the time of the meeting. The pseudonym is left out here: it
needs the enrolment's key, so the sync service adds it when it seals the row.

A meeting gives one row per pupil of the family, each with its own random
impact id. A review adds a version to the rows of the meeting it reviews,
with attendance after the meeting and the review outcome.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.slots import FollowUpKind, Slot
from clinic_tui.services.attendance import AttendanceService
from sync.impact import YEAR_GROUPS, ActionCounts, ImpactRow

# Attendance before and after a meeting is measured over this many school weeks.
MEASURE_WEEKS = 6

# A change of attendance smaller than this, in tenths of a percent, counts as
# no change at review.
# NOTE: one percentage point is a chosen threshold, not a published one.
OUTCOME_THRESHOLD_PERMILLE = 10

BARRIER_CODES: dict[Barrier, str] = {
    Barrier.PHYSICAL_ILLNESS: "physical_health",
    Barrier.MENTAL_HEALTH: "mental_health",
    Barrier.SEN_NOT_MET: "send",
    Barrier.BULLYING: "bullying",
    Barrier.SCHOOL_BASED: "school_based",
    Barrier.TRANSITION: "transition",
    Barrier.FAMILY_CIRCUMSTANCES: "family_change",
    Barrier.YOUNG_CARER: "young_carer",
    Barrier.PARENTAL_HEALTH: "family_health",
    Barrier.HOUSING_MONEY: "housing_money",
    Barrier.TRANSPORT: "transport",
    Barrier.TERM_TIME_HOLIDAY: "holiday",
    Barrier.ROUTINES_SLEEP: "routine",
    Barrier.SAFEGUARDING: "safeguarding",
    Barrier.OTHER: "other",
}

NEXT_STEP_CODES: dict[NextStep, str] = {
    NextStep.MONITOR: "monitor",
    NextStep.REVIEW_MEETING: "review_meeting",
    NextStep.SUPPORT_PLAN: "support_plan",
    NextStep.ATTENDANCE_CONTRACT: "attendance_contract",
    NextStep.EARLY_HELP: "early_help",
    NextStep.SEND_REVIEW: "send_review",
    NextStep.ATTENDANCE_SERVICE: "attendance_service",
    NextStep.SAFEGUARDING_REFERRAL: "safeguarding_referral",
    NextStep.LEGAL_STEP: "legal_step",
}

CASE_CLOSED = "case_closed"

DID_NOT_ATTEND_CODES: dict[FollowUpKind, str] = {
    FollowUpKind.SEND_DNA_LETTER: "dna_letter",
    FollowUpKind.PHONE_AGAIN: "dna_phone",
    FollowUpKind.HOME_VISIT: "dna_home_visit",
    FollowUpKind.OTHER: "dna_other",
}

_ACTION_OWNERS: dict[OwnerType, str] = {
    OwnerType.PARENT_CARER: "parent_carer",
    OwnerType.PUPIL: "pupil",
    OwnerType.SCHOOL: "school",
    OwnerType.OTHER_AGENCY: "agency",
}


class ImpactRowError(ValueError):
    """A pupil's data cannot make a valid impact row (for example, no year group)."""


@dataclass(frozen=True)
class ImpactFacts:
    """Every field of one impact row version except the pseudonym, and the pupil it is about.

    ``pupil_id`` is the vault's internal id; it never leaves the laptop.
    """

    impact_id: str
    version: int
    pupil_id: str
    school_urn: str
    year_group: str
    month: str
    mode: str
    attended: bool
    views_captured: bool
    barriers: tuple[str, ...]
    actions: ActionCounts
    next_step: str
    attendance_before_permille: int | None
    persistent_before: bool
    severe_before: bool
    attendance_after_permille: int | None = None
    review_outcome: str | None = None

    def row(self, pseudonym: str) -> ImpactRow:
        """Return the impact row for these facts; ``ImpactRow`` validates every field."""
        values = {name: value for name, value in self.__dict__.items() if name != "pupil_id"}
        return ImpactRow(pseudonym=pseudonym, **values)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["barriers"] = list(self.barriers)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ImpactFacts:
        values = dict(data)
        values["barriers"] = tuple(values["barriers"])  # type: ignore[arg-type]
        values["actions"] = ActionCounts(**values["actions"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def new_impact_id() -> str:
    """Return a random impact id, so the id reveals nothing about the record or the pupil."""
    return str(uuid.uuid4())


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def action_counts(actions: tuple[Action, ...]) -> ActionCounts:
    counts = {owner: 0 for owner in _ACTION_OWNERS.values()}
    for action in actions:
        counts[_ACTION_OWNERS[action.owner]] += 1
    return ActionCounts(**counts)


def _permille(rate: Decimal | None) -> int | None:
    """Return a percentage with one decimal place in tenths of a percent."""
    if rate is None:
        return None
    return int((rate * 10).to_integral_value(rounding=ROUND_HALF_UP))


def attendance_before(attendance: AttendanceService, pupil_id: str, meeting: dt.date) -> tuple[int | None, bool, bool]:
    """Return attendance over the school weeks before the meeting's week, and persistent and severe absence.

    The rate covers the ``MEASURE_WEEKS`` school weeks before the week of the
    meeting. Persistent and severe absence use the academic year up to the
    day before the meeting, as the Department for Education measures them.
    """
    calendar = attendance.calendar()
    weeks = calendar.school_weeks_before(meeting, MEASURE_WEEKS)
    rate = None
    if weeks:
        window = attendance.measure(pupil_id, since=weeks[0].first_day, as_of=weeks[-1].last_day + dt.timedelta(days=1))
        rate = _permille(window.attendance_rate)

    year = attendance.measure(pupil_id, as_of=meeting)
    return rate, year.persistent_absence, year.severe_absence


def attendance_after(attendance: AttendanceService, pupil_id: str, meeting: dt.date, until: dt.date) -> int | None:
    """Return attendance over the school weeks after the meeting's week, up to the day before ``until``."""
    calendar = attendance.calendar()
    weeks = [week for week in calendar.school_weeks_after(meeting, MEASURE_WEEKS) if week.first_day < until]
    if not weeks:
        return None
    end = min(weeks[-1].last_day + dt.timedelta(days=1), until)
    return _permille(attendance.measure(pupil_id, since=weeks[0].first_day, as_of=end).attendance_rate)


def _year_group(pupil: Pupil, pupil_id: str) -> str:
    if pupil.year_group not in YEAR_GROUPS:
        # The year group may be blank in the MIS export; the message names the id only.
        raise ImpactRowError(
            f"pupil {pupil_id} has no valid year group, so no impact row can be made. "
            "Import the pupil list again with the year group filled in."
        )
    return pupil.year_group


def meeting_facts(
    record: MeetingRecord,
    school_urn: str,
    pupils: Mapping[str, Pupil],
    attendance: AttendanceService,
) -> list[ImpactFacts]:
    """Return version 1 of the facts of a finalised first meeting, one row per pupil, each with a new impact id."""
    barriers = tuple(sorted({BARRIER_CODES[note.barrier] for note in record.barriers}))
    if record.next_step is None:
        raise ImpactRowError(f"record {record.id} has no next step; finalise it before making its impact rows.")
    next_step = NEXT_STEP_CODES[record.next_step]
    views = record.pupil_views
    facts = []
    for pupil_id in record.pupil_ids:
        rate, persistent, severe = attendance_before(attendance, pupil_id, record.meeting_date)
        facts.append(
            ImpactFacts(
                impact_id=new_impact_id(),
                version=1,
                pupil_id=pupil_id,
                school_urn=school_urn,
                year_group=_year_group(pupils[pupil_id], pupil_id),
                month=month_of(record.meeting_date),
                mode=record.mode.value,
                attended=True,
                views_captured=pupil_id in views and views[pupil_id].captured,
                barriers=barriers,
                actions=action_counts(record.actions),
                next_step=next_step,
                attendance_before_permille=rate,
                persistent_before=persistent or severe,
                severe_before=severe,
            )
        )
    return facts


def review_facts(
    record: ReviewRecord,
    earlier: Mapping[str, ImpactFacts],
    pupils: Mapping[str, Pupil],
    attendance: AttendanceService,
    meeting_date: dt.date,
) -> list[ImpactFacts]:
    """Return the next version of each earlier row, with attendance after the meeting and the review outcome.

    ``earlier`` maps pupil id to the latest version of that pupil's row for
    the meeting under review, held on ``meeting_date``. Pupils with no
    earlier row get none.
    """
    facts = []
    for pupil_id in record.pupil_ids:
        previous = earlier.get(pupil_id)
        if previous is None:
            continue
        after = attendance_after(attendance, pupil_id, meeting_date, record.meeting_date)
        facts.append(
            replace(
                previous,
                version=previous.version + 1,
                attendance_after_permille=after,
                review_outcome=_review_outcome(pupils[pupil_id], record.meeting_date, previous, after),
                next_step=_review_next_step(record, previous.next_step),
            )
        )
    return facts


def _review_outcome(pupil: Pupil, reviewed_on: dt.date, previous: ImpactFacts, after: int | None) -> str | None:
    if pupil.leaving_date is not None and pupil.leaving_date <= reviewed_on:
        return "left_school"
    before = previous.attendance_before_permille
    if before is None or after is None:
        return None
    if after - before >= OUTCOME_THRESHOLD_PERMILLE:
        return "improved"
    if before - after >= OUTCOME_THRESHOLD_PERMILLE:
        return "declined"
    return "no_change"


def _review_next_step(record: ReviewRecord, previous: str) -> str:
    if record.outcome is ReviewOutcome.CLOSE:
        return CASE_CLOSED
    if record.outcome is ReviewOutcome.ESCALATE and record.escalate_to is not None:
        return NEXT_STEP_CODES[record.escalate_to]
    return previous


def did_not_attend_facts(
    slot: Slot,
    meeting: dt.date,
    school_urn: str,
    follow_up: FollowUpKind,
    pupils: Mapping[str, Pupil],
    attendance: AttendanceService,
) -> list[ImpactFacts]:
    """Return the facts of a did-not-attend slot, one row per pupil of the family."""
    facts = []
    for pupil_id in slot.family:
        rate, persistent, severe = attendance_before(attendance, pupil_id, meeting)
        facts.append(
            ImpactFacts(
                impact_id=new_impact_id(),
                version=1,
                pupil_id=pupil_id,
                school_urn=school_urn,
                year_group=_year_group(pupils[pupil_id], pupil_id),
                month=month_of(meeting),
                mode=slot.mode.value,
                attended=False,
                views_captured=False,
                barriers=(),
                actions=ActionCounts(),
                next_step=DID_NOT_ATTEND_CODES[follow_up],
                attendance_before_permille=rate,
                persistent_before=persistent or severe,
                severe_before=severe,
            )
        )
    return facts

