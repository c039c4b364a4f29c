"""The impact report: figures from the central impact log, disclosure control, and HTML, CSV and Markdown.

``build_report`` reads an open ``CentralStore`` and returns a ``Report``
whose every figure has passed disclosure control; the renderers only
format what it holds. ``methodology.py`` states how each figure is worked
out, and ``suppression.py`` the disclosure rules.
"""

from sync.report.figures import GroupFigures, RawFigures, ReportScope, load_figures
from sync.report.measures import MEASURES, NOT_APPLICABLE, NOT_COLLECTED, SUPPRESSED, Figure, Measure
from sync.report.render_csv import read_csv, render_csv, report_figures
from sync.report.render_html import render_html
from sync.report.render_md import render_markdown
from sync.report.report import Breakdown, Category, Report, build_report, publish
from sync.report.suppression import Relation, Suppression, suppress

FORMATS = ("html", "csv", "md")

__all__ = [
    "FORMATS",
    "MEASURES",
    "NOT_APPLICABLE",
    "NOT_COLLECTED",
    "SUPPRESSED",
    "Breakdown",
    "Category",
    "Figure",
    "GroupFigures",
    "Measure",
    "RawFigures",
    "Relation",
    "Report",
    "ReportScope",
    "Suppression",
    "build_report",
    "load_figures",
    "publish",
    "read_csv",
    "render",
    "render_csv",
    "render_html",
    "render_markdown",
    "report_figures",
    "suppress",
]


def render(report: Report, output_format: str) -> str:
    """Return the report in ``output_format``: ``html``, ``csv`` or ``md``."""
    renderers = {"html": render_html, "csv": render_csv, "md": render_markdown}
    if output_format not in renderers:
        raise ValueError(f"Unknown report format {output_format!r}; use one of {', '.join(FORMATS)}.")
    return renderers[output_format](report)
