"""``clinic letters``, ``clinic record`` and ``clinic day-summary`` on the demo school.

The files written are read back with pypdf and python-docx. The demo names
include letters outside ASCII, which must come back unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner

from clinic_tui.cli import main
from clinic_tui.domain.attendees import Mode
from clinic_tui.domain.candidates import CandidateFilter
from clinic_tui.domain.prepare import ContactKind, Decision, InvitationReason
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.session import Session
from clinic_tui.services.workspace import Workspace
from tests.conftest import FIXED_START, PASSPHRASE, TEST_CONFIG
from tests.helpers import complete_meeting, demo_session

OFFICER_CONFIG = """\
[general]
officer_name = "Siobhán Dvořák"
officer_phone = "0113 496 0001"
meeting_name = "Working together for Year 9"
"""
NEXT_WEEK = dt.date(2026, 3, 17)
DECISION = Decision("Priya Shah", "Head of year", InvitationReason.PERSISTENT_ABSENCE, dt.date(2026, 3, 9))


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("letters-demo")
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(TEST_CONFIG)
    workspace = Workspace.open(home)
    workspace.locations.ensure()
    demo_session(workspace, ManualClock(FIXED_START)).close()
    return home / "data"


@pytest.fixture
def home(clinic_home: Path, demo_data: Path) -> Path:
    (clinic_home / "config" / "config.toml").write_text(OFFICER_CONFIG + TEST_CONFIG)
    shutil.copytree(demo_data, clinic_home / "data", dirs_exist_ok=True)
    return clinic_home


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def _session(home: Path, clock: ManualClock | None = None) -> Session:
    workspace = Workspace.open(home)
    return Session(workspace, workspace.profiles.unlock("demo", PASSPHRASE), clock or ManualClock(FIXED_START))


def _run(home: Path, passphrase_file: Path, *args: str):
    arguments = ["--home", str(home), *args, "--profile", "demo", "--passphrase-file", str(passphrase_file)]
    return CliRunner().invoke(main, arguments, catch_exceptions=False)


def _pdf_text(path: Path) -> str:
    """Return the PDF's text with every run of white space as one space, because lines wrap mid-name."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([paragraph.text for paragraph in document.paragraphs] + cells).split())


def _plan_accented_families(home: Path, count: int = 2) -> list[tuple[str, ...]]:
    """Invite and schedule families whose names have letters outside ASCII; return their pupil ids."""
    session = _session(home)
    try:
        prepare = session.prepare
        day = prepare.scheduling.create_day(NEXT_WEEK, room="Room 4")
        families: list[tuple[str, ...]] = []
        for row in prepare.candidates(CandidateFilter(persistent=True)):
            name = row.candidate.pupil.display_name
            if name.isascii() or any(set(row.family) & set(family) for family in families):
                continue
            invitation = prepare.decide(row.family, DECISION)
            prepare.scheduling.assign(day, invitation.id, Mode.IN_PERSON)
            families.append(row.family)
            if len(families) == count:
                break
        return families
    finally:
        session.close()


def test_letters_written_as_pdf_and_docx(home, passphrase_file, tmp_path):
    families = _plan_accented_families(home)
    out = tmp_path / "letters"
    result = _run(home, passphrase_file, "letters", "invitation", "--day", "2026-03-17", "--out", str(out),
                  "--as-of", "2026-03-10")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote 2 invitation letters" in result.output

    session = _session(home)
    try:
        pupils = session.prepare.pupils()
        for index, family in enumerate(families, start=1):
            pdf = _pdf_text(out / f"invitation-{index:03d}.pdf")
            word = _docx_text(out / f"invitation-{index:03d}.docx")
            for text in (pdf, word):
                for pupil_id in family:
                    assert pupils[pupil_id].display_name in text
                assert "Working together for Year 9" in text
                assert "Tuesday 17 March 2026" in text
                assert "Siobhán Dvořák" in text
                assert "clinic" not in text.lower()
                assert not pupils[family[0]].display_name.isascii()

            logged = [entry for entry in session.prepare.contacts(family) if entry.kind is ContactKind.LETTER]
            assert [entry.letter_kind for entry in logged] == ["invitation"]
    finally:
        session.close()

    for name in ("Siobhán", "Priya"):
        assert name not in result.output, "the command's output names no one"


def test_letters_large_print(home, passphrase_file, tmp_path):
    _plan_accented_families(home, count=1)
    standard, large = tmp_path / "standard", tmp_path / "large"
    common = ["--day", "17/03/2026", "--as-of", "2026-03-10"]
    assert _run(home, passphrase_file, "letters", "invitation", "--out", str(standard), *common).exit_code == 0
    assert _run(home, passphrase_file, "letters", "invitation", "--out", str(large), "--large-print", *common).exit_code == 0

    # The large-print letter leaves out the offer of a large-print copy and has more pages.
    assert "large print" in _pdf_text(standard / "invitation-001.pdf")
    assert "large print" not in _pdf_text(large / "invitation-001.pdf")
    assert len(pypdf.PdfReader(large / "invitation-001.pdf").pages) > len(
        pypdf.PdfReader(standard / "invitation-001.pdf").pages
    )


def test_letters_gaps_stop_the_batch(home, passphrase_file, tmp_path):
    families = _plan_accented_families(home)

    # The second family loses every contact, so its letter has no one to address.
    session = _session(home)
    try:
        pupils = session.prepare.pupils()
        session.attendance.store_pupils(
            [dataclasses.replace(pupils[pupil_id], contacts=[]) for pupil_id in families[1]]
        )
    finally:
        session.close()

    out = tmp_path / "letters"
    result = _run(home, passphrase_file, "letters", "invitation", "--day", "2026-03-17", "--out", str(out),
                  "--as-of", "2026-03-10")  # fmt: skip
    assert result.exit_code == 1
    assert "no letter was generated" in result.output
    assert result.output.count("letter 2 (slot at 09:30), family.carers:") == 1
    assert "letter 1 " not in result.output
    assert not out.exists(), "nothing is written, not even the folder"

    session = _session(home)
    try:
        assert session.vault.conn.execute("SELECT count(*) FROM contact_log").fetchone()[0] == 0
    finally:
        session.close()


def test_letters_without_decisions_list_every_slot(home, passphrase_file, tmp_path):
    out = tmp_path / "letters"
    result = _run(home, passphrase_file, "letters", "invitation", "--day", "2026-03-10", "--out", str(out),
                  "--as-of", "2026-03-10")  # fmt: skip
    assert result.exit_code == 1
    assert result.output.count("no named decision") == 9
    assert "letter 9 (slot at 14:00)" in result.output
    assert not out.exists()


def test_letters_need_officer_settings(home, passphrase_file, tmp_path):
    _plan_accented_families(home, count=1)
    config = home / "config" / "config.toml"
    config.write_text(TEST_CONFIG)
    out = tmp_path / "letters"
    result = _run(home, passphrase_file, "letters", "invitation", "--day", "2026-03-17", "--out", str(out),
                  "--as-of", "2026-03-10")  # fmt: skip
    assert result.exit_code == 1
    assert str(config) in result.output
    assert "officer_name is empty" in result.output
    assert "officer_phone is empty" in result.output
    assert not out.exists()


def test_letters_unknown_day_or_kind(home, passphrase_file, tmp_path):
    result = _run(home, passphrase_file, "letters", "invitation", "--day", "2026-03-18", "--out", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert "no clinic day on 18/03/2026" in result.output

    result = _run(home, passphrase_file, "letters", "reminder", "--day", "2026-03-10", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    assert "'reminder' is not one of" in result.output


def _finalised_record(home: Path) -> tuple[str, str, str]:
    """Hold and finalise the demo day's first meeting; return the record id, pupil name and draft id."""
    clock = ManualClock(FIXED_START)
    session = _session(home, clock)
    try:
        day = session.days.today()
        first, second = day.slots[0], day.slots[1]
        clock.advance(20 * 60)
        record = session.days.start_meeting(day, first.id)
        complete_meeting(record, FIXED_START.date())
        assert session.days.finalise(record) == []
        session.days.finish_slot(day, first.id)
        draft = session.days.start_meeting(day, second.id)
        name = session.prepare.pupils()[first.family[0]].display_name
        return record.id, name, draft.id
    finally:
        session.close()


def test_record_written(home, passphrase_file, tmp_path):
    record_id, name, _draft = _finalised_record(home)
    out = tmp_path / "records"
    result = _run(home, passphrase_file, "record", record_id, "--out", str(out))
    assert result.exit_code == 0, result.output

    stem = f"meeting-record-2026-03-10-{record_id}-v1"
    assert sorted(path.name for path in out.iterdir()) == [f"{stem}.docx", f"{stem}.pdf"]
    for text in (_pdf_text(out / f"{stem}.pdf"), _docx_text(out / f"{stem}.docx")):
        assert "Attendance meeting record" in text
        assert name in text
        assert record_id in text
        assert "Leave ten minutes earlier" in text
    assert name not in result.output


def test_record_must_be_finalised(home, passphrase_file, tmp_path):
    _record_id, _name, draft_id = _finalised_record(home)
    result = _run(home, passphrase_file, "record", draft_id, "--out", str(tmp_path / "records"))
    assert result.exit_code == 1
    assert f"meeting record {draft_id} is not finalised" in result.output
    assert not (tmp_path / "records").exists()

    result = _run(home, passphrase_file, "record", "no-such-record", "--out", str(tmp_path / "records"))
    assert result.exit_code == 1
    assert "no meeting record with id 'no-such-record'" in result.output


def test_day_summary_is_anonymised(home, passphrase_file, tmp_path):
    _record_id, name, _draft = _finalised_record(home)
    out = tmp_path / "summary"
    result = _run(home, passphrase_file, "day-summary", "--day", "2026-03-10", "--out", str(out))
    assert result.exit_code == 0, result.output

    text = _pdf_text(out / "day-summary-2026-03-10.pdf")
    assert "Summary of attendance meetings on Tuesday 10 March 2026" in text
    assert "Counts only" in text
    assert name not in text
    assert name.split()[-1] not in _docx_text(out / "day-summary-2026-03-10.docx")
