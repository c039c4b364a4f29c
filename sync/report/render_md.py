"""The impact report as Markdown: headings, pipe tables and the methodology."""

from __future__ import annotations

from sync.report.layout import TITLE, Table, all_table_groups, headline, scope_lines
from sync.report.measures import format_figure
from sync.report.methodology import METHODOLOGY
from sync.report.report import Report


def _cell(text: str) -> str:
    # A pipe would end the cell early; labels come from fixed lists, but a code
    # outside them is printed as it is.
    return text.replace("|", "\\|")


def _table(table: Table) -> list[str]:
    headings = [table.row_heading, *(measure.label for measure in table.measures)]
    lines = [
        f"### {table.title}",
        "",
        "| " + " | ".join(_cell(heading) for heading in headings) + " |",
        "| --- | " + " | ".join("---:" for _ in table.measures) + " |",
    ]
    for label, figures in table.rows:
        cells = [_cell(label), *(format_figure(measure, figures[measure.key]) for measure in table.measures)]
        lines.append("| " + " | ".join(cells) + " |")
    if table.note:
        lines += ["", table.note]
    return lines + [""]


def render_markdown(report: Report) -> str:
    """Return the whole report as Markdown text ending in a line feed."""
    lines = [f"# {TITLE}", ""]
    lines += [f"- **{label}:** {_cell(text)}" for label, text in scope_lines(report)]
    lines += ["", "Symbols: c confidential, z not applicable, x not collected (see Methodology).", ""]

    lines += ["## Key figures", "", "| Measure | All pupil meetings |", "| --- | ---: |"]
    lines += [f"| {measure.label} | {format_figure(measure, figure)} |" for measure, figure in headline(report)]
    lines.append("")

    for group in all_table_groups(report):
        lines += [f"## {group.title}", ""]
        for table in group.tables:
            lines += _table(table)

    lines += ["## Methodology", ""]
    for section in METHODOLOGY:
        lines += [f"### {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.terms:
            lines += [f"- **{term}:** {definition}" for term, definition in section.terms]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
