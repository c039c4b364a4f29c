"""The impact report as CSV: one line per published figure, and a reader that gives the figures back.

The layout is long and tidy, so that a spreadsheet can filter and pivot
it: ``dimension`` (``overall``, ``school``, ``mode``, ``year_group`` or
``barrier``), ``category`` (a code or URN, empty for overall),
``category_label``, ``measure``, ``measure_label`` and ``value``. A value
is a whole number, a number with one decimal place, or a symbol: ``c``
confidential, ``z`` not applicable, ``x`` not collected. Counts carry no
thousands separators.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from sync.errors import FormatError
from sync.report.figures import OVERALL
from sync.report.measures import COUNT, MEASURE_BY_KEY, MEASURES, SYMBOLS, Figure, format_figure
from sync.report.report import Report

HEADER = ("dimension", "category", "category_label", "measure", "measure_label", "value")

FigureTable = dict[tuple[str, str], dict[str, Figure]]


def report_figures(report: Report) -> FigureTable:
    """Return every published figure by (dimension, category), in the order the CSV lists them."""
    figures: FigureTable = {(OVERALL, ""): dict(report.overall)}
    for breakdown in report.breakdowns:
        for category in breakdown.categories:
            figures[(breakdown.dimension, category.key)] = dict(category.figures)
    return figures


def render_csv(report: Report) -> str:
    """Return the report's figures as CSV text with a header line and CRLF line ends (RFC 4180)."""
    labels = {(OVERALL, ""): "All pupil meetings"}
    for breakdown in report.breakdowns:
        for category in breakdown.categories:
            labels[(breakdown.dimension, category.key)] = category.label

    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(HEADER)
    for (dimension, category), figures in report_figures(report).items():
        for measure in MEASURES:
            if measure.key in figures:
                writer.writerow((dimension, category, labels[(dimension, category)], measure.key, measure.label,
                                 format_figure(measure, figures[measure.key], grouped=False)))
    return output.getvalue()


def read_csv(text: str, *, source: str = "report CSV") -> FigureTable:
    """Parse CSV written by ``render_csv`` back into figures by (dimension, category) and measure.

    Raises ``FormatError`` naming the line, column and value when a line
    has the wrong number of columns, an unknown measure, a repeated figure
    or a value that is not a number or symbol.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != HEADER:
        raise FormatError(f"{source}, line 1: the header must be {','.join(HEADER)}; got "
                          f"{','.join(header or [])!r}. Use a CSV written by clinic central report.", source=source)

    figures: FigureTable = {}
    for row in reader:
        line = reader.line_num
        if len(row) != len(HEADER):
            raise FormatError(f"{source}, line {line}: expected {len(HEADER)} columns, got {len(row)}.",
                              source=source)
        dimension, category, _, measure_key, _, text_value = row
        measure = MEASURE_BY_KEY.get(measure_key)
        if measure is None:
            raise FormatError(f"{source}, line {line}, column 4: unknown measure {measure_key!r}. Known measures: "
                              f"{', '.join(MEASURE_BY_KEY)}.", source=source)
        group = figures.setdefault((dimension, category), {})
        if measure_key in group:
            raise FormatError(f"{source}, line {line}: measure {measure_key!r} of {dimension} {category!r} "
                              "appears twice.", source=source)
        group[measure_key] = _parse_value(text_value, measure.kind, source, line)
    return figures


def _parse_value(text: str, kind: str, source: str, line: int) -> Figure:
    if text in SYMBOLS:
        return Figure(symbol=text)
    try:
        if kind == COUNT:
            return Figure(value=int(text))
        return Figure(value=Decimal(text))
    except (ValueError, InvalidOperation):
        raise FormatError(f"{source}, line {line}, column 6: {text!r} is not a number or one of the symbols "
                          f"{', '.join(SYMBOLS)}.", source=source) from None

