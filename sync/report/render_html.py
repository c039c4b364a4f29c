"""The impact report as one self-contained HTML file: inline CSS, inline SVG charts, no scripts.

The page links to nothing outside itself, so it opens offline and can be
sent as a single attachment. Print styles fit the tables to A4, repeat
table headings on each page and keep each school's summary on one page.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from sync.report.layout import TITLE, Table, all_table_groups, headline, scope_lines, school_summary
from sync.report.measures import MEASURE_BY_KEY, SYMBOLS, Figure, Measure, format_figure
from sync.report.methodology import METHODOLOGY
from sync.report.report import Report
from sync.report.svg import Bar, Chart, Series, render_chart

STYLE = """
:root { --ink: #1b1b1b; --muted: #505a5f; --rule: #b1b4b6; --accent: #1d4f91; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: var(--ink); background: var(--paper);
  font: 16px/1.45 system-ui, "Segoe UI", Arial, sans-serif; }
h1 { font-size: 1.9rem; margin: 0 0 .75rem; }
h2 { font-size: 1.45rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .4rem; }
dl.scope { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
dl.scope dt { font-weight: 600; }
dl.scope dd { margin: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: .4rem 0 .6rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .55rem; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); text-align: right; }
thead th:first-child, tbody th { text-align: left; }
tbody th { font-weight: normal; }
td { text-align: right; font-variant-numeric: tabular-nums; }
td.symbol { font-style: italic; color: var(--muted); }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
p.note, p.symbols { color: var(--muted); font-size: .92rem; }
figure { margin: 1rem 0 1.6rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg.chart { width: 100%; height: auto; font: 12px system-ui, "Segoe UI", Arial, sans-serif; }
svg .series-0 { fill: var(--accent); }
svg .hatch-background { fill: var(--paper); }
svg .hatch-line { stroke: var(--accent); stroke-width: 3; }
svg rect.series-1 { stroke: var(--accent); stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg .bar-label, svg .bar-value, svg .legend, svg .axis-label { fill: var(--ink); }
.school-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
article.school { border: 1px solid var(--rule); padding: .2rem 1rem .8rem; }
article.school dl { display: grid; grid-template-columns: 1fr max-content; gap: .1rem 1rem; margin: 0; }
article.school dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
dl.terms dt { font-weight: 600; margin-top: .5rem; }
dl.terms dd { margin-left: 1.2rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, caption { break-after: avoid; }
  table { font-size: 8.5pt; width: 100%; }
  thead { display: table-header-group; }
  tr, figure, article.school { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  .school-cards { display: block; }
  article.school { margin-bottom: 4mm; }
  section.schools-for-governors { break-before: page; }
}
"""


def _figure_cell(measure: Measure, figure: Figure) -> str:
    text = escape(format_figure(measure, figure))
    if figure.symbol is not None:
        return f'<td class="symbol" title="{escape(SYMBOLS[figure.symbol])}">{text}</td>'
    return f"<td>{text}</td>"


def _table(table: Table, table_id: str) -> list[str]:
    measures = table.measures
    parts = [f'<div class="table-wrap"><table id="{table_id}">', f"<caption>{escape(table.title)}</caption>",
             "<thead><tr>", f'<th scope="col">{escape(table.row_heading)}</th>']
    parts += [f'<th scope="col">{escape(measure.label)}</th>' for measure in measures]
    parts.append("</tr></thead><tbody>")
    for index, (label, figures) in enumerate(table.rows):
        total = ' class="total"' if table.ends_with_total and index == len(table.rows) - 1 else ""
        cells = "".join(_figure_cell(measure, figures[measure.key]) for measure in measures)
        parts.append(f'<tr{total}><th scope="row">{escape(label)}</th>{cells}</tr>')
    parts.append("</tbody></table></div>")
    if table.note:
        parts.append(f'<p class="note">{escape(table.note)}</p>')
    return parts


def _chart_value(figure: Figure) -> int | Decimal | None:
    return figure.value if figure.shown else None


def _charts(report: Report) -> list[Chart]:
    """Return the report's charts: meetings by school, mean change by barrier, share improved by year group."""
    held, not_attended = MEASURE_BY_KEY["held"], MEASURE_BY_KEY["did_not_attend"]
    school_bars = []
    for category in report.breakdown("school").categories:
        figures = category.figures
        values = (_chart_value(figures["held"]), _chart_value(figures["did_not_attend"]))
        text = (f"{format_figure(held, figures['held'])} held, "
                f"{format_figure(not_attended, figures['did_not_attend'])} did not attend")
        school_bars.append(Bar(category.label, None if None in values else values, text))  # type: ignore[arg-type]

    mean = MEASURE_BY_KEY["mean_change"]
    barrier_bars = [
        Bar(category.label, (figure.value,) if figure.shown else None, format_figure(mean, figure))  # type: ignore[arg-type]
        for category in report.breakdown("barrier").categories
        for figure in (category.figures["mean_change"],)
    ]

    percent = MEASURE_BY_KEY["improved_percent"]
    year_bars = [
        Bar(category.label, (figure.value,) if figure.shown else None,  # type: ignore[arg-type]
            format_figure(percent, figure) + ("%" if figure.shown else ""))
        for category in report.breakdown("year_group").categories
        for figure in (category.figures["improved_percent"],)
    ]

    return [
        Chart("chart-schools", "Pupil meetings held and not attended, by school",
              (Series("held", "Held"), Series("did_not_attend", "Did not attend", hatched=True)), tuple(school_bars)),
        Chart("chart-barriers", "Mean change in attendance by barrier, in percentage points",
              (Series("mean_change", "Mean change"),), tuple(barrier_bars)),
        Chart("chart-years", "Pupil meetings improved by 5 points or more, as a percentage, by year group",
              (Series("improved_percent", "% improved 5+"),), tuple(year_bars), unit="%", maximum=100),
    ]


def _school_cards(report: Report) -> list[str]:
    summary = school_summary(report)
    parts = ['<section class="schools-for-governors" id="school-pages">',
             "<h2>One summary per school, for governors and inspectors</h2>",
             f'<p class="note">{escape(summary.note)}</p>', '<div class="school-cards">']
    for label, figures in summary.rows[:-1]:
        parts += [f'<article class="school"><h3>{escape(label)}</h3><dl>']
        for measure in summary.measures:
            parts.append(f"<dt>{escape(measure.label)}</dt><dd>{escape(format_figure(measure, figures[measure.key]))}</dd>")
        parts.append("</dl></article>")
    parts += ["</div>", "</section>"]
    return parts


def render_html(report: Report) -> str:
    """Return the whole report as one HTML document with no scripts and no external resources."""
    organisation = escape(report.organisation)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(TITLE)}: {organisation}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(TITLE)}</h1>",
        '<dl class="scope">',
    ]
    parts += [f"<dt>{escape(label)}</dt><dd>{escape(text)}</dd>" for label, text in scope_lines(report)]
    parts += ["</dl>",
              '<p class="symbols">Symbols: c confidential, z not applicable, x not collected. The methodology at '
              "the end says how each figure is worked out.</p></header>"]

    groups = all_table_groups(report)
    contents = [("key-figures", "Key figures"), ("charts", "Charts")]
    contents += [(f"group-{index}", group.title) for index, group in enumerate(groups)]
    contents += [("school-pages", "One summary per school"), ("methodology", "Methodology")]
    parts.append('<nav aria-label="Contents"><ol>')
    parts += [f'<li><a href="#{anchor}">{escape(title)}</a></li>' for anchor, title in contents]
    parts.append("</ol></nav>")
    parts.append("<main>")

    parts += ['<section id="key-figures"><h2>Key figures</h2>', '<div class="table-wrap"><table>',
              '<thead><tr><th scope="col">Measure</th><th scope="col">All pupil meetings</th></tr></thead><tbody>']
    parts += [f'<tr><th scope="row">{escape(measure.label)}</th>{_figure_cell(measure, figure)}</tr>'
              for measure, figure in headline(report)]
    parts.append("</tbody></table></div></section>")

    parts.append('<section id="charts"><h2>Charts</h2>')
    for chart in _charts(report):
        parts.append(f"<figure><figcaption>{escape(chart.title)}</figcaption>")
        parts.append(render_chart(chart) if chart.bars else '<p class="note">No pupil meetings to chart.</p>')
        parts.append("</figure>")
    parts.append('<p class="note">Bars are drawn only for figures that are shown; c marks a figure withheld '
                 "by disclosure control and z one with no pupil meetings to work it out from.</p></section>")

    for index, group in enumerate(groups):
        parts.append(f'<section id="group-{index}"><h2>{escape(group.title)}</h2>')
        for number, table in enumerate(group.tables):
            parts += _table(table, f"table-{index}-{number}")
        if not any(table.rows for table in group.tables):
            parts.append('<p class="note">No pupil meetings match.</p>')
        parts.append("</section>")

    parts += _school_cards(report)

    parts.append('<section id="methodology"><h2>Methodology</h2>')
    for section in METHODOLOGY:
        parts.append(f"<h3>{escape(section.title)}</h3>")
        parts += [f"<p>{escape(paragraph)}</p>" for paragraph in section.paragraphs]
        if section.terms:
            parts.append('<dl class="terms">')
            parts += [f"<dt>{escape(term)}</dt><dd>{escape(definition)}</dd>" for term, definition in section.terms]
            parts.append("</dl>")
    parts.append("</section>")

    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
