"""SIGKILL the app while an officer types into a meeting, and check that nothing older than a second is lost.

A child process runs the real app headless on one shared profile. The app
reopens the meeting where the last run left it (the resume point), and the
child types into the pupil's words with the pilot. After each key it
appends the time and the whole text on screen to a progress file. The test
kills the child with SIGKILL at a random moment, sometimes before typing
starts. It then opens the vault itself and checks that SQLite finds it
intact and that the stored words start with everything that was on screen
more than ``SAVE_WINDOW`` seconds before the kill.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic_tui.domain.steps import StepId
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.demo import seed_demo
from clinic_tui.services.session import Session
from tests.conftest import FIXED_START, PASSPHRASE

KILLS = 50
SAVE_WINDOW = 1.0
"""Seconds: the screen promises that every change reaches the vault within this time."""

SENTENCE = "the bus is late so I miss registration, and then I get a detention. "

CHILD = """
import asyncio, datetime as dt, json, os, sys, time

from clinic_tui.app import ClinicApp
from clinic_tui.screens.meeting import MeetingScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.workspace import Workspace
from textual.widgets import TextArea

home, progress_path, text, passphrase, start = sys.argv[1:6]
progress = os.open(progress_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def report(kind, value):
    os.write(progress, (json.dumps([kind, time.monotonic(), value]) + "\\n").encode())


workspace = Workspace.open(home)
vault = workspace.profiles.unlock("officer", passphrase)
app = ClinicApp(workspace, vault=vault, clock=ManualClock(dt.datetime.fromisoformat(start)))


async def type_words(pilot):
    while not isinstance(pilot.app.screen, MeetingScreen):
        await pilot.pause(0.02)
    await pilot.pause()
    words = pilot.app.screen.query_one("#step-pupil_views TextArea", TextArea)
    words.focus()
    words.move_cursor(words.document.end)
    report("ready", words.text)
    for char in text:
        await pilot.press(char)
        report("typed", words.text)
    report("done", words.text)
    await asyncio.sleep(60)


app.run(headless=True, size=(100, 30), auto_pilot=type_words)
"""


@pytest.fixture
def meeting_home(workspace, tmp_path):
    """One profile with the demo day and a meeting open at the pupil's views step."""
    workspace.profiles.create("officer", PASSPHRASE)
    clock = ManualClock(FIXED_START)
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    try:
        seed_demo(workspace, vault, clock)
        days = Session(workspace, vault, clock).days
        day = days.today()
        record = days.start_meeting(day, day.slots[0].id)
        days.set_resume(record.id, StepId.PUPIL_VIEWS)
    finally:
        vault.close()
    return workspace, record.id, record.pupil_ids[0]


def _read_progress(path: Path) -> list[tuple[str, float, str]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    # A kill can cut the last line short, but every complete line is valid JSON.
    return [tuple(json.loads(line)) for line in lines if line.endswith("]")]


def _stored_words(workspace, record_id: str, pupil_id: str) -> tuple[str, str, tuple | None]:
    """Open the vault as the next start would, and return the integrity check, the words and the resume point."""
    vault = workspace.profiles.unlock("officer", PASSPHRASE)
    try:
        (integrity,) = vault.conn.execute("PRAGMA integrity_check").fetchone()
        days = Session(workspace, vault, ManualClock(FIXED_START)).days
        views = days.load_record(record_id).pupil_views.get(pupil_id)
        return integrity, views.words if views else "", days.resume_point()
    finally:
        vault.close()


@pytest.mark.slow
def test_sigkill_loses_nothing_older_than_save_window(meeting_home, clinic_home, tmp_path):
    workspace, record_id, pupil_id = meeting_home
    home = str(clinic_home)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    chance = random.Random(20260310)
    environment = {**os.environ, "CLINIC_HOME": home}
    environment.pop("NO_COLOR", None)

    stored = ""
    kills_while_typing = 0
    for run in range(KILLS):
        progress_path = tmp_path / f"progress-{run}.jsonl"
        text = SENTENCE[run % 7 :] + f"({run}) "
        child = subprocess.Popen(
            [sys.executable, str(script), home, str(progress_path), text, PASSPHRASE, FIXED_START.isoformat()],
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            # One run in eight is killed before typing starts: during start-up, unlocking or mounting.
            if chance.random() < 0.125:
                time.sleep(chance.uniform(0.05, 1.5))
            else:
                _wait_until_ready(child, progress_path)
                time.sleep(chance.uniform(0.0, 2.0))
        finally:
            killed_at = time.monotonic()
            os.kill(child.pid, signal.SIGKILL)
            _, errors = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, f"run {run}: the child ended by itself:\n{errors.decode()}"

        progress = _read_progress(progress_path)
        shown_before = [value for kind, at, value in progress if at <= killed_at - SAVE_WINDOW]
        must_have = shown_before[-1] if shown_before else stored
        kills_while_typing += any(kind == "typed" for kind, _, _ in progress)

        integrity, words, resume = _stored_words(workspace, record_id, pupil_id)
        assert integrity == "ok", f"run {run}: integrity check says {integrity!r}"
        assert resume == (record_id, StepId.PUPIL_VIEWS), f"run {run}: resume point is {resume}"
        assert words.startswith(must_have), (
            f"run {run}: the vault lost text that was on screen {SAVE_WINDOW} s before the kill: "
            f"stored {len(words)} characters, expected at least {len(must_have)}"
        )
        # Nothing is invented or reordered: the vault contains the earlier text and part of this run's.
        assert (stored + text).startswith(words), f"run {run}: the vault holds text that was never typed"
        stored = words

    assert kills_while_typing >= KILLS // 2, "too few kills landed while typing to test the save window"


def _wait_until_ready(child: subprocess.Popen, progress_path: Path, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(kind == "ready" for kind, _, _ in _read_progress(progress_path)):
            return
        if child.poll() is not None:
            _, errors = child.communicate()
            raise AssertionError(f"the app ended before the meeting opened:\n{errors.decode()}")
        time.sleep(0.02)
    raise AssertionError(f"the meeting did not open within {limit:.0f} s")
