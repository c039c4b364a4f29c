"""The impact report in the terminal, driven with Pilot on a report from a real central store.

The store is made once for this module: rows are sealed into bundles,
ingested, and the report is built from the store's impact log. Snapshot
tests fix the size and theme; update them with ``pytest --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets import DataTable, Static, TabbedContent
from textual_plotext import PlotextPlot

from clinic_tui.screens.help import HelpScreen
from clinic_tui.screens.impact import ImpactApp, ImpactScreen
from sync.report import Report, ReportScope, build_report
from tests.test_impact_report import (
    PLANTED_OFFICER,
    Ingester,
    impact_row,
    make_store_template,
    reviewed,
)

SMALL = (80, 24)
LARGE = (100, 30)
VIEWS = ["view-figures", "view-summary", "view-school", "view-mode", "view-year_group", "view-barrier",
         "view-charts", "view-methodology"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Report, set[str]]:
    """Return a report of four schools (one with 3 pupil meetings), a report of no rows, and the pseudonyms."""
    folder = tmp_path_factory.mktemp("impact-ui")
    template = make_store_template(folder / "central")
    ingester = Ingester(template, template.keys, folder / "bundles")
    empty = build_report(template.keys, ReportScope())

    rows, later = [], []
    for serial in range(1, 130):
        school = ("100001", "100002", "100003")[serial % 3] if serial > 3 else "100004"
        row = impact_row(template, serial, school_urn=school, mode=("in_person", "video", "phone")[serial % 3],
                         year_group=str(7 + serial % 4), attended=serial % 7 != 0,
                         barriers=(("bullying", "transport"), ("send",), ("mental_health",))[serial % 3],
                         attendance_before_permille=600 + 2 * serial, persistent_before=600 + 2 * serial <= 900,
                         month=f"2025-{9 + serial % 3:02d}")
        rows.append(row)
        if serial % 2:
            later.append(reviewed(row, min(1000, 620 + 2 * serial + (serial % 5) * 20)))
    ingester.ingest(rows)
    ingester.ingest(later)
    report = build_report(template.keys, ReportScope())
    template.keys.close()
    return report, empty, {row.pseudonym for row in rows}


async def _table_text(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_figures_view_shows_scope_and_figures(workspace, stored):
    report, _, _ = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImpactScreen)

        scope = str(screen.query_one("#impact-scope", Static).render())
        assert "Northshire Education Welfare Service" in scope
        assert "September 2025 to November 2025" in scope
        rows = dict((label, value) for label, value in await _table_text(screen.query_one("#table-figures", DataTable)))
        assert rows["Meetings offered"] == "129"
        assert rows["Contacts made"] == "x"
        assert app.focused is screen.query_one("#table-figures", DataTable)


async def test_next_and_previous_cycle_views(workspace, stored):
    report, _, _ = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        views = app.screen.query_one("#impact-views", TabbedContent)

        seen = [views.active]
        for _ in range(len(VIEWS)):
            await pilot.press("n")
            seen.append(views.active)
        assert seen == VIEWS + ["view-figures"]

        await pilot.press("p")
        assert views.active == "view-methodology"
        assert app.focused is not None


async def test_small_school_shown_as_c(workspace, stored):
    report, _, _ = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.press("n", "n")
        screen = app.screen
        table = screen.query_one("#table-1-0", DataTable)

        rows = {row[0]: row[1:] for row in await _table_text(table)}
        assert rows["URN 100004"][0] == "c"
        assert rows["All schools"][0] == "129"
        assert app.focused is table


async def test_charts_draw_only_shown_figures(workspace, stored):
    report, _, _ = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        app.screen.query_one("#impact-views", TabbedContent).active = "view-charts"
        await pilot.pause()

        plots = {plot.id for plot in app.screen.query(PlotextPlot)}
        notes = " ".join(str(widget.render()) for widget in app.screen.query("#view-charts Static"))
        assert plots == {"chart-schools", "chart-barriers", "chart-years"}
        assert "Not drawn: " in notes
        assert "URN 100004 (c)" in notes


async def test_empty_report_has_nothing_to_draw(workspace, stored):
    _, empty, _ = stored
    app = ImpactApp(empty, workspace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen

        assert not list(screen.query(PlotextPlot))
        notes = " ".join(str(widget.render()) for widget in screen.query(Static))
        assert "No pupil meetings match." in notes
        assert "Nothing to draw" in notes
        assert "the log has no pupil meetings" in notes


async def test_help_lists_impact_keys(workspace, stored):
    report, _, _ = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)

        ids = [row[3] for row in await _table_text(app.screen.query_one(DataTable))]
        assert {"impact.next", "impact.previous"} <= set(ids)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ImpactScreen)


async def test_screen_shows_no_pseudonym_or_name(workspace, stored):
    report, _, pseudonyms = stored
    app = ImpactApp(report, workspace)
    async with app.run_test(size=LARGE) as pilot:
        for _ in range(len(VIEWS)):
            await pilot.pause()
            text = app.export_screenshot()
            assert PLANTED_OFFICER not in text
            assert not [pseudonym for pseudonym in pseudonyms if pseudonym[:12] in text]
            await pilot.press("n")


async def test_impact_keys_follow_keymap(workspace, stored):
    # The keymap remaps by binding id, as everywhere else in the app.
    report, _, _ = stored
    workspace.config = dataclasses.replace(workspace.config, keymap={"impact.next": "right_square_bracket"})
    app = ImpactApp(report, workspace)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        views = app.screen.query_one("#impact-views", TabbedContent)

        await pilot.press("right_square_bracket")
        assert views.active == "view-summary"
        await pilot.press("n")
        assert views.active == "view-summary"


# -- snapshots ------------------------------------------------------------------------


def test_snapshot_figures_small(snap_compare, workspace, stored):
    report, _, _ = stored
    assert snap_compare(ImpactApp(report, workspace), terminal_size=SMALL)


def test_snapshot_school_table_small(snap_compare, workspace, stored):
    report, _, _ = stored
    assert snap_compare(ImpactApp(report, workspace), terminal_size=SMALL, press=["n", "n"])


def test_snapshot_charts_high_contrast(snap_compare, workspace, stored):
    report, _, _ = stored

    async def high_contrast(pilot) -> None:
        pilot.app.theme = "clinic-high-contrast"

    # From the first view, two steps back reach the charts.
    assert snap_compare(ImpactApp(report, workspace), terminal_size=LARGE, run_before=high_contrast, press=["p", "p"])


def test_snapshot_summary_light(snap_compare, workspace, stored):
    report, _, _ = stored

    async def light(pilot) -> None:
        pilot.app.theme = "clinic-light"
        await pilot.press("n")

    assert snap_compare(ImpactApp(report, workspace), terminal_size=SMALL, run_before=light)
