"""The first-meeting record: steps, finalising, the section 17/47 rule, locking and addenda."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from clinic_tui.domain.actions import Action, ActionBalance, OwnerType, one_sided_warning
from clinic_tui.domain.addenda import RecordLocked
from clinic_tui.domain.attendees import Attendee, Mode, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.calendar import SchoolCalendar
from clinic_tui.domain.checks import InvalidTransition, InvalidValue
from clinic_tui.domain.meeting import MeetingRecord, default_review_date
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.safeguarding import safeguarding_checklist
from clinic_tui.domain.social_care import ChildPlan, SocialWorkerAnswer
from clinic_tui.domain.steps import StepId, meeting_steps
from clinic_tui.domain.views import PupilViews

LONDON = ZoneInfo("Europe/London")
MEETING_DAY = dt.date(2025, 3, 4)


def at(hour: int, minute: int = 0, day: dt.date = MEETING_DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def new_meeting(mode: Mode = Mode.IN_PERSON, pupils: tuple[str, ...] = ("p1",), **kwargs) -> MeetingRecord:
    return MeetingRecord(
        author="Officer Priya",
        now=at(9, 0),
        pupil_ids=pupils,
        mode=mode,
        attendance_snapshot={"attendance_percent": 81.2, "possible_sessions": 240},
        **kwargs,
    )


def complete(record: MeetingRecord) -> MeetingRecord:
    """Fill in every required part of a meeting record with synthetic data."""
    record.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    record.add_attendee(Attendee("Officer Priya", Role.EWO))
    if record.mode.is_remote:
        record.confirm_line()
    record.confirm_information_sharing()

    for pupil_id in record.pupil_ids:
        record.set_pupil_views(pupil_id, PupilViews.in_own_words("Mornings are hard."))
    record.set_barrier(Barrier.ROUTINES_SLEEP, "Late nights on the phone")

    record.add_action(Action(OwnerType.PARENT_CARER, "Mum", "Set a 10pm phone curfew", dt.date(2025, 3, 11)))
    record.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Daily check-in at 8:40", dt.date(2025, 3, 5)))

    record.set_review_date(dt.date(2025, 4, 15))
    record.set_attendance_target(95)
    record.set_next_step(NextStep.REVIEW_MEETING)
    return record


def steps_of(items) -> list[StepId]:
    return [item.step for item in items]


def test_steps_in_order_with_prompts():
    in_person = meeting_steps(Mode.IN_PERSON)
    video = meeting_steps(Mode.VIDEO)

    assert [step.id for step in in_person] == [
        StepId.ATTENDEES,
        StepId.INFORMATION_SHARING,
        StepId.ATTENDANCE,
        StepId.PUPIL_VIEWS,
        StepId.PARENT_VIEWS,
        StepId.BARRIERS,
        StepId.ACTIONS,
        StepId.REVIEW_DATE,
        StepId.NEXT_STEP,
        StepId.READ_BACK,
    ]
    assert [step.number for step in in_person] == list(range(1, 11))
    assert all(step.title and step.prompt for step in in_person)
    assert "Read out who is present at school" in video[0].prompt
    assert "Read out who is present at school" not in in_person[0].prompt
    assert new_meeting(Mode.PHONE).steps()[0].prompt == video[0].prompt


def test_finalise_empty_lists_every_missing_item():
    record = new_meeting(Mode.VIDEO)

    missing = record.finalise(at(9, 30))

    assert steps_of(missing) == [
        StepId.ATTENDEES,
        StepId.ATTENDEES,
        StepId.INFORMATION_SHARING,
        StepId.PUPIL_VIEWS,
        StepId.ACTIONS,
        StepId.REVIEW_DATE,
        StepId.NEXT_STEP,
    ]
    messages = [item.message for item in missing]
    assert messages[0] == "Record at least one person at the meeting, with their name and role."
    assert messages[1].startswith("Confirm who is on the line.")
    assert "information sharing statement" in messages[2]
    assert messages[3].startswith("Record the pupil's views in their own words")
    assert messages[4] == "Agree at least one action, with who will do it and by when."
    assert messages[5] == "Set a review date."
    assert messages[6] == "Choose the next step."
    assert record.is_finalised is False
    assert record.finalised_at is None


def test_finalise_complete_record_locks():
    record = complete(new_meeting())

    missing = record.finalise(at(9, 40))

    assert missing == []
    assert record.is_finalised
    assert record.finalised_at == at(9, 40)
    assert record.version == 1


def test_siblings_each_need_views():
    record = complete(new_meeting(pupils=("p1", "p2")))
    record_without = new_meeting(pupils=("p1", "p2"))
    not_captured = PupilViews.not_captured("Asleep after a night shift caring", "Phone call", "EWO")
    record_without.set_pupil_views("p2", not_captured)

    missing = [item for item in record_without.missing() if item.step is StepId.PUPIL_VIEWS]

    assert record.missing() == []
    assert len(missing) == 1
    assert "the views of pupil p1" in missing[0].message


def test_pupil_views_forms():
    with pytest.raises(InvalidValue, match="pupil views are incomplete"):
        PupilViews.not_captured("Did not want to talk", "", "Form tutor")
    with pytest.raises(InvalidValue, match="Keep only one"):
        PupilViews(words="Fine", not_captured_reason="Absent")
    with pytest.raises(InvalidValue, match="pupil views are incomplete"):
        PupilViews()

    record = new_meeting()
    with pytest.raises(InvalidValue, match="pupil 'p9' is not part of this record"):
        record.set_pupil_views("p9", PupilViews.in_own_words("Hello"))


def test_line_confirmation_reset_by_attendee_change():
    record = complete(new_meeting(Mode.PHONE))
    assert record.line_confirmed

    record.add_attendee(Attendee("Aunt", Role.OTHER, role_detail="aunt", on_line=True))

    assert record.line_confirmed is False
    assert steps_of(record.missing()) == [StepId.ATTENDEES]
    with pytest.raises(InvalidTransition, match="This meeting is in person"):
        new_meeting(Mode.IN_PERSON).confirm_line()


def test_child_plan_requires_social_worker_answer():
    record = complete(new_meeting(child_plans={"p1": ChildPlan.CHILD_PROTECTION}))

    missing = record.missing()

    assert steps_of(missing) == [StepId.INFORMATION_SHARING]
    assert missing[0].message == (
        "Because pupil p1 has a child protection plan (section 47), record whether their "
        "social worker is present, or who will inform them and when."
    )
    assert record.finalise(at(9, 45)) == missing
    assert record.is_finalised is False


def test_not_applicable_rejected_with_plan():
    record = new_meeting(child_plans={"p1": ChildPlan.CHILD_IN_NEED})

    with pytest.raises(InvalidValue, match="'Not applicable' is only for pupils with no plan"):
        record.set_social_worker(SocialWorkerAnswer.not_applicable())

    assert record.social_worker is None


def test_will_be_informed_satisfies_rule():
    record = complete(new_meeting(child_plans={"p1": ChildPlan.CHILD_IN_NEED}))

    record.set_social_worker(SocialWorkerAnswer.will_be_informed("Officer Priya", dt.date(2025, 3, 5)))

    assert record.missing() == []
    with pytest.raises(InvalidValue, match="Name who will inform the social worker"):
        SocialWorkerAnswer.will_be_informed(" ", dt.date(2025, 3, 5))
    with pytest.raises(InvalidValue, match="is before the meeting"):
        record.set_social_worker(SocialWorkerAnswer.will_be_informed("DSL", dt.date(2025, 3, 3)))


def test_present_social_worker_must_attend():
    record = complete(new_meeting(child_plans={"p1": ChildPlan.CHILD_PROTECTION}))
    record.set_social_worker(SocialWorkerAnswer.present())

    assert [item.message for item in record.missing()] == [
        "The social worker is recorded as present, but no one in the room has the social "
        "worker role. Add them to the attendees, or change the answer."
    ]

    record.add_attendee(Attendee("Sam Worker", Role.SOCIAL_WORKER))

    assert record.missing() == []


def test_plan_added_after_not_applicable():
    record = complete(new_meeting())
    record.set_social_worker(SocialWorkerAnswer.not_applicable())
    assert record.missing() == []

    record.set_child_plan("p1", ChildPlan.CHILD_IN_NEED)

    assert steps_of(record.missing()) == [StepId.INFORMATION_SHARING]


def test_child_plan_for_pupil():
    base = {"upn": "A1", "surname": "Test", "forename": "Pupil"}

    assert ChildPlan.for_pupil(Pupil(**base)) is ChildPlan.NONE
    assert ChildPlan.for_pupil(Pupil(**base, cin=True)) is ChildPlan.CHILD_IN_NEED
    assert ChildPlan.for_pupil(Pupil(**base, cin=True, cp_plan=True)) is ChildPlan.CHILD_PROTECTION


@pytest.mark.parametrize(
    ("owners", "balance", "needs_reason"),
    [
        ((OwnerType.PARENT_CARER, OwnerType.PUPIL), ActionBalance.FAMILY_ONLY, True),
        ((OwnerType.SCHOOL, OwnerType.OTHER_AGENCY), ActionBalance.SCHOOL_ONLY, True),
        ((OwnerType.PUPIL, OwnerType.OTHER_AGENCY), ActionBalance.BOTH, False),
    ],
)
def test_one_sided_actions_need_reason(owners, balance, needs_reason):
    record = complete(new_meeting())
    for action in record.actions:
        record.remove_action(action.id)
    for owner in owners:
        record.add_action(Action(owner, "Named role", "Do something agreed", dt.date(2025, 3, 20)))

    assert record.action_balance is balance
    assert (one_sided_warning(balance) is not None) is needs_reason
    assert steps_of(record.missing()) == ([StepId.ACTIONS] if needs_reason else [])

    record.set_one_sided_reason("School already provides a full package of support")

    assert record.missing() == []


def test_one_sided_message_names_side():
    record = complete(new_meeting())
    school_action = next(action for action in record.actions if action.owner is OwnerType.SCHOOL)
    record.remove_action(school_action.id)

    missing = record.missing()

    assert [item.message for item in missing] == [
        "Every action falls on the family. Add an action for the other side, or record why there is none."
    ]


def test_dates_before_meeting_rejected():
    record = new_meeting()

    with pytest.raises(InvalidValue, match="action due date 03/03/2025 is before the meeting on 04/03/2025"):
        record.add_action(Action(OwnerType.SCHOOL, "SENDCO", "Review plan", dt.date(2025, 3, 3)))
    with pytest.raises(InvalidValue, match="review date 04/03/2025 is not after the meeting"):
        record.set_review_date(MEETING_DAY)
    with pytest.raises(InvalidValue, match="attendance target 101 is not a percentage"):
        record.set_attendance_target(101)


def locked_changes(record: MeetingRecord):
    action_id = record.actions[0].id
    return {
        "add_attendee": lambda: record.add_attendee(Attendee("X", Role.FORM_TUTOR)),
        "remove_attendee": lambda: record.remove_attendee(0),
        "confirm_information_sharing": lambda: record.confirm_information_sharing(False),
        "set_child_plan": lambda: record.set_child_plan("p1", ChildPlan.CHILD_IN_NEED),
        "set_social_worker": lambda: record.set_social_worker(SocialWorkerAnswer.not_applicable()),
        "set_pupil_views": lambda: record.set_pupil_views("p1", PupilViews.in_own_words("changed")),
        "set_parent_views": lambda: record.set_parent_views("changed"),
        "set_barrier": lambda: record.set_barrier(Barrier.TRANSPORT),
        "remove_barrier": lambda: record.remove_barrier(Barrier.ROUTINES_SLEEP),
        "add_action": lambda: record.add_action(Action(OwnerType.PUPIL, "Pupil", "x", dt.date(2025, 4, 1))),
        "remove_action": lambda: record.remove_action(action_id),
        "set_one_sided_reason": lambda: record.set_one_sided_reason("x"),
        "set_review_date": lambda: record.set_review_date(dt.date(2025, 5, 1)),
        "set_attendance_target": lambda: record.set_attendance_target(90),
        "set_next_step": lambda: record.set_next_step(NextStep.MONITOR),
        "finalise": lambda: record.finalise(at(10, 0)),
    }


def test_finalised_record_locked():
    record = complete(new_meeting())
    assert record.finalise(at(9, 40)) == []
    before = record.to_dict()

    for name, change in locked_changes(record).items():
        with pytest.raises(RecordLocked) as raised:
            change()
        message = str(raised.value)
        assert f"The meeting record {record.id} was finalised on 04/03/2025 at 09:40 and is locked" in message, name
        assert "Add an addendum with the reason and the new text instead." in message, name

    assert record.to_dict() == before


def test_addendum_appends_version():
    record = complete(new_meeting())
    record.finalise(at(9, 40))
    original = record.to_dict()

    first = record.add_addendum("Wrong due date read out", "The curfew starts on 12 March.", "Officer Priya", at(14, 0))
    second = record.add_addendum("Parent phoned", "Parent agrees to the plan.", "Officer Ben", at(15, 0))

    assert first.version == 2
    assert second.version == 3
    assert record.version == 3
    assert record.addenda == (first, second)
    assert second.author == "Officer Ben"
    changed = record.to_dict()
    for key, value in original.items():
        if key not in ("version", "addenda"):
            assert changed[key] == value, key


def test_addendum_rules():
    record = complete(new_meeting())

    with pytest.raises(InvalidTransition, match="is not finalised yet, so edit it directly"):
        record.add_addendum("reason", "text", "Officer Priya", at(10, 0))

    record.finalise(at(9, 40))
    with pytest.raises(InvalidValue, match="Say why the record is being changed"):
        record.add_addendum(" ", "text", "Officer Priya", at(10, 0))
    with pytest.raises(InvalidValue, match="is before the record was finalised"):
        record.add_addendum("reason", "text", "Officer Priya", at(9, 30))
    assert record.version == 1


def test_concern_flags_record_and_checklist():
    informed = complete(new_meeting())
    uninformed = complete(new_meeting(pupils=("p7",)))

    first = informed.raise_concern(StepId.BARRIERS, "Older male collecting pupil from school", at(9, 20))
    informed.record_dsl_informed(first.id, at(9, 50), at(9, 55))
    second = uninformed.raise_concern(StepId.PUPIL_VIEWS, "Pupil mentioned going without meals", at(9, 25))

    checklist = safeguarding_checklist([informed, uninformed, complete(new_meeting())])

    assert informed.flagged and uninformed.flagged
    assert [item.concern.id for item in checklist] == [second.id, first.id]
    assert checklist[0].record_id == uninformed.id
    assert checklist[0].pupil_ids == ("p7",)
    assert checklist[0].concern.dsl_informed is False
    assert checklist[1].concern.dsl_informed_at == at(9, 50)
    assert checklist[1].concern.raised_by == "Officer Priya"


def test_concern_after_finalise_is_addendum():
    record = complete(new_meeting())
    record.finalise(at(9, 40))

    concern = record.raise_concern(StepId.READ_BACK, "Parent disclosed domestic abuse after the meeting", at(9, 50))
    record.record_dsl_informed(concern.id, at(10, 5), at(10, 10), author="Officer Ben")

    assert record.version == 3
    assert record.original_concerns == ()
    assert [addendum.concern.id for addendum in record.addenda] == [concern.id, concern.id]
    assert record.addenda[1].author == "Officer Ben"
    assert record.concerns[0].dsl_informed_at == at(10, 5)
    assert record.flagged


def test_dsl_informed_time_checks():
    record = new_meeting()
    concern = record.raise_concern(StepId.ATTENDANCE, "Unexplained bruising noted", at(9, 10))

    with pytest.raises(InvalidValue, match="is later than the current time"):
        record.record_dsl_informed(concern.id, at(11, 0), at(10, 0))
    with pytest.raises(InvalidValue, match="is not on this record"):
        record.record_dsl_informed("missing", at(9, 30), at(10, 0))
    with pytest.raises(InvalidValue, match="before the record was created"):
        record.raise_concern(StepId.ATTENDANCE, "note", at(8, 0))


def test_safeguarding_barrier_needs_concern():
    record = complete(new_meeting())
    record.set_barrier(Barrier.SAFEGUARDING, "Possible criminal exploitation")
    record.set_next_step(NextStep.SAFEGUARDING_REFERRAL)

    missing = record.missing()

    assert steps_of(missing) == [StepId.BARRIERS, StepId.NEXT_STEP]

    record.raise_concern(StepId.BARRIERS, "Possible county lines involvement", at(9, 15))

    assert record.missing() == []


def test_barriers_in_taxonomy_order():
    record = new_meeting()
    record.set_barrier(Barrier.TRANSPORT, "Bus pass expired")
    record.set_barrier(Barrier.MENTAL_HEALTH)
    record.set_barrier(Barrier.TRANSPORT, "Bus pass renewed, still late")

    assert [(entry.barrier.value, entry.notes) for entry in record.barriers] == [
        ("MHA", ""),
        ("TRAVEL", "Bus pass renewed, still late"),
    ]
    with pytest.raises(InvalidValue, match="Describe the barrier"):
        record.set_barrier(Barrier.OTHER)


def test_barrier_codes_are_stable():
    assert [barrier.value for barrier in Barrier] == [
        "PHYS", "MHA", "SEND", "BULLY", "SCHOOL", "TRANS", "FAMILY", "CARER",
        "PHEALTH", "HOUSE", "TRAVEL", "HOLIDAY", "ROUTINE", "SAFE", "OTHER",
    ]  # fmt: skip
    assert [step.value for step in NextStep] == [
        "monitor",
        "review_meeting",
        "attendance_support_plan",
        "attendance_contract",
        "early_help_assessment",
        "send_review",
        "attendance_service_referral",
        "safeguarding_referral",
        "consider_legal_step",
    ]


def test_attendance_snapshot_read_only():
    source = {"attendance_percent": 81.2, "by_term": [{"term": "autumn", "percent": 79.0}]}
    record = MeetingRecord(
        author="Officer Priya", now=at(9), pupil_ids=["p1"], mode=Mode.IN_PERSON, attendance_snapshot=source
    )

    source["attendance_percent"] = 10
    copy = record.attendance_snapshot
    copy["by_term"][0]["percent"] = 0

    assert record.attendance_snapshot == {"attendance_percent": 81.2, "by_term": [{"term": "autumn", "percent": 79.0}]}
    with pytest.raises(InvalidValue, match="attendance snapshot value at attendance_snapshot.when is date"):
        MeetingRecord(
            author="Officer Priya",
            now=at(9),
            pupil_ids=["p1"],
            mode=Mode.IN_PERSON,
            attendance_snapshot={"when": dt.date(2025, 3, 4)},
        )
    with pytest.raises(InvalidValue, match="Use a finite number"):
        MeetingRecord(
            author="Officer Priya",
            now=at(9),
            pupil_ids=["p1"],
            mode=Mode.IN_PERSON,
            attendance_snapshot={"rate": float("nan")},
        )


def test_record_needs_aware_time_and_author():
    with pytest.raises(InvalidValue, match="creation time 2025-03-04T09:00:00 has no time zone"):
        MeetingRecord(
            author="Officer Priya",
            now=dt.datetime(2025, 3, 4, 9),
            pupil_ids=["p1"],
            mode=Mode.IN_PERSON,
            attendance_snapshot={},
        )
    with pytest.raises(InvalidValue, match="Set your name in your officer profile"):
        MeetingRecord(author="", now=at(9), pupil_ids=["p1"], mode=Mode.IN_PERSON, attendance_snapshot={})


def test_record_identity_fields():
    first = new_meeting()
    second = new_meeting()

    assert first.id != second.id
    assert uuid.UUID(first.id).version == 4
    assert first.created_at == at(9, 0)
    assert first.author == "Officer Priya"


def school_days_spring_2025() -> list[dt.date]:
    """Return the weekdays of 24 February to 4 April and 22 April to 23 May 2025.

    The Easter holiday is 7 to 21 April, and Monday 5 May is a bank holiday.
    """
    days = []
    for start, end in ((dt.date(2025, 2, 24), dt.date(2025, 4, 4)), (dt.date(2025, 4, 22), dt.date(2025, 5, 23))):
        day = start
        while day <= end:
            if day.weekday() < 5 and day != dt.date(2025, 5, 5):
                days.append(day)
            day += dt.timedelta(days=1)
    return days


def test_default_review_date_from_school_days():
    days = school_days_spring_2025()

    # From Tuesday 4 March, school weeks 1 to 4 begin 10, 17, 24 and 31 March.
    # The Easter weeks have no school days, so weeks 5 and 6 begin 21 and
    # 28 April, and the review falls on Tuesday 29 April.
    assert default_review_date(dt.date(2025, 3, 4), days) == dt.date(2025, 4, 29)

    # From Monday 10 March, week 6 begins on 5 May, a bank holiday, so the
    # review moves on to Tuesday 6 May.
    assert default_review_date(dt.date(2025, 3, 10), days) == dt.date(2025, 5, 6)

    # From the Easter holiday, the first school week after it is week 1.
    assert default_review_date(dt.date(2025, 4, 9), days, weeks=1) == dt.date(2025, 4, 23)
    assert default_review_date(dt.date(2025, 3, 4), days, weeks=1) == dt.date(2025, 3, 11)

    # The order of the list does not matter.
    assert default_review_date(dt.date(2025, 3, 4), list(reversed(days))) == dt.date(2025, 4, 29)


def test_default_review_date_matches_calendar():
    calendar = SchoolCalendar.typical(2024)
    days = calendar.school_days()
    last_start = calendar.last_day - dt.timedelta(weeks=10)

    checked = 0
    for day in days:
        if day > last_start:
            break
        assert default_review_date(day, days) == default_review_date(day, calendar.add_school_weeks), day
        checked += 1

    assert checked > 100


def test_default_review_date_from_function():
    calls = []

    def add_school_weeks(start: dt.date, weeks: int) -> dt.date:
        calls.append((start, weeks))
        return start + dt.timedelta(weeks=weeks + 1)

    assert default_review_date(dt.date(2025, 3, 4), add_school_weeks) == dt.date(2025, 4, 22)
    assert calls == [(dt.date(2025, 3, 4), 6)]


def test_default_review_date_calendar_too_short():
    with pytest.raises(InvalidValue, match="the school calendar ends on 23/05/2025"):
        default_review_date(dt.date(2025, 5, 12), school_days_spring_2025())
    with pytest.raises(InvalidValue, match="review weeks 0 is invalid"):
        default_review_date(dt.date(2025, 3, 4), school_days_spring_2025(), weeks=0)
