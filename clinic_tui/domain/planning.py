"""Planning a clinic day: who should attend a slot, and which pupils are siblings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from clinic_tui.domain.attendees import PlannedAttendee, Role
from clinic_tui.domain.pupil import Pupil, SenStatus

# Illness codes: I (illness) and M (medical or dental appointment).
_ILLNESS_CODES = ("I", "M")


def suggest_attendees(
    pupils: Sequence[Pupil],
    absence_by_code: Mapping[str, int] | None = None,
) -> list[PlannedAttendee]:
    """Suggest who should attend a slot for these pupils, in a sensible order.

    - the parent or carer and the pupil, always;
    - the head of year, always (the form tutor is an alternative the officer may pick);
    - the SENDCO when a pupil has SEN support or an EHC plan;
    - the social worker when a pupil is a child in need or on a child protection plan;
    - the school nurse when illness (codes I and M) is the largest reason for absence;
    - an interpreter when a contact needs one, noting the language.
    """
    suggestions = [PlannedAttendee(Role.PARENT_CARER), PlannedAttendee(Role.PUPIL), PlannedAttendee(Role.HEAD_OF_YEAR)]

    if any(pupil.sen is not SenStatus.NONE for pupil in pupils):
        suggestions.append(PlannedAttendee(Role.SENDCO))
    if any(pupil.cin or pupil.cp_plan for pupil in pupils):
        suggestions.append(PlannedAttendee(Role.SOCIAL_WORKER))
    if absence_by_code and _illness_is_main_reason(absence_by_code):
        suggestions.append(PlannedAttendee(Role.SCHOOL_NURSE))

    languages = sorted(
        {contact.language for pupil in pupils for contact in pupil.contacts if contact.needs_interpreter and contact.language}
    )
    if any(contact.needs_interpreter for pupil in pupils for contact in pupil.contacts):
        detail = ", ".join(languages)
        suggestions.append(PlannedAttendee(Role.INTERPRETER, name=detail))
    return suggestions


def _illness_is_main_reason(absence_by_code: Mapping[str, int]) -> bool:
    illness = sum(absence_by_code.get(code, 0) for code in _ILLNESS_CODES)
    others = max((count for code, count in absence_by_code.items() if code not in _ILLNESS_CODES), default=0)
    return illness > 0 and illness >= others


def _phone_key(telephone: str) -> str:
    return re.sub(r"\D", "", telephone)


def sibling_groups(pupils: Mapping[str, Pupil]) -> list[list[str]]:
    """Group pupil ids that share a contact (same telephone, or same email).

    Returns only groups of two or more, each sorted by year group then name,
    so one slot can be offered for the family.
    """
    parent: dict[str, str] = {pupil_id: pupil_id for pupil_id in pupils}

    def find(pupil_id: str) -> str:
        while parent[pupil_id] != pupil_id:
            parent[pupil_id] = parent[parent[pupil_id]]
            pupil_id = parent[pupil_id]
        return pupil_id

    owner_of: dict[str, str] = {}
    for pupil_id, pupil in pupils.items():
        for key in _contact_keys(pupil):
            if key in owner_of:
                parent[find(pupil_id)] = find(owner_of[key])
            else:
                owner_of[key] = pupil_id

    groups: dict[str, list[str]] = {}
    for pupil_id in pupils:
        groups.setdefault(find(pupil_id), []).append(pupil_id)

    def order(pupil_id: str) -> tuple[str, str]:
        pupil = pupils[pupil_id]
        return (pupil.year_group.rjust(2), pupil.display_name)

    return [sorted(group, key=order) for group in groups.values() if len(group) > 1]


def _contact_keys(pupil: Pupil) -> Iterable[str]:
    for contact in pupil.contacts:
        phone = _phone_key(contact.telephone)
        if len(phone) >= 7:
            yield f"tel:{phone}"
        if contact.email.strip():
            yield f"email:{contact.email.strip().casefold()}"
