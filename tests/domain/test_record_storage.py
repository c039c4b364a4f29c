"""Meeting and review records through to_dict, JSON and from_dict."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.addenda import RecordLocked
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep, ReviewOutcome
from clinic_tui.domain.review import ActionStatus, ReviewRecord
from clinic_tui.domain.serialisation import InvalidRecordData
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer
from clinic_tui.domain.steps import StepId
from clinic_tui.domain.views import PupilViews

LONDON = ZoneInfo("Europe/London")
SLOT_ID = "5b0c7f0e-8a43-4b4e-9a51-3d1f0f6f9c11"


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=LONDON)


def full_meeting() -> MeetingRecord:
    """Build a finalised meeting that uses every field, with an addendum and a late concern."""
    record = MeetingRecord(
        author="Officer Priya",
        now=at(3, 4, 9),
        pupil_ids=["p1", "p2"],
        mode=Mode.VIDEO,
        attendance_snapshot={"p1": {"percent": 81.2, "sessions": [1, 2]}, "p2": {"percent": None}},
        child_plans={"p2": ChildPlan.CHILD_IN_NEED},
        slot_id=SLOT_ID,
    )

    record.add_attendee(Attendee("Parent One", Role.PARENT_CARER, on_line=True))
    record.add_attendee(Attendee("Grandparent", Role.OTHER, role_detail="grandmother", on_line=True))
    record.confirm_line()

    record.confirm_information_sharing()
    record.set_social_worker(SocialWorkerAnswer.will_be_informed("Officer Priya", dt.date(2025, 3, 5)))

    record.set_pupil_views("p1", PupilViews.in_own_words("I miss my friends in year 6."))
    record.set_pupil_views("p2", PupilViews.not_captured("At nursery during the call", "Home visit", "Family worker"))
    record.set_parent_views("School runs clash with shift work.")

    record.set_barrier(Barrier.FAMILY_CIRCUMSTANCES, "Separation in January")
    record.set_barrier(Barrier.TRANSPORT)

    record.add_action(Action(OwnerType.PARENT_CARER, "Mum", "Arrange a lift rota", dt.date(2025, 3, 14)))
    record.add_action(Action(OwnerType.OTHER_AGENCY, "Family hub", "Offer a parenting course", dt.date(2025, 3, 31)))
    record.set_review_date(dt.date(2025, 4, 29))
    record.set_attendance_target(92.5)
    record.set_next_step(NextStep.EARLY_HELP, "Family agreed to an early help assessment")

    first = record.raise_concern(StepId.PARENT_VIEWS, "Parent mentioned debt collectors at the door", at(3, 4, 9, 20))
    record.record_dsl_informed(first.id, at(3, 4, 9, 30), at(3, 4, 9, 31))

    assert record.finalise(at(3, 4, 9, 45)) == []
    record.add_addendum("Spelling", "The family hub is in Northgate.", "Officer Priya", at(3, 4, 14))
    record.raise_concern(StepId.READ_BACK, "Further disclosure by phone", at(3, 4, 15))
    return record


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data))


def test_meeting_round_trip():
    record = full_meeting()

    loaded = MeetingRecord.from_dict(through_json(record.to_dict()))

    assert loaded.to_dict() == record.to_dict()
    assert loaded.id == record.id
    assert loaded.version == 3
    assert loaded.finalised_at == at(3, 4, 9, 45)
    assert loaded.concerns == record.concerns
    assert loaded.barriers == record.barriers
    assert loaded.child_plans == {"p1": ChildPlan.NONE, "p2": ChildPlan.CHILD_IN_NEED}
    assert loaded.attendance_snapshot == record.attendance_snapshot
    assert loaded.missing() == []
    with pytest.raises(RecordLocked):
        loaded.set_parent_views("changed")


def test_draft_meeting_round_trip_stays_editable():
    record = MeetingRecord(
        author="Officer Priya", now=at(3, 4, 9), pupil_ids=["p1"], mode=Mode.IN_PERSON, attendance_snapshot={}
    )

    loaded = MeetingRecord.from_dict(through_json(record.to_dict()))
    loaded.set_parent_views("Added after loading")

    assert loaded.is_finalised is False
    assert loaded.parent_views == "Added after loading"
    assert [item.step for item in loaded.missing()] == [item.step for item in record.missing()]


def test_stored_form_uses_iso_strings():
    data = full_meeting().to_dict()

    assert data["schema_version"] == 1
    assert data["record_type"] == "meeting"
    assert data["created_at"] == "2025-03-04T09:00:00+00:00"
    assert data["review_date"] == "2025-04-29"
    assert data["actions"][0]["due"] == "2025-03-14"
    assert data["barriers"] == [
        {"code": "FAMILY", "notes": "Separation in January"},
        {"code": "TRAVEL", "notes": ""},
    ]
    json.dumps(data)


def test_review_round_trip():
    meeting = full_meeting()
    review = ReviewRecord.for_meeting(meeting, author="Officer Ben", now=at(4, 29, 10), mode=Mode.PHONE)
    first, second = review.earlier_actions
    review.add_attendee(Attendee("Parent One", Role.PARENT_CARER, on_line=True))
    review.confirm_line()
    review.set_action_outcome(first.id, ActionStatus.NOT_DONE, "Neighbour moved away")
    review.set_action_outcome(second.id, ActionStatus.DONE)
    review.set_attendance(81.2, 84.0)
    review.set_pupil_views("p1", PupilViews.in_own_words("Still hard."))
    review.set_pupil_views("p2", PupilViews.in_own_words("I like my teacher."))
    review.add_action(Action(OwnerType.SCHOOL, "Head of year", "Offer a breakfast club place", dt.date(2025, 5, 2)))
    review.set_one_sided_reason("Family already doing all they can this month")
    review.set_review_date(dt.date(2025, 6, 10))
    review.set_outcome(ReviewOutcome.ESCALATE, NextStep.ATTENDANCE_CONTRACT, "Offer a contract")
    assert review.finalise(at(4, 29, 10, 40)) == []

    loaded = ReviewRecord.from_dict(through_json(review.to_dict()))

    assert loaded.to_dict() == review.to_dict()
    assert loaded.reviewed_record_id == meeting.id
    assert loaded.action_outcomes == review.action_outcomes
    assert loaded.escalate_to is NextStep.ATTENDANCE_CONTRACT


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda d: d.update(colour="red"), r"meeting", r"unknown key 'colour'"),
        (lambda d: d.pop("parent_views"), r"meeting", r"missing key 'parent_views'"),
        (lambda d: d["actions"][1].update(extra=1), r"meeting\.actions\[1\]", r"unknown key 'extra'"),
        (
            lambda d: d["actions"][0].update(due="14/03/2025"),
            r"meeting\.actions\[0\]\.due",
            r"invalid date '14/03/2025'",
        ),
        (lambda d: d.update(mode="carrier pigeon"), r"meeting\.mode", r"unknown value 'carrier pigeon'"),
        (lambda d: d.update(created_at="2025-03-04T09:00:00"), r"meeting\.created_at", r"has no UTC offset"),
        (lambda d: d.update(version=3), r"meeting\.version", r"version 3 does not match the 1 addenda"),
        (lambda d: d["addenda"][0].update(version=5), r"meeting\.addenda", r"addendum version 5 found where version 2"),
        (lambda d: d.update(record_type="review"), r"meeting\.record_type", r"expected a 'meeting' record"),
        (lambda d: d.update(schema_version=2), r"meeting\.schema_version", r"schema version 2 is newer"),
        (
            lambda d: d.update(schema_version=2, new_field=1),
            r"meeting\.schema_version",
            r"schema version 2 is newer",
        ),
        (lambda d: d.pop("schema_version"), r"meeting\.schema_version", r"missing or invalid schema version"),
        (lambda d: d["barriers"].append(d["barriers"][0]), r"meeting\.barriers\[2\]", r"appears twice"),
        (lambda d: d["child_plans"].pop("p1"), r"meeting\.child_plans", r"plans are for pupils"),
        (lambda d: d["pupil_views"]["p1"].update(words=""), r"meeting\.pupil_views\.p1", r"pupil views are incomplete"),
        (lambda d: d.update(parent_views=42), r"meeting\.parent_views", r"expected text, got int 42"),
        (lambda d: d.update(attendance_target=150), r"meeting\.attendance_target", r"not a percentage"),
    ],
)
def test_meeting_from_dict_rejects(change, path, problem):
    data = through_json(full_meeting().to_dict())
    data["addenda"] = data["addenda"][:1]
    data["version"] = 2
    change(data)

    with pytest.raises(InvalidRecordData, match=f"^{path}: .*{problem}") as raised:
        MeetingRecord.from_dict(data)

    assert raised.value.path.startswith("meeting")


def test_errors_do_not_echo_free_text():
    data = through_json(full_meeting().to_dict())
    data["attendees"][0]["name"] = ["Parent One"]

    with pytest.raises(InvalidRecordData) as raised:
        MeetingRecord.from_dict(data)

    message = str(raised.value)
    assert message.startswith("meeting.attendees[0].name: expected text, got list")
    assert "Restore it from the last sync" in message


def test_not_a_dict_rejected():
    with pytest.raises(InvalidRecordData, match="^meeting: expected an object, got list"):
        MeetingRecord.from_dict([])
