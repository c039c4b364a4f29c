"""Horizontal bar charts as inline SVG, drawn from published figures only.

Charts carry their meaning in text as well as in shape. Every bar has its
value written beside it, and a second series is hatched rather than only
coloured. A figure shown as ``c`` or ``z`` gets its symbol in place of a
bar. Colours come from CSS classes, so the page's print styles apply.
Coordinates are written with one decimal place, so the same figures give
the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape

# An estimate of the mean width of a 12 px sans-serif character, kept
# generous so that labels of the fixed code lists are not clipped.
CHARACTER_WIDTH = 7.4
PLOT_WIDTH = 300
VALUE_WIDTH = 230
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 30
AXIS_HEIGHT = 26


@dataclass(frozen=True)
class Series:
    """One series of a chart: its key, the legend text, and whether it is drawn hatched."""

    key: str
    label: str
    hatched: bool = False


@dataclass(frozen=True)
class Bar:
    """One row of a chart. ``values`` is None when a figure is suppressed or not applicable; ``text`` is printed."""

    label: str
    values: tuple[int | Decimal, ...] | None
    text: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart. With several series, each bar stacks their values left to right."""

    chart_id: str
    title: str
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]
    unit: str = ""
    maximum: int | Decimal | None = None


def _number(value: float) -> str:
    return f"{value:.1f}"


def _axis_text(value: int | Decimal, unit: str) -> str:
    return f"{value}{unit}"


@dataclass(frozen=True)
class _Layout:
    """Horizontal positions: labels end at ``label_right``, bars start at ``plot_left``."""

    label_right: float
    plot_left: float
    value_left: float
    width: float


def _layout(chart: Chart) -> _Layout:
    longest = max((len(bar.label) for bar in chart.bars), default=0)
    label_right = 12 + CHARACTER_WIDTH * longest
    plot_left = label_right + 8
    value_left = plot_left + PLOT_WIDTH + 10
    return _Layout(label_right, plot_left, value_left, value_left + VALUE_WIDTH)


def render_chart(chart: Chart) -> str:
    """Return the chart as an ``<svg>`` element with a title, a legend and an axis."""
    layout = _layout(chart)
    drawn = [bar for bar in chart.bars if bar.values is not None]
    totals = [sum(bar.values) for bar in drawn]  # type: ignore[arg-type]
    lowest = min([0, *(min(bar.values) for bar in drawn)])  # type: ignore[type-var]
    highest = chart.maximum if chart.maximum is not None else max([0, *totals])
    span = (highest - lowest) or 1

    def x_of(value: int | Decimal) -> float:
        return layout.plot_left + float(value - lowest) / float(span) * PLOT_WIDTH

    height = TOP + ROW_HEIGHT * len(chart.bars) + AXIS_HEIGHT
    title_id = f"{chart.chart_id}-title"
    parts = [
        f'<svg class="chart" viewBox="0 0 {_number(layout.width)} {height}" style="max-width: {_number(layout.width)}px" '
        f'role="img" aria-labelledby="{title_id}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
    ]
    hatched = [series for series in chart.series if series.hatched]
    if hatched:
        parts.append(
            f'<defs><pattern id="{chart.chart_id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
            'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-background"/>'
            '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>'
        )
    parts += _legend(chart, layout)

    for row, bar in enumerate(chart.bars):
        top = TOP + row * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2 + 4
        parts.append(f'<text class="bar-label" x="{_number(layout.label_right)}" y="{_number(middle)}" '
                     f'text-anchor="end">{escape(bar.label)}</text>')
        if bar.values is not None:
            parts += _segments(chart, bar.values, top, x_of)
        parts.append(f'<text class="bar-value" x="{_number(layout.value_left)}" y="{_number(middle)}">{escape(bar.text)}</text>')

    parts += _axis(chart, layout, lowest, highest, height, x_of)
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(chart: Chart, layout: _Layout) -> list[str]:
    if len(chart.series) < 2:
        return []
    parts = []
    x = layout.plot_left
    for index, series in enumerate(chart.series):
        fill = f' fill="url(#{chart.chart_id}-hatch)"' if series.hatched else ""
        parts.append(f'<rect class="series-{index}" x="{_number(x)}" y="8" width="12" height="12"{fill}/>')
        parts.append(f'<text class="legend" x="{_number(x + 16)}" y="18">{escape(series.label)}</text>')
        x += 24 + CHARACTER_WIDTH * len(series.label)
    return parts


def _segments(chart: Chart, values: tuple[int | Decimal, ...], top: float,
              x_of: Callable[[int | Decimal], float]) -> list[str]:
    parts = []
    start: int | Decimal = 0
    for index, value in enumerate(values):
        end = start + value
        left, right = sorted((x_of(start), x_of(end)))
        if right > left:
            fill = f' fill="url(#{chart.chart_id}-hatch)"' if chart.series[index].hatched else ""
            parts.append(f'<rect class="series-{index}" x="{_number(left)}" y="{_number(top + 4)}" '
                         f'width="{_number(right - left)}" height="{BAR_HEIGHT}"{fill}/>')
        start = end
    return parts


def _axis(chart: Chart, layout: _Layout, lowest: int | Decimal, highest: int | Decimal, height: int,
          x_of: Callable[[int | Decimal], float]) -> list[str]:
    axis_y = height - AXIS_HEIGHT + 6
    parts = [f'<line class="axis" x1="{_number(layout.plot_left)}" y1="{_number(axis_y)}" '
             f'x2="{_number(layout.plot_left + PLOT_WIDTH)}" y2="{_number(axis_y)}"/>']
    ticks = sorted({lowest, 0, highest})
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line class="axis" x1="{_number(x)}" y1="{TOP - 4}" x2="{_number(x)}" '
                     f'y2="{_number(axis_y + 4)}"/>' if tick == 0 else
                     f'<line class="axis" x1="{_number(x)}" y1="{_number(axis_y)}" x2="{_number(x)}" '
                     f'y2="{_number(axis_y + 4)}"/>')
        parts.append(f'<text class="axis-label" x="{_number(x)}" y="{_number(axis_y + 16)}" '
                     f'text-anchor="middle">{escape(_axis_text(tick, chart.unit))}</text>')
    return parts
