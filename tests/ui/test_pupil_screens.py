"""The pupil list and the pupil view under Pilot, on a real vault with synthetic pupils.

The vault contains a small demo school generated for Tuesday 10 March 2026 and
two hand-written pupils whose marks are known cell by cell.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rich.console import Console
from textual.coordinate import Coordinate
from textual.widgets import Input, Select, Static, TabbedContent

from clinic_tui.app import ClinicApp
from clinic_tui.domain.attendance import early_warning
from clinic_tui.domain.demo_school import generate_school
from clinic_tui.domain.pupil import Contact, Mark, Pupil, SenStatus, Session
from clinic_tui.domain.upn import make_upn
from clinic_tui.screens.home import HomeScreen
from clinic_tui.screens.pupil_detail import PupilScreen
from clinic_tui.screens.pupils import PupilListScreen
from clinic_tui.services.attendance import School
from clinic_tui.services.clock import ManualClock
from clinic_tui.services.session import Session as ClinicSession
from clinic_tui.services.workspace import Workspace
from clinic_tui.store.vault import Vault
from clinic_tui.widgets.filter_panel import FilterPanel
from clinic_tui.widgets.pupil_query import fold, year_rank
from clinic_tui.widgets.pupil_table import PupilTable
from clinic_tui.widgets.register_grid import CellKind, RegisterGrid
from tests.conftest import PASSPHRASE

SIZE = (100, 30)
DEMO_PUPILS = 40

# The week of 2 March 2026 is a full school week before the fixed clock's date.
KNOWN_WEEK = dt.date(2026, 3, 2)
KNOWN_WEEK_MARKS = ("/", "\\", "N", "N", "I", "I", "L", "\\", None, "V")
NGUYEN_UPN = make_upn(801, 4000, 2019, 901)
THRESHOLD_UPN = make_upn(801, 4000, 2019, 902)


@dataclass(frozen=True)
class Seeded:
    vault: Vault
    nguyen_id: str
    threshold_id: str


def _known_pupils() -> list[Pupil]:
    nguyen = Pupil(
        upn=NGUYEN_UPN,
        surname="Nguyễn",
        forename="Zoë",
        date_of_birth=dt.date(2012, 3, 4),
        year_group="9",
        reg_group="9NG",
        sen=SenStatus.SEN_SUPPORT,
        contacts=[
            Contact(
                name="Łukasz Ó Briain",
                relationship="Father",
                telephone="07700 900123",
                language="Polish",
                needs_interpreter=True,
            )
        ],
    )
    threshold = Pupil(upn=THRESHOLD_UPN, surname="Zielinski", forename="Tomasz", year_group="10", reg_group="10Z")
    return [nguyen, threshold]


def _known_marks() -> list[Mark]:
    marks = []
    for index, code in enumerate(KNOWN_WEEK_MARKS):
        if code is not None:
            day = KNOWN_WEEK + dt.timedelta(days=index // 2)
            marks.append(Mark(NGUYEN_UPN, day, (Session.AM, Session.PM)[index % 2], code))
    # Monday 9 March is before the clock's date; Tuesday 10 March has no register yet.
    marks.append(Mark(NGUYEN_UPN, dt.date(2026, 3, 9), Session.AM, "/"))
    marks.append(Mark(NGUYEN_UPN, dt.date(2026, 3, 9), Session.PM, "\\"))

    # Five whole days of O in February: 10 unauthorised sessions in 10 school weeks.
    for day in (2, 3, 4, 5, 6):
        for session in Session:
            marks.append(Mark(THRESHOLD_UPN, dt.date(2026, 2, day), session, "O"))
    marks.append(Mark(THRESHOLD_UPN, dt.date(2026, 2, 9), Session.AM, "M"))
    return marks


def seed_vault(workspace: Workspace, clock: ManualClock, pupils: int = DEMO_PUPILS) -> Seeded:
    """Create a profile holding a small demo school and the two known pupils, without a clinic day."""
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    session = ClinicSession(workspace, vault, clock)
    attendance = session.attendance

    school = generate_school(clock.now().date(), pupils=pupils)
    attendance.set_school(School(school.school.name, school.school.urn))
    attendance.store_pupils([*school.pupils, *_known_pupils()])
    attendance.store_marks([*school.all_marks(), *_known_marks()])

    ids = attendance.pupils.ids_by_upn()
    return Seeded(vault, ids[NGUYEN_UPN], ids[THRESHOLD_UPN])


@pytest.fixture
def seeded(workspace: Workspace, fake_clock: ManualClock) -> Seeded:
    return seed_vault(workspace, fake_clock)


async def wait_until(pilot, condition: Callable[[], bool], description: str, attempts: int = 200) -> None:
    """Let the app run until ``condition`` holds; fail naming ``description`` if it never does."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {description}")


async def open_list(app: ClinicApp, pilot) -> PupilListScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "the home screen")
    await pilot.press("p")
    await wait_until(pilot, lambda: isinstance(app.screen, PupilListScreen), "the pupil list")
    await wait_until(pilot, lambda: app.screen.loaded, "the pupils' measures")
    return app.screen  # type: ignore[return-value]


def _status(screen) -> str:
    return str(screen.query_one("#pupils-status", Static).render())


def static_text(static: Static, width: int = 100) -> str:
    """Render a Static's content, which may be a Rich table, as plain text."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(static.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _rows_by_id(app: ClinicApp):
    return {row.id: row for row in app.session.attendance.rows()}


# -- pupil list ---------------------------------------------------------------


async def test_list_shows_every_pupil(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        table = screen.query_one(PupilTable)

        assert table.row_count == DEMO_PUPILS + 2
        assert f"Showing {DEMO_PUPILS + 2} of {DEMO_PUPILS + 2} pupils" in _status(screen)
        cells = table.row_texts(seeded.nguyen_id)
        assert cells[0] == "Nguyễn, Zoë"
        assert cells[3:6] == ["63.6", "11", "2"]
        assert cells[-1] == "PE"


async def test_sort_cycles_and_reverses(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        rows = _rows_by_id(app)

        def shown():
            return [rows[pupil_id] for pupil_id in screen.shown_ids]

        await pilot.press("s")
        years = [year_rank(row.pupil.year_group) for row in shown()]
        assert years == sorted(years)
        assert "sorted by year, lowest first" in _status(screen)

        await pilot.press("s")
        rates = [row.measures.attendance_rate for row in shown()]
        assert rates == sorted(rates)
        assert rates[0] < rates[-1]

        await pilot.press("r")
        rates = [row.measures.attendance_rate for row in shown()]
        assert rates == sorted(rates, reverse=True)
        assert "attendance %, highest first" in _status(screen)

        await pilot.press("s")
        unauthorised = [row.measures.unauthorised for row in shown()]
        assert unauthorised == sorted(unauthorised, reverse=True)
        assert unauthorised[0] > 0

        await pilot.press("s")
        broken = [row.measures.broken_weeks_recent for row in shown()]
        assert broken == sorted(broken, reverse=True)

        await pilot.press("s")
        surnames = [row.pupil.surname.casefold() for row in shown()]
        assert surnames[0] <= surnames[-1]
        assert "sorted by name, A to Z" in _status(screen)


async def test_header_click_sorts(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        table = screen.query_one(PupilTable)
        offset = 0
        for key, column in table.columns.items():
            if key.value == "unauthorised":
                break
            offset += column.get_render_width(table)

        await pilot.click(PupilTable, offset=(offset + 2, 0))
        await wait_until(pilot, lambda: "unauthorised sessions, highest first" in _status(screen), "the sort")
        rows = _rows_by_id(app)
        unauthorised = [rows[pupil_id].measures.unauthorised for pupil_id in screen.shown_ids]
        assert unauthorised == sorted(unauthorised, reverse=True)

        await pilot.click(PupilTable, offset=(offset + 2, 0))
        await wait_until(pilot, lambda: "unauthorised sessions, lowest first" in _status(screen), "the reversed sort")


async def test_filters_combine(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        rows = app.session.attendance.rows()

        await pilot.press("f")
        assert screen.has_class("-filters-open")
        await pilot.press("space")  # the first checkbox: persistent absence
        persistent = [row.id for row in rows if row.measures.persistent_absence]
        assert persistent, "the demo school should have persistently absent pupils"
        assert sorted(screen.shown_ids) == sorted(persistent)

        screen.query_one("#filter-year", Select).value = "9"
        await pilot.pause()
        both = [row.id for row in rows if row.measures.persistent_absence and row.pupil.year_group == "9"]
        assert sorted(screen.shown_ids) == sorted(both)
        assert "filters: persistent absence, Year 9" in _status(screen)

        await pilot.press("escape")
        assert not screen.has_class("-filters-open")
        await pilot.press("c")
        assert len(screen.shown_ids) == len(rows)
        assert not screen.query_one(FilterPanel).filters.active


async def test_filter_threshold_and_early_warning(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        rows = app.session.attendance.rows()
        panel = screen.query_one(FilterPanel)
        await pilot.press("f")

        panel.query_one("#filter-threshold").focus()
        await pilot.press("space")
        reaching = {row.id for row in rows if row.measures.max_unauthorised_window.reaches_threshold}
        assert seeded.threshold_id in reaching
        assert set(screen.shown_ids) == reaching

        await pilot.press("space")
        panel.query_one("#filter-early-warning").focus()
        await pilot.press("space")
        warned = {row.id for row in rows if early_warning(row.measures)}
        assert set(screen.shown_ids) == warned
        for pupil_id in warned:
            assert "W" in screen.query_one(PupilTable).row_texts(pupil_id)[-1]


async def test_search_ignores_case_and_accents(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)

        await pilot.press("ctrl+f", *"ZOE nguyen")
        await wait_until(pilot, lambda: screen.shown_ids == [seeded.nguyen_id], "the name search")

        screen.query_one("#pupil-search", Input).value = ""
        await pilot.press(*NGUYEN_UPN[5:10].lower())
        await wait_until(pilot, lambda: screen.shown_ids == [seeded.nguyen_id], "the UPN search")

        await pilot.press("enter")
        assert screen.query_one(PupilTable).has_focus


async def test_letters_in_search_do_not_act(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)

        await pilot.press("ctrl+f", *"srfc")
        assert screen.query_one("#pupil-search", Input).value == "srfc"
        assert not screen.has_class("-filters-open")
        await wait_until(pilot, lambda: "search “srfc”" in _status(screen), "the search")
        assert "sorted by name, A to Z" in _status(screen)


async def test_unchanged_result_skips_rebuild(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        table = screen.query_one(PupilTable)

        await pilot.press("ctrl+f", *"zzzz")
        await wait_until(pilot, lambda: table.row_count == 0, "the empty result")
        rebuilds = table.rebuilds
        await pilot.press("z")
        screen.apply_query()
        assert table.rebuilds == rebuilds
        assert "No pupils match" in str(screen.query_one("#pupils-empty", Static).render())


async def test_palette_runs_list_action(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)

        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: app.screen is not screen, "the command palette")
        await pilot.press(*"Reverse")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "name, Z to A" in _status(screen), "the reversed sort")


async def test_refresh_reads_vault_again(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        newcomer = Pupil(upn=make_upn(801, 4000, 2019, 903), surname="Aaronson", forename="Ada", year_group="7")
        app.session.attendance.store_pupils([newcomer])
        assert len(screen.shown_ids) == DEMO_PUPILS + 2

        await pilot.press("f5")
        await wait_until(pilot, lambda: screen.loaded, "the recomputed measures")
        assert len(screen.shown_ids) == DEMO_PUPILS + 3
        assert screen.query_one(PupilTable).row_texts(screen.shown_ids[0])[0] == "Aaronson, Ada"


async def test_empty_vault_explains_import(workspace, fake_clock):
    workspace.profiles.create("alice", PASSPHRASE)
    vault = workspace.profiles.unlock("alice", PASSPHRASE)
    app = ClinicApp(workspace, vault=vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(app, pilot)
        message = str(screen.query_one("#pupils-empty", Static).render())
        assert "No pupils in this vault yet" in message
        assert "import" in message


# -- pupil view ---------------------------------------------------------------


async def open_pupil(app: ClinicApp, pilot, pupil_id: str) -> PupilScreen:
    screen = await open_list(app, pilot)
    table = screen.query_one(PupilTable)
    table.move_cursor(row=table.get_row_index(pupil_id))
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, PupilScreen), "the pupil view")
    return app.screen  # type: ignore[return-value]


async def test_enter_opens_highlighted_pupil(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)

        assert view.pupil_id == seeded.nguyen_id
        heading = str(view.query_one("#pupil-heading", Static).render())
        assert "Zoë Nguyễn" in heading
        assert NGUYEN_UPN in heading
        assert "P persistent absence" in heading
        assert "E SEN support or EHC plan" in heading


async def test_register_shows_known_week(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)
        await pilot.press("g")
        assert view.query_one(TabbedContent).active == "register"
        grid = view.query_one(RegisterGrid)
        assert grid.has_focus

        assert grid.week_texts(KNOWN_WEEK) == ["/", "\\", "N", "N", "I", "I", "L", "\\", "?", "V"]
        assert grid.week_kinds(KNOWN_WEEK) == [
            CellKind.PRESENT, CellKind.PRESENT,
            CellKind.UNAUTHORISED, CellKind.UNAUTHORISED,
            CellKind.AUTHORISED, CellKind.AUTHORISED,
            CellKind.PRESENT, CellKind.PRESENT,
            CellKind.NO_MARK, CellKind.APPROVED,
        ]

        # Monday of the clock's week is marked; Tuesday onwards has no register yet.
        assert grid.week_texts(dt.date(2026, 3, 9)) == ["/", "\\"] + [""] * 8
        # The spring term opens with an INSET day on Monday 5 January.
        assert grid.week_kinds(dt.date(2026, 1, 5))[:2] == [CellKind.NOT_SCHOOL_DAY] * 2


async def test_register_restyled_for_theme(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)
        await pilot.press("g")
        grid = view.query_one(RegisterGrid)
        tuesday_am = Coordinate(grid.get_row_index(KNOWN_WEEK.isoformat()), 3)
        before = grid.get_cell_at(tuesday_am).style

        await pilot.press("f10")
        await wait_until(pilot, lambda: grid.get_cell_at(tuesday_am).style != before, "the restyled grid")
        after = grid.get_cell_at(tuesday_am).style
        assert after.color != before.color
        assert after.bold
        assert after.underline
        assert grid.get_cell_at(tuesday_am).plain == "N"


async def test_register_cell_explained(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)
        await pilot.press("g")
        grid = view.query_one(RegisterGrid)

        row = grid.get_row_index(KNOWN_WEEK.isoformat())
        grid.move_cursor(row=row, column=4)  # Tuesday PM
        await pilot.pause()
        detail = str(view.query_one("#register-detail", Static).render())
        assert detail == "Tuesday 03/03/2026 PM: N, Reason for absence not yet established. Counts as unauthorised absence."

        grid.move_cursor(row=grid.get_row_index("2026-01-05"), column=1)
        await pilot.pause()
        detail = str(view.query_one("#register-detail", Static).render())
        assert detail == "Monday 05/01/2026 AM: not a school day (INSET day)."


async def test_overview_states_threshold_fact(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.threshold_id)

        measures = str(view.query_one("#pupil-measures", Static).render())
        assert "Most in any 10 consecutive school weeks: 10, from" in measures
        assert "This reaches the national threshold of 10 unauthorised sessions in 10 school weeks." in measures
        assert "penalty notice" not in measures.lower()

        reasons = static_text(view.query_one("#pupil-reasons", Static), width=140)
        assert "Absent in other or unknown circumstances" in reasons
        assert "unauthorised absence" in reasons
        assert "Medical or dental appointment" in reasons


async def test_overview_weekday_pattern(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)

        # Nguyễn missed both Tuesday and both Wednesday sessions she had, and no others.
        weekdays = static_text(view.query_one("#pupil-weekdays", Static))
        assert "Highest: Tuesday and Wednesday (100.0%)" in weekdays


async def test_missing_pupil_returns_to_list(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        list_screen = await open_list(app, pilot)
        await app.push_screen(PupilScreen("no-such-pupil"))
        await wait_until(pilot, lambda: app.screen is list_screen, "the list again")
        await wait_until(
            pilot,
            lambda: any("no longer in the vault" in str(note.message) for note in app._notifications),
            "the notification",
        )


async def test_contacts_tab_lists_contact(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_pupil(app, pilot, seeded.nguyen_id)
        await pilot.press("c")
        table = view.query_one("#contacts-table")
        assert table.has_focus

        row = [cell.plain for cell in table.get_row_at(0)]
        assert row[:3] == ["Łukasz Ó Briain", "Father", "07700 900123"]
        assert row[5:7] == ["Polish", "needed"]


async def test_next_and_previous_follow_list(workspace, fake_clock, seeded):
    app = ClinicApp(workspace, vault=seeded.vault, clock=fake_clock)
    async with app.run_test(size=SIZE) as pilot:
        list_screen = await open_list(app, pilot)
        order = list_screen.shown_ids
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PupilScreen), "the pupil view")
        assert app.screen.pupil_id == order[0]

        await pilot.press("g", "n")
        await wait_until(pilot, lambda: app.screen.pupil_id == order[1], "the next pupil")
        assert app.screen.query_one(TabbedContent).active == "register"

        await pilot.press("p", "p")
        await wait_until(pilot, lambda: app.screen.pupil_id == order[0], "the previous pupil")

        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is list_screen, "the list again")


def test_fold_ignores_case_and_accents():
    assert fold("Nguyễn") == "nguyen"
    assert fold("Łukasz Ó BRIAIN") == "lukasz o briain"
    assert fold("Ştefan Øberg") == "stefan oberg"
    assert fold("STRASSE") == fold("Straße")
