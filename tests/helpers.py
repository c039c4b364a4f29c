"""Builders shared by tests: a demo session on a fixed school day, and a complete meeting."""

from __future__ import annotations

import datetime as dt

from clinic_tui.domain.actions import Action, OwnerType
from clinic_tui.domain.attendees import Attendee, Role
from clinic_tui.domain.barriers import Barrier
from clinic_tui.domain.meeting import MeetingRecord
from clinic_tui.domain.next_steps import NextStep
from clinic_tui.domain.social_care import SocialWorkerAnswer
from clinic_tui.domain.views import PupilViews
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from tests.conftest import PASSPHRASE


def demo_session(workspace: Workspace, clock: ManualClock, profile: str = "demo") -> Session:
    """Create a profile, fill it with the demo school and today's day, and return an open session."""
    workspace.profiles.create(profile, PASSPHRASE)
    vault = workspace.profiles.unlock(profile, PASSPHRASE)
    seed_demo(workspace, vault, clock)
    return Session(workspace, vault, clock)


def complete_meeting(record: MeetingRecord, today: dt.date) -> MeetingRecord:
    """Fill in every required part of a meeting record with synthetic answers."""
    record.add_attendee(Attendee("Parent One", Role.PARENT_CARER))
    record.add_attendee(Attendee("Officer Priya", Role.EWO))
    if record.mode.is_remote:
        record.confirm_line()
    record.confirm_information_sharing()
    if record.has_child_plan:
        record.set_social_worker(SocialWorkerAnswer.will_be_informed("Officer Priya", today))
    for pupil_id in record.pupil_ids:
        record.set_pupil_views(pupil_id, PupilViews.in_own_words("Mornings are hard."))
    record.set_parent_views("We struggle with the bus.")
    record.set_barrier(Barrier.TRANSPORT, "Bus often full")
    record.add_action(Action(OwnerType.PARENT_CARER, "Parent", "Leave ten minutes earlier", today + dt.timedelta(days=7)))
    record.add_action(Action(OwnerType.SCHOOL, "Form tutor", "Morning check-in", today + dt.timedelta(days=3)))
    record.set_attendance_target(95)
    record.set_next_step(NextStep.REVIEW_MEETING)
    return record
