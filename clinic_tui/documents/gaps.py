"""Details each letter kind needs, checked across a whole batch before anything is generated.

| Kind            | Needs, besides a carer's name and the officer's telephone |
|-----------------|------------------------------------------------------------|
| invitation      | a telephone number or address for the family; ``meeting`` |
| rearranged      | a telephone number or address for the family; ``meeting`` |
| did_not_attend  | a telephone number or address for the family; ``meeting`` |
| meeting_summary | ``meeting`` (the one held), an action, ``review_date``     |

Every kind needs at least one pupil, a parent or carer with a name to
address, and the officer's telephone number, because each letter gives a
contact name and number. A meeting offered in person needs a place (so
does ``offered_meeting``, when a did_not_attend letter offers one). A
carer who needs an interpreter needs a language, because the letter names
the language it offers.
"""

from __future__ import annotations

from collections.abc import Iterable

from clinic_tui.domain.attendees import Mode
from clinic_tui.documents.context import LetterContext, LetterKind, MeetingDetails
from clinic_tui.documents.errors import Gap, InvalidContext

REACH_KINDS = (LetterKind.INVITATION, LetterKind.REARRANGED, LetterKind.DID_NOT_ATTEND)


def _meeting_gaps(meeting: MeetingDetails | None, field: str, *, required: bool) -> list[tuple[str, str]]:
    if meeting is None:
        if required:
            return [(field, "no meeting date and time. Book the meeting before writing this letter.")]
        return []

    if Mode.IN_PERSON in meeting.modes and not meeting.place.strip():
        return [(f"{field}.place", "the meeting is offered in person but has no place. Add the room and school.")]
    return []


def _context_gaps(kind: LetterKind, context: LetterContext) -> list[tuple[str, str]]:
    """List (field, message) for everything ``kind`` needs that ``context`` lacks."""
    gaps: list[tuple[str, str]] = []
    family = context.family

    if not family.pupils:
        gaps.append(("family.pupils", "no pupil. Add the pupil or pupils the letter is about."))
    if not any(carer.name.strip() for carer in family.carers):
        gaps.append(("family.carers", "no parent or carer name to address the letter to. Add a contact's name."))
    if not context.officer.telephone.strip():
        gaps.append(("officer.telephone", "no telephone number for the officer. Add it to your officer profile."))

    for index, carer in enumerate(family.carers):
        if carer.needs_interpreter and not carer.language.strip():
            gaps.append(
                (
                    f"family.carers[{index}].language",
                    "the contact needs an interpreter but no language is recorded. Add their language.",
                )
            )

    if kind in REACH_KINDS and not family.telephone and not family.address_lines:
        gaps.append(
            (
                "family.telephone or family.address_lines",
                "no telephone number or postal address for the family. Add at least one.",
            )
        )

    # A rearranged letter gives only the date and time of the previous
    # meeting, so that meeting needs no place.
    gaps.extend(_meeting_gaps(context.meeting, "meeting", required=True))
    if kind is LetterKind.DID_NOT_ATTEND:
        gaps.extend(_meeting_gaps(context.offered_meeting, "offered_meeting", required=False))

    if kind is LetterKind.MEETING_SUMMARY:
        if not context.actions:
            gaps.append(("actions", "no agreed actions. Record the actions agreed at the meeting."))
        if context.review_date is None:
            gaps.append(("review_date", "no review date. Set the review date agreed at the meeting."))

    return gaps


def letter_kind(kind: LetterKind | str) -> LetterKind:
    """Return ``kind`` as a LetterKind, accepting its value such as "invitation"."""
    try:
        return LetterKind(kind)
    except ValueError:
        choices = ", ".join(member.value for member in LetterKind)
        raise InvalidContext(f"unknown letter kind {kind!r}. Choose one of {choices}.") from None


def find_gaps(kind: LetterKind | str, contexts: Iterable[LetterContext]) -> list[Gap]:
    """List every missing detail in every letter of the batch, in batch order.

    An empty list means every letter can be generated.
    """
    letter = letter_kind(kind)
    gaps: list[Gap] = []
    for index, context in enumerate(contexts):
        if not isinstance(context, LetterContext):
            raise InvalidContext(f"letter {index + 1} must be a LetterContext, got {type(context).__name__}.")
        for field, message in _context_gaps(letter, context):
            gaps.append(Gap(index, context.reference, field, message))
    return gaps
