"""Invitations need a named decision; the contact log and the candidate list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.attendance import measure_attendance
from clinic_tui.domain.candidates import CandidateFilter, Flag, candidates, flags_for
from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.demo_school import generate_school
from clinic_tui.domain.planning import sibling_groups, suggest_attendees
from clinic_tui.domain.attendees import Role
from clinic_tui.domain.prepare import (
    CallOutcome,
    ContactEntry,
    ContactKind,
    Decision,
    Invitation,
    InvitationReason,
    chronology,
    contact_chronology,
    duplicate_families,
    phone_before_letter,
)

LONDON = ZoneInfo("Europe/London")
DECISION = Decision("Priya Shah", "Head of year", InvitationReason.PERSISTENT_ABSENCE, dt.date(2026, 3, 2))


def test_decision_needs_name_and_role():
    with pytest.raises(InvalidValue, match="name of the person"):
        Decision(" ", "DSL", InvitationReason.PERSISTENT_ABSENCE, dt.date(2026, 3, 2))
    with pytest.raises(InvalidValue, match="role"):
        Decision("Priya Shah", "", InvitationReason.PERSISTENT_ABSENCE, dt.date(2026, 3, 2))


def test_other_reason_needs_notes():
    with pytest.raises(InvalidValue, match="notes"):
        Decision("Priya Shah", "DSL", InvitationReason.OTHER, dt.date(2026, 3, 2))
    assert Decision("Priya Shah", "DSL", InvitationReason.OTHER, dt.date(2026, 3, 2), notes="Sibling concern").notes


def test_invitation_requires_decision():
    with pytest.raises(InvalidValue, match="named decision"):
        Invitation(("p1",), decision=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="at least one pupil"):
        Invitation((), DECISION)


def test_invitation_round_trip():
    invitation = Invitation(("p1", "p2"), DECISION).scheduled("slot-1")
    assert Invitation.from_dict(invitation.to_dict()) == invitation


def test_phone_call_needs_outcome():
    at = dt.datetime(2026, 3, 3, 10, tzinfo=LONDON)
    with pytest.raises(InvalidValue, match="outcome of the call"):
        ContactEntry(("p1",), ContactKind.PHONE, at, "EWO")
    with pytest.raises(InvalidValue, match="only a phone call"):
        ContactEntry(("p1",), ContactKind.LETTER, at, "EWO", outcome=CallOutcome.SPOKE)


def test_contact_round_trip_and_summary():
    entry = ContactEntry(("p1",), ContactKind.PHONE, dt.datetime(2026, 3, 3, 10, tzinfo=LONDON), "EWO",
                         outcome=CallOutcome.LEFT_MESSAGE, notes="Voicemail")
    assert ContactEntry.from_dict(entry.to_dict()) == entry
    assert entry.summary() == "Phone call: left a message"


def test_phone_before_letter_reminder():
    at = dt.datetime(2026, 3, 3, 10, tzinfo=LONDON)
    letter = ContactEntry(("p1",), ContactKind.LETTER, at, "EWO", letter_kind="invitation")
    assert "Phone first" in phone_before_letter([letter], ["p1"])
    call = ContactEntry(("p1",), ContactKind.PHONE, at, "EWO", outcome=CallOutcome.NO_ANSWER)
    assert phone_before_letter([letter, call], ["p1"]) is None
    assert "Phone first" in phone_before_letter([call], ["p2"])


def test_chronology_in_date_order():
    later = ContactEntry(("p1",), ContactKind.EMAIL, dt.datetime(2026, 3, 5, 9, tzinfo=LONDON), "EWO")
    earlier = ContactEntry(("p1",), ContactKind.PHONE, dt.datetime(2026, 3, 1, 9, tzinfo=LONDON), "EWO",
                           outcome=CallOutcome.SPOKE)
    other = ContactEntry(("p2",), ContactKind.TEXT, dt.datetime(2026, 3, 2, 9, tzinfo=LONDON), "EWO")
    entries = chronology(contact_chronology("p1", [later, earlier, other]))
    assert [entry.kind for entry in entries] == ["phone", "email"]


def test_duplicate_families():
    assert duplicate_families([("a", "b"), ("c",), ("b",)]) == ["b"]
    assert duplicate_families([("a",), ("c",)]) == []


@pytest.fixture(scope="module")
def school():
    return generate_school(dt.date(2026, 3, 10), pupils=200)


def test_candidate_filters(school):
    rows = [
        (pupil.upn, pupil, measure_attendance(school.marks[pupil.upn], school.calendar, school.reference_date))
        for pupil in school.pupils
    ]
    persistent = candidates(rows, CandidateFilter(persistent=True))
    assert persistent
    assert all(Flag.PERSISTENT in item.flags for item in persistent)
    rates = [item.measures.attendance_rate for item in persistent]
    assert rates == sorted(rates)

    year9 = candidates(rows, CandidateFilter(year_groups=frozenset({"9"})))
    assert year9
    assert {item.pupil.year_group for item in year9} == {"9"}

    broken = candidates(rows, CandidateFilter(broken_weeks_at_least=4))
    assert all(item.measures.broken_weeks_recent >= 4 for item in broken)

    everyone = candidates(rows, CandidateFilter())
    assert len(everyone) == len(rows)
    for item in everyone:
        assert item.flags == tuple(flags_for(item.pupil, item.measures))


def test_siblings_and_suggested_attendees(school):
    pupils = {pupil.upn: pupil for pupil in school.pupils}
    groups = sibling_groups(pupils)
    assert groups, "the demo school has siblings sharing a contact"
    for group in groups:
        phones = [{contact.telephone for contact in pupils[upn].contacts} for upn in group]
        assert set.intersection(*phones)

    sen_pupil = next(pupil for pupil in school.pupils if pupil.sen.value != "N")
    roles = [attendee.role for attendee in suggest_attendees([sen_pupil])]
    assert Role.SENDCO in roles
    assert Role.HEAD_OF_YEAR in roles
    assert Role.PARENT_CARER in roles
    plain = next(p for p in school.pupils if p.sen.value == "N" and not p.cin and not p.cp_plan)
    assert Role.SOCIAL_WORKER not in [attendee.role for attendee in suggest_attendees([plain])]
    assert Role.SCHOOL_NURSE in [a.role for a in suggest_attendees([plain], {"I": 8, "O": 2})]
