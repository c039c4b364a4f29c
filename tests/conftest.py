"""Shared fixtures: a private clinic home per test, with a fast key derivation.

Argon2id keeps its 64 MiB floor in tests; only the calibrated iteration
count drops (``kdf_target_ms = 1`` gives the minimum of 2 iterations).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clinic_tui.domain.pupil import Contact, Pupil, SenStatus
from clinic_tui.services.clock import LOCAL_ZONE, ManualClock
from clinic_tui.services.workspace import Workspace

PASSPHRASE = "correct horse battery staple"
TEST_CONFIG = """\
[security]
kdf_target_ms = 1
idle_lock_minutes = 5
"""


FIXED_START = dt.datetime(2026, 3, 10, 8, 45, tzinfo=LOCAL_ZONE)


@pytest.fixture
def clinic_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "clinic-home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    monkeypatch.setenv("CLINIC_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture
def workspace(clinic_home: Path) -> Workspace:
    ws = Workspace.open(clinic_home)
    ws.locations.ensure()
    return ws


@pytest.fixture
def fake_clock() -> ManualClock:
    """A clock fixed at 08:45 on Tuesday 10 March 2026 that moves only when a test advances it."""
    return ManualClock(FIXED_START)


def sample_pupil(upn: str = "A823456789012", surname: str = "Nguyễn", forename: str = "Zoë") -> Pupil:
    return Pupil(
        upn=upn,
        surname=surname,
        forename=forename,
        date_of_birth=dt.date(2012, 3, 4),
        year_group="9",
        sen=SenStatus.SEN_SUPPORT,
        contacts=[Contact(name="Łukasz Ó Briain", relationship="Father", telephone="07700 900123")],
    )
