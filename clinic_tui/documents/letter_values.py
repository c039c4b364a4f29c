"""The values passed to a letter template, built from a LetterContext.

Templates get plain dicts, lists, text and true or false, already worded
for a family: dates in full ("Tuesday 4 March 2025"), times as "9:30am"
and percentages with one decimal place. The list at the top of each
built-in template documents these names, so change both together.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Mode, Role
from clinic_tui.domain.checks import format_date
from clinic_tui.domain.pupil import Contact
from clinic_tui.documents.context import AttendanceFigures, FamilyPupil, LetterContext, MeetingDetails

# Wording in a letter to a family for each way of joining the meeting.
MODE_PHRASES = {
    Mode.IN_PERSON: "in person",
    Mode.VIDEO: "by video call",
    Mode.PHONE: "by phone",
}

# Role labels for families: the domain labels name the role, and these
# add who the person is to the family where that helps.
ROLE_PHRASES = {
    Role.EWO: "an education welfare officer (EWO), who helps families with school attendance",
    Role.SENDCO: "the school's special educational needs co-ordinator (SENDCO)",
    Role.DSL: "the school's designated safeguarding lead (DSL)",
    Role.HEAD_OF_YEAR: "the head of year",
    Role.FORM_TUTOR: "the form tutor",
    Role.SCHOOL_NURSE: "the school nurse",
    Role.SOCIAL_WORKER: "your family's social worker",
    Role.FAMILY_WORKER: "your family worker",
    Role.INTERPRETER: "an interpreter",
}


def join_words(items: list[str], conjunction: str = "and") -> str:
    """Join items as English does: "a", "a and b", "a, b and c" (or "a, b or c")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def format_time(moment: dt.time) -> str:
    """Format a time of day as families read it, for example "9:30am" or "12 noon"."""
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"

    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}{suffix}"


def format_percentage(value: Decimal | float) -> str:
    """Format a percentage with one decimal place, rounding half up like the attendance measures."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


def _days(sessions: int) -> str:
    # Two sessions (morning and afternoon) make one school day.
    whole, half = divmod(sessions, 2)
    if not half:
        return str(whole)
    return "half a" if whole == 0 else f"{whole} and a half"


def _figures(figures: AttendanceFigures) -> dict[str, object]:
    return {
        "attendance_rate": format_percentage(figures.attendance_rate),
        "possible_sessions": str(figures.possible_sessions),
        "sessions_missed": str(figures.sessions_missed),
        "days_missed": _days(figures.sessions_missed),
        "unauthorised_sessions": str(figures.unauthorised_sessions),
        "has_unauthorised": figures.unauthorised_sessions > 0,
        "counted_to": format_date(figures.counted_to) if figures.counted_to else "",
    }


def _pupil(pupil: FamilyPupil) -> dict[str, object]:
    year = pupil.year_group.strip()
    if year.isdigit():
        year = f"Year {year}"
    elif year == "R":
        year = "Reception"
    return {"name": pupil.name, "first_name": pupil.first_name, "year": year, **_figures(pupil.figures)}


def _role(role: Role | str) -> str:
    if isinstance(role, Role):
        return ROLE_PHRASES.get(role, role.label)
    return role


def _meeting(meeting: MeetingDetails | None) -> dict[str, object] | None:
    if meeting is None:
        return None

    return {
        "date": format_date(meeting.date),
        "time": format_time(meeting.time),
        "place": meeting.place,
        "modes": [MODE_PHRASES[mode] for mode in meeting.modes],
        "ways_to_join": join_words([MODE_PHRASES[mode] for mode in meeting.modes], "or"),
        "in_person": Mode.IN_PERSON in meeting.modes,
        "video": Mode.VIDEO in meeting.modes,
        "phone": Mode.PHONE in meeting.modes,
        "attendees": [_role(role) for role in meeting.attendee_roles],
    }


def _action(action: Action) -> dict[str, object]:
    return {"who": action.role, "what": action.description, "due": format_date(action.due)}


def _interpreter_languages(carers: tuple[Contact, ...]) -> list[str]:
    languages = [carer.language.strip() for carer in carers if carer.needs_interpreter and carer.language.strip()]
    return list(dict.fromkeys(languages))


def letter_values(context: LetterContext) -> dict[str, object]:
    """Build the template values for ``context``. Missing optional parts are empty or None."""
    family = context.family
    pupils = [_pupil(pupil) for pupil in family.pupils]
    carer_names = [carer.name.strip() for carer in family.carers if carer.name.strip()]
    languages = _interpreter_languages(family.carers)
    # One "figures go up to" date for the family only when every dated pupil
    # shares it. Otherwise each pupil's own date is still in pupils.
    dates = {pupil["counted_to"] for pupil in pupils if pupil["counted_to"]}
    counted_to = dates.pop() if len(dates) == 1 else ""

    actions = list(context.actions)
    return {
        "meeting_name": context.meeting_name,
        "letter_date": format_date(context.letter_date),
        "large_print": context.large_print,
        "school": {
            "name": context.school.name,
            "address_lines": list(context.school.address_lines),
            "telephone": context.school.telephone,
        },
        "officer": {
            "name": context.officer.name,
            "job_title": context.officer.job_title,
            "telephone": context.officer.telephone,
            "email": context.officer.email,
        },
        "family": {
            "greeting": join_words(carer_names),
            "carer_names": carer_names,
            "address_lines": list(family.address_lines),
            "pupils": pupils,
            "pupil_names": join_words([pupil.first_name for pupil in family.pupils]),
            "pupil_full_names": join_words([pupil.name for pupil in family.pupils]),
            "several_pupils": len(family.pupils) > 1,
            "counted_to": counted_to,
            "child": "children" if len(family.pupils) > 1 else "child",
            "interpreter_languages": languages,
            "interpreter_language": join_words(languages),
            "literacy_support": any(carer.literacy_support for carer in family.carers),
        },
        "meeting": _meeting(context.meeting),
        "previous_meeting": _meeting(context.previous_meeting),
        "offered_meeting": _meeting(context.offered_meeting),
        "actions": {
            "family": [_action(action) for action in actions if action.owner.is_family],
            "school": [_action(action) for action in actions if action.owner is OwnerType.SCHOOL],
            "agency": [_action(action) for action in actions if action.owner is OwnerType.OTHER_AGENCY],
        },
        "review_date": format_date(context.review_date) if context.review_date else "",
    }
