"""The impact report in the terminal: a small app of its own, outside any laptop profile.

``clinic central report DIR --tui`` opens it on a report already built
from the central store. The app itself reads no store and keeps no keys.
Views are tabs: key figures, the summary by school, one per breakdown,
charts drawn with textual-plotext, and the methodology.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from clinic_tui import keys
from clinic_tui.screens.help import HelpScreen
from clinic_tui.services.workspace import Workspace
from clinic_tui.themes import DEFAULT_THEME, HIGH_CONTRAST_THEME, discover_themes
from sync.report.layout import Table, all_table_groups, headline, scope_lines
from sync.report.measures import MEASURE_BY_KEY, Figure, format_figure
from sync.report.methodology import METHODOLOGY
from sync.report.report import Report

# Chart labels longer than this are cut, so the bars keep most of an 80-column terminal.
CHART_LABEL_LENGTH = 24
CHART_MAX_HEIGHT = 30


def _right(text: str) -> Text:
    return Text(text, justify="right")


def _fill_table(table_widget: DataTable, table: Table) -> None:
    table_widget.add_column(table.row_heading)
    for measure in table.measures:
        table_widget.add_column(measure.label)
    for label, figures in table.rows:
        cells = [_right(format_figure(measure, figures[measure.key])) for measure in table.measures]
        table_widget.add_row(label, *cells)


def _short(label: str) -> str:
    return label if len(label) <= CHART_LABEL_LENGTH else label[: CHART_LABEL_LENGTH - 1] + "…"


class ImpactScreen(Screen[None]):
    """Every table of one impact report, with terminal charts, in tabs."""

    BINDINGS = keys.bindings("impact")
    DEFAULT_CSS = """
    ImpactScreen VerticalScroll { padding: 0 1; }
    ImpactScreen DataTable { height: auto; max-height: 24; margin-bottom: 1; }
    ImpactScreen .caption { text-style: bold; margin-top: 1; }
    ImpactScreen .note { color: $text-muted; margin-bottom: 1; }
    ImpactScreen PlotextPlot { height: 9; margin-bottom: 1; }
    ImpactScreen #view-figures { padding: 0 1; }
    ImpactScreen #table-figures { height: 1fr; max-height: 100%; margin-bottom: 0; }
    """

    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report
        self._tables: dict[str, Table] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with TabbedContent(id="impact-views"):
            # The key figures table fills the tab and scrolls itself, so the lines
            # saying what the report covers stay in view above it.
            with TabPane("Figures", id="view-figures"):
                scope = "\n".join(f"{label}: {text}" for label, text in scope_lines(self.report))
                yield Static(Text(scope), id="impact-scope")
                yield Static("Symbols: c confidential, z not applicable, x not collected.", classes="note")
                yield DataTable(id="table-figures", cursor_type="row", zebra_stripes=True)

            for index, group in enumerate(all_table_groups(self.report)):
                name = "Summary" if not group.dimension else group.title
                with TabPane(name, id=f"view-{group.dimension or 'summary'}"), VerticalScroll():
                    for number, table in enumerate(group.tables):
                        table_id = f"table-{index}-{number}"
                        self._tables[table_id] = table
                        yield Static(Text(table.title), classes="caption")
                        yield DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
                        if table.note:
                            yield Static(Text(table.note), classes="note")
                    if not group.tables[0].rows:
                        yield Static("No pupil meetings match.", classes="note")

            with TabPane("Charts", id="view-charts"), VerticalScroll():
                yield from self._compose_charts()

            with TabPane("Methodology", id="view-methodology"), VerticalScroll():
                for section in METHODOLOGY:
                    yield Static(Text(section.title), classes="caption")
                    body = "\n\n".join(section.paragraphs)
                    if section.terms:
                        body += "\n\n" + "\n".join(f"{term}: {definition}" for term, definition in section.terms)
                    yield Static(Text(body))
        yield Footer()

    def _chart_rows(self, dimension: str, measure_key: str) -> tuple[list[str], list[float], list[str]]:
        """Return labels and values of the shown figures, and the labels of figures not drawn."""
        measure = MEASURE_BY_KEY[measure_key]
        labels, values, missing = [], [], []
        for category in self.report.breakdown(dimension).categories:
            figure: Figure = category.figures[measure_key]
            if figure.shown:
                suffix = "%" if measure.kind == "percent" else ""
                labels.append(f"{_short(category.label)} {format_figure(measure, figure)}{suffix}")
                values.append(float(figure.value))  # type: ignore[arg-type]
            else:
                missing.append(f"{category.label} ({figure.symbol})")
        return labels, values, missing

    def _chart_specs(self) -> list[tuple[str, str, str, str]]:
        return [
            ("chart-schools", "school", "held_percent", "Pupil meetings held, % of offered, by school"),
            ("chart-barriers", "barrier", "mean_change", "Mean change in attendance by barrier, points"),
            ("chart-years", "year_group", "improved_percent", "Improved 5+ points, % of those with both rates"),
        ]

    def _compose_charts(self) -> Iterable[Static | PlotextPlot]:
        yield Static("Each bar's value is written beside its label. Figures shown as c or z are not drawn.",
                     classes="note")
        for chart_id, dimension, measure_key, title in self._chart_specs():
            labels, _, missing = self._chart_rows(dimension, measure_key)
            yield Static(Text(title), classes="caption")
            if labels:
                yield PlotextPlot(id=chart_id)
            else:
                yield Static("Nothing to draw: no figure of this chart is shown.", classes="note")
            if missing:
                yield Static(Text("Not drawn: " + ", ".join(missing) + "."), classes="note")

    def on_mount(self) -> None:
        self.title = "Impact of attendance meetings"
        self.sub_title = self.report.organisation

        figures = self.query_one("#table-figures", DataTable)
        figures.add_columns("Measure", "All pupil meetings")
        for measure, figure in headline(self.report):
            figures.add_row(measure.label, _right(format_figure(measure, figure)))
        for table_id, table in self._tables.items():
            _fill_table(self.query_one(f"#{table_id}", DataTable), table)

        for chart_id, dimension, measure_key, _ in self._chart_specs():
            labels, values, _ = self._chart_rows(dimension, measure_key)
            if labels:
                self._draw(chart_id, labels, values, percent=MEASURE_BY_KEY[measure_key].kind == "percent")
        figures.focus()

    def _draw(self, chart_id: str, labels: Sequence[str], values: Sequence[float], *, percent: bool) -> None:
        widget = self.query_one(f"#{chart_id}", PlotextPlot)
        # Two rows per bar plus the frame and axis, so few bars are not drawn as slabs.
        widget.styles.height = min(CHART_MAX_HEIGHT, 5 + 2 * len(labels))
        plot = widget.plt
        # Plotext draws the first bar at the bottom; reversing keeps the table's order from the top.
        plot.bar(list(reversed(labels)), list(reversed(values)), orientation="horizontal", minimum=0, width=0.5)
        low = min(0.0, *values)
        high = 100.0 if percent else max(0.0, *values)
        if high == low:
            high = low + 1
        plot.xlim(low, high)

    def _move(self, step: int) -> None:
        views = self.query_one("#impact-views", TabbedContent)
        panes = [pane.id for pane in views.query(TabPane) if pane.id]
        position = panes.index(views.active) if views.active in panes else 0
        views.active = panes[(position + step) % len(panes)]
        pane = views.get_pane(views.active)
        # Focus the first table, or else the scrolling area, so the arrow keys work at once.
        targets = list(pane.query(DataTable)) or list(pane.query(VerticalScroll))
        if targets:
            targets[0].focus()

    def action_next_view(self) -> None:
        self._move(1)

    def action_previous_view(self) -> None:
        self._move(-1)


class ImpactApp(App[None]):
    """A small app showing one impact report, with the clinic themes and keys but no profile or vault."""

    TITLE = "Clinic day: impact report"
    # Everywhere keys except lock: this app holds no vault and no keys to lock away.
    BINDINGS = [action.binding() for action in keys.KEY_ACTIONS if action.scope == "app" and action.id != "app.lock"]
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, report: Report, workspace: Workspace) -> None:
        super().__init__()
        self.report = report
        self.workspace = workspace
        self._theme_names: list[str] = []
        loaded, self.theme_problems = discover_themes(workspace.locations.user_themes_dir)
        for item in loaded:
            self.register_theme(item.theme)
        self._theme_names = [item.theme.name for item in loaded]
        # NO_COLOR: meaning must not rest on colour, so use the theme built for that.
        requested_theme = HIGH_CONTRAST_THEME if self.no_color else workspace.config.general.theme
        self.theme = requested_theme if requested_theme in self.available_themes else DEFAULT_THEME

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme file skipped", severity="warning", timeout=15)
        keymap = self.workspace.config.keymap
        self.set_keymap({key: value for key, value in keymap.items() if key not in keys.unknown_ids(keymap)})
        self.push_screen(ImpactScreen(self.report))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_cycle_theme(self) -> None:
        names = self._theme_names or [DEFAULT_THEME]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if isinstance(screen, ImpactScreen):
            yield SystemCommand("Next view", "Show the next tab of the report", screen.action_next_view)
            yield SystemCommand("Previous view", "Show the previous tab of the report", screen.action_previous_view)
        yield SystemCommand("Help: keys", "List every key and what it does", self.action_help)
        yield SystemCommand("Next theme", "Switch between light, dark and high contrast", self.action_cycle_theme)
        yield SystemCommand("Quit", "Leave the impact report", self.action_quit)


__all__ = ["ImpactApp", "ImpactScreen"]
