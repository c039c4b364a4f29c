"""The import screen under Pilot: real files on disk imported into a real vault.

Each test pastes the path as a user would, runs the import or the dry run
with its function key, and checks the vault's counts afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest
from textual import events
from textual.widgets import DataTable, ProgressBar, Static, TextArea

from clinic_tui.app import ClinicApp
from clinic_tui.domain.pupil import Pupil
from clinic_tui.domain.upn import make_upn
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.import_data import READ_SHARE, ImportScreen
from clinic_tui.screens.pupils import PupilListScreen
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault
from clinic_tui.widgets.import_run import failure_sentence
from clinic_tui.widgets.path_input import PathSuggester, check_file
from clinic_tui.widgets.pupil_table import PupilTable
from tests.conftest import PASSPHRASE

SIZE = (100, 30)
UPNS = [make_upn(801, 4000, 2019, serial) for serial in range(1, 6)]
PUPIL_HEADER = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Year Group", "Reg Group", "Shoe Size"]
NAMES = [("Nguyễn", "Zoë"), ("Kowalski", "Łukasz"), ("O'Neill", "Siobhán"), ("Patel", "Anaya"), ("Smith", "Jo")]


def pupil_rows() -> list[list[str]]:
    rows = [PUPIL_HEADER]
    for upn, (surname, forename) in zip(UPNS, NAMES):
        rows.append([upn, surname, forename, "04/03/2012", "9", "9NG", "5"])
    return rows


def marks_rows() -> list[list[str]]:
    """One mark per session for every pupil in the week of 2 March 2026, unauthorised on the Tuesday."""
    rows = [["UPN", "Date", "Session", "Mark"]]
    for upn in UPNS:
        for offset in range(5):
            day = dt.date(2026, 3, 2) + dt.timedelta(days=offset)
            for session, present in (("AM", "/"), ("PM", "\\")):
                rows.append([upn, f"{day:%d/%m/%Y}", session, "O" if offset == 1 else present])
    return rows


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\r\n").writerows(rows)
    return path


@pytest.fixture
def vault(workspace: Workspace) -> Vault:
    workspace.profiles.create("alice", PASSPHRASE)
    return workspace.profiles.unlock("alice", PASSPHRASE)


async def wait_until(pilot, condition: Callable[[], bool], description: str, attempts: int = 400) -> None:
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {description}")


async def open_import(app: ClinicApp, pilot) -> ImportScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
    await pilot.press("i")
    await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import screen")
    return app.screen  # type: ignore[return-value]


async def paste_into(pilot, screen: ImportScreen, selector: str, text: str) -> None:
    """Clear the Input and paste ``text`` into it, as a user pastes a path copied from a file manager."""
    field = screen.query_one(selector)
    field.focus()
    await pilot.press("ctrl+u")
    field.post_message(events.Paste(text))
    await pilot.pause()


async def run_key(pilot, screen: ImportScreen, key: str) -> None:
    """Press ``key`` (F2 or F3) and wait until the worker has finished."""
    finished = screen.finished_runs
    await pilot.press(key)
    await wait_until(pilot, lambda: screen.finished_runs > finished, "the worker to finish")
    assert not screen.busy


def summary(screen: ImportScreen) -> str:
    return str(screen.query_one("#import-summary", Static).render())


def report(screen: ImportScreen) -> str:
    return screen.query_one("#import-report", TextArea).text


async def test_good_pupil_list_imported(workspace, vault, fake_clock, tmp_path):
    path = write_csv(tmp_path / "pupils.csv", pupil_rows())
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        assert "Found pupils.csv" in str(screen.query_one("#path-message", Static).render())

        await run_key(pilot, screen, "f3")

        assert app.session.pupil_count() == 5
        assert "Imported: 5 new pupils, 0 updated." in summary(screen)
        assert "The vault now has 5 pupils and 0 marks." in summary(screen)
        assert screen.query_one(ProgressBar).percentage == 1
        assert "Ready to import: 5 pupils." in report(screen)
        assert screen.query_one("#import-path").has_focus

        # The list opened afterwards shows the new pupils without a manual refresh.
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PupilListScreen), "the pupil list")
        await wait_until(pilot, lambda: app.screen.loaded, "the pupils' measures")
        names = [app.screen.query_one(PupilTable).row_texts(pupil_id)[0] for pupil_id in app.screen.shown_ids]
        assert names == ["Kowalski, Łukasz", "Nguyễn, Zoë", "O'Neill, Siobhán", "Patel, Anaya", "Smith, Jo"]


async def test_marks_import_updates_measures(workspace, vault, fake_clock, tmp_path):
    pupils = write_csv(tmp_path / "pupils.csv", pupil_rows())
    marks = write_csv(tmp_path / "marks.csv", marks_rows())
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(pupils))
        await run_key(pilot, screen, "f3")

        await pilot.press("ctrl+t")
        assert screen.kind == "marks"
        await paste_into(pilot, screen, "#import-path", str(marks))
        await run_key(pilot, screen, "f3")

        assert app.session.mark_count() == 50
        assert "Imported: 50 marks stored, 0 of them replacing a different earlier mark." in summary(screen)
        assert screen.query_one(ProgressBar).percentage == 1

        # The service's cached rows already include the new marks.
        rows = {row.pupil.upn: row for row in app.session.attendance.rows()}
        assert rows[UPNS[0]].measures.possible_sessions == 10
        assert rows[UPNS[0]].measures.unauthorised == 2


async def test_bad_pupil_list_stores_nothing(workspace, vault, fake_clock, tmp_path):
    existing = Pupil(upn=UPNS[0], surname="Original", forename="Name", year_group="9")
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        app.session.attendance.store_pupils([existing])
        rows = pupil_rows()
        rows[1][1] = "Changed"       # would update the stored pupil if anything were stored
        rows[2][3] = "31/02/2012"    # line 3, column D: no such date
        rows[4][0] = "X12345"        # line 5, column A: not a UPN
        path = write_csv(tmp_path / "pupils-bad.csv", rows)

        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        await run_key(pilot, screen, "f3")

        assert app.session.pupil_count() == 1
        stored = app.session.attendance.pupils.all()[0][1]
        assert stored.surname == "Original"

        assert "Not imported: 2 errors in pupils-bad.csv. Nothing from the file was stored." in summary(screen)
        text = report(screen)
        assert "pupils-bad.csv, line 3, column D (Date of Birth): value '31/02/2012'" in text
        assert "pupils-bad.csv, line 5, column A (UPN): value 'X12345'" in text
        assert "import the file again" in text
        # The reader fed the bar to the end of the file; nothing was stored after it.
        assert screen.query_one(ProgressBar).progress == READ_SHARE


async def test_bad_marks_file_stores_nothing(workspace, vault, fake_clock, tmp_path):
    pupils = write_csv(tmp_path / "pupils.csv", pupil_rows())
    rows = marks_rows()
    rows[7][3] = "Q9"  # line 8, column D: not an attendance code
    marks = write_csv(tmp_path / "marks-bad.csv", rows)
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(pupils))
        await run_key(pilot, screen, "f3")
        await pilot.press("ctrl+t")
        await paste_into(pilot, screen, "#import-path", str(marks))
        await run_key(pilot, screen, "f3")

        assert app.session.pupil_count() == 5
        assert app.session.mark_count() == 0
        assert "Not imported: 1 error in marks-bad.csv." in summary(screen)
        assert "marks-bad.csv, line 8, column D (Mark): value 'Q9'" in report(screen)


async def test_dry_run_shows_columns(workspace, vault, fake_clock, tmp_path):
    rows = [[cell for index, cell in enumerate(row) if index != 2] for row in pupil_rows()]
    path = write_csv(tmp_path / "no-forename.csv", rows)
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        await run_key(pilot, screen, "f2")

        assert app.session.pupil_count() == 0
        assert "no-forename.csv: 5 of 6 columns recognised, 1 ignored." in summary(screen)
        assert "Missing for a pupil list: Legal Forename." in summary(screen)

        table = screen.query_one("#import-columns", DataTable)
        rows_shown = [[cell.plain for cell in table.get_row_at(index)] for index in range(table.row_count)]
        assert rows_shown[0] == ["A", "UPN", "UPN"]
        assert rows_shown[-1] == ["F", "Shoe Size", "ignored"]


async def test_dry_run_marks_layout(workspace, vault, fake_clock, tmp_path):
    path = write_csv(tmp_path / "marks.csv", marks_rows())
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await pilot.press("ctrl+t")
        await paste_into(pilot, screen, "#import-path", str(path))
        await run_key(pilot, screen, "f2")

        assert "Every column marks as one mark per row needs is there." in summary(screen)
        assert app.session.mark_count() == 0


async def test_missing_file_not_imported(workspace, vault, fake_clock, tmp_path):
    missing = tmp_path / "nowhere" / "pupils.csv"
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(missing))
        await pilot.press("f3")
        await pilot.pause()

        message = str(screen.query_one("#path-message", Static).render())
        assert message == f"No file at {missing}. Check the folder and the name; → accepts a suggested path."
        assert not screen.busy
        assert app.session.pupil_count() == 0


async def test_bad_mapping_file_named(workspace, vault, fake_clock, tmp_path):
    path = write_csv(tmp_path / "pupils.csv", pupil_rows())
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[pupils]\nupn = "Pupil Ref\n', encoding="utf-8")
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        await paste_into(pilot, screen, "#import-mapping", str(mapping))
        await run_key(pilot, screen, "f3")

        text = summary(screen)
        assert text.startswith("The mapping file cannot be used: mapping.toml, line 2")
        assert "Nothing from the file was stored." in text
        assert app.session.pupil_count() == 0


async def test_old_excel_file_explained(workspace, vault, fake_clock, tmp_path):
    path = tmp_path / "pupils.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(508))
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        await run_key(pilot, screen, "f2")

        text = summary(screen)
        assert "pupils.xls cannot be read: the file is an Excel 97-2003 workbook (.xls)" in text
        assert "save it as an Excel Workbook (.xlsx)" in text


async def test_xlsx_import_reaches_full_bar(workspace, vault, fake_clock, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(PUPIL_HEADER)
    for number in range(1200):
        # A UPN serial runs to 999 within one year of issue, so the rest use the next year.
        upn = make_upn(801, 4000, 2019 + number // 1000, number % 1000)
        sheet.append([upn, f"Surname{number}", "Test", "04/03/2012", "9", "9A", ""])
    path = tmp_path / "pupils.xlsx"
    workbook.save(path)

    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", str(path))
        await run_key(pilot, screen, "f3")

        assert "Imported: 1,200 new pupils" in summary(screen), report(screen)
        assert app.session.pupil_count() == 1200
        assert screen.query_one(ProgressBar).percentage == 1
        assert str(screen.query_one("#progress-label", Static).render()) == "Imported."


async def test_escape_returns_home(workspace, vault, fake_clock):
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_import(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")


# -- path checks and completion ------------------------------------------------


async def test_path_suggester_completes(tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "pupils-2026.csv").write_text("UPN\n")
    (tmp_path / "exports" / ".hidden.csv").write_text("UPN\n")
    suggester = PathSuggester()

    assert await suggester.get_suggestion(f"{tmp_path}{os.sep}exp") == f"{tmp_path}{os.sep}exports{os.sep}"
    assert await suggester.get_suggestion(f"{tmp_path}{os.sep}exports{os.sep}pu") == str(
        tmp_path / "exports" / "pupils-2026.csv"
    )
    assert await suggester.get_suggestion(f"{tmp_path}{os.sep}exports{os.sep}") == str(
        tmp_path / "exports" / "pupils-2026.csv"
    )
    assert await suggester.get_suggestion(f"{tmp_path}{os.sep}exports{os.sep}.h") == str(
        tmp_path / "exports" / ".hidden.csv"
    )
    assert await suggester.get_suggestion(f"{tmp_path}{os.sep}nothing-like-this") is None


async def test_typed_path_completes_in_input(workspace, vault, fake_clock, tmp_path):
    path = write_csv(tmp_path / "pupils-from-mis.csv", pupil_rows())
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_import(app, pilot)
        await paste_into(pilot, screen, "#import-path", f"{tmp_path}{os.sep}")
        await pilot.press(*"pupils-fr")
        path_input = screen.query_one("#import-path")
        await wait_until(pilot, lambda: path_input._suggestion == str(path), "the suggestion")
        await pilot.press("right")
        assert path_input.value == str(path)


def test_check_file_messages(tmp_path):
    assert check_file("").message == "Type the path of the file."
    assert check_file("", optional=True).ok is False
    assert check_file("", optional=True).message == ""
    assert check_file(str(tmp_path)).message == f"{tmp_path} is a folder. Add the name of the file after it."
    found = tmp_path / "a.csv"
    found.write_text("UPN\n")
    assert check_file(str(found)).path == found.resolve()
    assert check_file(str(found)).message == "Found a.csv, 4 bytes."


def test_failure_sentence_after_storing():
    error = RuntimeError("vault closed")
    stored = failure_sentence("import", "marks.csv", error, stored=True)
    assert stored.startswith("The import stopped with an unexpected error (RuntimeError).")
    assert "The file was stored" in stored
    assert "Nothing from the file was stored." in failure_sentence("import", "marks.csv", error, stored=False)
    assert "A dry run stores nothing." in failure_sentence("dry run", "marks.csv", error, stored=False)


def test_failure_sentence_missing_permission(tmp_path):
    error = PermissionError(13, "Permission denied", str(tmp_path / "marks.csv"))
    sentence = failure_sentence("import", "marks.csv", error, stored=False)
    assert sentence == (
        f"{tmp_path / 'marks.csv'} cannot be opened (Permission denied). "
        "Check that it exists and that you can read it, then try again. Nothing from the file was stored."
    )
