"""Preparing a clinic day through the services, on a real vault filled with the demo school.

The demo vault is seeded once per module and copied for each test, because
seeding takes about two seconds.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from clinic_tui.documents.errors import MissingDetails, TemplateProblem
from clinic_tui.domain.attendees import Mode, Role
from clinic_tui.domain.candidates import CandidateFilter, Flag
from clinic_tui.domain.checks import InvalidValue
from clinic_tui.domain.day_settings import DaySettings
from clinic_tui.domain.prepare import (
    CallOutcome,
    ContactKind,
    Decision,
    InvitationReason,
    InvitationStatus,
)
from clinic_tui.domain.slots import ContactAttempt, FollowUpKind
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from clinic_tui.services.prepare import NotInvited
from clinic_tui.services.prepare_letters import LetterSettingsMissing
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG
from tests.helpers import complete_meeting, demo_session

OFFICER_CONFIG = """\
[general]
officer_name = "Siobhán Dvořák"
officer_phone = "0113 496 0001"
officer_email = "officer@example.org"
"""
NEXT_WEEK = dt.date(2026, 3, 17)
TODAY = FIXED_START.date()


def _decision(**changes: object) -> Decision:
    values: dict[str, object] = {
        "decided_by": "Priya Shah",
        "role": "Head of year",
        "reason": InvitationReason.PERSISTENT_ABSENCE,
        "decided_on": dt.date(2026, 3, 2),
    }
    values.update(changes)
    return Decision(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("prepare-demo")
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    demo_session(workspace, ManualClock(FIXED_START)).close()
    return home / "data"


def _open(clinic_home: Path, demo_data: Path, clock: ManualClock, config: str = OFFICER_CONFIG) -> Session:
    (clinic_home / "config" / "config.toml").write_text(config + TEST_CONFIG)
    workspace = Workspace.open(clinic_home)
    shutil.copytree(demo_data, workspace.locations.data_dir, dirs_exist_ok=True)
    return Session(workspace, workspace.profiles.unlock("demo", PASSPHRASE), clock)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def session(clinic_home: Path, demo_data: Path, fake_clock: ManualClock):
    opened = _open(clinic_home, demo_data, fake_clock)
    yield opened
    opened.close()


def _sibling_row(session: Session):
    """Return a persistently absent pupil who has siblings and no invitation yet."""
    rows = session.prepare.candidates(CandidateFilter(persistent=True))
    return next(row for row in rows if len(row.family) > 1 and row.invitation is None)


def _single_row(session: Session, skip: set[str] = frozenset()):  # type: ignore[assignment]
    rows = session.prepare.candidates(CandidateFilter(persistent=True))
    return next(row for row in rows if len(row.family) == 1 and row.pupil_id not in skip)


def _reopen(session: Session, clock: ManualClock) -> Session:
    workspace = session.workspace
    session.close()
    return Session(workspace, workspace.profiles.unlock("demo", PASSPHRASE), clock)


# -- candidates and decisions ------------------------------------------------------


def test_candidates_follow_filter(session):
    rows = session.prepare.candidates(CandidateFilter(persistent=True))
    assert rows
    assert all(Flag.PERSISTENT in row.candidate.flags for row in rows)
    for row in rows:
        pupil = row.candidate.pupil
        assert pupil.surname not in row.label
        assert row.label.startswith(pupil.initials)


def test_invitation_needs_named_decision(session):
    row = _single_row(session)
    with pytest.raises(InvalidValue, match="named decision"):
        session.prepare.decide([row.pupil_id], None)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="name of the person"):
        session.prepare.decide([row.pupil_id], _decision(decided_by="  "))
    assert session.prepare.invitations() == []
    assert session.vault.conn.execute("SELECT count(*) FROM invitation").fetchone()[0] == 0


def test_decide_rejects_bad_requests(session):
    row = _single_row(session)
    with pytest.raises(InvalidValue, match="after today"):
        session.prepare.decide([row.pupil_id], _decision(decided_on=TODAY + dt.timedelta(days=1)))
    with pytest.raises(InvalidValue, match="not in this vault"):
        session.prepare.decide(["no-such-pupil"], _decision())

    session.prepare.decide([row.pupil_id], _decision())
    with pytest.raises(InvalidValue, match="already have an open invitation"):
        session.prepare.decide([row.pupil_id], _decision())
    assert len(session.prepare.invitations()) == 1


def test_siblings_offered_together(session):
    row = _sibling_row(session)
    family = session.prepare.family_of(row.pupil_id)
    assert family == row.family
    assert row.pupil_id in family

    pupils = session.prepare.pupils()
    phones = [{contact.telephone for contact in pupils[pupil_id].contacts} for pupil_id in family]
    assert set.intersection(*phones), "siblings share a contact's telephone number"

    invitation = session.prepare.decide(family, _decision())
    assert invitation.pupil_ids == family
    invited = {item.pupil_id: item.invitation for item in session.prepare.candidates()}
    for pupil_id in family:
        assert invited[pupil_id] == invitation


def test_invitation_stored_encrypted(session, fake_clock):
    row = _sibling_row(session)
    invitation = session.prepare.decide(row.family, _decision(notes="Asked by the DSL"))

    session = _reopen(session, fake_clock)
    try:
        assert session.prepare.invitations() == [invitation]
        body = session.vault.conn.execute("SELECT body FROM invitation").fetchone()[0]
        assert b"Priya" not in body
        assert b"DSL" not in body
        actions = [(entry.action, entry.record_id) for entry in session.vault.audit.entries()]
        assert ("invitation.decide", invitation.id) in actions
    finally:
        session.close()


def test_close_invitation(session):
    row = _single_row(session)
    invitation = session.prepare.decide([row.pupil_id], _decision())
    closed = session.prepare.close_invitation(invitation.id, InvitationStatus.WITHDRAWN)
    assert closed.status is InvitationStatus.WITHDRAWN
    assert session.prepare.invitation(invitation.id).status is InvitationStatus.WITHDRAWN
    with pytest.raises(NotInvited):
        session.prepare.invitation_for([row.pupil_id])

    # A new decision is allowed once the old invitation is closed.
    assert session.prepare.decide([row.pupil_id], _decision()).status is InvitationStatus.DECIDED


# -- the contact log and chronology -----------------------------------------------------


def test_contact_log_round_trip(session, fake_clock):
    row = _sibling_row(session)
    family = row.family
    at = dt.datetime(2026, 3, 4, 16, 20, tzinfo=LOCAL_ZONE)
    call = session.prepare.log_contact(
        family, ContactKind.PHONE, outcome=CallOutcome.WRONG_NUMBER, notes="Number disconnected", at=at
    )
    email = session.prepare.log_contact(family[:1], ContactKind.EMAIL, notes="Sent the dates", at=at.replace(hour=9))
    visit = session.prepare.log_contact(family, ContactKind.HOME_VISIT, notes="Nobody in")

    session = _reopen(session, fake_clock)
    try:
        assert session.prepare.contacts(family) == [email, call, visit]
        assert session.prepare.contacts(family[1:]) == [call, visit]
        stored = session.vault.conn.execute("SELECT body FROM contact_log").fetchall()
        assert all(b"disconnected" not in body for (body,) in stored)
        logged = [entry.record_id for entry in session.vault.audit.entries() if entry.action == "contact.add"]
        assert logged == [call.id, email.id, visit.id]
    finally:
        session.close()


def test_contact_log_rejects_bad_entries(session):
    row = _single_row(session)
    with pytest.raises(InvalidValue, match="outcome of the call"):
        session.prepare.log_contact([row.pupil_id], ContactKind.PHONE)
    with pytest.raises(InvalidValue, match="in the future"):
        session.prepare.log_contact(
            [row.pupil_id], ContactKind.TEXT, at=FIXED_START + dt.timedelta(hours=2)
        )
    assert session.prepare.contacts([row.pupil_id]) == []


def test_contact_log_is_append_only(session):
    row = _single_row(session)
    session.prepare.log_contact([row.pupil_id], ContactKind.TEXT, notes="Reminder sent")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        session.vault.conn.execute("UPDATE contact_log SET at = 'x'")


def test_phone_before_letter_reminder(session):
    row = _single_row(session)
    family = [row.pupil_id]
    assert "Phone first" in session.prepare.phone_reminder(family)

    session.prepare.log_contact(family, ContactKind.LETTER, letter_kind="invitation")
    assert "Phone first" in session.prepare.phone_reminder(family)

    session.prepare.log_contact(family, ContactKind.PHONE, outcome=CallOutcome.NO_ANSWER)
    assert session.prepare.phone_reminder(family) is None


def test_chronology_in_date_order(session, fake_clock):
    prepare = session.prepare
    row = _single_row(session)
    pupil_id = row.pupil_id
    prepare.decide([pupil_id], _decision(decided_on=dt.date(2026, 3, 2), notes="Agreed with the DSL"))
    prepare.log_contact([pupil_id], ContactKind.EMAIL, at=dt.datetime(2026, 3, 5, 9, tzinfo=LOCAL_ZONE))
    prepare.log_contact(
        [pupil_id], ContactKind.PHONE, outcome=CallOutcome.SPOKE, at=dt.datetime(2026, 3, 3, 17, tzinfo=LOCAL_ZONE)
    )

    # Two slots today: the family comes to the first and misses the second.
    day = session.days.today()
    held = prepare.scheduling.assign_family(day, [pupil_id], Mode.IN_PERSON).slot
    missed = prepare.scheduling.assign_family(day, [pupil_id], Mode.PHONE).slot

    fake_clock.set(day.at(held.start) + dt.timedelta(minutes=2))
    record = session.days.start_meeting(day, held.id)
    complete_meeting(record, TODAY)
    assert session.days.finalise(record) == []
    session.days.finish_slot(day, held.id)

    fake_clock.set(day.at(missed.start) + dt.timedelta(minutes=15))
    session.days.did_not_attend(
        day, missed.id, [ContactAttempt.PHONE], "No answer", FollowUpKind.SEND_DNA_LETTER, TODAY + dt.timedelta(days=7)
    )

    entries = prepare.chronology(pupil_id)
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    assert [entry.kind for entry in entries] == [
        "invitation", "phone", "email", "slot", "slot", "meeting", "did_not_attend",
    ]  # fmt: skip
    assert entries[0].author == "Priya Shah (Head of year)"
    assert entries[0].notes == "Agreed with the DSL"
    assert "finalised" in entries[5].summary
    assert entries[6].notes == "No answer"

    sibling_free = [entry for entry in prepare.chronology(_single_row(session, {pupil_id}).pupil_id)]
    assert all(entry.kind != "invitation" for entry in sibling_free)


# -- scheduling -------------------------------------------------------------------


def test_schedule_uninvited_family_raises(session):
    row = _single_row(session)
    day = session.prepare.scheduling.create_day(NEXT_WEEK, room="Room 4")
    with pytest.raises(NotInvited, match="no named decision"):
        session.prepare.scheduling.assign_family(day, [row.pupil_id], Mode.IN_PERSON)
    assert session.days.load(day.id).slots == ()


def test_schedule_uses_invitation_and_suggestions(session):
    row = _sibling_row(session)
    invitation = session.prepare.decide(row.family, _decision())
    day = session.prepare.scheduling.create_day(NEXT_WEEK, room="Room 4")

    result = session.prepare.scheduling.assign(day, invitation.id, Mode.VIDEO)
    assert result.warnings == ()
    assert result.slot.family == row.family
    assert result.slot.mode is Mode.VIDEO
    suggested = session.prepare.scheduling.suggested_attendees(row.family)
    assert result.slot.attendees == tuple(suggested)
    assert Role.HEAD_OF_YEAR in [attendee.role for attendee in suggested]

    stored = session.prepare.invitation(invitation.id)
    assert stored.status is InvitationStatus.SCHEDULED
    assert stored.slot_id == result.slot.id
    assert session.days.load(day.id).slot(result.slot.id).family == row.family
    assert session.prepare.scheduling.waiting() == []


def test_schedule_warns_same_family_twice(session):
    row = _single_row(session)
    invitation = session.prepare.decide([row.pupil_id], _decision())
    day = session.prepare.scheduling.create_day(NEXT_WEEK)

    first = session.prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON)
    assert first.warnings == ()
    second = session.prepare.scheduling.assign(day, invitation.id, Mode.PHONE)
    assert second.warnings == (f"This family already has a slot at {first.slot.start:%H:%M} on this clinic day.",)

    warnings = session.prepare.scheduling.day_warnings(session.days.load(day.id))
    assert any("The same family has 2 slots on this day" in warning for warning in warnings)


def test_schedule_warns_overlap_with_other_day(session):
    row = _single_row(session)
    invitation = session.prepare.decide([row.pupil_id], _decision())
    day = session.prepare.scheduling.create_day(NEXT_WEEK, start=dt.time(9, 0))
    other = session.days.create_day(
        DaySettings(NEXT_WEEK, "Brook Primary", "123456", "Hall", dt.time(9, 0), 30)
    )
    other_row = _single_row(session, {row.pupil_id})
    other_invitation = session.prepare.decide([other_row.pupil_id], _decision())
    session.prepare.scheduling.assign(other, other_invitation.id, Mode.IN_PERSON, start=dt.time(9, 15))

    result = session.prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON, start=dt.time(9, 0))
    assert len(result.warnings) == 1
    assert "overlaps the slot at 09:15 of the other clinic day" in result.warnings[0]
    assert "Hall, Brook Primary" in result.warnings[0]

    # Within one day an overlap is an error, and nothing is saved.
    with pytest.raises(InvalidValue, match="overlaps the slot at 09:00"):
        session.prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON, start=dt.time(9, 10))
    assert len(session.days.load(day.id).slots) == 1


def test_schedule_closed_invitation_raises(session):
    row = _single_row(session)
    invitation = session.prepare.decide([row.pupil_id], _decision())
    session.prepare.close_invitation(invitation.id, InvitationStatus.DECLINED)
    day = session.prepare.scheduling.create_day(NEXT_WEEK)
    with pytest.raises(InvalidValue, match="is declined"):
        session.prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON)


def test_create_day_rejects_past_and_repeat(session):
    scheduling = session.prepare.scheduling
    with pytest.raises(InvalidValue, match="before today"):
        scheduling.create_day(TODAY - dt.timedelta(days=1))
    with pytest.raises(InvalidValue, match="already exists"):
        scheduling.create_day(TODAY)

    day = scheduling.create_day(NEXT_WEEK, room="Room 4", slot_minutes=45)
    school = session.attendance.school()
    assert (day.settings.school_name, day.settings.school_urn) == (school.name, school.urn)
    assert day.settings.slot_minutes == 45
    assert [day_id for day_id, _date in scheduling.upcoming_days()][-1] == day.id


def test_day_warnings_name_undecided_slots(session):
    day = session.days.today()
    warnings = session.prepare.scheduling.day_warnings(day)
    times = ", ".join(f"{slot.start:%H:%M}" for slot in day.slots)
    assert warnings == [
        f"{len(day.slots)} slots, at {times}, have no named decision to invite the family. "
        "Decide the invitations on the Prepare screen before sending letters."
    ]

    session.prepare.decide(day.slots[0].family, _decision())
    session.prepare.decide(day.slots[2].family, _decision())
    remaining = [slot for index, slot in enumerate(day.slots) if index not in (0, 2)]
    warnings = session.prepare.scheduling.day_warnings(day)
    assert warnings[0].startswith(f"{len(remaining)} slots, at {remaining[0].start:%H:%M}, {remaining[1].start:%H:%M},")


# -- letters, the call script and records -------------------------------------------------


def _invited_day(session: Session, families: int = 2):
    """Decide and schedule ``families`` single-pupil families next week; return the day."""
    prepare = session.prepare
    day = prepare.scheduling.create_day(NEXT_WEEK, room="Room 4")
    chosen: set[str] = set()
    for _ in range(families):
        row = _single_row(session, chosen)
        chosen.add(row.pupil_id)
        prepare.scheduling.assign(day, prepare.decide([row.pupil_id], _decision()).id, Mode.IN_PERSON)
    return session.days.load(day.id)


def test_letters_need_decision(session, out):
    day = session.days.today()
    batch = session.prepare.letters.batch("invitation", day)
    assert not batch.ready
    assert {gap.field for gap in batch.gaps} == {"invitation"}
    assert {gap.index for gap in batch.gaps} == set(range(len(day.slots)))

    with pytest.raises(MissingDetails, match="no letter was generated"):
        session.prepare.letters.write("invitation", day, out)
    assert list(out.iterdir()) == []
    assert session.vault.conn.execute("SELECT count(*) FROM contact_log").fetchone()[0] == 0


def test_letters_log_a_letter_contact(session, out):
    day = _invited_day(session)
    written = session.prepare.letters.write("invitation", day, out)
    assert sorted(path.name for path in written.paths) == [
        "invitation-001.docx", "invitation-001.pdf", "invitation-002.docx", "invitation-002.pdf",
    ]  # fmt: skip
    assert len(written.reminders) == 2

    for slot in day.slots:
        letters = [entry for entry in session.prepare.contacts(slot.family) if entry.kind is ContactKind.LETTER]
        assert [entry.letter_kind for entry in letters] == ["invitation"]


def test_letter_settings_missing(clinic_home, demo_data, fake_clock):
    session = _open(clinic_home, demo_data, fake_clock, config='[general]\nofficer_name = "Sam Patel"\n')
    try:
        with pytest.raises(LetterSettingsMissing) as raised:
            session.prepare.letters.batch("invitation", session.days.today())
        message = str(raised.value)
        assert "officer_phone is empty" in message
        assert "officer_name" not in message.split("officer_phone", 1)[0].split("\n", 1)[1]
        assert str(clinic_home / "config" / "config.toml") in message
    finally:
        session.close()


def test_letter_preview_and_meeting(session):
    day = _invited_day(session, families=1)
    batch = session.prepare.letters.batch("invitation", day)
    assert batch.ready
    text = session.prepare.letters.preview(batch, 0)
    pupil = session.prepare.pupils()[day.slots[0].family[0]]
    assert pupil.display_name in text
    assert "Tuesday 17 March 2026" in text
    assert "Room 4" in text
    assert "Helping your child succeed" in text
    assert "clinic" not in text.lower()


def test_did_not_attend_and_summary_letters(session, fake_clock, out):
    day = session.days.today()
    held, missed = day.slots[0], day.slots[1]
    for slot in (held, missed):
        session.prepare.decide(slot.family, _decision())

    fake_clock.set(day.at(held.start) + dt.timedelta(minutes=1))
    record = session.days.start_meeting(day, held.id)
    complete_meeting(record, TODAY)
    assert session.days.finalise(record) == []
    session.days.finish_slot(day, held.id)
    fake_clock.set(day.at(missed.start) + dt.timedelta(minutes=15))
    session.days.did_not_attend(
        day, missed.id, [ContactAttempt.TEXT], "", FollowUpKind.SEND_DNA_LETTER, TODAY + dt.timedelta(days=5)
    )

    letters = session.prepare.letters
    assert [slot.id for slot in letters.slots_for("did_not_attend", day)] == [missed.id]
    assert [slot.id for slot in letters.slots_for("meeting_summary", day)] == [held.id]
    assert letters.batch("did_not_attend", day).ready

    summary = letters.batch("meeting_summary", day)
    assert summary.ready
    assert summary.items[0].context.review_date == record.review_date
    assert "Leave ten minutes earlier" in letters.preview(summary, 0)

    paths = session.prepare.records.write_record(record.id, out)
    assert [path.suffix for path in paths] == [".pdf", ".docx"]
    assert ("record.export", record.id) in [(e.action, e.record_id) for e in session.vault.audit.entries()]


def test_rearranged_letter_names_both_times(session):
    day = _invited_day(session, families=1)
    slot = day.slots[0]
    later = dt.date(2026, 3, 24)
    moved = session.days.rearrange(day, slot.id, later, dt.time(13, 30), "Parent is at work that morning")

    letters = session.prepare.letters
    new_day = session.days.store.days_on(later)[0]
    assert letters.slots_for("invitation", new_day) == []
    assert [item.id for item in letters.slots_for("rearranged", new_day)] == [moved.id]

    batch = letters.batch("rearranged", new_day)
    assert batch.ready, batch.gaps
    context = batch.items[0].context
    assert (context.previous_meeting.date, context.previous_meeting.time) == (NEXT_WEEK, slot.start)
    assert (context.meeting.date, context.meeting.time) == (later, dt.time(13, 30))
    text = letters.preview(batch, 0)
    assert "Tuesday 24 March 2026" in text
    assert "Tuesday 17 March 2026" in text


def test_call_script_filled_in(session):
    row = _sibling_row(session)
    prepare = session.prepare
    pupils = prepare.pupils()

    script = prepare.call_script(row.family)
    for pupil_id in row.family:
        assert pupils[pupil_id].display_name in script
    assert "Helping your child succeed" in script
    assert f"{row.candidate.measures.attendance_rate}%" in script
    assert "Could we find a time" in script
    assert "clinic" not in script.lower()

    invitation = prepare.decide(row.family, _decision())
    day = prepare.scheduling.create_day(NEXT_WEEK, room="Room 4")
    prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON, start=dt.time(10, 30))
    booked = prepare.call_script(row.family)
    assert "Tuesday 17 March 2026 at 10:30am" in booked


def test_call_script_user_template(session):
    row = _single_row(session)
    folder = session.workspace.locations.letters_dir
    folder.mkdir(parents=True)
    (folder / "call_script.txt").write_text("Ask for {{ family.greeting }}.\n\nMention {{ meeting_name }}.\n")
    script = session.prepare.call_script([row.pupil_id])
    assert script.startswith("Ask for ")
    assert "Mention Helping your child succeed." in script

    (folder / "call_script.txt").write_text("Line one\n{{ family.nmae }}\n")
    with pytest.raises(TemplateProblem) as raised:
        session.prepare.call_script([row.pupil_id])
    assert raised.value.line == 2
    assert raised.value.variable == "family.nmae"
    assert "call_script.txt" in str(raised.value)
