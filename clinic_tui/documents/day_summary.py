"""An anonymised summary of one day of meetings, for the officer's manager.

The summary contains counts only: no names, notes, free text, pupil ids or
times, so it can be shared beyond the people who run the meetings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clinic_tui.documents.blocks import Block, Heading, Paragraph, RenderedDocument, Table
from clinic_tui.documents.errors import DocumentError
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.checks import format_date, format_short_date
from clinic_tui.domain.day import ClinicDay
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ReviewRecord
from clinic_tui.domain.slots import SlotStatus

AnyRecord = MeetingRecord | ReviewRecord


@dataclass(frozen=True)
class DaySummary:
    """Counts for one day.

    ``slots_planned`` counts every slot booked on the day, including slots
    later rearranged, so a family moved to a later time on the same day
    counts twice. ``not_held_yet`` counts slots still planned or in progress.
    """

    date: dt.date
    slots_planned: int
    attended: int
    did_not_attend: int
    rearranged: int
    skipped: int
    not_held_yet: int
    meeting_records: int
    review_records: int
    records_finalised: int
    views_captured: int
    views_not_captured: int
    views_not_recorded: int
    barriers: dict[Barrier, int]
    next_steps: dict[NextStep, int]
    review_outcomes: dict[ReviewOutcome, int]
    concerns_raised: int
    concerns_dsl_informed: int


def _load(record: AnyRecord | Mapping[str, object], position: int) -> AnyRecord:
    if isinstance(record, (MeetingRecord, ReviewRecord)):
        return record
    if isinstance(record, Mapping):
        if record.get("record_type") == ReviewRecord.RECORD_TYPE:
            return ReviewRecord.from_dict(record)
        return MeetingRecord.from_dict(record)
    raise DocumentError(
        f"record {position + 1} must be a MeetingRecord, a ReviewRecord or its dict, got {type(record).__name__}."
    )


def summarise_day(day: ClinicDay, records: Iterable[AnyRecord | Mapping[str, object]]) -> DaySummary:
    """Count the day's slots and what its meeting and review records show.

    Raises DocumentError for a record linked to a slot that is not on
    ``day``, because counting it would mix two days.
    """
    loaded = [_load(record, position) for position, record in enumerate(records)]
    slot_ids = {slot.id for slot in day.slots}
    for record in loaded:
        if record.slot_id is not None and record.slot_id not in slot_ids:
            raise DocumentError(
                f"record {record.id} belongs to slot {record.slot_id}, which is not on the day of "
                f"{format_short_date(day.date)}. Pass only that day's records."
            )

    statuses = Counter(slot.status for slot in day.slots)
    meetings = [record for record in loaded if isinstance(record, MeetingRecord)]
    reviews = [record for record in loaded if isinstance(record, ReviewRecord)]

    captured = not_captured = not_recorded = 0
    for record in loaded:
        views = record.pupil_views
        for pupil_id in record.pupil_ids:
            if pupil_id not in views:
                not_recorded += 1
            elif views[pupil_id].captured:
                captured += 1
            else:
                not_captured += 1

    barriers = Counter(entry.barrier for record in meetings for entry in record.barriers)
    next_steps = Counter(record.next_step for record in meetings if record.next_step is not None)
    outcomes = Counter(record.outcome for record in reviews if record.outcome is not None)
    concerns = [concern for record in loaded for concern in record.concerns]

    return DaySummary(
        date=day.date,
        slots_planned=len(day.slots),
        attended=statuses[SlotStatus.FINISHED],
        did_not_attend=statuses[SlotStatus.DID_NOT_ATTEND],
        rearranged=statuses[SlotStatus.REARRANGED],
        skipped=statuses[SlotStatus.SKIPPED],
        not_held_yet=statuses[SlotStatus.PLANNED] + statuses[SlotStatus.IN_PROGRESS],
        meeting_records=len(meetings),
        review_records=len(reviews),
        records_finalised=sum(record.is_finalised for record in loaded),
        views_captured=captured,
        views_not_captured=not_captured,
        views_not_recorded=not_recorded,
        barriers={barrier: barriers[barrier] for barrier in Barrier},
        next_steps={step: next_steps[step] for step in NextStep},
        review_outcomes={outcome: outcomes[outcome] for outcome in ReviewOutcome},
        concerns_raised=len(concerns),
        concerns_dsl_informed=sum(concern.dsl_informed for concern in concerns),
    )


def _count_table(heading: str, rows: list[tuple[str, int]]) -> Table:
    return Table(((heading, "Count"), *((label, str(count)) for label, count in rows)), header=True)


def render_day_summary(day: ClinicDay, records: Iterable[AnyRecord | Mapping[str, object]]) -> RenderedDocument:
    """Build the anonymised summary of ``day`` from its slots and records. See ``summarise_day``."""
    summary = summarise_day(day, records)
    title = f"Summary of attendance meetings on {format_date(summary.date)}"

    blocks: list[Block] = [
        Heading(title),
        Paragraph("Counts only. This summary holds no names, notes or other details that identify a family."),
        Heading("Meetings", 2),
        _count_table(
            "Slots",
            [
                ("Slots planned", summary.slots_planned),
                ("Attended", summary.attended),
                ("Did not attend", summary.did_not_attend),
                ("Rearranged", summary.rearranged),
                ("Skipped", summary.skipped),
                ("Not held yet", summary.not_held_yet),
            ],
        ),
        _count_table(
            "Records",
            [
                ("First meeting records", summary.meeting_records),
                ("Review records", summary.review_records),
                ("Records finalised", summary.records_finalised),
            ],
        ),
        Heading("The pupil's views", 2),
        _count_table(
            "Pupils",
            [
                ("Views captured in their own words", summary.views_captured),
                ("Views not captured, with the reason recorded", summary.views_not_captured),
                ("Views not recorded yet", summary.views_not_recorded),
            ],
        ),
        Heading("Barriers by type", 2),
        _count_table("Barrier", [(barrier.label, count) for barrier, count in summary.barriers.items()]),
        Heading("Next steps by type", 2),
        _count_table("Next step", [(step.label, count) for step, count in summary.next_steps.items()]),
    ]

    if summary.review_records:
        blocks.append(Heading("Review outcomes", 2))
        blocks.append(
            _count_table("Outcome", [(outcome.label, count) for outcome, count in summary.review_outcomes.items()])
        )

    blocks.append(Heading("Safeguarding", 2))
    blocks.append(
        _count_table(
            "Concerns",
            [
                ("Safeguarding concerns raised", summary.concerns_raised),
                ("DSL informed", summary.concerns_dsl_informed),
                ("DSL not informed yet", summary.concerns_raised - summary.concerns_dsl_informed),
            ],
        )
    )
    return RenderedDocument(title=title, blocks=tuple(blocks))
