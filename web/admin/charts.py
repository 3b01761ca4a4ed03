"""Geometry of the server-rendered SVG charts; templates draw the shapes from these values."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 300
PLOT_WIDTH = 360


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH


def bar_chart(items: list[tuple[str, float]], maximum: float = 100.0) -> BarChart:
    """Lay out horizontal bars for (label, value) pairs on a 0..maximum scale."""
    bars = [
        Bar(label=label, value=value, y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(PLOT_WIDTH * max(0.0, min(value, maximum)) / maximum, 1))
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(bars=bars, height=max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP))


@dataclass(frozen=True)
class LinePoint:
    label: str
    value: float
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    points: list[LinePoint]
    path: str
    width: int
    height: int


def line_chart(items: list[tuple[str, float]], width: int = 620, height: int = 200,
               maximum: float = 100.0) -> LineChart:
    """Lay out a line through (label, value) pairs, evenly spaced, on a 0..maximum scale."""
    margin = 30
    step = (width - 2 * margin) / max(1, len(items) - 1)
    points = [
        LinePoint(label=label, value=value, x=round(margin + index * step, 1),
                  y=round(height - margin - (height - 2 * margin) * min(value, maximum) / maximum, 1))
        for index, (label, value) in enumerate(items)
    ]
    path = " ".join(f"{'M' if index == 0 else 'L'}{point.x},{point.y}" for index, point in enumerate(points))
    return LineChart(points=points, path=path, width=width, height=height)
