"""The checks that decide whether a meeting or review record can be finalised.

Each check returns every missing item it finds, so the officer gets the
whole list at once rather than one problem per attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_tui.domain.actions import ActionBalance
from clinic_tui.domain.steps import StepId

if TYPE_CHECKING:
    from clinic_tui.domain.record import BaseRecord


@dataclass(frozen=True)
class MissingItem:
    """Something a record needs before it can be finalised, with the step where it belongs."""

    step: StepId
    message: str


def missing_attendees(record: BaseRecord) -> list[MissingItem]:
    """Require at least one attendee, and a confirmed list on video or phone."""
    items = []
    if not record.attendees:
        items.append(
            MissingItem(StepId.ATTENDEES, "Record at least one person at the meeting, with their name and role.")
        )

    if record.mode.is_remote and not record.line_confirmed:
        items.append(
            MissingItem(
                StepId.ATTENDEES,
                "Confirm who is on the line. Read out who is present at school and "
                "check the list with everyone on the call.",
            )
        )
    return items


def missing_pupil_views(record: BaseRecord) -> list[MissingItem]:
    """Require the views, or the reason they were not captured, of every pupil on the record."""
    items = []
    recorded = record.pupil_views
    for pupil_id in record.pupil_ids:
        if pupil_id in recorded:
            continue

        whose_views = "the pupil's views" if len(record.pupil_ids) == 1 else f"the views of pupil {pupil_id}"
        items.append(
            MissingItem(
                StepId.PUPIL_VIEWS,
                f"Record {whose_views} in their own words, or why they could not be captured "
                "and how and by whom they will be.",
            )
        )
    return items


def missing_actions(record: BaseRecord) -> list[MissingItem]:
    """Require at least one action, and a reason when all actions fall on one side."""
    balance = record.action_balance
    if balance is ActionBalance.NONE:
        return [MissingItem(StepId.ACTIONS, "Agree at least one action, with who will do it and by when.")]

    if balance.is_one_sided and not record.one_sided_reason.strip():
        side = "the family" if balance is ActionBalance.FAMILY_ONLY else "the school or other agencies"
        return [
            MissingItem(
                StepId.ACTIONS,
                f"Every action falls on {side}. Add an action for the other side, or record why there is none.",
            )
        ]

    return []


def in_step_order(items: list[MissingItem], order: Sequence[StepId]) -> list[MissingItem]:
    """Return the items sorted by the position of their step, keeping the order within a step."""
    position = {step: index for index, step in enumerate(order)}
    return sorted(items, key=lambda item: position[item.step])
