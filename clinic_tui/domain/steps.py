"""The steps of a first attendance meeting and of a review meeting, in order.

Step ids are stable: they are stored with missing items and safeguarding
concerns, so renaming one would break stored records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from clinic_tui.domain.attendees import Mode


class StepId(str, Enum):
    ATTENDEES = "attendees"
    INFORMATION_SHARING = "information_sharing"
    ATTENDANCE = "attendance"
    EARLIER_ACTIONS = "earlier_actions"
    PUPIL_VIEWS = "pupil_views"
    PARENT_VIEWS = "parent_views"
    BARRIERS = "barriers"
    ACTIONS = "actions"
    REVIEW_DATE = "review_date"
    NEXT_STEP = "next_step"
    READ_BACK = "read_back"


@dataclass(frozen=True)
class Step:
    """One step of a meeting, with the title and prompt shown to the officer."""

    id: StepId
    number: int
    title: str
    prompt: str


_ATTENDEES_IN_PERSON = (
    "Introduce yourself and say why you are meeting. "
    "Record everyone in the room with their name and role."
)
_ATTENDEES_REMOTE = (
    "Read out who is present at school. Ask each person on the line to give "
    "their name and role, record them, then confirm the list with everyone."
)
_PUPIL_VIEWS = (
    "Record what the pupil says, in their own words. If you could not hear "
    "their views, record why, and how and by whom they will be gathered."
)
_READ_BACK = (
    "Read the record back to everyone present and correct anything they dispute. "
    "Then finalise it."
)

_MEETING_STEPS: tuple[tuple[StepId, str, str], ...] = (
    (StepId.ATTENDEES, "Who is in the room", ""),
    (
        StepId.INFORMATION_SHARING,
        "Information sharing",
        "Read the information sharing statement and check that everyone understands it. "
        "If a pupil has a child in need or child protection plan, record whether their "
        "social worker is here, or who will inform them and when.",
    ),
    (
        StepId.ATTENDANCE,
        "Attendance picture",
        "Go through the attendance figures with the family. "
        "The figures are stored with the record and cannot be changed here.",
    ),
    (StepId.PUPIL_VIEWS, "The pupil's views", _PUPIL_VIEWS),
    (
        StepId.PARENT_VIEWS,
        "The parent or carer's views",
        "Record what the parent or carer says about attendance and what would help.",
    ),
    (
        StepId.BARRIERS,
        "Barriers to attendance",
        "Choose each barrier that the family or school describes, and add a note for each.",
    ),
    (
        StepId.ACTIONS,
        "Agreed actions",
        "Agree what the family and the school will each do, who will do it and by when. "
        "If every action falls on one side, record why.",
    ),
    (
        StepId.REVIEW_DATE,
        "Review date and target",
        "Set the review date, six school weeks ahead unless agreed otherwise, "
        "and the attendance target.",
    ),
    (StepId.NEXT_STEP, "Next step", "Choose the next step and explain it to the family."),
    (StepId.READ_BACK, "Read back and finalise", _READ_BACK),
)

_REVIEW_STEPS: tuple[tuple[StepId, str, str], ...] = (
    (StepId.ATTENDEES, "Who is in the room", ""),
    (
        StepId.EARLIER_ACTIONS,
        "Actions from the last meeting",
        "Go through each action agreed last time. Mark it done, partly done or "
        "not done, with a note.",
    ),
    (
        StepId.ATTENDANCE,
        "Attendance since the last meeting",
        "Compare attendance before the last meeting with attendance since.",
    ),
    (StepId.PUPIL_VIEWS, "The pupil's views", _PUPIL_VIEWS),
    (
        StepId.ACTIONS,
        "New actions",
        "Unless you are closing the case, agree what the family and the school will "
        "each do next, who will do it and by when.",
    ),
    (
        StepId.REVIEW_DATE,
        "Next review date",
        "Unless you are closing the case, set the date of the next review.",
    ),
    (
        StepId.NEXT_STEP,
        "Outcome",
        "Decide whether to close the case, continue support or escalate, and explain why.",
    ),
    (StepId.READ_BACK, "Read back and finalise", _READ_BACK),
)


def _build(table: tuple[tuple[StepId, str, str], ...], mode: Mode) -> tuple[Step, ...]:
    steps = []
    for number, (step_id, title, prompt) in enumerate(table, start=1):
        if step_id is StepId.ATTENDEES:
            prompt = _ATTENDEES_REMOTE if mode.is_remote else _ATTENDEES_IN_PERSON
        steps.append(Step(step_id, number, title, prompt))
    return tuple(steps)


def meeting_steps(mode: Mode) -> tuple[Step, ...]:
    """Return the ten steps of a first meeting, with the attendee prompt for ``mode``."""
    return _build(_MEETING_STEPS, mode)


def review_steps(mode: Mode) -> tuple[Step, ...]:
    """Return the steps of a review meeting, with the attendee prompt for ``mode``."""
    return _build(_REVIEW_STEPS, mode)
