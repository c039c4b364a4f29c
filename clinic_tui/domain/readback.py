"""Plain-text read-back of a meeting or review record, in sections the UI can show.

The officer reads the record back to everyone present before finalising it,
so the wording is plain UK English and every date is written out in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from clinic_tui.domain.actions import Action, one_sided_warning
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.checks import format_date
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import ReviewOutcome
from clinic_tui.domain.record import BaseRecord
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerContact
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews

NOT_RECORDED = "Not recorded yet."


@dataclass(frozen=True)
class ReadBackSection:
    """One titled block of the read-back.

    ``key`` is a step id value, or "safeguarding", "addenda" or "status" for
    the sections that do not belong to one step.
    """

    key: str
    title: str
    lines: tuple[str, ...]


def _at(moment: dt.datetime) -> str:
    return f"{moment:%H:%M} on {format_date(moment.date())}"


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


class _Names:
    """Pupil display names, falling back to the id when no name is given."""

    def __init__(self, names: Mapping[str, str] | None) -> None:
        self._names = dict(names or {})

    def __call__(self, pupil_id: str) -> str:
        return self._names.get(pupil_id) or f"pupil {pupil_id}"


def _attendees(record: BaseRecord) -> ReadBackSection:
    mode_phrase = "in person" if record.mode is Mode.IN_PERSON else f"by {record.mode.label}"
    lines = [f"Meeting held {mode_phrase} at {_at(record.created_at)}, recorded by {record.author}."]

    for attendee in record.attendees:
        where = " (on the line)" if attendee.on_line else ""
        lines.append(f"- {attendee.name}, {attendee.role_label}{where}")
    if not record.attendees:
        lines.append(NOT_RECORDED)

    if record.mode.is_remote:
        lines.append(f"Everyone on the line confirmed who is present: {_yes_no(record.line_confirmed)}.")

    return ReadBackSection(StepId.ATTENDEES.value, "Who is in the room", tuple(lines))


def _views_lines(views: PupilViews | None) -> list[str]:
    if views is None:
        return [f"  {NOT_RECORDED}"]
    if views.captured:
        return [f"  In their words: {views.words}"]
    return [
        f"  Views not captured because: {views.not_captured_reason}",
        f"  How they will be gathered: {views.capture_plan}",
        f"  Who will gather them: {views.capture_by}",
    ]


def _pupil_views(record: BaseRecord, name: _Names) -> ReadBackSection:
    lines: list[str] = []
    stored = record.pupil_views
    for pupil_id in record.pupil_ids:
        lines.append(f"{name(pupil_id)}:")
        lines.extend(_views_lines(stored.get(pupil_id)))
    return ReadBackSection(StepId.PUPIL_VIEWS.value, "The pupil's views", tuple(lines))


def _action_line(action: Action) -> str:
    return f"- {action.owner.label.capitalize()} ({action.role}): {action.description}. Due {format_date(action.due)}."


def _actions(record: BaseRecord, title: str) -> ReadBackSection:
    lines = [_action_line(action) for action in record.actions]
    if not lines:
        lines.append("No actions agreed.")

    warning = one_sided_warning(record.action_balance)
    if warning is not None:
        lines.append(warning)
        lines.append(f"Reason: {record.one_sided_reason or NOT_RECORDED}")

    return ReadBackSection(StepId.ACTIONS.value, title, tuple(lines))


def _snapshot_lines(value: object, indent: str) -> list[str]:
    if isinstance(value, Mapping):
        lines = []
        for key, item in value.items():
            if isinstance(item, (Mapping, list)):
                lines.append(f"{indent}{key}:")
                lines.extend(_snapshot_lines(item, indent + "  "))
            else:
                lines.append(f"{indent}{key}: {item}")
        return lines

    if isinstance(value, list):
        return [line for item in value for line in _snapshot_lines(item, indent + "- ")]

    return [f"{indent}{value}"]


def _safeguarding(record: BaseRecord) -> ReadBackSection | None:
    if not record.concerns:
        return None

    lines = []
    for concern in record.concerns:
        step = concern.step.value.replace("_", " ")
        dsl_status = "DSL not informed yet."
        if concern.dsl_informed_at is not None:
            dsl_status = f"DSL informed at {_at(concern.dsl_informed_at)}."
        lines.append(f"- Raised at {_at(concern.raised_at)} by {concern.raised_by}, at the {step} step.")
        lines.append(f"  {concern.note}")
        lines.append(f"  {dsl_status}")
    return ReadBackSection("safeguarding", "Safeguarding concerns", tuple(lines))


def _addenda(record: BaseRecord) -> ReadBackSection | None:
    if not record.addenda:
        return None

    lines = []
    for addendum in record.addenda:
        lines.append(f"Version {addendum.version}, {_at(addendum.at)}, by {addendum.author}.")
        lines.append(f"  Reason: {addendum.reason}")
        lines.append(f"  {addendum.text}")
    return ReadBackSection("addenda", "Addenda", tuple(lines))


def _status(record: BaseRecord) -> ReadBackSection:
    if record.finalised_at is None:
        line = f"Draft, not finalised. Record {record.id}, version {record.version}."
    else:
        line = (
            f"Finalised at {_at(record.finalised_at)} by {record.author}. "
            f"Record {record.id}, version {record.version}."
        )
    return ReadBackSection("status", "Record status", (line,))


def _meeting_sections(record: MeetingRecord, name: _Names) -> list[ReadBackSection]:
    sharing = [record.information_statement, f"Understood by everyone present: {_yes_no(record.sharing_confirmed)}."]
    for pupil_id, plan in record.child_plans.items():
        if plan is not ChildPlan.NONE:
            sharing.append(f"{name(pupil_id)} has a {plan.label}.")
    answer = record.social_worker
    if answer is not None:
        if answer.contact is SocialWorkerContact.PRESENT:
            sharing.append("The social worker is present.")
        elif answer.contact is SocialWorkerContact.WILL_BE_INFORMED and answer.informed_on is not None:
            sharing.append(
                f"The social worker will be informed by {answer.informed_by} on {format_date(answer.informed_on)}."
            )
        else:
            sharing.append("Social worker: not applicable, no pupil has a plan.")

    snapshot = _snapshot_lines(record.attendance_snapshot, "") or ["No attendance figures were stored."]
    barriers = []
    for entry in record.barriers:
        notes = f": {entry.notes}" if entry.notes.strip() else ""
        barriers.append(f"- {entry.barrier.label}{notes}")

    review_date = format_date(record.review_date) if record.review_date else NOT_RECORDED
    target = "none set" if record.attendance_target is None else f"{record.attendance_target:g}%"
    review = [f"Review date: {review_date}", f"Attendance target: {target}"]
    next_step = [record.next_step.label if record.next_step else NOT_RECORDED]
    if record.next_step_note:
        next_step.append(record.next_step_note)

    return [
        _attendees(record),
        ReadBackSection(StepId.INFORMATION_SHARING.value, "Information sharing", tuple(sharing)),
        ReadBackSection(StepId.ATTENDANCE.value, "Attendance picture", tuple(snapshot)),
        _pupil_views(record, name),
        ReadBackSection(
            StepId.PARENT_VIEWS.value, "The parent or carer's views", (record.parent_views or NOT_RECORDED,)
        ),
        ReadBackSection(StepId.BARRIERS.value, "Barriers to attendance", tuple(barriers or ["None chosen."])),
        _actions(record, "Agreed actions"),
        ReadBackSection(StepId.REVIEW_DATE.value, "Review date and target", tuple(review)),
        ReadBackSection(StepId.NEXT_STEP.value, "Next step", tuple(next_step)),
    ]


def _review_sections(record: ReviewRecord, name: _Names) -> list[ReadBackSection]:
    earlier = []
    outcomes = record.action_outcomes
    for action in record.earlier_actions:
        earlier.append(_action_line(action))
        outcome = outcomes.get(action.id)
        if outcome is None:
            earlier.append(f"  {NOT_RECORDED}")
        else:
            note = f" {outcome.note}" if outcome.note else ""
            earlier.append(f"  {outcome.status.label.capitalize()}.{note}")
    if not earlier:
        earlier.append("No actions were agreed at the last meeting.")

    def percent(value: float | None) -> str:
        return NOT_RECORDED if value is None else f"{value:g}%"

    attendance = (
        f"Before the last meeting: {percent(record.attendance_before)}",
        f"Since the last meeting: {percent(record.attendance_after)}",
    )
    if record.review_date is not None:
        review = (f"Next review: {format_date(record.review_date)}",)
    elif record.outcome is ReviewOutcome.CLOSE:
        review = ("No next review: the case is closed.",)
    else:
        review = (f"Next review: {NOT_RECORDED}",)

    outcome_lines = [record.outcome.label if record.outcome else NOT_RECORDED]
    if record.escalate_to is not None:
        outcome_lines[0] += f": {record.escalate_to.label}"
    if record.outcome_note:
        outcome_lines.append(record.outcome_note)

    return [
        _attendees(record),
        ReadBackSection(StepId.EARLIER_ACTIONS.value, "Actions from the last meeting", tuple(earlier)),
        ReadBackSection(StepId.ATTENDANCE.value, "Attendance since the last meeting", attendance),
        _pupil_views(record, name),
        _actions(record, "New actions"),
        ReadBackSection(StepId.REVIEW_DATE.value, "Next review date", review),
        ReadBackSection(StepId.NEXT_STEP.value, "Outcome", tuple(outcome_lines)),
    ]


def read_back(record: BaseRecord, pupil_names: Mapping[str, str] | None = None) -> list[ReadBackSection]:
    """Render the whole record as plain-text sections in step order.

    ``pupil_names`` maps pupil ids to the names to read out, and pupils
    without a name are shown by id. Concerns, addenda and the record status
    follow the steps.
    """
    name = _Names(pupil_names)
    if isinstance(record, MeetingRecord):
        sections = _meeting_sections(record, name)
    elif isinstance(record, ReviewRecord):
        sections = _review_sections(record, name)
    else:
        raise TypeError(f"read_back takes a MeetingRecord or ReviewRecord, got {type(record).__name__}.")

    for extra in (_safeguarding(record), _addenda(record)):
        if extra is not None:
            sections.append(extra)
    sections.append(_status(record))
    return sections


def render_read_back(sections: list[ReadBackSection]) -> str:
    """Join sections into one plain-text document with a title line above each."""
    blocks = []
    for section in sections:
        blocks.append("\n".join((section.title, "-" * len(section.title), *section.lines)))
    return "\n\n".join(blocks) + "\n"
