"""The built wheel carries the theme files and the console script."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_with_themes(tmp_path):
    wheel_dir = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_dir), str(ROOT)],
        check=True,
    )
    wheel = next(wheel_dir.glob("clinic_day-*.whl"))

    env_dir = tmp_path / "fresh-env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True)

    # Dependencies come from this test run's environment; the package itself
    # must come from the wheel, so run from a folder outside the checkout.
    dependencies = sysconfig.get_paths()["purelib"]
    probe = (
        "import clinic_tui, clinic_tui.themes as t\n"
        "loaded, problems = t.discover_themes(None)\n"
        "print(clinic_tui.__file__)\n"
        "print(sorted(item.theme.name for item in loaded))\n"
        "print(problems)\n"
    )
    result = subprocess.run(
        [python, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": dependencies, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    location, names, problems = result.stdout.splitlines()
    assert str(env_dir) in location
    assert names == "['clinic-dark', 'clinic-high-contrast', 'clinic-light']"
    assert problems == "[]"
    assert (env_dir / "bin" / "clinic").exists()
