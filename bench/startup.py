"""Cold start of `clinic` to its first interactive screen, against a bare Textual app.

Each run is a fresh Python process, so imports are cold for both. The clinic
run goes through the real command line (`clinic --home DIR`) and stops when
the profile chooser is ready for keys. The baseline is a bare Textual app
with the same widgets (a container, a label, an option list, a text line and
a footer) that stops at the same point. Runs alternate so that drift in the
machine affects both sides alike.

Unlocking is reported on its own: Argon2id is tuned to cost about half a
second on purpose, so it is not part of start-up.

Usage: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLINIC_CHILD = """
import sys
from textual.app import App

def run_until_ready(self, *args, **kwargs):
    async def stop_when_ready(pilot):
        await pilot.pause()
        pilot.app.exit()
    return App.run(self, headless=True, auto_pilot=stop_when_ready)

from clinic_tui.app import ClinicApp
ClinicApp.run = run_until_ready
from clinic_tui.cli import main
main(["--home", sys.argv[1]], standalone_mode=False)
"""

BARE_CHILD = """
from textual.app import App
from textual.containers import Vertical
from textual.widgets import Footer, Label, OptionList, Static

class Bare(App):
    def compose(self):
        with Vertical():
            yield Label("Choose your profile")
            yield OptionList("bench")
            yield Static("hint")
        yield Footer()

async def stop_when_ready(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, auto_pilot=stop_when_ready)
"""


def time_child(code: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    return time.perf_counter() - start


def measure_unlock(home: Path) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from clinic_tui.services.workspace import Workspace

    workspace = Workspace.open(home)
    start = time.perf_counter()
    workspace.profiles.unlock("bench", "benchmark passphrase").close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each side (at least 7)")
    args = parser.parse_args()
    runs = max(args.runs, 7)

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        subprocess.run(
            [sys.executable, "-m", "clinic_tui", "--home", str(home), "profile", "create", "bench"],
            input="benchmark passphrase\n", text=True, check=True, capture_output=True,
        )
        time_child(CLINIC_CHILD, str(home))  # warm the file cache for both sides
        time_child(BARE_CHILD)

        clinic, bare = [], []
        for _ in range(runs):
            clinic.append(time_child(CLINIC_CHILD, str(home)))
            bare.append(time_child(BARE_CHILD))
        unlock = statistics.median(measure_unlock(home) for _ in range(3))

    clinic_median, bare_median = statistics.median(clinic), statistics.median(bare)
    print(f"runs per side:            {runs}")
    print(f"clinic to profile chooser: median {clinic_median * 1000:.0f} ms")
    print(f"bare Textual app:          median {bare_median * 1000:.0f} ms")
    print(f"ratio (target <= 1.3):     {clinic_median / bare_median:.2f}")
    print(f"unlock (Argon2id, separate): median {unlock * 1000:.0f} ms")


if __name__ == "__main__":
    main()
