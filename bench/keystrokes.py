"""Keystroke latency of the meeting form against a bare Textual Input, and peak memory through a day.

Latency: the same keys go, one at a time, into a text field of an open
meeting and into a bare Textual Input in an app with nothing else on
screen. The meeting field is a barrier's notes, which the screen stores in
the record on every key and autosaves to a real vault. A key's time runs
from handing the key event to the app until the last message it causes
has been dispatched. In the bare app that is the ``Input.Changed`` that
bubbles up to the app. In the meeting the step stops the field's
``Input.Changed`` (nothing above it needs it) and posts ``StepPane.Edited``
to the meeting screen, so both of those are waited for. The next key goes
as soon as the last one is done, so a throttled autosave or a screen
refresh lands on whichever key it delays. Pilot's own ``press`` is not
used for timing because it waits on every widget of the screen after each
key, which measures Pilot rather than the app.

NOTE: keys go in faster than a person types, so about one key in twenty
also pays for a frame: Textual repaints at most 60 times a second, and a
frame's cost grows with the number of widgets that share the typed
field's scrolling container. The 95th percentile sits near the line
between keys that paid for a frame and keys that did not, so it moves
with the median as well as with the frame.

Memory: a fresh process (so that seeding the demo school does not count)
opens the demo day grown to 20 slots and runs each meeting through all ten
steps with some typing in each, then reports the peak resident set size
(``ru_maxrss``).

Usage: python bench/keystrokes.py [--keys 1000] [--slots 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Running this file puts bench/ first on sys.path, where bench/sync.py would shadow the sync package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

from textual import events  # noqa: E402
from textual._context import active_message_pump  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.message import Message  # noqa: E402
from textual.widgets import Input  # noqa: E402

from clinic_tui.app import ClinicApp  # noqa: E402
from clinic_tui.domain.attendees import Mode  # noqa: E402
from clinic_tui.domain.barriers import Barrier  # noqa: E402
from clinic_tui.domain.steps import StepId  # noqa: E402
from clinic_tui.screens.meeting import MeetingScreen  # noqa: E402
from clinic_tui.screens.meeting.base import StepPane  # noqa: E402
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock  # noqa: E402
from clinic_tui.services.demo import seed_demo  # noqa: E402
from clinic_tui.services.workspace import Workspace  # noqa: E402
from clinic_tui.widgets.tick_list import TickList  # noqa: E402

PASSPHRASE = "benchmark passphrase 2026"
SIZE = (100, 30)
TEXT = "Walks to school with a friend, but the bus is often late on Mondays. "
START = dt.datetime(2026, 3, 10, 8, 45, tzinfo=LOCAL_ZONE)


class BareInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="bare")


class KeyTimer:
    """Time keys until every chosen (message type, receiving node type) pair caused by the key is dispatched."""

    def __init__(self, *endpoints: tuple[type[Message], type]) -> None:
        self.endpoints = endpoints
        self.seen: set[int] = set()
        self.done = asyncio.Event()

    def hook(self, message: Message) -> None:
        """Note the message. Textual calls this as a node starts dispatching it."""
        # Each node runs its own task, so the active pump is the node receiving the message.
        receiver = active_message_pump.get(None)
        for index, (message_type, where) in enumerate(self.endpoints):
            if isinstance(message, message_type) and isinstance(receiver, where):
                self.seen.add(index)
        if len(self.seen) == len(self.endpoints):
            self.done.set()

    async def type(self, app: App, keys: str) -> list[float]:
        times = []
        for char in keys:
            self.done.clear()
            self.seen.clear()
            key = "space" if char == " " else char
            started = time.perf_counter()
            app._driver.send_message(events.Key(key, char))
            await asyncio.wait_for(self.done.wait(), timeout=10)
            times.append(time.perf_counter() - started)
        return times


def _keys(count: int) -> str:
    return (TEXT * (count // len(TEXT) + 1))[:count]


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def _workspace(root: Path) -> Workspace:
    home = root / "home"
    (home / "config").mkdir(parents=True)
    # The benchmark is about typing, not unlocking, so the key derivation is kept short.
    (home / "config" / "config.toml").write_text("[security]\nkdf_target_ms = 1\n")
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    workspace.profiles.create("bench", PASSPHRASE)
    return workspace


async def bare_latency(keys: str) -> list[float]:
    timer = KeyTimer((Input.Changed, App))
    app = BareInput()
    async with app.run_test(size=SIZE, message_hook=timer.hook) as pilot:
        app.query_one(Input).focus()
        await pilot.pause()
        return await timer.type(app, keys)


async def meeting_latency(workspace: Workspace, keys: str) -> tuple[list[float], int]:
    """Type into a barrier's notes in a real meeting, and return the times and the stored length."""
    clock = ManualClock(START)
    vault = workspace.profiles.unlock("bench", PASSPHRASE)
    seed_demo(workspace, vault, clock)
    app = ClinicApp(workspace, vault=vault, clock=clock)
    timer = KeyTimer((StepPane.Edited, MeetingScreen), (Input.Changed, StepPane))
    async with app.run_test(size=SIZE, message_hook=timer.hook) as pilot:
        days = app.session.days
        day = days.today()
        record = days.start_meeting(day, day.slots[0].id)
        # Pushed from the app's own task, the screen's widgets inherit the message hook.
        app.call_later(app.push_screen, MeetingScreen(record.id, StepId.BARRIERS))
        while not isinstance(app.screen, MeetingScreen):
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        app.screen.query_one("#barrier-list", TickList).highlight(Barrier.TRANSPORT.value)
        await pilot.pause()
        app.screen.query_one("#barrier-notes", Input).focus()
        await pilot.pause()

        times = await timer.type(app, keys)
        app.screen.save_now()
        stored = days.store.load_record(record.id)
        notes = {entry.barrier: entry.notes for entry in stored.barriers}[Barrier.TRANSPORT]

        # Leave the day as the timeline would, so the memory run can start the next slot.
        days.finish_slot(days.load(day.id), day.slots[0].id)
        days.clear_resume()
        return times, len(notes)


def day_memory_in_child(workspace: Workspace, slots: int) -> tuple[int, int]:
    """Run ``day_memory`` in a fresh Python process and return its two RSS figures in KiB."""
    home = str(workspace.locations.config_file.parent.parent)
    result = subprocess.run(
        [sys.executable, __file__, "--memory-run", home, "--slots", str(slots)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"the memory run failed:\n{result.stderr}")
    start_rss, peak_rss = result.stdout.split()[-2:]
    return int(start_rss), int(peak_rss)


async def day_memory(workspace: Workspace, slots: int) -> tuple[int, int]:
    """Run a day of ``slots`` meetings in one app, and return the RSS after start-up and the peak, in KiB."""
    clock = ManualClock(START)
    vault = workspace.profiles.unlock("bench", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        after_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        days = app.session.days
        day = days.today()
        families = [row.id for row in app.session.attendance.rows()]
        index = 0
        while len(day.slots) < slots + 1:
            family = families[index]
            index += 1
            if any(family in slot.family for slot in day.slots):
                continue
            days.add_slot(day, [family], Mode.IN_PERSON)

        for slot in list(day.slots[1 : slots + 1]):
            record = days.start_meeting(day, slot.id)
            # The app may have reopened an earlier meeting underneath, so screens are compared by identity.
            meeting = MeetingScreen(record.id, StepId.ATTENDEES)
            app.push_screen(meeting)
            while app.screen is not meeting:
                await pilot.pause(0.05)
            await pilot.press(*"Alex Doe", "f8", "space", "f8", "f8", *"Fine", "f8", *"Busy mornings")
            for _ in range(5):
                await pilot.press("f8")
            await pilot.press("escape")
            while app.screen is meeting:
                await pilot.pause(0.05)
            day = days.load(day.id)
            days.finish_slot(day, slot.id)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return after_start, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1000, help="keypresses per field (default 1000)")
    parser.add_argument("--slots", type=int, default=20, help="meetings in the memory run (default 20)")
    parser.add_argument("--memory-run", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    keys = _keys(args.keys)

    if args.memory_run:
        start_rss, peak_rss = asyncio.run(day_memory(Workspace.open(args.memory_run), args.slots))
        print(start_rss, peak_rss)
        return

    with tempfile.TemporaryDirectory() as folder:
        workspace = _workspace(Path(folder))
        print(f"keys per field: {len(keys)}", flush=True)

        bare_median, bare_p95 = _summary(asyncio.run(bare_latency(keys)))
        print(f"bare Textual Input:  median {bare_median * 1000:.2f} ms, 95th percentile {bare_p95 * 1000:.2f} ms", flush=True)

        meeting, saved = asyncio.run(meeting_latency(workspace, keys))
        if saved != len(keys):
            sys.exit(f"the vault holds {saved} of the {len(keys)} characters typed, so the run is invalid")
        meeting_median, meeting_p95 = _summary(meeting)
        print(f"meeting form field:  median {meeting_median * 1000:.2f} ms, 95th percentile {meeting_p95 * 1000:.2f} ms")
        print(f"ratio of 95th percentiles: {meeting_p95 / bare_p95:.2f} (target at most 1.5)", flush=True)

        start_rss, peak_rss = day_memory_in_child(workspace, args.slots)
        print(
            f"peak RSS through a {args.slots}-slot day: {peak_rss / 1024:.0f} MB "
            f"(after start-up {start_rss / 1024:.0f} MB, target under 150 MB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
