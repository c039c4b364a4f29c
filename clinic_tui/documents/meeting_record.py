"""The formal record of a finalised attendance meeting, for the school's file.

The sections follow the meeting's steps, then safeguarding, addenda and the
record's identity. The wording is fixed rather than templated, because the
record is evidence and every copy must carry the same sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from clinic_tui.documents.blocks import Block, BulletList, Heading, Paragraph, RenderedDocument, Table
from clinic_tui.documents.errors import DocumentError
from clinic_tui.domain.actions import ActionBalance
from clinic_tui.domain.checks import format_date, format_short_date
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerContact

TITLE = "Attendance meeting record"
NOT_RECORDED = "Not recorded."


def _at(moment: dt.datetime) -> str:
    return f"{moment:%H:%M} on {format_date(moment.date())}"


def _at_short(moment: dt.datetime) -> str:
    """Format a time for a table cell, where the long date would wrap over three lines."""
    return f"{moment:%H:%M} on {format_short_date(moment)}"


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def _paragraphs(text: str, empty: str = NOT_RECORDED) -> list[Block]:
    """Split free text at line breaks, so each line the officer typed stays a paragraph."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [Paragraph(line) for line in lines] or [Paragraph(empty)]


class _Names:
    def __init__(self, names: Mapping[str, str] | None) -> None:
        self._names = dict(names or {})

    def __call__(self, pupil_id: str) -> str:
        return self._names.get(pupil_id) or f"Pupil {pupil_id}"

    def knows(self, key: str) -> bool:
        return key in self._names


def _summary(record: MeetingRecord, name: _Names, school_name: str, organisation_name: str) -> list[Block]:
    assert record.finalised_at is not None
    rows = []
    if school_name:
        rows.append(("School", school_name))
    if organisation_name:
        rows.append(("Organisation", organisation_name))
    rows += [
        ("Pupils" if len(record.pupil_ids) > 1 else "Pupil", ", ".join(name(pupil) for pupil in record.pupil_ids)),
        ("Meeting", f"{_at(record.created_at)}, {record.mode.label}"),
        ("Recorded by", record.author),
        ("Finalised", _at(record.finalised_at)),
        ("Record id", record.id),
        ("Version", f"{record.version} ({len(record.addenda)} addenda)"),
    ]
    return [Heading(TITLE), Table(tuple(rows))]


def _attendees(record: MeetingRecord) -> list[Block]:
    blocks: list[Block] = [Heading("Who was present", 2)]
    rows = [("Name", "Role", "Joined")]
    for attendee in record.attendees:
        rows.append((attendee.name, attendee.role_label, "On the line" if attendee.on_line else "In the room"))
    blocks.append(Table(tuple(rows), header=True))

    if record.mode.is_remote:
        blocks.append(Paragraph(f"Everyone on the line confirmed who was present: {_yes_no(record.line_confirmed)}."))
    return blocks


def _information_sharing(record: MeetingRecord, name: _Names) -> list[Block]:
    blocks: list[Block] = [Heading("Information sharing", 2), *_paragraphs(record.information_statement)]
    blocks.append(Paragraph(f"Everyone present understood the statement: {_yes_no(record.sharing_confirmed)}."))

    plans = [
        f"{name(pupil_id)} has a {plan.label}."
        for pupil_id, plan in record.child_plans.items()
        if plan is not ChildPlan.NONE
    ]
    if plans:
        blocks.append(BulletList(tuple(plans)))

    answer = record.social_worker
    if answer is not None and answer.contact is SocialWorkerContact.PRESENT:
        blocks.append(Paragraph("The social worker was present."))
    elif answer is not None and answer.contact is SocialWorkerContact.WILL_BE_INFORMED and answer.informed_on:
        blocks.append(
            Paragraph(f"{answer.informed_by} will inform the social worker by {format_date(answer.informed_on)}.")
        )
    return blocks


def _measure_value(value: object) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _measure_label(key: str, name: _Names) -> str:
    if name.knows(key):
        return name(key)
    label = key.replace("_", " ").strip()
    return label[:1].upper() + label[1:]


def _flatten(value: object, label: str, name: _Names) -> list[tuple[str, str]]:
    """Turn nested snapshot data into (measure, value) rows, joining nested labels with a colon."""
    if isinstance(value, Mapping):
        rows = []
        for key, item in value.items():
            child = _measure_label(str(key), name)
            rows.extend(_flatten(item, f"{label}: {child}" if label else child, name))
        return rows

    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value, start=1):
            rows.extend(_flatten(item, f"{label} {index}", name))
        return rows

    return [(label, _measure_value(value))]


def _snapshot(record: MeetingRecord, name: _Names) -> list[Block]:
    rows = _flatten(record.attendance_snapshot, "", name)
    if not rows:
        return [Heading("Attendance snapshot", 2), Paragraph("No attendance figures were stored with the record.")]
    return [Heading("Attendance snapshot", 2), Table((("Measure", "Value"), *rows), header=True)]


def _views(record: MeetingRecord, name: _Names) -> list[Block]:
    blocks: list[Block] = [Heading("The pupil's views", 2)]
    stored = record.pupil_views
    for pupil_id in record.pupil_ids:
        views = stored.get(pupil_id)
        if views is None:
            blocks.append(Paragraph(f"{name(pupil_id)}: {NOT_RECORDED}"))
        elif views.captured:
            blocks.append(Paragraph(f"{name(pupil_id)}, in their own words:"))
            blocks.extend(_paragraphs(views.words))
        else:
            blocks.append(Paragraph(f"{name(pupil_id)}: views not captured at the meeting."))
            blocks.append(
                BulletList(
                    (
                        f"Reason: {views.not_captured_reason}",
                        f"How they will be gathered: {views.capture_plan}",
                        f"Who will gather them: {views.capture_by}",
                    )
                )
            )

    blocks.append(Heading("The parent or carer's views", 2))
    blocks.extend(_paragraphs(record.parent_views))
    return blocks


def _barriers_and_actions(record: MeetingRecord) -> list[Block]:
    blocks: list[Block] = [Heading("Barriers to attendance", 2)]
    if record.barriers:
        rows = [("Barrier", "Notes")] + [(entry.barrier.label, entry.notes or "None") for entry in record.barriers]
        blocks.append(Table(tuple(rows), header=True))
    else:
        blocks.append(Paragraph("No barriers were chosen."))

    blocks.append(Heading("Agreed actions", 2))
    if record.actions:
        rows = [("Owner", "Role", "What", "Due")]
        for action in record.actions:
            rows.append((action.owner.label.capitalize(), action.role, action.description, format_date(action.due)))
        blocks.append(Table(tuple(rows), header=True))
    else:
        blocks.append(Paragraph("No actions were agreed."))

    balance = record.action_balance
    if balance.is_one_sided:
        side = "the family" if balance is ActionBalance.FAMILY_ONLY else "the school or other agencies"
        reason = record.one_sided_reason or NOT_RECORDED
        blocks.append(Paragraph(f"Every action falls on {side}. Reason recorded: {reason}"))
    return blocks


def _review_and_next_step(record: MeetingRecord) -> list[Block]:
    review_date = format_date(record.review_date) if record.review_date else NOT_RECORDED
    target = "None set" if record.attendance_target is None else f"{record.attendance_target:g}%"
    blocks: list[Block] = [
        Heading("Review", 2),
        Table((("Review date", review_date), ("Attendance target", target))),
        Heading("Next step", 2),
        Paragraph(record.next_step.label if record.next_step else NOT_RECORDED),
    ]
    if record.next_step_note.strip():
        blocks.extend(_paragraphs(record.next_step_note))
    return blocks


def _safeguarding(record: MeetingRecord) -> list[Block]:
    concerns = record.concerns
    blocks: list[Block] = [
        Heading("Safeguarding", 2),
        Paragraph(f"Safeguarding concern raised: {_yes_no(record.flagged)}."),
    ]
    if concerns:
        rows = [("Raised", "By", "At step", "Concern", "DSL informed")]
        for concern in concerns:
            informed = _at_short(concern.dsl_informed_at) if concern.dsl_informed_at else "Not yet"
            step = concern.step.value.replace("_", " ").capitalize()
            rows.append((_at_short(concern.raised_at), concern.raised_by, step, concern.note, informed))
        blocks.append(Table(tuple(rows), header=True))
    return blocks


def _addenda(record: MeetingRecord) -> list[Block]:
    blocks: list[Block] = [Heading("Addenda", 2)]
    if not record.addenda:
        blocks.append(Paragraph("No addenda. The record is as finalised."))
        return blocks

    rows = [("Version", "Added", "Author", "Reason", "Text")]
    for addendum in record.addenda:
        text = addendum.text
        if addendum.concern is not None:
            informed = _at_short(addendum.concern.dsl_informed_at) if addendum.concern.dsl_informed_at else "not yet"
            text += f" Concern: {addendum.concern.note} (DSL informed: {informed})."
        rows.append((str(addendum.version), _at_short(addendum.at), addendum.author, addendum.reason, text))
    blocks.append(Table(tuple(rows), header=True))
    return blocks


def render_meeting_record(
    record: MeetingRecord | Mapping[str, object],
    *,
    pupil_names: Mapping[str, str] | None = None,
    school_name: str = "",
    organisation_name: str = "",
) -> RenderedDocument:
    """Build the formal record of a finalised meeting, from the record or its ``to_dict()``.

    ``pupil_names`` maps pupil ids to names, and a pupil without a name is
    shown by id. Raises InvalidRecordData for stored data that does not load,
    and DocumentError for a record that is not finalised yet.
    """
    if isinstance(record, Mapping):
        record = MeetingRecord.from_dict(record)
    if not isinstance(record, MeetingRecord):
        raise DocumentError(f"render_meeting_record takes a MeetingRecord or its dict, got {type(record).__name__}.")
    if not record.is_finalised:
        raise DocumentError(
            f"meeting record {record.id} is not finalised, so it cannot go on the school's file. "
            "Finalise it first."
        )

    name = _Names(pupil_names)
    blocks = [
        *_summary(record, name, school_name, organisation_name),
        *_attendees(record),
        *_information_sharing(record, name),
        *_snapshot(record, name),
        *_views(record, name),
        *_barriers_and_actions(record),
        *_review_and_next_step(record),
        *_safeguarding(record),
        *_addenda(record),
    ]
    footer = f"{TITLE} {record.id}, version {record.version}"
    return RenderedDocument(title=TITLE, blocks=tuple(blocks), footer=footer)
