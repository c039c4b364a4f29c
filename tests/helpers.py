"""Builders shared by tests: a demo session on a fixed school day, and a complete meeting."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

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
from clinic_tui.store.vault import Vault
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG


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


Seeder = Callable[[Workspace, Vault, ManualClock], object]


def seeded_home(home: Path, *seeders: Seeder) -> Path:
    """Make a clinic home with the test config and an "officer" profile, filled by each seeder at FIXED_START.

    Seeding the demo school takes seconds, so a test module seeds one home
    and each test copies it with ``copy_home``.
    """
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    workspace.profiles.create("officer", PASSPHRASE)
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    try:
        clock = ManualClock(FIXED_START)
        for seeder in seeders:
            seeder(workspace, vault, clock)
    finally:
        vault.close()
    return home


def copy_home(template: Path, clinic_home: Path) -> Workspace:
    """Replace ``clinic_home`` with a copy of a seeded home, and open it."""
    shutil.rmtree(clinic_home)
    shutil.copytree(template, clinic_home)
    return Workspace.open(clinic_home)


async def wait_for(pilot, condition: Callable[[], bool], description: str, attempts: int = 400) -> None:
    """Let the app run until ``condition`` is true, or fail after about 20 seconds naming ``description``."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {description}")
